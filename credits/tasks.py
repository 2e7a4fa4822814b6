"""Beat jobs for credits; idempotent (one daily_free entry per account and UTC day)."""

from __future__ import annotations

from celery import shared_task

from credits import services


@shared_task(acks_late=True)
def refresh_daily_free_credits() -> int:
    total = 0
    for _ in range(10_000):  # bounded: 500 accounts a batch, five million wallets at most
        refreshed = services.daily_free_refresh_all()
        if not refreshed:
            break
        total += refreshed
    return total
