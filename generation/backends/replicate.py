"""Replicate as a backend: ByteDance Seedance 1 text/image-to-video through `replicate`.

Replicate runs public models as predictions: `POST /v1/models/{owner}/{name}/predictions`
(`{input, webhook?, webhook_events_filter?}`), `GET /v1/predictions/{id}` walking
`starting → processing → succeeded | failed | canceled`, `POST /v1/predictions/{id}/cancel`.
A model given as `owner/name:version` is run by version (`POST /v1/predictions`).

replicate 1.0.7 takes a base URL and a timeout, but always wraps its transport in its own
`RetryTransport` (up to ten tries, sleeping out Retry-After, on 429/503/504), with no option to
turn that off, and its `ReplicateError` drops the response headers (so Retry-After is lost).
`_FailFastTransport`, passed as the client's (inner) transport, answers those statuses with our
own errors before `RetryTransport` sees them: no SDK retries, and RateLimited keeps Retry-After.

Webhooks follow Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`
`v1,<b64>`; HMAC-SHA256 over `{id}.{timestamp}.{body}` with the `whsec_` secret), checked
offline by the SDK's own `Webhooks.validate`.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import replicate
from replicate.client import RetryTransport
from replicate.exceptions import ReplicateError
from replicate.helpers import FileOutput
from replicate.prediction import Prediction
from replicate.webhook import Webhooks, WebhookSigningSecret

from generation.backends.base import (
    Backend,
    BackendError,
    Capabilities,
    ContentRefused,
    GenerationSpec,
    PermanentError,
    PriceRow,
    ProviderJob,
    ProviderStatus,
    RateLimited,
    TransientError,
    WebhookRejected,
    env_float,
)
from generation.backends.http import MAX_DOWNLOAD_BYTES, retry_after_seconds

DEFAULT_MODEL_STANDARD = "bytedance/seedance-1-lite"
DEFAULT_MODEL_PRO = "bytedance/seedance-1-pro"
RESOLUTION = "720p"
FPS = 24  # the only frame rate Seedance 1 takes
WEBHOOK_TOLERANCE_SECONDS = 300

# Replicate's prediction errors end in a code, e.g. "... flagged as sensitive ... (E005)".
_CODE = re.compile(r"\b(E\d{3,4})\b")
CONTENT_POLICY_CODES = frozenset({"E005"})
_CONTENT_POLICY_TEXT = re.compile(
    r"flagged as sensitive|nsfw|content[ _-]?policy|safety (?:filter|check|system)", re.I
)
# E1000 unknown error (Replicate: "try retrying"), E6716 timeout starting the prediction.
TRANSIENT_CODES = frozenset({"E1000", "E6716"})

STATUSES = {
    "starting": ProviderStatus.QUEUED,
    "processing": ProviderStatus.RUNNING,
    "succeeded": ProviderStatus.SUCCEEDED,
    "failed": ProviderStatus.FAILED,
    "canceled": ProviderStatus.CANCELLED,
}


class _FailFastTransport(httpx.BaseTransport):
    """The inner transport under replicate's RetryTransport (see the module docstring)."""

    RETRIED_BY_SDK = RetryTransport.RETRYABLE_STATUS_CODES  # 429, 503, 504

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        if response.status_code not in self.RETRIED_BY_SDK:
            return response
        response.read()
        response.close()
        if response.status_code == 429:
            raise RateLimited(
                "Replicate is rate-limiting requests.",
                retry_after=retry_after_seconds(response.headers.get("retry-after")),
            )
        raise TransientError(
            f"Replicate is unavailable (HTTP {response.status_code}).",
            status_code=response.status_code,
        )

    def close(self) -> None:
        self._inner.close()


def _api_error(exc: ReplicateError) -> BackendError:
    """Our error for an HTTP error answer from Replicate's API (an RFC 7807 problem)."""
    status = exc.status
    if status == 429:
        return RateLimited("Replicate is rate-limiting requests.")
    if status is not None and status >= 500:
        return TransientError(f"Replicate had a server error (HTTP {status}).", status_code=status)
    if status in (401, 403):
        message = "Replicate rejected the API token (REPLICATE_API_TOKEN)."
    elif status == 404:
        message = "Replicate does not know this model or prediction."
    elif status == 422:
        message = "Replicate rejected the request's input."
    else:
        message = f"Replicate rejected the request (HTTP {status})."
    return PermanentError(message, code=exc.title or "", status_code=status)


def _transport_error(exc: httpx.TransportError) -> TransientError:
    if isinstance(exc, httpx.TimeoutException):
        return TransientError("Replicate did not answer in time.")
    return TransientError(f"Could not reach Replicate ({type(exc).__name__}).")


def _prediction_error(text: Any) -> BackendError:
    """Our error for a failed prediction, from its error text and the code in it."""
    message = str(text or "")
    match = _CODE.search(message)
    code = match.group(1) if match else ""
    if code in CONTENT_POLICY_CODES or _CONTENT_POLICY_TEXT.search(message):
        return ContentRefused(
            "Replicate's content filter refused this prompt or its output.",
            code=code or "content_policy",
        )
    if code in TRANSIENT_CODES:
        return TransientError(
            "The generation failed on Replicate's side; it may work if tried again.", code=code
        )
    return PermanentError("The generation failed on Replicate.", code=code)


def _output_url(output: Any) -> str | None:
    """A video model's output is a URL (some return a list of them)."""
    if isinstance(output, str):
        return output
    if isinstance(output, list) and output and isinstance(output[0], str):
        return output[-1]
    return None


class ReplicateBackend(Backend):
    name = "replicate"
    label = "Replicate"
    # Seedance 1 Lite/Pro: duration in whole seconds (3–12 is inside every Seedance 1 variant's
    # range), ratios 16:9/4:3/1:1/3:4/9:16/21:9/9:21, 480p/720p/1080p, 24 fps, an optional
    # first-frame `image`; no audio track.
    capabilities = Capabilities(
        min_seconds=3,
        max_seconds=12,
        aspects={"9:16": "9:16", "1:1": "1:1", "16:9": "16:9"},
        resolutions=(RESOLUTION,),
        audio=False,
        native_remix=False,
        image_reference=True,
        max_prompt_chars=2000,
        webhooks=True,
    )
    default_prices = (
        PriceRow("standard", "720p", Decimal("0.036"), date(2026, 11, 23),
                 "replicate.com: bytedance/seedance-1-lite, 720p"),
        PriceRow("pro", "720p", Decimal("0.06"), date(2026, 11, 23),
                 "replicate.com: bytedance/seedance-1-pro, 720p (approx.)"),
    )  # fmt: skip
    default_quality = 60
    default_seconds_per_clip_second = 10.0
    required_env = ("REPLICATE_API_TOKEN",)

    def __init__(self) -> None:
        self._token = os.environ.get("REPLICATE_API_TOKEN", "")
        self._base_url = os.environ.get("REPLICATE_BASE_URL") or None
        self._timeout = env_float("REPLICATE_TIMEOUT", 30.0)
        self._models = {
            "standard": os.environ.get("REPLICATE_MODEL_STANDARD") or DEFAULT_MODEL_STANDARD,
            "pro": os.environ.get("REPLICATE_MODEL_PRO") or DEFAULT_MODEL_PRO,
        }
        self._webhook_secret = os.environ.get("REPLICATE_WEBHOOK_SECRET", "")
        self._client: replicate.Client | None = None

    def _sdk(self) -> replicate.Client:
        if not self._token:
            raise PermanentError("Replicate is not configured (REPLICATE_API_TOKEN is unset).")
        if self._client is None:
            self._client = replicate.Client(
                api_token=self._token,
                base_url=self._base_url,
                timeout=httpx.Timeout(self._timeout),
                transport=_FailFastTransport(),
            )
        return self._client

    def _call(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except ReplicateError as exc:
            raise _api_error(exc) from exc
        except httpx.TransportError as exc:
            raise _transport_error(exc) from exc

    def model_for(self, spec: GenerationSpec) -> str:
        return self._models.get(spec.tier, self._models["standard"])

    def _job(self, prediction: Prediction) -> ProviderJob:
        status = STATUSES.get(prediction.status)
        if status is None:
            raise TransientError("Replicate reported a status Reverie does not know.")
        job = ProviderJob(
            provider_job_id=prediction.id, status=status, model=prediction.model or "",
            extra={"metrics": prediction.metrics or {}},
        )  # fmt: skip
        if status == ProviderStatus.RUNNING:
            progress = prediction.progress  # the SDK parses the model's tqdm bar from the logs
            job.progress = progress.percentage if progress else None
        elif status == ProviderStatus.SUCCEEDED:
            job.progress = 1.0
            job.output_url = _output_url(prediction.output)
            if job.output_url is None:
                job.status = ProviderStatus.FAILED
                job.error = PermanentError("Replicate finished without a video.")
        elif status == ProviderStatus.FAILED:
            job.error = _prediction_error(prediction.error)
        return job

    # -- the interface ----------------------------------------------------------------------------
    def submit(
        self,
        spec: GenerationSpec,
        *,
        webhook_url: str | None = None,
        workdir: Path | None = None,
        on_progress: Callable[[float], None] | None = None,
    ) -> ProviderJob:
        reason = self.capabilities.refusal(spec)
        if reason:
            raise PermanentError(f"{self.label} {reason}.")
        seconds = self.capabilities.provider_seconds(spec.seconds)
        assert seconds is not None  # refusal() checked it
        model = self.model_for(spec)
        model_input: dict[str, Any] = {
            "prompt": spec.prompt,
            "duration": seconds,
            "aspect_ratio": self.capabilities.aspects[spec.aspect],
            "resolution": RESOLUTION,
            "fps": FPS,
        }
        if spec.seed:
            model_input["seed"] = spec.seed
        if spec.image_reference:
            image = io.BytesIO(spec.image_reference)
            image.name = "reference.jpg"  # so the SDK's data URI says image/jpeg
            model_input["image"] = image
        params: dict[str, Any] = {"file_encoding_strategy": "base64"}  # inline, no upload
        if webhook_url:
            params.update(webhook=webhook_url, webhook_events_filter=["completed"])
        sdk = self._sdk()
        if ":" in model:  # owner/name:version runs that exact version
            version = model.split(":", 1)[1]
            create = partial(sdk.predictions.create, version, model_input, **params)
        else:
            # `client.models.predictions`, not `client.predictions.create(model=...)`: the latter
            # drops `file_encoding_strategy` on its way there (replicate 1.0.7) and would upload
            # the image through the files API instead of inlining it.
            create = partial(sdk.models.predictions.create, model, model_input, **params)
        job = self._job(self._call(create))
        job.model = job.model or model
        job.seconds = seconds
        return job

    def poll(self, provider_job_id: str) -> ProviderJob:
        sdk = self._sdk()
        return self._job(self._call(lambda: sdk.predictions.get(provider_job_id)))

    def fetch(self, job: ProviderJob, destination: Path) -> None:
        if not job.output_url:
            raise PermanentError("Replicate returned no video URL.")
        # The SDK's own file reader (FileOutput) streams the output with the client's auth.
        output = FileOutput(job.output_url, self._sdk())
        written = 0
        try:
            with destination.open("wb") as handle:
                for chunk in output:
                    written += len(chunk)
                    if written > MAX_DOWNLOAD_BYTES:
                        raise PermanentError("Replicate's clip is larger than allowed.")
                    handle.write(chunk)
        except httpx.HTTPStatusError as exc:
            status = exc.response.status_code
            error_class = TransientError if status >= 500 else PermanentError
            raise error_class(
                f"The clip could not be downloaded (HTTP {status}).", status_code=status
            ) from exc
        except httpx.TransportError as exc:
            raise _transport_error(exc) from exc
        if written == 0:
            raise TransientError("Replicate returned an empty file.")

    def cancel(self, provider_job_id: str) -> None:
        sdk = self._sdk()
        self._call(lambda: sdk.predictions.cancel(provider_job_id))

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> str:
        if not self._webhook_secret:
            raise WebhookRejected("REPLICATE_WEBHOOK_SECRET is unset: webhooks can't be checked.")
        try:
            text = body.decode("utf-8")
            Webhooks.validate(
                headers={str(k): str(v) for k, v in headers.items()},
                body=text,
                secret=WebhookSigningSecret(key=self._webhook_secret),
                tolerance=WEBHOOK_TOLERANCE_SECONDS,
            )
        except ValueError as exc:  # the SDK's WebhookValidationError family, bad base64 / ints
            # The class name only: some of the SDK's messages quote the secret.
            raise WebhookRejected(
                f"The Replicate webhook does not check out ({type(exc).__name__})."
            ) from exc
        try:
            prediction_id = json.loads(text)["id"]
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookRejected("The Replicate webhook's body names no prediction.") from exc
        if not isinstance(prediction_id, str) or not prediction_id:
            raise WebhookRejected("The Replicate webhook's body names no prediction.")
        return prediction_id
