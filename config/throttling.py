"""Rate limits: DRF scoped throttles whose rates are read at request time (so settings can change
them without a restart of the class), and the same limiter for plain Django views."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from config.errors import DomainError

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


class ActionThrottle(ScopedRateThrottle):
    """`throttle_scope = "like"` on a view limits that action per user (or per IP when anonymous).

    Reading safe methods is never throttled here: the limits are on actions."""

    def get_ident(self, request) -> str:  # type: ignore[no-untyped-def]
        return client_ip(request)

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)


def hit(*, scope: str, ident: str) -> None:
    """Count one action for a plain view; raise RateLimited (a 429) past the scope's rate."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    if not rate:
        return
    count, per = rate.split("/")
    limit = int(count)
    window = {"s": 1, "m": 60, "h": 3600, "d": 86400}[per[0]]
    key = f"limit:{scope}:{ident}"
    now = time.time()
    history = [stamp for stamp in cache.get(key, []) if stamp > now - window]
    if len(history) >= limit:
        retry_after = int(history[0] + window - now) + 1
        raise RateLimited("Too many attempts; try again later.", retry_after=retry_after)
    history.append(now)
    cache.set(key, history, window)


def client_ip(request) -> str:  # type: ignore[no-untyped-def]
    """The client's address: REMOTE_ADDR, or with NUM_PROXIES = n trusted proxies in front, the
    address the outermost of them saw (the n-th X-Forwarded-For entry from the right). Entries
    further left were written by the client and are never trusted."""
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NUM_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]


def throttled_before_body(
    *, scope: str, refuse: Callable[[HttpRequest, RateLimited], HttpResponse]
) -> Callable[[ViewFunc], ViewFunc]:
    """Count a POST to this view against `scope` before its body is read: the CSRF check would
    otherwise parse (and spool to disk) an upload that the limit then refuses. Applied by
    `BeforeBodyThrottleMiddleware`, which sits before CsrfViewMiddleware."""

    def decorate(view: ViewFunc) -> ViewFunc:
        view.throttle_before_body = (scope, refuse)  # type: ignore[attr-defined]
        return view

    return decorate


class BeforeBodyThrottleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        marked = getattr(view_func, "throttle_before_body", None)
        if marked is None or request.method != "POST":
            return None
        scope, refuse = marked
        try:
            hit(scope=scope, ident=client_ip(request))
        except RateLimited as limited:
            response = refuse(request, limited)
            response["Retry-After"] = str(limited.retry_after)
            return response
        return None
