"""A stateful fake of fal's queue API (queue.fal.run), its file CDN, and its webhook JWKS.

Wire format as fal-client 1.0.3 and fal's docs have it:
  POST /{app}[?fal_webhook=URL]               → {request_id, gateway_request_id, response_url,
                                                 status_url, cancel_url, queue_position}
  GET  /{owner}/{alias}/requests/{id}/status  → {status: IN_QUEUE|IN_PROGRESS|COMPLETED, ...}
  GET  /{owner}/{alias}/requests/{id}         → the app's output, e.g. {video: {url}, seed}, or
                                                 the request's error (422 with `detail[]`, 5xx
                                                 with `error_type`)
  PUT  /{owner}/{alias}/requests/{id}/cancel  → 202 CANCELLATION_REQUESTED | 400 ALREADY_COMPLETED
  GET  /.well-known/jwks.json                 → {keys: [{kty: OKP, crv: Ed25519, x, kid}]}
Every queue call needs `Authorization: Key <key>`; 401 without it. Note that request URLs
carry only `owner/alias` — the app's sub-path (`/fast/text-to-video`) is dropped.

A job walks IN_QUEUE → IN_PROGRESS → COMPLETED over its first three status polls. Its outcome is
`fake.outcome` when submitted ("success", "refused", "failed"), or a marker in the prompt
("[refuse]", "[fail]").
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.fakes.common import FakeProvider, Reply, Request, sample_mp4

FAL_TEST_KEY = "fal-test-key-id:fal-test-key-secret"


@dataclass
class FalJob:
    request_id: str
    app: str  # the full app id it was submitted to
    owner_alias: str  # what the request URLs use
    arguments: dict[str, Any]
    outcome: str
    webhook: str | None
    polls: int = 0
    cancelled: bool = False

    @property
    def completed(self) -> bool:
        return self.cancelled or self.polls >= 3


class FakeFal(FakeProvider):
    def __init__(self, key: str = FAL_TEST_KEY) -> None:
        super().__init__()
        self.key = key
        self.outcome = "success"
        self.jobs: dict[str, FalJob] = {}
        self.user_id = "fal-user-1234"
        self.signing_key = Ed25519PrivateKey.generate()
        self.kid = "fake-fal-key-1"

    # -- helpers for tests -----------------------------------------------------------------------
    def reset(self) -> None:
        """Forget jobs, requests and pending faults (one server can serve a whole test module)."""
        with self.lock:
            self.requests.clear()
            self.jobs.clear()
            self._faults.clear()
            self.outcome = "success"

    def public_jwk(self) -> dict[str, str]:
        raw = self.signing_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": self.kid, "use": "sig"}

    def sign(
        self, request_id: str, body: bytes, *, timestamp: int | None = None,
        key: Ed25519PrivateKey | None = None, user_id: str | None = None,
    ) -> dict[str, str]:  # fmt: skip
        """The headers fal sends with a webhook delivery (signed with `key`, default ours)."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        uid = self.user_id if user_id is None else user_id
        message = "\n".join([request_id, uid, ts, hashlib.sha256(body).hexdigest()]).encode()
        signature = (key or self.signing_key).sign(message).hex()
        return {
            "X-Fal-Webhook-Request-Id": request_id,
            "X-Fal-Webhook-User-Id": uid,
            "X-Fal-Webhook-Timestamp": ts,
            "X-Fal-Webhook-Signature": signature,
        }

    def webhook_delivery(self, request_id: str, **sign_kwargs: Any) -> tuple[dict[str, str], bytes]:
        """What fal would POST to a job's `fal_webhook` when it completes."""
        job = self.jobs[request_id]
        if job.outcome == "success":
            payload: dict[str, Any] = {
                "request_id": request_id, "gateway_request_id": request_id, "status": "OK",
                "payload": self._output(job),
            }  # fmt: skip
        else:
            payload = {
                "request_id": request_id, "gateway_request_id": request_id, "status": "ERROR",
                "error": "Invalid status code: 422", "payload": self._error_body(job),
            }  # fmt: skip
        body = json.dumps(payload).encode()
        return self.sign(request_id, body, **sign_kwargs), body

    # -- the server --------------------------------------------------------------------------------
    def route(self, request: Request) -> Reply:
        if request.method == "GET" and request.path == "/.well-known/jwks.json":
            return Reply(200, {"keys": [self.public_jwk()]})
        if request.method == "GET" and request.path.startswith("/files/"):
            return Reply(200, sample_mp4(), {"Content-Type": "video/mp4"})
        if request.headers.get("authorization") != f"Key {self.key}":
            return Reply(401, {"detail": "No user found for Key ID and Secret"})
        parts = request.path.strip("/").split("/")
        if "requests" in parts:
            index = parts.index("requests")
            owner_alias = "/".join(parts[:index])
            rest = parts[index + 1 :]
            job = self.jobs.get(rest[0]) if rest else None
            if job is None or job.owner_alias != owner_alias:
                return Reply(404, {"detail": "Request not found"})
            if request.method == "GET" and rest[1:] == ["status"]:
                return self._status(job)
            if request.method == "GET" and len(rest) == 1:
                return self._result(job)
            if request.method == "PUT" and rest[1:] == ["cancel"]:
                return self._cancel(job)
            return Reply(405, {"detail": "Method not allowed"})
        if request.method == "POST":
            return self._submit(request, "/".join(parts))
        return Reply(404, {"detail": "Not found"})

    def _submit(self, request: Request, app: str) -> Reply:
        arguments = request.json or {}
        if not isinstance(arguments.get("prompt"), str) or not arguments["prompt"]:
            return Reply(422, {"detail": [{
                "loc": ["body", "prompt"], "msg": "field required", "type": "missing",
            }]})  # fmt: skip
        prompt = arguments["prompt"]
        outcome = self.outcome
        if "[refuse]" in prompt:
            outcome = "refused"
        elif "[fail]" in prompt:
            outcome = "failed"
        request_id = str(uuid.uuid4())
        owner_alias = "/".join(app.split("/")[:2])
        self.jobs[request_id] = FalJob(
            request_id=request_id, app=app, owner_alias=owner_alias, arguments=arguments,
            outcome=outcome, webhook=(request.query.get("fal_webhook") or [None])[0],
        )  # fmt: skip
        base = f"{self.url}/{owner_alias}/requests/{request_id}"
        return Reply(200, {
            "status": "IN_QUEUE", "request_id": request_id, "gateway_request_id": request_id,
            "response_url": base, "status_url": f"{base}/status", "cancel_url": f"{base}/cancel",
            "queue_position": 2,
        })  # fmt: skip

    def _status(self, job: FalJob) -> Reply:
        job.polls += 1
        if job.cancelled:
            return Reply(200, {
                "status": "COMPLETED", "request_id": job.request_id, "logs": None,
                "metrics": {}, "error": "Request was cancelled by the client",
                "error_type": "client_cancelled",
            })  # fmt: skip
        if job.polls == 1:
            return Reply(200, {
                "status": "IN_QUEUE", "request_id": job.request_id, "queue_position": 1,
                "response_url": f"{self.url}/{job.owner_alias}/requests/{job.request_id}",
            })  # fmt: skip
        if job.polls == 2:
            return Reply(200, {
                "status": "IN_PROGRESS", "request_id": job.request_id,
                "logs": [{"message": "Generating video", "level": "INFO"}],
            })  # fmt: skip
        done: dict[str, Any] = {
            "status": "COMPLETED", "request_id": job.request_id, "logs": None,
            "metrics": {"inference_time": 41.2},
        }  # fmt: skip
        if job.outcome == "failed":
            # A request error: the status names it, and the result repeats it as a 500.
            done.update(error="Runner crashed", error_type="runner_server_error")
        elif job.outcome == "refused":
            done["error"] = "Invalid status code: 422"  # model errors: the detail is the result
        return Reply(200, done)

    def _result(self, job: FalJob) -> Reply:
        if not job.completed:
            return Reply(400, {"detail": "Request is still in progress"})
        if job.cancelled:
            return Reply(499, {"detail": "Request was cancelled", "error_type": "client_cancelled"})
        if job.outcome == "refused":
            return Reply(422, self._error_body(job), {"X-Fal-Retryable": "false"})
        if job.outcome == "failed":
            return Reply(
                500, {"detail": "Runner crashed", "error_type": "runner_server_error"},
                {"X-Fal-Error-Type": "runner_server_error"},
            )  # fmt: skip
        return Reply(200, self._output(job))

    def _cancel(self, job: FalJob) -> Reply:
        if job.completed:
            return Reply(400, {"status": "ALREADY_COMPLETED"})
        job.cancelled = True
        return Reply(202, {"status": "CANCELLATION_REQUESTED"})

    def _output(self, job: FalJob) -> dict[str, Any]:
        data = sample_mp4()
        return {
            "video": {
                "url": f"{self.url}/files/{job.request_id}.mp4", "content_type": "video/mp4",
                "file_name": "output.mp4", "file_size": len(data),
            },
            "seed": job.arguments.get("seed", 42),
        }  # fmt: skip

    @staticmethod
    def _error_body(job: FalJob) -> dict[str, Any]:
        return {"detail": [{
            "loc": ["body", "prompt"],
            "msg": "The content could not be processed because it contained material flagged "
                   "by a content checker.",
            "type": "content_policy_violation",
            "url": "https://docs.fal.ai/errors#content_policy_violation",
        }]}  # fmt: skip
