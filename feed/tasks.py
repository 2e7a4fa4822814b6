"""Periodic feed work; idempotent by construction (re-scoring twice gives the same scores)."""

from __future__ import annotations

from celery import shared_task

from feed import services


@shared_task(acks_late=True)
def refresh_scores() -> int:
    return services.scores_refresh()
