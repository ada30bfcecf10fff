"""Background work of the reports app: building large exports, counting the recap's months."""

from celery import shared_task

from .exports.jobs import BUILD_TIME_LIMIT, export_job_run
from .facts import recap_facts_refresh

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


@shared_task(
    name="reports.tasks.recap_facts_refresh_task", acks_late=True, time_limit=360, soft_time_limit=300
)
def recap_facts_refresh_task() -> dict:
    """Every SIGAP_RECAP_FACTS_REFRESH_SECONDS (beat): count the recap's changed and missing
    months (and the few counted longest ago) into the stored counts. Safe twice or on two workers."""
    run = recap_facts_refresh()
    return {"counted": len(run.counted), "left": run.left, "skipped": run.skipped}
