"""API tokens: random secrets stored only as SHA-256 digests, with an expiry, listed and
revocable by their owner. A token is shown once, when it is made.

SHA-256 (not a slow password hash) is enough here: the secret is 32 random bytes, so there is
nothing to brute-force, and authenticating a request stays one indexed look-up."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from config.errors import DomainError, NotFound

TOKEN_PREFIX = "rvr_"
MAX_TOKEN_DAYS = 3650
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_PRECISION = timedelta(minutes=5)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(
    *, user: User, name: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """Make a token; returns (row, secret). `days` None uses API_TOKEN_TTL_DAYS; 0 never expires."""
    if days is None:
        days = settings.API_TOKEN_TTL_DAYS
    if not 0 <= days <= MAX_TOKEN_DAYS:
        message = _("Choose between 0 (never expires) and %(max)d days.") % {"max": MAX_TOKEN_DAYS}
        raise DomainError(message, fields={"expires_in_days": [message]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:60],
        prefix=secret[:10],
        digest=token_digest(secret),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    return token, secret


def api_token_authenticate(*, secret: str) -> tuple[User, ApiToken] | None:
    """The user a secret belongs to, if it is known, unexpired and its owner may log in."""
    now = timezone.now()
    # One indexed look-up by digest; the expiry is checked here rather than in SQL, which keeps
    # the query (and its compilation, most of the cost) as small as a primary-key get.
    rows = ApiToken.objects.select_related("user").filter(digest=token_digest(secret)).order_by()
    found = list(rows[:1])
    token = found[0] if found else None
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    user = token.user
    if not user.is_active or user.deleted_at is not None or user.deletion_requested_at:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user, token


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_revoke(*, user: User, token_id: int) -> None:
    """Delete one of the user's tokens; someone else's (or a missing one) is a 404."""
    deleted, _count = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFound(_("No such token."))


def api_tokens_revoke_all(*, user: User) -> int:
    deleted, _count = ApiToken.objects.filter(user=user).delete()
    return deleted


def api_tokens_purge_expired() -> int:
    deleted, _count = ApiToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
