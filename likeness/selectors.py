"""Reads for cameos: who may use which cameo, mention resolution, and what an owner sees."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image

from accounts.handles import mention_lookalikes_refuse
from accounts.models import Follow, User
from accounts.selectors import (
    blocked_between,
    handle_lookup_keys,
    handle_resolve,
    mentioned_handles,
)
from config.errors import DomainError, NotFound
from config.storage import private_storage
from feed.models import VideoStatus
from likeness.models import (
    Cameo,
    CameoApproval,
    CameoPermissionLevel,
    CameoStatus,
    CameoUsage,
    VerificationAttempt,
)


class CameoRefused(DomainError):
    """A mentioned cameo may not be used by this requester. `by_permission`: the cameo is
    usable, but its owner's permission setting leaves the requester out."""

    code = "cameo_not_allowed"

    def __init__(self, message: str, *, cameo: Cameo, by_permission: bool) -> None:
        super().__init__(message, fields={"prompt": [message]})
        self.cameo = cameo
        self.by_permission = by_permission


MAX_CAMEOS_PER_CLIP = 3


def cameo_refusal(*, cameo: Cameo, requester: User) -> str | None:
    """Why the requester may not use this cameo, or None when they may."""
    if cameo.status == CameoStatus.REVOKED:
        return f"@{cameo.handle} was revoked by its owner."
    if cameo.status != CameoStatus.APPROVED:
        return f"@{cameo.handle} is not a verified cameo."
    if requester.pk == cameo.owner_id:
        return None
    if blocked_between(a_id=requester.pk, b_id=cameo.owner_id):
        return gettext("You can't use @%(handle)s: one of you blocked the other.") % {
            "handle": cameo.handle
        }
    level = cameo.permission
    if level == CameoPermissionLevel.EVERYONE:
        return None
    if (
        level == CameoPermissionLevel.APPROVED
        and CameoApproval.objects.filter(cameo=cameo, user=requester).exists()
    ):
        return None
    if level == CameoPermissionLevel.MUTUALS and (
        Follow.objects.filter(follower=requester, followee_id=cameo.owner_id).exists()
        and Follow.objects.filter(follower_id=cameo.owner_id, followee=requester).exists()
    ):
        return None
    return f"@{cameo.handle}'s owner hasn't allowed you to use their cameo."


def cameos_for_prompt(*, requester: User, prompt: str) -> list[Cameo]:
    """The cameos a prompt mentions by @handle, each checked for this requester.

    Raises a 403 DomainError naming the first refused cameo, or a 400 past the per-clip limit;
    a 422 for an @mention that only looks like a cameo's or a person's handle."""
    mention_lookalikes_refuse(
        text=prompt, field="prompt",
        sources=[(User.objects.all(), "username"), (Cameo.objects.all(), "handle")],
    )  # fmt: skip
    handles = mentioned_handles(prompt)
    if not handles:
        return []
    cameos = {
        c.handle.lower(): c for c in Cameo.objects.filter(handle__in=handle_lookup_keys(handles))
    }
    mentioned: list[Cameo] = []
    for handle in handles:
        cameo = handle_resolve(handle, cameos)
        if cameo is not None and cameo not in mentioned:
            mentioned.append(cameo)
    if len(mentioned) > MAX_CAMEOS_PER_CLIP:
        raise DomainError(
            f"A clip can have at most {MAX_CAMEOS_PER_CLIP} cameos.",
            fields={"prompt": [f"At most {MAX_CAMEOS_PER_CLIP} cameos per clip."]},
        )
    for cameo in mentioned:
        refusal = cameo_refusal(cameo=cameo, requester=requester)
        if refusal:
            by_permission = cameo.status == CameoStatus.APPROVED
            raise CameoRefused(refusal, cameo=cameo, by_permission=by_permission)
    return mentioned


def published_video_ids_with_cameo(*, cameo: Cameo) -> list[int]:
    """The visible clips that used this cameo."""
    usages = CameoUsage.objects.filter(cameo=cameo, job__video__status=VideoStatus.VISIBLE)
    return list(usages.values_list("job__video__pk", flat=True).distinct())


def cameos_of(*, owner: User) -> QuerySet[Cameo]:
    return Cameo.objects.filter(owner=owner).order_by("kind", "created_at")


def cameo_get_for_owner(*, owner: Any, cameo_id: int) -> Cameo:
    cameo = Cameo.objects.filter(pk=cameo_id, owner_id=getattr(owner, "pk", None)).first()
    if cameo is None:
        raise NotFound("No such cameo.")
    return cameo


def usages_for_owner(*, cameo: Cameo) -> list[CameoUsage]:
    """Every clip that used the cameo, other people's drafts included."""
    return list(
        CameoUsage.objects.filter(cameo=cameo, deleted_by_owner_at__isnull=True)
        .select_related("requester", "job", "job__video")
        .order_by("-created_at")
    )


def usage_get_for_owner(*, owner: Any, usage_id: int) -> CameoUsage:
    usage = (
        CameoUsage.objects.select_related("cameo", "job", "requester")
        .filter(pk=usage_id, cameo__owner_id=getattr(owner, "pk", None))
        .first()
    )
    if usage is None:
        raise NotFound("No such clip.")
    return usage


def attempt_get_for_owner(*, owner: Any, attempt_id: int) -> VerificationAttempt:
    attempt = (
        VerificationAttempt.objects.select_related("cameo")
        .filter(pk=attempt_id, cameo__owner_id=getattr(owner, "pk", None))
        .first()
    )
    if attempt is None:
        raise NotFound("No such verification.")
    return attempt


def job_visible_to_cameo_owner(*, user: Any, job_id: Any) -> bool:
    """Cameo owners may watch every clip that used their cameo, drafts included."""
    if not getattr(user, "is_authenticated", False):
        return False
    return CameoUsage.objects.filter(
        job_id=job_id, cameo__owner=user, deleted_by_owner_at__isnull=True
    ).exists()


def verification_file_for_moderator(*, user: Any, attempt_id: int, what: str) -> str:
    """The stored name of a verification recording or portrait — for moderators only; anyone
    else gets the same NotFound as a missing file."""
    allowed = (
        getattr(user, "is_authenticated", False)
        and user.is_staff
        and user.has_perm("likeness.view_verificationattempt")
    )
    attempt = (
        VerificationAttempt.objects.select_related("cameo").filter(pk=attempt_id).first()
        if allowed and what in {"clip", "portrait"}
        else None
    )
    name = ""
    if attempt is not None:
        name = attempt.clip.name if what == "clip" else attempt.cameo.portrait.name
    if not name:
        raise NotFound("No such file.")
    return name


def portrait_array(*, cameo: Cameo) -> Any:
    """The reference portrait as an RGB numpy array, for the local renderer to composite."""
    if not cameo.portrait:
        return None
    with private_storage().open(cameo.portrait.name) as handle:
        return np.asarray(Image.open(io.BytesIO(handle.read())).convert("RGB"))


def verification_retry_at(*, cameo: Cameo, latest: VerificationAttempt | None) -> datetime | None:
    """When the owner may record again: None while that is not possible at all (a recording
    in checks, waiting for a moderator after passing, already verified or revoked), else the
    time from which a new challenge is given (in the past: now).

    Automatic checks that failed or were uncertain allow a new recording after a short
    cool-down, without waiting for a moderator; a moderator's rejection after a long one.
    """
    if cameo.status in (CameoStatus.APPROVED, CameoStatus.REVOKED, CameoStatus.CHECKING):
        return None
    if cameo.status == CameoStatus.PENDING_REVIEW:
        if latest is None or latest.verdict not in ("fail", "uncertain") or not latest.checked_at:
            return None
        return latest.checked_at + settings.CAMEO_RECHECK_COOLDOWN
    if cameo.rejected_at:
        return cameo.rejected_at + settings.CAMEO_RETRY_COOLDOWN
    return timezone.now()
