"""Is the task broker there? Doors that create work ask first and answer 503 rather than create
what no worker will hear about."""

from __future__ import annotations

import logging
import time

from config.celery import app

logger = logging.getLogger("reverie.broker")

_broker_down_until = 0.0
BROKER_CHECK_TIMEOUT = 1.0
BROKER_RETRY_AFTER = 5


def broker_reachable() -> bool:
    """Whether a message could be published now (a connect with a short timeout; a failure is
    remembered for a few seconds so an outage costs each request nothing). Doors that create
    work ask first and answer 503 instead of creating what no worker will hear about."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_CHECK_TIMEOUT)
    except Exception:  # kombu and transport errors alike: the broker is not usable
        _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER
        logger.warning("Celery broker unreachable; refusing new work for %s s", BROKER_RETRY_AFTER)
        return False
    return True


def broker_forget_outage() -> None:
    global _broker_down_until
    _broker_down_until = 0.0
