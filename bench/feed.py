"""For You at scale: the ranked feed page against the hello-JSON floor, at 10 k and at 1 M clips.

Self-contained: dedicated PostgreSQL databases (`reverie_bench` and `reverie_bench_large`, dropped
at the end unless --keep), an embedded Redis unless REDIS_URL is set, a temporary
REVERIE_VAR_DIR, and the app served the production way (DEBUG off, a random SECRET_KEY,
collectstatic, 2 workers of gunicorn (the production layout for plain HTTP; --server uvicorn for
the single-ASGI-server layout), requests arriving as from the TLS proxy).

Seeds 10 k clips with users, likes, comments and follows in proportion (bench/_feedseed.py, COPY),
copies that database and grows the copy to 1 M clips, serves each with its own server, then
measures both back to back (so both sizes see the same machine conditions) with wrk, 20 s each:
  - feed:  GET /api/v1/feed/for-you?limit=8, anonymous and without the reverie_aid cookie, so
           each request is a fresh viewer with an empty seen set: the cold first page;
  - hello: GET /healthz, a no-I/O JSON view of the same app;
  - auth:  the For You page with `Authorization: Token …` of one seeded user, whose seen set
           fills up to SEEN_MAX during the run (mostly the "seen a lot" case); --no-auth skips it.
Also a sequential p50 (one request at a time: cost without queueing) and EXPLAIN ANALYZE of the
queries for_you_page issues.

Last line: one JSON object. feed_rps and hello_rps are the 1 M server's; ratio = feed_rps /
hello_rps (goal >= 0.5); growth = For You p50 under load at 1 M / at 10 k (goal <= 1.3).

    python bench/feed.py                      # ~4 minutes on 2 cores
    python bench/feed.py --clips-small 2000 --clips-large 20000 --duration 5   # quick trial
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The app's `feed` package must win over this file (bench/feed.py, whose folder Python puts first).
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))

import _feedseed  # noqa: E402
import psycopg  # noqa: E402

from config.embedded_redis import EmbeddedRedis, free_port  # noqa: E402

FEED_PATH = "/api/v1/feed/for-you?limit=8"
HELLO_PATH = "/healthz"
GOAL_RATIO = 0.5
GOAL_GROWTH = 1.3
SLOW_QUERY_MS = 5.0
# Production sits behind a TLS proxy (README: BEHIND_TLS_PROXY=true) and redirects plain HTTP to
# HTTPS; the load comes in as the proxy would forward it.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}

# Runs inside `manage.py shell`: the SQL for_you_page issues, each EXPLAIN ANALYZEd, for a fresh
# anonymous viewer and for a user whose seen set is full of the top-ranked clips (the worst case).
EXPLAIN_SNIPPET = r"""
import json, secrets
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from accounts.models import User
from feed import selectors, services
from feed.models import Video, VideoStatus

top = Video.objects.filter(status=VideoStatus.VISIBLE).order_by("-score", "-id")
key = "ubench-explain-" + secrets.token_hex(4)
heavy = list(top.values_list("id", flat=True)[: selectors.SEEN_MAX])
services.seen_add(viewer_key=key, video_ids=heavy)
services.seen_flush()
out = []
cases = [("anonymous, empty seen set", AnonymousUser(), "a" + secrets.token_hex(16)),
         (f"user, {selectors.SEEN_MAX} seen", User.objects.get(pk=USER_ID), key)]
for case, viewer, viewer_key in cases:
    with CaptureQueriesContext(connection) as ctx:
        services.for_you_page(viewer=viewer, viewer_key=viewer_key, limit=8)
    for query in ctx.captured_queries:
        if not query["sql"].lstrip().upper().startswith("SELECT"):
            continue
        best = None
        for _ in range(3):  # the fastest of three: this machine is noisy
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plan = [row[0] for row in cursor.fetchall()]
            ms = sum(float(line.split()[2]) for line in plan if line.split(":")[0] in
                     ("Planning Time", "Execution Time"))
            if best is None or ms < best["ms"]:
                best = {"case": case, "sql": query["sql"], "ms": round(ms, 3), "plan": plan}
        out.append(best)
    selectors._redis().delete(selectors._seen_key(viewer_key))
print(json.dumps(out))
"""


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return result.stdout


def _shell(env: dict[str, str], code: str) -> str:
    return _manage(env, "shell", "-c", code).strip().splitlines()[-1]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={**PROXY_HEADERS, **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (localhost)
        return response.status, response.read()


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def _sequential_p50_ms(url: str, n: int, headers: dict[str, str] | None = None) -> float:
    """One request at a time (a new connection each): latency without queueing. The first
    requests (each worker's lazy imports, URL resolver and so on) are not counted."""
    for _ in range(10):
        _get(url, headers)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        status, _body = _get(url, headers)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{url} answered {status}")
    return round(statistics.median(times), 2)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _wrk(
    url: str, *, seconds: float, connections: int, threads: int, header: str | None = None
) -> dict:
    args = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for name, value in PROXY_HEADERS.items():
        args += ["-H", f"{name}: {value}"]
    if header:
        args += ["-H", header]
    out = subprocess.run(
        [*args, url], check=True, capture_output=True, text=True, timeout=seconds + 60
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    total = re.search(r"(\d+) requests in", out)
    if not (rps and p50 and p99 and total):
        raise RuntimeError(f"could not parse wrk output:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": round(float(rps.group(1)), 1),
        "p50_ms": round(_ms(*p50.groups()), 2),
        "p99_ms": round(_ms(*p99.groups()), 2),
        "requests": int(total.group(1)),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


def _show(label: str, result: dict) -> None:
    problems = ""
    if result["non_2xx"] or result["socket_errors"]:
        problems = f"  !! non-2xx {result['non_2xx']}, socket errors {result['socket_errors']}"
    print(
        f"  {label:34s} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.2f} ms"
        f"  p99 {result['p99_ms']:7.2f} ms  ({result['requests']} requests){problems}",
        flush=True,
    )


def _explain(env: dict[str, str], user_id: int, *, label: str, verbose: bool) -> list[dict]:
    rows = json.loads(_shell(env, EXPLAIN_SNIPPET.replace("USER_ID", str(user_id))))
    print(f"for_you_page queries at {label}, EXPLAIN ANALYZE, planning + execution ms:")
    if not rows:
        print("    (no SQL captured: is for_you_page answering from a cache?)")
    for row in rows:
        sql = re.sub(r"SELECT .*? FROM", "SELECT … FROM", row["sql"], count=1)
        print(f"    {row['ms']:8.2f} ms  [{row['case']}]  {sql[:150]}")
        if verbose or (row["ms"] or 0) > SLOW_QUERY_MS:
            print("\n".join("        " + line for line in row["plan"]))
    return rows


def _seed(pg_url: str, db: str, clips: int) -> dict:
    dsn = f"{pg_url}/{db}"
    with psycopg.connect(dsn) as conn:
        stats = _feedseed.seed(conn, clips_total=clips)
    vacuum_s = _feedseed.vacuum_analyze(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CHECKPOINT")  # don't let the load's checkpoint land in a measurement
    print(
        f"  seeded +{stats.videos} clips, +{stats.users} users ({stats.creators} creators),"
        f" +{stats.likes} likes, +{stats.comments} comments, +{stats.follows} follows"
        f" in {stats.seconds:.1f} s, VACUUM ANALYZE {vacuum_s:.1f} s",
        flush=True,
    )
    print(f"  seed steps (s): {stats.steps}")
    if stats.defaulted:
        print(f"  NOT NULL columns the seeder doesn't know, filled with: {stats.defaulted}")
    return {"seed_s": round(stats.seconds, 1), "vacuum_s": round(vacuum_s, 1)}


SERVERS = {
    # The production layout for plain HTTP (README "Deploy"): gunicorn's sync workers on WSGI.
    "gunicorn": lambda port: [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "2",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
    ],
    # One ASGI server for everything (what serves websockets in production).
    "uvicorn": lambda port: [
        sys.executable, "-m", "uvicorn", "config.asgi:application", "--workers", "2",
        "--no-access-log", "--log-level", "warning", "--host", "127.0.0.1", "--port", str(port),
    ],
}  # fmt: skip


class _Server:
    """The app the production way, 2 workers, on a free localhost port."""

    def __init__(self, env: dict[str, str], log_path: Path, *, kind: str = "gunicorn") -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            SERVERS[kind](self.port), cwd=ROOT, env=env, stdout=self.log, stderr=self.log
        )
        try:
            _wait_http(self.base + HELLO_PATH)
        except RuntimeError:
            self.log.flush()
            print(log_path.read_text()[-3000:], file=sys.stderr)
            raise

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _check_page(base: str) -> None:
    status, body = _get(base + FEED_PATH)
    page = json.loads(body)["results"]
    if status != 200 or len(page) != 8:
        raise RuntimeError(f"For You answered {status} with {len(page)} clips, expected 8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips-small", type=int, default=10_000)
    parser.add_argument("--clips-large", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=20, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sequential", type=int, default=50, help="requests, one at a time")
    parser.add_argument("--no-auth", action="store_true", help="skip the token-user variant")
    parser.add_argument("--explain", action="store_true", help="print every query plan")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="reverie_bench", help="<db> and <db>_large are used")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases")
    parser.add_argument(
        "--server", choices=sorted(SERVERS), default="gunicorn", help="the HTTP layout measured"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/feed.py needs wrk: apt-get install wrk")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.db):
        sys.exit("--db: lowercase letters, digits and '_' only")
    if not 0 < args.clips_small < args.clips_large:
        sys.exit("--clips-large must be larger than --clips-small")
    started = time.perf_counter()
    names = {"small": _label(args.clips_small), "large": _label(args.clips_large)}
    dbs = {"small": args.db, "large": f"{args.db}_large"}

    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    with tempfile.TemporaryDirectory(prefix="reverie-bench-feed-") as tmp:
        base_env = dict(
            os.environ, REVERIE_VAR_DIR=tmp, PYTHONUNBUFFERED="1", DEBUG="false",
            SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
            ALLOWED_HOSTS="127.0.0.1,localhost", BEHIND_TLS_PROXY="true",
        )  # fmt: skip
        for name in ["STATIC_ROOT", "MEDIA_ROOT", "PRIVATE_MEDIA_ROOT", "S3_BUCKET"]:
            base_env.pop(name, None)
        # Production settings need the deployment's C2PA chain (a system check says so).
        _manage(base_env, "make_c2pa_chain", "--out", f"{tmp}/c2pa")
        base_env.update(
            C2PA_SIGN_CERT=f"{tmp}/c2pa/chain.pem", C2PA_PRIVATE_KEY=f"{tmp}/c2pa/key.pem"
        )
        redis = None
        servers: dict[str, _Server] = {}
        created: list[str] = []
        try:
            if not base_env.get("REDIS_URL"):
                redis = EmbeddedRedis(Path(tmp) / "redis", persist=False)
                base_env["REDIS_URL"] = redis.start()
            # One app per size; their seen sets and caches must not mix in the shared Redis.
            envs = {
                size: dict(
                    base_env,
                    DATABASE_URL=f"{args.pg}/{db}",
                    CACHE_KEY_PREFIX=f"bench_{size}",
                    CHANNEL_PREFIX=f"bench_{size}",
                )  # fmt: skip
                for size, db in dbs.items()
            }
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
                for db in dbs.values():
                    conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {dbs['small']}")
            created.append(dbs["small"])
            _manage(envs["small"], "migrate", "-v", "0")
            _manage(envs["small"], "collectstatic", "--noinput", "-v", "0")

            print(f"seed {args.clips_small} clips", flush=True)
            seeding = {"small": _seed(args.pg, dbs["small"], args.clips_small)}
            # The large set is the small one plus the rest: a copy of it, grown. Both stay up, so
            # the two sizes are measured back to back under the same machine conditions.
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {dbs['large']} TEMPLATE {dbs['small']}")
            created.append(dbs["large"])
            print(f"grow a copy to {args.clips_large} clips", flush=True)
            seeding["large"] = _seed(args.pg, dbs["large"], args.clips_large)

            tokens: dict[str, str] = {}
            user_ids = {"small": 1, "large": 2}
            if not args.no_auth:
                code = (
                    "from accounts.models import User;"
                    "from accounts.tokens import api_token_create as token;"
                    "print(token(user=User.objects.get(pk={}))[1])"
                )
                tokens = {size: _shell(envs[size], code.format(user_ids[size])) for size in dbs}
            for size in dbs:
                servers[size] = _Server(
                    envs[size], Path(tmp) / f"{args.server}-{size}.log", kind=args.server
                )
                _check_page(servers[size].base)

            wrk = {
                "seconds": args.duration,
                "connections": args.connections,
                "threads": args.threads,
            }
            warm = {**wrk, "seconds": args.warmup}
            results: dict[str, dict] = {size: {} for size in dbs}
            print(f"sequential p50, {args.sequential} requests one at a time:")
            for size, server in servers.items():
                results[size]["seq_p50_ms"] = _sequential_p50_ms(
                    server.base + FEED_PATH, args.sequential
                )
                print(f"  For You ({names[size]}): {results[size]['seq_p50_ms']} ms")
            for size, server in servers.items():
                results[size]["seq_hello_p50_ms"] = _sequential_p50_ms(
                    server.base + HELLO_PATH, args.sequential
                )
                print(f"  hello ({names[size]} server): {results[size]['seq_hello_p50_ms']} ms")
            if tokens:
                for size, server in servers.items():
                    results[size]["seq_auth_p50_ms"] = _sequential_p50_ms(
                        server.base + FEED_PATH, args.sequential,
                        {"Authorization": f"Token {tokens[size]}"},
                    )  # fmt: skip
                    print(
                        f"  For You, token ({names[size]}): {results[size]['seq_auth_p50_ms']} ms"
                    )

            print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s:", flush=True)
            for size, server in servers.items():
                _wrk(server.base + FEED_PATH, **warm)
                results[size]["feed"] = _wrk(server.base + FEED_PATH, **wrk)
                _show(f"For You, anonymous cold ({names[size]})", results[size]["feed"])
            for size, server in servers.items():
                _wrk(server.base + HELLO_PATH, **warm)
                results[size]["hello"] = _wrk(server.base + HELLO_PATH, **wrk)
                _show(f"hello-JSON ({names[size]} server)", results[size]["hello"])
            for size, server in servers.items():
                if size in tokens:
                    header = f"Authorization: Token {tokens[size]}"
                    _wrk(server.base + FEED_PATH, **warm, header=header)
                    results[size]["auth"] = _wrk(server.base + FEED_PATH, **wrk, header=header)
                    _show(f"For You, one token user ({names[size]})", results[size]["auth"])
            for size in dbs:
                results[size]["explain"] = _explain(
                    envs[size], user_ids[size], label=names[size], verbose=args.explain
                )
        finally:
            for server in servers.values():
                server.stop()
            if redis:
                redis.stop()
            if created and not args.keep:
                with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
                    for db in created:
                        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")

    small, large = results["small"], results["large"]
    feed_rps, hello_rps = large["feed"]["rps"], large["hello"]["rps"]
    ratio = feed_rps / hello_rps
    growth = large["feed"]["p50_ms"] / small["feed"]["p50_ms"]
    result = {
        "clips_small": args.clips_small,
        "clips_large": args.clips_large,
        "feed_case": "GET /api/v1/feed/for-you?limit=8, anonymous without cookie: fresh viewer,"
        " empty seen set (cold first page)",
        "load": f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s",
        "server": f"{args.server}, 2 workers, DEBUG=false, behind a TLS proxy (X-Forwarded-Proto)",
        "feed_rps": feed_rps,
        "hello_rps": hello_rps,
        "ratio": round(ratio, 3),
        "p50_ms_10k": small["feed"]["p50_ms"],
        "p50_ms_1m": large["feed"]["p50_ms"],
        "growth": round(growth, 3),
        "feed_rps_10k": small["feed"]["rps"],
        "hello_rps_10k": small["hello"]["rps"],
        "ratio_10k": round(small["feed"]["rps"] / small["hello"]["rps"], 3),
        "p99_ms_10k": small["feed"]["p99_ms"],
        "p99_ms_1m": large["feed"]["p99_ms"],
        "hello_p50_ms": large["hello"]["p50_ms"],
        "seq_p50_ms_10k": small["seq_p50_ms"],
        "seq_p50_ms_1m": large["seq_p50_ms"],
        "growth_seq": round(large["seq_p50_ms"] / small["seq_p50_ms"], 3),
        "seq_hello_p50_ms": large["seq_hello_p50_ms"],
    }
    if tokens:
        result |= {
            "auth_rps_10k": small["auth"]["rps"],
            "auth_rps_1m": large["auth"]["rps"],
            "auth_p50_ms_10k": small["auth"]["p50_ms"],
            "auth_p50_ms_1m": large["auth"]["p50_ms"],
            "seq_auth_p50_ms_10k": small["seq_auth_p50_ms"],
            "seq_auth_p50_ms_1m": large["seq_auth_p50_ms"],
        }
    errors = sum(
        run["non_2xx"] + run["socket_errors"]
        for phase in results.values()
        for key, run in phase.items()
        if key in {"feed", "auth", "hello"}
    )
    total_s = time.perf_counter() - started
    result |= {
        "http_errors": errors,
        "slowest_query_ms_1m": max((row["ms"] or 0 for row in large["explain"]), default=0),
        "seed_s_10k": seeding["small"]["seed_s"],
        "seed_s_1m": seeding["large"]["seed_s"],
        "vacuum_s_1m": seeding["large"]["vacuum_s"],
        "goal_ratio": GOAL_RATIO,
        "goal_growth": GOAL_GROWTH,
        "ratio_ok": ratio >= GOAL_RATIO,
        "growth_ok": growth <= GOAL_GROWTH,
        "total_s": round(total_s, 1),
    }
    print(
        f"ratio {ratio:.3f} (goal >= {GOAL_RATIO}): {'ok' if ratio >= GOAL_RATIO else 'MISSED'};"
        f" growth {growth:.3f} (goal <= {GOAL_GROWTH}):"
        f" {'ok' if growth <= GOAL_GROWTH else 'MISSED'}"
    )
    print(f"took {total_s:.0f} s")
    print(json.dumps(result))


def _label(clips: int) -> str:
    if clips % 1_000_000 == 0:
        return f"{clips // 1_000_000}M"
    return f"{clips // 1000}k" if clips % 1000 == 0 else str(clips)


if __name__ == "__main__":
    main()
