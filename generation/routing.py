"""The router: which backend makes a clip, by price, speed or quality — and what if it fails.

A decision (`plan_route`) is pure computation over a `RoutingSnapshot`: the backends' switches,
prices in force, circuit-breaker state and health (success rate, p50/p95 latency from recent
attempts). The snapshot is rebuilt from the database at most every GENERATION_HEALTH_TTL seconds
(shared through the cache) and kept in process memory for a second, so routing does no I/O beyond
reading that cached copy.

Policies: `cheapest` (price, then speed), `fastest` (expected time from p50, then price), `best`
(the operator's quality score, then success rate, then price), `pinned:<backend>` (that backend
only, no fallback). Backends whose recent success rate is poor sink below healthy ones; a backend
whose circuit is open is skipped until its cool-down passes, then one trial is let through.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from config.errors import DomainError
from generation.backends import backend_classes
from generation.backends.base import Backend, GenerationSpec
from generation.models import AttemptOutcome, BackendConfig, BackendPrice, GenerationAttempt
from generation.pricing import Quote, price_credits, quote, resolution_for

POLICIES = ("cheapest", "fastest", "best")
SNAPSHOT_KEY = "generation:routing-snapshot:v1"
VERSION_KEY = "generation:routing-snapshot-version"
LOCAL_COPY_SECONDS = 1.0
UNHEALTHY_BELOW = 0.5  # success rate under which a backend sinks in every ranking…
UNHEALTHY_MIN_SAMPLES = 5  # …once it has at least this many recent attempts
# What health looks at: finished attempts of the last day, cancelled ones and content refusals
# excluded (neither says anything about the backend's reliability).
HEALTH_HORIZON = timedelta(days=1)


class CircuitState:
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class Price:
    usd_per_second: Decimal
    as_of: date
    source: str = ""


@dataclass(frozen=True)
class Health:
    samples: int = 0
    successes: int = 0
    p50_s: float | None = None
    p95_s: float | None = None
    p50_per_clip_second: float | None = None

    @property
    def success_rate(self) -> float | None:
        return self.successes / self.samples if self.samples else None

    @property
    def unhealthy(self) -> bool:
        rate = self.success_rate
        return self.samples >= UNHEALTHY_MIN_SAMPLES and rate is not None and rate < UNHEALTHY_BELOW


@dataclass(frozen=True)
class BackendState:
    name: str
    label: str
    enabled: bool
    quality: int
    prices: dict[tuple[str, str], Price]
    health: Health
    consecutive_failures: int = 0
    circuit_opened_at: float | None = None  # epoch seconds

    def circuit(self, now: float) -> str:
        if self.circuit_opened_at is None:
            return CircuitState.CLOSED
        cooldown = settings.GENERATION_CIRCUIT_COOLDOWN.total_seconds()
        if now < self.circuit_opened_at + cooldown:
            return CircuitState.OPEN
        return CircuitState.HALF_OPEN


@dataclass(frozen=True)
class RoutingSnapshot:
    backends: dict[str, BackendState]
    built_at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Candidate:
    backend: str
    label: str
    credits: int
    usd_per_second: Decimal
    billed_seconds: int
    expected_seconds: float
    quality: int
    success_rate: float | None
    circuit: str


@dataclass(frozen=True)
class RoutePlan:
    policy: str
    candidates: tuple[Candidate, ...]
    refusals: dict[str, str]

    @property
    def chosen(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def refusal_message(self) -> str:
        reasons = "; ".join(f"{name} {why}" for name, why in self.refusals.items())
        return f"No enabled backend can make this clip ({reasons})." if reasons else (
            "No backend is enabled."
        )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Decisions (pure)
# ---------------------------------------------------------------------------------------------


def policy_validate(policy: str) -> str:
    """The policy, normalised; a DomainError (400) names the valid ones."""
    policy = (policy or settings.GENERATION_ROUTING_POLICY).strip()
    if policy in POLICIES:
        return policy
    if policy.startswith("pinned:") and policy.removeprefix("pinned:") in backend_classes():
        return policy
    choices = [*POLICIES, *(f"pinned:{name}" for name in backend_classes())]
    raise DomainError(
        "Unknown routing policy.", fields={"policy": [f"Choose one of {', '.join(choices)}."]}
    )


def route_plan_for(
    *, prompt: str, seconds: int, aspect: str, tier: str, fps: int, policy: str
) -> RoutePlan:
    """The backends that could make this clip, ranked by the request's policy (no I/O beyond
    the cached routing snapshot)."""
    spec = GenerationSpec(prompt=prompt, seconds=seconds, aspect=aspect, tier=tier, fps=fps)
    return plan_route(spec, policy_validate(policy))


def plan_route(
    spec: GenerationSpec,
    policy: str,
    *,
    snapshot: RoutingSnapshot | None = None,
    resolution: str = "720p",
    now: float | None = None,
) -> RoutePlan:
    """Rank the backends that can serve `spec` under `policy` (no I/O with a snapshot given)."""
    snapshot = snapshot if snapshot is not None else routing_snapshot()
    now = time.time() if now is None else now
    pinned = policy.removeprefix("pinned:") if policy.startswith("pinned:") else None
    classes = backend_classes()
    candidates: list[Candidate] = []
    refusals: dict[str, str] = {}
    for name, cls in classes.items():
        if pinned is not None and name != pinned:
            continue
        state = snapshot.backends.get(name)
        if state is None or not state.enabled:
            refusals[name] = "is switched off"
            continue
        if not cls.is_configured():  # this process's environment, read now
            refusals[name] = "is not configured on this server"
            continue
        circuit = state.circuit(now)
        if circuit == CircuitState.OPEN:
            refusals[name] = "is paused after repeated failures"
            continue
        why = cls.capabilities.refusal(spec)
        if why is not None:
            refusals[name] = why
            continue
        price = price_in_force(state, cls.capabilities.resolutions, spec.tier, resolution)
        if price is None:
            refusals[name] = f"has no {spec.tier} price"
            continue
        billed = cls.capabilities.seconds_for(spec.seconds, spec.tier) or spec.seconds
        per_clip_second = (
            state.health.p50_per_clip_second
            if state.health.p50_per_clip_second is not None
            else cls.default_seconds_per_clip_second
        )
        candidates.append(
            Candidate(
                backend=name,
                label=state.label,
                credits=price_credits(
                    seconds=spec.seconds,
                    billed_seconds=billed,
                    resolution=resolution,
                    tier=spec.tier,
                    usd_per_second=price.usd_per_second,
                ),  # fmt: skip
                usd_per_second=price.usd_per_second,
                billed_seconds=billed,
                expected_seconds=round(per_clip_second * billed, 1),
                quality=state.quality,
                success_rate=state.health.success_rate,
                circuit=circuit,
            )
        )
    unhealthy = {name for name, s in snapshot.backends.items() if s.health.unhealthy}
    if policy == "fastest":
        candidates.sort(
            key=lambda c: (c.backend in unhealthy, c.expected_seconds, c.credits, c.backend)
        )
    elif policy == "best":
        candidates.sort(
            key=lambda c: (
                c.backend in unhealthy,
                -c.quality,
                -(c.success_rate or 0.0),
                c.credits,
                c.backend,
            )
        )
    else:  # cheapest (and a pin, which has one candidate at most)
        candidates.sort(
            key=lambda c: (c.backend in unhealthy, c.credits, c.expected_seconds, c.backend)
        )
    return RoutePlan(policy=policy, candidates=tuple(candidates), refusals=refusals)


def price_in_force(
    state: BackendState, native: tuple[str, ...], tier: str, resolution: str
) -> Price | None:
    """The price for Reverie's output resolution; a backend that only makes a lower one (a
    480p GPU model, upscaled in post-processing) is priced by its own resolution's row."""
    price = state.prices.get((tier, resolution))
    if price is None:
        price = next((state.prices[(tier, r)] for r in native if (tier, r) in state.prices), None)
    return price


def backend_usd_per_second(*, backend: str, tier: str, resolution: str) -> Decimal:
    """The price in force for a backend (cached routing snapshot, so no query per call)."""
    state = routing_snapshot().backends.get(backend)
    cls = backend_classes().get(backend)
    price = (
        price_in_force(state, cls.capabilities.resolutions, tier, resolution)
        if state is not None and cls is not None
        else None
    )
    if price is None:
        raise KeyError(f"No {tier} {resolution} price for backend {backend!r}.")
    return price.usd_per_second


def quote_at_price_in_force(
    *,
    seconds: int,
    width: int,
    height: int,
    tier: str = "standard",
    backend: str = "local",
    billed_seconds: int | None = None,
) -> Quote:
    """`pricing.quote` with the backend's price in force from the price table."""
    usd = backend_usd_per_second(
        backend=backend, tier=tier, resolution=resolution_for(width, height)
    )
    return quote(
        seconds=seconds, width=width, height=height, tier=tier, backend=backend,
        usd_per_second=usd, billed_seconds=billed_seconds,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The snapshot (cached reads)
# ---------------------------------------------------------------------------------------------

_local: dict[str, tuple[float, RoutingSnapshot]] = {}


def routing_snapshot() -> RoutingSnapshot:
    """The cached snapshot: process memory (1 s), then the shared cache, then the database."""
    key = cache.make_key(SNAPSHOT_KEY)  # carries the cache's prefix (one per test)
    held = _local.get(key)
    now = time.monotonic()
    if held is not None and now - held[0] < LOCAL_COPY_SECONDS:
        return held[1]
    snapshot = cache.get(SNAPSHOT_KEY)
    if snapshot is None:
        version = cache.get(VERSION_KEY)
        snapshot = routing_snapshot_build()
        # Don't publish a snapshot an invalidation overtook while it was being built.
        if cache.get(VERSION_KEY) == version:
            cache.set(SNAPSHOT_KEY, snapshot, settings.GENERATION_HEALTH_TTL)
    _local[key] = (now, snapshot)
    return snapshot


def routing_snapshot_invalidate() -> None:
    """Forget cached copies after a switch, price or circuit change (this process immediately,
    others within LOCAL_COPY_SECONDS)."""
    _local.pop(cache.make_key(SNAPSHOT_KEY), None)
    if not cache.add(VERSION_KEY, 1, None):
        cache.incr(VERSION_KEY)
    cache.delete(SNAPSHOT_KEY)


def routing_snapshot_build() -> RoutingSnapshot:
    """Read the switches, prices and health into a snapshot. Read-only: a backend registered
    since the last sync (`backend_health.backends_sync`, run after every migrate) routes with
    its defaults — enabled, its default quality and published prices — until its row exists."""
    classes = backend_classes()
    configs = {config.name: config for config in BackendConfig.objects.all()}
    prices = prices_in_force()
    health = health_by_backend()
    today = timezone.localdate()
    states: dict[str, BackendState] = {}
    for name, cls in classes.items():
        config = configs.get(name)
        if config is None:
            states[name] = BackendState(
                name=name, label=cls.label, enabled=True, quality=cls.default_quality,
                prices=prices.get(name) or _published_prices(cls, on=today),
                health=health.get(name, Health()),
            )  # fmt: skip
            continue
        opened = config.circuit_opened_at
        states[name] = BackendState(
            name=name,
            label=cls.label,
            enabled=config.enabled,
            quality=config.quality,
            prices=prices.get(name, {}),
            health=health.get(name, Health()),
            consecutive_failures=config.consecutive_failures,
            circuit_opened_at=opened.timestamp() if opened is not None else None,
        )
    return RoutingSnapshot(backends=states)


def _published_prices(cls: type[Backend], *, on: date) -> dict[tuple[str, str], Price]:
    table: dict[tuple[str, str], Price] = {}
    for row in sorted(cls.default_prices, key=lambda row: row.as_of, reverse=True):
        if row.as_of <= on:
            table.setdefault(
                (row.tier, row.resolution), Price(row.usd_per_second, row.as_of, row.source)
            )
    return table


def prices_in_force(*, on: date | None = None) -> dict[str, dict[tuple[str, str], Price]]:
    """For every backend, the newest price per (tier, resolution) dated on or before `on`."""
    on = on or timezone.localdate()
    table: dict[str, dict[tuple[str, str], Price]] = {}
    rows = (
        BackendPrice.objects.filter(as_of__lte=on)
        .order_by("-as_of", "-pk")
        .values_list("backend__name", "tier", "resolution", "usd_per_second", "as_of", "source")
    )
    for backend, tier, resolution, usd, as_of, source in rows:
        table.setdefault(backend, {}).setdefault((tier, resolution), Price(usd, as_of, source))
    return table


def health_by_backend(*, now: datetime | None = None) -> dict[str, Health]:
    """Success rate and latency percentiles from each backend's most recent finished attempts."""
    now = now or timezone.now()
    window = settings.GENERATION_HEALTH_WINDOW
    rows = (
        GenerationAttempt.objects.filter(finished_at__gte=now - HEALTH_HORIZON)
        .exclude(outcome__in=[AttemptOutcome.RUNNING, AttemptOutcome.CANCELLED,
                              AttemptOutcome.REFUSED])
        .order_by("-finished_at")
        .values_list("backend", "outcome", "started_at", "finished_at", "provider_seconds")
    )[: window * max(1, len(backend_classes()))]  # fmt: skip
    per_backend: dict[str, list[tuple[str, float, int]]] = {}
    for backend, outcome, started, finished, seconds in rows:
        bucket = per_backend.setdefault(backend, [])
        if len(bucket) < window:
            bucket.append((outcome, (finished - started).total_seconds(), seconds or 0))
    health: dict[str, Health] = {}
    for backend, bucket in per_backend.items():
        wins = [(latency, secs) for outcome, latency, secs in bucket if outcome == "succeeded"]
        latencies = sorted(latency for latency, _ in wins)
        per_second = sorted(latency / seconds for latency, seconds in wins if seconds)
        health[backend] = Health(
            samples=len(bucket),
            successes=len(wins),
            p50_s=percentile(latencies, 50),
            p95_s=percentile(latencies, 95),
            p50_per_clip_second=percentile(per_second, 50),
        )
    return health


def percentile(ordered: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats drifting
    return round(ordered[int(rank) - 1], 3)
