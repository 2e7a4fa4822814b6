"""Where a viewer's seen clips live: a capped, expiring Redis sorted set per viewer, written behind
the request, with this process's memory standing in while Redis is away.

Pages are queued here and a background thread writes them a few milliseconds later, all viewers in
one pipeline, so a page never waits on Redis for its "seen" write; queued and in-flight pages are
readable at once (`queued_ids`). A process that dies loses at most that last moment of "seen" (soft
state: at worst a clip shows twice). While Redis is unreachable, writes go to a bounded per-process
memory (`outage_ids`)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from functools import lru_cache

import redis
from django.conf import settings
from django.utils import timezone

from config.cache import RedisOutage

logger = logging.getLogger(__name__)

SEEN_TTL_SECONDS = 7 * 24 * 3600
SEEN_MAX = 2000
FLUSH_DELAY = 0.005
_OUTAGE_VIEWERS = 1000

outage = RedisOutage(name="Redis seen-set", retry_seconds=2.0)
_outage_memory: OrderedDict[str, list[int]] = OrderedDict()
_lock = threading.Lock()
_pending: dict[str, tuple[str, dict[str, float]]] = {}  # redis key → (viewer key, members)
_in_flight: list[dict[str, tuple[str, dict[str, float]]]] = []
_wake = threading.Event()
_writer_pid: int | None = None


@lru_cache(maxsize=1)
def seen_store() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
        socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
    )


def seen_key(viewer_key: str) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'reverie')}:seen:{viewer_key}"


def queued_ids(key: str) -> list[int]:
    """Pages of this viewer not yet written to Redis (queued or being written)."""
    with _lock:
        batches = [_pending, *_in_flight]
        return [int(m) for batch in batches if key in batch for m in batch[key][1]]


def outage_ids(viewer_key: str) -> list[int]:
    with _lock:
        return list(_outage_memory.get(viewer_key, ()))


def _remember_during_outage(viewer_key: str, video_ids: list[int]) -> None:
    with _lock:
        ids = [*_outage_memory.pop(viewer_key, []), *video_ids][-SEEN_MAX:]
        _outage_memory[viewer_key] = ids
        while len(_outage_memory) > _OUTAGE_VIEWERS:
            _outage_memory.popitem(last=False)


def queue(*, viewer_key: str, video_ids: list[int]) -> None:
    global _writer_pid
    now = timezone.now().timestamp()
    key = seen_key(viewer_key)
    with _lock:
        _, members = _pending.setdefault(key, (viewer_key, {}))
        members.update({str(video_id): now for video_id in video_ids})
        if _writer_pid != os.getpid():  # first use in this (possibly forked) process
            _writer_pid = os.getpid()
            threading.Thread(target=_run, name="seen-writer", daemon=True).start()
    _wake.set()


def flush() -> None:
    """Write every queued page now (the writer thread; tests and benchmarks call it too)."""
    global _pending
    with _lock:
        batch, _pending = _pending, {}
        if not batch:
            return
        _in_flight.append(batch)

    def write() -> bool:
        pipe = seen_store().pipeline(transaction=False)
        for key, (_viewer_key, members) in batch.items():
            pipe.zadd(key, members)
            pipe.zremrangebyrank(key, 0, -SEEN_MAX - 1)
            pipe.expire(key, SEEN_TTL_SECONDS)
        pipe.execute()
        return True

    try:
        if not outage.call("zadd", write, False):
            for viewer_key, members in batch.values():
                _remember_during_outage(viewer_key, [int(member) for member in members])
    finally:
        with _lock:
            _in_flight.remove(batch)


def _run() -> None:
    while True:
        _wake.wait()
        _wake.clear()
        time.sleep(FLUSH_DELAY)  # let concurrent requests join the same round trip
        try:
            flush()
        except Exception:  # never let the writer die; the next page is written again
            logger.warning("could not write seen sets", exc_info=True)


def forget_process_state() -> None:
    """Tests: drop this process's outage memory and reset the outage state."""
    with _lock:
        _outage_memory.clear()
    outage.succeeded()
    seen_store.cache_clear()
