"""Moderation services: every action on a clip or a person goes through `moderation_act`, which
does it, records who/when/why, resolves the clip's open reports and tells the people concerned.

(Kept beside feed/services.py rather than in it: it is the moderators' door, audited as a whole.)
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import NotificationKind, User
from accounts.selectors import can_moderate
from accounts.services import notify, user_set_banned, user_warn
from config.errors import DomainError, Forbidden
from feed.models import (
    ModerationAction,
    ModerationActionKind,
    Report,
    Video,
    VideoStatus,
)
from feed.services import candidate_pools_forget

VIDEO_ACTIONS = {
    ModerationActionKind.HIDE_VIDEO,
    ModerationActionKind.REMOVE_VIDEO,
    ModerationActionKind.RESTORE_VIDEO,
    ModerationActionKind.DISMISS,
}
USER_ACTIONS = {
    ModerationActionKind.WARN_USER,
    ModerationActionKind.BAN_USER,
    ModerationActionKind.UNBAN_USER,
}
REPORT_OUTCOMES = {
    ModerationActionKind.HIDE_VIDEO: ("clip_hidden", "was hidden"),
    ModerationActionKind.REMOVE_VIDEO: ("clip_removed", "was removed"),
    ModerationActionKind.DISMISS: ("dismissed", "was reviewed and left up"),
    ModerationActionKind.WARN_USER: ("user_warned", "led to a warning for its creator"),
    ModerationActionKind.BAN_USER: ("user_banned", "led to its creator being banned"),
}


@transaction.atomic
def moderation_act(
    *,
    moderator: User,
    action: str,
    reason: str,
    video: Video | None = None,
    user: User | None = None,
) -> ModerationAction:
    """Hide, remove or restore a clip, dismiss its reports, or warn, ban or unban a person."""
    if not can_moderate(moderator):
        raise Forbidden("Only moderators can do that.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why.", fields={"reason": ["Say why."]})
    action = ModerationActionKind(action)
    if action in VIDEO_ACTIONS and video is None:
        raise DomainError("That action needs a clip.")
    if action in USER_ACTIONS and user is None:
        user = video.creator if video is not None else None
        if user is None:
            raise DomainError("That action needs a person.")
    if user is not None and user.pk == moderator.pk:
        raise Forbidden("You can't moderate yourself.")

    if action == ModerationActionKind.HIDE_VIDEO:
        Video.objects.filter(pk=video.pk).update(status=VideoStatus.HIDDEN)
        notify(recipient=video.creator, actor=moderator, kind=NotificationKind.MODERATION,
               video=video, text=f"Your clip was hidden by a moderator: {reason}")  # fmt: skip
    elif action == ModerationActionKind.REMOVE_VIDEO:
        Video.objects.filter(pk=video.pk).update(status=VideoStatus.REMOVED)
        notify(recipient=video.creator, actor=moderator, kind=NotificationKind.MODERATION,
               video=video, text=f"Your clip was removed by a moderator: {reason}")  # fmt: skip
    elif action == ModerationActionKind.RESTORE_VIDEO:
        Video.objects.filter(pk=video.pk).update(status=VideoStatus.VISIBLE)
    elif action == ModerationActionKind.WARN_USER:
        user_warn(user=user)
        notify(recipient=user, actor=moderator, kind=NotificationKind.MODERATION,
               text=f"A moderator warned you: {reason}")  # fmt: skip
    elif action == ModerationActionKind.BAN_USER:
        user_set_banned(user=user, banned=True)
    elif action == ModerationActionKind.UNBAN_USER:
        user_set_banned(user=user, banned=False)

    changed = [video.pk] if video is not None else []
    if user is not None:  # a ban or unban changes every clip of theirs
        changed += list(Video.objects.filter(creator=user).values_list("pk", flat=True)[:1000])
    transaction.on_commit(lambda: candidate_pools_forget(*changed))
    resolved = 0
    if video is not None and action in REPORT_OUTCOMES:
        outcome, verb = REPORT_OUTCOMES[action]
        open_reports = list(
            Report.objects.filter(video=video, resolved_at__isnull=True).select_related("reporter")
        )
        Report.objects.filter(pk__in=[r.pk for r in open_reports]).update(
            resolved_at=timezone.now(), outcome=outcome
        )
        for report in open_reports:
            notify(recipient=report.reporter, actor=moderator,
                   kind=NotificationKind.REPORT_OUTCOME, video=video,
                   text=f"Thanks for your report: the clip {verb}.")  # fmt: skip
        resolved = len(open_reports)
    return ModerationAction.objects.create(
        moderator=moderator,
        action=action,
        video=video,
        target_user=user,
        reason=reason[:500],
        reports_resolved=resolved,
    )
