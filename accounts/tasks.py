from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .idempotency import idempotency_keys_purge
from .models import Notification
from .outbox import outbox_drain, outbox_forget_done, outbox_run

# A digest lists this many messages and says how many more are waiting in the inbox.
DIGEST_ITEMS = 50


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def purge_idempotency_keys_task() -> int:
    """Forget the send keys past SIGAP_IDEMPOTENCY_KEY_DAYS (one statement; safe twice)."""
    return idempotency_keys_purge()


@shared_task(
    name="accounts.tasks.send_notification_emails_task", acks_late=True, time_limit=120, soft_time_limit=100
)
def send_notification_emails_task(notification_ids: list[int]) -> int:
    """Email the notifications not emailed yet (ids only in the task's arguments): each user ONE
    email, listing their messages when there are several (a sweep's escalations come as a
    digest). Returns the number of emails sent.

    Run from the outbox, which holds the job's lease while this runs: one runner at a time.
    A user's messages are marked sent only once the mail server accepted their email, so a
    server that is down (or a worker killed mid-way) leaves the rest unmarked, the task raises,
    and the outbox tries again later with the unsent ones only."""
    sent = 0
    base_url = settings.SIGAP_BASE_URL.rstrip("/")
    by_user: dict[int, list[Notification]] = {}
    for note in (
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("user")
        .order_by("user_id", "pk")
    ):
        by_user.setdefault(note.user_id, []).append(note)
    with translation.override(settings.LANGUAGE_CODE):
        for notes in by_user.values():
            user = notes[0].user
            if len(notes) == 1:
                note = notes[0]
                context = {"note": note, "link": f"{base_url}{note.url}" if note.url else base_url + "/"}
                template = "emails/notification"
            else:
                items = [
                    {"title": n.display_title, "link": f"{base_url}{n.url}" if n.url else ""}
                    for n in notes[:DIGEST_ITEMS]
                ]
                context = {
                    "user": user,
                    "items": items,
                    "count": len(notes),
                    "more": max(len(notes) - DIGEST_ITEMS, 0),
                    "link": f"{base_url}/",
                }
                template = "emails/notification_digest"
            send_mail(
                subject=render_to_string(f"{template}_subject.txt", context).strip(),
                message=render_to_string(f"{template}_body.txt", context),
                html_message=render_to_string(f"{template}_body.html", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[user.email],
            )
            Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed_at=timezone.now())
            sent += 1
    return sent


@shared_task(
    name="accounts.tasks.drain_outbox_task",
    bind=True,
    acks_late=True,
    ignore_result=True,
    time_limit=120,
    soft_time_limit=100,
)
def drain_outbox_task(self) -> int:
    """Every SIGAP_OUTBOX_DRAIN_SECONDS (beat), and nudged after a commit: send due outbox jobs,
    to the queue this drain came from (the workers that drain are the workers that run)."""
    queue = (self.request.delivery_info or {}).get("routing_key") or None
    sent = outbox_drain(queue=queue)
    outbox_forget_done()
    return sent


@shared_task(name="accounts.tasks.run_outbox_job_task", acks_late=True, ignore_result=True)
def run_outbox_job_task(job_id: int) -> bool:
    """Run one outbox job (its id only); the drain gives it the job's own task's time limits."""
    return outbox_run(job_id=job_id)
