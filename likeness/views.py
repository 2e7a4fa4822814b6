"""Cameo pages: "My cameos" (settings, every clip that used them, revoke, delete), the
verification recorder, and moderator-only access to verification media."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from config.errors import NotFound
from config.media import stored_file_response
from config.storage import private_storage
from likeness import selectors
from likeness.models import CameoKind, CameoPermissionLevel
from likeness.serializers import AttemptSerializer, CameoSerializer, UsageSerializer


@login_required
def my_cameos_page(request: HttpRequest) -> HttpResponse:
    cameos = list(selectors.cameos_of(owner=request.user))
    items = [
        {
            "cameo": CameoSerializer(cameo).data,
            "usages": UsageSerializer(selectors.usages_for_owner(cameo=cameo), many=True).data,
        }
        for cameo in cameos
    ]
    return render(
        request,
        "likeness/my_cameos.html",
        {
            "items": items,
            "kinds": CameoKind.choices,
            "levels": CameoPermissionLevel.choices,
            "has_person": any(c.kind == CameoKind.PERSON for c in cameos),
        },
    )


@login_required
def verify_page(request: HttpRequest, cameo_id: int) -> HttpResponse:
    try:
        cameo = selectors.cameo_get_for_owner(owner=request.user, cameo_id=cameo_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    latest = cameo.attempts.order_by("-created_at").first()
    return render(
        request,
        "likeness/verify.html",
        {
            "cameo": cameo,
            "attempt": AttemptSerializer(latest).data if latest else None,
        },
    )


def verification_media(request: HttpRequest, attempt_id: int, what: str) -> HttpResponse:
    """Verification recordings and portraits: moderators only (owners never need them back)."""
    try:
        name = selectors.verification_file_for_moderator(
            user=request.user, attempt_id=attempt_id, what=what
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return stored_file_response(request, private_storage(), name, private=True)
