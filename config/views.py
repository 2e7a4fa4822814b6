"""Operational endpoints, the web app manifest and the error pages."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.defaults import bad_request as default_bad_request
from django.views.defaults import page_not_found, permission_denied
from django.views.defaults import server_error as default_server_error


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404s under /api/ answer in the API's JSON error shape; pages keep the HTML one."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return page_not_found(request, exception or Http404())


TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django answers a body over the upload limits with a 400 through here: make it the 413 it
    is (JSON under /api/, where every error is JSON)."""
    too_large = isinstance(exception, TOO_LARGE)
    if request.path.startswith("/api/"):
        if too_large:
            return JsonResponse(
                {"detail": _("The request body is too large."), "code": "too_large"}, status=413
            )
        return JsonResponse({"detail": _("Bad request."), "code": "bad_request"}, status=400)
    response = default_bad_request(request, exception or Exception())
    if too_large:
        response.status_code = 413
    return response


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("You may not do that."), "code": "permission_denied"}, status=403
        )
    return permission_denied(request, exception or PermissionError())


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Something went wrong on our side."), "code": "server_error"}, status=500
        )
    return default_server_error(request)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers (and the feed benchmark's hello-JSON baseline): no I/O."""
    return JsonResponse({"ok": True})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says."""
    return redirect(static("icons/favicon.ico"), permanent=True)


def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest (installable on phones), in the viewer's language."""
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    icons.append(
        {
            "src": static("icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    )
    icons.append({"src": static("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"})
    response = JsonResponse(
        {
            "name": "Reverie",
            "short_name": "Reverie",
            "description": _("Short AI-generated clips: watch, create, remix."),
            "start_url": reverse("feed:home"),
            "scope": "/",
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#0b0b10",
            "theme_color": "#0b0b10",
            "icons": icons,
        }
    )
    response["Content-Type"] = "application/manifest+json"
    return response
