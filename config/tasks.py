from celery import shared_task


# soft_time_limit must not exceed time_limit: the project-wide soft limit
# (CELERY_TASK_SOFT_TIME_LIMIT) is longer than 30 s, and Celery refuses to send
# a task whose soft limit is above its hard one.
# Its result is read (health checks, the worker tests), unlike every other task's.
@shared_task(name="config.ping_task", acks_late=True, ignore_result=False, time_limit=30, soft_time_limit=25)
def ping_task() -> str:
    """A no-op round trip: proves a worker consumes from the broker (health checks, CI)."""
    return "pong"
