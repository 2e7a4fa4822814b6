"""The container's HEALTHCHECK: `python3 -m config.probe` answers for the role the entrypoint ran.

web: GET /healthz on this container (liveness, no I/O behind it). worker: a Celery ping to this
worker only (it answers from its main process, so a wedged pool child still shows in /readyz and
the metrics, not here). beat and one-shot roles: alive while running.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path


def probe(role: str) -> bool:
    if role == "web":
        url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (fixed local URL)
            return response.status == 200
    if role == "worker":
        name = os.environ.get("CELERY_WORKER_NAME", "worker@%h").replace("%h", socket.gethostname())
        ping = [sys.executable, "-m", "celery", "-A", "config", "inspect", "ping"]
        result = subprocess.run(
            [*ping, "--destination", name, "--timeout", "5"], capture_output=True, timeout=20
        )
        return result.returncode == 0
    return True


def main() -> None:
    role_file = Path("/tmp/reverie-role")
    role = role_file.read_text().strip() if role_file.exists() else "web"
    try:
        ok = probe(role)
    except Exception as exc:  # any failure is "unhealthy", with the reason in the probe log
        print(f"{role}: {exc}", file=sys.stderr)
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
