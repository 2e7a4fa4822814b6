"""End-to-end overhead: POST → succeeded, minus the render time the job recorded.

Self-contained: a temporary SQLite database and media folder, an embedded Redis unless REDIS_URL is
set, the real ASGI server and one real Celery worker. Posts 10 prompts one after another over HTTP
with a token and polls the job every 20 ms. Last line: one JSON object.

    python bench/e2e.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.embedded_redis import EmbeddedRedis, free_port  # noqa: E402

PROMPTS = [
    "a neon city at night in the rain",
    "golden sunset over the ocean with a boat",
    "a cat bouncing in the snow",
    "fireflies in a dark forest",
    "hot air balloons over mountains at dawn",
    "a dog running on the beach",
    "planets spinning in space",
    "a red car in the desert",
    "confetti party in a pastel city",
    "fish and bubbles in the ocean",
]
SECONDS = 3


def _request(url: str, *, token: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (localhost)
        return json.loads(response.read())


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (localhost)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="reverie-bench-") as tmp:
        env = dict(os.environ, REVERIE_VAR_DIR=tmp, PYTHONUNBUFFERED="1")
        env.pop("DATABASE_URL", None)
        redis = None
        if not env.get("REDIS_URL"):
            redis = EmbeddedRedis(Path(tmp) / "redis", persist=False)
            env["REDIS_URL"] = redis.start()
        children: list[subprocess.Popen[bytes]] = []
        try:
            manage = [sys.executable, "manage.py"]
            subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
            make_token = (
                "from accounts.services import user_create;"
                "from accounts.tokens import api_token_create as token;"
                "print(token(user=user_create(handle='bench', password='bench-pass-123456'))[1])"
            )
            token = subprocess.run(
                [*manage, "shell", "-c", make_token],
                cwd=ROOT, env=env, check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]  # fmt: skip
            port = free_port()
            log = open(Path(tmp) / "children.log", "wb")  # noqa: SIM115
            children.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "config.asgi:application", "--port", str(port),
                 "--no-access-log"], cwd=ROOT, env=env, stdout=log, stderr=log))  # fmt: skip
            children.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default,render",
                 "-c", "1", "-l", "warning", "--without-gossip", "--without-mingle"],
                cwd=ROOT, env=env, stdout=log, stderr=log))  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            _wait_http(f"{base}/api/schema/")
            # Warm-up job: the worker's first task pays for imports.
            warm = _request(
                f"{base}/api/v1/generations", token=token, body={"prompt": "warm up", "seconds": 1}
            )
            while (
                _request(f"{base}/api/v1/generations/{warm['id']}", token=token)["status"]
                != "succeeded"
            ):
                time.sleep(0.05)

            totals, renders, overheads = [], [], []
            for prompt in PROMPTS:
                started = time.perf_counter()
                job = _request(
                    f"{base}/api/v1/generations", token=token,
                    body={"prompt": prompt, "seconds": SECONDS},
                )  # fmt: skip
                while True:
                    job = _request(f"{base}/api/v1/generations/{job['id']}", token=token)
                    if job["status"] in {"succeeded", "failed"}:
                        break
                    time.sleep(0.02)
                total = time.perf_counter() - started
                if job["status"] != "succeeded":
                    raise RuntimeError(f"job failed: {job['error']}")
                totals.append(total)
                renders.append(job["render_seconds"])
                overheads.append(total - job["render_seconds"])
                print(
                    f"{prompt[:40]:40s} total {total:5.2f} s  render {job['render_seconds']:5.2f} s"
                )
        finally:
            for child in children:
                child.terminate()
                child.wait(timeout=15)
            if redis:
                redis.stop()
    result = {
        "jobs": len(PROMPTS),
        "seconds_per_clip": SECONDS,
        "total_s_median": round(statistics.median(totals), 3),
        "render_s_median": round(statistics.median(renders), 3),
        "overhead_s": round(statistics.median(overheads), 3),
        "overhead_s_max": round(max(overheads), 3),
        "goal_overhead_s": 1.5,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
