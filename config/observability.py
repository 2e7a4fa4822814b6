"""Operations: request ids (into logs and Celery tasks), JSON logs, Sentry, Prometheus metrics.

request ─▶ RequestIdMiddleware (X-Request-ID from the proxy, or a new one) ─▶ log records
        └▶ on-commit enqueue ─▶ message header `reverie_request_id` ─▶ the task's log records
/metrics = django-prometheus (requests, database) + Celery task counters of this host's
           processes + gauges read from the database and the broker at scrape time
           (config/metrics.py). Workers expose their own task metrics on CELERY_METRICS_PORT.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar, Token
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from celery.signals import (
    before_task_publish,
    task_postrun,
    task_prerun,
    task_retry,
    worker_process_shutdown,
    worker_ready,
)
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

REQUEST_ID_HEADER = "X-Request-ID"
TASK_HEADER = "reverie_request_id"
# What a proxy may hand us as an id (nginx's $request_id is 32 hex digits); anything else is
# replaced, so a client can't inject text into the logs.
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_request_id: ContextVar[str] = ContextVar("reverie_request_id", default="-")

request_logger = logging.getLogger("reverie.request")


def current_request_id() -> str:
    return _request_id.get()


def _new_or_given(given: str | None) -> str:
    return given if given and _VALID_ID.match(given) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (the request's, the task's, or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    """Gives each request an id (the proxy's X-Request-ID when well-formed), echoes it in the
    response, puts it on log records and on the Celery messages the request sends; with
    LOG_REQUESTS, logs one line per request (method, path, status, milliseconds)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.log_requests = bool(getattr(settings, "LOG_REQUESTS", False))
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def _start(self, request: HttpRequest) -> tuple[Token[str], float]:
        request_id = _new_or_given(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        return _request_id.set(request_id), time.perf_counter()

    def _finish(self, request: HttpRequest, response: HttpResponse, started: float) -> None:
        response[REQUEST_ID_HEADER] = _request_id.get()
        if self.log_requests:
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if iscoroutinefunction(self):
            return self.__acall__(request)
        token, started = self._start(request)
        try:
            response = self.get_response(request)
            self._finish(request, response, started)
            return response
        finally:
            _request_id.reset(token)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        token, started = self._start(request)
        try:
            response = await self.get_response(request)
            self._finish(request, response, started)
            return response
        finally:
            _request_id.reset(token)


# --- Celery: the request id travels in a message header; task metrics per worker process ------

TASKS = Counter(
    "reverie_celery_tasks_total", "Celery tasks finished, by task and outcome", ["task", "state"]
)
TASK_SECONDS = Histogram(
    "reverie_celery_task_seconds",
    "Wall time of Celery tasks (a render task's time is the render)",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300, 600),
)
_task_tokens: dict[str, tuple[Token[str], float]] = {}


@before_task_publish.connect
def _send_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = _request_id.get()
    if headers is not None and request_id != "-":
        headers.setdefault(TASK_HEADER, request_id)


@task_prerun.connect
def _task_started(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    given = getattr(task.request, TASK_HEADER, None) if task is not None else None
    # A task sent by beat (or another task without a request) gets its own id.
    request_id = given if isinstance(given, str) and _VALID_ID.match(given) else f"task-{task_id}"
    _task_tokens[task_id] = (_request_id.set(request_id), time.perf_counter())


@task_postrun.connect
def _task_finished(task_id: str = "", task: Any = None, state: str | None = None, **_: Any) -> None:
    entry = _task_tokens.pop(task_id, None)
    name = getattr(task, "name", "unknown")
    if entry is not None:
        token, started = entry
        TASK_SECONDS.labels(task=name).observe(time.perf_counter() - started)
        try:
            _request_id.reset(token)
        except ValueError:  # set in another context (a thread pool); nothing to restore
            _request_id.set("-")
    TASKS.labels(task=name, state=(state or "unknown").lower()).inc()


@task_retry.connect
def _task_retried(sender: Any = None, **kwargs: Any) -> None:
    TASKS.labels(task=getattr(sender, "name", "unknown"), state="retry").inc()


def metrics_registry() -> Any:
    """The registry to expose: this process's, or (prefork pools, several web workers) all the
    processes' files under PROMETHEUS_MULTIPROC_DIR."""
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


@worker_ready.connect
def _serve_worker_metrics(**kwargs: Any) -> None:
    port = os.environ.get("CELERY_METRICS_PORT")
    if not port:
        return
    from prometheus_client import start_http_server

    start_http_server(int(port), addr=os.environ.get("CELERY_METRICS_ADDR", "0.0.0.0"),
                      registry=metrics_registry())  # fmt: skip
    logging.getLogger("reverie.metrics").info("worker metrics on port %s", port)


@worker_process_shutdown.connect
def _forget_dead_process(pid: int | None = None, **kwargs: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


# --- Sentry ---------------------------------------------------------------------------------


def sentry_init(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    """Errors (and sampled traces) of web and workers to Sentry; no personal data."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration(monitor_beat_tasks=False)],
    )
