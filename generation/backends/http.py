"""Downloading a provider's finished clip: streamed, size-capped, errors mapped to our classes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import httpx

from generation.backends.base import PermanentError, RateLimited, TransientError

MAX_DOWNLOAD_BYTES = 300 * 1024 * 1024


def download(
    url: str,
    destination: Path,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> int:
    """Stream `url` to `destination`; returns the byte count. 429 → RateLimited, 5xx and network
    trouble → TransientError, other 4xx, HTML or an oversized body → PermanentError."""
    written = 0
    try:
        with httpx.stream(
            "GET", url, headers=dict(headers or {}), timeout=timeout, follow_redirects=True
        ) as response:
            if response.status_code == 429:
                raise RateLimited(
                    "The provider is rate-limiting downloads.",
                    retry_after=retry_after_seconds(response.headers.get("retry-after")),
                )
            if response.status_code >= 500:
                raise TransientError(
                    f"Downloading the clip failed (HTTP {response.status_code}).",
                    status_code=response.status_code,
                )
            if response.status_code >= 400:
                raise PermanentError(
                    f"The clip could not be downloaded (HTTP {response.status_code}).",
                    status_code=response.status_code,
                )
            if "text/html" in response.headers.get("content-type", ""):
                raise PermanentError("The provider returned a web page instead of a video.")
            with destination.open("wb") as handle:
                for chunk in response.iter_bytes(1 << 16):
                    written += len(chunk)
                    if written > max_bytes:
                        raise PermanentError("The provider's clip is larger than allowed.")
                    handle.write(chunk)
    except httpx.TimeoutException as exc:
        raise TransientError("Downloading the clip timed out.") from exc
    except httpx.TransportError as exc:
        raise TransientError(f"Downloading the clip failed: {type(exc).__name__}.") from exc
    if written == 0:
        raise TransientError("The provider returned an empty file.")
    return written


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header's delay in seconds (only the delta-seconds form is used by APIs)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
