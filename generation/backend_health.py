"""Writes to the backends' admin rows: sync with the registry, the operator's switch and the
circuit breaker. Each change invalidates the routing snapshot, which itself only reads."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from generation.backends import backend_classes
from generation.models import BackendConfig, BackendPrice
from generation.routing import routing_snapshot, routing_snapshot_invalidate


def backends_sync() -> None:
    """Make sure every registered backend has its admin row and its published prices.

    A price dated later than anything in the table for that tier and resolution is added (so a
    release with new provider prices updates them); an operator's own newer rows are kept."""
    for name, cls in backend_classes().items():
        try:
            with transaction.atomic():
                config, _ = BackendConfig.objects.get_or_create(
                    name=name, defaults={"quality": cls.default_quality}
                )
        except IntegrityError:  # another process created it meanwhile
            config = BackendConfig.objects.get(name=name)
        for row in cls.default_prices:
            if BackendPrice.objects.filter(
                backend=config, tier=row.tier, resolution=row.resolution, as_of__gte=row.as_of
            ).exists():
                continue
            try:
                with transaction.atomic():
                    BackendPrice.objects.create(
                        backend=config, tier=row.tier, resolution=row.resolution,
                        usd_per_second=row.usd_per_second, as_of=row.as_of, source=row.source,
                    )  # fmt: skip
            except IntegrityError:
                pass
    routing_snapshot_invalidate()


def breaker_record_failure(*, backend: str) -> bool:
    """Count a failure; (re)open the circuit at the threshold. Returns True if it is open now."""
    threshold = settings.GENERATION_CIRCUIT_FAILURES
    with transaction.atomic():
        config = BackendConfig.objects.select_for_update().filter(name=backend).first()
        if config is None:
            return False
        config.consecutive_failures += 1
        if config.consecutive_failures >= threshold:
            # A failed half-open trial re-opens it for another full cool-down.
            config.circuit_opened_at = timezone.now()
        config.save(update_fields=["consecutive_failures", "circuit_opened_at", "updated_at"])
    routing_snapshot_invalidate()
    return config.circuit_opened_at is not None


def breaker_claim_trial(*, backend: str) -> bool:
    """A half-open circuit lets one trial through: the first to claim it re-arms the cool-down,
    so others keep away until the trial succeeds (closing it) or fails (re-opening it)."""
    now = timezone.now()
    claimed = BackendConfig.objects.filter(
        name=backend, circuit_opened_at__lte=now - settings.GENERATION_CIRCUIT_COOLDOWN
    ).update(circuit_opened_at=now, updated_at=now)
    if claimed:
        routing_snapshot_invalidate()
    return bool(claimed)


def breaker_record_success(*, backend: str) -> None:
    """A success closes the circuit (an UPDATE only when the snapshot shows a count)."""
    state = routing_snapshot().backends.get(backend)
    if state is None or state.consecutive_failures or state.circuit_opened_at is not None:
        breakers_close(names=[backend])


def breakers_close(*, names: list[str]) -> int:
    """Close these backends' circuits (a success, or an operator's reset); returns how many
    were counting failures or open."""
    changed = (
        BackendConfig.objects.filter(name__in=names)
        .filter(Q(consecutive_failures__gt=0) | Q(circuit_opened_at__isnull=False))
        .update(consecutive_failures=0, circuit_opened_at=None, updated_at=timezone.now())
    )
    if changed:
        routing_snapshot_invalidate()  # update() sends no post_save
    return changed


def backends_set_enabled(*, names: list[str], enabled: bool) -> int:
    """The operator's switch; the router sees it at once."""
    changed = BackendConfig.objects.filter(name__in=names).update(
        enabled=enabled, updated_at=timezone.now()
    )
    routing_snapshot_invalidate()
    return changed
