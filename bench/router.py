"""Routing decisions: the cost of one `plan_route(spec, policy)` over 8 backends, next to the
cost of the snapshot rebuild that caching saves it.

Self-contained: a temporary SQLite database (migrated here) and media folder, an embedded Redis
unless REDIS_URL is set (the snapshot's shared cache; a key prefix of its own). Every backend in
settings.GENERATION_BACKENDS is configured with fake keys (no network: routing never calls a
provider) and has recorded health: 100 finished attempts each with its own success rate and
latencies; one backend is unhealthy (sinks in every ranking), one has its circuit open (refused),
one is half-open after its cool-down (let through).

10,000 decisions over varied specs (1–10 s, the three aspects, both tiers) and every policy
(cheapest, fastest, best, pinned:<each backend>), each timed alone with perf_counter_ns. A
decision reads the snapshot from process memory (refreshed from the shared cache every second),
exactly as job_create does. Side by side: a read of the shared cache (process copy dropped) and a
full rebuild from the database (routing_snapshot_build). Last line: one JSON object.

    python bench/router.py
"""

from __future__ import annotations

import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The app's packages must win over this folder's scripts (bench/feed.py would shadow `feed`).
sys.path[0:1] = [str(ROOT)]

from config.embedded_redis import EmbeddedRedis  # noqa: E402

DECISIONS = 10_000
GOAL_P99_US = 1000
SNAPSHOT_SAMPLES = 100
SEED = 20260101
ASPECTS = ("9:16", "1:1", "16:9")
TIERS = ("standard", "pro")
PROMPTS = [
    "a neon city at night in the rain",
    "golden sunset over the ocean with a boat",
    "a cat bouncing in the snow",
    "hot air balloons over mountains at dawn",
    "a lighthouse in a storm",
]
# Fake credentials: enough for Backend.is_configured(); nothing here talks to a provider.
FAKE_ENV = {
    "RUNWAYML_API_SECRET": "bench-runway-key",
    "LUMA_AGENTS_API_KEY": "bench-luma-key",
    "GEMINI_API_KEY": "bench-gemini-key",
    "FAL_KEY": "bench-fal-key",
    "REPLICATE_API_TOKEN": "bench-replicate-token",
    "OPENAI_VIDEOS_API_KEY": "bench-openai-key",
    "OPENAI_VIDEOS_BASE_URL": "http://127.0.0.1:9/v1",
    "DIFFUSERS_MODEL_PATH": "/nonexistent/bench-model",
}
# Recorded health per backend: (success rate, median seconds per clip-second). One sinks
# (success under 50 %), the rest differ in speed so `fastest` has something to rank.
HEALTH_PLAN = {
    "local": (0.99, 0.3),
    "runway": (0.95, 6.0),
    "veo": (0.9, 9.0),
    "luma": (0.92, 7.5),
    "fal": (0.97, 5.0),
    "replicate": (0.35, 8.0),  # unhealthy
    "openai_compat": (0.85, 12.0),
    "diffusers": (0.9, 20.0),
}
CIRCUIT_OPEN = "openai_compat"  # opened 10 s ago: refused for the cool-down
CIRCUIT_HALF_OPEN = "veo"  # opened an hour ago: one trial let through
ATTEMPTS_PER_BACKEND = 100  # = GENERATION_HEALTH_WINDOW's default


def _pct(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def _seed_health() -> None:
    """ATTEMPTS_PER_BACKEND finished attempts per backend, spread over the last few hours."""
    from django.utils import timezone

    from accounts.models import User
    from generation.backends import backend_classes
    from generation.models import AttemptOutcome, BackendConfig, GenerationAttempt, GenerationJob

    rng = random.Random(SEED)
    owner = User.objects.create(username="bench_router")
    now = timezone.now()
    rows = []
    for name in backend_classes():
        rate, per_second = HEALTH_PLAN.get(name, (0.9, 10.0))
        job = GenerationJob.objects.create(owner=owner, prompt="health", seconds=5, seed=1)
        for number in range(1, ATTEMPTS_PER_BACKEND + 1):
            seconds = rng.randint(1, 10)
            won = rng.random() < rate
            outcome = (
                AttemptOutcome.SUCCEEDED if won
                else rng.choice([AttemptOutcome.FAILED, AttemptOutcome.TIMED_OUT,
                                 AttemptOutcome.RATE_LIMITED])
            )  # fmt: skip
            latency = seconds * per_second * rng.uniform(0.6, 1.8)
            finished = now - timedelta(seconds=rng.uniform(1, 6 * 3600))
            rows.append(
                GenerationAttempt(
                    job=job,
                    number=number,
                    backend=name,
                    outcome=outcome,
                    provider_seconds=seconds,
                    started_at=finished - timedelta(seconds=latency),
                    finished_at=finished,
                    submitted_at=finished - timedelta(seconds=latency),
                )  # fmt: skip
            )
    GenerationAttempt.objects.bulk_create(rows, batch_size=500)
    BackendConfig.objects.filter(name=CIRCUIT_OPEN).update(
        consecutive_failures=3, circuit_opened_at=now - timedelta(seconds=10)
    )
    BackendConfig.objects.filter(name=CIRCUIT_HALF_OPEN).update(
        consecutive_failures=3, circuit_opened_at=now - timedelta(hours=1)
    )


def _workload(backends: list[str]) -> list[tuple[object, str]]:
    from generation.backends.base import GenerationSpec

    rng = random.Random(SEED)
    policies = ["cheapest", "fastest", "best", *(f"pinned:{name}" for name in backends)]
    work = []
    for i in range(DECISIONS):
        spec = GenerationSpec(
            prompt=rng.choice(PROMPTS),
            seconds=rng.randint(1, 10),
            aspect=rng.choice(ASPECTS),
            tier=rng.choice(TIERS),
            seed=rng.randrange(2**31),
        )
        work.append((spec, policies[i % len(policies)]))
    rng.shuffle(work)
    return work


def _time_us(fn: Callable[[], object], samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        started = time.perf_counter_ns()
        fn()
        times.append((time.perf_counter_ns() - started) / 1000)
    return sorted(times)


def run() -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    from generation import routing
    from generation.backend_health import backends_sync
    from generation.backends import backend_classes

    call_command("migrate", verbosity=0)
    backends_sync()
    _seed_health()
    routing.routing_snapshot_invalidate()

    backends = list(backend_classes())
    snapshot = routing.routing_snapshot()  # built once, cached in Redis and in this process
    print(f"{len(backends)} backends: {', '.join(backends)}")
    classes = backend_classes()
    for name, state in snapshot.backends.items():
        health = state.health
        print(
            f"  {name:14s} configured={classes[name].is_configured()!s:5s}"
            f" circuit={state.circuit(time.time()):9s}"
            f" samples={health.samples:3d} success={health.success_rate or 0:.2f}"
            f" p50={health.p50_s}s unhealthy={health.unhealthy}"
        )
    unconfigured = [name for name, cls in classes.items() if not cls.is_configured()]
    if unconfigured:
        raise SystemExit(f"not configured (set their keys in FAKE_ENV): {unconfigured}")

    work = _workload(backends)
    for spec, policy in work[:500]:  # warm-up: bytecode caches, first cache read
        routing.plan_route(spec, policy)

    from django.db import connection

    times_ns: list[int] = []
    chosen: dict[str, dict[str, int]] = {}
    queries: list[str] = []  # SQL run during the decisions: must stay empty

    def count_sql(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        queries.append(sql)
        return execute(sql, params, many, context)

    plan_route, perf = routing.plan_route, time.perf_counter_ns
    loop_started = time.perf_counter()
    with connection.execute_wrapper(count_sql):
        for spec, policy in work:
            started = perf()
            plan = plan_route(spec, policy)
            times_ns.append(perf() - started)
            kind = "pinned" if policy.startswith("pinned:") else policy
            pick = plan.chosen.backend if plan.chosen else "(refused)"
            counts = chosen.setdefault(kind, {})
            counts[pick] = counts.get(pick, 0) + 1
    loop_s = time.perf_counter() - loop_started
    decisions = sorted(t / 1000 for t in times_ns)

    # Side by side: what a decision would pay without the process copy, and without any cache.
    def cache_read() -> None:
        routing._local.clear()
        routing.routing_snapshot()

    reads = _time_us(cache_read, SNAPSHOT_SAMPLES)
    builds = _time_us(routing.routing_snapshot_build, SNAPSHOT_SAMPLES)
    from django.core.cache import cache

    connection.close()
    cache.close()

    p50, p99 = _pct(decisions, 50), _pct(decisions, 99)
    build_p50, read_p50 = _pct(builds, 50), _pct(reads, 50)
    print(f"\n{DECISIONS} decisions, policies cycled over specs of 1–10 s × 3 aspects × 2 tiers:")
    for kind, counts in chosen.items():
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        print(f"  {kind:9s} → " + ", ".join(f"{name} {n}" for name, n in ranked))
    print(
        f"{DECISIONS} decisions in {loop_s:.2f} s; SQL statements during them: {len(queries)}"
        f" (the snapshot is read from process memory, refreshed from the shared cache"
        f" every {routing.LOCAL_COPY_SECONDS:g} s)"
    )
    print(
        f"decision (plan_route, snapshot from process memory): p50 {p50:.1f} µs,"
        f" p90 {_pct(decisions, 90):.1f} µs, p99 {p99:.1f} µs,"
        f" p99.9 {_pct(decisions, 99.9):.1f} µs,"
        f" max {decisions[-1]:.1f} µs, mean {statistics.fmean(decisions):.1f} µs"
    )
    print(
        f"snapshot from the shared cache (Redis GET + unpickle): p50 {read_p50:.1f} µs,"
        f" p99 {_pct(reads, 99):.1f} µs  ({read_p50 / p50:.1f}× a decision)"
    )
    print(
        f"snapshot rebuild (routing_snapshot_build, {SNAPSHOT_SAMPLES}× on SQLite):"
        f" p50 {build_p50:.1f} µs, p99 {_pct(builds, 99):.1f} µs"
        f"  ({build_p50 / p50:.0f}× a decision)"
    )
    met = p99 <= GOAL_P99_US
    print(f"goal: decision p99 ≤ {GOAL_P99_US} µs → {'met' if met else 'MISSED'}")
    return {
        "decisions": DECISIONS,
        "backends": len(backends),
        "policies": 3 + len(backends),
        "decision_p50_us": round(p50, 1),
        "decision_p90_us": round(_pct(decisions, 90), 1),
        "decision_p99_us": round(p99, 1),
        "decision_max_us": round(decisions[-1], 1),
        "goal_p99_us": GOAL_P99_US,
        "met": met,
        "snapshot_cache_read_p50_us": round(read_p50, 1),
        "snapshot_build_p50_us": round(build_p50, 1),
        "snapshot_build_p99_us": round(_pct(builds, 99), 1),
        "build_over_decision_p50": round(build_p50 / p50, 1),
        "cache_read_over_decision_p50": round(read_p50 / p50, 1),
        "sql_in_decisions": len(queries),
        "db": "sqlite",
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="reverie-bench-router-") as tmp:
        os.environ.update(FAKE_ENV)
        os.environ.update(
            REVERIE_VAR_DIR=tmp,
            DJANGO_SETTINGS_MODULE="config.settings",
            CACHE_KEY_PREFIX=f"bench-router-{secrets.token_hex(4)}",
            LOG_LEVEL="WARNING",
        )
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("GENERATION_BACKENDS", None)  # the 8 registered by default
        redis = None
        try:
            if not os.environ.get("REDIS_URL"):
                redis = EmbeddedRedis(Path(tmp) / "redis", persist=False)
                os.environ["REDIS_URL"] = redis.start()
            result = run()
        finally:
            if redis:
                redis.stop()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
