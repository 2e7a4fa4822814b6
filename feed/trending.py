"""Tags and trending (reads only): a tag's clips, newest first, and what is rising now.

Trending is engagement velocity: every like, comment and remix of the last TRENDING_WINDOW
counts by its weight, halved every TRENDING_HALF_LIFE, so a clip liked 50 times this hour beats
one liked 200 times yesterday. Tags trend by the sum over their clips. The ranking (ids and
scores, the same for everyone) is cached for TRENDING_CACHE_SECONDS; when the cache is away it is
computed from the database on each request. Visibility, bans, blocks and mutes are applied per
viewer on the way out, after the cache."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from config.errors import NotFound
from feed.hashtags import hashtag_normal
from feed.models import Comment, Hashtag, Like, Video, VideoStatus
from feed.selectors import FeedPage, feed_newest_page, visible_videos_for

logger = logging.getLogger(__name__)

TRENDING_WINDOW = timedelta(hours=48)
TRENDING_HALF_LIFE = timedelta(hours=6)
TRENDING_CACHE_SECONDS = 60
TRENDING_CACHE_KEY = "trending:v1"
# Each kind of event bounded, newest first: the window's work stays bounded on a busy site.
TRENDING_MAX_EVENTS = 20000
TRENDING_CLIPS = 20
TRENDING_TAGS = 20
EVENT_WEIGHTS = {"like": 1.0, "comment": 2.0, "remix": 3.0}


@dataclass(frozen=True)
class Trending:
    clips: list[Video]
    hashtags: list[Hashtag]  # each with `clip_count` and `velocity`


def tag_get(*, tag: str) -> Hashtag:
    """A tag by name in any case or Unicode form, with its number of visible clips."""
    name = hashtag_normal(tag.lstrip("#"))
    visible = Q(videos__status=VideoStatus.VISIBLE, videos__creator__is_active=True)
    found = (
        Hashtag.objects.filter(name=name)
        .annotate(clip_count=Count("videos", filter=visible))
        .first()
        if name
        else None
    )
    if found is None:
        raise NotFound("No such tag.")
    return found


def tag_videos_page(
    *, tag: Hashtag, viewer: Any, cursor: str | None = None, limit: int = 18
) -> FeedPage:
    """A tag's visible clips, newest first, less those of people blocked or muted."""
    base = visible_videos_for(viewer=viewer, mutes=True).filter(hashtags=tag)
    return feed_newest_page(cursor=cursor, limit=limit, base=base)


def _decayed(at: datetime, now: datetime) -> float:
    return 0.5 ** (max(0.0, (now - at).total_seconds()) / TRENDING_HALF_LIFE.total_seconds())


def trending_scores(*, now: datetime | None = None) -> dict[str, list[tuple[int, float]]]:
    """The velocity ranking from the database: {"clips": [(id, score)], "tags": [(id, score)]},
    best first. Four queries: likes, comments and remixes in the window, and the engaged clips'
    tags."""
    now = now or timezone.now()
    since = now - TRENDING_WINDOW
    velocity: dict[int, float] = defaultdict(float)
    # (kind, clip the event counts for, when it happened), each newest first and bounded.
    events = [
        ("like", Like.objects.filter(created_at__gte=since), "video_id", "created_at"),
        (
            "comment",
            Comment.objects.filter(created_at__gte=since, deleted_at__isnull=True),
            "video_id",
            "created_at",
        ),
        (
            "remix",
            Video.objects.filter(published_at__gte=since, remix_of__isnull=False),
            "remix_of_id",
            "published_at",
        ),
    ]
    for kind, rows, video_field, at_field in events:
        newest = rows.order_by(f"-{at_field}").values_list(video_field, at_field)
        for video_id, at in newest[:TRENDING_MAX_EVENTS]:
            velocity[video_id] += EVENT_WEIGHTS[kind] * _decayed(at, now)
    tag_velocity: dict[int, float] = defaultdict(float)
    if velocity:
        through = Video.hashtags.through.objects.filter(video_id__in=list(velocity))
        for video_id, tag_id in through.values_list("video_id", "hashtag_id"):
            tag_velocity[tag_id] += velocity[video_id]

    def best(scores: dict[int, float]) -> list[tuple[int, float]]:
        return sorted(
            ((k, round(v, 4)) for k, v in scores.items()), key=lambda kv: (-kv[1], -kv[0])
        )

    return {"clips": best(velocity)[: TRENDING_CLIPS * 5], "tags": best(tag_velocity)[:200]}


def trending_scores_cached() -> dict[str, list[tuple[int, float]]]:
    """`trending_scores`, shared for TRENDING_CACHE_SECONDS; straight from the database when the
    cache is unavailable (a Redis outage degrades, never breaks, the page)."""
    try:
        cached = cache.get(TRENDING_CACHE_KEY)
    except Exception:  # noqa: BLE001 - any cache failure means: compute from the database
        logger.warning("trending cache unavailable, computing from the database", exc_info=True)
        return trending_scores()
    if cached is not None:
        return cached
    scores = trending_scores()
    try:
        cache.set(TRENDING_CACHE_KEY, scores, TRENDING_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("trending cache unavailable, not stored", exc_info=True)
    return scores


def trending(*, viewer: Any, clips: int = TRENDING_CLIPS, tags: int = TRENDING_TAGS) -> Trending:
    """Trending clips and tags for this viewer: the shared ranking, then two queries for the
    rows (visible clips by people not blocked or muted; tags with visible clips)."""
    scores = trending_scores_cached()
    clip_ids = [video_id for video_id, _ in scores["clips"]]
    rows = visible_videos_for(viewer=viewer, mutes=True).in_bulk(clip_ids) if clip_ids else {}
    chosen = [rows[video_id] for video_id in clip_ids if video_id in rows][:clips]
    tag_scores = dict(scores["tags"])
    found: dict[int, Hashtag] = {}
    if tag_scores:
        visible = Q(videos__status=VideoStatus.VISIBLE, videos__creator__is_active=True)
        found = (
            Hashtag.objects.filter(pk__in=list(tag_scores))
            .annotate(clip_count=Count("videos", filter=visible))
            .filter(clip_count__gt=0)
            .in_bulk()
        )
    hashtags = []
    for tag_id, velocity in scores["tags"]:
        if tag_id in found:
            tag = found[tag_id]
            tag.velocity = velocity  # type: ignore[attr-defined]
            hashtags.append(tag)
    return Trending(clips=chosen, hashtags=hashtags[:tags])
