from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .idempotency import idempotency_keys_purge
from .models import Notification


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def purge_idempotency_keys_task() -> int:
    """Forget the send keys past SIGAP_IDEMPOTENCY_KEY_DAYS (one statement; safe twice)."""
    return idempotency_keys_purge()


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def send_notification_emails_task(notification_ids: list[int]) -> int:
    """Email each notification once (ids only in the task's arguments). Idempotent."""
    sent = 0
    base_url = settings.SIGAP_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        for note in Notification.objects.filter(
            pk__in=notification_ids, emailed_at__isnull=True
        ).select_related("user"):
            # Claim the row first, so two workers never send the same email.
            if not Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            ):
                continue
            context = {"note": note, "link": f"{base_url}{note.url}" if note.url else base_url + "/"}
            send_mail(
                subject=render_to_string("emails/notification_subject.txt", context).strip(),
                message=render_to_string("emails/notification_body.txt", context),
                html_message=render_to_string("emails/notification_body.html", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[note.user.email],
            )
            sent += 1
    return sent
