"""Drives a running Reverie over HTTP with the standard library only (used by deploy/smoke.sh):
readiness, a token, a clip rendered by a worker, published, then fetched by byte range.

    python3 deploy/smoke_client.py http://127.0.0.1:8000 HANDLE PASSWORD
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from typing import Any


def call(
    base: str, path: str, *, method: str = "GET", body: Any = None, token: str = "",
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, bytes]:  # fmt: skip
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def main() -> None:
    base, handle, password = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    status, _, body = call(base, "/readyz")
    assert status == 200, f"/readyz {status}: {body[:500]!r}"
    status, _, body = call(
        base, "/api/v1/auth/token", method="POST", body={"handle": handle, "password": password}
    )
    assert status == 200, f"token {status}: {body[:300]!r}"
    token = json.loads(body)["token"]
    status, _, body = call(
        base, "/api/v1/generations", method="POST", token=token,
        body={"prompt": "a paper boat on a rainy street", "seconds": 2},
    )  # fmt: skip
    assert status in {200, 201, 202}, f"submit {status}: {body[:300]!r}"
    job = json.loads(body)
    started = time.monotonic()
    while job["status"] in {"queued", "running"} and time.monotonic() - started < 180:
        time.sleep(0.5)
        job = json.loads(call(base, f"/api/v1/generations/{job['id']}", token=token)[2])
    assert job["status"] == "succeeded", f"job ended {job['status']}: {job.get('error')}"
    rendered_s = round(time.monotonic() - started, 1)
    status, _, body = call(
        base, f"/api/v1/generations/{job['id']}/publish", method="POST", token=token, body={}
    )
    assert status in {200, 201}, f"publish {status}: {body[:300]!r}"
    video_url = json.loads(body)["video_url"]
    path = video_url if video_url.startswith("/") else "/" + video_url.split("/", 3)[3]
    status, headers, clip = call(base, path, headers={"Range": "bytes=0-1023"})
    assert status == 206 and headers.get("Content-Range", "").startswith("bytes 0-1023/"), status
    assert clip[4:8] == b"ftyp", "not an MP4"
    status, _, metrics = call(base, "/metrics")
    assert status == 200 and b'reverie_generation_jobs{backend="local",status="succeeded"}' in (
        metrics
    ), "metrics lack the job"
    print(json.dumps({"ok": True, "job": job["id"], "render_s": rendered_s,
                      "content_range": headers.get("Content-Range")}))  # fmt: skip


if __name__ == "__main__":
    main()
