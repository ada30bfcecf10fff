from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .idempotency import idempotency_keys_purge
from .models import Notification
from .outbox import outbox_drain, outbox_forget_done, outbox_run


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def purge_idempotency_keys_task() -> int:
    """Forget the send keys past SIGAP_IDEMPOTENCY_KEY_DAYS (one statement; safe twice)."""
    return idempotency_keys_purge()


@shared_task(
    name="accounts.tasks.send_notification_emails_task", acks_late=True, time_limit=120, soft_time_limit=100
)
def send_notification_emails_task(notification_ids: list[int]) -> int:
    """Email each notification not emailed yet (ids only in the task's arguments).

    Run from the outbox, which holds the job's lease while this runs: one runner at a time.
    Each message is marked sent only once the mail server accepted it, so a server that is down
    (or a worker killed mid-way) leaves the rest unmarked, the task raises, and the outbox tries
    again later with the unsent ones only."""
    sent = 0
    base_url = settings.SIGAP_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        for note in Notification.objects.filter(
            pk__in=notification_ids, emailed_at__isnull=True
        ).select_related("user"):
            context = {"note": note, "link": f"{base_url}{note.url}" if note.url else base_url + "/"}
            send_mail(
                subject=render_to_string("emails/notification_subject.txt", context).strip(),
                message=render_to_string("emails/notification_body.txt", context),
                html_message=render_to_string("emails/notification_body.html", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[note.user.email],
            )
            Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
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
