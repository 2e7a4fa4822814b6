"""Writes for cameos: create, verify (challenge → upload → automatic checks → moderator review),
settings, usage records with owner notifications, and the owner's controls (delete a clip that
used the cameo, revoke, delete the cameo with its verification data)."""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _

from accounts.handles import handle_lookalike_of
from accounts.models import NotificationKind, User, handle_validator
from accounts.services import notify
from config.broker import BROKER_RETRY_AFTER, broker_reachable
from config.errors import DomainError, ServiceUnavailable
from config.storage import private_storage
from feed.selectors import videos_of_job_ids
from feed.services import videos_take_down
from generation.jobs import job_files_delete
from likeness.models import (
    Cameo,
    CameoApproval,
    CameoKind,
    CameoPermissionLevel,
    CameoRefusedAttempt,
    CameoStatus,
    CameoUsage,
    VerificationAttempt,
    VerificationStatus,
)
from likeness.selectors import (
    CameoRefused,
    cameos_for_prompt,
    published_video_ids_with_cameo,
    verification_retry_at,
)

logger = logging.getLogger(__name__)
REVIEW_REASON_MIN = 10  # characters of the reason to approve a recording whose checks failed badly

VERIFICATION_CHECKS_TASK = "likeness.tasks.run_verification_checks"


def cameo_create(*, owner: User, kind: str = CameoKind.PERSON, handle: str = "",
                 name: str = "") -> Cameo:  # fmt: skip
    """A new, unverified cameo. A person's cameo is mentioned by their own handle by default."""
    kind = CameoKind(kind)
    handle = (handle or (owner.username if kind == CameoKind.PERSON else "")).strip().lower()
    try:
        handle_validator(handle)
    except Exception as error:
        raise DomainError("Choose a handle: 3–30 of a-z, 0-9, '_' and '.'.",
                          fields={"handle": ["Invalid handle."]}) from error  # fmt: skip
    if (
        kind == CameoKind.CHARACTER
        and User.objects.filter(username__iexact=handle).exclude(pk=owner.pk).exists()
    ):
        raise DomainError("That handle belongs to someone.", fields={"handle": ["Taken."]})
    if kind == CameoKind.CHARACTER:
        imitated = handle_lookalike_of(
            handle=handle, exclude=[owner.username],
            sources=[(User.objects.all(), "username"), (Cameo.objects.all(), "handle")],
        )  # fmt: skip
        if imitated:
            message = _("That handle looks too much like @%(handle)s.") % {"handle": imitated}
            raise DomainError(message, fields={"handle": [message]})
    try:
        with transaction.atomic():
            return Cameo.objects.create(owner=owner, kind=kind, handle=handle, name=name[:60])
    except IntegrityError as error:
        message = (
            "You already have a cameo of yourself."
            if kind == CameoKind.PERSON and Cameo.objects.filter(owner=owner, kind=kind).exists()
            else "That handle is taken."
        )
        raise DomainError(message, code="cameo_exists") from error


def verification_start(*, cameo: Cameo) -> VerificationAttempt:
    """A fresh challenge; after a rejection, only once the cool-down has passed."""
    from likeness.verification import new_challenge

    latest = cameo.attempts.order_by("-created_at").first()
    ready_at = verification_retry_at(cameo=cameo, latest=latest)
    if ready_at is None:
        if cameo.status == CameoStatus.APPROVED:
            raise DomainError("This cameo is already verified.", code="verified")
        if cameo.status == CameoStatus.REVOKED:
            raise DomainError("This cameo was revoked.", code="revoked")
        raise DomainError("A recording is already being checked.", code="verification_in_progress")
    if timezone.now() < ready_at:
        wait = int((ready_at - timezone.now()).total_seconds()) + 1
        raise DomainError(
            "You can try again after a cool-down.", code="cool_down", retry_after=wait
        )
    if latest is not None and latest.status == VerificationStatus.PENDING_REVIEW:
        # A new recording replaces one whose checks did not pass: nobody needs to review it.
        VerificationAttempt.objects.filter(
            pk=latest.pk, status=VerificationStatus.PENDING_REVIEW
        ).update(status=VerificationStatus.REJECTED, review_note="Replaced by a new recording.")
        Cameo.objects.filter(pk=cameo.pk).update(status=CameoStatus.DRAFT)
    challenge = new_challenge()
    return VerificationAttempt.objects.create(
        cameo=cameo,
        challenge={"numbers": list(challenge.numbers), "turns": list(challenge.turns)},
    )


def verification_upload(*, attempt: VerificationAttempt, upload: Any) -> VerificationAttempt:
    """Store a recording only after really decoding it; then queue the automatic checks."""
    from likeness.verification import UploadRejected, probe_upload

    if attempt.status != VerificationStatus.CHALLENGED:
        raise DomainError("Start a new verification to upload again.", code="attempt_used")
    if not broker_reachable():
        # The checks run in a worker: with no broker they would never start.
        raise ServiceUnavailable(
            _("Verification is paused for a moment; upload again shortly."),
            retry_after=BROKER_RETRY_AFTER,
        )
    if upload.size > settings.CAMEO_MAX_UPLOAD_BYTES:
        limit = settings.CAMEO_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise DomainError(f"A recording is at most {limit} MB.",
                          fields={"clip": [f"At most {limit} MB."]})  # fmt: skip
    suffix = Path(getattr(upload, "name", "clip.webm")).suffix.lower() or ".webm"
    if suffix not in {".webm", ".mp4", ".mov", ".mkv"}:
        suffix = ".webm"
    with tempfile.NamedTemporaryFile(suffix=suffix) as temporary:
        for chunk in upload.chunks():
            temporary.write(chunk)
        temporary.flush()
        try:
            info = probe_upload(temporary.name, max_bytes=settings.CAMEO_MAX_UPLOAD_BYTES)
        except UploadRejected as rejected:
            raise DomainError(str(rejected), fields={"clip": [str(rejected)]}) from rejected
        temporary.seek(0)
        name = private_storage().save(
            f"cameos/{attempt.cameo_id}/verification-{attempt.pk}{suffix}", File(temporary)
        )
    with transaction.atomic():
        updated = VerificationAttempt.objects.filter(
            pk=attempt.pk, status=VerificationStatus.CHALLENGED
        ).update(
            clip=name, status=VerificationStatus.CHECKING, uploaded_at=timezone.now(),
            checks={"duration": round(info.duration, 2)},
        )  # fmt: skip
        if not updated:
            private_storage().delete(name)
            raise DomainError("This verification was already used.", code="attempt_used")
        Cameo.objects.filter(pk=attempt.cameo_id).update(status=CameoStatus.CHECKING)
        transaction.on_commit(lambda: _enqueue_checks(attempt.pk))
    attempt.refresh_from_db()
    return attempt


def _enqueue_checks(attempt_id: int) -> None:
    # By its registered name: the task module sits above this one (it calls these services).
    current_app.signature(VERIFICATION_CHECKS_TASK).apply_async(args=[attempt_id])


def verification_run_checks(*, attempt_id: int) -> str:
    """The worker's part: automatic checks, the reference portrait, then a moderator's turn."""
    from likeness.verification import Challenge, check_clip

    attempt = (
        VerificationAttempt.objects.select_related("cameo", "cameo__owner")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None or attempt.status != VerificationStatus.CHECKING:
        return "skipped"
    cameo = attempt.cameo
    storage = private_storage()
    suffix = Path(attempt.clip.name).suffix
    with (
        tempfile.NamedTemporaryFile(suffix=suffix) as local,
        storage.open(attempt.clip.name) as src,
    ):
        for chunk in iter(lambda: src.read(1024 * 1024), b""):
            local.write(chunk)
        local.flush()
        challenge = Challenge(
            numbers=tuple(attempt.challenge["numbers"]), turns=tuple(attempt.challenge["turns"])
        )
        report = check_clip(
            local.name, challenge=challenge, kind=cameo.kind, issued_at=attempt.created_at
        )
    portrait_name = ""
    if report.portrait_jpeg:
        portrait_name = storage.save(
            f"cameos/{cameo.pk}/portrait-{attempt.pk}.jpg", ContentFile(report.portrait_jpeg)
        )
    with transaction.atomic():
        moved = VerificationAttempt.objects.filter(
            pk=attempt.pk, status=VerificationStatus.CHECKING
        ).update(
            status=VerificationStatus.PENDING_REVIEW, checks=report.as_dict(),
            checks_passed=report.passed, checked_at=timezone.now(),
            verdict=report.verdict, checks_severe=report.severe,
        )  # fmt: skip
        if not moved:
            if portrait_name:
                storage.delete(portrait_name)
            return "skipped"
        old_portrait = cameo.portrait.name
        Cameo.objects.filter(pk=cameo.pk).update(
            status=CameoStatus.PENDING_REVIEW, portrait=portrait_name or old_portrait
        )
        summary = {
            "pass": "passed the automatic checks; a moderator will review it",
            "uncertain": "needs a moderator's eye; you can also record again",
            "fail": "did not pass every check: see why on the verification page",
        }[report.verdict]
        _notify_self(cameo.owner, f"Your recording {summary}.")
    return "pending_review"


def _notify_self(user: User, text: str) -> None:
    """Notifications about one's own cameo have no other actor: store and push them directly."""
    from accounts.models import Notification
    from accounts.services import user_event_send

    Notification.objects.create(recipient=user, actor=user, kind=NotificationKind.CAMEO, text=text)
    user_event_send(user_id=user.pk, event={"type": "notification", "kind": "cameo",
                                            "text": text})  # fmt: skip


@transaction.atomic
def verification_review(*, attempt: VerificationAttempt, moderator: User, approve: bool,
                        note: str = "") -> VerificationAttempt:  # fmt: skip
    """A moderator's decision; the owner is told either way."""
    if attempt.status != VerificationStatus.PENDING_REVIEW:
        raise DomainError("This recording is not waiting for review.", code="not_pending_review")
    if approve and attempt.checks_severe and len(note.strip()) < REVIEW_REASON_MIN:
        raise DomainError(
            "Checks failed badly: type the reason for approving anyway (at least "
            f"{REVIEW_REASON_MIN} characters).",
            code="reason_required",
            fields={"note": ["A reason is required."]},
        )
    now = timezone.now()
    attempt.status = VerificationStatus.APPROVED if approve else VerificationStatus.REJECTED
    attempt.reviewed_by, attempt.reviewed_at, attempt.review_note = moderator, now, note[:500]
    attempt.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    cameo = attempt.cameo
    if approve:
        Cameo.objects.filter(pk=cameo.pk).update(status=CameoStatus.APPROVED, approved_at=now)
        text = f"Your cameo @{cameo.handle} is verified. Choose who may use it."
    else:
        Cameo.objects.filter(pk=cameo.pk).update(status=CameoStatus.REJECTED, rejected_at=now)
        text = f"Your cameo @{cameo.handle} was not verified: {note or 'see the checks'}."
    notify(recipient=cameo.owner, actor=moderator, kind=NotificationKind.CAMEO, text=text)
    return attempt


def cameo_update_settings(*, cameo: Cameo, permission: str | None = None,
                          preferences: str | None = None, approved_handles: list[str] | None = None,
                          revenue_share_opt_in: bool | None = None) -> Cameo:  # fmt: skip
    """Who may use it, the preferences added to prompts (checked by the prompt policy)."""
    from generation.policy import prompt_check

    fields: list[str] = []
    if permission is not None:
        cameo.permission = CameoPermissionLevel(permission)
        fields.append("permission")
    if preferences is not None:
        preferences = preferences.strip()
        if len(preferences) > 300:
            raise DomainError("Preferences are at most 300 characters.",
                              fields={"preferences": ["At most 300 characters."]})  # fmt: skip
        verdict = prompt_check(preferences)
        if not verdict.allowed:
            raise DomainError(verdict.reason, fields={"preferences": [verdict.reason]})
        cameo.preferences = preferences
        fields.append("preferences")
    if revenue_share_opt_in is not None:
        cameo.revenue_share_opt_in = revenue_share_opt_in
        fields.append("revenue_share_opt_in")
    with transaction.atomic():
        if fields:
            cameo.save(update_fields=fields)
        if approved_handles is not None:
            wanted = [h.strip().lstrip("@").lower() for h in approved_handles if h.strip()]
            users = list(User.objects.filter(username__in=wanted, is_active=True))
            missing = sorted(set(wanted) - {u.username for u in users})
            if missing:
                message = f"No such user: @{missing[0]}."
                raise DomainError(message, fields={"approved": [message]})
            CameoApproval.objects.filter(cameo=cameo).exclude(user__in=users).delete()
            for user in users:
                CameoApproval.objects.get_or_create(cameo=cameo, user=user)
    return cameo


def usages_record(*, cameos: list[Cameo], job: Any) -> None:
    """Record each cameo's use by a new job and tell each owner at once (after commit)."""
    for cameo in cameos:
        usage = CameoUsage.objects.create(
            cameo=cameo, job=job, requester=job.owner, prompt=job.prompt
        )
        if cameo.owner_id == job.owner_id:
            continue
        notify(recipient=cameo.owner, actor=job.owner, kind=NotificationKind.CAMEO_USED,
               text=f"@{job.owner.username} used your cameo @{cameo.handle} in a clip "
                    f"(usage {usage.pk}).")  # fmt: skip


@transaction.atomic
def usage_delete_clip(*, usage: CameoUsage) -> None:
    """The owner removes a clip that used their cameo: the draft's files and any published copy
    go, everywhere; the clip's creator is told."""
    job = usage.job
    if job is not None:
        job_files_delete(job=job, reason="Removed at the request of a person in it.")
        videos_take_down(video_ids=videos_of_job_ids(job_id=job.pk), delete_files=True)
        notify(recipient=job.owner, actor=usage.cameo.owner, kind=NotificationKind.CAMEO,
               text=f"@{usage.cameo.handle} removed your clip that used their cameo.")  # fmt: skip
    CameoUsage.objects.filter(pk=usage.pk).update(deleted_by_owner_at=timezone.now())


@transaction.atomic
def cameo_revoke(*, cameo: Cameo, take_down_published: bool = False) -> int:
    """New uses are refused at once; published clips come down if the owner says so.
    Returns how many published clips were taken down."""
    Cameo.objects.filter(pk=cameo.pk).update(status=CameoStatus.REVOKED, revoked_at=timezone.now())
    cameo.status = CameoStatus.REVOKED
    taken_down = 0
    if take_down_published:
        taken_down = videos_take_down(video_ids=published_video_ids_with_cameo(cameo=cameo))
    return taken_down


@transaction.atomic
def cameo_delete(*, cameo: Cameo) -> None:
    """Delete the cameo with its verification recordings and portrait."""
    storage = private_storage()
    names = [a.clip.name for a in cameo.attempts.all() if a.clip]
    names += [cameo.portrait.name] if cameo.portrait else []
    names += [f"cameos/{cameo.pk}/portrait-{a.pk}.jpg" for a in cameo.attempts.all()]
    cameo.delete()
    transaction.on_commit(lambda: [storage.delete(n) for n in names if storage.exists(n)])


# ---------------------------------------------------------------------------------------------
# Refused attempts: the owner hears who tried to use their cameo without permission
# ---------------------------------------------------------------------------------------------

REFUSED_NOTICE_EVERY = timedelta(hours=1)


def cameos_for_prompt_recording_refusals(*, requester: User, prompt: str) -> list[Cameo]:
    """`cameos_for_prompt`, and a refusal by a cameo's permission setting is recorded (and told
    to its owner) before the 403 goes back to the requester."""
    try:
        return cameos_for_prompt(requester=requester, prompt=prompt)
    except CameoRefused as refused:
        if refused.by_permission:
            cameo_refused_attempt_record(cameo=refused.cameo, requester=requester, prompt=prompt)
        raise


@transaction.atomic
def cameo_refused_attempt_record(
    *, cameo: Cameo, requester: User, prompt: str
) -> CameoRefusedAttempt:
    """Record a refused attempt; notify the owner unless this person's attempts were already
    notified within the hour (the next notice then counts the ones in between)."""
    # One writer per owner at a time, so two simultaneous attempts can't both notify.
    User.objects.select_for_update().filter(pk=cameo.owner_id).first()
    attempt = CameoRefusedAttempt.objects.create(
        cameo=cameo, requester=requester, prompt=prompt.strip()[:500]
    )
    theirs = CameoRefusedAttempt.objects.filter(cameo__owner_id=cameo.owner_id, requester=requester)
    last_notice = theirs.filter(notified=True).order_by("-created_at").first()
    if last_notice is not None and attempt.created_at - last_notice.created_at < (
        REFUSED_NOTICE_EVERY
    ):
        return attempt  # folded into the next notice
    since = theirs.filter(notified=False)
    if last_notice is not None:
        since = since.filter(created_at__gt=last_notice.created_at)
    count = since.count()
    CameoRefusedAttempt.objects.filter(pk=attempt.pk).update(notified=True)
    attempt.notified = True
    when = timezone.localtime(attempt.created_at).strftime("%Y-%m-%d %H:%M %Z")
    if count > 1:
        text = ngettext(
            "@%(who)s tried to use your cameo @%(cameo)s %(count)d time (last at %(when)s); your "
            "permission setting refused it.",
            "@%(who)s tried to use your cameo @%(cameo)s %(count)d times (last at %(when)s); your "
            "permission setting refused them.",
            count,
        ) % {"who": requester.username, "cameo": cameo.handle, "count": count, "when": when}
    else:
        text = gettext(
            "@%(who)s tried to use your cameo @%(cameo)s at %(when)s; your permission setting "
            "refused it."
        ) % {"who": requester.username, "cameo": cameo.handle, "when": when}
    notify(recipient=cameo.owner, actor=requester, kind=NotificationKind.CAMEO, text=text[:300])
    return attempt
