"""Celery doors into generation services. Tasks take ids and are safe to deliver twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from generation import attempts, jobs


@shared_task(acks_late=True)
def run_job(job_id: str, queue: str | None = None) -> str:
    # Retries are scheduled by the service itself (a requeue with a countdown), so a redelivered
    # message and a retry are the same harmless thing: the guarded claim lets one through.
    with attempts.serving_queue(queue or "render"):
        return attempts.job_run(job_id=job_id, queue=queue or "render").status


@shared_task(acks_late=True)
def run_attempt(attempt_id: int, queue: str | None = None) -> str:
    """An attempt handed to the queue whose workers can run its backend (e.g. `gpu`)."""
    with attempts.serving_queue(queue):
        return attempts.attempt_execute(attempt_id=attempt_id).status


@shared_task(acks_late=True)
def poll_attempt(attempt_id: int, token: int | None = None) -> str:
    """One look at a remote attempt; it schedules the next look itself, with backoff, while the
    provider works (no worker ever sleeps waiting for a provider)."""
    with attempts.serving_queue("default"):
        return attempts.attempt_poll(attempt_id=attempt_id, token=token).status


@shared_task(acks_late=True)
def reap_stuck_jobs() -> dict[str, int]:
    return jobs.jobs_reap_stuck()


@worker_ready.connect
def _clean_leftover_render_dirs(**kwargs: Any) -> None:
    # Folders of renders that a killed worker on this machine left behind.
    jobs.render_dirs_clean()
