"""Background work of the reports app: building large exports."""

from celery import shared_task

from .exports.jobs import BUILD_TIME_LIMIT, export_job_run

SOFT_TIME_LIMIT = BUILD_TIME_LIMIT - 60
TIME_LIMIT = BUILD_TIME_LIMIT


@shared_task(
    name="reports.tasks.build_export_task",
    acks_late=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def build_export_task(job_id: int) -> int | None:
    """Build one export job's file (the job's id is the only argument). Safe to run twice:
    the job is claimed first; a job built or failed is left alone, and a job left "running" by a
    builder that died (its lease expired) is built again."""
    job = export_job_run(job_id=job_id)
    return job.row_count if job else None
