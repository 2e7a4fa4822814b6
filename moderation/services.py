"""Output moderation: judge every finished clip before it becomes a draft, hold flagged clips for
a moderator, and carry out the moderator's decision.

    generation (clip made, post-processed, signed)
        └─ output_moderate ─ clean ──▶ the job stores its draft as usual
                           └ flagged ─▶ files to flagged/, frames kept, job blocked (hold
                                        released, owner told why) ─▶ flagged-output queue
    moderator ─▶ flagged_output_release ─▶ the job becomes a (free) draft, owner told
              └▶ flagged_output_confirm ─▶ stays blocked, files kept for audit, owner told
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from accounts.models import NotificationKind, User
from accounts.selectors import can_moderate
from accounts.services import notify
from config.errors import Conflict, DomainError, Forbidden, NotFound
from config.storage import private_storage
from generation.jobs import job_block, job_release_held_clip
from generation.models import GenerationJob
from moderation import detector
from moderation.detector import Detection, SampledFrame
from moderation.models import FlaggedFrame, FlaggedOutput, FlagStatus

logger = logging.getLogger(__name__)

OUTPUT_FLAGGED = "output_flagged"  # the job's blocked_reason_code


def label_description(label: str) -> str:
    """What a NudeNet class means, in words a creator can read."""
    descriptions = {
        "FEMALE_GENITALIA_EXPOSED": _("exposed genitals"),
        "MALE_GENITALIA_EXPOSED": _("exposed genitals"),
        "FEMALE_BREAST_EXPOSED": _("exposed breasts"),
        "MALE_BREAST_EXPOSED": _("an exposed chest"),
        "BUTTOCKS_EXPOSED": _("exposed buttocks"),
        "ANUS_EXPOSED": _("an exposed anus"),
        "BELLY_EXPOSED": _("an exposed belly"),
        "ARMPITS_EXPOSED": _("exposed armpits"),
        "FEET_EXPOSED": _("bare feet"),
        "FACE_FEMALE": _("a face"),
        "FACE_MALE": _("a face"),
    }
    if label in descriptions:
        return descriptions[label]
    return _("covered body parts") if label.endswith("_COVERED") else label.lower()


def blocking_rules() -> dict[str, float]:
    """Blocking class → threshold, from OUTPUT_MODERATION_BLOCK_CLASSES ("LABEL[:threshold]")."""
    rules: dict[str, float] = {}
    for item in settings.OUTPUT_MODERATION_BLOCK_CLASSES:
        label, _sep, threshold = item.partition(":")
        label = label.strip().upper()
        if label not in detector.LABELS:
            raise DomainError(f"OUTPUT_MODERATION_BLOCK_CLASSES: unknown class {label!r}.")
        rules[label] = float(threshold) if threshold else settings.OUTPUT_MODERATION_THRESHOLD
    return rules


@dataclass(frozen=True)
class Verdict:
    frames: list[SampledFrame]
    blocking: list[tuple[SampledFrame, Detection]]  # strongest first

    @property
    def flagged(self) -> bool:
        return bool(self.blocking)


def clip_judge(*, path: Path) -> Verdict:
    """Sample the clip, run the detector, and list the detections that block it."""
    rules = blocking_rules()
    frames = detector.scan_clip(path, per_second=settings.OUTPUT_MODERATION_SAMPLES_PER_SECOND)
    blocking = [
        (frame, found)
        for frame in frames
        for found in frame.detections
        if found.label in rules and found.score >= rules[found.label]
    ]
    blocking.sort(key=lambda pair: pair[1].score, reverse=True)
    return Verdict(frames=frames, blocking=blocking)


def output_moderate(
    *, job: GenerationJob, video_path: Path, poster_path: Path, clip_info: dict[str, Any]
) -> str | None:
    """Generation's one call once a clip is finished and before it becomes a draft.

    None: the clip is clean, carry on. Otherwise the clip was held (or the job had moved on
    meanwhile) and the return value is the job's status now. Raises ModerationUnavailable when
    the clip can't be judged: the caller fails the attempt, so nothing unjudged is published."""
    verdict = clip_judge(path=video_path)
    if not verdict.flagged:
        return None
    frame, found = verdict.blocking[0]
    logger.info("job %s flagged: %s %.2f at %.2f s", job.pk, found.label, found.score,
                frame.at_seconds)  # fmt: skip
    return flagged_output_hold(
        job=job, verdict=verdict, video_path=video_path, poster_path=poster_path,
        clip_info=clip_info,
    )  # fmt: skip


def flagged_output_hold(
    *,
    job: GenerationJob,
    verdict: Verdict,
    video_path: Path,
    poster_path: Path,
    clip_info: dict[str, Any],
) -> str:
    """Keep the clip and its frames for moderators, then block the job (which releases its hold
    and tells the owner why). Returns the job's status now. Safe to run again for the same job:
    a collect retried after a crash replaces the earlier, unfinished hold."""
    storage = private_storage()
    saved: list[str] = []
    base = f"flagged/{job.pk}"
    frame, found = verdict.blocking[0]
    try:
        with transaction.atomic():
            FlaggedOutput.objects.filter(job=job, status=FlagStatus.PENDING).delete()
            with video_path.open("rb") as handle:
                saved.append(storage.save(f"{base}/clip.mp4", File(handle)))
            with poster_path.open("rb") as handle:
                saved.append(storage.save(f"{base}/poster.jpg", File(handle)))
            flagged = FlaggedOutput.objects.create(
                job=job,
                top_label=found.label,
                top_score=found.score,
                top_at_seconds=frame.at_seconds,
                frames_sampled=len(verdict.frames),
                video_file=saved[0],
                poster_file=saved[1],
                clip_info=clip_info,
            )
            blocking_frames = {id(f) for f, _found in verdict.blocking}
            rows = []
            for sampled in verdict.frames:
                name = storage.save(
                    f"{base}/frame-{sampled.index:05d}.jpg", ContentFile(_jpeg(sampled.image))
                )
                saved.append(name)
                rows.append(
                    FlaggedFrame(
                        flagged=flagged,
                        index=sampled.index,
                        at_seconds=sampled.at_seconds,
                        image=name,
                        detections=[d.as_dict() for d in sampled.detections],
                        blocking=id(sampled) in blocking_frames,
                    )
                )
            FlaggedFrame.objects.bulk_create(rows)
    except BaseException:
        _delete_quietly(saved)
        raise
    # After the hold is stored (a crash in between leaves a pending hold for a job the reaper
    # requeues, replaced by the retry), so the owner's live update never precedes the commit.
    reason = _(
        "Our automatic check found %(what)s in this clip (at %(at)s s), so it was not made "
        "available. A moderator will review it; you were not charged."
    ) % {"what": label_description(found.label), "at": f"{frame.at_seconds:g}"}
    if job_block(job=job, reason=reason, code=OUTPUT_FLAGGED):
        return "blocked"
    # Cancelled or reaped while it was judged: keep nothing.
    flagged.delete()
    _delete_quietly(saved)
    now = GenerationJob.objects.filter(pk=job.pk).values_list("status", flat=True).first()
    return now or "missing"


def _jpeg(image: Any) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def _delete_quietly(names: list[str]) -> None:
    storage = private_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # best effort: an orphan file is better than a masked error
            logger.warning("could not delete %s", name, exc_info=True)


# ---------------------------------------------------------------------------------------------
# The moderator's decision
# ---------------------------------------------------------------------------------------------


def can_review_outputs(user: Any) -> bool:
    """A moderator (the one rule) who may also decide flagged outputs."""
    return can_moderate(user) and user.has_perm("moderation.change_flaggedoutput")


def _decide(
    *, flagged_id: int, moderator: User, reason: str, to: str
) -> tuple[FlaggedOutput, bool]:
    """Record the decision on a pending flag (row locked); (flag, False) when it was already
    decided the same way — a double click does nothing twice."""
    if not can_review_outputs(moderator):
        raise Forbidden(_("Only moderators can do that."))
    flagged = (
        FlaggedOutput.objects.select_for_update()
        .select_related("job", "job__owner")
        .filter(pk=flagged_id)
        .first()
    )
    if flagged is None:
        raise NotFound(_("No such flagged clip."))
    if flagged.status == to:
        return flagged, False
    if flagged.status != FlagStatus.PENDING:
        raise Conflict(_("This clip was already decided."), code="already_decided")
    if flagged.job.owner_id == moderator.pk:
        raise Forbidden(_("You can't review your own clip."))
    flagged.status = to
    flagged.decided_at = timezone.now()
    flagged.decided_by = moderator
    flagged.decision_reason = reason.strip()[:500]
    flagged.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    return flagged, True


@transaction.atomic
def flagged_output_release(*, flagged_id: int, moderator: User, reason: str = "") -> FlaggedOutput:
    """The detector was wrong: the clip becomes its creator's draft. Not charged — the hold was
    released when the clip was held, and a false alarm is ours, not theirs."""
    flagged, changed = _decide(
        flagged_id=flagged_id, moderator=moderator, reason=reason, to=FlagStatus.RELEASED
    )
    if not changed:
        return flagged
    if not job_release_held_clip(
        job_id=flagged.job_id,
        code=OUTPUT_FLAGGED,
        video_file=flagged.video_file.name,
        poster_file=flagged.poster_file.name,
        clip_info=flagged.clip_info,
    ):
        raise Conflict(_("The job is no longer held by this check."), code="not_held")
    notify(
        recipient=flagged.job.owner,
        actor=moderator,
        kind=NotificationKind.MODERATION,
        text=_("A moderator reviewed your held clip and released it: it is in your drafts."),
    )
    return flagged


@transaction.atomic
def flagged_output_confirm(*, flagged_id: int, moderator: User, reason: str) -> FlaggedOutput:
    """The clip breaks the rules: it stays blocked. Its files and frames are kept (moderators
    only) as the record of what was refused."""
    if not reason.strip():
        raise DomainError(_("Say why."), fields={"reason": [_("Say why.")]})
    flagged, changed = _decide(
        flagged_id=flagged_id, moderator=moderator, reason=reason, to=FlagStatus.CONFIRMED
    )
    if not changed:
        return flagged
    notify(
        recipient=flagged.job.owner,
        actor=moderator,
        kind=NotificationKind.MODERATION,
        text=_("A moderator confirmed that your held clip breaks the rules: %(reason)s")
        % {"reason": reason.strip()[:200]},
    )
    return flagged
