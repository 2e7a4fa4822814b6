"""Reads for accounts: profiles with their counts, follow state, grouped notifications."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy, ngettext_lazy

from accounts.models import Block, Follow, Mute, Notification, NotificationKind, User
from config.errors import NotFound

# Whole sentences per kind and shape (one actor, two, one and N others), so every language can
# agree its verb with the people who did it.
ONE_ACTOR = {
    NotificationKind.LIKE: gettext_lazy("%(name)s liked your clip"),
    NotificationKind.COMMENT: gettext_lazy("%(name)s commented on your clip"),
    NotificationKind.REPLY: gettext_lazy("%(name)s replied to your comment"),
    NotificationKind.MENTION: gettext_lazy("%(name)s mentioned you in a comment"),
    NotificationKind.FOLLOW: gettext_lazy("%(name)s followed you"),
    NotificationKind.REMIX: gettext_lazy("%(name)s remixed your clip"),
}
TWO_ACTORS = {
    NotificationKind.LIKE: gettext_lazy("%(name)s and %(other)s liked your clip"),
    NotificationKind.COMMENT: gettext_lazy("%(name)s and %(other)s commented on your clip"),
    NotificationKind.REPLY: gettext_lazy("%(name)s and %(other)s replied to your comment"),
    NotificationKind.MENTION: gettext_lazy("%(name)s and %(other)s mentioned you in a comment"),
    NotificationKind.FOLLOW: gettext_lazy("%(name)s and %(other)s followed you"),
    NotificationKind.REMIX: gettext_lazy("%(name)s and %(other)s remixed your clip"),
}
WITH_OTHERS = {
    NotificationKind.LIKE: ngettext_lazy(
        "%(name)s and %(count)s other liked your clip",
        "%(name)s and %(count)s others liked your clip",
        "count",
    ),
    NotificationKind.COMMENT: ngettext_lazy(
        "%(name)s and %(count)s other commented on your clip",
        "%(name)s and %(count)s others commented on your clip",
        "count",
    ),
    NotificationKind.REPLY: ngettext_lazy(
        "%(name)s and %(count)s other replied to your comment",
        "%(name)s and %(count)s others replied to your comment",
        "count",
    ),
    NotificationKind.MENTION: ngettext_lazy(
        "%(name)s and %(count)s other mentioned you in a comment",
        "%(name)s and %(count)s others mentioned you in a comment",
        "count",
    ),
    NotificationKind.FOLLOW: ngettext_lazy(
        "%(name)s and %(count)s other followed you",
        "%(name)s and %(count)s others followed you",
        "count",
    ),
    NotificationKind.REMIX: ngettext_lazy(
        "%(name)s and %(count)s other remixed your clip",
        "%(name)s and %(count)s others remixed your clip",
        "count",
    ),
}
# Kinds whose events on the same clip fold into one line; mentions and replies stay separate
# because each carries its own text.
GROUPED_KINDS = {NotificationKind.LIKE, NotificationKind.COMMENT, NotificationKind.REMIX,
                 NotificationKind.FOLLOW}  # fmt: skip


def _count_subquery(queryset: Any, column: str) -> Subquery:
    return Subquery(
        queryset.values(column).annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )


T = TypeVar("T")
# The one way an @handle is found in text (comments mention people, prompts mention cameos).
MENTION_RE = re.compile(r"(?<![\w@])@([a-z0-9_.]{3,30})", re.IGNORECASE)


def mentioned_handles(text: str) -> list[str]:
    """Every @handle in a text, lowercased, in order of appearance, once each."""
    return list(dict.fromkeys(match.lower() for match in MENTION_RE.findall(text)))


def handle_lookup_keys(handles: Iterable[str]) -> set[str]:
    """What to look up for these mentions: each handle, and each without a trailing dot."""
    handles = set(handles)
    return handles | {handle.rstrip(".") for handle in handles}


def handle_resolve(handle: str, known: Mapping[str, T]) -> T | None:
    """ "@sam." at the end of a sentence means @sam, unless a handle "sam." exists."""
    found = known.get(handle)
    return found if found is not None else known.get(handle.rstrip("."))


def can_moderate(user: Any) -> bool:
    """The one rule for "is this person a moderator": active staff holding the moderation
    permission (the Moderators group gives it; superusers have every permission)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("feed.add_moderationaction")
    )


def _visible_to(viewer: Any) -> Any:
    """People, less those who blocked this viewer (who do not exist for them)."""
    people = User.objects.filter(is_active=True)
    if getattr(viewer, "is_authenticated", False):
        people = people.exclude(blocks_made__blocked_id=viewer.pk)
    return people


def profile_get(*, handle: str, viewer: Any = None) -> User:
    """A user with follower/following/clip/like counts and, for a signed-in viewer, whether the
    viewer blocks or mutes them (`blocking`, `muting`), in one query. Someone who blocked the
    viewer is "no such user"."""
    from feed.models import Video, VideoStatus

    visible = Video.objects.filter(creator=OuterRef("pk"), status=VideoStatus.VISIBLE)
    people = _visible_to(viewer)
    if getattr(viewer, "is_authenticated", False):
        people = people.annotate(
            blocking=Exists(Block.objects.filter(blocker_id=viewer.pk, blocked_id=OuterRef("pk"))),
            muting=Exists(Mute.objects.filter(muter_id=viewer.pk, muted_id=OuterRef("pk"))),
        )
    user = (
        people.filter(username__iexact=handle)
        .annotate(
            followers=Coalesce(
                _count_subquery(Follow.objects.filter(followee=OuterRef("pk")), "followee"),
                Value(0),
            ),
            following=Coalesce(
                _count_subquery(Follow.objects.filter(follower=OuterRef("pk")), "follower"),
                Value(0),
            ),
            clips=Coalesce(_count_subquery(visible, "creator"), Value(0)),
            likes_received=Coalesce(
                Subquery(
                    visible.values("creator").annotate(n=Sum("like_count")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        )
        .first()
    )
    if user is None:
        raise NotFound("No such user.")
    return user


def user_get_by_handle(*, handle: str, viewer: Any = None) -> User:
    """An active user by handle; with a viewer, not someone who blocked them."""
    user = _visible_to(viewer).filter(username__iexact=handle).first()
    if user is None:
        raise NotFound("No such user.")
    return user


def is_following(*, follower: Any, followee: User) -> bool:
    if not follower.is_authenticated:
        return False
    return Follow.objects.filter(follower=follower, followee=followee).exists()


def notifications_unread_count(*, user: Any) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_text(*, kind: str, actors: list[str], others: int) -> str:
    """ "@dan and 3 others liked your clip", in the current language."""
    name = f"@{actors[0]}"
    if kind not in ONE_ACTOR:
        return f"{name} {NotificationKind(kind).label if kind in NotificationKind.values else kind}"
    if others:
        return WITH_OTHERS[kind] % {"name": name, "count": others}
    if len(actors) >= 2:
        return TWO_ACTORS[kind] % {"name": name, "other": f"@{actors[1]}"}
    return ONE_ACTOR[kind] % {"name": name}


@dataclass
class NotificationGroup:
    kind: str
    text: str
    latest_at: datetime
    unread: bool
    video_id: int | None
    video_poster: str | None
    comment_excerpt: str | None
    ids: list[int] = field(default_factory=list)


def notifications_grouped(*, user: User, limit: int = 200) -> list[NotificationGroup]:
    """The newest notifications, folded: "@a and 3 others liked your clip". One query."""
    rows = list(
        Notification.objects.filter(recipient=user)
        .select_related("actor", "video", "comment")
        .order_by("-created_at", "-id")[:limit]
    )
    groups: dict[tuple[Any, ...], list[Notification]] = {}
    for row in rows:
        key: tuple[Any, ...] = (
            (row.kind, row.video_id) if row.kind in GROUPED_KINDS else (row.kind, row.pk)
        )
        groups.setdefault(key, []).append(row)
    result: list[NotificationGroup] = []
    for members in groups.values():
        first = members[0]
        actors: list[str] = []
        for member in members:
            if member.actor.username not in actors:
                actors.append(member.actor.username)
        shown = actors[:2] if len(actors) <= 2 else actors[:1]
        result.append(
            NotificationGroup(
                kind=first.kind,
                text=first.text
                or notification_text(
                    kind=first.kind, actors=shown, others=len(actors) - len(shown)
                ),
                latest_at=first.created_at,
                unread=any(member.read_at is None for member in members),
                video_id=first.video_id,
                video_poster=first.video.poster.url if first.video else None,
                comment_excerpt=(first.comment.body[:120] if first.comment else None),
                ids=[member.pk for member in members],
            )
        )
    result.sort(key=lambda group: group.latest_at, reverse=True)
    return result


# --- Blocks and mutes ----------------------------------------------------------------------


def blocked_between(*, a_id: int, b_id: int) -> bool:
    """Whether either of two people blocked the other (one query)."""
    return Block.objects.filter(
        Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)
    ).exists()


def blocked_q(*, viewer: Any, field: str, mutes: bool = False) -> Q:
    """A filter matching rows whose `field` (a user id column: "creator_id", "author_id") is
    someone the viewer blocked or was blocked by, and with `mutes` someone the viewer muted.
    Subqueries only: a list filtered by it costs no query more. Matches nothing for a visitor."""
    if not getattr(viewer, "is_authenticated", False):
        return Q(pk__in=[])
    lookup = f"{field}__in"
    q = Q(**{lookup: Block.objects.filter(blocker_id=viewer.pk).values("blocked_id")}) | Q(
        **{lookup: Block.objects.filter(blocked_id=viewer.pk).values("blocker_id")}
    )
    if mutes:
        q |= Q(**{lookup: Mute.objects.filter(muter_id=viewer.pk).values("muted_id")})
    return q


def hidden_creator_ids(*, viewer: Any) -> set[int]:
    """Creators whose clips leave this viewer's feeds (blocked either way, or muted), as a set
    for ranking in Python: one query for a signed-in viewer, none for a visitor."""
    if not getattr(viewer, "is_authenticated", False):
        return set()
    hidden = User.objects.filter(blocked_q(viewer=viewer, field="pk", mutes=True))
    return set(hidden.values_list("pk", flat=True))


def blocks_of(*, user: User) -> list[Block]:
    """The people this user blocked, newest first, for the settings page."""
    return list(Block.objects.filter(blocker=user).select_related("blocked").order_by("-id"))


def mutes_of(*, user: User) -> list[Mute]:
    return list(Mute.objects.filter(muter=user).select_related("muted").order_by("-id"))
