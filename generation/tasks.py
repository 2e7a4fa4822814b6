"""Celery doors into generation services. Tasks take ids and are safe to deliver twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from generation import services


@shared_task(bind=True, acks_late=True, max_retries=settings.GENERATION_MAX_RETRIES + 1)
def run_job(self, job_id: str) -> str:  # type: ignore[no-untyped-def]
    outcome = services.job_run(job_id=job_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(acks_late=True)
def reap_stuck_jobs() -> dict[str, int]:
    return services.jobs_reap_stuck()
