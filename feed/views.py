"""Feed pages: the full-screen vertical feed (For You / Following), a clip's page, and the
comments drawer (an htmx fragment)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from config.api_errors import http_status_for
from config.errors import DomainError, NotFound
from feed import selectors, services
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
    if tab == "following":
        page = selectors.following_page(viewer=request.user)
        videos, next_cursor, api = page.videos, page.next_cursor, reverse("api-feed-following")
    else:
        key, new_anonymous_id = viewer_key(request)
        videos = services.for_you_page(viewer=request.user, viewer_key=key)
        next_cursor, api = "next", reverse("api-feed-for-you")
    liked = selectors.liked_video_ids(viewer=request.user, video_ids=[v.pk for v in videos])
    initial = {"results": videos_data(videos, liked_ids=liked), "next_cursor": next_cursor}
    response = render(
        request, "feed/home.html", {"initial_feed": initial, "tab": tab, "feed_api": api}
    )
    return remember_anonymous(response, new_anonymous_id)


def video_page(request: HttpRequest, video_id: int) -> HttpResponse:
    try:
        video = selectors.video_get_visible(video_id=video_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    remixes = selectors.remixes_of(video=video)
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
        },
    )


def comments_drawer(request: HttpRequest, video_id: int) -> HttpResponse:
    """GET: the drawer's content; POST (htmx form): add a comment, answer with the new content."""
    try:
        video = selectors.video_get_visible(video_id=video_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error = ""
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return HttpResponse("Log in to comment.", status=401)
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
    comments = selectors.comments_for_video(video=video)
    return render(
        request,
        "feed/_comments.html",
        {"video": video, "comments": comments, "error": error, "body": request.POST.get("body", "")
         if error else ""},
        status=status,
    )  # fmt: skip
