from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class GenerationConfig(AppConfig):
    name = "generation"
    verbose_name = "Generation"

    def ready(self) -> None:
        from generation import checks  # noqa: F401  (registers the system checks)
        from generation.models import BackendConfig, BackendPrice

        post_migrate.connect(_sync_backends, sender=self)
        for model in (BackendConfig, BackendPrice):
            # An operator's switch or price change reaches the router at once.
            post_save.connect(_invalidate_routing, sender=model)
            post_delete.connect(_invalidate_routing, sender=model)


def _sync_backends(**kwargs: Any) -> None:
    # Deferred: app modules import models, which must not load before the app registry is ready.
    from generation.backend_health import backends_sync

    backends_sync()


def _invalidate_routing(**kwargs: Any) -> None:
    from generation.routing import routing_snapshot_invalidate  # deferred: see above

    routing_snapshot_invalidate()
