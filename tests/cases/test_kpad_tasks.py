"""KPAD's reminders and daily digest, with time frozen: one message per commissioner per run,
an escalation reminded once a day, a digest once a day and only when there is something to
report; case numbers only, a fixed number of queries whatever the number of escalations."""

import datetime as dt
import threading
import zoneinfo

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification
from cases import kpad_services, tasks
from cases.models import Escalation
from tests import factories as f
from tests.cases.test_kpad import CHILD_NAME, CHILD_NIK, make_escalated_case

pytestmark = pytest.mark.django_db

WIB = zoneinfo.ZoneInfo("Asia/Pontianak")
MORNING = dt.datetime(2026, 3, 10, 8, 0, tzinfo=WIB)


@pytest.fixture
def frozen():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def commissioners(dave):
    other = f.KpadFactory(username="erna")
    f.KpadFactory(username="retired", is_active=False)
    return [dave, other]


def reminders():
    return Notification.objects.filter(kind=kpad_services.REMINDER_KIND)


def digests():
    return Notification.objects.filter(kind=kpad_services.DIGEST_KIND)


# --- Reminders ---------------------------------------------------------------------------------------


def test_overdue_escalations_are_reminded_in_one_message_per_commissioner(
    frozen, commissioners, charlie, settings
):
    settings.SIGAP_KPAD_ACKNOWLEDGE_DAYS = 3
    first = make_escalated_case(charlie, days_ago=4)
    second = make_escalated_case(charlie, days_ago=6)
    make_escalated_case(charlie, days_ago=1)  # not yet due
    make_escalated_case(charlie, days_ago=9, state="acknowledged")  # KPAD is on it
    make_escalated_case(charlie, days_ago=9, state="resolved")

    run = kpad_services.kpad_send_reminders()

    assert run.escalations == 2 and run.recipients == 2
    assert {n.user.username for n in reminders()} == {"dave", "erna"}
    for note in reminders():
        assert first.case.number in note.display_body and second.case.number in note.display_body
        assert CHILD_NAME not in note.display_title + note.display_body and CHILD_NIK not in note.display_body
        assert note.url.startswith("/kasus/kpad/")
    first.refresh_from_db()
    assert first.last_reminded_at == MORNING


def test_reminders_are_sent_once_a_day_per_escalation(frozen, commissioners, charlie):
    overdue = make_escalated_case(charlie, days_ago=5)

    kpad_services.kpad_send_reminders()
    frozen.shift(dt.timedelta(hours=6))
    again = kpad_services.kpad_send_reminders()

    assert again.escalations == 0 and reminders().count() == 2
    frozen.move_to(MORNING + dt.timedelta(days=1))
    next_day = kpad_services.kpad_send_reminders()
    assert next_day.escalations == 1 and reminders().count() == 4
    overdue.refresh_from_db()
    assert overdue.last_reminded_at == MORNING + dt.timedelta(days=1)


def test_a_new_overdue_escalation_is_reminded_the_same_day_without_repeating_the_others(
    frozen, commissioners, charlie
):
    first = make_escalated_case(charlie, days_ago=5)
    kpad_services.kpad_send_reminders()
    later = make_escalated_case(charlie, days_ago=4)

    kpad_services.kpad_send_reminders()

    latest = reminders().filter(user__username="dave").order_by("-id").first()
    assert later.case.number in latest.display_body and first.case.number not in latest.display_body


def test_nothing_is_sent_when_nothing_is_overdue(frozen, commissioners, charlie):
    make_escalated_case(charlie, days_ago=1)

    assert kpad_services.kpad_send_reminders().escalations == 0
    assert not reminders().exists()


def test_reminders_take_a_fixed_number_of_queries(frozen, commissioners, charlie):
    make_escalated_case(charlie, days_ago=5)
    with CaptureQueriesContext(connection) as few:
        kpad_services.kpad_send_reminders()
    frozen.move_to(MORNING + dt.timedelta(days=1))
    for _ in range(5):
        make_escalated_case(charlie, days_ago=5)
    with CaptureQueriesContext(connection) as many:
        assert kpad_services.kpad_send_reminders().escalations == 6

    assert len(many) == len(few)


# --- The daily digest --------------------------------------------------------------------------------


def test_the_digest_counts_the_queue_and_names_new_cases_by_number(frozen, commissioners, charlie, settings):
    settings.SIGAP_KPAD_ACKNOWLEDGE_DAYS = 3
    new = make_escalated_case(charlie, days_ago=0)
    make_escalated_case(charlie, days_ago=5)  # open and overdue
    make_escalated_case(charlie, days_ago=2, state="acknowledged")
    make_escalated_case(charlie, days_ago=2, state="resolved")

    settings.LANGUAGE_CODE = "en"  # stored texts are written in the site's language

    run = kpad_services.kpad_send_daily_digest()

    assert run.counts == {"open": 2, "acknowledged": 1, "overdue": 1, "new": 1}
    assert run.recipients == 2
    note = digests().get(user__username="dave")
    assert "Waiting for acknowledgement: 2" in note.display_body
    assert (
        "Acknowledged, in review: 1" in note.display_body
        and "Overdue (not acknowledged in time): 1" in note.display_body
    )
    assert "New since yesterday: 1" in note.display_body and "2 waiting, 1 overdue" in note.display_title
    assert new.case.number in note.display_body
    assert note.url == "/kasus/kpad/"
    assert CHILD_NAME not in note.display_title + note.display_body
    assert not digests().filter(user__username="retired").exists()


def test_the_digest_goes_out_once_a_day(frozen, commissioners, charlie):
    make_escalated_case(charlie)

    kpad_services.kpad_send_daily_digest()
    frozen.shift(dt.timedelta(hours=3))
    again = kpad_services.kpad_send_daily_digest()

    assert again.recipients == 0 and digests().count() == 2
    frozen.move_to(MORNING + dt.timedelta(days=1))
    assert kpad_services.kpad_send_daily_digest().recipients == 2
    assert digests().count() == 4


def test_no_digest_when_there_is_nothing_to_report(frozen, commissioners, charlie):
    make_escalated_case(charlie, days_ago=3, state="resolved")

    run = kpad_services.kpad_send_daily_digest()

    assert run.recipients == 0 and not digests().exists()


def test_the_digest_takes_a_fixed_number_of_queries(frozen, commissioners, charlie):
    make_escalated_case(charlie)
    with CaptureQueriesContext(connection) as few:
        kpad_services.kpad_send_daily_digest()
    frozen.move_to(MORNING + dt.timedelta(days=1))
    for i in range(5):
        make_escalated_case(charlie, days_ago=i % 2)
    with CaptureQueriesContext(connection) as many:
        kpad_services.kpad_send_daily_digest()

    assert len(many) == len(few)


# --- The tasks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "name"),
    [
        (tasks.kpad_reminders_task, "cases.tasks.kpad_reminders_task"),
        (tasks.kpad_daily_digest_task, "cases.tasks.kpad_daily_digest_task"),
    ],
)
def test_the_tasks_carry_the_scheduled_names_and_limits(task, name, settings):
    assert task.name == name
    assert name in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert task.acks_late is True
    assert 0 < task.soft_time_limit < task.time_limit


def test_the_reminder_task_runs_the_reminders(frozen, commissioners, charlie):
    make_escalated_case(charlie, days_ago=5)

    result = tasks.kpad_reminders_task.apply().get()

    assert result == {"escalations": 1, "recipients": 2}
    assert tasks.kpad_reminders_task.apply().get() == {"escalations": 0, "recipients": 0}


def test_the_digest_task_runs_the_digest(frozen, commissioners, charlie):
    make_escalated_case(charlie)

    result = tasks.kpad_daily_digest_task.apply().get()

    assert result["recipients"] == 2 and result["open"] == 1
    assert Escalation.objects.count() == 1


# --- Two runs at once (PostgreSQL) -------------------------------------------------------------------


def run_twice_at_once(work) -> list:
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            work()
        except Exception as error:  # reported below, so the test fails with its cause
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_remind_and_digest_once(charlie, dave):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    f.KpadFactory(username="erna")
    for _ in range(4):  # not the immediate rule: the engine would escalate those on commit
        make_escalated_case(charlie, rule=Escalation.Rule.STALLED, days_ago=5, violence_types=["fisik"])

    assert not run_twice_at_once(kpad_services.kpad_send_reminders)
    assert not run_twice_at_once(kpad_services.kpad_send_daily_digest)

    assert reminders().count() == 2 and digests().count() == 2
    assert not Escalation.objects.filter(last_reminded_at__isnull=True).exists()
