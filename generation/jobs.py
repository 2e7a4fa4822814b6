"""The bottom of generation: a job's states and everything that moves it between them.

    queued ─▶ running ─▶ succeeded | failed | cancelled | blocked
       ▲         │
       └─────────┘  (a retryable failure, or the reaper finding a dead worker's job)

Every status change goes through `job_transition`, a guarded `UPDATE … WHERE status = …`, so a
retried or duplicated task delivery can never move a job backwards or finish it twice. This
module also sends a job's events (websocket pushes), enqueues its tasks, settles its credits and
reaps what crashed workers left behind. It imports nothing from attempts, services or tasks:
tasks are sent by their registered names.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.services import user_event_send, user_event_send_now
from config.broker import BROKER_RETRY_AFTER, broker_forget_outage
from config.errors import ServiceUnavailable
from config.storage import private_storage
from credits.selectors import hold_exists
from credits.services import credits_capture, credits_release
from generation.backends import backend_classes
from generation.backends.base import Backend
from generation.models import AttemptOutcome, GenerationAttempt, GenerationJob, JobStatus

logger = logging.getLogger(__name__)

# Registered Celery names (generation/tasks.py); queued messages route by these, so they stay.
RUN_JOB_TASK = "generation.tasks.run_job"
RUN_ATTEMPT_TASK = "generation.tasks.run_attempt"
POLL_ATTEMPT_TASK = "generation.tasks.poll_attempt"


class JobCancelled(Exception):
    """Raised inside a render when its job was cancelled meanwhile."""


@dataclass(frozen=True)
class RunOutcome:
    status: str
    retry_in: float | None = None


# ---------------------------------------------------------------------------------------------
# Transitions and events
# ---------------------------------------------------------------------------------------------


def job_transition(job_id: UUID | str, *, expected: str, to: str, **fields: Any) -> bool:
    """The guarded update every status change goes through; False when someone else moved it."""
    updated = GenerationJob.objects.filter(pk=job_id, status=expected).update(
        status=to, updated_at=timezone.now(), **fields
    )
    return updated == 1


def job_push_state(job: GenerationJob, *, after_commit: bool = True) -> None:
    """Tell the owner's open tabs where the job stands."""
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


def job_progress_set(*, job: GenerationJob, percent: int) -> bool:
    """Raise a running job's progress (never lower it) and push it; False if nothing moved."""
    if not GenerationJob.objects.filter(
        pk=job.pk, status=JobStatus.RUNNING, progress__lt=percent
    ).update(progress=percent):
        return False
    job.progress = percent
    job_push_state(job)
    return True


class JobProgressReporter:
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


def effective_prompt(prompt: str, cameos: list[Any]) -> str:
    """The prompt as rendered: each cameo's owner preferences appended."""
    extras = [f"(@{c.handle}: {c.preferences})" for c in cameos if c.preferences]
    return " ".join([prompt.strip(), *extras])


# ---------------------------------------------------------------------------------------------
# Enqueueing
# ---------------------------------------------------------------------------------------------


def queue_for(cls: type[Backend]) -> str:
    """In-process backends run where their hardware is; remote calls are light I/O."""
    return cls.queue if cls.in_process else "default"


def _send(task: str, **options: Any) -> None:
    # By name: the task module sits above this one (it calls into attempts and services).
    current_app.signature(task).apply_async(**options)


def job_enqueue(*, job_id: UUID | str, countdown: float = 0) -> None:
    """Send the job to a worker that can run its first backend (the GPU's queue, say)."""
    route = GenerationJob.objects.filter(pk=job_id).values_list("route", flat=True).first()
    cls = backend_classes().get(route[0]) if route else None
    queue = queue_for(cls) if cls is not None else "render"
    _send(RUN_JOB_TASK, args=[str(job_id)], kwargs={"queue": queue}, queue=queue,
          countdown=countdown)  # fmt: skip


def attempt_enqueue(*, attempt_id: int, queue: str) -> None:
    _send(RUN_ATTEMPT_TASK, args=[attempt_id], kwargs={"queue": queue}, queue=queue)


def poll_enqueue(*, attempt_id: int, countdown: float, token: int | None) -> None:
    _send(POLL_ATTEMPT_TASK, args=[attempt_id, token], countdown=countdown)


def job_enqueue_or_withdraw(*, job_id: UUID | str) -> None:
    """After a submit commits: send the job, or, when the broker died since the submit checked
    it, withdraw the job (failed, hold released, its Idempotency-Key freed for the retry) and
    answer 503: nothing charged, nothing left waiting for a message that never left."""
    try:
        job_enqueue(job_id=job_id)
    except Exception as exc:  # kombu and redis errors alike: the message did not leave
        logger.warning("could not enqueue job %s: %s; withdrawing it", job_id, exc)
        broker_forget_outage()
        with transaction.atomic():
            if job_transition(
                job_id,
                expected=JobStatus.QUEUED,
                to=JobStatus.FAILED,
                error="Could not be queued; nothing was charged.",
                finished_at=timezone.now(),
                idempotency_key=None,
            ):
                job_release(job=GenerationJob.objects.select_related("owner").get(pk=job_id))
        raise ServiceUnavailable(
            gettext("Clip creation is paused for a moment; nothing was charged. Try again."),
            retry_after=BROKER_RETRY_AFTER,
        ) from exc


def job_requeue(*, job_id: UUID | str, error: str, countdown: float = 0) -> bool:
    """Put a running job back in the queue (after commit); False if it is no longer running."""
    if not job_transition(job_id, expected=JobStatus.RUNNING, to=JobStatus.QUEUED, error=error):
        return False
    transaction.on_commit(lambda: job_enqueue(job_id=job_id, countdown=countdown))
    return True


# ---------------------------------------------------------------------------------------------
# Endings and their credits
# ---------------------------------------------------------------------------------------------


def job_charge_record(*, job: GenerationJob, charged: int) -> None:
    """What the owner was finally charged for a job (0 for a release)."""
    GenerationJob.objects.filter(pk=job.pk).update(charged_credits=charged)
    job.charged_credits = charged


def job_capture(*, job: GenerationJob, price: int) -> bool:
    """Charge a succeeded job (never above its quote) and record the charge on it."""
    with transaction.atomic():
        charged = credits_capture(job=job, price=price)
        if charged is None:
            return False
        job_charge_record(job=job, charged=charged)
    return True


def job_release(*, job: GenerationJob) -> bool:
    """Give a job's hold back and record that it cost nothing."""
    with transaction.atomic():
        if not credits_release(job=job):
            return False
        job_charge_record(job=job, charged=0)
    return True


def job_fail(*, job_id: UUID | str, reason: str) -> bool:
    for expected in (JobStatus.RUNNING, JobStatus.QUEUED):
        if job_transition(
            job_id, expected=expected, to=JobStatus.FAILED, error=reason, finished_at=timezone.now()
        ):
            job = GenerationJob.objects.select_related("owner").get(pk=job_id)
            job_release(job=job)
            job_push_state(job, after_commit=False)
            return True
    return False


def job_block(*, job: GenerationJob, reason: str, code: str) -> bool:
    """Block a running job (a provider's content-policy refusal) and give its hold back."""
    if not job_transition(
        job.pk,
        expected=JobStatus.RUNNING,
        to=JobStatus.BLOCKED,
        error=reason[:2000],
        blocked_reason_code=code,
        finished_at=timezone.now(),
    ):
        return False
    job.refresh_from_db()
    job_release(job=job)
    job_push_state(job, after_commit=False)
    return True


def job_release_held_clip(
    *, job_id: UUID | str, code: str, video_file: str, poster_file: str, clip_info: dict[str, Any]
) -> bool:
    """BLOCKED (by the check `code`, e.g. output moderation) → SUCCEEDED with the held files: a
    moderator cleared the clip and it becomes the owner's draft. Its hold was released when it
    was blocked, so it is not charged. False when the job is not held by that check."""
    fields = {
        key: clip_info[key]
        for key in ("width", "height", "duration", "render_seconds", "scene", "backend")
        if key in clip_info
    }
    size = private_storage().size(video_file) if video_file else None
    released = GenerationJob.objects.filter(
        pk=job_id, status=JobStatus.BLOCKED, blocked_reason_code=code
    ).update(
        status=JobStatus.SUCCEEDED, error="", blocked_reason_code="", progress=100,
        video_file=video_file, poster_file=poster_file, file_size=size,
        updated_at=timezone.now(), **fields,
    )  # fmt: skip
    if released:
        job_push_state(GenerationJob.objects.get(pk=job_id))
    return bool(released)


def job_cancel_transition(*, job: GenerationJob) -> bool:
    """Cancel a queued or running job; a running render notices at its next progress tick."""
    for expected in (JobStatus.QUEUED, JobStatus.RUNNING):
        if job_transition(
            job.pk,
            expected=expected,
            to=JobStatus.CANCELLED,
            error="Cancelled by you.",
            finished_at=timezone.now(),
        ):
            job.refresh_from_db()
            job_release(job=job)
            job_push_state(job)
            return True
    return False


def job_files_delete(*, job: GenerationJob, reason: str) -> None:
    """Delete a draft's files (a person in it asked); the job stays as a record, saying why."""
    storage = private_storage()
    for name in (job.video_file.name, job.poster_file.name):
        if name:
            storage.delete(name)
    GenerationJob.objects.filter(pk=job.pk).update(video_file="", poster_file="", error=reason)


# ---------------------------------------------------------------------------------------------
# Recovery: what crashed workers and lost messages leave behind
# ---------------------------------------------------------------------------------------------


def attempts_close_orphans(*, job_id: UUID | str) -> int:
    """Close attempts left running by a worker that died (the reaper requeues the job)."""
    return GenerationAttempt.objects.filter(job_id=job_id, outcome=AttemptOutcome.RUNNING).update(
        outcome=AttemptOutcome.FAILED, error="The worker stopped.", finished_at=timezone.now()
    )


def attempts_resume_polling(*, quiet_for: timedelta) -> int:
    """Re-send the scheduled poll of remote attempts nobody has polled for a while (a broker
    lost the message); the token makes a surviving original and the copy collapse into one."""
    cutoff = timezone.now() - quiet_for
    quiet = (
        GenerationAttempt.objects.filter(outcome=AttemptOutcome.RUNNING)
        .exclude(provider_job_id="")
        .filter(
            Q(last_polled_at__lt=cutoff) | Q(last_polled_at__isnull=True, submitted_at__lt=cutoff)
        )
        .values_list("pk", "polls")[:200]
    )
    resent = 0
    for attempt_id, polls in quiet:
        transaction.on_commit(
            lambda attempt_id=attempt_id, polls=polls: poll_enqueue(
                attempt_id=attempt_id, countdown=0, token=polls
            )
        )
        resent += 1
    return resent


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
    quiet_for = timedelta(seconds=max(60.0, settings.GENERATION_POLL_MAX * 3))
    polled = attempts_resume_polling(quiet_for=quiet_for)
    # Jobs waiting on a provider are governed by the attempt timeout their polls enforce; an
    # in-process render is stuck when it has made no progress (each tick touches the job).
    waiting_on_provider = GenerationAttempt.objects.filter(
        job=OuterRef("pk"), outcome=AttemptOutcome.RUNNING
    ).exclude(provider_job_id="")
    # A render claimed by a worker beats (job_heartbeat): silent past the heartbeat timeout, its
    # worker is gone. Anything else running gets the long timeout.
    rendering = GenerationAttempt.objects.filter(
        job=OuterRef("pk"),
        outcome=AttemptOutcome.RUNNING,
        provider_job_id="",
        submitted_at__isnull=False,
    )
    silent_since = now - settings.GENERATION_HEARTBEAT_TIMEOUT
    stuck = (
        GenerationJob.objects.filter(status=JobStatus.RUNNING)
        .filter(
            Q(started_at__lt=cutoff, updated_at__lt=cutoff)
            | Q(Exists(rendering), updated_at__lt=silent_since)
        )
        .exclude(Exists(waiting_on_provider))
    )
    for job in stuck.only("id", "attempts"):
        attempts_close_orphans(job_id=job.pk)
        if job.attempts <= settings.GENERATION_MAX_RETRIES:
            if job_requeue(job_id=job.pk, error="Requeued."):
                requeued += 1
        elif job_fail(job_id=job.pk, reason="The render did not finish in time."):
            failed += 1
    return {"requeued": requeued, "failed": failed, "resent": resent, "polls_resent": polled,
            "settled": jobs_settle(), "dirs_removed": render_dirs_clean()}  # fmt: skip


@contextmanager
def job_heartbeat(*, job_id: UUID | str) -> Iterator[None]:
    """While a worker renders a job in-process, touch the job every GENERATION_HEARTBEAT_SECONDS
    from a side thread (renders tick progress too, but not every phase does). A worker that dies
    stops beating, and the reaper requeues the job after GENERATION_HEARTBEAT_TIMEOUT instead of
    the long GENERATION_STUCK_AFTER."""
    stop = threading.Event()

    def beat() -> None:
        from django.db import connection

        try:
            while not stop.wait(settings.GENERATION_HEARTBEAT_SECONDS):
                GenerationJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
                    updated_at=timezone.now()
                )
        except Exception:  # a missed beat is only a later requeue, never a failed render
            logger.warning("heartbeat of job %s stopped", job_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


RENDER_DIR_PREFIXES = ("reverie-render-", "reverie-fetch-")


def render_dirs_clean(*, older_than: timedelta | None = None) -> int:
    """Remove render and download folders that a killed worker left in the temp directory.
    Only folders untouched for an hour (or twice the attempt timeout) go: no live render is that
    old. Returns how many were removed."""
    age = older_than or max(timedelta(hours=1), settings.GENERATION_ATTEMPT_TIMEOUT * 2)
    cutoff = time.time() - age.total_seconds()
    removed = 0
    for entry in Path(tempfile.gettempdir()).iterdir():
        if not entry.name.startswith(RENDER_DIR_PREFIXES) or not entry.is_dir():
            continue
        try:
            if entry.stat().st_mtime >= cutoff:
                continue
        except FileNotFoundError:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed


def jobs_settle(*, limit: int = 200) -> int:
    """Settle holds a crash left open: capture succeeded jobs, release failed or cancelled ones.
    (Both are idempotent, so settling twice is harmless.)"""
    settled = 0
    finished = GenerationJob.objects.filter(
        # Blocked too: a provider's refusal blocks a job that already holds credits.
        status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.BLOCKED],
        quote_credits__gt=0,
        charged_credits__isnull=True,
    ).select_related("owner")[:limit]
    for job in finished:
        if hold_exists(job_id=job.pk):
            if job.status == JobStatus.SUCCEEDED:
                settled += job_capture(job=job, price=job.quote_credits)
            else:
                settled += job_release(job=job)
    return settled
