"""Writes for accounts: sign-up, API tokens, and the per-user live event channel."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import User

logger = logging.getLogger(__name__)


def user_group_name(user_id: int) -> str:
    """The channel-layer group every open tab of one user joins."""
    return f"user-{user_id}"


def user_create(*, handle: str, password: str, email: str = "", display_name: str = "") -> User:
    user = User(username=handle.lower(), email=email, display_name=display_name)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def api_token_get_or_create(*, user: User) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def user_event_send_now(*, user_id: int, event: dict[str, Any]) -> None:
    """Push an event to every open websocket of the user, across all web processes."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            user_group_name(user_id), {"type": "user.event", "event": event}
        )
    except Exception:  # a lost live update must never break the write that caused it
        logger.warning("could not push event to user %s", user_id, exc_info=True)


def user_event_send(*, user_id: int, event: dict[str, Any]) -> None:
    """Push after the surrounding transaction commits, so clients never see uncommitted state."""
    transaction.on_commit(lambda: user_event_send_now(user_id=user_id, event=event))
