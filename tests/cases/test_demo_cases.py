"""Demo cases: `demo_data` adds a few dozen synthetic cases once; `--cases N` adds N more."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.models import AuditEvent, User
from cases import demo
from cases.models import Case, CaseCadre, CaseEvent, Child, Status


@pytest.fixture(autouse=True)
def debug_on(settings):
    settings.DEBUG = True


def demo_data(*args):
    out = StringIO()
    with translation.override("en"):
        call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_few_dozen_cases_over_every_kelurahan(db):
    out = demo_data()
    assert f"Demo cases: {demo.SEED_COUNT} created." in out
    cases = Case.objects.all()
    assert cases.count() == demo.SEED_COUNT
    assert cases.values("kelurahan").distinct().count() == 29
    assert all(n.startswith(demo.DEMO_MARKER) for n in cases.values_list("narrative", flat=True))
    reporters = set(cases.values_list("reported_by__username", flat=True))
    assert {"kader", "kader2", "petugas"} <= reporters
    assert set(cases.values_list("status", flat=True)) == set(Status.values)
    assert cases.filter(escalated_at__isnull=False).exists()
    assert cases.filter(online_prostitution=True).exists() or cases.filter(online=True).exists()


def test_it_moves_the_demo_cases_through_the_real_services(db):
    demo_data()
    closed = Case.objects.filter(status=Status.SELESAI).first()
    kinds = list(closed.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds[0] == CaseEvent.Kind.CREATED
    assert kinds.count(CaseEvent.Kind.STATUS) == 4  # verified, assessment, handled, completed
    assert CaseEvent.Kind.SERVICE in kinds
    assert closed.closure_reason
    assert AuditEvent.objects.filter(action="case.create").count() == demo.SEED_COUNT
    assert AuditEvent.objects.filter(action="case.status", target_id=str(closed.pk)).count() == 4
    kader = User.objects.get(username="kader")
    assert CaseCadre.objects.filter(user=kader, case__reported_by=kader).exists()


def test_it_adds_the_demo_cases_only_once(db):
    demo_data()
    numbers = set(Case.objects.values_list("number", flat=True))
    out = demo_data()
    assert "Demo cases: they exist already, none added." in out
    assert set(Case.objects.values_list("number", flat=True)) == numbers


def test_it_adds_n_more_synthetic_cases_with_unique_numbers(db):
    demo_data()
    demo_data("--cases", "50")
    cases = Case.objects.all()
    assert cases.count() == demo.SEED_COUNT + 50
    numbers = list(cases.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    for year in set(cases.values_list("year", flat=True)):
        sequences = sorted(cases.filter(year=year).values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))
    for case in cases:
        assert 1 <= case.children.count() <= 3
        assert case.perpetrators.count() <= 2
        assert case.violences.exists()
        assert case.events.filter(kind=CaseEvent.Kind.CREATED).count() == 1
        if case.status in (Status.SELESAI, Status.DITUTUP):
            assert case.closure_reason


def test_it_makes_plausible_synthetic_children(db):
    demo_data()
    demo_data("--cases", "50")
    for kid in Child.objects.select_related("case"):
        assert kid.name
        if kid.nik:
            assert len(kid.nik) == 16 and kid.nik.isdigit() and kid.nik.startswith("6171")
        age = (
            (kid.case.reported_at.date() - kid.birth_date).days // 365
            if kid.birth_date
            else kid.estimated_age
        )
        assert 0 <= age <= 17


def test_it_refuses_a_negative_number_of_cases(db):
    with pytest.raises(CommandError):
        demo_data("--cases", "-1")
