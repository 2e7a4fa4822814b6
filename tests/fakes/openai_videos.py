"""A stateful fake of an OpenAI-compatible `/v1/videos` gateway (the Sora 2 Videos API shape).

Speaks what the `openai` SDK sends and reads: Bearer auth, `POST /v1/videos` as multipart form
data, `GET /v1/videos/{id}` (with the `openai-poll-after-ms` hint), `GET …/content?variant=video`,
`DELETE /v1/videos/{id}`, `POST /v1/videos/{id}/remix` as JSON, and OpenAI's error envelope
`{"error": {"message", "type", "param", "code"}}`. Point the SDK at `fake.url + "/v1"`.

Each video walks queued → in_progress → completed (or failed) one step per `GET`. Outcomes are
steered by `fake.outcome` ("success", "refused", "failed", "server_error") or by a marker in the
prompt ("[refused]", "[failed]"); "[blocked]" in a prompt is refused at submit with a 400.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from tests.fakes.common import FakeProvider, Reply, Request, sample_mp4

MODELS = ("sora-2", "sora-2-pro", "sora-2-2025-10-06", "sora-2-pro-2025-10-06")
SECONDS = ("4", "8", "12")
SIZES = ("720x1280", "1280x720", "1024x1792", "1792x1024")
POLL_AFTER_MS = "2500"


def _error(
    status: int,
    message: str,
    *,
    code: str | None,
    param: str | None = None,
    kind: str = "invalid_request_error",
) -> Reply:
    return Reply(
        status, {"error": {"message": message, "type": kind, "param": param, "code": code}}
    )


def parse_multipart(request: Request) -> dict[str, Any]:
    """Form fields (str) and files ((filename, bytes, content type)) of a multipart body."""
    content_type = request.headers.get("content-type", "")
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request.body
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            fields[name] = (filename, payload, part.get_content_type())
        else:
            fields[name] = payload.decode()
    return fields


class FakeOpenAIVideos(FakeProvider):
    def __init__(self, api_key: str = "sk-test-gateway") -> None:
        super().__init__()
        self.api_key = api_key
        self.outcome = "success"
        self.videos: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = {}
        self.deleted: list[str] = []
        self._ids = itertools.count(1)

    # -- helpers for tests ----------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every video, request and pending fault (one server shared by a test module:
        starting and stopping one per test costs half a second each)."""
        with self.lock:
            self.requests.clear()
            self._faults.clear()
            self.videos.clear()
            self.polls.clear()
            self.deleted.clear()
            self.outcome = "success"

    def last(self, method: str, path_prefix: str) -> Request:
        return next(
            r
            for r in reversed(self.requests)
            if r.method == method and r.path.startswith(path_prefix)
        )

    @staticmethod
    def sign(
        secret: str, body: bytes, *, msg_id: str = "msg_1", timestamp: int | None = None
    ) -> dict[str, str]:
        """Standard Webhooks headers for `body`, as the gateway would send them."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        key = base64.b64decode(secret.removeprefix("whsec_"))
        digest = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": ts,
            "webhook-signature": "v1," + base64.b64encode(digest).decode(),
        }

    # -- the wire format --------------------------------------------------------------------------
    def route(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", code="invalid_api_key")
        path = request.path.removeprefix("/v1")
        parts = [part for part in path.split("/") if part]
        if parts[:1] != ["videos"]:
            return _error(404, f"Unknown path {request.path}", code="not_found")
        if len(parts) == 1 and request.method == "POST":
            return self._create(request)
        video = self.videos.get(parts[1]) if len(parts) > 1 else None
        if video is None:
            return _error(404, "Video not found.", code="video_not_found", param="video_id")
        if len(parts) == 2 and request.method == "GET":
            return self._retrieve(video)
        if len(parts) == 2 and request.method == "DELETE":
            del self.videos[video["id"]]
            self.deleted.append(video["id"])
            return Reply(200, {"id": video["id"], "object": "video.deleted", "deleted": True})
        if len(parts) == 3 and parts[2] == "content" and request.method == "GET":
            return self._content(video, request)
        if len(parts) == 3 and parts[2] == "remix" and request.method == "POST":
            return self._remix(video, request)
        return _error(405, "Method not allowed.", code=None)

    def _new_video(
        self, *, prompt: str, model: str, seconds: str, size: str, remixed_from: str | None = None
    ) -> dict[str, Any]:
        video_id = f"video_{next(self._ids):024x}"
        outcome = self.outcome
        if "[refused]" in prompt:
            outcome = "refused"
        elif "[failed]" in prompt:
            outcome = "failed"
        video = {
            "id": video_id,
            "object": "video",
            "model": model,
            "status": "queued",
            "progress": 0,
            "created_at": int(time.time()),
            "completed_at": None,
            "expires_at": None,
            "prompt": prompt,
            "size": size,
            "seconds": seconds,
            "remixed_from_video_id": remixed_from,
            "error": None,
            "_outcome": outcome,
        }
        self.videos[video_id] = video
        self.polls[video_id] = 0
        return video

    @staticmethod
    def _public(video: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in video.items() if not k.startswith("_")}

    def _create(self, request: Request) -> Reply:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return _error(400, "Expected multipart/form-data.", code="invalid_content_type")
        form = parse_multipart(request)
        prompt = form.get("prompt")
        if not isinstance(prompt, str) or not 1 <= len(prompt) <= 32000:
            return _error(
                400, "prompt is required.", code="missing_required_parameter", param="prompt"
            )
        model = form.get("model", "sora-2")
        if model not in MODELS:
            return _error(400, f"Invalid model '{model}'.", code="invalid_value", param="model")
        seconds = form.get("seconds", "4")
        if seconds not in SECONDS:
            return _error(
                400,
                f"Invalid value: '{seconds}'. Supported values are: '4', '8', and '12'.",
                code="invalid_value",
                param="seconds",
            )
        size = form.get("size", "720x1280")
        if size not in SIZES:
            return _error(400, f"Invalid size '{size}'.", code="invalid_value", param="size")
        reference = form.get("input_reference")
        if reference is not None:
            from io import BytesIO

            from PIL import Image

            width, height = Image.open(BytesIO(reference[1])).size
            if f"{width}x{height}" != size:
                return _error(
                    400,
                    "Inpaint image must match the requested width and height",
                    code="invalid_value",
                    param="input_reference",
                )
        if "[blocked]" in prompt:
            return _error(
                400,
                "Your request was blocked by our moderation system.",
                code="moderation_blocked",
                param="prompt",
            )
        video = self._new_video(prompt=prompt, model=model, seconds=seconds, size=size)
        return Reply(200, self._public(video))

    def _retrieve(self, video: dict[str, Any]) -> Reply:
        self.polls[video["id"]] += 1
        step = self.polls[video["id"]]
        if video["status"] in ("queued", "in_progress"):
            if step == 1:
                video["status"], video["progress"] = "queued", 0
            elif step == 2:
                video["status"], video["progress"] = "in_progress", 45
            else:
                self._finish(video)
        return Reply(200, self._public(video), {"openai-poll-after-ms": POLL_AFTER_MS})

    @staticmethod
    def _finish(video: dict[str, Any]) -> None:
        video["completed_at"] = int(time.time())
        outcome = video["_outcome"]
        if outcome == "success":
            video.update(status="completed", progress=100, expires_at=video["completed_at"] + 3600)
            return
        video["status"] = "failed"
        video["error"] = {
            "refused": {
                "code": "moderation_blocked",
                "message": "The generated video was blocked by our moderation system.",
            },
            "failed": {"code": "video_generation_failed", "message": "Video generation failed."},
            "server_error": {
                "code": "server_error",
                "message": "The server had an error while processing the video.",
            },
        }.get(outcome, {"code": "unknown_error", "message": "Unknown failure."})

    def _content(self, video: dict[str, Any], request: Request) -> Reply:
        variant = request.query.get("variant", ["video"])[0]
        if variant != "video":
            return _error(
                400, f"Variant '{variant}' is not available.", code="invalid_value", param="variant"
            )
        if video["status"] != "completed":
            return _error(404, "Video is not ready yet.", code="video_not_ready")
        return Reply(200, sample_mp4(), {"Content-Type": "video/mp4"})

    def _remix(self, source: dict[str, Any], request: Request) -> Reply:
        if not request.headers.get("content-type", "").startswith("application/json"):
            return _error(400, "Expected JSON.", code="invalid_content_type")
        prompt = (request.json or {}).get("prompt")
        if not isinstance(prompt, str) or not prompt:
            return _error(
                400, "prompt is required.", code="missing_required_parameter", param="prompt"
            )
        if source["status"] != "completed":
            return _error(400, "Only completed videos can be remixed.", code="invalid_state")
        video = self._new_video(
            prompt=prompt,
            model=source["model"],
            seconds=source["seconds"],
            size=source["size"],
            remixed_from=source["id"],
        )
        return Reply(200, self._public(video))


def webhook_body(event_type: str, video_id: str) -> bytes:
    return json.dumps(
        {
            "id": "evt_abc123",
            "object": "event",
            "created_at": int(time.time()),
            "type": event_type,
            "data": {"id": video_id},
        }
    ).encode()
