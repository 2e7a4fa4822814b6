"""Runway's developer API as a backend, through the official `runwayml` SDK.

A generation is a Runway *task*: `text_to_video.create` (or `image_to_video.create` when the spec
carries a cameo portrait) returns its id at once, `tasks.retrieve` reads its state and
`tasks.delete` cancels it. Runway sends no webhooks, so the caller polls.

Tiers are different models with different duration menus:
- standard → `gen4.5`, Runway's own flagship: any whole second from 2 to 10, 12 credits/s
  ($0.12/s). It covers Reverie's whole 1–10 s range, but it is silent (no `audio` flag).
- pro → `veo3.1` (Google's Veo 3.1 served by Runway): native synchronised sound, 4/6/8 s only,
  40 credits/s with audio ($0.40/s; 20 without).
`veo3.1_fast` (10/15 credits/s, 4/6/8 s, with sound) is the operator's alternative for standard
when sound matters more than 9–10 s clips: set `RUNWAY_MODEL_STANDARD=veo3.1_fast`.

Environment: `RUNWAYML_API_SECRET` (required), `RUNWAY_BASE_URL` (optional override),
`RUNWAY_TIMEOUT` (seconds per request, default 30), `RUNWAY_MODEL_STANDARD` / `RUNWAY_MODEL_PRO`.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import runwayml

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

DEFAULT_BASE_URL = "https://api.dev.runwayml.com"
CREDIT_USD = Decimal("0.01")  # Runway bills in credits; one credit is one US cent
# Runway asks clients not to expect task updates more often than every five seconds.
POLL_AFTER_SECONDS = 5.0
MAX_PROMPT_UTF16_UNITS = 1000  # promptText's limit, counted in UTF-16 code units
MAX_DATA_URI_BYTES = 5 * 1024 * 1024  # promptImage as a data URI may be at most 5 MB
SEED_MODULUS = 2**32  # seeds are unsigned 32-bit integers


@dataclass(frozen=True)
class RunwayModel:
    """What one Runway text/image-to-video model accepts."""

    durations: tuple[int, ...]
    audio: bool  # takes the `audio` flag (and makes sound)


MODELS: dict[str, RunwayModel] = {
    "gen4.5": RunwayModel(durations=tuple(range(2, 11)), audio=False),
    "veo3.1": RunwayModel(durations=(4, 6, 8), audio=True),
    "veo3.1_fast": RunwayModel(durations=(4, 6, 8), audio=True),
}
DEFAULT_MODELS = {"standard": "gen4.5", "pro": "veo3.1"}


@dataclass(frozen=True)
class TieredCapabilities(Capabilities):
    """Capabilities whose duration menu depends on the tier, because each tier is a different
    model. `provider_seconds` (tier-blind) answers for the broadest tier; `seconds_for` and
    `refusal` also respect the tier's own menu."""

    tier_durations: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    def seconds_for(self, seconds: int, tier: str) -> int | None:
        menu = self.tier_durations.get(tier)
        if menu is None:
            return self.provider_seconds(seconds)
        return next((d for d in sorted(menu) if d >= seconds), None)

    def refusal(self, spec: GenerationSpec) -> str | None:
        menu = self.tier_durations.get(spec.tier)
        if menu and self.seconds_for(spec.seconds, spec.tier) is None:
            return f"makes {spec.tier} clips of at most {max(menu)} s"
        return super().refusal(spec)


class RunwayBackend(Backend):
    name = "runway"
    label = "Runway"
    capabilities = TieredCapabilities(
        min_seconds=2,
        max_seconds=10,
        # gen4.5 and Veo both take 720p portrait/landscape; neither has a square text-to-video.
        aspects={"9:16": "720:1280", "16:9": "1280:720"},
        resolutions=("720p",),
        # The flag is per backend: only pro (Veo) makes sound, so claim what every tier gives.
        audio=False,
        native_remix=False,
        image_reference=True,  # image_to_video takes the portrait as the first frame
        max_prompt_chars=MAX_PROMPT_UTF16_UNITS,
        webhooks=False,
        tier_durations={
            "standard": MODELS[DEFAULT_MODELS["standard"]].durations,
            "pro": MODELS[DEFAULT_MODELS["pro"]].durations,
        },
    )
    default_prices = (
        PriceRow(
            "standard", "720p", Decimal("0.12"), date(2026, 11, 23),
            "Runway API: gen4.5 12 credits/s",
        ),
        PriceRow(
            "pro", "720p", Decimal("0.40"), date(2026, 11, 23),
            "Runway API: veo3.1 40 credits/s with audio",
        ),
    )  # fmt: skip
    default_quality = 80
    default_seconds_per_clip_second = 10.0
    required_env = ("RUNWAYML_API_SECRET",)

    def __init__(self) -> None:
        self.api_key = os.environ.get("RUNWAYML_API_SECRET", "")
        self.base_url = os.environ.get("RUNWAY_BASE_URL") or DEFAULT_BASE_URL
        self.timeout = env_float("RUNWAY_TIMEOUT", 30.0)
        self.models = {
            tier: os.environ.get(f"RUNWAY_MODEL_{tier.upper()}") or default
            for tier, default in DEFAULT_MODELS.items()
        }
        # No key, no client: the registry may build unconfigured backends; they just refuse work.
        self._client: runwayml.RunwayML | None = None
        if self.api_key:
            self._client = runwayml.RunwayML(
                api_key=self.api_key,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=0,  # Reverie retries and falls back itself
            )

    # -- helpers ----------------------------------------------------------------------------------
    @property
    def client(self) -> runwayml.RunwayML:
        if self._client is None:
            raise PermanentError("Runway is not configured (RUNWAYML_API_SECRET is unset).")
        return self._client

    def model_for(self, spec: GenerationSpec) -> str:
        return self.models.get(spec.tier, self.models["standard"])

    def seconds_for(self, spec: GenerationSpec) -> int | None:
        """The duration to ask the tier's model for: the shortest it offers ≥ the request."""
        model = MODELS.get(self.model_for(spec))
        if model is None:  # an override we don't know: trust the backend-wide range
            return self.capabilities.provider_seconds(spec.seconds)
        return next((d for d in model.durations if d >= spec.seconds), None)

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
            raise PermanentError("Runway cannot remix natively.")
        ratio = self.capabilities.aspects.get(spec.aspect)
        if ratio is None:
            raise PermanentError(f"Runway has no {spec.aspect} format.")
        model = self.model_for(spec)
        seconds = self.seconds_for(spec)
        if seconds is None:
            raise PermanentError(f"Runway's {model} cannot make a {spec.seconds} s clip.")
        if len(spec.prompt.encode("utf-16-le")) // 2 > MAX_PROMPT_UTF16_UNITS:
            raise PermanentError(
                f"Runway takes prompts of at most {MAX_PROMPT_UTF16_UNITS} characters."
            )

        params: dict[str, Any] = {
            "model": model,
            "prompt_text": spec.prompt,
            "ratio": ratio,
            "duration": seconds,
            "seed": spec.seed % SEED_MODULUS,
        }
        known = MODELS.get(model)
        if known is not None and known.audio:
            params["audio"] = spec.audio
        try:
            if spec.image_reference:
                task = self.client.image_to_video.create(
                    prompt_image=_jpeg_data_uri(spec.image_reference), **params
                )
            else:
                task = self.client.text_to_video.create(**params)
        except runwayml.APIError as exc:
            raise _sdk_error(exc, "starting the clip") from exc
        return ProviderJob(
            provider_job_id=task.id,
            status=ProviderStatus.QUEUED,
            model=model,
            seconds=seconds,
            poll_after=POLL_AFTER_SECONDS,
        )

    def poll(self, provider_job_id: str) -> ProviderJob:
        try:
            task = self.client.tasks.retrieve(provider_job_id)
        except runwayml.APIError as exc:
            raise _sdk_error(exc, "checking on the clip") from exc
        status = getattr(task, "status", "")
        job = ProviderJob(provider_job_id=provider_job_id, status=ProviderStatus.QUEUED)
        if status in ("PENDING", "THROTTLED"):
            # THROTTLED = over the concurrency tier; Runway starts it when a slot frees up.
            job.poll_after = POLL_AFTER_SECONDS
            job.extra["runway_status"] = status
        elif status == "RUNNING":
            job.status = ProviderStatus.RUNNING
            progress = getattr(task, "progress", None)
            if isinstance(progress, int | float):
                job.progress = min(1.0, max(0.0, float(progress)))
            job.poll_after = POLL_AFTER_SECONDS
        elif status == "SUCCEEDED":
            outputs = getattr(task, "output", None) or []
            if not outputs:
                job.status = ProviderStatus.FAILED
                job.error = TransientError("Runway finished the clip but returned no file.")
            else:
                job.status = ProviderStatus.SUCCEEDED
                job.progress = 1.0
                job.output_url = outputs[0]
        elif status == "FAILED":
            job.status = ProviderStatus.FAILED
            job.error = _failure_error(
                getattr(task, "failure_code", None), getattr(task, "failure", None)
            )
        elif status == "CANCELLED":
            job.status = ProviderStatus.CANCELLED
        else:
            raise TransientError(f"Runway reported an unknown task status {status!r}.")
        job.cost_usd = _cost_usd(task)
        return job

    def fetch(self, job: ProviderJob, destination: Path) -> None:
        if not job.output_url:
            raise PermanentError("Runway returned no file.")
        try:
            download(job.output_url, destination, timeout=self.timeout)
        except PermanentError as exc:
            # Output URLs expire after 24–48 h; Runway's advice is to retrieve the task again.
            if exc.status_code not in (401, 403, 404, 410):
                raise
            fresh = self.poll(job.provider_job_id)
            if not fresh.output_url or fresh.output_url == job.output_url:
                raise
            download(fresh.output_url, destination, timeout=self.timeout)

    def cancel(self, provider_job_id: str) -> None:
        try:
            self.client.tasks.delete(provider_job_id)
        except runwayml.NotFoundError:
            return  # already gone: nothing left to stop
        except runwayml.APIError as exc:
            raise _sdk_error(exc, "cancelling the clip") from exc


# ---------------------------------------------------------------------------------------------
# Mapping Runway's answers to our error classes
# ---------------------------------------------------------------------------------------------


def _jpeg_data_uri(image: bytes) -> str:
    uri = "data:image/jpeg;base64," + base64.b64encode(image).decode("ascii")
    if len(uri) > MAX_DATA_URI_BYTES:
        raise PermanentError("The reference image is too large for Runway (5 MB at most).")
    return uri


def _cost_usd(task: Any) -> Decimal | None:
    """Final cost of a terminal task (`cost.credits`); running tasks only have an estimate."""
    cost = getattr(task, "cost", None)
    credits = getattr(cost, "credits", None) if cost is not None else None
    if isinstance(credits, int | float):
        return Decimal(str(credits)) * CREDIT_USD
    return None


def _failure_error(code: str | None, failure: str | None) -> BackendError:
    """A failed task's `failureCode` → our class (see Runway's "Handle task failures")."""
    code = code or ""
    parts = code.upper().split(".")
    if "SAFETY" in parts:  # SAFETY.INPUT.*, SAFETY.OUTPUT.*, INPUT_PREPROCESSING.SAFETY.*
        return ContentRefused("Runway's content policy blocked this clip.", code=code)
    detail = f": {failure}" if failure else "."
    if parts[0] in ("INTERNAL", "INPUT_PREPROCESSING") or not code:
        # INTERNAL.BAD_OUTPUT.* and plain INTERNAL are worth another try (Runway says retry).
        return TransientError(f"Runway failed to render the clip{detail}", code=code)
    # ASSET.INVALID and anything else about the inputs: the same request will fail again.
    return PermanentError(f"Runway could not make this clip{detail}", code=code)


def _error_detail(body: object) -> str:
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, str):
            return error
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"]
    return ""


def _sdk_error(exc: runwayml.APIError, action: str) -> BackendError:
    """An SDK exception → ours: timeouts/connection/5xx transient, 429 rate-limited,
    other 4xx permanent."""
    if isinstance(exc, runwayml.APITimeoutError):
        return TransientError(f"Runway timed out {action}.")
    if isinstance(exc, runwayml.APIConnectionError):
        return TransientError(f"Could not reach Runway while {action}.")
    if isinstance(exc, runwayml.APIStatusError):
        status = exc.status_code
        detail = _error_detail(exc.body)
        suffix = f": {detail}" if detail else "."
        if status == 429:
            return RateLimited(
                f"Runway is rate-limiting us{suffix}",
                retry_after=retry_after_seconds(exc.response.headers.get("retry-after")),
            )
        if status >= 500 or status == 408:
            return TransientError(
                f"Runway had a server error {action} (HTTP {status}).", status_code=status
            )
        if status in (401, 403):
            return PermanentError(
                f"Runway rejected our credentials (HTTP {status}).", status_code=status
            )
        return PermanentError(
            f"Runway refused the request (HTTP {status}){suffix}", status_code=status
        )
    return TransientError(f"Runway gave an unreadable answer while {action}.")
