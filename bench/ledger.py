"""Ledger throughput: hold+capture pairs per second on PostgreSQL, with 1 and with 16 clients.

Self-contained: a dedicated PostgreSQL database (`reverie_bench_ledger`, dropped at the end unless
--keep), an embedded Redis unless REDIS_URL is set, a temporary REVERIE_VAR_DIR, DEBUG off (no
query log), Django set up in this process (and in each client process, if processes are used).

One pair = what a generation costs the ledger, without the job pipeline around it:
  1. one transaction: INSERT a GenerationJob (queued, quote_credits=Q), credits_hold for it,
     save hold_free/hold_paid — exactly as generation.services creates a job;
  2. later, its own transaction: job_capture(job=job, price=Q) (credits_capture and the job's
     charge) — as the worker does.
Each client has its own database connection and runs pairs back to back for --seconds after a
--warmup; throughput = pairs finished inside the window / --seconds.

Scenarios (every wallet gets FREE_CREDITS_PER_DAY as configured plus plenty of paid credits):
  - 1 client, 1 wallet                                   → pairs_per_s_1
  - 16 clients, each its own wallet (no lock contention) → pairs_per_s_16 (the headline)
  - 16 clients on 4 wallets (4 clients queue on each account row lock)
                                                         → pairs_per_s_16_shared_wallets
Python threads share the GIL, so 16 clients are run both as threads and as processes (each
process does its own django.setup()) in a short trial; the faster is used (--mode to force one).
After every scenario: reconcile() must find no mismatch, no balance may be negative, nothing may
stay held and every job must have exactly one hold and one capture — otherwise exit 1.

Last line: one JSON object (goal: pairs_per_s_16 ≥ 500).

    python bench/ledger.py                 # ~2 minutes
    python bench/ledger.py --seconds 3 --warmup 1 --mode threads   # quick trial
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import queue
import re
import secrets
import string
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_PAIRS_PER_S_16 = 500
CLIP_SECONDS = 5  # a 5 s 720p portrait clip, standard tier: Q = pricing.quote(...)
PAID_CREDITS = 1_000_000_000  # per wallet; a pair spends Q (a few credits)
MAX_PAIRS_PER_CLIENT = 10_000_000  # a bound on every client loop besides its deadline
MAX_ERRORS_PER_CLIENT = 5
BARRIER_TIMEOUT_S = 300
NOISY_CORES = 0.2  # more CPU than this used by others during a scenario: say so


def _django_setup() -> None:
    """Settings come from os.environ, which main() filled before the first call (and which
    spawned client processes inherit)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


# --- One pair, one client -------------------------------------------------------------------


def _pair(user: Any, quote: int, seed: int) -> None:
    from django.db import transaction

    from credits.services import credits_hold
    from generation.jobs import job_capture
    from generation.models import GenerationJob, JobStatus

    with transaction.atomic():
        job = GenerationJob.objects.create(
            owner=user,
            prompt="a neon city at night in the rain",
            seconds=CLIP_SECONDS,
            seed=seed,
            status=JobStatus.QUEUED,
            quote_credits=quote,
        )
        job.hold_free, job.hold_paid = credits_hold(job=job, user=user, amount=quote)
        job.save(update_fields=["hold_free", "hold_paid"])
    if not job_capture(job=job, price=quote):
        raise RuntimeError(f"capture of job {job.pk} found it already settled")


def _client_loop(*, user_id: int, quote: int, warmup: float, seconds: float, start: Any,
                 done: Any, report: Any) -> None:  # fmt: skip
    """Run pairs until the deadline; count those that end inside the measured window. Reports
    one dict, then waits (connection still open, so the parent can read its backend's CPU) until
    the parent releases every client."""
    from django.db import connection

    from accounts.models import User

    try:
        user = User.objects.get(pk=user_id)  # also opens this client's connection
        start.wait(timeout=BARRIER_TIMEOUT_S)
        started = time.monotonic()
        measure_from, until = started + warmup, started + warmup + seconds
        pairs, done_pairs, latencies, errors = 0, 0, [], []
        for i in range(MAX_PAIRS_PER_CLIENT):
            begun = time.monotonic()
            if begun >= until:
                break
            try:
                _pair(user, quote, seed=user_id * 1_000_003 + i)
            except Exception as error:  # counted and reported: the run fails at the end
                errors.append(f"{type(error).__name__}: {error}")
                if len(errors) >= MAX_ERRORS_PER_CLIENT:
                    break
                continue
            ended = time.monotonic()
            done_pairs += 1
            if measure_from <= ended < until:
                pairs += 1
                latencies.append(ended - begun)
        report({"pairs": pairs, "done_pairs": done_pairs, "latencies": latencies, "errors": errors})
    except BaseException:
        start.abort()
        report({"crash": traceback.format_exc()})
    finally:
        with contextlib.suppress(threading.BrokenBarrierError):
            done.wait(timeout=BARRIER_TIMEOUT_S)
        connection.close()


def _process_client(spec: dict, start: Any, done: Any, results: Any) -> None:
    """Entry point of a client process (spawned: its own interpreter and django.setup())."""
    try:
        _django_setup()
    except BaseException:
        start.abort()
        done.abort()
        results.put({"crash": traceback.format_exc()})
        return
    _client_loop(start=start, done=done, report=results.put, **spec)


# --- Scenarios ------------------------------------------------------------------------------


def _run_clients(*, mode: str, user_ids: list[int], quote: int, warmup: float, seconds: float,
                 pg: str, db: str) -> dict:  # fmt: skip
    import psutil

    specs = [
        {"user_id": uid, "quote": quote, "warmup": warmup, "seconds": seconds} for uid in user_ids
    ]
    n = len(specs)
    results: list[dict] = []
    procs: list[Any] = []
    if mode == "threads":
        start, done = threading.Barrier(n + 1), threading.Barrier(n + 1)
        inbox: Any = queue.Queue()
        for spec in specs:
            kwargs = {"start": start, "done": done, "report": inbox.put, **spec}
            procs.append(threading.Thread(target=_client_loop, kwargs=kwargs, daemon=True))
        client_pids = [os.getpid()]
    else:
        ctx = multiprocessing.get_context("spawn")
        start, done = ctx.Barrier(n + 1), ctx.Barrier(n + 1)
        inbox = ctx.Queue()
        procs = [
            ctx.Process(target=_process_client, args=(spec, start, done, inbox), daemon=True)
            for spec in specs
        ]
    for proc in procs:
        proc.start()
    if mode != "threads":
        client_pids = [proc.pid for proc in procs]
    try:
        _parent_wait(start)
        began = time.monotonic()
        backend_pids = _backend_pids(pg, db)
        cpu_before = psutil.cpu_times()
        clients_before = _cpu_s(client_pids)
        pg_before = _cpu_s(backend_pids)
        for _ in specs:
            results.append(inbox.get(timeout=BARRIER_TIMEOUT_S + warmup + seconds))
        wall = time.monotonic() - began
        cpu_after = psutil.cpu_times()
        clients_s = _cpu_s(client_pids) - clients_before
        pg_s = _cpu_s(backend_pids) - pg_before
        _parent_wait(done)
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if mode != "threads" and proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
    crashes = [r["crash"] for r in results if "crash" in r]
    if crashes:
        raise RuntimeError("a client crashed:\n" + crashes[0])

    latencies = sorted(x for r in results for x in r["latencies"])
    pairs = sum(r["pairs"] for r in results)
    done_pairs = max(1, sum(r["done_pairs"] for r in results))  # warm-up and window
    busy = _busy(cpu_after) - _busy(cpu_before)
    return {
        "clients": n,
        "wallets": len(set(user_ids)),
        "mode": mode,
        "pairs": pairs,
        "pairs_per_s": round(pairs / seconds, 1),
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "errors": [e for r in results for e in r["errors"]],
        # CPU from the start to the last client's end, in cores: the whole machine, the Python
        # clients, this database's PostgreSQL backends, and whatever else ran on the machine.
        "cpu_cores": psutil.cpu_count(),
        "cpu_busy": round(busy / wall, 2),
        "cpu_clients": round(clients_s / wall, 2),
        "cpu_postgres": round(pg_s / wall, 2),
        "cpu_other": round(max(0.0, busy - clients_s - pg_s) / wall, 2),
        "cpu_ms_per_pair_clients": round(clients_s * 1000 / done_pairs, 2),
        "cpu_ms_per_pair_postgres": round(pg_s * 1000 / done_pairs, 2),
    }


def _backend_pids(pg: str, db: str) -> list[int]:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [db],
        ).fetchall()
    return [pid for (pid,) in rows]


def _cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (PostgreSQL's run as another user: its
    /proc/<pid>/stat is world-readable)."""
    import psutil

    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


def _parent_wait(barrier: Any) -> None:
    # A client that crashed breaks the barrier; its traceback comes with the results.
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=BARRIER_TIMEOUT_S)


def _busy(times: Any) -> float:
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(q * len(values)))]


def _check_ledger(label: str, user_ids: list[int], quote: int) -> list[str]:
    """The ledger after a scenario: reconcile() and the pair-level invariants."""
    from django.db.models import Count, F, Q, Sum
    from django.db.models.functions import Coalesce

    from credits.models import CreditAccount, EntryKind, LedgerEntry
    from credits.selectors import reconcile
    from generation.models import GenerationJob

    problems = [f"{label}: reconcile: {m}" for m in reconcile()]
    negative = CreditAccount.objects.filter(
        Q(free_balance__lt=0) | Q(paid_balance__lt=0) | Q(held__lt=0)
    )
    problems += [f"{label}: negative balance on account {a.pk}" for a in negative]
    owners = set(user_ids)
    still_held = CreditAccount.objects.filter(user__in=owners, held__gt=0)
    problems += [f"{label}: account {a.pk} still holds {a.held}" for a in still_held]
    jobs = GenerationJob.objects.filter(owner__in=owners)
    wrong = (
        jobs.annotate(
            holds=Count("ledger_entries", filter=Q(ledger_entries__kind=EntryKind.HOLD)),
            captures=Count("ledger_entries", filter=Q(ledger_entries__kind=EntryKind.CAPTURE)),
        )
        .exclude(holds=1, captures=1, charged_credits=quote)
        .count()
    )
    if wrong:
        problems.append(f"{label}: {wrong} jobs without exactly one hold and one full capture")
    for account in CreditAccount.objects.filter(user__in=owners):
        moved = LedgerEntry.objects.filter(
            account=account, kind__in=[EntryKind.HOLD, EntryKind.CAPTURE]
        ).aggregate(total=Coalesce(Sum(F("free_delta") + F("paid_delta")), 0))["total"]
        spent = -moved
        expected = quote * jobs.filter(owner_id=account.user_id).count()
        if spent != expected:
            problems.append(f"{label}: account {account.pk} spent {spent}, jobs cost {expected}")
    return problems


# --- Where a pair's time goes ---------------------------------------------------------------


def _queries_per_pair(user_id: int, quote: int) -> dict:
    """One client, alone: the statements of one pair, and where its time goes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    user = User.objects.get(pk=user_id)
    _pair(user, quote, seed=1)  # warm
    with CaptureQueriesContext(connection) as ctx:
        _pair(user, quote, seed=2)
    # Django logs BEGIN and COMMIT too (their round trips are real); statements are the rest.
    queries = [q["sql"] for q in ctx.captured_queries]
    statements = [sql for sql in queries if sql not in {"BEGIN", "COMMIT"}]
    print(f"  one pair = {len(statements)} statements + {len(queries) - len(statements)}"
          " BEGIN/COMMIT:")  # fmt: skip
    for sql in queries:
        print(f"    {_short(sql)}")

    rounds = 300
    started = time.perf_counter()
    cpu_started = time.process_time()
    with CaptureQueriesContext(connection) as ctx:
        for i in range(rounds):
            _pair(user, quote, seed=10 + i)
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    by_kind: dict[str, list[float]] = {}
    for q in ctx.captured_queries:
        by_kind.setdefault(_kind(q["sql"]), []).append(float(q["time"]))
    sql_s = sum(sum(times) for times in by_kind.values())
    print(f"  one client alone, {rounds} pairs: {total / rounds * 1000:.2f} ms per pair, of which"
          f" {sql_s / rounds * 1000:.2f} ms waiting in cursor.execute (round trip + PostgreSQL"
          f" + driver); Python CPU {cpu / rounds * 1000:.2f} ms per pair"
          f" (~{1 / max(cpu / rounds, 1e-9):.0f} pairs/s per core of Django)")  # fmt: skip
    for kind, times in sorted(by_kind.items(), key=lambda kv: -sum(kv[1])):
        print(f"    {len(times) / rounds:4.1f}× per pair  {sum(times) / len(times) * 1000:6.3f} ms"
              f"  {kind}")  # fmt: skip
    return {
        "statements_per_pair": len(statements),
        "round_trips_per_pair": len(queries),
        "single_client_ms_per_pair": round(total / rounds * 1000, 3),
        "single_client_sql_ms_per_pair": round(sql_s / rounds * 1000, 3),
        "single_client_python_cpu_ms_per_pair": round(cpu / rounds * 1000, 3),
    }


def _kind(sql: str) -> str:
    """A statement without its values: 'UPDATE credits_creditaccount SET free_balance, ...'."""
    sql = _short(sql, limit=10_000)
    if sql in {"BEGIN", "COMMIT"}:
        return sql
    head = re.match(r"(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b", sql)
    table = re.search(r'(?:FROM|INTO|UPDATE) "?([a-z_]+)"?', sql)
    verb = head.group(1) if head else sql.split(" ", 1)[0]
    extra = ""
    if verb == "SELECT":
        where = re.search(r"WHERE (.*?)(?: LIMIT| ORDER|$)", sql)
        extra = " WHERE " + re.sub(r"'[^']*'|\b\d+\b", "?", where.group(1)) if where else ""
        extra += " FOR UPDATE" if "FOR UPDATE" in sql else ""
    elif verb == "UPDATE":
        extra = " SET " + ", ".join(re.findall(r'"([a-z_]+)" = ', sql.split(" WHERE ")[0]))
    return f"{verb} {table.group(1) if table else '?'}{extra}"


def _short(sql: str, limit: int = 150) -> str:
    sql = re.sub(r'"[a-z_]+"\."([a-z_]+)"', r"\1", sql)
    sql = re.sub(r"\s+", " ", sql)
    return sql if len(sql) <= limit else sql[: limit - 3] + "..."


# --- Main -----------------------------------------------------------------------------------


def _make_wallets(prefix: str, count: int) -> list[int]:
    from accounts.models import User
    from credits.services import credits_adjust

    ids = []
    for n in range(count):
        user = User(username=f"{prefix}{n}")
        user.set_unusable_password()  # no password hashing: a wallet owner is all we need
        user.save()
        credits_adjust(user=user, amount=PAID_CREDITS, reason="ledger bench", actor=None)
        ids.append(user.pk)
    return ids


def _scenario(name: str, *, mode: str, user_ids: list[int], quote: int, seconds: float,
              warmup: float, args: argparse.Namespace, problems: list[str]) -> dict:  # fmt: skip
    result = _run_clients(
        mode=mode, user_ids=user_ids, quote=quote, warmup=warmup, seconds=seconds,
        pg=args.pg, db=args.db,
    )  # fmt: skip
    found = _check_ledger(name, sorted(set(user_ids)), quote)
    found += [f"{name}: pair failed: {e}" for e in result["errors"][:5]]
    problems += found
    print(
        f"  {name:30s} {result['pairs_per_s']:7.1f} pairs/s  p50 {result['p50_ms']:6.1f} ms"
        f"  p99 {result['p99_ms']:6.1f} ms  CPU cores: {result['cpu_busy']:.2f} of"
        f" {result['cpu_cores']} busy = clients {result['cpu_clients']:.2f} + postgres"
        f" {result['cpu_postgres']:.2f} + other {result['cpu_other']:.2f}; CPU ms per pair:"
        f" clients {result['cpu_ms_per_pair_clients']:.2f}, postgres"
        f" {result['cpu_ms_per_pair_postgres']:.2f}  [{mode}]"
        + ("  LEDGER CHECK FAILED" if found else "  ledger ok"),
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per scenario")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--shared-wallets", type=int, default=4)
    parser.add_argument(
        "--mode", choices=["auto", "threads", "processes"], default="auto",
        help="how to run the clients; auto: a short trial of both, the faster wins",
    )  # fmt: skip
    parser.add_argument("--trial-seconds", type=float, default=4)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="reverie_bench_ledger")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.db):
        sys.exit("--db: lowercase letters, digits and '_' only")
    if not (1 <= args.shared_wallets <= args.clients <= 80):
        sys.exit("need 1 <= --shared-wallets <= --clients <= 80 (max_connections is 100)")
    started = time.perf_counter()

    import psycopg

    from config.embedded_redis import EmbeddedRedis

    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="reverie-bench-ledger-") as tmp:
        os.environ.update(
            REVERIE_VAR_DIR=tmp, DEBUG="false", DATABASE_URL=f"{args.pg}/{args.db}",
            SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
            ALLOWED_HOSTS="127.0.0.1,localhost",
        )  # fmt: skip
        redis = None
        created_db = False
        try:
            if not os.environ.get("REDIS_URL"):
                redis = EmbeddedRedis(Path(tmp) / "redis", persist=False)
                os.environ["REDIS_URL"] = redis.start()
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {args.db}")
            created_db = True
            _django_setup()
            from django.conf import settings
            from django.core.management import call_command
            from django.db import connection

            from generation.routing import quote_at_price_in_force as price_quote

            call_command("migrate", verbosity=0)
            quote = price_quote(seconds=CLIP_SECONDS, width=720, height=1280).credits
            n = args.clients
            wallets = {
                "one": _make_wallets("one", 1),
                "trial_own": _make_wallets("trial_own", n),
                "trial_shared": _make_wallets("trial_shared", args.shared_wallets),
                "shared": _make_wallets("shared", args.shared_wallets),
                "own": _make_wallets("own", n),
                "probe": _make_wallets("probe", 1),
            }
            with psycopg.connect(f"{args.pg}/{args.db}", autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
                conn.execute("CHECKPOINT")
            connection.close()  # the clients get their own; this one is reopened for the checks
            print(
                f"PostgreSQL {args.db}; Q = {quote} credits per pair, FREE_CREDITS_PER_DAY ="
                f" {settings.FREE_CREDITS_PER_DAY}, {PAID_CREDITS} paid credits per wallet",
                flush=True,
            )

            def shared_ids(key: str) -> list[int]:
                return [wallets[key][i % len(wallets[key])] for i in range(n)]

            trial: dict[str, float] = {}
            if args.mode == "auto":
                print(f"trial ({args.trial_seconds:g} s each after 1 s warm-up): {n} clients as"
                      " threads and as processes; the faster on own wallets is used",
                      flush=True)  # fmt: skip
                for mode in ("threads", "processes"):
                    for key, ids in (("own", wallets["trial_own"]),
                                     ("shared", shared_ids("trial_shared"))):  # fmt: skip
                        trial[f"{mode}_{key}"] = _scenario(
                            f"trial: {mode}, {key} wallets", mode=mode, user_ids=ids,
                            quote=quote, seconds=args.trial_seconds, warmup=1, args=args,
                            problems=problems,
                        )["pairs_per_s"]  # fmt: skip
                mode = max(("threads", "processes"), key=lambda m: trial[f"{m}_own"])
            else:
                mode = args.mode
            print(f"scenarios ({args.seconds:g} s each after {args.warmup:g} s warm-up),"
                  f" clients as {mode}:", flush=True)  # fmt: skip
            common = {"quote": quote, "seconds": args.seconds, "warmup": args.warmup,
                      "args": args, "problems": problems, "mode": mode}  # fmt: skip
            one = _scenario("1 client", user_ids=wallets["one"], **common)
            own = _scenario(f"{n} clients, own wallets", user_ids=wallets["own"], **common)
            shared = _scenario(
                f"{n} clients, {args.shared_wallets} shared wallets",
                user_ids=shared_ids("shared"), **common,
            )  # fmt: skip
            print("where a pair's time goes:", flush=True)
            probe = _queries_per_pair(wallets["probe"][0], quote)
            problems += _check_ledger("probe", wallets["probe"], quote)
            connection.close()
        finally:
            if redis:
                redis.stop()
            if created_db and not args.keep:
                from django.db import connections

                connections.close_all()
                with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")

    print(
        f"meaning: pairs_per_s_16 = {n} clients, each on its own wallet (no row-lock"
        f" contention: the headline); pairs_per_s_16_shared_wallets = {n} clients on"
        f" {args.shared_wallets} wallets ({n // args.shared_wallets} clients queue on each"
        " account's row lock); pairs_per_s_1 = one client. A pair = job INSERT + credits_hold"
        f" + job UPDATE in one transaction, then credits_capture in another. Clients ran as"
        f" {mode}, each with its own connection."
    )
    # What the measured CPU cost per pair allows on this machine's cores with nothing else
    # running: threads hold the GIL, so their Python side gets one core at most.
    client_ms, pg_ms = own["cpu_ms_per_pair_clients"], own["cpu_ms_per_pair_postgres"]
    ceiling = own["cpu_cores"] * 1000 / max(client_ms + pg_ms, 1e-6)
    if mode == "threads":
        ceiling = min(ceiling, 1000 / max(client_ms, 1e-6))
    print(
        f"CPU per pair at {n} clients: {client_ms:.2f} ms Python + {pg_ms:.2f} ms PostgreSQL →"
        f" at most ~{ceiling:.0f} pairs/s on {own['cpu_cores']} idle cores ({mode})"
    )
    noisy = max(one["cpu_other"], own["cpu_other"], shared["cpu_other"])
    if noisy > NOISY_CORES:
        print(
            f"NOTE: other processes used up to {noisy:.2f} of {own['cpu_cores']} cores during the"
            " scenarios (cpu_other): these throughputs are lower bounds for this machine."
        )
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    result = {
        "pairs_per_s_1": one["pairs_per_s"],
        "pairs_per_s_16": own["pairs_per_s"],
        "pairs_per_s_16_shared_wallets": shared["pairs_per_s"],
        "clients": n,
        "shared_wallets": args.shared_wallets,
        "client_mode": mode,
        "trial_pairs_per_s": trial,
        "p50_ms_1": one["p50_ms"],
        "p50_ms_16": own["p50_ms"],
        "p99_ms_16": own["p99_ms"],
        "p50_ms_16_shared_wallets": shared["p50_ms"],
        "p99_ms_16_shared_wallets": shared["p99_ms"],
        "cpu_cores": own["cpu_cores"],
        "cpu_busy_16": own["cpu_busy"],
        "cpu_clients_16": own["cpu_clients"],
        "cpu_postgres_16": own["cpu_postgres"],
        "cpu_other_16": own["cpu_other"],
        "cpu_ms_per_pair_clients_16": client_ms,
        "cpu_ms_per_pair_postgres_16": pg_ms,
        "cpu_bound_ceiling_pairs_per_s_16": round(ceiling),
        "cpu_other_max": noisy,
        **probe,
        "quote_credits": quote,
        "seconds": args.seconds,
        "ledger_ok": not problems,
        "goal_pairs_per_s_16": GOAL_PAIRS_PER_S_16,
        "goal_met": own["pairs_per_s"] >= GOAL_PAIRS_PER_S_16 and not problems,
        "bench_s": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result))
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
