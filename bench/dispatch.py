"""Dispatch throughput: jobs per second through Celery and Redis with an instant backend on two
worker processes, and where a job's time goes.

Self-contained: a temporary REVERIE_VAR_DIR with a migrated SQLite database (WAL) — or, when
DATABASE_URL points at PostgreSQL, a dedicated database `reverie_bench_dispatch` on that server
(dropped at the end) —, an embedded Redis unless REDIS_URL is set (then the worker consumes the
`default` and `render` queues there: use a Redis no other worker listens on), DEBUG off, and a
real `celery worker -c 2 -P prefork -Q default,render`.

The backend is bench/_instant_backend.py (`pinned:instant`): it renders nothing, it copies a clip
the local renderer made once at start. So a job's time is the pipeline alone: the claim, the
attempt's bookkeeping, C2PA signing, storing clip and poster, the guarded transition, the
capture, the websocket pushes, and Celery's own delivery.

  1. Per-job breakdown (no Celery): BREAKDOWN_JOBS jobs run in this process through
     services.job_run with timers around each part (backend submit, C2PA signing, storage,
     capture, pushes, …), the ORM's execute_sql and every SQL statement timed.
  2. Throughput: a warm-up, then N jobs made through services.job_create (each owner has credits;
     their enqueue held back while creating), then every job enqueued with services.job_enqueue;
     measured from the first enqueue until the database shows all N succeeded (polled every 50 ms;
     also from the jobs' own finished_at). Around the run: CPU of the worker (main process and
     pool), this process, Redis and everything else on the machine (/proc), and each task's start
     and end in the pool (so time inside tasks is told from Celery's time between them).

Last line: one JSON object (goal: jobs_per_s ≥ 100).

    python bench/dispatch.py                 # ~30 s
    python bench/dispatch.py --sql           # + the SQL of one job
    python bench/dispatch.py --jobs 100 --profile   # + cProfile of the in-process jobs
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import io
import json
import os
import pstats
import secrets
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# The app's packages must win over this folder's scripts (bench/feed.py would shadow `feed`).
sys.path[0:1] = [str(ROOT)]

from config.embedded_redis import EmbeddedRedis  # noqa: E402

GOAL_JOBS_PER_S = 100
WORKERS = 2
MAX_JOBS = 2000
WARMUP_JOBS = 8
BREAKDOWN_JOBS = 30
USERS = 10
POLL_S = 0.05
NOISY_CORES = 0.2  # more CPU than this used by other processes during the run: say so
PG_DB = "reverie_bench_dispatch"
BACKENDS = "generation.backends.local.LocalRendererBackend,bench._instant_backend.InstantBackend"
PROMPTS = [
    "a neon city at night in the rain",
    "golden sunset over the ocean with a boat",
    "a cat bouncing in the snow",
    "fireflies in a dark forest",
    "hot air balloons over mountains at dawn",
]


# --- Processes ---------------------------------------------------------------------------------


def _cpu_s(pid: int, *, children: bool = True) -> float:
    """User + system CPU seconds of a process, plus its live children's (one level: a prefork
    pool) unless children=False."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    if children:
        with contextlib.suppress(OSError):
            pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for each in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _machine_cpu_s() -> float:
    """CPU seconds every process on the machine used so far (all cores, from /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _stop(child: subprocess.Popen[bytes]) -> None:
    """SIGTERM the worker's process group (its own session: the pool children too, even if the
    main process is already gone), then kill what is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=5)
    time.sleep(0.2)  # the pool children exit right after their parent
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)


def _postgres_bench_url(url: str) -> tuple[str, str]:
    """(the bench database's URL, the server's maintenance database's URL)."""
    parts = urlsplit(url)
    return (
        urlunsplit(parts._replace(path=f"/{PG_DB}")),
        urlunsplit(parts._replace(path="/postgres")),
    )


# --- Timing instruments ------------------------------------------------------------------------


class Timers:
    def __init__(self) -> None:
        self.ns: dict[str, int] = {}
        self.calls: dict[str, int] = {}

    def add(self, name: str, ns: int) -> None:
        self.ns[name] = self.ns.get(name, 0) + ns
        self.calls[name] = self.calls.get(name, 0) + 1

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter_ns()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter_ns() - started)

        return timed


@contextlib.contextmanager
def _patched(target: Any, attribute: str, value: Any) -> Iterator[None]:
    original = getattr(target, attribute)
    setattr(target, attribute, value)
    try:
        yield
    finally:
        setattr(target, attribute, original)


@contextlib.contextmanager
def _enqueue_held(held: list[Any]) -> Iterator[None]:
    """job_create's on_commit enqueue collects the id instead of sending it."""
    from generation import services

    with _patched(services, "job_enqueue", lambda *, job_id, countdown=0: held.append(job_id)):
        yield


# --- The Django side ---------------------------------------------------------------------------


def _make_clip(workdir: Path) -> tuple[Path, Path]:
    from generation.renderer import RenderSpec, render_clip

    video, poster = workdir / "instant-source.mp4", workdir / "instant-source.jpg"
    spec = RenderSpec(prompt="a cat bouncing in the snow", seconds=1, seed=7, aspect="9:16",
                      fps=30, creator_handle="bench")  # fmt: skip
    render_clip(spec, video_path=video, poster_path=poster, threads=1)
    return video, poster


def _make_users() -> list[Any]:
    from accounts.models import User
    from credits.services import credits_adjust

    users = []
    for i in range(USERS):
        user = User.objects.create(username=f"bench_dispatch_{i}")
        credits_adjust(user=user, amount=1_000_000, reason="dispatch bench", actor=None)
        users.append(user)
    return users


def _create_jobs(users: list[Any], count: int, tag: str) -> tuple[list[Any], float]:
    """`count` jobs through services.job_create, enqueue held back. Returns (ids, seconds)."""
    from generation import services

    held: list[Any] = []
    started = time.perf_counter()
    with _enqueue_held(held):
        for i in range(count):
            request = services.JobRequest(
                prompt=f"{PROMPTS[i % len(PROMPTS)]} ({tag} {i})", seconds=1, aspect="9:16",
                policy="pinned:instant",
            )  # fmt: skip
            job, created = services.job_create(owner=users[i % len(users)], request=request)
            assert created
    elapsed = time.perf_counter() - started
    if len(held) != count:
        raise RuntimeError(f"{count} jobs created but {len(held)} enqueues held")
    return held, elapsed


def _breakdown(users: list[Any], *, profile: bool, show_sql: bool) -> dict[str, Any]:
    """Run BREAKDOWN_JOBS jobs here (no Celery) with every part timed."""
    from django.db import connection

    from bench._instant_backend import InstantBackend
    from config.storage import private_storage
    from generation import attempts, jobs, services
    from generation.models import JobStatus

    ids, _ = _create_jobs(users, BREAKDOWN_JOBS + 2, "breakdown")
    warm, ids = ids[:2], ids[2:]
    for job_id in warm:  # first use: C2PA dev chain, imports
        services.job_run(job_id=job_id)

    timers = Timers()
    sql = {"n": 0, "ns": 0}
    kinds: dict[str, int] = {}
    statements: list[tuple[str, float]] = []  # the last job's, for --sql

    def sql_timer(execute, statement, params, many, context):  # noqa: ANN001
        started = time.perf_counter_ns()
        try:
            return execute(statement, params, many, context)
        finally:
            sql["ns"] += time.perf_counter_ns() - started
            sql["n"] += 1
            kind = statement.lstrip().split(None, 1)[0].upper()
            kinds[kind] = kinds.get(kind, 0) + 1
            statements.append((statement, (time.perf_counter_ns() - started) / 1e6))

    from django.db.models.sql import compiler

    depth = [0]
    orm = {"ns": 0}

    def orm_timed(fn: Callable[..., Any]) -> Callable[..., Any]:
        """The outermost execute_sql: building the SQL, running it, fetching the rows."""

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            depth[0] += 1
            started = time.perf_counter_ns()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    orm["ns"] += time.perf_counter_ns() - started

        return timed

    class TimedTemporaryDirectory(tempfile.TemporaryDirectory):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            started = time.perf_counter_ns()
            super().__init__(*args, **kwargs)
            timers.add("working directory (make + remove)", time.perf_counter_ns() - started)

        def cleanup(self) -> None:
            started = time.perf_counter_ns()
            super().cleanup()
            timers.ns["working directory (make + remove)"] += time.perf_counter_ns() - started

    storage = private_storage()
    parts = [
        (InstantBackend, "submit", "backend submit (copy clip + poster)"),
        (attempts, "sign_clip", "C2PA signing"),
        (storage, "save", "storage save (clip + poster)"),
        (attempts, "video_path_size", "storage size"),
        (attempts, "job_capture", "credits capture"),
        (jobs, "user_event_send_now", "websocket pushes (channel layer)"),
        (attempts, "breaker_record_success", "breaker_record_success"),
        (attempts, "quote_at_price_in_force", "pricing quote"),
        (attempts, "routing_snapshot", "routing snapshot read"),
        (attempts, "job_spec", "job_spec"),
    ]
    with contextlib.ExitStack() as stack:
        for target, attribute, label in parts:
            timed = timers.wrap(label, getattr(target, attribute))
            stack.enter_context(_patched(target, attribute, timed))
        stack.enter_context(connection.execute_wrapper(sql_timer))
        for cls in (compiler.SQLCompiler, compiler.SQLInsertCompiler, compiler.SQLUpdateCompiler):
            stack.enter_context(_patched(cls, "execute_sql", orm_timed(cls.execute_sql)))
        stack.enter_context(
            _patched(attempts, "tempfile", types.SimpleNamespace(
                TemporaryDirectory=TimedTemporaryDirectory))
        )  # fmt: skip
        from accounts.services import push_loop

        push_loop.enabled = True  # as in a Celery worker (config/celery.py)
        profiler = cProfile.Profile() if profile else None
        totals, cpu_totals = [], []
        for job_id in ids:
            if profiler:
                profiler.enable()
            statements.clear()
            started, cpu_started = time.perf_counter_ns(), time.process_time_ns()
            outcome = services.job_run(job_id=job_id)
            totals.append(time.perf_counter_ns() - started)
            cpu_totals.append(time.process_time_ns() - cpu_started)
            if profiler:
                profiler.disable()
            if outcome.status != JobStatus.SUCCEEDED:
                raise RuntimeError(f"breakdown job {job_id} ended {outcome.status}")
    n = len(ids)
    total_ms, cpu_ms = statistics.fmean(totals) / 1e6, statistics.fmean(cpu_totals) / 1e6
    labels = [label for _, _, label in parts] + ["working directory (make + remove)"]
    rows = [(label, timers.ns.get(label, 0) / n / 1e6, timers.calls.get(label, 0) / n)
            for label in labels]  # fmt: skip
    rows.sort(key=lambda row: -row[1])
    rest = total_ms - sum(ms for _, ms, _ in rows)
    print(f"\nper-job breakdown, {n} jobs run in this process (services.job_run, no Celery):")
    print(
        f"  {'job_run total':40s} {total_ms:7.2f} ms  (p50 {statistics.median(totals) / 1e6:.2f};"
        f" CPU {cpu_ms:.2f} ms: the rest is waiting on Redis, disk, threads)"
    )
    for label, ms, calls in rows:
        print(f"  {label:40s} {ms:7.2f} ms  {100 * ms / total_ms:4.0f} %  ({calls:g} calls)")
    print(f"  {'rest (claim, attempt rows, transition…)':40s} {rest:7.2f} ms  "
          f"{100 * rest / total_ms:4.0f} %")  # fmt: skip
    sql_ms, orm_ms = sql["ns"] / n / 1e6, orm["ns"] / n / 1e6
    print(
        f"  across all of the above: {sql['n'] / n:.1f} SQL statements per job"
        f" ({', '.join(f'{k} {v / n:.1f}' for k, v in sorted(kinds.items()))}):"
        f" {orm_ms:.2f} ms in the ORM's execute_sql (building + running + fetching),"
        f" of which {sql_ms:.2f} ms in the database driver"
    )
    if show_sql:
        print(f"\nthe SQL of one job ({len(statements)} statements):")
        for number, (statement, ms) in enumerate(statements, 1):
            print(f"  {number:2d}. {ms:5.2f} ms  {' '.join(statement.split())[:150]}")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print("\ncProfile of the in-process jobs, by own time (top 25):")
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        print("\ncProfile by cumulative time (top 40):")
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))
    return {
        "job_ms": round(total_ms, 2),
        "job_cpu_ms": round(cpu_ms, 2),
        "parts_ms": {label: round(ms, 2) for label, ms, _ in rows} | {"rest": round(rest, 2)},
        "sql_statements": round(sql["n"] / n, 1),
        "sql_ms": round(sql_ms, 2),
        "orm_ms": round(orm_ms, 2),
    }


def _task_trace(path: Path, *, since: float) -> dict[str, Any]:
    """Task time vs Celery's time between tasks, from the pool processes' trace lines."""
    if not path.exists():
        return {}
    per_pid: dict[str, list[tuple[float, float]]] = {}
    for line in path.read_text().splitlines():
        pid, begun, ended, _name = line.split(maxsplit=3)
        if float(begun) >= since:
            per_pid.setdefault(pid, []).append((float(begun), float(ended)))
    spans = [span for runs in per_pid.values() for span in runs]
    if not spans:
        return {}
    durations = [ended - begun for begun, ended in spans]
    gaps = []
    for runs in per_pid.values():
        runs.sort()
        gaps += [b[0] - a[1] for a, b in zip(runs, runs[1:], strict=False)]
    window = max(e for _, e in spans) - min(b for b, _ in spans)
    return {
        "tasks": len(spans),
        "processes": len(per_pid),
        "task_ms_p50": round(statistics.median(durations) * 1000, 1),
        "task_ms_mean": round(statistics.fmean(durations) * 1000, 1),
        "gap_ms_p50": round(statistics.median(gaps) * 1000, 1) if gaps else None,
        "gap_ms_mean": round(statistics.fmean(gaps) * 1000, 1) if gaps else None,
        "busy": round(sum(durations) / (window * WORKERS), 3) if window > 0 else None,
    }


def _wait_for(ids: list[Any], *, timeout: float, worker: subprocess.Popen[bytes],
              log: Path) -> float:  # fmt: skip
    """Poll until every job succeeded; returns the perf_counter time it was seen."""
    from django.db.models import Count

    from generation.models import GenerationJob, JobStatus

    deadline = time.perf_counter() + timeout
    total = len(ids)
    last_report = time.perf_counter()
    while True:
        counts = dict(
            GenerationJob.objects.filter(pk__in=ids).values_list("status").annotate(n=Count("pk"))
        )
        now = time.perf_counter()
        done = counts.get(JobStatus.SUCCEEDED, 0)
        if done == total:
            return now
        bad = {k: v for k, v in counts.items() if k not in (JobStatus.SUCCEEDED, JobStatus.QUEUED,
                                                               JobStatus.RUNNING)}  # fmt: skip
        if bad:
            raise RuntimeError(f"jobs ended badly: {bad}; worker log: {log}")
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited ({worker.returncode}); log: {log}")
        if now > deadline:
            raise RuntimeError(f"timed out with {done}/{total} succeeded ({counts})")
        if now - last_report > 5:
            print(f"  … {done}/{total} succeeded", flush=True)
            last_report = now
        time.sleep(POLL_S)


def run(args: argparse.Namespace, tmp: Path, engine: str, redis_pid: int | None) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    video, poster = _make_clip(tmp)
    os.environ.update(INSTANT_BACKEND_CLIP=str(video), INSTANT_BACKEND_POSTER=str(poster))
    print(f"instant clip: {video.stat().st_size / 1e3:.0f} kB, 1 s 720×1280, made in"
          f" {time.perf_counter() - started:.2f} s", flush=True)  # fmt: skip

    from generation import services
    from generation.backend_health import backends_sync
    from generation.models import GenerationJob

    call_command("migrate", verbosity=0)
    backends_sync()
    users = _make_users()
    breakdown = _breakdown(users, profile=args.profile, show_sql=args.sql)
    connection.close()

    log, trace = tmp / "worker.log", tmp / "tasks.trace"
    # The worker imports bench._instant_backend (GENERATION_BACKENDS): the repo root on its path.
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, INSTANT_BACKEND_TRACE=str(trace), PYTHONPATH=python_path)
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default,render",
        "-c", str(WORKERS), "-P", "prefork", "-l", "warning", "--without-gossip",
        "--without-mingle", "--include", "bench._instant_backend",
        "-n", f"bench-dispatch-{secrets.token_hex(3)}@%h",
    ]  # fmt: skip
    with open(log, "wb") as handle:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=handle,
                                  start_new_session=True)  # fmt: skip
    try:
        print(f"\nworker: celery -c {WORKERS} -P prefork (pid {worker.pid}); warming up with"
              f" {WARMUP_JOBS} jobs", flush=True)  # fmt: skip
        warm, _ = _create_jobs(users, WARMUP_JOBS, "warm-up")
        for job_id in warm:
            services.job_enqueue(job_id=job_id)
        _wait_for(warm, timeout=90, worker=worker, log=log)

        ids, create_s = _create_jobs(users, args.jobs, "measured")
        print(
            f"created {args.jobs} jobs through services.job_create in {create_s:.2f} s"
            f" ({args.jobs / create_s:.0f}/s, this process); enqueueing them",
            flush=True,
        )
        worker_cpu0, cpu0 = _cpu_s(worker.pid), time.process_time()
        main_cpu0 = _cpu_s(worker.pid, children=False)
        machine0, redis0 = _machine_cpu_s(), _cpu_s(redis_pid) if redis_pid else 0.0
        wall0 = time.time()
        first = time.perf_counter()
        for job_id in ids:
            services.job_enqueue(job_id=job_id)
        enqueued = time.perf_counter()
        seen = _wait_for(ids, timeout=args.timeout, worker=worker, log=log)
        worker_cpu = _cpu_s(worker.pid) - worker_cpu0
        main_cpu = _cpu_s(worker.pid, children=False) - main_cpu0
        parent_cpu = time.process_time() - cpu0
        redis_cpu = _cpu_s(redis_pid) - redis0 if redis_pid else 0.0
        others = max(0.0, _machine_cpu_s() - machine0 - worker_cpu - parent_cpu - redis_cpu)
    finally:
        _stop(worker)

    rows = list(GenerationJob.objects.filter(pk__in=ids).values_list("started_at", "finished_at"))
    last_finished = max(finished for _, finished in rows).timestamp()
    service = sorted((finished - started).total_seconds() for started, finished in rows)
    wall = seen - first
    precise = last_finished - wall0
    jobs_per_s = args.jobs / wall
    service_p50 = statistics.median(service)
    print(
        f"\n{args.jobs} jobs: enqueued in {enqueued - first:.2f} s, all succeeded after"
        f" {wall:.2f} s (polled every {POLL_S * 1000:.0f} ms) → {jobs_per_s:.1f} jobs/s"
    )
    print(f"  by the jobs' own finished_at: {precise:.2f} s → {args.jobs / precise:.1f} jobs/s")
    print(
        f"  a job from its claim to its succeeded transition (worker side): p50"
        f" {service_p50 * 1000:.1f} ms, p90 {service[int(len(service) * 0.9)] * 1000:.1f} ms"
    )
    print(
        f"  CPU: worker processes {worker_cpu:.2f} s"
        f" ({1000 * worker_cpu / args.jobs:.1f} ms per job, of which"
        f" {1000 * main_cpu / args.jobs:.1f} in Celery's main process,"
        f" {worker_cpu / wall:.2f} of {os.cpu_count()} cores), this process {parent_cpu:.2f} s,"
        f" Redis {redis_cpu:.2f} s, everything else on the machine {others:.2f} s"
        f" ({others / wall:.2f} cores)"
    )
    if others / wall > NOISY_CORES:
        print(f"  NOTE: other processes used {others / wall:.2f} cores during the run: the"
              " machine was not quiet, expect lower numbers than on an idle one")  # fmt: skip
    tasks = _task_trace(trace, since=wall0)
    if tasks:
        print(
            f"  worker pool, from each task's start/end ({tasks['tasks']} tasks,"
            f" {tasks['processes']} processes): in a task p50 {tasks['task_ms_p50']:.1f} ms"
            f" (mean {tasks['task_ms_mean']:.1f}); between one task's end and the same process's"
            f" next start p50 {tasks['gap_ms_p50']:.1f} ms (mean {tasks['gap_ms_mean']:.1f});"
            f" busy in tasks {100 * tasks['busy']:.0f} % of the wall time"
        )
        budget = 1000 * WORKERS / GOAL_JOBS_PER_S
        spent = tasks["task_ms_mean"] + (tasks["gap_ms_mean"] or 0.0)
        top = sorted(breakdown["parts_ms"].items(), key=lambda kv: -kv[1])[:4]
        print(
            f"where the time goes: the goal leaves {budget:.0f} ms of a worker process per job;"
            f" it takes {spent:.1f} ms = {tasks['gap_ms_mean']:.1f} ms of Celery between tasks +"
            f" {tasks['task_ms_mean']:.1f} ms in the task, whose job_run alone takes"
            f" {breakdown['job_ms']:.1f} ms in a quiet single process, most of it in "
            + ", ".join(f"{label} {ms:.1f}" for label, ms in top)
            + f" ms ({breakdown['sql_statements']:g} SQL statements,"
            f" {breakdown['orm_ms']:.1f} ms in the ORM)"
        )
    met = jobs_per_s >= GOAL_JOBS_PER_S
    print(f"goal: ≥ {GOAL_JOBS_PER_S} jobs/s → {'met' if met else 'MISSED'}")
    return {
        "jobs_per_s": round(jobs_per_s, 1),
        "jobs_per_s_by_finished_at": round(args.jobs / precise, 1),
        "jobs": args.jobs,
        "workers": WORKERS,
        "goal_jobs_per_s": GOAL_JOBS_PER_S,
        "met": met,
        "wall_s": round(wall, 3),
        "worker_job_ms_p50": round(service_p50 * 1000, 1),
        "worker_cpu_ms_per_job": round(1000 * worker_cpu / args.jobs, 1),
        "worker_main_cpu_ms_per_job": round(1000 * main_cpu / args.jobs, 1),
        "worker_cores_used": round(worker_cpu / wall, 2),
        "other_cores_used": round(others / wall, 2),
        "cores": os.cpu_count(),
        "job_create_per_s": round(args.jobs / create_s, 1),
        "worker_tasks": tasks,
        "breakdown": breakdown,
        "db": engine,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300, help=f"measured jobs (≤ {MAX_JOBS})")
    parser.add_argument("--timeout", type=float, default=90, help="seconds to wait for them")
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process jobs")
    parser.add_argument("--sql", action="store_true", help="list the SQL of one in-process job")
    args = parser.parse_args()
    if not 10 <= args.jobs <= MAX_JOBS:
        sys.exit(f"--jobs: 10 to {MAX_JOBS}")
    # A SIGTERM ends like Ctrl-C: through the finally blocks that stop every child.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    with tempfile.TemporaryDirectory(prefix="reverie-bench-dispatch-") as tmp_name:
        tmp = Path(tmp_name)
        database_url = os.environ.get("DATABASE_URL", "")
        maintenance = None
        if database_url.startswith("postgres"):
            database_url, maintenance = _postgres_bench_url(database_url)
            engine = "postgresql"
        else:
            database_url, engine = "", "sqlite"
        os.environ.update(
            REVERIE_VAR_DIR=str(tmp), DJANGO_SETTINGS_MODULE="config.settings", DEBUG="false",
            SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
            ALLOWED_HOSTS="127.0.0.1,localhost", GENERATION_BACKENDS=BACKENDS,
            CACHE_KEY_PREFIX=f"bench-dispatch-{secrets.token_hex(4)}",
            CHANNEL_PREFIX=f"bench-dispatch-{secrets.token_hex(4)}",
            LOG_LEVEL="WARNING", RENDER_THREADS="1", PYTHONUNBUFFERED="1",
        )  # fmt: skip
        if database_url:
            os.environ["DATABASE_URL"] = database_url
        else:
            os.environ.pop("DATABASE_URL", None)
        redis = None
        created_db = False
        try:
            if not os.environ.get("REDIS_URL"):
                redis = EmbeddedRedis(tmp / "redis", persist=False)
                os.environ["REDIS_URL"] = redis.start()
            if maintenance:
                import psycopg

                with psycopg.connect(maintenance, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
                    conn.execute(f"CREATE DATABASE {PG_DB}")
                created_db = True
            print(f"database: {engine}; redis: {os.environ['REDIS_URL']}", flush=True)
            result = run(args, tmp, engine, redis.process.pid if redis and redis.process else None)
        finally:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            if created_db and maintenance:
                import psycopg

                with psycopg.connect(maintenance, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            if redis:
                redis.stop()
    print(json.dumps(result))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted; every child process was stopped")
