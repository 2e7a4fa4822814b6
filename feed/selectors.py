"""Reads for the feed: cursor pages (never OFFSET), built in a constant number of queries."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from config.errors import DomainError, NotFound
from feed.models import Video, VideoStatus

FEED_PAGE_SIZE = 8
FEED_MAX_PAGE_SIZE = 30


@dataclass(frozen=True)
class FeedPage:
    videos: list[Video]
    next_cursor: str | None


def encode_cursor(video: Video) -> str:
    raw = json.dumps([video.published_at.isoformat(), video.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        published_at, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(published_at), int(pk)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise DomainError("Invalid cursor.", fields={"cursor": ["Invalid cursor."]}) from exc


def visible_videos() -> QuerySet[Video]:
    return Video.objects.filter(status=VideoStatus.VISIBLE).select_related("creator")


def feed_newest_page(*, cursor: str | None = None, limit: int = FEED_PAGE_SIZE) -> FeedPage:
    limit = max(1, min(limit, FEED_MAX_PAGE_SIZE))
    videos = visible_videos().order_by("-published_at", "-id")
    if cursor:
        published_at, pk = decode_cursor(cursor)
        videos = videos.filter(
            Q(published_at__lt=published_at) | Q(published_at=published_at, id__lt=pk)
        )
    rows = list(videos[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    return FeedPage(videos=rows, next_cursor=encode_cursor(rows[-1]) if has_more else None)


def video_get_visible(*, video_id: int) -> Video:
    video = visible_videos().filter(pk=video_id).first()
    if video is None:
        raise NotFound("No such clip.")
    return video
