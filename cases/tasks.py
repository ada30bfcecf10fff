"""Celery tasks of the cases app: thin, idempotent, ids only in their arguments."""

from .kpad_tasks import *  # noqa: F403 - KPAD reminders and digest live beside the review queue
