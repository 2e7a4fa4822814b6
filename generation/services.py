"""The top door into generation: validate, quote, create (idempotently) and cancel a job.

Layers, each importing only those below it:  services → attempts → backend_health → routing →
pricing, with `jobs` (states, guarded transitions, events, enqueueing, reaping) under attempts.
Doors (API, pages, admin, tasks) call here; the lifecycle functions they also need (`job_run`,
`job_fail`, `jobs_reap_stuck`, …) are re-exported so this stays the one module to import.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import blocked_between
from accounts.services import user_event_send
from config.broker import BROKER_RETRY_AFTER, broker_reachable
from config.errors import Conflict, DomainError, PromptBlocked, ServiceUnavailable
from config.storage import private_storage
from credits.services import credits_hold
from feed.selectors import visible_videos
from generation.attempts import job_run
from generation.choices import DEFAULT_FPS, DEFAULT_TIER, FPS_CHOICES, TIERS
from generation.jobs import (
    JobCancelled,
    RunOutcome,
    effective_prompt,
    job_cancel_transition,
    job_capture,
    job_enqueue,
    job_enqueue_or_withdraw,
    job_fail,
    job_release,
    jobs_reap_stuck,
    jobs_settle,
)
from generation.models import Aspect, GenerationJob, JobStatus
from generation.policy import prompt_check
from generation.pricing import Quote, quote
from generation.renderer import SIZES
from generation.routing import RoutePlan, policy_validate, route_plan_for
from likeness.services import cameos_for_prompt_recording_refusals, usages_record

__all__ = [  # the lifecycle entry points doors and tests reach through this module
    "JobCancelled",
    "RunOutcome",
    "effective_prompt",
    "job_enqueue",
    "job_fail",
    "job_run",
    "jobs_reap_stuck",
    "jobs_settle",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobRequest:
    prompt: str
    seconds: int
    aspect: str = Aspect.PORTRAIT
    seed: int | None = None
    fps: int = DEFAULT_FPS
    remix_of: int | None = None
    tier: str = DEFAULT_TIER
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
    if request.fps not in FPS_CHOICES:
        fields["fps"] = [f"Choose {' or '.join(map(str, FPS_CHOICES))} frames per second."]
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
        remix_source = visible_videos().filter(pk=request.remix_of).first()
        if remix_source is None:
            raise DomainError("Invalid input.", fields={"remix_of": ["No such clip to remix."]})
        if blocked_between(a_id=owner.pk, b_id=remix_source.creator_id):
            message = _("You can't remix this clip: one of you blocked the other.")
            raise DomainError(message, code="blocked", fields={"remix_of": [message]})
    seed = request.seed if request.seed is not None else secrets.randbelow(2**31)
    # Cameos first: a refused cameo is a 403 before anything is created or charged.
    # (A refusal by a cameo's permission setting is told to its owner.)
    cameos = cameos_for_prompt_recording_refusals(requester=owner, prompt=request.prompt)
    # The owners' preferences join the prompt, so the policy judges what will be rendered.
    # A real person's own verified cameo lifts the real-people rule for that person.
    verdict = prompt_check(
        effective_prompt(request.prompt, cameos),
        cameo_names=[c.name for c in cameos if c.kind == "person"],
    )
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
    # No broker, no worker will ever hear of the job: refuse before anything is made or charged.
    if not broker_reachable():
        raise ServiceUnavailable(
            _("Clip creation is paused for a moment; nothing was charged. Try again shortly."),
            retry_after=BROKER_RETRY_AFTER,
        )
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
            job.hold_free, job.hold_paid = credits_hold(job=job, user=owner, amount=chosen.credits)
            job.save(update_fields=["hold_free", "hold_paid"])
            # Every use is recorded and told to the cameo's owner, even if it stays a draft.
            usages_record(cameos=cameos, job=job)
            transaction.on_commit(lambda: job_enqueue_or_withdraw(job_id=job.id))
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its job.
        existing = _job_for_idempotency_key(owner=owner, key=idempotency_key or "")
        if existing is None:
            raise
        return _idempotent_replay(existing, fingerprint), False
    return job, True


def job_route_plan(request: JobRequest) -> RoutePlan:
    """The backends that could make this clip, ranked by the request's policy."""
    return route_plan_for(
        prompt=request.prompt, seconds=request.seconds, aspect=request.aspect,
        tier=request.tier, fps=request.fps, policy=request.policy,
    )  # fmt: skip


def job_quote(request: JobRequest) -> Quote:
    """What the clip will cost on the backend the policy picks, before anything is created."""
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


def job_cancel(*, job: GenerationJob) -> GenerationJob:
    """Cancel a queued or running job; a running render notices at its next progress tick."""
    if job_cancel_transition(job=job):
        return job
    job.refresh_from_db()
    if job.status != JobStatus.CANCELLED:
        raise Conflict(f"A {job.status} job cannot be cancelled.", code="not_cancellable")
    return job


def job_delete(*, job: GenerationJob) -> None:
    """Delete a finished draft with its files (after commit). An unfinished job is a 409: cancel
    it first. Its ledger entries stay (they lose the link, not the amounts); a clip published
    from it stays published; a cameo owner's record of the use stays."""
    if not job.is_final:
        raise Conflict(
            gettext("This clip is still being made: cancel it before deleting it."),
            code="not_finished",
        )
    if job.quote_credits and job.charged_credits is None:
        # Settle a hold a crash left open now: once the job is gone, nothing else will.
        if job.status == JobStatus.SUCCEEDED:
            job_capture(job=job, price=job.quote_credits)
        else:
            job_release(job=job)
    names = [name for name in (job.video_file.name, job.poster_file.name) if name]
    with transaction.atomic():
        GenerationJob.objects.filter(pk=job.pk).delete()
        storage = private_storage()
        transaction.on_commit(lambda: [storage.delete(name) for name in names])
    user_event_send(user_id=job.owner_id, event={"type": "job.deleted", "job": str(job.pk)})
