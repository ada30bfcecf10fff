"""The pager of long lists that never counts: "newer / older" links only.

An exact COUNT over hundreds of thousands of cases (or an audit log that grows without end)
costs more than the page itself, so a page fetches one row more than it shows: that row
says whether there is a next page. templates/partials/pager.html draws the links.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PAGE_DIGITS = 6  # a page number beyond this is nonsense typed into the address


@dataclass(frozen=True)
class Page:
    rows: list
    number: int
    has_next: bool
    has_previous: bool
    query: str  # the request's other parameters, kept in the links

    def context(self) -> dict:
        """The names templates/partials/pager.html reads."""
        return {
            "page_number": self.number,
            "has_next": self.has_next,
            "has_previous": self.has_previous,
            "query": self.query,
        }


def page_number(request) -> int:
    """The ``page`` parameter as a number from 1; anything else is page 1."""
    value = request.GET.get("page", "1")
    return max(int(value), 1) if value.isdigit() and len(value) <= MAX_PAGE_DIGITS else 1


def page_without_count(request, rows, size: int) -> Page:
    """One page of ``rows`` (an ordered queryset) for this request, without counting them."""
    number = page_number(request)
    found = list(rows[(number - 1) * size : number * size + 1])
    return _page(request, number, found, size)


def page_of_parts(request, parts: list, size: int) -> Page:
    """One page of rows taken from ``parts`` (ordered querysets) one after the other, as if they
    were one list: overdue escalations first, then the others, each part read through its own
    index. One ORDERed ``LIMIT`` per part the page touches, and a COUNT only of a part that
    lies wholly before the page, never a sort of everything by a computed key."""
    number = page_number(request)
    offset, wanted = (number - 1) * size, size + 1
    found: list = []
    for part in parts:
        need = wanted - len(found)
        if need <= 0:
            break
        if offset:
            rows = list(part[offset : offset + need])
            if not rows:  # the page starts after this part: skip it whole
                offset = max(offset - part.count(), 0)
                continue
            offset = 0
        else:
            rows = list(part[:need])
        found.extend(rows)
    return _page(request, number, found, size)


def _page(request, number: int, found: list, size: int) -> Page:
    """The page from ``found``: up to ``size`` rows, and one more if there is a next page."""
    query = request.GET.copy()
    query.pop("page", None)
    return Page(
        rows=found[:size],
        number=number,
        has_next=len(found) > size,
        has_previous=number > 1,
        query=query.urlencode(),
    )
