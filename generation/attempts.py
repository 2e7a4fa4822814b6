"""Writes for backend attempts: a job's tries on the backends its route lists, in order.

    job_run ─▶ attempt_start ─▶ attempt_execute ─┬─ in-process backend: render now ─▶ collect
                  ▲                              └─ remote: submit, then attempt_poll (a task that
                  │                                 re-schedules itself with backoff; a webhook
                  │                                 only makes it run sooner) ─▶ fetch ─▶ collect
                  └── a failed attempt: the circuit breaker counts it, the next backend is
                      tried; with none left, a retryable failure requeues the job (bounded),
                      any other fails it.

A content-policy refusal by a provider blocks the job (no fallback: asking the next provider to
make what one refused is not what a refusal is for). Every step is a guarded update, so a task
delivered twice, or a poll racing a webhook, does nothing the second time.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from config.storage import private_storage
from generation.backend_health import (
    breaker_claim_trial,
    breaker_record_failure,
    breaker_record_success,
)
from generation.backends import backend_classes, get_backend
from generation.backends.base import (
    Backend,
    BackendError,
    ContentRefused,
    GenerationSpec,
    PermanentError,
    ProviderJob,
    ProviderStatus,
    RateLimited,
    TransientError,
    WebhookRejected,
)
from generation.jobs import (
    JobCancelled,
    JobProgressReporter,
    RunOutcome,
    attempt_enqueue,
    effective_prompt,
    job_block,
    job_capture,
    job_fail,
    job_heartbeat,
    job_progress_set,
    job_push_state,
    job_requeue,
    job_transition,
    poll_enqueue,
    queue_for,
)
from generation.models import AttemptOutcome, GenerationAttempt, GenerationJob, JobStatus
from generation.postprocess import PostprocessError, finish_clip
from generation.provenance import ClipProvenance, sign_clip
from generation.renderer import SIZES
from generation.routing import CircuitState, quote_at_price_in_force, routing_snapshot
from likeness.selectors import portrait_array
from moderation.services import output_moderate

logger = logging.getLogger(__name__)

# The queue the running task came from (None: called directly, e.g. by tests — run inline). An
# in-process attempt for a backend whose workers listen elsewhere (the GPU) is handed on.
_serving_queue: ContextVar[str | None] = ContextVar("reverie_serving_queue", default=None)


@contextmanager
def serving_queue(queue: str | None) -> Iterator[None]:
    token = _serving_queue.set(queue)
    try:
        yield
    finally:
        _serving_queue.reset(token)


# Progress shown while a provider works: its own 0..1 mapped into 5..90 %, the rest is ours.
REMOTE_PROGRESS_START, REMOTE_PROGRESS_SPAN = 5, 85


# ---------------------------------------------------------------------------------------------
# Starting attempts
# ---------------------------------------------------------------------------------------------


def job_run(*, job_id: UUID | str, queue: str | None = None) -> RunOutcome:
    """Claim a queued job and start its first (or next) backend attempt.

    `queue` is the queue the task came from, so an attempt for a backend that runs elsewhere
    (the GPU) is handed on rather than run here."""
    job = GenerationJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None:
        return RunOutcome(status="missing")
    started = {"started_at": timezone.now(), "attempts": job.attempts + 1, "progress": 0}
    if not job_transition(job.pk, expected=JobStatus.QUEUED, to=JobStatus.RUNNING, **started):
        # Already running elsewhere, finished or cancelled: a duplicate delivery does nothing.
        return RunOutcome(status=GenerationJob.objects.get(pk=job.pk).status)
    job.status = JobStatus.RUNNING
    for field, value in started.items():
        setattr(job, field, value)
    job_push_state(job, after_commit=False)
    return attempt_start(job=job, queue=queue)


def attempt_start(
    *, job: GenerationJob, queue: str | None = None, last_error: BackendError | None = None
) -> RunOutcome:
    """Try the next backend on the job's route; with none left, requeue or fail the job."""
    earlier = list(GenerationAttempt.objects.filter(job=job).values_list("backend", "round"))
    tried = {backend for backend, round_ in earlier if round_ == job.attempts}
    snapshot = routing_snapshot()
    now = timezone.now().timestamp()
    classes = backend_classes()
    name = None
    for candidate in job.route or [job.backend]:
        state = snapshot.backends.get(candidate)
        if candidate in tried or candidate not in classes or state is None:
            continue
        # Configuration is this process's environment, not the snapshot builder's.
        if not state.enabled or not classes[candidate].is_configured():
            continue
        circuit = state.circuit(now)
        if circuit == CircuitState.OPEN:
            continue
        if circuit == CircuitState.HALF_OPEN and not breaker_claim_trial(backend=candidate):
            continue  # another job is the trial
        name = candidate
        break
    if name is None:
        return _route_exhausted(job=job, last_error=last_error)
    try:
        with transaction.atomic():
            attempt = GenerationAttempt.objects.create(
                job=job, number=len(earlier) + 1, round=job.attempts, backend=name
            )
    except IntegrityError:
        return RunOutcome(status=JobStatus.RUNNING)  # a duplicate delivery got there first
    if job.backend != name:
        GenerationJob.objects.filter(pk=job.pk).update(backend=name)
        job.backend = name
    cls = classes[name]
    wanted = queue_for(cls)
    queue = queue if queue is not None else _serving_queue.get()
    if cls.in_process and queue is not None and wanted != queue:
        # E.g. the GPU backend: hand the attempt to a worker on the `gpu` queue.
        transaction.on_commit(lambda: attempt_enqueue(attempt_id=attempt.pk, queue=wanted))
        return RunOutcome(status=JobStatus.RUNNING)
    return attempt_execute(attempt_id=attempt.pk, attempt=attempt)


def _route_exhausted(*, job: GenerationJob, last_error: BackendError | None) -> RunOutcome:
    if last_error is not None and last_error.retryable:
        if job.attempts <= settings.GENERATION_MAX_RETRIES:
            delay = float(2**job.attempts)
            if isinstance(last_error, RateLimited) and last_error.retry_after:
                delay = max(delay, float(last_error.retry_after))
            if job_requeue(
                job_id=job.pk, error=f"Attempt {job.attempts} failed; retrying.", countdown=delay
            ):
                return RunOutcome(status=JobStatus.QUEUED, retry_in=delay)
            return RunOutcome(status=GenerationJob.objects.get(pk=job.pk).status)
        reason = f"Generation failed after {job.attempts} attempts: {last_error.message}"
    elif last_error is not None:
        reason = last_error.message
    else:
        reason = "No backend that can make this clip is available right now."
    job_fail(job_id=job.pk, reason=reason)
    return RunOutcome(status=JobStatus.FAILED)


def _job_cameos(job: GenerationJob) -> list[Any]:
    """The job's cameos, read once per job object (the spec and the manifest both need them)."""
    cached = getattr(job, "_reverie_cameos", None)
    if cached is None:
        cached = [usage.cameo for usage in job.cameo_usages.select_related("cameo")]
        job._reverie_cameos = cached  # type: ignore[attr-defined]
    return cached


def job_spec(job: GenerationJob) -> GenerationSpec:
    cameos = _job_cameos(job)
    portrait = next(
        (array for cameo in cameos if (array := portrait_array(cameo=cameo)) is not None), None
    )
    return GenerationSpec(
        prompt=effective_prompt(job.prompt, cameos),
        seconds=job.seconds,
        aspect=job.aspect,
        tier=job.tier,
        seed=job.seed,
        fps=job.fps,
        creator_handle=job.owner.username,
        job_id=str(job.pk),
        portrait=portrait,
    )


def webhook_url_for(cls: type[Backend]) -> str | None:
    if not cls.capabilities.webhooks or not settings.PUBLIC_BASE_URL:
        return None
    return settings.PUBLIC_BASE_URL + reverse("api-generation-webhook", args=[cls.name])


def _native_remix_source(job: GenerationJob, backend: str) -> str | None:
    """The provider's id of the remixed clip, when the same backend made it."""
    source_job_id = (
        GenerationJob.objects.filter(video__pk=job.remix_of_id).values_list("pk", flat=True).first()
        if job.remix_of_id
        else None
    )
    if source_job_id is None:
        return None
    return (
        GenerationAttempt.objects.filter(
            job_id=source_job_id, backend=backend, outcome=AttemptOutcome.SUCCEEDED
        )
        .exclude(provider_job_id="")
        .values_list("provider_job_id", flat=True)
        .first()
    )


def attempt_execute(*, attempt_id: int, attempt: GenerationAttempt | None = None) -> RunOutcome:
    """Make the provider call for an attempt (once, however often the task is delivered).
    `attempt` (with its job loaded) saves the look-up when the caller just created it."""
    if attempt is None:
        attempt = (
            GenerationAttempt.objects.select_related("job", "job__owner")
            .filter(pk=attempt_id)
            .first()
        )
    if attempt is None:
        return RunOutcome(status="missing")
    claimed = GenerationAttempt.objects.filter(
        pk=attempt.pk, outcome=AttemptOutcome.RUNNING, submitted_at__isnull=True
    ).update(submitted_at=timezone.now())
    if not claimed:
        return RunOutcome(status=attempt.job.status)
    job = attempt.job
    if job.status != JobStatus.RUNNING:
        _attempt_close(attempt, AttemptOutcome.CANCELLED, error="The job stopped.")
        return RunOutcome(status=job.status)
    backend = _backend_or_none(attempt.backend)
    if backend is None:
        return attempt_failed(
            attempt=attempt, error=PermanentError("That backend is no longer available here.")
        )
    spec = job_spec(job)
    try:
        if backend.in_process:
            reporter = JobProgressReporter(job)
            with (
                job_heartbeat(job_id=job.pk),
                tempfile.TemporaryDirectory(prefix="reverie-render-") as workdir,
            ):
                result = backend.submit(spec, workdir=Path(workdir), on_progress=reporter)
                reporter.check_cancelled()
                return _collect(job, attempt, backend, result, Path(workdir))
        remix_source = _native_remix_source(job, attempt.backend)
        if remix_source and backend.capabilities.native_remix:
            result = backend.remix(remix_source, spec, webhook_url=webhook_url_for(type(backend)))
        else:
            result = backend.submit(spec, webhook_url=webhook_url_for(type(backend)))
    except JobCancelled:
        _attempt_close(attempt, AttemptOutcome.CANCELLED, error="Cancelled.")
        return RunOutcome(status=JobStatus.CANCELLED)
    except BackendError as exc:
        return attempt_failed(attempt=attempt, error=exc)
    except Exception as exc:
        logger.exception("backend %s crashed on job %s", attempt.backend, job.pk)
        return attempt_failed(
            attempt=attempt, error=TransientError(f"The backend failed: {type(exc).__name__}.")
        )
    GenerationAttempt.objects.filter(pk=attempt.pk).update(
        last_polled_at=timezone.now(),
        provider_job_id=result.provider_job_id[:200],
        model=(result.model or backend.model_for(spec))[:120],
        provider_seconds=result.seconds or backend.capabilities.seconds_for(job.seconds, job.tier),
    )
    attempt.refresh_from_db()
    return _on_provider_state(job, attempt, backend, result)


# ---------------------------------------------------------------------------------------------
# Polling, collecting, failing
# ---------------------------------------------------------------------------------------------


def poll_delay(polls: int, hint: float | None = None) -> float:
    """Exponential backoff, capped; a provider's own hint wins when it asks for longer."""
    delay = settings.GENERATION_POLL_FIRST * settings.GENERATION_POLL_FACTOR**polls
    delay = min(delay, settings.GENERATION_POLL_MAX)
    return max(delay, hint or 0.0)


def attempt_poll(*, attempt_id: int, token: int | None = None) -> RunOutcome:
    """Read a remote attempt's state and act on it.

    A scheduled poll carries `token` (the poll count it expects) and schedules the next one while
    the provider works; a stale or duplicated message finds the count moved on and does nothing.
    A webhook's nudge has no token: it polls once, at once, and leaves the schedule alone."""
    attempt = (
        GenerationAttempt.objects.select_related("job", "job__owner").filter(pk=attempt_id).first()
    )
    if attempt is None:
        return RunOutcome(status="missing")
    job = attempt.job
    if attempt.outcome != AttemptOutcome.RUNNING or not attempt.provider_job_id:
        return RunOutcome(status=job.status)
    now = timezone.now()
    if token is not None:
        if not GenerationAttempt.objects.filter(
            pk=attempt.pk, outcome=AttemptOutcome.RUNNING, polls=token
        ).update(polls=token + 1, last_polled_at=now):
            return RunOutcome(status=job.status)  # a stale copy of the schedule
        attempt.polls = token + 1
    chained = token is not None
    backend = _backend_or_none(attempt.backend)
    if backend is None:
        return attempt_failed(
            attempt=attempt, error=PermanentError("That backend is no longer available here.")
        )
    # The deadline comes first: it also ends an attempt whose collector crashed mid-way.
    if timezone.now() - attempt.started_at > settings.GENERATION_ATTEMPT_TIMEOUT:
        _cancel_quietly(backend, attempt.provider_job_id)
        limit = int(settings.GENERATION_ATTEMPT_TIMEOUT.total_seconds())
        return attempt_failed(
            attempt=attempt,
            error=TransientError(f"{backend.label} did not finish within {limit} s."),
            outcome=AttemptOutcome.TIMED_OUT,
        )
    if attempt.collecting:
        # Another poll is downloading the result; keep the schedule alive in case that fails.
        return _poll_later(attempt, chained=chained)
    if job.status != JobStatus.RUNNING:
        # Cancelled (or reaped) meanwhile: stop the provider's work too.
        _cancel_quietly(backend, attempt.provider_job_id)
        _attempt_close(attempt, AttemptOutcome.CANCELLED, error="The job stopped.")
        return RunOutcome(status=job.status)
    try:
        result = backend.poll(attempt.provider_job_id)
    except RateLimited as exc:
        return _poll_later(attempt, hint=exc.retry_after, chained=chained)
    except TransientError:
        return _poll_later(attempt, chained=chained)
    except BackendError as exc:
        return attempt_failed(attempt=attempt, error=exc)
    return _on_provider_state(job, attempt, backend, result, chained=chained)


def _backend_or_none(name: str) -> Backend | None:
    try:
        return get_backend(name)
    except KeyError:  # taken out of GENERATION_BACKENDS while jobs were in flight
        return None


def _poll_later(
    attempt: GenerationAttempt, *, hint: float | None = None, chained: bool = True
) -> RunOutcome:
    if not chained:
        return RunOutcome(status=JobStatus.RUNNING)
    delay = poll_delay(attempt.polls, hint)
    token = attempt.polls
    transaction.on_commit(lambda: poll_enqueue(attempt_id=attempt.pk, countdown=delay, token=token))
    return RunOutcome(status=JobStatus.RUNNING, retry_in=delay)


def _on_provider_state(
    job: GenerationJob,
    attempt: GenerationAttempt,
    backend: Backend,
    result: ProviderJob,
    *,
    chained: bool = True,
) -> RunOutcome:
    if result.status in (ProviderStatus.QUEUED, ProviderStatus.RUNNING):
        if result.progress is not None:
            percent = REMOTE_PROGRESS_START + int(REMOTE_PROGRESS_SPAN * min(1, result.progress))
            job_progress_set(job=job, percent=percent)
        return _poll_later(attempt, hint=result.poll_after, chained=chained)
    if result.status == ProviderStatus.FAILED:
        error = result.error or PermanentError(f"{backend.label} could not make this clip.")
        return attempt_failed(attempt=attempt, error=error)
    if result.status == ProviderStatus.CANCELLED:
        return attempt_failed(
            attempt=attempt, error=TransientError(f"{backend.label} cancelled the job.")
        )
    # Succeeded: one collector only (a webhook and a timer may both get here).
    if not GenerationAttempt.objects.filter(
        pk=attempt.pk, outcome=AttemptOutcome.RUNNING, collecting=False
    ).update(collecting=True):
        return RunOutcome(status=job.status)
    try:
        with tempfile.TemporaryDirectory(prefix="reverie-fetch-") as workdir:
            source = Path(workdir) / "provider.mp4"
            backend.fetch(result, source)
            result.output_path = source
            return _collect(job, attempt, backend, result, Path(workdir))
    except TransientError as exc:
        GenerationAttempt.objects.filter(pk=attempt.pk).update(collecting=False)
        logger.warning("fetching attempt %s failed: %s; will poll again", attempt.pk, exc)
        return _poll_later(attempt, hint=getattr(exc, "retry_after", None), chained=chained)
    except (BackendError, PostprocessError) as exc:
        error = exc if isinstance(exc, BackendError) else PermanentError(str(exc))
        return attempt_failed(attempt=attempt, error=error)
    except JobCancelled:
        _attempt_close(attempt, AttemptOutcome.CANCELLED, error="Cancelled.")
        return RunOutcome(status=JobStatus.CANCELLED)
    except Exception as exc:  # signing, storage, the database: don't leave it half-collected
        logger.exception("collecting attempt %s failed", attempt.pk)
        return attempt_failed(
            attempt=attempt, error=TransientError(f"Storing the clip failed: {type(exc).__name__}.")
        )


def _collect(
    job: GenerationJob,
    attempt: GenerationAttempt,
    backend: Backend,
    result: ProviderJob,
    workdir: Path,
) -> RunOutcome:
    """Post-process, sign and store a finished clip; finish the job and charge for it."""
    if result.output_path is None or not result.output_path.exists():
        raise PermanentError(f"{backend.label} returned no file.")
    cameos = _job_cameos(job)
    model = result.model or attempt.model or backend.model_for(job_spec(job))
    if result.extra.get("finished") and result.poster_path is not None:
        # The local renderer already made a finished clip (watermark, size, poster, audio).
        video_path, poster_path = result.output_path, result.poster_path
        width, height = SIZES[job.aspect]
        duration = float(job.seconds)
        render_seconds = result.extra.get("render_seconds")
        scene = result.extra.get("scene", {})
    else:
        video_path, poster_path = workdir / "clip.mp4", workdir / "poster.jpg"
        info = finish_clip(
            result.output_path, video_path=video_path, poster_path=poster_path,
            seconds=job.seconds, aspect=job.aspect, fps=job.fps,
            creator_handle=job.owner.username, threads=settings.RENDER_THREADS,
        )  # fmt: skip
        width, height, duration = info.width, info.height, info.duration
        render_seconds = (timezone.now() - attempt.started_at).total_seconds()
        scene = {"backend": backend.name, "model": model, "source_had_audio": info.had_audio}
    # Every clip leaves signed: a C2PA manifest naming the generator, made by a trained model.
    sign_clip(
        source=video_path,
        destination=video_path,
        info=ClipProvenance(
            title=f"Reverie clip {job.id}",
            creator_handle=job.owner.username,
            backend=backend.name,
            model=model,
            cameos=[cameo.handle for cameo in cameos],
            job_id=str(job.id),
        ),
    )
    if not GenerationAttempt.objects.filter(pk=attempt.pk, outcome=AttemptOutcome.RUNNING).exists():
        raise JobCancelled  # reaped meanwhile: a newer attempt owns the job now
    # Output moderation: a clip the detector flags is held for a moderator, never a draft.
    held = output_moderate(
        job=job, video_path=video_path, poster_path=poster_path,
        clip_info={"width": width, "height": height, "duration": duration, "scene": scene,
                   "render_seconds": render_seconds, "backend": backend.name},
    )  # fmt: skip
    if held is not None:
        _attempt_close(attempt, AttemptOutcome.SUCCEEDED, model=model[:120])
        return RunOutcome(status=held)
    storage = private_storage()
    base = f"drafts/{job.owner_id}/{job.id}"
    with video_path.open("rb") as handle:
        video_name = storage.save(f"{base}/clip.mp4", File(handle))
    with poster_path.open("rb") as handle:
        poster_name = storage.save(f"{base}/poster.jpg", File(handle))
    finished = job_transition(
        job.pk,
        expected=JobStatus.RUNNING,
        to=JobStatus.SUCCEEDED,
        progress=100,
        error="",
        backend=backend.name,
        video_file=video_name,
        poster_file=poster_name,
        width=width,
        height=height,
        duration=duration,
        file_size=video_path_size(storage, video_name),
        render_seconds=render_seconds,
        scene=scene,
        finished_at=timezone.now(),
    )
    if not finished:
        # Cancelled (or reaped) while the files were being written: don't leave orphans.
        storage.delete(video_name)
        storage.delete(poster_name)
        _attempt_close(attempt, AttemptOutcome.CANCELLED, error="The job stopped.")
        raise JobCancelled
    billed = result.seconds or attempt.provider_seconds or job.seconds
    real = quote_at_price_in_force(
        seconds=max(1, round(duration)), width=width, height=height, tier=job.tier,
        backend=backend.name, billed_seconds=billed,
    )  # fmt: skip
    _attempt_close(
        attempt,
        AttemptOutcome.SUCCEEDED,
        cost_usd=result.cost_usd if result.cost_usd is not None else real.backend_usd,
        model=model[:120],
        provider_seconds=billed,
    )
    breaker_record_success(backend=backend.name)
    # What the transition just wrote; the rest (holds, quote) is unchanged since the job loaded.
    job.status, job.progress, job.error = JobStatus.SUCCEEDED, 100, ""
    # The real price of what was made, never above the quote held at submit.
    job_capture(job=job, price=real.credits)
    job_push_state(job, after_commit=False)
    return RunOutcome(status=JobStatus.SUCCEEDED)


def video_path_size(storage: Any, name: str) -> int | None:
    try:
        return int(storage.size(name))
    except Exception:
        return None


def _attempt_close(attempt: GenerationAttempt, outcome: str, **fields: Any) -> bool:
    return bool(
        GenerationAttempt.objects.filter(pk=attempt.pk, outcome=AttemptOutcome.RUNNING).update(
            outcome=outcome, finished_at=timezone.now(), collecting=False, **fields
        )
    )


def attempt_failed(
    *, attempt: GenerationAttempt, error: BackendError, outcome: str | None = None
) -> RunOutcome:
    """Record a failed attempt, then block the job (a refusal) or fall back to the next backend."""
    if outcome is None:
        outcome = (
            AttemptOutcome.REFUSED if isinstance(error, ContentRefused)
            else AttemptOutcome.RATE_LIMITED if isinstance(error, RateLimited)
            else AttemptOutcome.FAILED
        )  # fmt: skip
    if not _attempt_close(attempt, outcome, error=error.message[:2000], error_code=error.code[:80]):
        return RunOutcome(status=GenerationJob.objects.get(pk=attempt.job_id).status)
    job = GenerationJob.objects.select_related("owner").get(pk=attempt.job_id)
    if isinstance(error, ContentRefused):
        return _job_block_by_provider(job, error)
    breaker_record_failure(backend=attempt.backend)
    if job.status != JobStatus.RUNNING:
        return RunOutcome(status=job.status)
    return attempt_start(job=job, last_error=error)


def _job_block_by_provider(job: GenerationJob, error: ContentRefused) -> RunOutcome:
    reason = f"The video provider's content policy refused this clip: {error.message}"
    job_block(job=job, reason=reason, code="provider_refused")
    return RunOutcome(status=JobStatus.BLOCKED)


def _cancel_quietly(backend: Backend, provider_job_id: str) -> None:
    try:
        backend.cancel(provider_job_id)
    except Exception:  # best effort: the provider may already have finished or forgotten it
        logger.info("cancel of %s job %s failed", backend.name, provider_job_id, exc_info=True)


# ---------------------------------------------------------------------------------------------
# Webhooks
# ---------------------------------------------------------------------------------------------


def webhook_receive(*, backend_name: str, headers: dict[str, str], body: bytes) -> int:
    """Verify a provider's delivery and poll the attempt it names now. Returns the attempt id.

    Raises WebhookRejected (→ 400) for a forged, stale or unknown delivery; nothing changes."""
    if backend_name not in backend_classes():
        raise WebhookRejected("Unknown backend.")
    provider_job_id = get_backend(backend_name).verify_webhook(headers, body)
    attempt_id = (
        GenerationAttempt.objects.filter(backend=backend_name, provider_job_id=provider_job_id)
        .values_list("pk", flat=True)
        .first()
    )
    if attempt_id is None:
        raise WebhookRejected("No job of ours has that id.")
    transaction.on_commit(lambda: poll_enqueue(attempt_id=attempt_id, countdown=0, token=None))
    return attempt_id
