"""Feed pages: the full-screen vertical feed (For You / Following), a clip's page, and the
comments drawer (an htmx fragment)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from config.api_errors import http_status_for
from config.errors import DomainError, NotFound
from feed import search, selectors, services, trending
from feed.captions import prompt_vtt
from feed.serializers import videos_data
from feed.viewer import remember_anonymous, viewer_key

TABS = ("for_you", "following")


def home(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "for_you")
    if tab not in TABS:
        tab = "for_you"
    if tab == "following" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    new_anonymous_id = None
    caught_up_at: int | None = None
    if tab == "following":
        page = selectors.following_page(viewer=request.user)
        videos, next_cursor, api = page.videos, page.next_cursor, reverse("api-feed-following")
    else:
        key, new_anonymous_id = viewer_key(request)
        for_you = services.for_you_feed(
            viewer=request.user, viewer_key=key, new_viewer=new_anonymous_id is not None
        )
        chosen = selectors.visible_videos().in_bulk(for_you.ids)
        videos = [chosen[video_id] for video_id in for_you.ids if video_id in chosen]
        next_cursor, api = for_you.next_cursor, reverse("api-feed-for-you")
        caught_up_at = for_you.caught_up_at
    liked = selectors.liked_video_ids(viewer=request.user, video_ids=[v.pk for v in videos])
    initial = {
        "results": videos_data(videos, liked_ids=liked),
        "next_cursor": next_cursor,
        "caught_up_at": caught_up_at,
    }
    context = {
        "initial_feed": initial,
        "tab": tab,
        "feed_api": api,
        "first_poster": videos[0].poster.url if videos else "",
        "media_origin": _origin(videos[0].poster.url) if videos else "",
    }
    response = render(request, "feed/home.html", context)
    return remember_anonymous(response, new_anonymous_id)


def _origin(url: str) -> str:
    """The origin of media served from elsewhere (S3, a CDN), to preconnect to; "" when local."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def video_page(request: HttpRequest, video_id: int) -> HttpResponse:
    try:
        video = selectors.video_get_visible(video_id=video_id, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    remixes = selectors.remixes_of(video=video, viewer=request.user)
    liked = selectors.liked_video_ids(viewer=request.user, video_ids=[video.pk])
    return render(
        request,
        "feed/video.html",
        {
            "video": video,
            "remixes": remixes,
            "initial_feed": {"results": videos_data([video], liked_ids=liked), "next_cursor": None},
            "absolute_poster": request.build_absolute_uri(video.poster.url),
            "absolute_video": request.build_absolute_uri(video.file.url),
            "absolute_page": request.build_absolute_uri(),
            "media_origin": _origin(video.file.url),
        },
    )


def captions(request: HttpRequest, video_id: int) -> HttpResponse:
    """The clip's prompt as a WebVTT captions track (the <track> of every card)."""
    try:
        video = selectors.video_get_visible(video_id=video_id, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(prompt_vtt(video=video), content_type="text/vtt; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


@login_required
@require_POST
def video_delete_page(request: HttpRequest, video_id: int) -> HttpResponse:
    """The creator's "Delete" button on a clip page (a confirmed form POST)."""
    try:
        video = selectors.video_get_for_creator(user=request.user, video_id=video_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    services.video_delete(video=video)
    messages.success(request, gettext("Your clip was deleted."))
    return redirect("accounts:profile", handle=request.user.username)


def comments_drawer(request: HttpRequest, video_id: int) -> HttpResponse:
    """GET: the drawer's content; POST (htmx form): add a comment, answer with the new content."""
    try:
        video = selectors.video_get_visible(video_id=video_id, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error = ""
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return HttpResponse(gettext("Log in to comment."), status=401)
        parent = None
        try:
            parent_id = request.POST.get("parent", "")
            if parent_id.isdigit():
                parent = selectors.comment_get(comment_id=int(parent_id))
            services.comment_create(
                author=request.user, video=video, body=request.POST.get("body", ""), parent=parent
            )
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            error, status = exc.message, http_status_for(exc)
            # htmx swaps only 2xx by default; the form shows the error in place.
            status = 200 if request.headers.get("HX-Request") else status
        video.refresh_from_db(fields=["comment_count"])
    comments = selectors.comments_for_video(video=video, viewer=request.user)
    return render(
        request,
        "feed/_comments.html",
        {"video": video, "comments": comments, "error": error, "body": request.POST.get("body", "")
         if error else ""},
        status=status,
    )  # fmt: skip


def search_page(request: HttpRequest) -> HttpResponse:
    """People, clips and tags for `q`; without a query, what is trending."""
    q = search.search_normalize(request.GET.get("q", ""))
    results = search.search(q=q, viewer=request.user) if q else None
    rising = None if q else trending.trending(viewer=request.user, clips=12, tags=12)
    clips = results.clips if results else rising.clips if rising else []
    liked = selectors.liked_video_ids(viewer=request.user, video_ids=[v.pk for v in clips])
    return render(
        request,
        "feed/search.html",
        {
            "q": q,
            "results": results,
            "trending": rising,
            "clips": videos_data(clips, liked_ids=liked),
        },
    )


def tag_page(request: HttpRequest, tag: str) -> HttpResponse:
    """A tag's clips, newest first; opening it steers the viewer's For You towards the tag."""
    try:
        found = trending.tag_get(tag=tag)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    key, new_anonymous_id = viewer_key(request)
    services.tag_interest_add(viewer_key=key, tag=found.name)
    page = trending.tag_videos_page(tag=found, viewer=request.user)
    liked = selectors.liked_video_ids(viewer=request.user, video_ids=[v.pk for v in page.videos])
    response = render(
        request,
        "feed/tag.html",
        {
            "tag": found,
            "grid": {
                "results": videos_data(page.videos, liked_ids=liked),
                "next_cursor": page.next_cursor,
            },
        },
    )
    return remember_anonymous(response, new_anonymous_id)
