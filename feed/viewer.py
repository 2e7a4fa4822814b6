"""Who is watching: a stable key per viewer for the seen set and view rate limits."""

from __future__ import annotations

import re
import secrets

from django.http import HttpRequest, HttpResponse

ANON_COOKIE = "reverie_aid"
ANON_RE = re.compile(r"^[0-9a-f]{32}$")


def viewer_key(request: HttpRequest) -> tuple[str, str | None]:
    """(key, new anonymous id to set as a cookie or None)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}", None
    existing = request.COOKIES.get(ANON_COOKIE, "")
    if ANON_RE.match(existing):
        return f"a{existing}", None
    fresh = secrets.token_hex(16)
    return f"a{fresh}", fresh


def remember_anonymous(response: HttpResponse, new_id: str | None) -> HttpResponse:
    if new_id:
        response.set_cookie(
            ANON_COOKIE, new_id, max_age=365 * 24 * 3600, httponly=True, samesite="Lax"
        )
    return response
