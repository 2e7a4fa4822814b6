"""The contract every generation backend keeps, whatever runs the model.

A backend turns a `GenerationSpec` into an MP4 file. Remote providers do it in steps —
`submit` returns at once with the provider's job id, `poll` reads its state, `fetch` downloads the
result, `cancel` stops it — and the caller schedules the polls (no worker sleeps in a loop).
In-process backends (the local renderer, a GPU pipeline) finish inside `submit`, returning a
succeeded `ProviderJob` whose `output_path` is already on disk.

Backends do no routing, charging, storing or signing: the router picks them, and
`generation.postprocess` turns any backend's file into a Reverie clip (trim to the requested
seconds, portrait size, visible watermark, AAC track, poster) before C2PA signing and storage.

Errors a backend raises are one of four classes, so the caller knows what to do next:
`TransientError` (try again or fall back), `RateLimited` (the same, after `retry_after`),
`ContentRefused` (the provider's content policy said no: the job is blocked, not retried), and
`PermanentError` (this request will never work on this backend: fall back, don't retry).
"""

from __future__ import annotations

import enum
import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from generation.choices import TIERS, Aspect

# Reverie's own aspects; each backend maps them to its portrait/square/landscape sizes.
ASPECTS = tuple(Aspect.values)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class BackendError(Exception):
    """Base class; `message` is safe to show to the job's owner."""

    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, code: str = "", status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code  # the provider's own error code, when it gave one
        self.status_code = status_code  # the HTTP status, when there was one


class TransientError(BackendError):
    """Network trouble, a timeout, a 5xx: the same request may well work in a moment."""

    retryable = True


class RateLimited(TransientError):
    """HTTP 429 or the provider's own throttle; `retry_after` in seconds when the provider said."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, code: str = "",
        status_code: int | None = 429,
    ) -> None:  # fmt: skip
        super().__init__(message, code=code, status_code=status_code)
        self.retry_after = retry_after


class ContentRefused(BackendError):
    """The provider's content policy refused the prompt or its output (a safety block)."""


class PermanentError(BackendError):
    """Bad credentials, an unsupported parameter, a failed render the provider won't retry."""


class WebhookRejected(Exception):
    """A webhook delivery whose signature, timestamp or shape doesn't check out (answer 400)."""


# ---------------------------------------------------------------------------------------------
# What is asked and what comes back
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GenerationSpec:
    """One clip as Reverie wants it; backends map it to what their provider offers."""

    prompt: str
    seconds: int  # what the user asked for, 1..10; the clip is trimmed to it after download
    aspect: str = "9:16"
    tier: str = "standard"
    seed: int = 0
    fps: int = 30
    audio: bool = True
    creator_handle: str = ""
    job_id: str = ""  # for idempotency keys / metadata at the provider, where they take one
    # A native remix: the provider's id of the clip this one remixes (same backend only).
    remix_of_provider_job_id: str | None = None
    # An image reference (e.g. a cameo's portrait) as JPEG bytes, for image-to-video backends.
    image_reference: bytes | None = field(default=None, compare=False, repr=False)
    # Where the local renderer / GPU pipelines can find a cameo portrait (RGB uint8 array).
    portrait: Any = field(default=None, compare=False, repr=False)


class ProviderStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass
class ProviderJob:
    """A provider's view of one generation, normalised."""

    provider_job_id: str
    status: ProviderStatus
    progress: float | None = None  # 0..1 when the provider reports it
    output_url: str | None = None  # remote result to `fetch`
    output_path: Path | None = None  # in-process backends: the finished file
    poster_path: Path | None = None  # in-process backends that make their own poster
    error: BackendError | None = None  # set when status is FAILED
    cost_usd: Decimal | None = None  # what the provider says it charged, when it says
    poll_after: float | None = None  # seconds the provider asks us to wait before the next poll
    model: str = ""  # the provider's model that served it
    seconds: int | None = None  # the duration the provider was asked for (may exceed the spec)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. the local renderer's scene

    @property
    def is_final(self) -> bool:
        return self.status in (
            ProviderStatus.SUCCEEDED, ProviderStatus.FAILED, ProviderStatus.CANCELLED,
        )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# What a backend can do and what it costs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Capabilities:
    # Either a fixed menu of durations (e.g. (4, 6, 8)) or any whole second in min..max.
    durations: tuple[int, ...] | None = None
    min_seconds: int = 1
    max_seconds: int = 10
    # Reverie aspect → the provider's own size or ratio string for it; missing = not offered.
    aspects: Mapping[str, str] = field(default_factory=dict)
    resolutions: tuple[str, ...] = ("720p",)
    tiers: tuple[str, ...] = TIERS
    audio: bool = False
    native_remix: bool = False
    image_reference: bool = False
    max_prompt_chars: int = 2000
    webhooks: bool = False

    def provider_seconds(self, seconds: int) -> int | None:
        """The shortest duration the provider offers that is at least `seconds` (None: none)."""
        if self.durations is not None:
            return next((d for d in sorted(self.durations) if d >= seconds), None)
        if seconds > self.max_seconds:
            return None
        return max(seconds, self.min_seconds)

    def seconds_for(self, seconds: int, tier: str) -> int | None:
        """The duration asked for (and billed) for this tier; tiered backends override it."""
        return self.provider_seconds(seconds)

    def refusal(self, spec: GenerationSpec) -> str | None:
        """Why this backend cannot serve `spec`, in words for the user; None when it can."""
        if self.provider_seconds(spec.seconds) is None:
            longest = max(self.durations) if self.durations else self.max_seconds
            return f"makes clips of at most {longest} s"
        if spec.aspect not in self.aspects:
            return f"has no {spec.aspect} format"
        if spec.tier not in self.tiers:
            return f"has no {spec.tier} tier"
        if len(spec.prompt) > self.max_prompt_chars:
            return f"takes prompts of at most {self.max_prompt_chars} characters"
        if spec.remix_of_provider_job_id and not self.native_remix:
            return "cannot remix natively"
        return None


@dataclass(frozen=True)
class PriceRow:
    """USD per second of generated video, for one tier and resolution, as read on `as_of`."""

    tier: str
    resolution: str
    usd_per_second: Decimal
    as_of: date
    source: str = ""


# ---------------------------------------------------------------------------------------------
# The interface
# ---------------------------------------------------------------------------------------------


class Backend(ABC):
    """Subclasses set the class attributes and implement submit/poll/fetch (cancel, remix and
    webhooks where the provider has them). Construct with no arguments: configuration (keys,
    base URLs, timeouts) comes only from the environment, read in `__init__`."""

    name: ClassVar[str]  # stable id used in the database, URLs and `pinned:<name>`
    label: ClassVar[str]  # shown to people
    capabilities: ClassVar[Capabilities]
    default_prices: ClassVar[tuple[PriceRow, ...]]  # seeded into the admin's price table
    # 0..100, for the "best" policy; the operator can override it in the admin.
    default_quality: ClassVar[int] = 50
    # Expected wall time per generated second before any health data exists (for "fastest").
    default_seconds_per_clip_second: ClassVar[float] = 10.0
    # The Celery queue whose workers can run this backend (in-process GPU work needs `gpu`).
    queue: ClassVar[str] = "render"
    # True when `submit` does the work and returns a finished job (no polling).
    in_process: ClassVar[bool] = False
    # The environment variables that must be set for the backend to be usable.
    required_env: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def is_configured(cls, environ: Mapping[str, str] | None = None) -> bool:
        env = os.environ if environ is None else environ
        return all(env.get(key) for key in cls.required_env)

    def model_for(self, spec: GenerationSpec) -> str:
        """The provider's model id for this tier (override per backend)."""
        return ""

    @abstractmethod
    def submit(
        self,
        spec: GenerationSpec,
        *,
        webhook_url: str | None = None,
        workdir: Path | None = None,
        on_progress: Callable[[float], None] | None = None,
    ) -> ProviderJob:
        """Start a generation. Remote: returns QUEUED/RUNNING with the provider's id.
        In-process: does the work in `workdir` and returns SUCCEEDED with `output_path`."""

    @abstractmethod
    def poll(self, provider_job_id: str) -> ProviderJob:
        """The provider's current state of a job (FAILED carries `error`)."""

    def fetch(self, job: ProviderJob, destination: Path) -> None:
        """Write the finished MP4 to `destination` (remote backends download `output_url`)."""
        if job.output_path is None:
            raise PermanentError("The backend returned no file.")
        shutil.copyfile(job.output_path, destination)

    def cancel(self, provider_job_id: str) -> None:  # noqa: B027 - optional for providers
        """Ask the provider to stop; providers without a cancel call simply let it finish."""

    def remix(
        self, provider_job_id: str, spec: GenerationSpec, *, webhook_url: str | None = None
    ) -> ProviderJob:
        """A native remix of one of this provider's own jobs (only when capable)."""
        raise PermanentError(f"{self.label} cannot remix natively.")

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> str:
        """Check a webhook delivery's signature; return the provider job id it is about.
        Raise WebhookRejected for anything forged, stale or malformed."""
        raise WebhookRejected(f"{self.label} sends no webhooks.")


def env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default
