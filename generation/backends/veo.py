"""Google Veo 3.1 through the Gemini API, with the official `google-genai` SDK (pinned <3).

google-genai 3.x refuses `generate_videos` without Vertex credentials; 2.x still drives the Gemini
API with an API key: `POST /v1beta/models/{model}:predictLongRunning` returns a long-running
operation whose name is the provider job id, `GET /v1beta/{name}` reads it, and the finished
video is a Files API download. The Gemini API takes no seed, no audio switch (Veo 3.x always
renders sound), no cancel and no webhook signed in a way we can check, so none are used.
"""

from __future__ import annotations

import importlib
import io
import os
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from google import genai
from google.genai import errors as genai_errors
from google.genai import types

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
    env_float,
)
from generation.backends.http import retry_after_seconds

T = TypeVar("T")

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/"
# The Gemini API (v1beta) serves Veo 3.1 under its -preview names; the -001 names are Vertex's
# (the SDK's own tests get "models/veo-3.1-lite-generate-001 is not found for API version v1beta").
DEFAULT_MODEL_STANDARD = "veo-3.1-fast-generate-preview"
DEFAULT_MODEL_PRO = "veo-3.1-generate-preview"


def _network_errors() -> tuple[type[Exception], ...]:
    """Timeouts and connection trouble, which the SDK raises as-is (from httpx or httpx2,
    whichever it picked)."""
    classes: list[type[Exception]] = []
    for module_name in ("httpx", "httpx2"):
        try:
            classes.append(importlib.import_module(module_name).TransportError)
        except ImportError:
            continue
    return tuple(classes)


_NETWORK_ERRORS = _network_errors()

# google.rpc.Code values in an operation's `error` that say "try again": DEADLINE_EXCEEDED,
# RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE.
_TRANSIENT_RPC_CODES = frozenset({4, 8, 10, 13, 14})
_TRANSIENT_RPC_STATUSES = frozenset(
    {
        "DEADLINE_EXCEEDED",
        "RESOURCE_EXHAUSTED",
        "ABORTED",
        "INTERNAL",
        "UNAVAILABLE",
    }
)
# How Google words a Responsible-AI block in an operation error or a 400.
_SAFETY_WORDS = re.compile(
    r"safety|responsible ai|usage guidelines|violat|content polic|sensitive words|"
    r"prohibited|blocked|filtered",
    re.IGNORECASE,
)


class VeoBackend(Backend):
    name = "veo"
    label = "Google Veo 3.1"
    capabilities = Capabilities(
        durations=(4, 6, 8),
        aspects={"9:16": "9:16", "16:9": "16:9"},  # Veo has no square format
        # 1080p and 4k only come as 8 s clips and cost more; Reverie's clips are 720p.
        resolutions=("720p",),
        tiers=("standard", "pro"),
        audio=True,  # Veo 3.x always renders a soundtrack on the Gemini API
        native_remix=False,
        image_reference=True,  # image-to-video: the portrait is the first frame
        # Veo reads at most 1,024 prompt tokens; 2,000 characters stays well inside that.
        max_prompt_chars=2000,
        webhooks=False,
    )
    default_prices = (
        PriceRow(
            "standard",
            "720p",
            Decimal("0.10"),
            date(2026, 11, 23),
            "Veo 3.1 Fast, Gemini API (LiteLLM 1.109.1)",
        ),
        PriceRow(
            "pro",
            "720p",
            Decimal("0.40"),
            date(2026, 11, 23),
            "Veo 3.1, Gemini API (LiteLLM 1.109.1)",
        ),
    )
    default_quality = 85
    # Veo 3.1 Fast returns an 8 s clip in about a minute; 3.1 in one to three.
    default_seconds_per_clip_second = 10.0
    required_env = ("GEMINI_API_KEY",)

    def __init__(self) -> None:
        self._api_key = os.environ.get("GEMINI_API_KEY", "")
        self._base_url = os.environ.get("VEO_BASE_URL") or DEFAULT_BASE_URL
        self._timeout = env_float("VEO_TIMEOUT", 30.0)
        self._models = {
            "standard": os.environ.get("VEO_MODEL_STANDARD") or DEFAULT_MODEL_STANDARD,
            "pro": os.environ.get("VEO_MODEL_PRO") or DEFAULT_MODEL_PRO,
        }
        self._client: genai.Client | None = None
        if self._api_key:
            self._client = genai.Client(
                # Explicit, so GOOGLE_GENAI_USE_VERTEXAI in the environment can't switch us over.
                vertexai=False,
                api_key=self._api_key,
                http_options=types.HttpOptions(
                    base_url=self._base_url,
                    timeout=max(1, round(self._timeout * 1000)),  # milliseconds
                    # One attempt: Reverie retries and falls back itself. (2.34 already defaults
                    # to no retries when retry_options is unset; this keeps it so if that moves.)
                    retry_options=types.HttpRetryOptions(attempts=1),
                ),
            )

    # -- helpers ----------------------------------------------------------------------------------
    @property
    def client(self) -> genai.Client:
        if self._client is None:
            raise PermanentError(f"{self.label} is not configured.")
        return self._client

    def model_for(self, spec: GenerationSpec) -> str:
        return self._models.get(spec.tier, self._models["standard"])

    def _call(self, action: str, request: Callable[[genai.Client], T]) -> T:
        try:
            return request(self.client)
        except genai_errors.APIError as exc:
            raise _map_api_error(exc, action) from exc
        except _NETWORK_ERRORS as exc:
            kind = "timed out" if "Timeout" in type(exc).__name__ else "failed"
            raise TransientError(f"{action} {kind}: {type(exc).__name__}.") from exc
        except ValueError as exc:  # the SDK's own validation: a parameter this API won't take
            raise PermanentError(f"{action} failed: {exc}") from exc

    # -- the interface ----------------------------------------------------------------------------
    def submit(
        self,
        spec: GenerationSpec,
        *,
        webhook_url: str | None = None,
        workdir: Path | None = None,
        on_progress: Callable[[float], None] | None = None,
    ) -> ProviderJob:
        refusal = self.capabilities.refusal(spec)
        if refusal:
            raise PermanentError(f"{self.label} {refusal}.")
        seconds = self.capabilities.provider_seconds(spec.seconds)
        aspect = self.capabilities.aspects[spec.aspect]
        model = self.model_for(spec)
        image = None
        if spec.image_reference:
            image = types.Image(
                image_bytes=_fit_image(spec.image_reference, aspect), mime_type="image/jpeg"
            )
        # Only what the Gemini API path accepts: the SDK raises ValueError for seed,
        # generate_audio, fps, output_gcs_uri, pubsub_topic, labels … outside Vertex.
        config = types.GenerateVideosConfig(
            number_of_videos=1,
            aspect_ratio=aspect,
            duration_seconds=seconds,
            resolution="720p",
        )
        operation = self._call(
            "Submitting the video",
            lambda c: c.models.generate_videos(
                model=model,
                source=types.GenerateVideosSource(prompt=spec.prompt, image=image),
                config=config,
            ),
        )
        if not operation.name:
            raise TransientError("Veo returned no operation name.")
        job = self._job(operation, model=model, pending=ProviderStatus.QUEUED)
        job.seconds = seconds
        return job

    def poll(self, provider_job_id: str) -> ProviderJob:
        operation = self._call(
            "Checking the video",
            lambda c: c.operations.get(types.GenerateVideosOperation(name=provider_job_id)),
        )
        return self._job(operation, model=_model_from_name(provider_job_id))

    def fetch(self, job: ProviderJob, destination: Path) -> None:
        if not job.output_url:
            raise PermanentError("Veo returned no video to download.")
        try:
            # The SDK turns the video's URI into GET {base}/v1beta/files/{id}:download?alt=media
            # (with the API key) and streams the bytes to `destination`.
            self._call(
                "Downloading the video",
                lambda c: c.files.download(
                    file=types.Video(uri=job.output_url), destination=destination
                ),
            )
            if destination.stat().st_size == 0:
                raise TransientError("Veo returned an empty file.")
        except BaseException:
            destination.unlink(missing_ok=True)  # never leave half a clip behind
            raise

    # Veo on the Gemini API has no cancel call and no webhooks: the Backend defaults apply.

    def _job(
        self,
        operation: types.GenerateVideosOperation,
        *,
        model: str,
        pending: ProviderStatus = ProviderStatus.RUNNING,
    ) -> ProviderJob:
        name = operation.name or ""
        if not operation.done:
            # The Gemini API reports no progress or queue position for Veo, only `done`: a job
            # is queued when submitted and running from its first poll on.
            return ProviderJob(provider_job_id=name, status=pending, model=model)
        if operation.error:
            return self._failed(name, model, _operation_error(operation.error))
        response = operation.response or operation.result
        videos = (response.generated_videos if response else None) or []
        uri = videos[0].video.uri if videos and videos[0].video else None
        if uri:
            return ProviderJob(
                provider_job_id=name,
                status=ProviderStatus.SUCCEEDED,
                progress=1.0,
                output_url=uri,
                model=model,
            )
        if response and (response.rai_media_filtered_count or response.rai_media_filtered_reasons):
            reasons = response.rai_media_filtered_reasons or []
            message = reasons[0] if reasons else "Veo's safety filters blocked the video."
            return self._failed(name, model, ContentRefused(message[:500], code="RAI_FILTERED"))
        return self._failed(name, model, PermanentError("Veo finished without a video."))

    @staticmethod
    def _failed(name: str, model: str, error: BackendError) -> ProviderJob:
        return ProviderJob(
            provider_job_id=name, status=ProviderStatus.FAILED, error=error, model=model
        )


# ---------------------------------------------------------------------------------------------


def _model_from_name(operation_name: str) -> str:
    """`models/veo-3.1-generate-preview/operations/abc` → `veo-3.1-generate-preview`."""
    match = re.match(r"models/([^/]+)/operations/", operation_name)
    return match.group(1) if match else ""


def _operation_error(error: Mapping[str, Any]) -> BackendError:
    """A finished operation's `error` (a google.rpc.Status: code, message, details)."""
    message = str(error.get("message") or "Veo could not make the video.")[:500]
    code = error.get("code")
    code_text = str(code) if code is not None else ""
    if _SAFETY_WORDS.search(message):
        return ContentRefused(message, code=code_text or "SAFETY")
    if code in _TRANSIENT_RPC_CODES:
        return TransientError(message, code=code_text)
    return PermanentError(message, code=code_text)


def _map_api_error(exc: genai_errors.APIError, action: str) -> BackendError:
    status = int(exc.code) if isinstance(exc.code, int) else None
    rpc_status = str(exc.status or "")
    message = str(exc.message or "")[:500] or f"{action} failed (HTTP {status})."
    if status == 429 or rpc_status == "RESOURCE_EXHAUSTED":
        return RateLimited(
            message, retry_after=_retry_after(exc), code=rpc_status, status_code=status
        )
    if status is not None and (status >= 500 or status == 408):
        return TransientError(message, code=rpc_status, status_code=status)
    if status in (400, 422) and _SAFETY_WORDS.search(message):
        return ContentRefused(message, code=rpc_status or "SAFETY", status_code=status)
    if status in (401, 403):
        return PermanentError(
            f"{action} failed: Google refused the API key (HTTP {status}).",
            code=rpc_status,
            status_code=status,
        )
    if status is None and rpc_status in _TRANSIENT_RPC_STATUSES:
        return TransientError(message, code=rpc_status)
    return PermanentError(message, code=rpc_status, status_code=status)


def _retry_after(exc: genai_errors.APIError) -> float | None:
    """Retry-After when sent; otherwise the google.rpc.RetryInfo `retryDelay` ("37s") that
    Google puts in a 429's error details."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is not None:
        seconds = retry_after_seconds(headers.get("retry-after"))
        if seconds is not None:
            return seconds
    body = exc.details if isinstance(exc.details, dict) else {}
    error = body.get("error", body)
    details = error.get("details") if isinstance(error, dict) else None
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("RetryInfo"):
            delay = str(detail.get("retryDelay", "")).removesuffix("s")
            try:
                return max(0.0, float(delay))
            except ValueError:
                return None
    return None


def _fit_image(jpeg: bytes, aspect: str) -> bytes:
    """The reference image cropped to the clip's aspect at 720p, so Veo starts from a frame of
    the right shape rather than letterboxing or rejecting it."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    size = (720, 1280) if aspect == "9:16" else (1280, 720)
    try:
        with Image.open(io.BytesIO(jpeg)) as image:
            fitted = ImageOps.fit(image.convert("RGB"), size)
    except (UnidentifiedImageError, OSError) as exc:
        raise PermanentError("The reference image could not be read.") from exc
    out = io.BytesIO()
    fitted.save(out, format="JPEG", quality=90)
    return out.getvalue()
