"""A stateful fake of Luma's Agents API (the video parts Reverie's backend uses).

Speaks the real wire format of luma-agents 0.5.0 (base `.../v1`, `Authorization: Bearer`):
- `POST /v1/generations` `{type: "video"|"video_edit", model: "ray-3.2", prompt, aspect_ratio,
  video: {duration: "5s"|"10s", resolution, keyframes?, keyframe_indexes?, edit?}, source?,
  user_id?}` → 201 with the Generation (`state: "queued"`); bad input → 400/422 `{"detail"}`.
- `GET /v1/generations/{id}` walks queued → processing → completed (`output: [{type, url}]`),
  one step per poll; failed carries `failure_code` + `failure_reason`.
- No auth → 401 `{"detail": ...}`; unknown id → 404.
- Output URLs (`/_media/{id}.mp4?sig=N`) are presigned: no auth, `video/mp4` from `sample_mp4()`;
  a signature marked expired answers 403, and every read of a completed job re-signs.

Steer outcomes with `fake.outcome` ("success", "refused", "failed", "invalid", "budget") or per
generation with a prompt marker such as `[refused]`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tests.fakes.common import FakeProvider, Reply, Request, sample_mp4

ASPECTS = {"9:16", "3:4", "1:1", "4:3", "16:9", "21:9"}
RESOLUTIONS = {"360p", "540p", "720p", "1080p"}
STRENGTHS = {f"{kind}_{n}" for kind in ("adhere", "flex", "reimagine") for n in (1, 2, 3)}
FAILURES = {
    "refused": ("content_moderated", "Prompt or input image violated content guidelines"),
    "failed": ("generation_failed", "Internal model error during generation"),
    "invalid": ("invalid_request", "The request could not be processed"),
    "budget": ("budget_exhausted", "Ran out of funds mid-generation"),
}
GENERATION_PATH = re.compile(r"^/v1/generations/([^/]+)$")
MEDIA_PATH = re.compile(r"^/_media/([^/]+)\.mp4$")


@dataclass
class Generation:
    id: str
    type: str
    body: dict[str, Any]
    outcome: str
    created_at: str
    polls: int = 0
    state: str = "queued"
    signature: int = 0


class FakeLuma(FakeProvider):
    def __init__(self, api_key: str = "test-luma-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.outcome = "success"
        self.generations: dict[str, Generation] = {}
        self.expired_signatures: set[tuple[str, int]] = set()

    @property
    def base_url(self) -> str:
        """What to give the SDK as `base_url` (Luma's carries the `/v1`)."""
        return f"{self.url}/v1"

    def complete(self, generation_id: str) -> None:
        """Jump a generation straight to `completed` (e.g. a remix source)."""
        generation = self.generations[generation_id]
        generation.state, generation.outcome = "completed", "success"

    def expire_output(self, generation_id: str) -> None:
        generation = self.generations[generation_id]
        self.expired_signatures.add((generation_id, generation.signature))

    # -- routing --------------------------------------------------------------------------------
    def route(self, request: Request) -> Reply:
        media = MEDIA_PATH.match(request.path)
        if media and request.method == "GET":
            return self._media(media.group(1), request)
        if not request.path.startswith("/v1/"):
            return Reply(404, {"detail": "Not Found"})
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return Reply(401, {"detail": "Invalid or missing API key"})
        if request.method == "POST" and request.path == "/v1/generations":
            return self._create(request)
        found = GENERATION_PATH.match(request.path)
        if found and request.method == "GET":
            return self._get(found.group(1))
        return Reply(405 if found else 404, {"detail": "Not Found"})

    def _create(self, request: Request) -> Reply:
        body = request.json or {}
        kind = body.get("type", "image")
        if kind not in ("video", "video_edit"):
            return Reply(400, {"detail": f"type {kind!r} is not supported by this fake"})
        if body.get("model") != "ray-3.2":
            return Reply(400, {"detail": f"model {body.get('model')!r} cannot make {kind}"})
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            return Reply(400, {"detail": "prompt is required"})
        video = body.get("video") or {}
        if video.get("resolution", "720p") not in RESOLUTIONS:
            return Reply(400, {"detail": "video.resolution must be 360p, 540p, 720p or 1080p"})

        if kind == "video":
            if body.get("aspect_ratio", "16:9") not in ASPECTS:
                return Reply(422, {"detail": "aspect_ratio is not offered by ray-3.2"})
            if video.get("duration", "5s") not in ("5s", "10s"):
                return Reply(400, {"detail": "video.duration must be 5s or 10s"})
            if video.get("loop") and video.get("duration") == "10s":
                return Reply(422, {"detail": "loop is not supported with duration=10s"})
            keyframes = video.get("keyframes") or []
            if len(keyframes) != len(video.get("keyframe_indexes") or []):
                return Reply(422, {"detail": "keyframes and keyframe_indexes differ in length"})
            for frame in keyframes:
                if not frame.get("data") or not frame.get("media_type", "").startswith("image/"):
                    return Reply(422, {"detail": "keyframes need base64 data and a media_type"})
        else:
            source = (body.get("source") or {}).get("generation_id")
            original = self.generations.get(source or "")
            if original is None or original.type != "video" or original.state != "completed":
                return Reply(422, {"detail": "source.generation_id is not a completed video"})
            strength = (video.get("edit") or {}).get("strength")
            if strength is not None and strength not in STRENGTHS:
                return Reply(400, {"detail": "video.edit.strength is invalid"})

        outcome = self.outcome
        for marker in FAILURES:
            if f"[{marker}]" in prompt:
                outcome = marker
        generation = Generation(
            id=str(uuid.uuid4()),
            type=kind,
            body=body,
            outcome=outcome,
            created_at=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        )
        self.generations[generation.id] = generation
        return Reply(201, self._payload(generation))

    def _advance(self, generation: Generation) -> None:
        if generation.state in ("completed", "failed"):
            return
        generation.polls += 1
        if generation.polls == 1:
            generation.state = "queued"
        elif generation.polls == 2:
            generation.state = "processing"
        else:
            generation.state = "completed" if generation.outcome == "success" else "failed"

    def _payload(self, generation: Generation) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": generation.id,
            "created_at": generation.created_at,
            "model": generation.body.get("model"),
            "state": generation.state,
            "type": generation.type,
            "failure_code": None,
            "failure_reason": None,
            "output": None,
        }
        if generation.state == "completed":
            generation.signature += 1
            url = f"{self.url}/_media/{generation.id}.mp4?sig={generation.signature}"
            payload["output"] = [{"type": "video", "url": url}]
        elif generation.state == "failed":
            payload["failure_code"], payload["failure_reason"] = FAILURES[generation.outcome]
        return payload

    def _get(self, generation_id: str) -> Reply:
        generation = self.generations.get(generation_id)
        if generation is None:
            return Reply(404, {"detail": "Generation not found"})
        self._advance(generation)
        return Reply(200, self._payload(generation))

    def _media(self, generation_id: str, request: Request) -> Reply:
        generation = self.generations.get(generation_id)
        signature = int((request.query.get("sig") or ["0"])[0])
        if generation is None or generation.state != "completed":
            return Reply(404, b"<Error>NoSuchKey</Error>", {"Content-Type": "application/xml"})
        if (generation_id, signature) in self.expired_signatures:
            return Reply(
                403, b"<Error>Request has expired</Error>", {"Content-Type": "application/xml"}
            )
        return Reply(200, sample_mp4(), {"Content-Type": "video/mp4"})
