"""Cameo verification runs in a worker; the task is idempotent (a guarded status update)."""

from __future__ import annotations

from celery import shared_task

from likeness import services


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def run_verification_checks(attempt_id: int) -> str:
    return services.verification_run_checks(attempt_id=attempt_id)
