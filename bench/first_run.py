"""Fresh clone → first playing clip: how long `python3 dev.py run` takes on a new machine.

Clones this repository's committed HEAD into a temporary folder, runs `python3 dev.py run` there
with an empty pip cache (nothing downloaded before) and no services (SQLite, embedded Redis),
waits for the printed URL, then opens it in Debian's Chromium (Playwright) and waits until the
first clip of the feed is actually playing. Last line: JSON with the phases in seconds and the
size of the new venv.

    .venv/bin/python bench/first_run.py            # ~2 min; needs network to the package index
    .venv/bin/python bench/first_run.py --warm-cache   # reuse the user's pip cache
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
URL_RE = re.compile(r"Reverie is running at (\S+)")


def _folder_mb(path: Path) -> float:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += (Path(dirpath) / name).lstat().st_size
    return round(total / 1024**2, 1)


def _first_clip_in_feed(url: str, timeout: float) -> None:
    """Wait until the newest-clips API lists a clip (the demo renders as the servers start)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(url + "api/v1/feed", timeout=5) as response:
                body = json.loads(response.read())
            if body["results"] if isinstance(body, dict) else body:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    raise TimeoutError("no clip in the feed")


def _first_clip_playing(url: str, timeout: float) -> float:
    """Seconds until the feed page's first <video> has advanced past 0 (autoplay, muted)."""
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"],
        )
        page = browser.new_page(viewport={"width": 400, "height": 800})
        page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
        page.wait_for_function(
            "() => { const v = document.querySelector('#feed .clip video');"
            " return v && !v.paused && v.currentTime > 0.2; }",
            timeout=timeout * 1000,
        )
        browser.close()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm-cache", action="store_true", help="use the normal pip cache")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--keep", action="store_true", help="keep the clone for inspection")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="reverie-first-run-"))
    clone = tmp / "reverie"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))}
    env.pop("VIRTUAL_ENV", None)
    env.pop("REVERIE_VAR_DIR", None)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        env["PORT"] = str(sock.getsockname()[1])
    if not args.warm_cache:
        env["PIP_CACHE_DIR"] = str(tmp / "pip-cache")
    phases: dict[str, Any] = {}
    lines: list[str] = []
    url_seen = threading.Event()
    url_box: list[str] = []

    started = time.monotonic()
    proc = subprocess.Popen(
        ["python3", "dev.py", "run"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            now = round(time.monotonic() - started, 1)
            print(f"[{now:6.1f}s] {line.rstrip()}", file=sys.stderr, flush=True)
            if "migrating the database" in line and "installed_s" not in phases:
                phases["installed_s"] = now
            if "checking the demo" in line:
                phases["migrated_s"] = now
            match = URL_RE.search(line)
            if match:
                url_box.append(match.group(1))
                phases["url_printed_s"] = now
                url_seen.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not url_seen.wait(args.timeout):
            print("\n".join(lines[-40:]), file=sys.stderr)
            raise SystemExit("dev.py run did not print its URL in time")
        # The URL is printed as the servers start; the page answers a moment later.
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url_box[0], timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.2)
        phases["first_page_s"] = round(time.monotonic() - started, 1)
        _first_clip_in_feed(url_box[0], timeout=300)
        phases["first_clip_in_feed_s"] = round(time.monotonic() - started, 1)
        play = _first_clip_playing(url_box[0], timeout=60)
        phases["first_clip_playing_s"] = round(time.monotonic() - started, 1)
        phases["browser_s"] = round(play, 1)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    result = {
        **phases,
        "pip_cache": "warm" if args.warm_cache else "empty",
        "venv_mb": _folder_mb(clone / ".venv"),
        "goal_s": 120,
    }
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
