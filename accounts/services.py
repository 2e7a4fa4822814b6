"""Writes for accounts: sign-up, API tokens, and the per-user live event channel."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.handles import handle_lookalike_of
from accounts.models import Block, Follow, Mute, User
from accounts.selectors import blocked_between
from config.errors import DomainError

logger = logging.getLogger(__name__)


def user_group_name(user_id: int) -> str:
    """The channel-layer group every open tab of one user joins."""
    return f"user-{user_id}"


def user_create(*, handle: str, password: str, email: str = "", display_name: str = "") -> User:
    imitated = handle_lookalike_of(handle=handle)
    if imitated:
        message = _("That handle looks too much like @%(handle)s. Choose another.") % {
            "handle": imitated
        }
        raise DomainError(message, code="lookalike_handle", fields={"handle": [message]})
    user = User(username=handle.lower(), email=email, display_name=display_name)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


class _PushLoop:
    """One long-lived event loop per worker process for channel-layer sends.

    `async_to_sync` outside an ASGI server makes a new thread, event loop and Redis connection
    per call (~3 ms of CPU); a worker pushes several events per job, so it keeps one loop (and
    the layer's connection pool on it) instead. Web processes keep using `async_to_sync`, which
    there runs on the server's own loop."""

    def __init__(self) -> None:
        self.enabled = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pid = 0
        self.lock = threading.Lock()

    def get(self) -> asyncio.AbstractEventLoop | None:
        if not self.enabled:
            return None
        with self.lock:
            if self.loop is None or self.pid != os.getpid():  # a forked child starts its own
                self.loop = asyncio.new_event_loop()
                self.pid = os.getpid()
                threading.Thread(
                    target=self.loop.run_forever, name="event-push-loop", daemon=True
                ).start()
            return self.loop


push_loop = _PushLoop()


def user_event_send_now(*, user_id: int, event: dict[str, Any]) -> None:
    """Push an event to every open websocket of the user, across all web processes."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "user.event", "event": event}
    try:
        loop = push_loop.get()
        if loop is not None:
            send = layer.group_send(user_group_name(user_id), message)
            asyncio.run_coroutine_threadsafe(send, loop).result(timeout=5)
        else:
            async_to_sync(layer.group_send)(user_group_name(user_id), message)
    except Exception:  # a lost live update must never break the write that caused it
        logger.warning("could not push event to user %s", user_id, exc_info=True)


def user_event_send(*, user_id: int, event: dict[str, Any]) -> None:
    """Push after the surrounding transaction commits, so clients never see uncommitted state."""
    transaction.on_commit(lambda: user_event_send_now(user_id=user_id, event=event))


# --- Follows and notifications -------------------------------------------------------------


def follow_set(*, follower: User, followee: User, following: bool) -> bool:
    """Follow or unfollow; repeating either is harmless. Returns whether follower now follows."""
    from accounts.models import NotificationKind

    if follower.pk == followee.pk:
        raise DomainError("You can't follow yourself.", code="follow_self")
    if following and blocked_between(a_id=follower.pk, b_id=followee.pk):
        raise DomainError(_("You can't follow this person."), code="blocked")
    if not following:
        Follow.objects.filter(follower=follower, followee=followee).delete()
        return False
    try:
        with transaction.atomic():
            Follow.objects.create(follower=follower, followee=followee)
    except IntegrityError:
        return True  # already following
    notify(recipient=followee, actor=follower, kind=NotificationKind.FOLLOW)
    return True


def block_set(*, blocker: User, blocked: User, blocking: bool) -> bool:
    """Block or unblock; repeating either is harmless. Blocking also ends follows both ways, so
    unblocking later does not silently bring back someone's clips. Returns whether blocker now
    blocks blocked."""
    if blocker.pk == blocked.pk:
        raise DomainError(_("You can't block yourself."), code="block_self")
    if not blocking:
        Block.objects.filter(blocker=blocker, blocked=blocked).delete()
        return False
    with transaction.atomic():
        Block.objects.get_or_create(blocker=blocker, blocked=blocked)
        Follow.objects.filter(
            Q(follower=blocker, followee=blocked) | Q(follower=blocked, followee=blocker)
        ).delete()
    return True


def mute_set(*, muter: User, muted: User, muting: bool) -> bool:
    """Mute or unmute: a muted person's clips leave the muter's feeds, nothing else changes."""
    if muter.pk == muted.pk:
        raise DomainError(_("You can't mute yourself."), code="mute_self")
    if not muting:
        Mute.objects.filter(muter=muter, muted=muted).delete()
        return False
    Mute.objects.get_or_create(muter=muter, muted=muted)
    return True


def notify(
    *,
    recipient: User,
    actor: User,
    kind: str,
    video: Any | None = None,
    comment: Any | None = None,
    text: str = "",
    once: bool = False,
) -> None:
    """Store a notification and push it live to every open tab of the recipient. With `once`,
    an actor who already caused this notification (liked, unliked, liked again) causes no
    second one."""
    from accounts.models import Notification

    if recipient.pk == actor.pk:
        return
    if blocked_between(a_id=recipient.pk, b_id=actor.pk):
        return  # people who blocked each other hear nothing of each other
    if (
        once
        and Notification.objects.filter(
            recipient=recipient, actor=actor, kind=kind, video=video, comment=comment
        ).exists()
    ):
        return
    notification = Notification.objects.create(
        recipient=recipient, actor=actor, kind=kind, video=video, comment=comment, text=text
    )

    def push() -> None:
        from accounts.selectors import notification_text, notifications_unread_count

        user_event_send_now(
            user_id=recipient.pk,
            event={
                "type": "notification",
                "kind": kind,
                "id": notification.pk,
                "text": text or notification_text(kind=kind, actors=[actor.username], others=0),
                "video": video.pk if video is not None else None,
                "unread": notifications_unread_count(user=recipient),
            },
        )

    transaction.on_commit(push)


def user_warn(*, user: User) -> None:
    """Count a moderator's warning."""
    User.objects.filter(pk=user.pk).update(warning_count=F("warning_count") + 1)


def user_set_banned(*, user: User, banned: bool) -> None:
    """A ban (is_active = False): log-in refused, sessions and tokens stop working, and every
    list that shows people's content leaves theirs out. Unbanning undoes it."""
    if banned:
        User.objects.filter(pk=user.pk).update(is_active=False, banned_at=timezone.now())
    else:
        User.objects.filter(pk=user.pk).update(is_active=True, banned_at=None)


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark some (or all) of the user's notifications read; returns how many changed."""
    from django.utils import timezone

    from accounts.models import Notification

    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    changed = unread.update(read_at=timezone.now())
    if changed:
        user_event_send(user_id=user.pk, event={"type": "notifications.read", "unread": 0})
    return changed


# --- Profiles --------------------------------------------------------------------------------


def profile_update(*, user: User, display_name: str | None = None, bio: str | None = None) -> User:
    fields: dict[str, list[str]] = {}
    if bio is not None and len(bio) > 300:
        fields["bio"] = ["A bio is at most 300 characters."]
    if display_name is not None and len(display_name) > 60:
        fields["display_name"] = ["A name is at most 60 characters."]
    if fields:
        raise DomainError("Invalid input.", fields=fields)
    if bio is not None:
        user.bio = bio.strip()
    if display_name is not None:
        user.display_name = display_name.strip()
    user.save(update_fields=["bio", "display_name"])
    return user


def avatar_set(*, user: User, upload: Any) -> User:
    """Validate an uploaded image, re-encode it square at 256 and 64 px, and store both.

    The original bytes are never stored or served: only what Pillow re-encoded."""
    import secrets

    from django.core.files.base import ContentFile

    from config.storage import public_storage
    from config.uploads import square_jpeg_variants, validated_image

    image = validated_image(upload, field="avatar")
    variants = square_jpeg_variants(image, sizes=(256, 64))
    storage = public_storage()
    token = secrets.token_hex(8)
    old = [name for name in (user.avatar, user.avatar_small) if name]
    user.avatar = storage.save(f"avatars/{user.pk}/{token}-256.jpg", ContentFile(variants[256]))
    user.avatar_small = storage.save(f"avatars/{user.pk}/{token}-64.jpg", ContentFile(variants[64]))
    user.save(update_fields=["avatar", "avatar_small"])
    for name in old:
        storage.delete(name)
    return user
