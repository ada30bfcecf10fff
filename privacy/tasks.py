from celery import shared_task

from .services import destruction_list_build


@shared_task(acks_late=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def destruction_list_build_task() -> None:
    """The month's destruction list (beat, on the 1st); idempotent: the month is unique."""
    destruction_list_build()
