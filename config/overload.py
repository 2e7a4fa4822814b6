"""Overload answered as overload: when the database connection pool stays full past its timeout,
or PostgreSQL refuses more clients, the request gets a quick 503 with Retry-After (JSON under
/api/) instead of a 500, and the operator gets one log line."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger("reverie.overload")

RETRY_AFTER_SECONDS = 2


def database_is_saturated(exc: BaseException) -> bool:
    """The pool had no free connection in time, or the server is out of connection slots."""
    try:
        from psycopg_pool import PoolTimeout
    except ImportError:  # the pool is optional (SQLite setups)
        PoolTimeout = ()  # type: ignore[assignment,misc]  # noqa: N806
    seen: BaseException | None = exc
    while seen is not None:
        if PoolTimeout and isinstance(seen, PoolTimeout):
            return True
        if isinstance(seen, OperationalError) or type(seen).__name__ == "OperationalError":
            text = str(seen)
            if "too many clients" in text or "remaining connection slots" in text:
                return True
        seen = seen.__cause__ or seen.__context__
    return False


def overloaded_response(request: HttpRequest) -> HttpResponse:
    message = _("Reverie is busy right now. Try again in a moment.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": message, "code": "service_unavailable"}, status=503
        )
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ServiceUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_is_saturated(exception):
            logger.warning("database saturated, answered 503: %s", exception)
            return overloaded_response(request)
        return None
