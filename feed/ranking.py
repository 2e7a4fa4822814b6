"""For You ranking: pure functions, no I/O.

score = engagement + ln 2 × (published_at − epoch) / half-life

Freshness is folded in as an ever-growing term, so a clip one half-life older needs about twice
the engagement (the terms are logarithmic) to rank equally — and, unlike a decay applied at
read time, the score of an untouched clip never needs recomputing: only clips with new activity
are re-scored by the periodic task.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime

HALF_LIFE_HOURS = 24.0
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
WEIGHTS = {"likes": 1.0, "comments": 1.5, "remixes": 2.0, "completion": 2.0, "creator": 1.0}
# "Show less like this": penalties in score units (1 unit ≈ e× the engagement).
LESS_CREATOR_PENALTY = 3.0
LESS_KEYWORD_PENALTY = 0.75
# A tag the viewer opened lately lifts its clips by about two days of freshness, fading by half
# a day (feed.services.tag_interest_add; For You reads it per viewer).
TAG_INTEREST_BOOST = 2.0
TAG_INTEREST_HALF_LIFE_HOURS = 24.0

STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "in",
        "on",
        "at",
        "to",
        "with",
        "by",
        "for",
        "from",
        "into",
        "over",
        "under",
        "is",
        "are",
        "was",
        "be",
        "this",
        "that",
        "it",
        "its",
        "as",
        "very",
        "some",
        "my",
        "your",
        "his",
        "her",
        "their",
        "our",
        "camera",
        "shot",
        "clip",
        "video",
        "scene",
    }
)


@dataclass(frozen=True)
class Engagement:
    likes: int
    comments: int
    remixes: int
    views: int
    completed_views: int
    creator_quality: float  # the creator's smoothed completion rate, 0..1


def completion_rate(views: int, completed: int) -> float:
    """Laplace-smoothed, so a clip with no views sits at 0.5 instead of 0 or 1."""
    return (completed + 1) / (views + 2)


def freshness(published_at: datetime) -> float:
    hours = (published_at - EPOCH).total_seconds() / 3600
    return math.log(2) * hours / HALF_LIFE_HOURS


def score(engagement: Engagement, published_at: datetime) -> tuple[float, dict[str, float]]:
    """The score and its parts (the admin's "why this clip")."""
    parts = {
        "likes": WEIGHTS["likes"] * math.log1p(engagement.likes),
        "comments": WEIGHTS["comments"] * math.log1p(engagement.comments),
        "remixes": WEIGHTS["remixes"] * math.log1p(engagement.remixes),
        "completion": WEIGHTS["completion"]
        * (completion_rate(engagement.views, engagement.completed_views) - 0.5),
        "creator": WEIGHTS["creator"] * (engagement.creator_quality - 0.5),
        "freshness": freshness(published_at),
    }
    parts = {name: round(value, 4) for name, value in parts.items()}
    return round(sum(parts.values()), 4), parts


def keywords(prompt: str, limit: int = 8) -> list[str]:
    """The prompt's content words, for "show less like this"."""
    seen: list[str] = []
    for word in re.findall(r"[a-z][a-z'-]{2,}", prompt.lower()):
        if word not in STOPWORDS and word not in seen:
            seen.append(word)
        if len(seen) >= limit:
            break
    return seen


def personal_adjustment(
    *, creator_id: int, video_keywords: list[str], less_creators: dict[int, int],
    less_keywords: dict[str, int], interests: dict[str, float] | None = None,
) -> float:  # fmt: skip
    """ "Show less like this" pushes down; `interests` ("#tag" → 0..1, how recently the viewer
    opened that tag) lifts up."""
    penalty = LESS_CREATOR_PENALTY * less_creators.get(creator_id, 0)
    penalty += LESS_KEYWORD_PENALTY * sum(less_keywords.get(word, 0) for word in video_keywords)
    boost = 0.0
    if interests:
        boost = TAG_INTEREST_BOOST * max((interests.get(w, 0.0) for w in video_keywords), default=0)
    return boost - penalty


def limit_creator_runs(items: list, *, creator_of, max_run: int = 2) -> list:  # type: ignore[no-untyped-def]
    """Reorder as little as possible so no creator appears more than `max_run` times in a row."""
    remaining = list(items)
    result: list = []
    while remaining:
        run_creator = creator_of(result[-1]) if result else None
        run = 0
        for item in reversed(result):
            if creator_of(item) != run_creator:
                break
            run += 1
        pick = 0
        if run >= max_run:
            pick = next(
                (i for i, item in enumerate(remaining) if creator_of(item) != run_creator), 0
            )
        result.append(remaining.pop(pick))
    return result
