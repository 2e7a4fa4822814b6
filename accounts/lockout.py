"""How django-axes sees our two log-in doors (the web form and POST /api/v1/auth/token): who is
trying (the @handle, case-insensitive) and what a locked-out caller is told (429 + Retry-After,
JSON under /api/, the log-in page otherwise). Failures are counted in the database, so the
lockout holds through a Redis outage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.forms import LoginForm


def login_handle(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The handle being tried, lowercased: @Alice and @alice are one account, so one count."""
    handle = (credentials or {}).get("username")
    if handle is None and request is not None and request.method == "POST":
        handle = request.POST.get("username")
    if not isinstance(handle, str):
        return None
    return handle.strip().lower()


def locked_out_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    retry_after = str(settings.LOGIN_FAILURE_WINDOW_SECONDS)
    message = _("Too many failed attempts. Try again in a few minutes.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    else:
        form = LoginForm(request)
        response = render(
            request, "accounts/login.html", {"form": form, "throttled": message}, status=429
        )
    response["Retry-After"] = retry_after
    return response


def failure_limit(request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
    # Read per request, so tests and operators can change the setting without a restart.
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request: HttpRequest | None = None) -> timedelta:
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
