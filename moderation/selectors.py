"""Reads for output moderation: the flagged-output queue and its files, for moderators only."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from config.errors import NotFound
from moderation.models import FlaggedFrame, FlaggedOutput, FlagStatus


def flagged_queue() -> QuerySet[FlaggedOutput]:
    """Every flagged output, pending first and oldest first, with what a row shows."""
    return (
        FlaggedOutput.objects.select_related("job", "job__owner", "decided_by")
        .prefetch_related(Prefetch("frames", queryset=FlaggedFrame.objects.order_by("at_seconds")))
        .annotate(
            pending_first=Case(
                When(status=FlagStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pending_first", "created_at", "id")
    )


def flagged_file_for_moderator(*, user: Any, flagged_id: int, what: str) -> str:
    """The stored name of a held clip, its poster or one of its frames ("frame-<id>"), for
    moderators only; anyone else gets the same NotFound as a missing file."""
    allowed = (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm("moderation.view_flaggedoutput")
    )
    name = ""
    if allowed:
        if what in {"clip", "poster"}:
            flagged = FlaggedOutput.objects.filter(pk=flagged_id).first()
            if flagged is not None:
                name = (flagged.video_file if what == "clip" else flagged.poster_file).name
        elif what.startswith("frame-") and what[6:].isdigit():
            frame = FlaggedFrame.objects.filter(pk=int(what[6:]), flagged_id=flagged_id).first()
            name = frame.image.name if frame is not None else ""
    if not name:
        raise NotFound("No such file.")
    return name
