"""A stateful fake of Replicate's HTTP API (the prediction routes Reverie's backend uses).

Wire format as replicate 1.0.7 and Replicate's API reference have it:
  POST /v1/models/{owner}/{name}/predictions  {input, webhook?, webhook_events_filter?} → 201
  POST /v1/predictions                        {version, input, ...} → 201
  GET  /v1/predictions/{id}                   → the prediction, one status step per poll
  POST /v1/predictions/{id}/cancel            → the prediction, now `canceled`
A prediction is `{id, model, version, input, logs, output, error, status, created_at,
started_at, completed_at, urls, metrics, ...}`; it walks starting → processing (a tqdm bar in
`logs`) → succeeded (`output`: the video URL) | failed (`error` ending in an `(E####)` code).
Errors are RFC 7807 problems `{title, detail, status}`. Every /v1 call needs
`Authorization: Bearer <token>` (401 otherwise). Output files (`/files/{id}.mp4`) serve
`sample_mp4()` as video/mp4.

Steer outcomes with `fake.outcome` ("success", "refused", "failed", "flaky"), or a prompt marker
"[refuse]" / "[fail]" / "[flaky]". Webhook deliveries are signed with `fake.webhook_secret`
(Standard Webhooks).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tests.fakes.common import FakeProvider, Reply, Request, sample_mp4

REPLICATE_TEST_TOKEN = "r8_test_token_for_reverie"
MODELS = {"bytedance/seedance-1-lite", "bytedance/seedance-1-pro"}
VERSIONS = {"5f1d0a3b" * 8: "bytedance/seedance-1-lite"}  # a pinned version of one model
FAILURES = {
    "refused": "The input or output was flagged as sensitive. Please try again with different "
    "inputs. (E005)",
    "failed": "Model ran out of memory while generating the video (E1001)",
    "flaky": "Prediction timed out while starting (E6716)",
}


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class FakePrediction:
    id: str
    model: str
    version: str
    input: dict[str, Any]
    outcome: str
    webhook: str | None
    webhook_events_filter: list[str] | None
    created_at: str
    status: str = "starting"
    polls: int = 0
    logs: str = ""
    output: Any = None
    error: str | None = None
    started_at: str | None = None
    completed_at: str | None = None


class FakeReplicate(FakeProvider):
    def __init__(self, token: str = REPLICATE_TEST_TOKEN) -> None:
        super().__init__()
        self.token = token
        self.outcome = "success"
        self.predictions: dict[str, FakePrediction] = {}
        self.webhook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()

    def reset(self) -> None:
        """Forget predictions, requests and pending faults (one server per test module)."""
        with self.lock:
            self.requests.clear()
            self.predictions.clear()
            self._faults.clear()
            self.outcome = "success"

    # -- helpers for tests -----------------------------------------------------------------------
    def sign(
        self, body: bytes, *, msg_id: str | None = None, timestamp: int | None = None,
        secret: str | None = None,
    ) -> dict[str, str]:  # fmt: skip
        """Standard Webhooks headers for `body`, as Replicate sends them."""
        msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
        ts = str(int(time.time()) if timestamp is None else timestamp)
        key = base64.b64decode((secret or self.webhook_secret).split("_", 1)[1])
        digest = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": ts,
            "webhook-signature": "v1," + base64.b64encode(digest).decode(),
        }

    def webhook_delivery(
        self, prediction_id: str, **sign_kwargs: Any
    ) -> tuple[dict[str, str], bytes]:
        """The `completed` event Replicate POSTs to the prediction's webhook: the prediction."""
        prediction = self.predictions[prediction_id]
        while prediction.status in ("starting", "processing"):
            self._advance(prediction)
        body = json.dumps(self._json(prediction)).encode()
        return self.sign(body, **sign_kwargs), body

    # -- the server --------------------------------------------------------------------------------
    def route(self, request: Request) -> Reply:
        if request.method == "GET" and request.path.startswith("/files/"):
            return Reply(200, sample_mp4(), {"Content-Type": "video/mp4"})
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return self._problem(
                401, "Unauthenticated", "You did not pass a valid authentication token"
            )
        parts = request.path.strip("/").split("/")
        if parts[:2] == ["v1", "models"] and len(parts) == 5 and parts[4] == "predictions":
            if request.method != "POST":
                return self._problem(405, "Method not allowed", "Use POST")
            model = f"{parts[2]}/{parts[3]}"
            if model not in MODELS:
                return self._problem(404, "Not found", "The requested resource could not be found.")
            return self._create(request, model, "")
        if parts == ["v1", "predictions"] and request.method == "POST":
            version = (request.json or {}).get("version", "")
            if version not in VERSIONS:
                return self._problem(422, "Invalid version", "The specified version does not exist")
            return self._create(request, VERSIONS[version], version)
        if parts[:2] == ["v1", "predictions"] and len(parts) >= 3:
            prediction = self.predictions.get(parts[2])
            if prediction is None:
                return self._problem(404, "Not found", "The requested resource could not be found.")
            if request.method == "GET" and len(parts) == 3:
                if prediction.status in ("starting", "processing"):
                    self._advance(prediction)
                return Reply(200, self._json(prediction))
            if request.method == "POST" and parts[3:] == ["cancel"]:
                if prediction.status in ("starting", "processing"):
                    prediction.status = "canceled"
                    prediction.completed_at = _now()
                return Reply(200, self._json(prediction))
        return self._problem(404, "Not found", "The requested resource could not be found.")

    def _create(self, request: Request, model: str, version: str) -> Reply:
        body = request.json or {}
        model_input = body.get("input") or {}
        prompt = model_input.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            return self._problem(422, "Input validation failed", "- input: prompt is required")
        duration = model_input.get("duration", 5)
        if not isinstance(duration, int) or not 2 <= duration <= 12:
            return self._problem(
                422, "Input validation failed", "- input.duration: Must be between 2 and 12"
            )
        outcome = self.outcome
        for marker, value in (("[refuse]", "refused"), ("[fail]", "failed"), ("[flaky]", "flaky")):
            if marker in prompt:
                outcome = value
        prediction = FakePrediction(
            id=uuid.uuid4().hex[:26], model=model, version=version or "hidden",
            input=model_input, outcome=outcome, webhook=body.get("webhook"),
            webhook_events_filter=body.get("webhook_events_filter"), created_at=_now(),
        )  # fmt: skip
        self.predictions[prediction.id] = prediction
        return Reply(201, self._json(prediction))

    def _advance(self, prediction: FakePrediction) -> None:
        """One step per poll: starting → processing → its outcome."""
        prediction.polls += 1
        if prediction.status == "starting":
            prediction.status = "processing"
            prediction.started_at = _now()
            prediction.logs = "Generating video...\n 45%|####5     | 9/20 [00:05<00:06,  1.80it/s]"
            return
        prediction.completed_at = _now()
        if prediction.outcome == "success":
            prediction.status = "succeeded"
            prediction.logs += "\n100%|##########| 20/20 [00:11<00:00,  1.80it/s]"
            prediction.output = f"{self.url}/files/{prediction.id}.mp4"
        else:
            prediction.status = "failed"
            prediction.error = FAILURES[prediction.outcome]

    def _json(self, prediction: FakePrediction) -> dict[str, Any]:
        base = f"{self.url}/v1/predictions/{prediction.id}"
        done = prediction.status in ("succeeded", "failed", "canceled")
        return {
            "id": prediction.id, "model": prediction.model, "version": prediction.version,
            "input": prediction.input, "logs": prediction.logs, "output": prediction.output,
            "data_removed": False, "error": prediction.error, "status": prediction.status,
            "source": "api", "created_at": prediction.created_at,
            "started_at": prediction.started_at, "completed_at": prediction.completed_at,
            "urls": {"get": base, "cancel": f"{base}/cancel", "web": f"https://replicate.com/p/{prediction.id}"},
            "metrics": {"predict_time": 11.2} if done else {},
        }  # fmt: skip

    @staticmethod
    def _problem(status: int, title: str, detail: str) -> Reply:
        return Reply(
            status, {"title": title, "detail": detail, "status": status},
            {"Content-Type": "application/problem+json"},
        )  # fmt: skip
