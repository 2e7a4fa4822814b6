"""A stateful fake of the Gemini API's Veo endpoints, as google-genai 2.x speaks to them.

- `POST /v1beta/models/{model}:predictLongRunning` with `x-goog-api-key` and
  `{"instances": [{"prompt", "image"?}], "parameters": {"sampleCount", "durationSeconds",
  "aspectRatio", "resolution", …}}` → `{"name": "models/{model}/operations/{id}"}`.
- `GET /v1beta/models/{model}/operations/{id}`: `{"name"}` while running (the API leaves `done`
  out), then `done: true` with `response.generateVideoResponse.generatedSamples[0].video.uri` —
  or `raiMediaFilteredCount`/`raiMediaFilteredReasons`, or an `error` (a google.rpc.Status).
- `GET /v1beta/files/{id}:download?alt=media` (the SDK derives it from the video's URI) answers
  302 to a signed storage URL on the same server, which serves the MP4, as Google's does.
- Errors use Google's envelope `{"error": {"code", "message", "status", "details"}}`.

Each operation is running on its first two polls and done on the third. Outcomes come from
`fake.outcome` or a prompt marker: "success", "refused" (RAI-filtered), "safety_error" (an
operation error worded as a safety block), "invalid" (INVALID_ARGUMENT), "internal" (INTERNAL).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from tests.fakes.common import FakeProvider, Reply, Request, sample_mp4

MODELS = (
    "veo-3.1-generate-preview",
    "veo-3.1-fast-generate-preview",
    "veo-3.1-lite-generate-preview",
    "veo-3.0-generate-001",
    "veo-3.0-fast-generate-001",
)
PARAMETERS = (
    "sampleCount",
    "durationSeconds",
    "aspectRatio",
    "resolution",
    "negativePrompt",
    "personGeneration",
    "enhancePrompt",
)
PUBLIC_HOST = "https://generativelanguage.googleapis.com"
OUTCOMES = ("refused", "safety_error", "invalid", "internal")

_PREDICT = re.compile(r"^/v1beta/models/([^/:]+):predictLongRunning$")
_OPERATION = re.compile(r"^/v1beta/(models/([^/]+)/operations/([a-z0-9]+))$")
_DOWNLOAD = re.compile(r"^/v1beta/files/([a-z0-9]+):download$")
_STORAGE = re.compile(r"^/storage/([a-z0-9]+)\.mp4$")


def google_error(code: int, status: str, message: str, details: list[Any] | None = None) -> Reply:
    return Reply(
        code,
        {
            "error": {
                "code": code,
                "message": message,
                "status": status,
                **({"details": details} if details else {}),
            }
        },
    )


class FakeVeo(FakeProvider):
    def __init__(self, api_key: str = "AIza-fake-gemini-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.outcome = "success"
        self.operations: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    def reset(self) -> None:
        """Forget every operation, request and pending fault (one server per test module)."""
        with self.lock:
            self.requests.clear()
            self._faults.clear()
            self.operations.clear()
            self.outcome = "success"

    def route(self, request: Request) -> Reply:
        if match := _STORAGE.match(request.path):  # a signed URL: no API key needed
            if request.query.get("sig") != ["fake-signature"]:
                return google_error(403, "PERMISSION_DENIED", "Invalid signature.")
            return Reply(200, sample_mp4(), {"Content-Type": "video/mp4"})
        key = request.headers.get("x-goog-api-key") or (request.query.get("key") or [""])[0]
        if not key:
            return google_error(
                401,
                "UNAUTHENTICATED",
                "Method doesn't allow unregistered "
                "callers. Please use API Key or other form of API consumer "
                "identity to call this API.",
            )
        if key != self.api_key:
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.",
                [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                    }
                ],
            )
        if (match := _PREDICT.match(request.path)) and request.method == "POST":
            return self._predict(match.group(1), request)
        if (match := _OPERATION.match(request.path)) and request.method == "GET":
            return self._operation(match.group(1))
        if (match := _DOWNLOAD.match(request.path)) and request.method == "GET":
            return self._download(match.group(1), request)
        return google_error(404, "NOT_FOUND", f"Unknown path {request.path}.")

    def _predict(self, model: str, request: Request) -> Reply:
        if model not in MODELS:
            return google_error(
                404,
                "NOT_FOUND",
                f"models/{model} is not found for API version "
                "v1beta, or is not supported for predictLongRunning.",
            )
        body = request.json or {}
        instances = body.get("instances")
        if not isinstance(instances, list) or len(instances) != 1:
            return google_error(400, "INVALID_ARGUMENT", "Exactly one instance is required.")
        prompt = instances[0].get("prompt")
        if not isinstance(prompt, str) or not prompt:
            return google_error(400, "INVALID_ARGUMENT", "A prompt is required.")
        parameters = body.get("parameters", {})
        unknown = sorted(set(parameters) - set(PARAMETERS))
        if unknown:
            return google_error(
                400,
                "INVALID_ARGUMENT",
                f"Invalid JSON payload received. Unknown name \"{unknown[0]}\" at 'parameters'.",
            )
        if parameters.get("aspectRatio", "16:9") not in ("16:9", "9:16"):
            return google_error(400, "INVALID_ARGUMENT", "Unsupported aspect ratio.")
        duration = parameters.get("durationSeconds", 8)
        if duration not in (4, 6, 8):
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "The number value for `durationSeconds` "
                "is out of bound. Please provide a value between 4 and 8.",
            )
        resolution = parameters.get("resolution", "720p")
        if resolution not in ("720p", "1080p", "4k") or (resolution != "720p" and duration != 8):
            return google_error(
                400,
                "INVALID_ARGUMENT",
                f"Resolution {resolution} is not supported for {duration} s videos.",
            )
        image = instances[0].get("image")
        if image is not None and not ({"bytesBase64Encoded", "mimeType"} <= set(image)):
            return google_error(
                400, "INVALID_ARGUMENT", "image needs bytesBase64Encoded and mimeType."
            )
        outcome = next((o for o in OUTCOMES if f"[{o}]" in prompt), self.outcome)
        number = next(self._ids)
        name = f"models/{model}/operations/op{number:010d}"
        self.operations[name] = {"polls": 0, "outcome": outcome, "file": f"vid{number:08d}"}
        return Reply(200, {"name": name})

    def _operation(self, name: str) -> Reply:
        operation = self.operations.get(name)
        if operation is None:
            return google_error(404, "NOT_FOUND", f"Operation {name} not found.")
        operation["polls"] += 1
        if operation["polls"] < 3:
            return Reply(200, {"name": name})
        result: dict[str, Any] = {"name": name, "done": True}
        outcome = operation["outcome"]
        if outcome == "success":
            uri = f"{PUBLIC_HOST}/v1beta/files/{operation['file']}:download?alt=media"
            samples = [{"video": {"uri": uri}}]
            result["response"] = self._response({"generatedSamples": samples})
        elif outcome == "refused":
            result["response"] = self._response(
                {
                    "raiMediaFilteredCount": 1,
                    "raiMediaFilteredReasons": [
                        "We encountered an issue with the audio for your prompt. You have not "
                        "been charged. This video could not be generated because it may violate "
                        "Gemini API's usage guidelines."
                    ],
                }
            )
        elif outcome == "safety_error":
            result["error"] = {
                "code": 3,
                "message": "The prompt could not be submitted. This "
                "prompt contains words that violate Veo's usage guidelines.",
            }
        elif outcome == "invalid":
            result["error"] = {
                "code": 3,
                "message": "The video could not be generated from the given input.",
            }
        else:
            result["error"] = {"code": 13, "message": "Internal error encountered."}
        return Reply(200, result)

    @staticmethod
    def _response(body: dict[str, Any]) -> dict[str, Any]:
        return {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta."
            "PredictLongRunningResponse",
            "generateVideoResponse": body,
        }

    def _download(self, file_id: str, request: Request) -> Reply:
        if request.query.get("alt") != ["media"]:
            return google_error(400, "INVALID_ARGUMENT", "alt=media is required.")
        if not any(
            op["file"] == file_id and op["outcome"] == "success" and op["polls"] >= 3
            for op in self.operations.values()
        ):
            return google_error(404, "NOT_FOUND", f"File {file_id} not found.")
        return Reply(302, b"", {"Location": f"{self.url}/storage/{file_id}.mp4?sig=fake-signature"})
