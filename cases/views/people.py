"""A child's record: their cases, their family, and merging two records of the same child.

Staff only (Cap.HANDLE_CASES: anyone else gets a 403), and scoped like the cases: a child's
record is found only through a case the petugas may see (``child_persons_visible_to``),
otherwise a 404. A merged record's address leads to the record it was merged into. A merge
touches every case of both records, so a petugas limited to a kecamatan may merge only
records whose cases all lie in it. Addresses carry the record's number, never a name.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import Cap, requires
from accounts.services import client_ip
from cases import person_services, selectors
from cases.action_forms import apply_service_error
from cases.models import Child, FamilyLink, Person
from cases.people_forms import CompareForm, FamilyAddForm, MergeForm

app_name = "people"


def _load(request, pk: int) -> Person:
    return selectors.get_child_person_for_user(user=request.user, pk=pk)


def _known_people(person: Person, cases) -> list[tuple[Person, str]]:
    """Others named in the child's cases (other children, the parents or guardians named),
    to tie as family without typing them again: one query."""
    rows = Child.objects.filter(case__in=cases).select_related("person", "guardian", "case")
    linked = set(FamilyLink.objects.filter(person=person).values_list("relative_id", flat=True)) | set(
        FamilyLink.objects.filter(relative=person).values_list("person_id", flat=True)
    )
    found: dict[int, tuple[Person, str]] = {}
    for row in rows:
        for candidate, role in ((row.person, _("child")), (row.guardian, _("parent/guardian"))):
            if (
                candidate is None
                or candidate.pk == person.pk
                or candidate.pk in linked
                or candidate.merged_into_id
            ):
                continue
            found.setdefault(candidate.pk, (candidate, f"{candidate.name} ({role}, {row.case.number})"))
    return list(found.values())


def _family(person: Person) -> list[dict]:
    links = FamilyLink.objects.filter(Q(person=person) | Q(relative=person)).select_related(
        "person", "relative"
    )
    family = []
    for link in links.order_by("id"):
        if link.person_id == person.pk:
            other, label = link.relative, link.get_relation_display()
        else:
            other, label = link.person, FamilyLink.INVERSE_LABELS[link.relation]
        family.append({"link": link, "person": other, "label": label})
    return family


def _render(request, person: Person, *, family_form=None, status: int = 200):
    cases, elsewhere = selectors.person_cases(user=request.user, person=person)
    rows = {r.case_id: r for r in Child.objects.filter(person=person, case__in=cases)}
    family = _family(person)
    records = selectors.child_persons_visible_to(user=request.user)
    matches = selectors.matching_persons(
        user=request.user,
        nik=person.nik,
        name=person.name,
        birth_date=person.birth_date,
        exclude_person_id=person.pk,
    )
    visible_child_ids = set(
        records.filter(pk__in=[f["person"].pk for f in family]).values_list("pk", flat=True)
    )
    for member in family:
        member["has_page"] = member["person"].pk in visible_child_ids
    person_services.person_record_access(
        actor=request.user, person=person, action="person.view", ip=client_ip(request)
    )
    context = {
        "person": person,
        "age": person.age_on(timezone.localdate()),
        "cases": [{"case": c, "row": rows.get(c.pk)} for c in cases],
        "elsewhere": elsewhere,
        "family": family,
        "matches": matches.visible,
        "matches_elsewhere": matches.elsewhere,
        "family_form": family_form
        or FamilyAddForm(prefix="family", known=_known_people(person, cases), records=records),
        "compare_form": CompareForm(prefix="compare"),
    }
    return render(request, "cases/people/detail.html", context, status=status)


@never_cache
@require_GET
@requires(Cap.HANDLE_CASES)
def person_detail(request, pk: int):
    person = _load(request, pk)
    if person.pk != pk:
        return redirect("people:detail", pk=person.pk)
    compare = request.GET.get("compare-record", "")
    if compare.isdigit() and len(compare) < 12:
        return redirect("people:merge", pk=person.pk, other=int(compare))
    return _render(request, person)


@require_POST
@requires(Cap.HANDLE_CASES)
def family_add(request, pk: int):
    person = _load(request, pk)
    cases, _elsewhere = selectors.person_cases(user=request.user, person=person)
    records = selectors.child_persons_visible_to(user=request.user)
    form = FamilyAddForm(request.POST, prefix="family", known=_known_people(person, cases), records=records)
    if form.is_valid():
        try:
            person_services.family_link_add(
                actor=request.user, person=person, ip=client_ip(request), **form.service_kwargs()
            )
        except ValidationError as error:
            apply_service_error(
                form, error, field_map={"relative": "relative" if "relative" in form.fields else "record"}
            )
        else:
            messages.success(request, _("The family member was added."))
            return redirect(reverse("people:detail", args=[person.pk]) + "#family")
    return _render(request, person, family_form=form, status=400)


@require_POST
@requires(Cap.HANDLE_CASES)
def family_remove(request, pk: int, link_pk: int):
    person = _load(request, pk)
    link = get_object_or_404(FamilyLink.objects.filter(Q(person=person) | Q(relative=person)), pk=link_pk)
    person_services.family_link_remove(actor=request.user, link=link, ip=client_ip(request))
    messages.success(request, _("The family link was removed."))
    return redirect(reverse("people:detail", args=[person.pk]) + "#family")


@never_cache
@require_http_methods(["GET", "POST"])
@requires(Cap.HANDLE_CASES)
def person_merge(request, pk: int, other: int):
    """GET: what merging record ``other`` into this one would do. POST: do it."""
    keep = _load(request, pk)
    found = _load(request, other)
    if keep.pk != pk or found.pk != other:
        return redirect("people:merge", pk=keep.pk, other=found.pk)
    if keep.pk == found.pk:
        messages.info(request, _("This is the same record."))
        return redirect("people:detail", pk=keep.pk)
    plan = person_services.person_merge_plan(keep=keep, other=found)
    allowed = selectors.persons_all_cases_visible(user=request.user, persons=[keep, found])
    form = MergeForm(request.POST or None, prefix="merge")
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        if form.is_valid():
            try:
                person_services.person_merge(
                    actor=request.user,
                    keep=keep,
                    other=found,
                    reason=form.cleaned_data["reason"],
                    ip=client_ip(request),
                )
            except ValidationError as error:
                apply_service_error(form, error, default="reason")
            else:
                messages.success(request, _("The two records are now one."))
                return redirect("people:detail", pk=keep.pk)
    other_cases, _others = selectors.person_cases(user=request.user, person=found)
    keep_cases, _keeps = selectors.person_cases(user=request.user, person=keep)
    context = {
        "keep": keep,
        "other": found,
        "plan": plan,
        "filled": [Person._meta.get_field(name).verbose_name for name in plan.filled],
        "differences": [Person._meta.get_field(name).verbose_name for name in plan.differences],
        "allowed": allowed,
        "form": form,
        "other_cases": other_cases,
        "keep_cases": keep_cases,
        "today": timezone.localdate(),
    }
    return render(request, "cases/people/merge.html", context, status=400 if form.errors else 200)


urlpatterns = [
    path("<int:pk>/", person_detail, name="detail"),
    path("<int:pk>/keluarga/", family_add, name="family_add"),
    path("<int:pk>/keluarga/<int:link_pk>/hapus/", family_remove, name="family_remove"),
    path("<int:pk>/gabung/<int:other>/", person_merge, name="merge"),
]
