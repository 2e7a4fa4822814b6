"""The production layout on one machine, under traffic and failures.

Debian's nginx (deploy/nginx-locations.conf) in front of two web processes; a `render` worker and
a `default` worker; beat; PostgreSQL (this machine's, a fresh database); a Redis server of its own
on a free port (so it can be restarted); moto as the S3 server. Virtual users sign up through the
HTML form, take an API token, read For You and the newest feed, fetch clips by byte range, like,
submit clips, fetch their drafts (X-Accel-Redirect) and publish them. Meanwhile: one web process
is killed (SIGTERM; --sigkill-web for SIGKILL) and started again 5 s later, as a supervisor would;
the render worker is SIGKILLed in the middle of a render (main process and pool child; restarted
2 s later); Redis is restarted. Then traffic stops and the jobs drain.

Last line, JSON: requests, server_errors (5xx other than a 503 with Retry-After, and failed
connections), jobs_submitted, jobs_succeeded, lost_jobs (submitted, not final after the drain),
double_charges (jobs settled twice or charged above their quote), holds_left (credits still held
once every job is final), recovery_s (the slowest recovery of the three incidents).

    .venv/bin/python bench/topology.py                 # ~4 min
    .venv/bin/python bench/topology.py --short         # CI: ~3 min

Exit status 1 when a goal is missed: a lost job, a double charge, credits left held, or server
errors above --max-error-rate (0.1 %).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PROMPTS = [
    "a paper boat on a rainy street", "a fox in the snow at dawn", "neon city in the rain",
    "a lighthouse in a storm", "balloons over a desert", "fish in a blue ocean",
    "a cat on a rooftop at night", "autumn leaves in a golden forest",
]  # fmt: skip
FINAL = {"succeeded", "failed", "cancelled", "blocked"}
SEED = """
import time

from accounts.services import user_create
from feed.services import video_publish
from generation import services
owner = user_create(handle="topology_seed", password="topology-seed-pass")
for seed in range(3):
    job, _ = services.job_create(owner=owner, request=services.JobRequest(
        prompt="a calm sea at dawn", seconds=1, seed=seed))
    services.job_run(job_id=job.pk)
    # A running worker may have claimed the job first: wait for whoever renders it.
    for _ in range(600):
        job.refresh_from_db()
        if job.status in {"succeeded", "failed", "cancelled", "blocked"}:
            break
        time.sleep(0.5)
    video_publish(job=job, user=owner)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render_template(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def wait_http(url: str, timeout: float, expect: int = 200) -> float:
    """Seconds until `url` answers `expect` (raises after `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if requests.get(url, timeout=2).status_code == expect:
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer {expect} within {timeout} s")


class Processes:
    """Every server of the layout, each in its own process group (so a kill takes its children)."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp = tmp
        self.env = env
        self.logs = tmp / "logs"
        self.logs.mkdir()
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.commands: dict[str, list[str]] = {}

    def start(self, name: str, command: list[str] | None = None, **extra_env: str) -> None:
        command = command or self.commands[name]
        self.commands[name] = command
        log = (self.logs / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            command, cwd=ROOT, env={**self.env, **extra_env}, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            if self.procs[name].poll() is None:
                try:
                    os.killpg(self.procs[name].pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    server_errors: int = 0
    degraded_503: int = 0
    wrong_answers: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    jobs: set[str] = field(default_factory=set)
    published: list[int] = field(default_factory=list)

    def count(
        self, kind: str, status: int | None, retry_after: bool = False, note: str = ""
    ) -> None:
        with self.lock:
            self.requests += 1
            self.by_kind[kind] += 1
            if status is None or (status >= 500 and not (status == 503 and retry_after)):
                self.server_errors += 1
                if len(self.errors) < 30:
                    self.errors.append(f"{time.strftime('%X')} {kind} {status} {note[:160]}")
            elif status == 503:
                self.degraded_503 += 1


class VirtualUser(threading.Thread):
    def __init__(self, base: str, stats: Stats, stop: threading.Event, *, max_jobs: int) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.stats = stats
        self.stop = stop
        self.max_jobs = max_jobs
        self.http = requests.Session()  # the API, with a token
        self.browser = requests.Session()  # pages and draft files, with the sign-up session
        self.token = ""
        self.my_jobs: list[str] = []
        self.rng = random.Random()

    def call(
        self, kind: str, method: str, path: str, *, browser: bool = False, **kwargs: Any
    ) -> requests.Response | None:
        kwargs.setdefault("timeout", 30)
        try:
            session = self.browser if browser else self.http
            response = session.request(method, self.base + path, **kwargs)
        except requests.RequestException as exc:
            self.stats.count(kind, None, note=str(exc))
            return None
        self.stats.count(
            kind, response.status_code, "Retry-After" in response.headers, response.text[:160]
        )
        return response

    def sign_up(self) -> bool:
        handle = f"t{uuid.uuid4().hex[:12]}"
        password = secrets.token_urlsafe(12)
        self.call("signup_form", "GET", "/accounts/signup/", browser=True)
        csrf = self.browser.cookies.get("csrftoken", "")
        response = self.call(
            "signup", "POST", "/accounts/signup/", browser=True, allow_redirects=False,
            data={"handle": handle, "password": password, "csrfmiddlewaretoken": csrf},
            headers={"Referer": self.base + "/accounts/signup/"},
        )  # fmt: skip
        if response is None or response.status_code != 302:
            return False
        response = self.call(
            "token", "POST", "/api/v1/auth/token", json={"handle": handle, "password": password}
        )
        if response is None or response.status_code != 200:
            return False
        self.token = response.json()["token"]
        self.http.headers["Authorization"] = f"Token {self.token}"
        return True

    def submit(self) -> None:
        key = uuid.uuid4().hex
        body = {"prompt": self.rng.choice(PROMPTS), "seconds": self.rng.choice([1, 2])}
        for _attempt in range(5):  # what a client does: retry with the same key
            response = self.call(
                "submit", "POST", "/api/v1/generations", json=body,
                headers={"Idempotency-Key": key},
            )  # fmt: skip
            if response is not None and response.status_code in {200, 201, 202}:
                job_id = response.json()["id"]
                self.my_jobs.append(job_id)
                with self.stats.lock:
                    self.stats.jobs.add(job_id)
                return
            if response is not None and response.status_code < 500:
                return  # refused (credits, policy): nothing was made
            time.sleep(float((response.headers.get("Retry-After") if response else None) or 1))

    def publish_done(self) -> None:
        for job_id in list(self.my_jobs):
            response = self.call("job", "GET", f"/api/v1/generations/{job_id}")
            if response is None or response.status_code != 200:
                continue
            job = response.json()
            status = job["status"]
            if status == "succeeded" and job.get("video_url"):
                # The owner's draft: Django checks, nginx sends the bytes (X-Accel-Redirect).
                draft = self.call(
                    "draft", "GET", self._path(job["video_url"]), browser=True,
                    headers={"Range": "bytes=0-65535"},
                )  # fmt: skip
                if draft is not None and draft.status_code != 206:
                    self.stats.mismatch(f"draft answered {draft.status_code}")
            if status == "succeeded":
                published = self.call(
                    "publish", "POST", f"/api/v1/generations/{job_id}/publish", json={}
                )
                if published is not None and published.status_code in {200, 201}:
                    with self.stats.lock:
                        self.stats.published.append(published.json()["id"])
            if status in FINAL:
                self.my_jobs.remove(job_id)

    def read_feed(self) -> None:
        path = self.rng.choice(["/api/v1/feed/for-you", "/api/v1/feed"])
        response = self.call("feed", "GET", path)
        if response is None or response.status_code != 200:
            return
        body = response.json()
        items = body["results"] if isinstance(body, dict) else body
        if not items:
            return
        clip = self.rng.choice(items)
        if self.rng.random() < 0.5:
            self.call("like", "POST", f"/api/v1/videos/{clip['id']}/like")
        if self.rng.random() < 0.4 and clip.get("video_url"):
            response = self.call(
                "clip", "GET", self._path(clip["video_url"]), headers={"Range": "bytes=0-65535"}
            )
            if response is not None and (
                response.status_code != 206 or response.content[4:8] != b"ftyp"
            ):
                self.stats.mismatch(f"clip answered {response.status_code}")

    def _path(self, url: str) -> str:
        return url[len(self.base) :] if url.startswith(self.base) else url

    def run(self) -> None:
        while not self.stop.is_set() and not self.sign_up():
            time.sleep(1)
        submitted = 0
        while not self.stop.is_set():
            roll = self.rng.random()
            if roll < 0.12 and submitted < self.max_jobs:
                self.submit()
                submitted += 1
            elif roll < 0.25:
                self.publish_done()
            elif roll < 0.32:
                self.call("home", "GET", "/", browser=True)
            else:
                self.read_feed()
            time.sleep(self.rng.uniform(0.05, 0.25))


def database_checks(database_url: str, job_ids: set[str]) -> dict[str, int]:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        rows = conn.execute(
            "SELECT id::text, status FROM generation_generationjob WHERE id::text = ANY(%s)",
            [list(job_ids)],
        ).fetchall()
        statuses = dict(rows)
        double = conn.execute(
            """SELECT count(*) FROM (
                   SELECT job_id FROM credits_ledgerentry
                   WHERE kind IN ('capture', 'release') AND job_id IS NOT NULL
                   GROUP BY job_id HAVING count(*) > 1
               ) twice"""
        ).fetchone()[0]
        double += conn.execute(
            "SELECT count(*) FROM generation_generationjob WHERE charged_credits > quote_credits"
        ).fetchone()[0]
        holds = conn.execute("SELECT coalesce(sum(held), 0) FROM credits_creditaccount").fetchone()
    return {
        "jobs_succeeded": sum(1 for s in statuses.values() if s == "succeeded"),
        "jobs_failed": sum(1 for s in statuses.values() if s in FINAL - {"succeeded"}),
        "lost_jobs": sum(1 for job in job_ids if statuses.get(job) not in FINAL),
        "double_charges": int(double),
        "holds_left": int(holds[0]),
    }


def running_local_jobs(database_url: str) -> list[str]:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        rows = conn.execute(
            "SELECT id::text FROM generation_generationjob WHERE status = 'running'"
        ).fetchall()
    return [row[0] for row in rows]


def job_statuses(database_url: str, job_ids: list[str]) -> dict[str, str]:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        rows = conn.execute(
            "SELECT id::text, status FROM generation_generationjob WHERE id::text = ANY(%s)",
            [job_ids],
        ).fetchall()
    return dict(rows)


def main() -> None:  # noqa: C901 (a script: one timeline, read top to bottom)
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", action="store_true", help="CI: 4 users, 40 s, short drain")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--duration", type=float, default=90)
    parser.add_argument("--jobs-per-user", type=int, default=3)
    parser.add_argument("--drain", type=float, default=240)
    parser.add_argument(
        "--pg", default=os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--keep", action="store_true", help="keep logs and the database")
    parser.add_argument("--sigkill-web", action="store_true", help="SIGKILL the web process")
    parser.add_argument(
        "--max-error-rate", type=float, default=0.001,
        help="server errors per request above which the run fails (the goal: 0.1 %%)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.short:
        args.users, args.duration, args.jobs_per_user, args.drain = 4, 40, 2, 180

    tmp = Path(tempfile.mkdtemp(prefix="reverie-topology-"))
    db_name = f"reverie_topology_{os.getpid()}"
    database_url = f"{args.pg}/{db_name}"
    ports = {name: free_port() for name in ("nginx", "web0", "web1", "redis", "s3", "metrics")}
    base = f"http://127.0.0.1:{ports['nginx']}"
    redis_dir = tmp / "redis"
    redis_dir.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
        "REVERIE_VAR_DIR": str(tmp / "var"),
        "S3_BUCKET": "topology",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{ports['s3']}",
        "S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "topology",
        "AWS_SECRET_ACCESS_KEY": "topology-secret",
        "S3_PUBLIC_DOMAIN": f"127.0.0.1:{ports['nginx']}",
        "S3_URL_PROTOCOL": "http:",
        "PRIVATE_MEDIA_ACCEL_PREFIX": "/_private/",
        "SERVE_MEDIA": "false",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "RENDER_THREADS": "1",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        # Everything comes from one address here: lift the per-address limits.
        **{
            f"THROTTLE_{scope}": "100000/hour"
            for scope in ("GENERATE", "COMMENT", "FOLLOW", "LIKE", "REPORT", "SIGNUP", "LOGIN")
        },
        "FREE_CREDITS_PER_DAY": "1000",
        # The safety nets beat runs, at a pace that fits a few minutes of test.
        "GENERATION_STUCK_AFTER": os.environ.get("GENERATION_STUCK_AFTER", "60"),
        "GENERATION_RESEND_QUEUED_AFTER": os.environ.get("GENERATION_RESEND_QUEUED_AFTER", "30"),
    }
    procs = Processes(tmp, env)
    result: dict[str, Any] = {}
    try:
        # -- dependencies ---------------------------------------------------------------------
        subprocess.run(
            ["psql", f"{args.pg}/postgres", "-qc", f"CREATE DATABASE {db_name}"],
            check=True, capture_output=True,
        )  # fmt: skip
        redis_cmd = [
            REDIS_SERVER, "--port", str(ports["redis"]), "--bind", "127.0.0.1",
            "--dir", str(redis_dir), "--appendonly", "yes", "--save", "",
        ]  # fmt: skip
        procs.start("redis", redis_cmd)
        procs.start("s3", [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(ports["s3"])])
        time.sleep(1)
        # One C2PA chain for every process of the deployment (production's system check).
        chain = tmp / "var" / "c2pa-deployment"
        subprocess.run([PYTHON, "manage.py", "make_c2pa_chain", "--out", str(chain)], cwd=ROOT,
                       env=env, check=True, capture_output=True)  # fmt: skip
        env.update(C2PA_SIGN_CERT=str(chain / "chain.pem"), C2PA_PRIVATE_KEY=str(chain / "key.pem"))
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
                       cwd=ROOT, env=env, check=True)  # fmt: skip
        subprocess.run([PYTHON, "manage.py", "ensure_storage"], cwd=ROOT, env=env, check=True)

        # -- the app ------------------------------------------------------------------------
        for index in (0, 1):
            procs.start(f"web{index}", [
                PYTHON, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
                "--port", str(ports[f"web{index}"]), "--ws", "websockets", "--no-access-log",
                "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1",
            ])  # fmt: skip
        worker = [PYTHON, "-m", "celery", "-A", "config", "worker", "-c", "1", "-l", "WARNING"]
        procs.start("worker_render", [*worker, "-Q", "render", "-n", "render@%h"],
                    CELERY_METRICS_PORT=str(ports["metrics"]))  # fmt: skip
        procs.start("worker_default", [*worker, "-Q", "default", "-n", "default@%h"])
        procs.start("beat", [PYTHON, "-m", "celery", "-A", "config", "beat", "-l", "WARNING",
                             "-s", str(tmp / "celerybeat-schedule")])  # fmt: skip
        values = {
            "REVERIE_S3_UPSTREAM": f"127.0.0.1:{ports['s3']}",
            "S3_BUCKET": "topology",
        }
        (tmp / "locations.conf").write_text(
            render_template((ROOT / "deploy" / "nginx-locations.conf").read_text(), values)
        )
        (tmp / "nginx.conf").write_text(f"""
pid {tmp}/nginx.pid;
error_log {tmp}/logs/nginx-error.log warn;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    upstream reverie_web {{
        server 127.0.0.1:{ports["web0"]} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{ports["web1"]} max_fails=1 fail_timeout=5s;
        keepalive 32;
    }}
    map $http_upgrade $connection_upgrade {{ default upgrade; '' ''; }}
    server {{
        listen 127.0.0.1:{ports["nginx"]};
        include {tmp}/locations.conf;
    }}
}}
""")
        procs.start("nginx", [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"),
                              "-g", "daemon off;"])  # fmt: skip
        for index in (0, 1):
            wait_http(f"http://127.0.0.1:{ports[f'web{index}']}/healthz", 90)
        wait_http(f"{base}/readyz", 60)
        # A few published clips, so likes and byte-range reads have something from the start.
        subprocess.run([PYTHON, "manage.py", "shell", "-c", SEED], cwd=ROOT, env=env, check=True)

        # -- traffic ---------------------------------------------------------------------------
        stats = Stats()
        stop = threading.Event()
        users = [
            VirtualUser(base, stats, stop, max_jobs=args.jobs_per_user) for _ in range(args.users)
        ]
        started = time.monotonic()
        for user in users:
            user.start()
        incidents: dict[str, Any] = {}

        def at(fraction: float) -> None:
            time.sleep(max(0.0, started + fraction * args.duration - time.monotonic()))

        # 1. a web process is killed (SIGTERM, as `kill` or a rolling restart sends; --sigkill-web
        # for the harsh variant, where requests in flight on it are lost as 502s); its
        # supervisor starts it again 5 s later.
        at(0.2)
        procs.kill("web0", signal.SIGKILL if args.sigkill_web else signal.SIGTERM)
        killed = time.monotonic()
        time.sleep(5)
        procs.start("web0")
        wait_http(f"http://127.0.0.1:{ports['web0']}/healthz", 90)
        incidents["web_restart_s"] = round(time.monotonic() - killed, 1)

        # 2. the render worker dies mid-render (SIGKILL to the whole worker: main process and
        # pool child, as when a container or machine goes); restarted 2 s later.
        at(0.4)
        deadline = time.monotonic() + 30
        victims: list[str] = []
        while time.monotonic() < deadline and not victims:
            victims = running_local_jobs(database_url)
            if not victims:
                time.sleep(0.1)
        procs.kill("worker_render")
        worker_killed = time.monotonic()
        victims_done: list[float] = []

        def watch_victims() -> None:
            # When did every job that was rendering at the kill end (re-rendered by the next
            # worker, or settled)?
            while time.monotonic() - worker_killed < args.duration + args.drain:
                statuses = job_statuses(database_url, victims)
                if all(statuses.get(job) in FINAL for job in victims):
                    victims_done.append(time.monotonic())
                    return
                time.sleep(0.5)

        watcher = threading.Thread(target=watch_victims, daemon=True)
        watcher.start()
        time.sleep(2)
        procs.start("worker_render")
        incidents["render_jobs_killed"] = len(victims)

        # 3. Redis restarts (graceful stop, data on disk).
        at(0.6)
        procs.kill("redis", signal.SIGTERM)
        redis_stopped = time.monotonic()
        time.sleep(2)
        procs.start("redis")
        wait_http(f"{base}/readyz", 120)
        incidents["redis_ready_s"] = round(time.monotonic() - redis_stopped, 1)

        at(1.0)
        stop.set()
        for user in users:
            user.join(timeout=60)

        # -- drain: every submitted job must end ------------------------------------------------
        drain_started = time.monotonic()
        while time.monotonic() - drain_started < args.drain:
            statuses = job_statuses(database_url, list(stats.jobs))
            if all(statuses.get(job) in FINAL for job in stats.jobs):
                break
            time.sleep(1)
        if victims:
            watcher.join(timeout=5)
            incidents["killed_render_recovered_s"] = (
                round(victims_done[0] - worker_killed, 1) if victims_done else None
            )
            incidents["killed_render_outcomes"] = sorted(
                job_statuses(database_url, victims).values()
            )
        checks = database_checks(database_url, stats.jobs)
        recoveries = [
            incidents.get("web_restart_s") or 0,
            incidents.get("redis_ready_s") or 0,
            incidents.get("killed_render_recovered_s") or 0,
        ]
        result = {
            "requests": stats.requests,
            "server_errors": stats.server_errors,
            "server_error_rate": round(stats.server_errors / max(stats.requests, 1), 5),
            "degraded_503": stats.degraded_503,
            "wrong_answers": stats.wrong_answers,
            "jobs_submitted": len(stats.jobs),
            **checks,
            "clips_published": len(stats.published),
            "recovery_s": max(recoveries),
            "incidents": incidents,
            "requests_by_kind": dict(stats.by_kind),
            "duration_s": args.duration,
            "users": args.users,
            "first_errors": stats.errors[:10],
        }
    finally:
        procs.stop_all()
        if not args.keep:
            subprocess.run(["psql", f"{args.pg}/postgres", "-qc",
                            f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"],
                           capture_output=True)  # fmt: skip
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp} and database {db_name}", file=sys.stderr)
    print(json.dumps(result))
    goals_met = (
        result.get("lost_jobs") == 0
        and result.get("double_charges") == 0
        and result.get("holds_left") == 0
        and result.get("server_error_rate", 1) <= args.max_error_rate
    )
    sys.exit(0 if goals_met else 1)


if __name__ == "__main__":
    main()
