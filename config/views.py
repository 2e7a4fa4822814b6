"""Operational endpoints."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers (and the feed benchmark's hello-JSON baseline): no I/O."""
    return JsonResponse({"ok": True})
