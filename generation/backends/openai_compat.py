"""An OpenAI-compatible `/v1/videos` gateway as a backend, through the official `openai` SDK.

OpenAI's own Videos API (Sora 2) shut down on 2026-09-24; gateways and proxies still serve its
shape (`POST /videos`, `GET /videos/{id}`, `GET /videos/{id}/content`, `POST /videos/{id}/remix`,
Standard Webhooks deliveries), so this backend only ever talks to the base URL the operator sets.
The SDK marks every `client.videos` method deprecated; those warnings are silenced per call.
"""

from __future__ import annotations

import importlib
import io
import logging
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import openai
from openai import OpenAI

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

logger = logging.getLogger(__name__)

T = TypeVar("T")


def _transport_errors() -> tuple[type[Exception], ...]:
    """Network errors raised while *reading* a streamed body, which the SDK doesn't wrap.

    openai 3.5x runs on httpx2 (a fork with its own exception classes), older releases on httpx.
    """
    classes: list[type[Exception]] = []
    for module_name in ("httpx2", "httpx"):
        try:
            classes.append(importlib.import_module(module_name).TransportError)
        except ImportError:
            continue
    return tuple(classes)


_TRANSPORT_ERRORS = _transport_errors()

# `error.code` values a gateway uses when the content policy said no (OpenAI's own codes and the
# spellings gateways copied); matched as substrings so "input_moderation_blocked" counts too.
_POLICY_MARKERS = ("moderation", "content_policy", "content_filter", "safety", "policy_violation")
# Failure codes that say "try again later" rather than "this request is bad".
_TRANSIENT_CODES = frozenset(
    {
        "server_error",
        "internal_error",
        "internal_server_error",
        "service_unavailable",
        "timeout",
        "rate_limit_exceeded",
        "overloaded",
        "capacity_exceeded",
        "engine_overloaded",
    }
)
_STATUSES = {
    "queued": ProviderStatus.QUEUED,
    "in_progress": ProviderStatus.RUNNING,
    "completed": ProviderStatus.SUCCEEDED,
    "failed": ProviderStatus.FAILED,
    # Not in OpenAI's enum, but gateways that support cancelling report it.
    "cancelled": ProviderStatus.CANCELLED,
}


def _is_policy_code(code: str) -> bool:
    code = code.lower()
    return any(marker in code for marker in _POLICY_MARKERS)


def _failure_error(code: str, message: str) -> BackendError:
    """Our error class for a video the gateway reports as failed (`error.code`, `.message`)."""
    text = message or "The video generation failed."
    if _is_policy_code(code):
        return ContentRefused(text, code=code)
    if code.lower() in _TRANSIENT_CODES:
        return TransientError(text, code=code)
    return PermanentError(text, code=code)


class OpenAICompatibleBackend(Backend):
    name = "openai_compat"
    label = "OpenAI-compatible gateway"
    capabilities = Capabilities(
        # The spec's `seconds` enum; 12 s clips are trimmed to the 9–10 s asked for.
        durations=(4, 8, 12),
        # 720p sizes only: the 1024x1792/1792x1024 sizes are pro-only and priced higher, and
        # there is no square size.
        aspects={"9:16": "720x1280", "16:9": "1280x720"},
        resolutions=("720p",),
        tiers=("standard", "pro"),
        audio=True,  # Sora 2 renders a soundtrack with every clip
        native_remix=True,  # POST /videos/{id}/remix
        image_reference=True,  # `input_reference`: the first frame, sized to the output
        max_prompt_chars=32000,
        webhooks=True,  # video.completed / video.failed, when the gateway has an endpoint set up
    )
    default_prices = (
        PriceRow(
            "standard",
            "720p",
            Decimal("0.10"),
            date(2026, 11, 23),
            "OpenAI sora-2 list price; gateways set their own",
        ),
        PriceRow(
            "pro",
            "720p",
            Decimal("0.30"),
            date(2026, 11, 23),
            "OpenAI sora-2-pro 720p list price; gateways set their own",
        ),
    )
    default_quality = 75
    # Sora 2 took one to three minutes for a 4–12 s clip.
    default_seconds_per_clip_second = 15.0
    required_env = ("OPENAI_VIDEOS_API_KEY", "OPENAI_VIDEOS_BASE_URL")

    def __init__(self) -> None:
        self._api_key = os.environ.get("OPENAI_VIDEOS_API_KEY", "")
        # No default: the only default that would make sense (api.openai.com) is closed.
        self._base_url = os.environ.get("OPENAI_VIDEOS_BASE_URL", "").rstrip("/")
        self._timeout = env_float("OPENAI_VIDEOS_TIMEOUT", 30.0)
        self._models = {
            "standard": os.environ.get("OPENAI_VIDEOS_MODEL_STANDARD") or "sora-2",
            "pro": os.environ.get("OPENAI_VIDEOS_MODEL_PRO") or "sora-2-pro",
        }
        self._webhook_secret = os.environ.get("OPENAI_VIDEOS_WEBHOOK_SECRET", "")
        self._client: OpenAI | None = None
        if self._api_key and self._base_url:
            self._client = OpenAI(
                api_key=self._api_key,
                base_url=self._base_url,
                timeout=self._timeout,
                max_retries=0,  # Reverie retries and falls back itself
            )

    # -- helpers ----------------------------------------------------------------------------------
    @property
    def client(self) -> OpenAI:
        if self._client is None:
            raise PermanentError(f"{self.label} is not configured.")
        return self._client

    def model_for(self, spec: GenerationSpec) -> str:
        return self._models.get(spec.tier, self._models["standard"])

    def _call(self, action: str, request: Callable[[OpenAI], T]) -> T:
        """Run one SDK call with its deprecation warnings silenced and its errors mapped."""
        try:
            with _quiet_deprecations():
                return request(self.client)
        except openai.OpenAIError as exc:
            raise _map_sdk_error(exc, action) from exc

    def _job(self, video: Any, *, poll_after: float | None = None) -> ProviderJob:
        status = _STATUSES.get(str(video.status), ProviderStatus.RUNNING)
        progress = _progress(getattr(video, "progress", None))
        if status is ProviderStatus.SUCCEEDED:
            progress = 1.0
        error: BackendError | None = None
        if status is ProviderStatus.FAILED:
            failure = getattr(video, "error", None)
            error = _failure_error(
                str(getattr(failure, "code", "") or ""), str(getattr(failure, "message", "") or "")
            )
        return ProviderJob(
            provider_job_id=video.id,
            status=status,
            progress=progress,
            output_url=(
                f"{self._base_url}/videos/{video.id}/content?variant=video"
                if status is ProviderStatus.SUCCEEDED
                else None
            ),
            error=error,
            poll_after=poll_after,
            model=str(getattr(video, "model", "") or ""),
            seconds=_int_or_none(getattr(video, "seconds", None)),
            extra={
                key: value
                for key in ("expires_at", "remixed_from_video_id", "size")
                if (value := getattr(video, key, None)) is not None
            },
        )

    # -- the interface ----------------------------------------------------------------------------
    def submit(
        self,
        spec: GenerationSpec,
        *,
        webhook_url: str | None = None,
        workdir: Path | None = None,
        on_progress: Callable[[float], None] | None = None,
    ) -> ProviderJob:
        # Webhook endpoints are registered once per project at the gateway, not per request, so
        # `webhook_url` has nowhere to go here.
        if spec.remix_of_provider_job_id:
            return self.remix(spec.remix_of_provider_job_id, spec, webhook_url=webhook_url)
        refusal = self.capabilities.refusal(spec)
        if refusal:
            raise PermanentError(f"{self.label} {refusal}.")
        seconds = self.capabilities.provider_seconds(spec.seconds)
        size = self.capabilities.aspects[spec.aspect]
        params: dict[str, Any] = {
            "prompt": spec.prompt,
            "model": self.model_for(spec),
            "seconds": str(seconds),
            "size": size,
        }
        if spec.image_reference:
            params["input_reference"] = (
                "reference.jpg",
                _fit_image(spec.image_reference, size),
                "image/jpeg",
            )
        video = self._call("Submitting the video", lambda c: c.videos.create(**params))
        job = self._job(video)
        job.seconds = job.seconds or seconds
        job.model = job.model or params["model"]
        return job

    def poll(self, provider_job_id: str) -> ProviderJob:
        raw = self._call(
            "Checking the video", lambda c: c.videos.with_raw_response.retrieve(provider_job_id)
        )
        poll_after = None
        hint = raw.headers.get("openai-poll-after-ms")
        if hint:
            with suppress(ValueError):
                poll_after = max(0.0, float(hint) / 1000)
        return self._job(raw.parse(), poll_after=poll_after)

    def fetch(self, job: ProviderJob, destination: Path) -> None:
        try:
            if self._download(job.provider_job_id, destination) == 0:
                raise TransientError("The gateway returned an empty file.")
        except BaseException:
            destination.unlink(missing_ok=True)  # never leave half a clip behind
            raise

    def _download(self, provider_job_id: str, destination: Path) -> int:
        written = 0
        try:
            with _quiet_deprecations():
                stream = self.client.videos.with_streaming_response.download_content(
                    provider_job_id, variant="video"
                )
                with stream as response, destination.open("wb") as handle:
                    if "text/html" in response.headers.get("content-type", ""):
                        raise PermanentError("The gateway returned a web page instead of a video.")
                    for chunk in response.iter_bytes(1 << 16):
                        written += len(chunk)
                        if written > MAX_DOWNLOAD_BYTES:
                            raise PermanentError("The gateway's clip is larger than allowed.")
                        handle.write(chunk)
        except openai.OpenAIError as exc:
            raise _map_sdk_error(exc, "Downloading the video") from exc
        except _TRANSPORT_ERRORS as exc:  # a timeout or reset while reading the body
            raise TransientError(f"Downloading the video failed: {type(exc).__name__}.") from exc
        return written

    def cancel(self, provider_job_id: str) -> None:
        # The spec deletes a video and its assets; gateways that can stop a running job do it on
        # the same call. One they won't delete yet (400/409) or no longer know (404) finishes on
        # its own, which is all a provider without cancel does anyway.
        try:
            self._call("Cancelling the video", lambda c: c.videos.delete(provider_job_id))
        except PermanentError as exc:
            if exc.status_code in (400, 404, 409):
                logger.info("%s could not cancel %s: %s", self.name, provider_job_id, exc)
                return
            raise

    def remix(
        self, provider_job_id: str, spec: GenerationSpec, *, webhook_url: str | None = None
    ) -> ProviderJob:
        if len(spec.prompt) > self.capabilities.max_prompt_chars:
            raise PermanentError(
                f"{self.label} takes prompts of at most {self.capabilities.max_prompt_chars} "
                "characters."
            )
        video = self._call(
            "Remixing the video", lambda c: c.videos.remix(provider_job_id, prompt=spec.prompt)
        )
        # A remix keeps its source's model, size and duration: report what the gateway says.
        return self._job(video)

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> str:
        if not self._webhook_secret or self._client is None:
            raise WebhookRejected(f"{self.label} has no webhook secret configured.")
        try:
            # Standard Webhooks: HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}" with
            # the whsec_ secret, timestamp within 300 s; raises on a bad signature, stale or
            # future timestamp, missing header or a body that isn't JSON.
            event = self._client.webhooks.unwrap(body, dict(headers), secret=self._webhook_secret)
        except (openai.OpenAIError, ValueError, TypeError) as exc:
            raise WebhookRejected(f"Webhook rejected: {exc}") from exc
        # openai 3.5x has no model for video events, so `unwrap` builds a loose one: read the two
        # fields we need by name rather than by class.
        event_type = str(getattr(event, "type", "") or "")
        video_id = getattr(getattr(event, "data", None), "id", None)
        if not event_type.startswith("video.") or not isinstance(video_id, str) or not video_id:
            raise WebhookRejected("The webhook is not about a video.")
        return video_id


# ---------------------------------------------------------------------------------------------


@contextmanager
def _quiet_deprecations() -> Iterator[None]:
    """The SDK's `videos` methods carry @deprecated (the Sora shutdown notice): one warning per
    call would flood the worker logs for a gateway that is alive and well."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*Sora API.*")
        yield


def _map_sdk_error(exc: openai.OpenAIError, action: str) -> BackendError:
    if isinstance(exc, openai.APITimeoutError):
        return TransientError(f"{action} timed out.")
    if isinstance(exc, openai.APIConnectionError):
        return TransientError(f"{action} failed: the gateway could not be reached.")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        code = str(exc.code or "")
        message = _provider_message(exc) or f"{action} failed (HTTP {status})."
        if status == 429:
            if code == "insufficient_quota":  # a billing problem, not a throttle
                return PermanentError(message, code=code, status_code=status)
            return RateLimited(
                message,
                retry_after=_retry_after(exc.response.headers),
                code=code,
                status_code=status,
            )
        if status >= 500 or status == 408:
            return TransientError(message, code=code, status_code=status)
        if _is_policy_code(code):
            return ContentRefused(message, code=code, status_code=status)
        if status in (401, 403):
            return PermanentError(
                f"{action} failed: the gateway refused the credentials (HTTP {status}).",
                code=code,
                status_code=status,
            )
        return PermanentError(message, code=code, status_code=status)
    if isinstance(exc, openai.APIResponseValidationError):
        return TransientError(f"{action} failed: the gateway's answer was malformed.")
    return PermanentError(f"{action} failed: {type(exc).__name__}.")


def _provider_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"][:500]
    return ""


def _retry_after(headers: Mapping[str, str]) -> float | None:
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    return retry_after_seconds(headers.get("retry-after"))


def _progress(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return min(1.0, max(0.0, float(value) / 100))
    except (TypeError, ValueError):
        return None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _fit_image(jpeg: bytes, size: str) -> bytes:
    """The reference image cropped and scaled to the output size: the API takes it as the first
    frame and rejects one whose dimensions differ from `size`."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    width, height = (int(part) for part in size.split("x"))
    try:
        with Image.open(io.BytesIO(jpeg)) as image:
            fitted = ImageOps.fit(image.convert("RGB"), (width, height))
    except (UnidentifiedImageError, OSError) as exc:
        raise PermanentError("The reference image could not be read.") from exc
    out = io.BytesIO()
    fitted.save(out, format="JPEG", quality=90)
    return out.getvalue()
