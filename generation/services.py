"""Writes for generation jobs: create (idempotently), run, report progress, finish, cancel.

Every status change is a guarded update (`UPDATE … WHERE status = <expected>`), so a retried or
duplicated task delivery can never move a job backwards or finish it twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from accounts.services import user_event_send, user_event_send_now
from config.errors import Conflict, DomainError, PromptBlocked
from credits.services import credits_capture, credits_hold, credits_release
from generation.backends.base import GenerationSpec
from generation.models import Aspect, GenerationJob, JobStatus
from generation.policy import prompt_check
from generation.pricing import TIERS, Quote, quote
from generation.routing import RoutePlan, plan_route, policy_validate
from likeness.selectors import cameos_for_prompt
from likeness.services import usages_record

logger = logging.getLogger(__name__)

ALLOWED_FPS = (24, 30)


class JobCancelled(Exception):
    """Raised inside a render when its job was cancelled meanwhile."""


@dataclass(frozen=True)
class JobRequest:
    prompt: str
    seconds: int
    aspect: str = Aspect.PORTRAIT
    seed: int | None = None
    fps: int = 30
    remix_of: int | None = None
    tier: str = "standard"
    policy: str = ""  # routing policy; "" = the server's default

    def fingerprint(self) -> str:
        payload = json.dumps(
            [self.prompt, self.seconds, self.aspect, self.seed, self.fps, self.remix_of, self.tier,
             self.policy],
            sort_keys=True,
        )  # fmt: skip
        return hashlib.sha256(payload.encode()).hexdigest()


def job_request_validate(request: JobRequest) -> None:
    """The rules every door (API, page, demo seeding) shares; raises DomainError with fields."""
    fields: dict[str, list[str]] = {}
    if not request.prompt.strip():
        fields["prompt"] = ["Write a prompt."]
    elif len(request.prompt) > settings.GENERATION_MAX_PROMPT_CHARS:
        fields["prompt"] = [
            f"A prompt is at most {settings.GENERATION_MAX_PROMPT_CHARS} characters."
        ]
    if not 1 <= request.seconds <= settings.GENERATION_MAX_SECONDS:
        fields["seconds"] = [f"A clip is 1 to {settings.GENERATION_MAX_SECONDS} seconds long."]
    if request.aspect not in Aspect.values:
        fields["aspect"] = [f"Choose one of {', '.join(Aspect.values)}."]
    if request.fps not in ALLOWED_FPS:
        fields["fps"] = ["Choose 24 or 30 frames per second."]
    if request.tier not in TIERS:
        fields["tier"] = [f"Choose one of {', '.join(TIERS)}."]
    if request.seed is not None and not 0 <= request.seed < 2**31:
        fields["seed"] = ["A seed is between 0 and 2147483647."]
    if fields:
        raise DomainError("Invalid input.", fields=fields)
    policy_validate(request.policy)


def job_create(
    *, owner: User, request: JobRequest, idempotency_key: str | None = None
) -> tuple[GenerationJob, bool]:
    """Create a queued job and enqueue it after commit. Returns (job, created).

    The same idempotency key with the same request returns the first job; with a different
    request it is a 409, so a client bug cannot silently get someone else's answer.
    """
    job_request_validate(request)
    fingerprint = request.fingerprint()
    if idempotency_key:
        existing = _job_for_idempotency_key(owner=owner, key=idempotency_key)
        if existing is not None:
            return _idempotent_replay(existing, fingerprint), False
    remix_source = None
    if request.remix_of is not None:
        from feed.models import Video, VideoStatus

        remix_source = Video.objects.filter(pk=request.remix_of, status=VideoStatus.VISIBLE).first()
        if remix_source is None:
            raise DomainError("Invalid input.", fields={"remix_of": ["No such clip to remix."]})
    seed = request.seed if request.seed is not None else secrets.randbelow(2**31)
    # Cameos first: a refused cameo is a 403 before anything is created or charged.
    cameos = cameos_for_prompt(requester=owner, prompt=request.prompt)
    # The owners' preferences join the prompt, so the policy judges what will be rendered.
    verdict = prompt_check(effective_prompt(request.prompt, cameos))
    if not verdict.allowed:
        # Kept as a record for moderators (and the user's drafts); never queued or charged.
        blocked = GenerationJob.objects.create(
            owner=owner,
            prompt=request.prompt.strip(),
            seconds=request.seconds,
            aspect=request.aspect,
            fps=request.fps,
            seed=seed,
            remix_of=remix_source,
            status=JobStatus.BLOCKED,
            error=verdict.reason,
            blocked_reason_code=verdict.code,
            request_fingerprint=fingerprint,
            finished_at=timezone.now(),
        )
        raise PromptBlocked(verdict.reason, job_id=str(blocked.pk))
    # The route: a request no enabled backend can serve is refused here, before any charge.
    plan = job_route_plan(request)
    chosen = plan.chosen
    if chosen is None:
        raise DomainError(
            plan.refusal_message(), code="no_backend", extra={"refusals": plan.refusals}
        )
    try:
        with transaction.atomic():
            job = GenerationJob.objects.create(
                owner=owner,
                prompt=request.prompt.strip(),
                seconds=request.seconds,
                aspect=request.aspect,
                fps=request.fps,
                seed=seed,
                remix_of=remix_source,
                licensed_rights=verdict.licensed,
                idempotency_key=idempotency_key or None,
                request_fingerprint=fingerprint,
                tier=request.tier,
                routing_policy=plan.policy,
                route=[candidate.backend for candidate in plan.candidates],
                backend=chosen.backend,
                quote_credits=chosen.credits,
            )
            # Same transaction: no job without its hold, no hold without its job; too few
            # credits (a 402) rolls the job back.
            credits_hold(job=job, user=owner, amount=chosen.credits)
            job.save(update_fields=["hold_free", "hold_paid"])
            # Every use is recorded and told to the cameo's owner, even if it stays a draft.
            usages_record(cameos=cameos, job=job)
            transaction.on_commit(lambda: job_enqueue(job_id=job.id))
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its job.
        existing = _job_for_idempotency_key(owner=owner, key=idempotency_key or "")
        if existing is None:
            raise
        return _idempotent_replay(existing, fingerprint), False
    return job, True


def effective_prompt(prompt: str, cameos: list[Any]) -> str:
    """The prompt as rendered: each cameo's owner preferences appended."""
    extras = [f"(@{c.handle}: {c.preferences})" for c in cameos if c.preferences]
    return " ".join([prompt.strip(), *extras])


def job_route_plan(request: JobRequest) -> RoutePlan:
    """The backends that could make this clip, ranked by the request's policy (no I/O beyond
    the cached routing snapshot)."""
    spec = GenerationSpec(
        prompt=request.prompt, seconds=request.seconds, aspect=request.aspect,
        tier=request.tier, fps=request.fps,
    )  # fmt: skip
    return plan_route(spec, policy_validate(request.policy))


def job_quote(request: JobRequest) -> Quote:
    """What the clip will cost on the backend the policy picks, before anything is created."""
    from generation.renderer import SIZES

    plan = job_route_plan(request)
    chosen = plan.chosen
    if chosen is None:
        raise DomainError(plan.refusal_message(), code="no_backend")
    width, height = SIZES[request.aspect]
    return quote(
        seconds=request.seconds, width=width, height=height, tier=request.tier,
        backend=chosen.backend, usd_per_second=chosen.usd_per_second,
        billed_seconds=chosen.billed_seconds,
    )  # fmt: skip


def _job_for_idempotency_key(*, owner: User, key: str) -> GenerationJob | None:
    return GenerationJob.objects.filter(owner=owner, idempotency_key=key).first()


def _idempotent_replay(job: GenerationJob, fingerprint: str) -> GenerationJob:
    if job.request_fingerprint != fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used for a different request.",
            code="idempotency_key_reused",
        )
    return job


def job_enqueue(*, job_id: UUID, countdown: float = 0) -> None:
    """Send the job to a worker that can run its first backend (the GPU's queue, say)."""
    from generation.attempts import queue_for
    from generation.backends import backend_classes
    from generation.tasks import run_job

    route = GenerationJob.objects.filter(pk=job_id).values_list("route", flat=True).first()
    cls = backend_classes().get(route[0]) if route else None
    queue = queue_for(cls) if cls is not None else "render"
    run_job.apply_async(args=[str(job_id)], kwargs={"queue": queue}, queue=queue,
                        countdown=countdown)  # fmt: skip


def _transition(job_id: UUID | str, *, expected: str, to: str, **fields: Any) -> bool:
    """The guarded update every status change goes through; False when someone else moved it."""
    updated = GenerationJob.objects.filter(pk=job_id, status=expected).update(
        status=to, updated_at=timezone.now(), **fields
    )
    return updated == 1


def _push_job_state(job: GenerationJob, *, after_commit: bool = True) -> None:
    event = {
        "type": "job.updated",
        "job": str(job.id),
        "status": job.status,
        "progress": job.progress,
        "error": job.error,
    }
    if after_commit:
        user_event_send(user_id=job.owner_id, event=event)
    else:
        user_event_send_now(user_id=job.owner_id, event=event)


@dataclass(frozen=True)
class RunOutcome:
    status: str
    retry_in: float | None = None


def job_run(*, job_id: UUID | str, queue: str | None = None) -> RunOutcome:
    """Claim a queued job and start its first (or next) backend attempt.

    `queue` is the queue the task came from, so an attempt for a backend that runs elsewhere
    (the GPU) is handed on rather than run here."""
    from generation.attempts import attempt_start

    job = GenerationJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None:
        return RunOutcome(status="missing")
    started = {"started_at": timezone.now(), "attempts": job.attempts + 1, "progress": 0}
    if not _transition(job.pk, expected=JobStatus.QUEUED, to=JobStatus.RUNNING, **started):
        # Already running elsewhere, finished or cancelled: a duplicate delivery does nothing.
        return RunOutcome(status=GenerationJob.objects.get(pk=job.pk).status)
    job.status = JobStatus.RUNNING
    for field, value in started.items():
        setattr(job, field, value)
    _push_job_state(job, after_commit=False)
    return attempt_start(job=job, queue=queue)


def video_path_size(storage: Any, name: str) -> int | None:
    try:
        return int(storage.size(name))
    except Exception:
        return None


class _ProgressReporter:
    """Renderer callback: saves and pushes progress at most every few percent, notices cancels."""

    def __init__(self, job: GenerationJob) -> None:
        self.job = job
        self.last_percent = -1
        self.last_push = 0.0

    def __call__(self, fraction: float) -> None:
        # Rendering is most of the work; storing the files is the last few percent.
        percent = min(int(fraction * 95), 95)
        now = time.monotonic()
        if percent - self.last_percent < 5 and now - self.last_push < 1.0:
            return
        self.last_percent, self.last_push = percent, now
        if not GenerationJob.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).update(
            progress=percent,
            updated_at=timezone.now(),  # a heartbeat for the reaper
        ):
            raise JobCancelled
        user_event_send_now(
            user_id=self.job.owner_id,
            event={
                "type": "job.progress",
                "job": str(self.job.id),
                "status": JobStatus.RUNNING,
                "progress": percent,
            },
        )

    def check_cancelled(self) -> None:
        if not GenerationJob.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).exists():
            raise JobCancelled


def job_fail(*, job_id: UUID | str, reason: str) -> bool:
    for expected in (JobStatus.RUNNING, JobStatus.QUEUED):
        if _transition(
            job_id, expected=expected, to=JobStatus.FAILED, error=reason, finished_at=timezone.now()
        ):
            job = GenerationJob.objects.select_related("owner").get(pk=job_id)
            credits_release(job=job)
            _push_job_state(job, after_commit=False)
            return True
    return False


def job_cancel(*, job: GenerationJob) -> GenerationJob:
    """Cancel a queued or running job; a running render notices at its next progress tick."""
    for expected in (JobStatus.QUEUED, JobStatus.RUNNING):
        if _transition(
            job.pk,
            expected=expected,
            to=JobStatus.CANCELLED,
            error="Cancelled by you.",
            finished_at=timezone.now(),
        ):
            job.refresh_from_db()
            credits_release(job=job)
            _push_job_state(job)
            return job
    job.refresh_from_db()
    if job.status != JobStatus.CANCELLED:
        raise Conflict(f"A {job.status} job cannot be cancelled.", code="not_cancellable")
    return job


def jobs_reap_stuck() -> dict[str, int]:
    """Requeue (or, out of attempts, fail) jobs whose worker died mid-render, and re-send jobs
    whose queue message was lost (a broker restart): a duplicate delivery is harmless."""
    now = timezone.now()
    cutoff = now - settings.GENERATION_STUCK_AFTER
    requeued = failed = resent = 0
    forgotten = GenerationJob.objects.filter(
        status=JobStatus.QUEUED, updated_at__lt=now - settings.GENERATION_RESEND_QUEUED_AFTER
    )
    for job_id in forgotten.values_list("id", flat=True)[:100]:
        job_enqueue(job_id=job_id)
        resent += 1
    from generation.attempts import attempts_close_orphans, attempts_resume_polling
    from generation.models import AttemptOutcome, GenerationAttempt

    quiet_for = timedelta(seconds=max(60.0, settings.GENERATION_POLL_MAX * 3))
    polled = attempts_resume_polling(quiet_for=quiet_for)
    # Jobs waiting on a provider are governed by the attempt timeout their polls enforce; an
    # in-process render is stuck when it has made no progress (each tick touches the job).
    waiting_on_provider = GenerationAttempt.objects.filter(
        job=OuterRef("pk"), outcome=AttemptOutcome.RUNNING
    ).exclude(provider_job_id="")
    stuck = GenerationJob.objects.filter(
        status=JobStatus.RUNNING, started_at__lt=cutoff, updated_at__lt=cutoff
    ).exclude(Exists(waiting_on_provider))
    for job in stuck.only("id", "attempts"):
        attempts_close_orphans(job_id=job.pk)
        if job.attempts <= settings.GENERATION_MAX_RETRIES:
            if _transition(
                job.pk, expected=JobStatus.RUNNING, to=JobStatus.QUEUED, error="Requeued."
            ):
                transaction.on_commit(lambda job_id=job.pk: job_enqueue(job_id=job_id))
                requeued += 1
        elif job_fail(job_id=job.pk, reason="The render did not finish in time."):
            failed += 1
    return {"requeued": requeued, "failed": failed, "resent": resent, "polls_resent": polled,
            "settled": jobs_settle()}  # fmt: skip


def jobs_settle(*, limit: int = 200) -> int:
    """Settle holds a crash left open: capture succeeded jobs, release failed or cancelled ones.
    (Both are idempotent, so settling twice is harmless.)"""
    from credits.models import LedgerEntry

    settled = 0
    finished = GenerationJob.objects.filter(
        # Blocked too: a provider's refusal blocks a job that already holds credits.
        status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.BLOCKED],
        quote_credits__gt=0,
        charged_credits__isnull=True,
    ).select_related("owner")[:limit]
    for job in finished:
        if LedgerEntry.objects.filter(idempotency_key=f"hold:{job.pk}").exists():
            if job.status == JobStatus.SUCCEEDED:
                settled += credits_capture(job=job, price=job.quote_credits)
            else:
                settled += credits_release(job=job)
    return settled
