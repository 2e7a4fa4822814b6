"""Feed pages: the full-screen vertical feed and a single clip's page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from config.errors import NotFound
from feed import selectors
from feed.serializers import VideoSerializer


def home(request: HttpRequest) -> HttpResponse:
    page = selectors.feed_newest_page(limit=selectors.FEED_PAGE_SIZE)
    initial = {
        "results": VideoSerializer(page.videos, many=True).data,
        "next_cursor": page.next_cursor,
    }
    return render(request, "feed/home.html", {"initial_feed": initial})


def video_page(request: HttpRequest, video_id: int) -> HttpResponse:
    try:
        video = selectors.video_get_visible(video_id=video_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    data = VideoSerializer(video).data
    return render(
        request,
        "feed/video.html",
        {
            "video": video,
            "initial_feed": {"results": [data], "next_cursor": None},
            "absolute_poster": request.build_absolute_uri(video.poster.url),
            "absolute_video": request.build_absolute_uri(video.file.url),
            "absolute_page": request.build_absolute_uri(),
        },
    )
