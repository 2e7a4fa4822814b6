"""Readiness (`/readyz`): the database, Redis, the Celery broker and both storages answer.

Built on django-health-check; any failing check turns the answer into a 503 (a load balancer
takes the process out of rotation), always as JSON: {"Database(alias='default')": "OK", …}.
Liveness is `/healthz` (config/views.py), which touches nothing.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis or AMQP), without needing a worker."""

    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=3), repr=False
    )

    def run(self) -> None:
        from config.celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=self.timeout.total_seconds())
        except Exception as exc:
            raise ServiceUnavailable("Broker unreachable") from exc


class ReadinessView(HealthCheckView):
    checks = (
        "health_check.checks.Database",
        "health_check.checks.Cache",  # the Django cache is Redis
        Broker,
        ("health_check.checks.Storage", {"alias": "default"}),
        ("health_check.checks.Storage", {"alias": "private"}),
    )

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:  # the library's "unhealthy": a 503 for balancers
            response.status_code = 503
        return response

    def render_to_response(self, context: Any, **response_kwargs: Any) -> HttpResponse:
        # JSON whatever the Accept header says (no template, same shape for probes and people).
        return self.render_to_response_json(response_kwargs.get("status", 200))
