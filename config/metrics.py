"""Prometheus `/metrics`: process metrics plus gauges read at scrape time from the database and
the broker — jobs by backend and status, recent render seconds, queue depth, credits held and
captured, moderation backlog. Reads only; cached for METRICS_CACHE_SECONDS so that several
scrapers (or a scrape storm) cost one set of queries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from config.observability import metrics_registry

logger = logging.getLogger("reverie.metrics")
QUEUES = ("default", "render", "gpu")
RENDER_WINDOW = timedelta(hours=1)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def jobs_by_backend_and_status() -> list[tuple[str, str, int]]:
    from generation.models import GenerationJob

    rows = GenerationJob.objects.values_list("backend", "status").annotate(n=Count("pk"))
    return [(backend, status, n) for backend, status, n in rows.order_by()]


def recent_render_seconds() -> dict[str, list[float]]:
    """Render seconds of jobs that finished within the last hour, per backend (≤ 10,000)."""
    from generation.models import GenerationJob, JobStatus

    rows = (
        GenerationJob.objects.filter(
            status=JobStatus.SUCCEEDED,
            finished_at__gte=timezone.now() - RENDER_WINDOW,
            render_seconds__isnull=False,
        )
        .order_by()
        .values_list("backend", "render_seconds")[:10_000]
    )
    per_backend: dict[str, list[float]] = {}
    for backend, seconds in rows:
        per_backend.setdefault(backend, []).append(seconds)
    return per_backend


def credit_totals() -> tuple[int, int]:
    """(credits held now, credits ever captured by succeeded jobs)."""
    from credits.models import CreditAccount
    from generation.models import GenerationJob

    held = CreditAccount.objects.aggregate(total=Sum("held"))["total"] or 0
    captured = GenerationJob.objects.aggregate(total=Sum("charged_credits"))["total"] or 0
    return held, captured


def moderation_backlog() -> dict[str, int]:
    from feed.models import Report
    from likeness.models import Cameo, CameoStatus

    return {
        "reported_clips": Report.objects.filter(resolved_at__isnull=True)
        .values("video_id")
        .distinct()
        .count(),
        "cameo_reviews": Cameo.objects.filter(status=CameoStatus.PENDING_REVIEW).count(),
    }


def queue_depths() -> dict[str, int]:
    """Messages waiting per Celery queue (Redis or AMQP, through kombu's passive declare)."""
    from config.celery import app

    depths: dict[str, int] = {}
    with app.connection_for_read() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
        channel = connection.default_channel
        for queue in QUEUES:
            try:
                depths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
            except Exception:  # an AMQP queue nobody declared yet holds nothing
                depths[queue] = 0
                channel = connection.channel()
    return depths


class ReverieCollector(Collector):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[float, list[Any]] = (0.0, [])

    def collect(self) -> Iterator[Any]:
        ttl = float(getattr(settings, "METRICS_CACHE_SECONDS", 10))
        with self._lock:
            stamp, families = self._cached
            if time.monotonic() - stamp >= ttl or not families:
                families = list(self._families())
                self._cached = (time.monotonic(), families)
        yield from families

    def _families(self) -> Iterator[Any]:
        up = GaugeMetricFamily(
            "reverie_metrics_source_up", "1 when a metrics source could be read", labels=["source"]
        )
        for source, build in (("database", self._database), ("broker", self._broker)):
            try:
                yield from build()
                up.add_metric([source], 1)
            except Exception:
                logger.warning("metrics source %s unavailable", source, exc_info=True)
                up.add_metric([source], 0)
        yield up

    def _database(self) -> Iterator[Any]:
        jobs = GaugeMetricFamily(
            "reverie_generation_jobs", "Generation jobs by backend and status",
            labels=["backend", "status"],
        )  # fmt: skip
        for backend, status, count in jobs_by_backend_and_status():
            jobs.add_metric([backend, status], count)
        renders = GaugeMetricFamily(
            "reverie_render_seconds",
            "Render seconds of jobs finished in the last hour (quantiles) per backend",
            labels=["backend", "quantile"],
        )
        rendered = GaugeMetricFamily(
            "reverie_render_jobs_last_hour", "Jobs finished in the last hour", labels=["backend"]
        )
        for backend, values in recent_render_seconds().items():
            for q in (0.5, 0.95):
                renders.add_metric([backend, str(q)], _quantile(values, q))
            rendered.add_metric([backend], len(values))
        held, captured = credit_totals()
        backlog = GaugeMetricFamily(
            "reverie_moderation_backlog", "Items waiting for a moderator", labels=["queue"]
        )
        for queue, count in moderation_backlog().items():
            backlog.add_metric([queue], count)
        yield jobs
        yield renders
        yield rendered
        yield GaugeMetricFamily("reverie_credits_held", "Credits held by running jobs", held)
        yield GaugeMetricFamily(
            "reverie_credits_captured", "Credits captured by succeeded jobs, all time", captured
        )
        yield backlog

    def _broker(self) -> Iterator[Any]:
        depth = GaugeMetricFamily(
            "reverie_queue_depth", "Messages waiting in a Celery queue", labels=["queue"]
        )
        for queue, count in queue_depths().items():
            depth.add_metric([queue], count)
        yield depth


COLLECTOR = ReverieCollector()


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format. Keep it off the public internet (the proxy denies it)."""
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry()
    registry.register(COLLECTOR)
    body = generate_latest(metrics_registry()) + generate_latest(registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
