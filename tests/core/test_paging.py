"""The no-count pager: one row more than shown says whether there is a next page."""

import pytest
from django.test import RequestFactory

from core.paging import page_without_count


def page(query: str, rows=range(1, 26), size=10):
    return page_without_count(RequestFactory().get(f"/?{query}"), list(rows), size)


def test_the_first_page_has_a_next_and_no_previous():
    first = page("")
    assert first.rows == list(range(1, 11))
    assert (first.number, first.has_next, first.has_previous) == (1, True, False)


def test_the_last_page_has_no_next():
    last = page("page=3")
    assert last.rows == [21, 22, 23, 24, 25]
    assert (last.has_next, last.has_previous) == (False, True)


def test_a_page_that_fills_exactly_has_no_next():
    assert not page("page=2", rows=range(20)).has_next


@pytest.mark.parametrize("value", ["0", "-1", "x", "9999999", ""])
def test_a_nonsense_page_number_is_the_first_page(value):
    assert page(f"page={value}").number == 1


def test_the_links_keep_the_other_parameters():
    assert page("status=dilaporkan&page=2").context() == {
        "page_number": 2,
        "has_next": True,
        "has_previous": True,
        "query": "status=dilaporkan",
    }
