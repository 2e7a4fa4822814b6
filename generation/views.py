"""Generation pages: the create page, the drafts page, and authorization-checked draft media."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.api_errors import http_status_for
from config.errors import DomainError, NotFound
from config.media import media_viewer, stored_file_response
from config.storage import private_storage
from config.throttling import RateLimited, throttled_before_body
from feed.selectors import video_get_visible
from generation import selectors
from generation.models import Aspect
from generation.serializers import JobSerializer

DRAFT_FILES = {"clip.mp4": "video_file", "poster.jpg": "poster_file"}


@login_required
def create_page(request: HttpRequest) -> HttpResponse:
    """The create page; `?remix_of=<clip>` prefills the original's prompt, seed and shape."""
    prefill = {
        "prompt": request.GET.get("prompt", "")[: settings.GENERATION_MAX_PROMPT_CHARS],
        "seconds": request.GET.get("seconds", "6"),
        "seed": request.GET.get("seed", ""),
        "aspect": "9:16",
    }
    remix_source = None
    if request.GET.get("remix_of", "").isdigit():
        try:
            remix_source = video_get_visible(
                video_id=int(request.GET["remix_of"]), viewer=request.user
            )
        except NotFound:
            remix_source = None
    if remix_source is not None:
        prefill.update(
            prompt=remix_source.prompt[: settings.GENERATION_MAX_PROMPT_CHARS],
            seconds=str(min(round(remix_source.duration), settings.GENERATION_MAX_SECONDS)),
            seed=str(remix_source.seed),
            aspect=remix_source.aspect,
        )
    return render(
        request,
        "generation/create.html",
        {
            "aspects": Aspect.choices,
            "prefill": prefill,
            "remix_source": remix_source,
            "policies": selectors.routing_policy_choices(),
            "default_policy": settings.GENERATION_ROUTING_POLICY,
            "limits": selectors.create_limits(),
        },
    )


@login_required
def drafts_page(request: HttpRequest) -> HttpResponse:
    jobs = selectors.jobs_for_owner(user=request.user)[:60]
    return render(request, "generation/drafts.html", {"jobs": JobSerializer(jobs, many=True).data})


@login_required
@require_POST
def draft_delete_page(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """The "Delete" button on a draft (a confirmed form POST)."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from generation.services import job_delete

    try:
        job = selectors.job_get_for_owner(user=request.user, job_id=job_id)
        job_delete(job=job)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your draft was deleted."))
    return redirect("generation:drafts")


def draft_media(request: HttpRequest, job_id: UUID, filename: str) -> HttpResponse:
    """A draft's files, for its owner only; anyone else gets the same 404 as a missing job."""
    field = DRAFT_FILES.get(filename)
    if field is None:
        raise Http404("No such file.")
    try:
        job = selectors.job_get_for_viewer(user=media_viewer(request), job_id=job_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return stored_file_response(request, private_storage(), getattr(job, field).name, private=True)


def _check_refused(request: HttpRequest, limited: RateLimited) -> HttpResponse:
    return render(
        request,
        "generation/check.html",
        {"result": None, "error": _("Too many checks from your address; try again later.")},
        status=429,
    )


@throttled_before_body(scope="check", refuse=_check_refused)
def check_page(request: HttpRequest) -> HttpResponse:
    """ "Check a clip": upload any file and read its provenance."""
    result = None
    error = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error, status = "Choose a file to check.", 400
        else:
            try:
                result = selectors.provenance_check_upload(upload=upload)
            except DomainError as exc:
                error, status = exc.message, http_status_for(exc)
    return render(
        request, "generation/check.html", {"result": result, "error": error}, status=status
    )
