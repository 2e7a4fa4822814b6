"""A stateful fake of Runway's developer API (the parts Reverie's backend uses).

Speaks the real wire format of runwayml 5.24.0 / API version 2024-11-06:
- `POST /v1/text_to_video` and `POST /v1/image_to_video` `{model, promptText, ratio, duration,
  audio?, seed?, promptImage?}` → `{id}`; bad input → 400 `{"error": ..., "issues": [...]}`.
- `GET /v1/tasks/{id}` walks a task PENDING (or THROTTLED) → RUNNING (`progress`) → SUCCEEDED
  (`output` URLs, `cost.credits`), one step per poll; FAILED carries `failure` + `failureCode`.
- `DELETE /v1/tasks/{id}` → 204: cancels a task still in flight, deletes a finished one.
- Every `/v1` call needs `Authorization: Bearer <key>` (401 otherwise) and `X-Runway-Version`.
- Output URLs (`/_output/{id}.mp4?sig=N`) serve `sample_mp4()` as `video/mp4`, no auth (Runway's
  are presigned CDN links); a URL whose signature was marked expired answers 403.

Steer outcomes with `fake.outcome` ("success", "refused", "failed", "internal"), or per task with
a prompt marker `[refused]` / `[failed]` / `[internal]`; `fake.throttled = True` makes new tasks
show THROTTLED instead of PENDING.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tests.fakes.common import FakeProvider, Reply, Request, sample_mp4

API_VERSION = "2024-11-06"
# model → (duration menu, ratios, credits per second without audio, with audio)
MODELS: dict[str, tuple[tuple[int, ...], tuple[str, ...], int, int]] = {
    "gen4.5": (tuple(range(2, 11)), ("1280:720", "720:1280"), 12, 12),
    "veo3.1": ((4, 6, 8), ("1280:720", "720:1280", "1080:1920", "1920:1080"), 20, 40),
    "veo3.1_fast": ((4, 6, 8), ("1280:720", "720:1280", "1080:1920", "1920:1080"), 10, 15),
}
FAILURES = {
    "refused": ("SAFETY.OUTPUT.VIDEO", "The output was flagged by content moderation."),
    "failed": ("ASSET.INVALID", "An input asset could not be processed."),
    "internal": ("INTERNAL.BAD_OUTPUT.CODE01", "The generation failed a quality check."),
}
TASK_PATH = re.compile(r"^/v1/tasks/([^/]+)$")
OUTPUT_PATH = re.compile(r"^/_output/([^/]+)\.mp4$")


@dataclass
class Task:
    id: str
    kind: str  # text_to_video | image_to_video
    body: dict[str, Any]
    outcome: str
    credits: int
    throttled: bool
    created_at: str
    polls: int = 0
    status: str = "PENDING"
    signature: int = 0
    deleted: bool = False


class FakeRunway(FakeProvider):
    def __init__(self, api_key: str = "test-runway-secret") -> None:
        super().__init__()
        self.api_key = api_key
        self.outcome = "success"
        self.throttled = False
        self.tasks: dict[str, Task] = {}
        self.expired_signatures: set[tuple[str, int]] = set()
        self.cancelled: list[str] = []

    # -- helpers for tests --------------------------------------------------------------------
    def expire_output(self, task_id: str) -> None:
        """Make the task's current output URL answer 403, as Runway's do after 24–48 h."""
        task = self.tasks[task_id]
        self.expired_signatures.add((task_id, task.signature))

    # -- routing --------------------------------------------------------------------------------
    def route(self, request: Request) -> Reply:
        output = OUTPUT_PATH.match(request.path)
        if output and request.method == "GET":
            return self._output(output.group(1), request)
        if not request.path.startswith("/v1/"):
            return Reply(404, {"error": "Not found"})
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return Reply(401, {"error": "Invalid API key"})
        if request.headers.get("x-runway-version") != API_VERSION:
            return Reply(400, {"error": "The X-Runway-Version header is missing or invalid."})
        if request.method == "POST" and request.path in ("/v1/text_to_video", "/v1/image_to_video"):
            return self._create(request.path.removeprefix("/v1/"), request)
        task = TASK_PATH.match(request.path)
        if task and request.method == "GET":
            return self._retrieve(task.group(1))
        if task and request.method == "DELETE":
            return self._delete(task.group(1))
        return Reply(404, {"error": "Not found"})

    def _create(self, kind: str, request: Request) -> Reply:
        body = request.json or {}
        issues: list[str] = []
        model = body.get("model")
        spec = MODELS.get(model)
        if spec is None:
            return Reply(400, {"error": "Validation of body failed", "issues": ["model"]})
        durations, ratios, credits, credits_audio = spec
        prompt = body.get("promptText")
        if not isinstance(prompt, str) or not prompt.strip():
            issues.append("promptText must be a non-empty string")
        elif len(prompt.encode("utf-16-le")) // 2 > 1000:
            issues.append("promptText must be at most 1000 characters")
        if body.get("ratio") not in ratios:
            issues.append(f"ratio must be one of {', '.join(ratios)}")
        duration = body.get("duration")
        if duration not in durations:
            issues.append(f"duration must be one of {durations}")
        if "audio" in body and model == "gen4.5":
            issues.append("audio is not supported by gen4.5")
        seed = body.get("seed")
        if seed is not None and not (isinstance(seed, int) and 0 <= seed <= 4294967295):
            issues.append("seed must be an integer from 0 to 4294967295")
        if kind == "image_to_video":
            image = body.get("promptImage")
            if not isinstance(image, str) or not image.startswith(("data:image/", "https://")):
                issues.append("promptImage must be an HTTPS URL or a data URI")
        if issues:
            return Reply(400, {"error": "Validation of body failed", "issues": issues})

        outcome = self.outcome
        for marker in FAILURES:
            if f"[{marker}]" in prompt:
                outcome = marker
        per_second = credits_audio if body.get("audio", True) else credits
        task = Task(
            id=str(uuid.uuid4()),
            kind=kind,
            body=body,
            outcome=outcome,
            credits=per_second * int(duration),
            throttled=self.throttled,
            created_at=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        )
        self.tasks[task.id] = task
        return Reply(200, {"id": task.id, "estimatedCost": {"credits": task.credits}})

    def _advance(self, task: Task) -> None:
        """One step along PENDING/THROTTLED → RUNNING → SUCCEEDED|FAILED per poll."""
        if task.status in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return
        task.polls += 1
        if task.polls == 1:
            task.status = "THROTTLED" if task.throttled else "PENDING"
        elif task.polls == 2:
            task.status = "RUNNING"
        else:
            task.status = "SUCCEEDED" if task.outcome == "success" else "FAILED"

    def _retrieve(self, task_id: str) -> Reply:
        task = self.tasks.get(task_id)
        if task is None or task.deleted:
            return Reply(404, {"error": "Task not found"})
        self._advance(task)
        payload: dict[str, Any] = {
            "id": task.id,
            "createdAt": task.created_at,
            "status": task.status,
        }
        if task.status in ("PENDING", "THROTTLED"):
            payload["estimatedCost"] = {"credits": task.credits}
        elif task.status == "RUNNING":
            payload["estimatedCost"] = {"credits": task.credits}
            payload["progress"] = 0.4
        elif task.status == "SUCCEEDED":
            task.signature += 1  # every read hands out a freshly signed URL
            payload["output"] = [f"{self.url}/_output/{task.id}.mp4?sig={task.signature}"]
            payload["cost"] = {"credits": task.credits}
        elif task.status == "FAILED":
            code, message = FAILURES[task.outcome]
            payload["failure"] = message
            payload["failureCode"] = code
            payload["cost"] = {"credits": 0}
        elif task.status == "CANCELLED":
            payload["cost"] = {"credits": 0}
        return Reply(200, payload)

    def _delete(self, task_id: str) -> Reply:
        task = self.tasks.get(task_id)
        if task is None or task.deleted:
            return Reply(404, {"error": "Task not found"})
        self.cancelled.append(task_id)
        if task.status in ("SUCCEEDED", "FAILED", "CANCELLED"):
            task.deleted = True  # deleting a finished task removes it
        else:
            task.status = "CANCELLED"
        return Reply(204, b"")

    def _output(self, task_id: str, request: Request) -> Reply:
        task = self.tasks.get(task_id)
        signature = int((request.query.get("sig") or ["0"])[0])
        if task is None or task.status != "SUCCEEDED" or task.deleted:
            return Reply(404, b"<Error>NoSuchKey</Error>", {"Content-Type": "application/xml"})
        if (task_id, signature) in self.expired_signatures or signature > task.signature:
            return Reply(
                403, b"<Error>Request has expired</Error>", {"Content-Type": "application/xml"}
            )
        return Reply(200, sample_mp4(), {"Content-Type": "video/mp4"})
