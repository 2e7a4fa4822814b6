"""Luma's Agents API (Ray 3.2) as a backend, through the official `luma-agents` SDK.

`generations.create(type="video", model="ray-3.2", ...)` returns the generation's id at once and
`generations.get(id)` reads its `state` (queued → processing → completed | failed). There is no
cancel call and no webhook, so the caller polls and an unwanted job simply finishes.

One model serves both tiers; the tier picks the resolution (Luma prices by resolution and
duration): standard → 720p, pro → 1080p. Durations are 5 s or 10 s. A native remix is a
`video_edit` generation whose source is the earlier generation's id; a cameo portrait becomes the
first keyframe (`video.keyframes`, which unlike `start_frame` also works for 10 s clips).

Environment: `LUMA_AGENTS_API_KEY` (required), `LUMA_BASE_URL` (optional override), `LUMA_TIMEOUT`
(seconds per request, default 30), `LUMA_MODEL_STANDARD` / `LUMA_MODEL_PRO` (default ray-3.2),
`LUMA_RESOLUTION_STANDARD` / `LUMA_RESOLUTION_PRO` (default 720p / 1080p).
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import luma_agents

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
from generation.backends.http import download, retry_after_seconds

DEFAULT_BASE_URL = "https://agents.lumalabs.ai/v1"
DEFAULT_MODEL = "ray-3.2"
DEFAULT_RESOLUTIONS = {"standard": "720p", "pro": "1080p"}
# How far a remix may move from its source: "flex" keeps the motion and layout but lets the new
# prompt restyle it ("adhere" barely changes anything, "reimagine" loses the original).
REMIX_STRENGTH = "flex_2"

# Asynchronous failure codes (Luma's "Error handling" guide) that a retry will not fix.
PERMANENT_FAILURES = {
    "budget_exhausted",
    "image_too_large",
    "unsupported_format",
    "corrupt_input",
    "invalid_request",
}


class LumaBackend(Backend):
    name = "luma"
    label = "Luma Ray"
    capabilities = Capabilities(
        durations=(5, 10),
        aspects={"9:16": "9:16", "1:1": "1:1", "16:9": "16:9"},
        resolutions=("720p", "1080p"),
        tiers=("standard", "pro"),
        audio=False,  # Ray 3.2 makes silent video
        native_remix=True,  # type=video_edit with source.generation_id
        image_reference=True,  # the portrait as keyframe 0
        max_prompt_chars=2000,
        webhooks=False,
    )
    # Luma charges per video by resolution and duration; fal resells Ray 3.2 at $1.08 per 5 s
    # at 720p and $2.16 at 1080p (its video-to-video list; text-to-video is $1.00 / $2.00).
    default_prices = (
        PriceRow(
            "standard", "720p", Decimal("0.22"), date(2026, 11, 23),
            "fal Ray 3.2: $1.08 per 5 s at 720p",
        ),
        PriceRow(
            "pro", "1080p", Decimal("0.44"), date(2026, 11, 23),
            "fal Ray 3.2: $2.16 per 5 s at 1080p",
        ),
    )  # fmt: skip
    default_quality = 75
    default_seconds_per_clip_second = 15.0
    required_env = ("LUMA_AGENTS_API_KEY",)

    def __init__(self) -> None:
        self.api_key = os.environ.get("LUMA_AGENTS_API_KEY", "")
        self.base_url = os.environ.get("LUMA_BASE_URL") or DEFAULT_BASE_URL
        self.timeout = env_float("LUMA_TIMEOUT", 30.0)
        self.models = {
            tier: os.environ.get(f"LUMA_MODEL_{tier.upper()}") or DEFAULT_MODEL
            for tier in DEFAULT_RESOLUTIONS
        }
        self.resolutions = {
            tier: os.environ.get(f"LUMA_RESOLUTION_{tier.upper()}") or default
            for tier, default in DEFAULT_RESOLUTIONS.items()
        }
        # No key, no client: the registry may build unconfigured backends; they just refuse work.
        self._client: luma_agents.Luma | None = None
        if self.api_key:
            self._client = luma_agents.Luma(
                auth_token=self.api_key,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=0,  # Reverie retries and falls back itself
            )

    # -- helpers ----------------------------------------------------------------------------------
    @property
    def client(self) -> luma_agents.Luma:
        if self._client is None:
            raise PermanentError("Luma is not configured (LUMA_AGENTS_API_KEY is unset).")
        return self._client

    def model_for(self, spec: GenerationSpec) -> str:
        return self.models.get(spec.tier, DEFAULT_MODEL)

    def resolution_for(self, spec: GenerationSpec) -> str:
        return self.resolutions.get(spec.tier, DEFAULT_RESOLUTIONS["standard"])

    # -- the interface ----------------------------------------------------------------------------
    def submit(
        self,
        spec: GenerationSpec,
        *,
        webhook_url: str | None = None,
        workdir: Path | None = None,
        on_progress: Callable[[float], None] | None = None,
    ) -> ProviderJob:
        if spec.remix_of_provider_job_id:
            return self.remix(spec.remix_of_provider_job_id, spec)
        aspect = self.capabilities.aspects.get(spec.aspect)
        if aspect is None:
            raise PermanentError(f"Luma has no {spec.aspect} format.")
        seconds = self.capabilities.provider_seconds(spec.seconds)
        if seconds is None:
            raise PermanentError("Luma makes clips of at most 10 s.")
        video: dict[str, Any] = {"duration": f"{seconds}s", "resolution": self.resolution_for(spec)}
        if spec.image_reference:
            video["keyframes"] = [_image_ref(spec.image_reference)]
            video["keyframe_indexes"] = [0]
        model = self.model_for(spec)
        generation = self._create(
            type="video",
            model=model,
            prompt=spec.prompt,
            aspect_ratio=aspect,
            video=video,
            **_user_id(spec),
        )
        return _started(self._job(generation, model=model, seconds=seconds))

    def remix(
        self, provider_job_id: str, spec: GenerationSpec, *, webhook_url: str | None = None
    ) -> ProviderJob:
        """A `video_edit` of one of our own Luma generations, steered by the new prompt; the
        output keeps the source's duration and framing."""
        model = self.model_for(spec)
        generation = self._create(
            type="video_edit",
            model=model,
            prompt=spec.prompt,
            source={"generation_id": provider_job_id},
            video={"resolution": self.resolution_for(spec), "edit": {"strength": REMIX_STRENGTH}},
            **_user_id(spec),
        )
        # The duration is the source's, which Luma doesn't repeat; the caller trims anyway.
        return _started(self._job(generation, model=model, seconds=None))

    def poll(self, provider_job_id: str) -> ProviderJob:
        try:
            generation = self.client.generations.get(provider_job_id)
        except luma_agents.APIError as exc:
            raise _sdk_error(exc, "checking on the clip") from exc
        return self._job(generation, model=str(getattr(generation, "model", "") or ""))

    def fetch(self, job: ProviderJob, destination: Path) -> None:
        if not job.output_url:
            raise PermanentError("Luma returned no file.")
        try:
            download(job.output_url, destination, timeout=self.timeout)
        except PermanentError as exc:
            # Output URLs are presigned for an hour; a late fetch asks Luma for a fresh one.
            if exc.status_code not in (401, 403, 404, 410):
                raise
            fresh = self.poll(job.provider_job_id)
            if not fresh.output_url or fresh.output_url == job.output_url:
                raise
            download(fresh.output_url, destination, timeout=self.timeout)

    # -- internals --------------------------------------------------------------------------------
    def _create(self, **params: Any) -> Any:
        try:
            return self.client.generations.create(**params)
        except luma_agents.APIError as exc:
            raise _sdk_error(exc, "starting the clip") from exc

    def _job(self, generation: Any, *, model: str, seconds: int | None = None) -> ProviderJob:
        state = getattr(generation, "state", "")
        job = ProviderJob(
            provider_job_id=generation.id,
            status=ProviderStatus.QUEUED,
            model=model,
            seconds=seconds,
        )
        if state == "queued":
            pass
        elif state == "processing":
            job.status = ProviderStatus.RUNNING  # Luma reports no progress figure
        elif state == "completed":
            url = _video_url(getattr(generation, "output", None) or [])
            if url is None:
                job.status = ProviderStatus.FAILED
                job.error = TransientError("Luma finished the clip but returned no video.")
            else:
                job.status = ProviderStatus.SUCCEEDED
                job.progress = 1.0
                job.output_url = url
        elif state == "failed":
            job.status = ProviderStatus.FAILED
            job.error = _failure_error(
                getattr(generation, "failure_code", None),
                getattr(generation, "failure_reason", None),
            )
        else:
            raise TransientError(f"Luma reported an unknown state {state!r}.")
        return job


# ---------------------------------------------------------------------------------------------
# Request pieces and mapping Luma's answers to our error classes
# ---------------------------------------------------------------------------------------------


def _started(job: ProviderJob) -> ProviderJob:
    """A generation refused at submission (e.g. moderated on the spot) raises rather than
    coming back as a job: `submit` only returns work in flight."""
    if job.status is ProviderStatus.FAILED and job.error is not None:
        raise job.error
    return job


def _image_ref(image: bytes) -> dict[str, str]:
    return {"data": base64.b64encode(image).decode("ascii"), "media_type": "image/jpeg"}


def _user_id(spec: GenerationSpec) -> dict[str, str]:
    """Luma asks for a stable opaque end-user id (no PII) so a policy violation is attributed to
    one user rather than the whole account: a hash of the creator's handle."""
    if not spec.creator_handle:
        return {}
    digest = hashlib.sha256(f"reverie:{spec.creator_handle}".encode()).hexdigest()
    return {"user_id": digest[:32]}


def _video_url(outputs: list[Any]) -> str | None:
    urls = [(getattr(o, "type", ""), getattr(o, "url", "")) for o in outputs]
    for kind, url in urls:
        if url and kind == "video":
            return url
    return next((url for _, url in urls if url), None)


def _failure_error(code: str | None, reason: str | None) -> BackendError:
    code = code or ""
    detail = f": {reason}" if reason else "."
    if code == "content_moderated":
        return ContentRefused("Luma's content policy blocked this clip.", code=code)
    if code == "rate_limited":
        return RateLimited(f"Luma is rate-limiting us{detail}", code=code, status_code=None)
    if code in PERMANENT_FAILURES:
        return PermanentError(f"Luma could not make this clip{detail}", code=code)
    # generation_failed, output_not_found and anything new: Luma says retry the same request.
    return TransientError(f"Luma failed to render the clip{detail}", code=code)


def _error_detail(body: object) -> str:
    """Luma's error bodies are `{"detail": "..."}` (a list of issues for validation errors)."""
    if not isinstance(body, dict):
        return ""
    detail = body.get("detail")
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        messages = [d.get("msg", "") for d in detail if isinstance(d, dict)]
        return "; ".join(m for m in messages if m)
    return ""


def _sdk_error(exc: luma_agents.APIError, action: str) -> BackendError:
    """An SDK exception → ours: timeouts/connection/5xx transient, 429 rate-limited,
    other 4xx (401/402/403/413/422 included) permanent."""
    if isinstance(exc, luma_agents.APITimeoutError):
        return TransientError(f"Luma timed out {action}.")
    if isinstance(exc, luma_agents.APIConnectionError):
        return TransientError(f"Could not reach Luma while {action}.")
    if isinstance(exc, luma_agents.APIStatusError):
        status = exc.status_code
        detail = _error_detail(exc.body)
        suffix = f": {detail}" if detail else "."
        if status == 429:
            return RateLimited(
                f"Luma is rate-limiting us{suffix}",
                retry_after=retry_after_seconds(exc.response.headers.get("retry-after")),
            )
        if status >= 500 or status == 408:
            return TransientError(
                f"Luma had a server error {action} (HTTP {status}).", status_code=status
            )
        if status in (401, 403):
            return PermanentError(
                f"Luma rejected our credentials (HTTP {status}).", status_code=status
            )
        if status == 402:
            return PermanentError("The Luma account is out of funds.", status_code=status)
        return PermanentError(
            f"Luma refused the request (HTTP {status}){suffix}", status_code=status
        )
    return TransientError(f"Luma gave an unreadable answer while {action}.")
