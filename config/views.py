"""Operational endpoints."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404s under /api/ answer in the API's JSON error shape; pages keep the HTML one."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return page_not_found(request, exception or Http404())


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers (and the feed benchmark's hello-JSON baseline): no I/O."""
    return JsonResponse({"ok": True})
