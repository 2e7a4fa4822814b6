"""Template context for every page: the notification bell's unread count (one query)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.selectors import notifications_unread_count


def notification_bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": notifications_unread_count(user=user)}
