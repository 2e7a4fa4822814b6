"""What every fake provider server shares: a threaded HTTP server on 127.0.0.1, fault injection
(429 with Retry-After, 500s, hangs), a request log, and a real small MP4 to hand out.

A provider fake subclasses `FakeProvider` and implements `route(request)`, returning
`Reply(status, body, headers)`; `body` may be a dict (sent as JSON) or bytes.

    with FakeRunway() as fake:
        fake.fail_next(429, times=1, headers={"Retry-After": "7"})
        fake.hang_next(seconds=3)          # the next request sleeps before answering
        fake.url                           # http://127.0.0.1:<port>
        fake.requests[-1].json             # what the SDK sent
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import av
import numpy as np


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Reply:
    status: int = 200
    body: dict[str, Any] | list[Any] | bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Fault:
    status: int | None  # None = hang
    body: Any
    headers: dict[str, str]
    hang_seconds: float = 0.0


class FakeProvider:
    """Base class for stateful provider fakes; thread-safe, one per test."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.lock = threading.RLock()
        self._faults: deque[_Fault] = deque()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- to implement -------------------------------------------------------------------------
    def route(self, request: Request) -> Reply:
        raise NotImplementedError

    # -- fault injection ------------------------------------------------------------------------
    def fail_next(
        self, status: int, *, times: int = 1, body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        """The next `times` requests get `status` (e.g. 429 with Retry-After, or 500)."""
        default = {"error": {"message": f"fake error {status}"}}
        for _ in range(times):
            self._faults.append(_Fault(status, default if body is None else body, headers or {}))

    def hang_next(self, *, seconds: float, times: int = 1) -> None:
        """The next `times` requests sleep `seconds` before answering 504 (clients time out)."""
        for _ in range(times):
            self._faults.append(_Fault(None, None, {}, hang_seconds=seconds))

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeProvider:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with fake.lock:
                    fake.requests.append(request)
                    fault = fake._faults.popleft() if fake._faults else None
                if fault is not None and fault.status is None:
                    time.sleep(fault.hang_seconds)
                    reply = Reply(504, {"error": {"message": "fake hang"}})
                elif fault is not None:
                    reply = Reply(fault.status or 500, fault.body, fault.headers)
                else:
                    try:
                        with fake.lock:
                            reply = fake.route(request)
                    except Exception as exc:  # a bug in the fake shows up as a 500 with text
                        reply = Reply(500, {"error": {"message": f"fake crashed: {exc!r}"}})
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                headers = dict(reply.headers)
                if isinstance(reply.body, dict | list):
                    payload = json.dumps(reply.body).encode()
                    headers.setdefault("Content-Type", "application/json")
                elif isinstance(reply.body, str):
                    payload = reply.body.encode()
                    headers.setdefault("Content-Type", "text/plain")
                else:
                    payload = reply.body
                    headers.setdefault("Content-Type", "application/octet-stream")
                try:
                    self.send_response(reply.status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.stop()


@cache
def sample_mp4(seconds: int = 4, width: int = 360, height: int = 640, fps: int = 24) -> bytes:
    """A real H.264/AAC MP4 (moving gradient + a tone) like a provider would return."""
    import io

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast"}
        audio = container.add_stream("aac", rate=48000)
        audio.layout = "stereo"
        ys, xs = np.mgrid[0:height, 0:width]
        for index in range(seconds * fps):
            shift = index * 4
            rgb = np.stack(
                [(xs + shift) % 256, (ys + shift) % 256, np.full_like(xs, (index * 3) % 256)],
                axis=-1,
            ).astype(np.uint8)
            for packet in video.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        samples_total = seconds * 48000
        t = np.arange(samples_total) / 48000
        tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for start in range(0, samples_total, 1024):
            chunk = np.stack([tone[start : start + 1024]] * 2)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = 48000
            frame.pts = start
            frame.time_base = Fraction(1, 48000)
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
    return buffer.getvalue()


def write_sample_mp4(path: Path, **kwargs: int) -> Path:
    path.write_bytes(sample_mp4(**kwargs))
    return path
