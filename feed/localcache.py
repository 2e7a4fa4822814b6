"""A process-local, short-lived layer in front of the shared cache for the hottest For You reads
(the candidate pools and clip payloads): a page then costs no Redis round trip and no unpickling
of hundreds of candidates. Entries live `FOR_YOU_LOCAL_SECONDS` (2 s by default), so another
process's change (a clip hidden, a count moved) shows here at most that much later; this
process's own invalidations apply at once."""

from __future__ import annotations

import threading
import time
from typing import Any

_MISSING = object()


class LocalTTLCache:
    def __init__(self, *, max_entries: int) -> None:
        self.max_entries = max_entries
        self._data: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        entry = self._data.get(key)
        if entry is None or entry[0] < time.monotonic():
            return default
        return entry[1]

    def set(self, key: str, value: Any, *, seconds: float) -> None:
        if seconds <= 0:
            return
        with self._lock:
            if len(self._data) >= self.max_entries:
                now = time.monotonic()
                self._data = {k: v for k, v in self._data.items() if v[0] >= now}
                if len(self._data) >= self.max_entries:
                    self._data.clear()
            self._data[key] = (time.monotonic() + seconds, value)

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


local = LocalTTLCache(max_entries=5000)
