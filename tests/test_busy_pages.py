"""Issue 12, item 4: every busy page costs the same number of queries with few and with many
cases (no N+1, nothing per row), each as the role that uses it. `make bench` measures the same
pages at 200,000 and 1,000,000 cases; this keeps the property in the normal suite.

The data grows between the two measurements in every dimension a page reads: cases with two
children, perpetrators, several kinds of violence, services, a cadre accompanying, escalations
(overdue and recent), cadres on the roster with activity."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Escalation
from tests import factories as f
from tests.cases.test_intake import REPORT, report_data

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year
THIS_MONTH = timezone.localdate().month


def child(name):
    return services.ChildData(name=name, sex="P", birth_date=dt.date(2015, 5, 5))


@pytest.fixture
def grow(everyone):
    bob, charlie, carol = everyone["bob"], everyone["charlie"], everyone["carol"]
    made = {"n": 0}

    def add(n):
        for _ in range(n):
            i = made["n"] = made["n"] + 1
            case = f.make_case(
                actor=charlie if i % 2 else carol,
                kelurahan=f.kelurahan(f.BANSIR_LAUT if i % 2 else f.SIANTAN_HULU),
                children=[child(f"Anak Nomor{i}"), child(f"Kakak Nomor{i}")],
                perpetrators=[services.PerpetratorData(relation="tetangga", sex="L", age=30)],
                violence_types=["fisik", "psikis"],
            )
            services.case_change_status(actor=bob, case=case, to="diverifikasi")
            services.case_add_service(
                actor=bob, case=case, service_type="kesehatan", provider="RSUD", date=timezone.localdate()
            )
            services.case_assign_cadre(actor=bob, case=case, cadre=carol if i % 2 else charlie)
            opened = timezone.now() - dt.timedelta(days=10 if i % 3 else 0)
            Escalation.objects.create(case=case, rule="manual", reason="uji", opened_at=opened)
            case.escalated_at = opened
            case.save(update_fields=["escalated_at"])
            f.KaderFactory(username=f"kader-{i}", kelurahan=f.kelurahan(f.BANSIR_LAUT))

    return add


def _case_number(world):
    from cases.models import Case

    return Case.objects.order_by("pk").values_list("number", flat=True).first()


def _search(client):
    response = client.post(reverse("cases:list"), {"q": "Nomor1"})
    assert response.status_code == 302
    return client.get(response.url)


PAGES = {
    # name: (who, how to load it)
    "case_list": ("bob", lambda c: c.get(reverse("cases:list"))),
    "case_list_filtered": (
        "bob",
        lambda c: c.get(reverse("cases:list"), {"status": "diverifikasi", "risk": "sedang"}),
    ),
    "case_list_search": ("bob", _search),
    "case_page": ("bob", lambda c: c.get(reverse("cases:detail", args=[_case_number(None)]))),
    "kader_my_cases": ("charlie", lambda c: c.get(reverse("cases:mine"))),
    "kpad_queue": ("dave", lambda c: c.get(reverse("cases:kpad_queue"))),
    "dashboard_city": ("bob", lambda c: c.get(reverse("reports:dashboard"))),
    "dashboard_kecamatan": ("bella", lambda c: c.get(reverse("reports:dashboard"))),
    "recap_month": (
        "bob",
        lambda c: c.get(
            reverse("reports:recap"), {"period": "month", "month": THIS_MONTH, "year": THIS_YEAR}
        ),
    ),
    "recap_year": ("bob", lambda c: c.get(reverse("reports:recap"), {"period": "year", "year": THIS_YEAR})),
    "recap_year_xlsx": (
        "bob",
        lambda c: c.get(reverse("reports:recap_xlsx"), {"period": "year", "year": THIS_YEAR}),
    ),
    "cadre_overview": ("bob", lambda c: c.get(reverse("cadres:overview"))),
    "cadre_roster": ("bob", lambda c: c.get(reverse("cadres:list"))),
}


def _queries(client, load) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = load(client)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_busy_page_costs_the_same_queries_with_few_and_many_cases(client_for, everyone, grow, page):
    who, load = PAGES[page]
    client = client_for(everyone[who])
    grow(2)
    load(client)  # warm: the session and per-process caches
    few = _queries(client, load)
    grow(9)
    many = _queries(client, load)
    assert many == few, f"{page}: {few} queries with 2 cases, {many} with 11"


def test_the_intake_post_costs_the_same_queries_with_few_and_many_cases(client_for, everyone, grow):
    charlie = everyone["charlie"]
    client = client_for(charlie)

    def post(n):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                REPORT,
                report_data(charlie.kelurahan_id, **{"children-0-nik": "", "children-0-name": f"Uji {n}"}),
            )
        assert response.status_code == 302, response.status_code
        return len(captured.captured_queries)

    grow(2)
    post(0)
    few = post(1)
    grow(9)
    many = post(2)
    assert many == few, f"intake: {few} queries with few cases, {many} with many"
