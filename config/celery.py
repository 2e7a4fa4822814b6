"""The Celery application: broker and schedule come from Django settings (CELERY_*)."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("reverie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Request ids into tasks, task metrics, the workers' metrics port (signal handlers).
import config.observability  # noqa: E402, F401


@worker_init.connect
def _keep_one_push_loop(**kwargs: Any) -> None:
    # Live job updates from workers reuse one event loop (and Redis connection) per process;
    # set before the pool forks, each child starts its own loop on first use.
    from accounts.services import push_loop

    push_loop.enabled = True


@worker_process_init.connect
def _fresh_database_pool(**kwargs: Any) -> None:
    # A psycopg pool's connections and threads must not cross a fork: a prefork child forgets
    # any pool inherited from the parent (without closing the parent's sockets) and opens its own.
    from django.db import connections
    from django.db.backends.postgresql.base import DatabaseWrapper

    DatabaseWrapper._connection_pools.clear()
    for conn in connections.all(initialized_only=True):
        conn.connection = None
