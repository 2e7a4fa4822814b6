"""The log-in backend: handles, and sessions that stop at an account deletion request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class HandleBackend(ModelBackend):
    """Django's model backend, except that a session (or websocket) of someone who asked to
    delete their account, or whose account was erased, no longer logs them in. A password
    log-in still works during the grace period: the log-in doors then cancel the deletion."""

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "deleted_at", None) is None

    def get_user(self, user_id: Any) -> Any:
        user = super().get_user(user_id)
        if user is not None and user.deletion_requested_at is not None:
            return None
        return user
