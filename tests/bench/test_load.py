"""The bench loader (bench.load): a small build into a scratch database named after the test one, then the
database is checked as the app will use it: proportions, links between the rows, every foreign key,
the id sequences and case numbers past what was loaded, an intake through the real service, and
the bench users' login through the real login page.

PostgreSQL only, like the bench: CI (`.ci/run`) runs the suite on PostgreSQL.
"""

import psycopg2
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench import load

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench loads PostgreSQL only"),
]

N_CASES = 300


_NAMES: dict[str, str] = {}


def _bench_db() -> str:
    """A scratch database named after the test database (never a bench database someone keeps)."""
    return _NAMES.setdefault("bench", f"{connection.settings_dict['NAME']}_load")


def _url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{_bench_db()}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    facts = load.build(
        _url(), N_CASES, seed=7, log=lambda *_: None, fixture_path=tmp_path_factory.mktemp("bench") / "f.json"
    )
    conn = psycopg2.connect(**load._params(_url()))
    conn.autocommit = True
    yield facts, conn.cursor()
    conn.close()
    admin = psycopg2.connect(**{**load._params(_url()), "dbname": "postgres"})
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{_bench_db()}"')
    admin.close()


def one(cursor, sql, params=()):
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def test_it_loads_the_cases_in_realistic_proportions(built):
    facts, cur = built
    assert one(cur, "SELECT count(*) FROM cases_case") == N_CASES == facts["n_cases"]
    children = one(cur, "SELECT count(*) FROM cases_child")
    perpetrators = one(cur, "SELECT count(*) FROM cases_perpetrator")
    events = one(cur, "SELECT count(*) FROM cases_caseevent")
    assert 1.15 < children / N_CASES < 1.45
    assert 0.85 < perpetrators / N_CASES < 1.35
    assert 5 < events / N_CASES < 10
    opened = one(cur, "SELECT count(*) FROM cases_case WHERE status NOT IN ('selesai', 'ditutup')")
    assert 0.04 < opened / N_CASES < 0.18
    assert one(cur, "SELECT count(DISTINCT extract(year FROM reported_at)) FROM cases_case") >= 5
    # Escalations only for part of the old cases: the open cases of the last half year were never swept.
    assert one(cur, "SELECT count(*) FROM cases_escalation") > 0
    assert (
        one(
            cur,
            """SELECT count(*) FROM cases_escalation e JOIN cases_case c ON c.id = e.case_id
               WHERE c.reported_at > now() - interval '180 days'""",
        )
        == 0
    )
    assert one(cur, "SELECT count(*) FROM accounts_user WHERE role = 'kader'") == 5_000
    assert one(cur, "SELECT count(*) FROM cadres_cadre WHERE user_id IS NOT NULL") == 5_000
    assert one(cur, "SELECT count(DISTINCT kelurahan_id) FROM cadres_cadre") == 29
    assert one(cur, "SELECT count(*) FROM kelurahan_kecamatan") == 6
    # The inactive-cadre job has work: active cadres silent for more than 90 days, not yet flagged.
    assert (
        one(
            cur,
            """SELECT count(*) FROM cadres_cadre WHERE status = 'aktif' AND inactive_since IS NULL
               AND last_activity_at < now() - interval '90 days'""",
        )
        > 100
    )
    assert facts["kader_cases"] == one(
        cur,
        """SELECT count(*) FROM (SELECT c.id FROM cases_case c JOIN accounts_user u ON u.id = c.reported_by_id
           WHERE u.username = 'bench-kader' UNION SELECT cc.case_id FROM cases_casecadre cc
           JOIN accounts_user u ON u.id = cc.user_id WHERE u.username = 'bench-kader') x""",
    )
    assert facts["kader_cases"] >= 1
    assert one(cur, "SELECT count(*) FROM cases_case WHERE number = %s", [facts["case_number"]]) == 1
    assert (
        one(
            cur,
            "SELECT count(*) FROM cases_person WHERE upper(name) LIKE upper(%s)",
            [f"%{facts['child_search']}%"],
        )
        == (facts["child_search_matches"])
    )


def test_every_case_has_children_and_every_link_points_back(built):
    _facts, cur = built
    assert (
        one(
            cur,
            """SELECT count(*) FROM cases_case c
               WHERE NOT EXISTS (SELECT 1 FROM cases_child h WHERE h.case_id = c.id)""",
        )
        == 0
    )
    # A pair is of a child and a perpetrator of the same case.
    assert (
        one(
            cur,
            """SELECT count(*) FROM cases_victimperpetrator vp JOIN cases_child h ON h.id = vp.child_id
               JOIN cases_perpetrator p ON p.id = vp.perpetrator_id WHERE h.case_id <> p.case_id""",
        )
        == 0
    )
    # Each child has each perpetrator of its case, and its case's violence types.
    assert (
        one(
            cur,
            """SELECT count(*) FROM cases_child h JOIN cases_perpetrator p ON p.case_id = h.case_id
               WHERE NOT EXISTS (SELECT 1 FROM cases_victimperpetrator vp
                                 WHERE vp.child_id = h.id AND vp.perpetrator_id = p.id)""",
        )
        == 0
    )
    assert (
        one(
            cur,
            """SELECT count(*) FROM cases_child h
               WHERE NOT EXISTS (SELECT 1 FROM cases_childviolence v WHERE v.child_id = h.id)""",
        )
        == 0
    )
    # Some children are in two cases within a year: the repeat rule has work.
    assert (
        one(cur, "SELECT count(*) FROM (SELECT person_id FROM cases_child GROUP BY 1 HAVING count(*) > 1) x")
        >= 1
    )
    # Every foreign key holds (they were not checked while loading).
    cur.execute(
        """SELECT c.conrelid::regclass, a.attname, c.confrelid::regclass, af.attname
           FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
           JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
           WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1"""
    )
    broken = []
    for table, column, target, target_column in cur.fetchall():
        missing = one(
            cur,
            f'SELECT count(*) FROM {table} t WHERE t."{column}" IS NOT NULL AND NOT EXISTS '  # noqa: S608
            f'(SELECT 1 FROM {target} r WHERE r."{target_column}" = t."{column}")',  # catalogue names
        )
        if missing:
            broken.append(f"{table}.{column}: {missing}")
    assert broken == []


def test_the_sequences_and_case_numbers_are_past_what_was_loaded(built):
    _facts, cur = built
    cur.execute(
        """SELECT c.relname, pg_get_serial_sequence(quote_ident(c.relname), 'id') FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id'
           WHERE c.relkind = 'r'"""
    )
    for table, sequence in cur.fetchall():
        if sequence is None:
            continue
        top = one(cur, f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - a catalogue name
        assert one(cur, "SELECT nextval(%s)", [sequence]) > top, table
    cur.execute("SELECT year, last FROM cases_casenumbersequence")
    for year, last in cur.fetchall():
        assert one(cur, "SELECT max(sequence) FROM cases_case WHERE year = %s", [year]) == last
    assert one(cur, "SELECT count(*) FROM cases_case") == one(
        cur, "SELECT sum(last) FROM cases_casenumbersequence"
    )


@pytest.fixture
def on_bench_db(built, django_db_blocker):
    """The ORM on the bench database for the length of a test (committed, as the app would)."""
    name = connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict["NAME"] = _bench_db()
        ContentType.objects.clear_cache()
        try:
            yield built[0]
        finally:
            connection.close()
            connection.settings_dict["NAME"] = name
            ContentType.objects.clear_cache()


def test_an_intake_after_the_load_gets_a_new_number(on_bench_db):
    from accounts.models import User
    from cases import services
    from cases.models import Case, CaseNumberSequence
    from kelurahan.models import Kelurahan

    petugas = User.objects.get(username=on_bench_db["users"]["petugas"])
    year = timezone.localdate().year
    before = CaseNumberSequence.objects.filter(year=year).values_list("last", flat=True).first() or 0
    case = services.case_create(
        actor=petugas,
        violence_types=["fisik"],
        children=[services.ChildData(name="Anak Uji Bench", sex="L", estimated_age=9)],
        incident_date=timezone.localdate(),
        place_type="rumah_tangga",
        kelurahan=Kelurahan.objects.order_by("code").first(),
        narrative="Uji setelah pemuatan bench.",
        source="hotline",
        family_informed=True,
    )
    assert case.sequence == before + 1
    assert Case.objects.filter(number=case.number).count() == 1
    assert case.pk == Case.objects.order_by("-pk").values_list("pk", flat=True).first()


@pytest.mark.parametrize("role", ["petugas", "petugas_kecamatan", "kader", "kpad", "admin"])
def test_the_bench_users_log_in_through_the_login_page(on_bench_db, role, settings):
    settings.SIGAP_REQUIRE_2FA = False  # as the harness runs it
    response = Client().post(
        reverse("accounts:login"),
        {"username": on_bench_db["users"][role], "password": on_bench_db["password"]},
    )
    assert response.status_code == 302, response.content[:500]
    assert response.url != reverse("accounts:login")
