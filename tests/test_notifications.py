"""The inbox every role has, and notification emails that carry no child data."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.models import Notification
from accounts.tasks import send_notification_emails_task


def test_it_puts_a_message_in_each_inbox_and_emails_it_after_the_commit(
    bob, dave, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify(
            users=[bob, dave], kind="test", params={"text": "Kasus SGP-2026-00001 menunggu"}, url="/kasus/"
        )
    assert len(callbacks) == 1
    assert Notification.objects.filter(user__in=[bob, dave], read_at__isnull=True).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([bob.email, dave.email])
    message = mail.outbox[0]
    assert message.subject == "[SIGAP] Kasus SGP-2026-00001 menunggu"
    assert "http://127.0.0.1:8000/kasus/" in message.body
    assert "tidak memuat data pribadi anak" in message.body


def test_it_sends_each_email_once_even_when_the_task_runs_twice(bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [note] = services.notify(users=[bob], kind="test", params={"text": "Pesan"})
    assert send_notification_emails_task(notification_ids=[note.pk]) == 0
    assert len(mail.outbox) == 1


def test_it_skips_inactive_users(bob):
    bob.is_active = False
    bob.save()
    assert services.notify(users=[bob], kind="test", params={"text": "Pesan"}, email=False) == []


def test_the_inbox_shows_only_the_users_own_messages(client_for, bob, carol):
    services.notify(users=[bob], kind="test", params={"text": "Untuk Bob"}, email=False)
    services.notify(users=[carol], kind="test", params={"text": "Untuk Carol"}, email=False)
    html = client_for(carol).get(reverse("accounts:notifications")).content.decode()
    assert "Untuk Carol" in html and "Untuk Bob" not in html
    assert 'data-testid="unread-count">1<' in html


def test_opening_a_message_marks_it_read_and_follows_its_link(client_for, bob):
    [note] = services.notify(users=[bob], kind="test", params={"text": "Pesan"}, url="/kasus/", email=False)
    response = client_for(bob).post(reverse("accounts:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response.url == "/kasus/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_it_refuses_a_link_to_another_site(client_for, bob):
    [note] = services.notify(
        users=[bob], kind="test", params={"text": "Pesan"}, url="https://evil.example/", email=False
    )
    response = client_for(bob).post(reverse("accounts:notification_open", args=[note.pk]))
    assert response.url == reverse("accounts:notifications")


def test_another_users_message_is_a_404(client_for, bob, carol):
    [note] = services.notify(users=[bob], kind="test", params={"text": "Pesan"}, email=False)
    assert client_for(carol).post(reverse("accounts:notification_open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.parametrize("name", ["accounts:notifications_read_all"])
def test_marking_all_read_needs_a_post(client_for, bob, name):
    assert client_for(bob).get(reverse(name)).status_code == 405
    services.notify(users=[bob], kind="test", params={"text": "A"}, email=False)
    services.notify(users=[bob], kind="test", params={"text": "B"}, email=False)
    client_for(bob).post(reverse(name))
    assert not Notification.objects.filter(user=bob, read_at__isnull=True).exists()
