"""The repeat rule's query at a realistic shape, on PostgreSQL: each child is looked up by an
index, never by a sequential scan repeated per child (issue 12: at 200,000 cases the name-based
rule of then probed every child through an index that did not fit, ~45 minutes).

The rule now goes by the child's Person record (cases/escalation.py), so the index it needs is on
Child.person: the foreign key's own index and ``cases_child_person_case_idx`` both serve it, and
the other case is found by its primary key. The ``(birth_date, lower(name))`` index issue 12
proposed was for the name-based rule and would serve nothing now."""

import json

import pytest
from django.db import connection
from django.utils import timezone

from cases.escalation import rule_cases
from cases.models import Case, Child, Person
from tests.factories import make_case

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL's planner")

CASES = 4000
# The tables the rule reads per child (the other case of the same person, and its date).
PROBED = {"cases_child", "cases_person", "cases_case"}


def clone(model, source_pk: int, n: int, overrides: dict[str, str]) -> None:
    """n copies of one row, in one INSERT … SELECT; ``overrides`` are SQL over g (1…n)."""
    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields if f.column != "id"]
    values = [overrides.get(c, f'src."{c}"') for c in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(chr(34) + c + chr(34) for c in columns)}) "  # noqa: S608
            f"SELECT {', '.join(values)} FROM {table} src, generate_series(1, %s) g WHERE src.id = %s",
            [n, source_pk],
        )


def many_cases(bob) -> None:
    """CASES cases over the last two years, one child each; every tenth child is in two cases."""
    case = make_case(actor=bob)
    child = case.children.get()
    clone(
        Case,
        case.pk,
        CASES,
        {
            "number": "'T-' || g",
            "sequence": "100000 + g",
            "reported_at": "now() - (g %% 730) * interval '1 day'",
            "last_activity_at": "now()",
        },
    )
    clone(Person, child.person_id, CASES, {"name": "'Anak Sintetis ' || g", "nik": "''"})
    with connection.cursor() as cursor:
        # One child row per cloned case, its person the g-th clone; every tenth person twice.
        cursor.execute(
            """
            WITH c AS (SELECT id, row_number() OVER (ORDER BY id) AS g FROM cases_case
                       WHERE number LIKE 'T-%%'),
                 p AS (SELECT id, row_number() OVER (ORDER BY id) AS g FROM cases_person
                       WHERE name LIKE 'Anak Sintetis %%')
            SELECT c.id, p.id FROM c JOIN p ON p.g = CASE WHEN c.g %% 10 = 0 THEN c.g - 1 ELSE c.g END
            """,
            [],
        )
        pairs = cursor.fetchall()
    Child.objects.bulk_create(
        [Child(case_id=c, person_id=p, school_level=child.school_level) for c, p in pairs], batch_size=2000
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case, cases_child, cases_person, cases_escalation")


def repeated_seq_scans(node: dict, repeated: bool = False) -> list[str]:
    """Sequential scans of the probed tables that run once per outer row: anywhere under the
    inner side of a nested loop (a materialised set included: it is rescanned per row), or in
    a subplan."""
    found = []
    if repeated and node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in PROBED:
        found.append(f"{node['Relation Name']} ({node.get('Alias')})")
    for sub in node.get("Plans", []):
        inner = node.get("Node Type") == "Nested Loop" and sub.get("Parent Relationship") == "Inner"
        found += repeated_seq_scans(sub, repeated or inner or sub.get("Parent Relationship") == "SubPlan")
    return found


def plan_of_the_repeat_rule(*settings: str) -> dict:
    sql, params = (
        rule_cases("repeat", now=timezone.now()).values_list("pk", flat=True).query.sql_with_params()
    )
    with connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting}")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        [row] = cursor.fetchall()
    plan = row[0] if isinstance(row[0], list) else json.loads(row[0])
    return plan[0]["Plan"]


def test_the_repeat_rule_looks_each_child_up_by_an_index(bob):
    many_cases(bob)
    # As the planner likes it (here: hash joins, one pass over the children)...
    plan = plan_of_the_repeat_rule()
    assert repeated_seq_scans(plan) == [], json.dumps(plan, indent=1)
    # ... and as it must do at a scale where it loops over the cases (issue 12: nested loops at
    # 200,000 cases): the child looked up by its person through an index, not a scan per child.
    loops = ("enable_hashjoin = off", "enable_mergejoin = off")
    plan = plan_of_the_repeat_rule(*loops)
    assert repeated_seq_scans(plan) == [], json.dumps(plan, indent=1)
    assert "Index Cond" in json.dumps(plan) and "person_id" in json.dumps(plan)


def test_without_the_indexes_by_person_the_check_finds_the_scan_per_child(bob):
    # The check above can fail: take away the indexes that serve the lookup by person (inside
    # the test's transaction) and the same plan scans the children once per child.
    many_cases(bob)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'cases_child' AND indexdef LIKE %s",
            ["%(person_id%"],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("ANALYZE cases_child")
    plan = plan_of_the_repeat_rule("enable_hashjoin = off", "enable_mergejoin = off")
    assert repeated_seq_scans(plan), json.dumps(plan, indent=1)
