"""The Celery application: broker and schedule come from Django settings (CELERY_*)."""

import logging
import os
import time
from typing import Any

from celery import Celery
from celery.signals import worker_init, worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger("reverie.broker")

app = Celery("reverie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _keep_one_push_loop(**kwargs: Any) -> None:
    # Live job updates from workers reuse one event loop (and Redis connection) per process;
    # set before the pool forks, each child starts its own loop on first use.
    from accounts.services import push_loop

    push_loop.enabled = True


@worker_ready.connect
def _clean_leftover_render_dirs(**kwargs: Any) -> None:
    # Folders of renders that a killed worker on this machine left behind.
    from generation.jobs import render_dirs_clean

    render_dirs_clean()


@worker_process_init.connect
def _fresh_database_pool(**kwargs: Any) -> None:
    # A psycopg pool's connections and threads must not cross a fork: a prefork child forgets
    # any pool inherited from the parent (without closing the parent's sockets) and opens its own.
    from django.db import connections
    from django.db.backends.postgresql.base import DatabaseWrapper

    DatabaseWrapper._connection_pools.clear()
    for conn in connections.all(initialized_only=True):
        conn.connection = None


# --- Is the broker there? ---------------------------------------------------------------------

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
