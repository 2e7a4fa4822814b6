"""Generation backends: the registry of every backend Reverie knows.

`GENERATION_BACKENDS` (settings) lists the classes to load, by dotted path; each is loaded once
per process. Whether a backend is *usable* also depends on its configuration (API keys in the
environment) and on its row in the admin (enabled, prices) — see `generation.routing`.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from generation.backends.base import (
    Backend,
    BackendError,
    Capabilities,
    ContentRefused,
    GenerationSpec,
    PermanentError,
    PriceRow,
    ProviderJob,
    ProviderStatus,
    RateLimited,
    TransientError,
    WebhookRejected,
)

__all__ = [
    "Backend",
    "BackendError",
    "Capabilities",
    "ContentRefused",
    "GenerationSpec",
    "PermanentError",
    "PriceRow",
    "ProviderJob",
    "ProviderStatus",
    "RateLimited",
    "TransientError",
    "WebhookRejected",
    "backend_classes",
    "get_backend",
]


@cache
def _classes(paths: tuple[str, ...]) -> dict[str, type[Backend]]:
    classes: dict[str, type[Backend]] = {}
    for path in paths:
        cls = import_string(path)
        classes[cls.name] = cls
    return classes


def backend_classes() -> dict[str, type[Backend]]:
    """name → class, in the order settings list them."""
    return _classes(tuple(settings.GENERATION_BACKENDS))


_instances: dict[tuple[str, type[Backend]], Backend] = {}


def get_backend(name: str) -> Backend:
    """A backend instance (built once per process: SDK clients keep their connection pools)."""
    cls = backend_classes().get(name)
    if cls is None:
        raise KeyError(name)
    key = (name, cls)
    if key not in _instances:
        _instances[key] = cls()
    return _instances[key]


def reset_backend_instances() -> None:
    """Forget built instances, so the next call re-reads the environment (tests, reloads)."""
    _instances.clear()
