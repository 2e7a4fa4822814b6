"""Reads for the feed: cursor pages (never OFFSET), built in a constant number of queries."""

from __future__ import annotations

import base64
import binascii
import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from config.errors import DomainError, NotFound
from feed import ranking
from feed.models import Comment, LessLikeThis, Like, Video, VideoStatus

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
    # A banned creator (is_active = False) disappears from every feed, grid and page.
    return Video.objects.filter(status=VideoStatus.VISIBLE, creator__is_active=True).select_related(
        "creator", "remix_of__creator"
    )


def feed_newest_page(
    *, cursor: str | None = None, limit: int = FEED_PAGE_SIZE, base: QuerySet[Video] | None = None
) -> FeedPage:
    limit = max(1, min(limit, FEED_MAX_PAGE_SIZE))
    videos = (base if base is not None else visible_videos()).order_by("-published_at", "-id")
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


def following_page(
    *, viewer: Any, cursor: str | None = None, limit: int = FEED_PAGE_SIZE
) -> FeedPage:
    """Newest first from the creators the viewer follows."""
    base = visible_videos().filter(creator__follower_set__follower=viewer)
    return feed_newest_page(cursor=cursor, limit=limit, base=base)


def profile_videos_page(*, creator: Any, cursor: str | None = None, limit: int = 18) -> FeedPage:
    return feed_newest_page(
        cursor=cursor, limit=limit, base=visible_videos().filter(creator=creator)
    )


def remixes_of(*, video: Video, limit: int = 30) -> list[Video]:
    return list(visible_videos().filter(remix_of=video).order_by("-published_at", "-id")[:limit])


def liked_video_ids(*, viewer: Any, videos: list[Video]) -> set[int]:
    """Which of these clips the viewer liked: one query for a whole page."""
    if not viewer.is_authenticated or not videos:
        return set()
    return set(
        Like.objects.filter(user=viewer, video_id__in=[v.pk for v in videos]).values_list(
            "video_id", flat=True
        )
    )


# --- For You -------------------------------------------------------------------------------

SEEN_TTL_SECONDS = 7 * 24 * 3600
SEEN_MAX = 2000
DISCOVERY_SHARE = 0.25
DISCOVERY_WINDOW = timedelta(hours=72)
DISCOVERY_MAX_VIEWS = 50
CANDIDATE_FACTOR = 4


@lru_cache(maxsize=1)
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _seen_key(viewer_key: str) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'reverie')}:seen:{viewer_key}"


def seen_ids(*, viewer_key: str) -> list[int]:
    return [int(raw) for raw in _redis().zrange(_seen_key(viewer_key), 0, -1)]


def seen_add(*, viewer_key: str, video_ids: list[int]) -> None:
    """Remember what a viewer was shown: a sorted set by time, capped and expiring."""
    if not video_ids:
        return
    key = _seen_key(viewer_key)
    now = timezone.now().timestamp()
    pipe = _redis().pipeline()
    pipe.zadd(key, {str(video_id): now for video_id in video_ids})
    pipe.zremrangebyrank(key, 0, -SEEN_MAX - 1)
    pipe.expire(key, SEEN_TTL_SECONDS)
    pipe.execute()


def _less_like_this(viewer: Any) -> tuple[dict[int, int], dict[str, int]]:
    if not viewer.is_authenticated:
        return {}, {}
    rows = LessLikeThis.objects.filter(user=viewer).order_by("-created_at")[:100]
    creators: Counter[int] = Counter()
    words: Counter[str] = Counter()
    for row in rows.values("creator_id", "keywords"):
        creators[row["creator_id"]] += 1
        words.update(row["keywords"] or [])
    return dict(creators), dict(words)


def for_you_page(*, viewer: Any, viewer_key: str, limit: int = FEED_PAGE_SIZE) -> list[Video]:
    """The next For You page for this viewer: ranked clips they have not been shown, about a
    quarter new clips for discovery, never three in a row from one creator, adjusted by their
    "show less like this". The page is then remembered as seen.

    A constant number of queries: seen set (Redis), "less like this", ranked candidates,
    discovery candidates and a fallback of already-seen clips for when everything was seen."""
    limit = max(1, min(limit, FEED_MAX_PAGE_SIZE))
    seen = seen_ids(viewer_key=viewer_key)
    less_creators, less_words = _less_like_this(viewer)
    unseen = visible_videos().exclude(pk__in=seen) if seen else visible_videos()

    ranked = list(unseen.order_by("-score", "-id")[: limit * CANDIDATE_FACTOR])
    recent = timezone.now() - DISCOVERY_WINDOW
    fresh = list(
        unseen.filter(published_at__gte=recent, view_count__lt=DISCOVERY_MAX_VIEWS).order_by(
            "-published_at", "-id"
        )[: limit * CANDIDATE_FACTOR]
    )
    # When the viewer has seen everything, show the best again rather than an empty feed.
    rewatch = list(visible_videos().order_by("-score", "-id")[:limit]) if seen else []

    def personal(video: Video) -> float:
        return video.score + ranking.personal_adjustment(
            creator_id=video.creator_id,
            video_keywords=video.keywords or [],
            less_creators=less_creators,
            less_keywords=less_words,
        )

    ranked.sort(key=personal, reverse=True)
    rng = random.Random(f"{viewer_key}:{len(seen)}")
    ranked_ids = {video.pk for video in ranked[:limit]}
    discovery_pool = [video for video in fresh if video.pk not in ranked_ids]
    discovery_pool.sort(key=personal, reverse=True)
    discovery_pool = discovery_pool[: limit * 2]
    rng.shuffle(discovery_pool)
    discovery_count = max(1, round(limit * DISCOVERY_SHARE)) if limit >= 2 else 0

    page: list[Video] = []
    taken: set[int] = set()
    ranked_left = list(ranked)
    discovery_left = discovery_pool[:discovery_count]

    def take(candidates: list[Video]) -> Video | None:
        """The best candidate not on the page yet, passing over one that would show the same
        creator a third time in a row while a candidate by someone else is left."""
        candidates[:] = [video for video in candidates if video.pk not in taken]
        if not candidates:
            return None
        run_creator = (
            page[-1].creator_id
            if len(page) >= 2 and page[-1].creator_id == page[-2].creator_id
            else None
        )
        pick = next((i for i, v in enumerate(candidates) if v.creator_id != run_creator), 0)
        return candidates.pop(pick)

    slot = 0
    while len(page) < limit:
        # Every fourth slot is a discovery slot (positions 3, 7, 11, …) while any are left;
        # when one source runs dry the other fills the slot.
        first, second = (
            (discovery_left, ranked_left) if slot % 4 == 3 else (ranked_left, discovery_left)
        )
        video = take(first) or take(second)
        if video is None:
            break
        page.append(video)
        taken.add(video.pk)
        slot += 1
    for video in rewatch:
        if len(page) >= limit:
            break
        if video.pk not in taken:
            page.append(video)
            taken.add(video.pk)
    page = ranking.limit_creator_runs(page, creator_of=lambda video: video.creator_id)
    seen_add(viewer_key=viewer_key, video_ids=[video.pk for video in page])
    return page


def comments_for_video(*, video: Video, limit: int = 100) -> list[Comment]:
    """Top-level comments (oldest first) with their replies: two queries whatever the count."""
    # Banned people's comments go with them.
    replies = (
        Comment.objects.filter(author__is_active=True)
        .select_related("author")
        .order_by("created_at", "id")
    )
    return list(
        Comment.objects.filter(video=video, parent__isnull=True, author__is_active=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")[:limit]
    )


def comment_get(*, comment_id: int) -> Comment:
    comment = (
        Comment.objects.select_related("author", "video", "video__creator")
        .filter(pk=comment_id, video__status=VideoStatus.VISIBLE, deleted_at__isnull=True)
        .first()
    )
    if comment is None:
        raise NotFound("No such comment.")
    return comment
