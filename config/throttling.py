"""Rate limits: DRF scoped throttles whose rates are read at request time (so settings can change
them without a restart of the class), and the same limiter for plain Django views."""

from __future__ import annotations

import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from config.errors import DomainError


class ActionThrottle(ScopedRateThrottle):
    """`throttle_scope = "like"` on a view limits that action per user (or per IP when anonymous).

    Reading safe methods is never throttled here: the limits are on actions."""

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
    # REMOTE_ADDR is the proxy behind a TLS proxy; only then trust its X-Forwarded-For.
    from django.conf import settings

    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
