"""A Redis cache that degrades instead of failing: while Redis is unreachable every read is a
miss, every write is dropped and the caller carries on from the database.

Nothing Reverie keeps in the cache is the only copy of anything (money and job state live in the
database), so a lost write costs a recomputation, never a wrong answer. Throttles and rate limits
built on the cache therefore fail open during an outage; each outage is logged once when it starts
and once when it ends. After a failure the cache is skipped for `REDIS_RETRY_SECONDS` so that a
Redis that times out (rather than refusing at once) does not add its timeout to every request."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("reverie.redis")

T = TypeVar("T")

# Only "Redis is not there" degrades; a programming error (a bad key type, a pickling error)
# still raises.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisOutage:
    """Per-process memory of an outage: when it started, and when to try Redis again."""

    def __init__(self, *, name: str, retry_seconds: float) -> None:
        self.name = name
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0

    def skip(self) -> bool:
        """True while the last failure is recent enough that trying again would only wait."""
        return self._down_since is not None and time.monotonic() < self._retry_at

    def failed(self, exc: BaseException, *, operation: str) -> None:
        with self._lock:
            now = time.monotonic()
            first = self._down_since is None
            if first:
                self._down_since = now
            self._retry_at = now + self.retry_seconds
        if first:
            logger.warning(
                "%s unreachable (%s: %s); degrading: reads miss, writes dropped, limits open",
                self.name,
                operation,
                exc,
            )

    def succeeded(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None:
                return
            lasted = time.monotonic() - self._down_since
            self._down_since = None
        logger.warning("%s reachable again after %.1f s", self.name, lasted)

    def call(self, operation: str, fn: Callable[[], T], fallback: T) -> T:
        if self.skip():
            return fallback
        try:
            result = fn()
        except OUTAGE_ERRORS as exc:
            self.failed(exc, operation=operation)
            return fallback
        self.succeeded()
        return result


class ResilientRedisCache(RedisCache):
    """Django's RedisCache with every operation guarded by a `RedisOutage`.

    OPTIONS may carry `retry_seconds` (default 2) besides the usual redis-py pool options; give
    the pool short `socket_connect_timeout` / `socket_timeout` values (settings.py does)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        retry_seconds = float(options.pop("retry_seconds", 2.0))
        super().__init__(server, {**params, "OPTIONS": options})
        self.outage = RedisOutage(name="Redis cache", retry_seconds=retry_seconds)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        # False ("someone else holds it"): callers that dedupe (view counts) skip the write.
        return self.outage.call(
            "add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self.outage.call(
            "get", lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self.outage.call(
            "set", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self.outage.call(
            "touch", lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self.outage.call(
            "delete", lambda: super(ResilientRedisCache, self).delete(key, version), False
        )

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        return self.outage.call(
            "get_many", lambda: super(ResilientRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self.outage.call(
            "has_key", lambda: super(ResilientRedisCache, self).has_key(key, version), False
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self.outage.call(
            "incr", lambda: super(ResilientRedisCache, self).incr(key, delta, version), delta
        )

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        # On an outage every key "failed", as Django's contract for set_many says.
        return self.outage.call(
            "set_many",
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            list(data),
        )

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        keys = list(keys)
        self.outage.call(
            "delete_many",
            lambda: super(ResilientRedisCache, self).delete_many(keys, version),
            None,
        )

    def clear(self) -> bool:
        return self.outage.call("clear", lambda: super(ResilientRedisCache, self).clear(), False)
