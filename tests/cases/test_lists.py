"""Case lists: who sees which list, every filter, the search (number, NIK, name) without child
data in URLs, masked children, flat query counts, newer/older paging, and the start pages."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cases import services
from cases.links import case_url
from cases.models import Case, Child, Person
from cases.services import ChildData
from cases.views import lists
from tests import factories as f

WIB = zoneinfo.ZoneInfo("Asia/Pontianak")
LIST, MINE, ESCALATED = "cases:list", "cases:mine", "cases:escalated"
WHO = ["alice", "bob", "bella", "charlie", "carol", "dave", "anonymous"]
EXPECTED = {
    LIST: {"anonymous": 302, "bob": 200, "bella": 200, "*": 403},
    MINE: {"anonymous": 302, "charlie": 200, "carol": 200, "*": 403},
    ESCALATED: {"anonymous": 302, "dave": 200, "*": 403},
}
NIK_A = "6171064203140001"
NIK_B = "6171040101120002"


@pytest.fixture
def as_user(client, everyone):
    def login(who):
        if who != "anonymous":
            client.force_login(everyone[who])
        return client

    return login


def child(name="Anak Uji", nik="", born=dt.date(2014, 3, 2), sex="P"):
    return ChildData(name=name, sex=sex, birth_date=born, nik=nik)


def escalate(case):
    Case.objects.filter(pk=case.pk).update(escalated_at=timezone.now())
    case.refresh_from_db()
    return case


def numbers(response):
    return [row.number for row in response.context["rows"]]


@pytest.fixture
def cases(everyone):
    """Charlie's in Bansir Laut, carol's in Siantan Hulu (Pontianak Utara), bob's in Bansir Darat."""
    bob, charlie, carol = everyone["bob"], everyone["charlie"], everyone["carol"]
    return {
        "charlie": f.make_case(actor=charlie, children=[child("Qisthi Zulvanya Aisyahrani", NIK_A)]),
        "carol": f.make_case(
            actor=carol,
            children=[child("Budiqarno Santosoputra", NIK_B, born=dt.date(2012, 1, 1), sex="L")],
            violence_types=["seksual", "eksploitasi"],
            online=True,
            online_prostitution=True,
            risk="tinggi",
        ),
        "bob": f.make_case(
            actor=bob,
            kelurahan=f.kelurahan(f.BANSIR_DARAT),
            children=[child("Rahmatullahi Hidayatno", born=dt.date(2010, 6, 1), sex="L")],
            violence_types=["penelantaran"],
            risk="kritis",
        ),
    }


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_answers_each_list_for_each_role_as_the_table_says(as_user, name, who):
    url = reverse(name)
    expected = EXPECTED[name].get(who, EXPECTED[name]["*"])
    response = as_user(who).get(url)
    assert response.status_code == expected, f"{who} GET {url}"
    if expected == 302:
        assert response.url == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize(("name", "who"), [(LIST, "bob"), (MINE, "charlie"), (ESCALATED, "dave")])
def test_it_refuses_wrong_methods(as_user, name, who):
    client = as_user(who)
    assert client.put(reverse(name)).status_code == 405
    assert client.delete(reverse(name)).status_code == 405
    if name != LIST:  # the petugas list takes a POSTed search; the others are read-only
        assert client.post(reverse(name)).status_code == 405


def test_it_shows_a_city_wide_petugas_every_case_newest_first(as_user, cases):
    response = as_user("bob").get(reverse(LIST))
    assert numbers(response) == [cases["bob"].number, cases["carol"].number, cases["charlie"].number]


def test_it_shows_bella_only_the_cases_of_her_kecamatan(as_user, cases):
    response = as_user("bella").get(reverse(LIST))
    assert numbers(response) == [cases["carol"].number]
    assert cases["charlie"].number not in response.content.decode()


def test_it_shows_a_kader_only_the_cases_they_reported_or_accompany(as_user, everyone, cases):
    services.case_assign_cadre(actor=everyone["bob"], case=cases["bob"], cadre=everyone["charlie"])
    response = as_user("charlie").get(reverse(MINE))
    assert response.status_code == 200
    assert sorted(numbers(response)) == sorted([cases["charlie"].number, cases["bob"].number])
    html = response.content.decode()
    assert cases["carol"].number not in html
    assert 'data-testid="report-case"' in html


def test_it_puts_a_kaders_open_cases_before_the_closed_ones(as_user, everyone, cases):
    newer = f.make_case(actor=everyone["charlie"])
    services.case_change_status(actor=everyone["bob"], case=newer, to="ditutup", closure_reason="duplikat")
    response = as_user("charlie").get(reverse(MINE))
    assert numbers(response) == [cases["charlie"].number, newer.number]


def test_it_shows_kpad_only_the_escalated_cases(as_user, cases):
    escalate(cases["carol"])
    response = as_user("dave").get(reverse(ESCALATED))
    assert numbers(response) == [cases["carol"].number]
    assert 'data-testid="escalated"' in response.content.decode()


def test_it_links_each_row_to_the_case_page(as_user, cases):
    html = as_user("bob").get(reverse(LIST)).content.decode()
    number = cases["charlie"].number
    assert f'href="{case_url(number)}"' in html
    assert case_url(number) == f"/kasus/{number}/"


# --- Filters ------------------------------------------------------------------------------------


def test_it_filters_by_status(as_user, everyone, cases):
    services.case_change_status(actor=everyone["bob"], case=cases["carol"], to="diverifikasi")
    response = as_user("bob").get(reverse(LIST), {"status": "diverifikasi"})
    assert numbers(response) == [cases["carol"].number]
    response = as_user("bob").get(reverse(LIST), {"status": "dilaporkan"})
    assert sorted(numbers(response)) == sorted([cases["bob"].number, cases["charlie"].number])


def test_it_filters_by_type_of_violence(as_user, cases):
    response = as_user("bob").get(reverse(LIST), {"jenis": "eksploitasi"})
    assert numbers(response) == [cases["carol"].number]
    response = as_user("bob").get(reverse(LIST), {"jenis": "fisik"})
    assert numbers(response) == [cases["charlie"].number]


def test_it_filters_by_kecamatan_and_by_kelurahan(as_user, cases):
    tenggara = f.kecamatan(f.PONTIANAK_TENGGARA)
    response = as_user("bob").get(reverse(LIST), {"kecamatan": tenggara.pk})
    assert sorted(numbers(response)) == sorted([cases["bob"].number, cases["charlie"].number])
    response = as_user("bob").get(reverse(LIST), {"kelurahan": f.kelurahan(f.BANSIR_DARAT).pk})
    assert numbers(response) == [cases["bob"].number]


def test_it_offers_bella_only_the_kelurahan_of_her_kecamatan(as_user, cases):
    response = as_user("bella").get(reverse(LIST), {"kelurahan": f.kelurahan(f.BANSIR_LAUT).pk})
    assert "kelurahan" in response.context["filter_form"].errors
    assert numbers(response) == []
    choices = response.context["filter_form"].fields["kelurahan"].queryset
    assert {k.kecamatan.code for k in choices} == {f.PONTIANAK_UTARA}


def test_it_filters_by_risk(as_user, cases):
    response = as_user("bob").get(reverse(LIST), {"risk": "kritis"})
    assert numbers(response) == [cases["bob"].number]


def test_it_filters_by_period_in_pontianak_time(as_user, everyone):
    bob = everyone["bob"]
    late = f.make_case(actor=bob, now=dt.datetime(2026, 3, 10, 23, 30, tzinfo=WIB))
    early = f.make_case(actor=bob, now=dt.datetime(2026, 3, 11, 0, 10, tzinfo=WIB))
    f.make_case(actor=bob, now=dt.datetime(2026, 3, 20, 9, 0, tzinfo=WIB))
    response = as_user("bob").get(reverse(LIST), {"date_from": "2026-03-11", "date_to": "2026-03-11"})
    assert numbers(response) == [early.number]
    response = as_user("bob").get(reverse(LIST), {"date_to": "2026-03-10"})
    assert numbers(response) == [late.number]


def test_it_refuses_a_period_that_ends_before_it_starts(as_user, cases):
    response = as_user("bob").get(reverse(LIST), {"date_from": "2026-03-11", "date_to": "2026-03-01"})
    assert response.status_code == 200
    assert "date_to" in response.context["filter_form"].errors
    assert 'class="invalid-feedback"' in response.content.decode()


def test_it_filters_by_case_worker(as_user, everyone, cases):
    services.case_change_status(actor=everyone["bob"], case=cases["charlie"], to="diverifikasi")
    response = as_user("bob").get(reverse(LIST), {"worker": everyone["bob"].pk})
    assert numbers(response) == [cases["charlie"].number]


def test_it_filters_by_escalation(as_user, cases):
    escalate(cases["bob"])
    response = as_user("bob").get(reverse(LIST), {"escalated": "1"})
    assert numbers(response) == [cases["bob"].number]
    response = as_user("bob").get(reverse(LIST), {"escalated": "0"})
    assert sorted(numbers(response)) == sorted([cases["carol"].number, cases["charlie"].number])


def test_it_filters_online_prostitution(as_user, cases):
    response = as_user("bob").get(reverse(LIST), {"online_prostitution": "on"})
    assert numbers(response) == [cases["carol"].number]


# --- Search: POSTed, kept in the session, never in the URL --------------------------------------


def search(client, q, query=""):
    response = client.post(reverse(LIST) + (f"?{query}" if query else ""), {"q": q})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize(
    ("q", "who"),
    [
        ("Qisthi", "charlie"),
        ("zulvanya ais", "charlie"),
        ("SANTOSOPUTRA", "carol"),
        (NIK_A, "charlie"),
        (NIK_B, "carol"),
    ],
)
def test_it_searches_by_child_name_or_nik_without_putting_them_in_the_url(as_user, cases, q, who):
    client = as_user("bob")
    response = search(client, q)
    assert q.lower() not in response.url.lower()
    assert re.fullmatch(r"/kasus/\?s=[\w-]{6,12}", response.url)
    listed = client.get(response.url)
    assert numbers(listed) == [cases[who].number]


def test_it_searches_by_exact_number_and_by_its_beginning(as_user, everyone, cases):
    client = as_user("bob")
    number = cases["carol"].number
    assert numbers(client.get(search(client, number).url)) == [number]
    assert numbers(client.get(search(client, number.lower()).url)) == [number]
    year = timezone.localdate().year
    assert len(numbers(client.get(search(client, f"SGP-{year}-0000").url))) == 3
    assert numbers(client.get(search(client, f"SGP-{year - 1}").url)) == []


def test_it_keeps_the_filters_when_searching(as_user, cases):
    client = as_user("bob")
    response = search(client, "Santosoputra", query="risk=tinggi")
    assert response.url.startswith("/kasus/?risk=tinggi&s=")
    assert numbers(client.get(response.url)) == [cases["carol"].number]
    response = search(client, "Santosoputra", query="risk=rendah")
    assert numbers(client.get(response.url)) == []


def test_it_searches_only_within_the_users_area(as_user, cases):
    client = as_user("bella")
    assert numbers(client.get(search(client, NIK_A).url)) == []


def test_it_refuses_a_too_short_name_or_a_wrong_nik_at_the_field(as_user, cases):
    client = as_user("bob")
    for q in ("Si", "61710642031400"):
        response = client.post(reverse(LIST), {"q": q})
        assert response.status_code == 200
        assert "q" in response.context["search_form"].errors
        assert f'value="{q}"' in response.content.decode()  # what was typed stays


def test_it_clears_the_search_with_an_empty_box(as_user, cases):
    client = as_user("bob")
    response = client.post(reverse(LIST) + "?status=dilaporkan", {"q": ""})
    assert response.url == "/kasus/?status=dilaporkan"


def test_it_ignores_an_unknown_search_token_and_says_so(as_user, cases):
    client = as_user("bob")
    with translation.override("en"):
        response = client.get(reverse(LIST), {"s": "tidakada"})
    assert len(numbers(response)) == 3
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Pencarian itu sudah kedaluwarsa. Silakan cari lagi."
    ]


def test_it_does_not_share_a_search_token_between_users(client, everyone, cases):
    client.force_login(everyone["bob"])
    url = search(client, "Qisthi").url
    client.force_login(everyone["bella"])
    assert len(numbers(client.get(url))) == 1  # bella's own (unsearched) list, not bob's search


# --- Privacy: initials and age only -------------------------------------------------------------


def test_it_shows_children_only_as_initials_and_age(as_user, everyone, cases):
    escalate(cases["charlie"])
    pages = [
        as_user("bob").get(reverse(LIST)),
        as_user("charlie").get(reverse(MINE)),
        as_user("dave").get(reverse(ESCALATED)),
        as_user("charlie").get(reverse("start:kader")),
    ]
    for response in pages:
        html = response.content.decode()
        for secret in (
            "Qisthi",
            "Aisyahrani",
            "Budiqarno",
            "Santosoputra",
            "Rahmatullahi",
            NIK_A,
            NIK_B,
            "Anak Uji",
        ):
            assert secret not in html, (response.request["PATH_INFO"], secret)
    row = next(r for r in pages[0].context["rows"] if r.number == cases["charlie"].number)
    assert [(c.initials, c.age) for c in row.children] == [
        (
            "Q.Z.A.",
            Person(name="", sex="P", birth_date=dt.date(2014, 3, 2)).age_on(cases["charlie"].incident_date),
        )
    ]
    assert "Q.Z.A." in pages[0].content.decode()


def test_a_childs_age_is_from_the_birth_date_else_the_estimated_year_and_never_negative():
    assert Person(name="x", sex="L", birth_year=2017).age_on(dt.date(2026, 5, 1)) == 9
    assert Person(name="x", sex="L").age_on(dt.date(2026, 5, 1)) is None
    born = Person(name="x", sex="L", birth_date=dt.date(2016, 5, 2))
    assert born.age_on(dt.date(2026, 5, 1)) == 9
    assert born.age_on(dt.date(2026, 5, 2)) == 10
    assert born.age_on(dt.date(2016, 1, 1)) == 0
    assert Child(person=born).age_on(dt.date(2026, 5, 2)) == 10


# --- Speed: flat query counts, no COUNT, newer/older --------------------------------------------


def _queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return ctx.captured_queries


@pytest.mark.parametrize(("name", "who"), [(LIST, "bob"), (MINE, "charlie"), (ESCALATED, "dave")])
def test_it_keeps_the_query_count_flat_and_never_counts(
    as_user, everyone, name, who, django_assert_max_num_queries
):
    client = as_user(who)

    def add(n):
        for i in range(n):
            case = f.make_case(
                actor=everyone["charlie"],
                children=[child(f"Anak Nomor{i}"), child(f"Kakak Nomor{i}")],
                perpetrators=[services.PerpetratorData(relation="tetangga")],
                violence_types=["fisik", "psikis"],
            )
            services.case_change_status(actor=everyone["bob"], case=case, to="diverifikasi")
            escalate(case)

    add(2)
    few = _queries(client, reverse(name))
    add(8)
    many = _queries(client, reverse(name))
    assert len(many) == len(few)
    assert not any("COUNT(" in q["sql"].upper() for q in many)
    with django_assert_max_num_queries(9):
        client.get(reverse(name))


def test_it_pages_by_newer_and_older(as_user, everyone, monkeypatch):
    monkeypatch.setattr(lists, "PAGE_SIZE", 3)
    made = [f.make_case(actor=everyone["bob"]).number for _ in range(7)]
    client = as_user("bob")
    first = client.get(reverse(LIST), {"risk": "sedang"})
    assert numbers(first) == made[::-1][:3]
    assert first.context["has_next"] and not first.context["has_previous"]
    html = first.content.decode()
    assert 'href="?risk=sedang&amp;page=2"' in html
    assert 'rel="prev"' not in html
    last = client.get(reverse(LIST), {"risk": "sedang", "page": "3"})
    assert numbers(last) == [made[0]]
    assert last.context["has_previous"] and not last.context["has_next"]
    assert numbers(client.get(reverse(LIST), {"page": "x"})) == made[::-1][:3]


# --- Start pages --------------------------------------------------------------------------------


def test_it_shows_a_kader_their_open_cases_and_the_report_button(as_user, everyone, cases):
    made = [f.make_case(actor=everyone["charlie"]).number for _ in range(3)]
    closed = f.make_case(actor=everyone["charlie"])
    services.case_change_status(actor=everyone["bob"], case=closed, to="ditutup", closure_reason="duplikat")
    response = as_user("charlie").get(reverse("start:kader"))
    assert response.context["open_count"] == 4
    assert [r.number for r in response.context["latest_cases"]] == made[::-1]
    html = response.content.decode()
    assert 'data-testid="report-case"' in html
    assert f'href="{reverse(MINE)}"' in html
    assert cases["carol"].number not in html


def test_it_shows_a_petugas_the_cases_of_their_area_by_status(as_user, everyone, cases):
    services.case_change_status(actor=everyone["bob"], case=cases["carol"], to="diverifikasi")
    counts = {
        c["status"]: c["count"] for c in as_user("bob").get(reverse("start:petugas")).context["status_counts"]
    }
    assert counts["dilaporkan"] == 2 and counts["diverifikasi"] == 1 and counts["selesai"] == 0
    response = as_user("bella").get(reverse("start:petugas"))
    counts = {c["status"]: c["count"] for c in response.context["status_counts"]}
    assert counts["dilaporkan"] == 0 and counts["diverifikasi"] == 1
    assert f'href="{reverse(LIST)}?status=diverifikasi"' in response.content.decode()


def test_it_counts_the_status_in_one_query(as_user, cases):
    with CaptureQueriesContext(connection) as ctx:
        as_user("bob").get(reverse("start:petugas"))
    # (The start page's "My tasks" reads cases_casetask, scoped by the cases: not a count.)
    counted = [
        q for q in ctx.captured_queries if "cases_case" in q["sql"] and "cases_casetask" not in q["sql"]
    ]
    assert len(counted) == 1


def test_it_shows_kpad_the_number_of_escalated_cases(as_user, cases):
    escalate(cases["carol"])
    escalate(cases["bob"])
    response = as_user("dave").get(reverse("start:kpad"))
    assert response.context["escalated_count"] == 2
    assert f'href="{reverse(ESCALATED)}"' in response.content.decode()
