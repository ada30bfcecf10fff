from celery import shared_task


@shared_task(name="config.ping_task", acks_late=True, time_limit=30)
def ping_task() -> str:
    """A no-op round trip: proves a worker consumes from the broker (health checks, CI)."""
    return "pong"
