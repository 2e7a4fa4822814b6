"""Reads for the feed: cursor pages (never OFFSET), built in a constant number of queries."""

from __future__ import annotations

import base64
import binascii
import json
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import blocked_q
from config.errors import DomainError, Forbidden, NotFound
from feed import ranking, seen
from feed.models import Comment, LessLikeThis, Like, Video, VideoStatus, View

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


def visible_videos_for(*, viewer: Any, mutes: bool = False) -> QuerySet[Video]:
    """Visible clips less those of people the viewer blocked or was blocked by (and, with
    `mutes`, muted: feeds only). Subqueries in the same statement, no query more."""
    videos = visible_videos()
    if getattr(viewer, "is_authenticated", False):
        videos = videos.exclude(blocked_q(viewer=viewer, field="creator_id", mutes=mutes))
    return videos


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


def videos_of_job_ids(*, job_id: Any) -> list[int]:
    """The published clip(s) made from a generation job, whatever their status."""
    return list(Video.objects.filter(job_id=job_id).values_list("pk", flat=True))


def video_get_visible(*, video_id: int, viewer: Any = None) -> Video:
    """A visible clip; with a viewer, a clip by someone blocked either way is "no such clip"."""
    video = visible_videos_for(viewer=viewer).filter(pk=video_id).first()
    if video is None:
        raise NotFound("No such clip.")
    return video


def video_get_for_creator(*, user: Any, video_id: int) -> Video:
    """A clip its creator may delete, whatever its status; others get 404 or 403."""
    video = Video.objects.filter(pk=video_id).first()
    if video is None or (video.creator_id != getattr(user, "pk", None) and
                         video.status != VideoStatus.VISIBLE):  # fmt: skip
        raise NotFound(_("No such clip."))
    if video.creator_id != user.pk:
        raise Forbidden(_("Only its creator can delete a clip."))
    return video


def following_page(
    *, viewer: Any, cursor: str | None = None, limit: int = FEED_PAGE_SIZE
) -> FeedPage:
    """Newest first from the creators the viewer follows."""
    base = visible_videos_for(viewer=viewer, mutes=True).filter(
        creator__follower_set__follower=viewer
    )
    return feed_newest_page(cursor=cursor, limit=limit, base=base)


def profile_videos_page(
    *, creator: Any, cursor: str | None = None, limit: int = 18, viewer: Any = None
) -> FeedPage:
    base = visible_videos_for(viewer=viewer).filter(creator=creator)
    return feed_newest_page(cursor=cursor, limit=limit, base=base)


def remixes_of(*, video: Video, limit: int = 30, viewer: Any = None) -> list[Video]:
    remixes = visible_videos_for(viewer=viewer).filter(remix_of=video)
    return list(remixes.order_by("-published_at", "-id")[:limit])


def liked_video_ids(*, viewer: Any, video_ids: Iterable[int]) -> set[int]:
    """Which of these clips the viewer liked: one query for a whole page."""
    video_ids = list(video_ids)
    if not viewer.is_authenticated or not video_ids:
        return set()
    likes = Like.objects.filter(user=viewer, video_id__in=video_ids)
    return set(likes.values_list("video_id", flat=True))


# --- For You -------------------------------------------------------------------------------

SEEN_TTL_SECONDS = seen.SEEN_TTL_SECONDS
SEEN_MAX = seen.SEEN_MAX
DISCOVERY_SHARE = 0.25
DISCOVERY_WINDOW = timedelta(hours=72)
DISCOVERY_MAX_VIEWS = 50
CANDIDATE_FACTOR = 4


seen_store = seen.seen_store
seen_key = seen.seen_key


def seen_ids(*, viewer_key: str, viewer: Any = None) -> list[int]:
    """What this viewer was shown lately, pages not yet written to Redis included. Without
    Redis: this process's memory of their pages plus, for a signed-in viewer, the clips they
    watched (one query, on the user's index)."""
    key = seen_key(viewer_key)
    # The queue first: a page leaves it only after it is in Redis, so read in this order nothing
    # falls between the two.
    queued = seen.queued_ids(key)
    found = seen.outage.call(
        "zrange", lambda: [int(raw) for raw in seen_store().zrange(key, 0, -1)], None
    )
    if found is not None:
        return [*found, *queued]
    fallback = seen.outage_ids(viewer_key)
    if viewer is not None and viewer.is_authenticated:
        watched = View.objects.filter(user=viewer).order_by("-id").values_list("video_id")
        fallback.extend(video_id for (video_id,) in watched[:SEEN_MAX])
    return [*fallback, *queued]


TAG_INTEREST_TTL_SECONDS = 3 * 24 * 3600
TAG_INTEREST_MAX = 10


def tag_interest_key(viewer_key: str) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'reverie')}:tags:{viewer_key}"


def tag_interests(*, viewer_key: str) -> dict[str, float]:
    """The tags this viewer opened lately, as ranking keywords ("#tag") weighted 1 (just now)
    fading by half every TAG_INTEREST_HALF_LIFE_HOURS. One Redis read, no SQL; nothing when
    Redis is away (ranking goes on without it; the seen set's outage breaker skips the call)."""
    key = tag_interest_key(viewer_key)
    rows = seen.outage.call("zrange", lambda: seen_store().zrange(key, 0, -1, withscores=True), [])
    now = timezone.now().timestamp()
    half_life = ranking.TAG_INTEREST_HALF_LIFE_HOURS * 3600
    return {"#" + name.decode(): 0.5 ** (max(0.0, now - at) / half_life) for name, at in rows}


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


@dataclass(frozen=True)
class Candidate:
    """What ranking needs of a clip: a slim row, cheap to cache and share between viewers."""

    id: int
    creator_id: int
    score: float
    keywords: tuple[str, ...]


CANDIDATE_FIELDS = ("id", "creator_id", "score", "keywords")
CandidatePools = tuple[list[Candidate], list[Candidate]]  # (best scored, fresh for discovery)


def _candidates(queryset: QuerySet[Video], limit: int) -> list[Candidate]:
    return [
        Candidate(id=row[0], creator_id=row[1], score=row[2], keywords=tuple(row[3] or ()))
        for row in queryset.values_list(*CANDIDATE_FIELDS)[:limit]
    ]


def candidate_pools_build() -> CandidatePools:
    """The best-scored clips and the newest little-seen ones (two queries); the For You door
    shares them between viewers for a few seconds (`feed.services.candidate_pools`)."""
    pool_size = settings.FOR_YOU_POOL_SIZE
    ranked = _candidates(visible_videos().order_by("-score", "-id"), pool_size)
    recent = timezone.now() - DISCOVERY_WINDOW
    fresh = _candidates(
        visible_videos()
        .filter(published_at__gte=recent, view_count__lt=DISCOVERY_MAX_VIEWS)
        .order_by("-published_at", "-id"),
        pool_size,
    )
    return ranked, fresh


def for_you_rank(
    *,
    viewer: Any,
    viewer_key: str,
    pools: CandidatePools,
    limit: int = FEED_PAGE_SIZE,
    new_viewer: bool = False,
    hidden: frozenset[int] | set[int] = frozenset(),
) -> list[int]:
    """The next For You page for this viewer: ranked clips they have not been shown, about a
    quarter new clips for discovery, never three in a row from one creator, adjusted by their
    "show less like this", without clips by `hidden` creators (blocked or muted,
    `accounts.selectors.hidden_creator_ids`). Reads only; the door remembers the page as seen
    (`feed.services.for_you_ids`).

    A constant number of queries: "less like this" (signed-in viewers), and the shared candidate
    pools the door passes in. A viewer who has seen the whole pool gets one more query for
    deeper candidates."""
    limit = max(1, min(limit, FEED_MAX_PAGE_SIZE))
    # A viewer key minted for this very request has seen nothing yet: no need to ask Redis.
    seen = set() if new_viewer else set(seen_ids(viewer_key=viewer_key, viewer=viewer))
    less_creators, less_words = _less_like_this(viewer)
    interests = tag_interests(viewer_key=viewer_key)
    ranked_pool, fresh_pool = pools
    wanted = limit * CANDIDATE_FACTOR
    # Stop at the first `wanted` unseen candidates instead of filtering the whole pool; clips by
    # hidden creators (blocked or muted) never count.
    ranked = list(
        islice((c for c in ranked_pool if c.id not in seen and c.creator_id not in hidden), wanted)
    )
    fresh = list(
        islice((c for c in fresh_pool if c.id not in seen and c.creator_id not in hidden), wanted)
    )
    if interests:
        # Clips of tags the viewer opened may sit below the top of the pool: bring some in, so
        # the boost has something to lift.
        have = {c.id for c in ranked}
        tagged = (
            c
            for c in ranked_pool
            if c.id not in seen
            and c.id not in have
            and c.creator_id not in hidden
            and any(word in interests for word in c.keywords)
        )
        ranked.extend(islice(tagged, wanted))
    if len(ranked) < limit and len(ranked_pool) >= settings.FOR_YOU_POOL_SIZE:
        # This viewer has been through the shared pool: look deeper, for them alone.
        deeper = visible_videos().exclude(pk__in=seen).exclude(creator_id__in=hidden)
        deeper = deeper.order_by("-score", "-id")
        ranked = _candidates(deeper, limit * CANDIDATE_FACTOR)

    def adjusted(candidate: Candidate) -> float:
        return candidate.score + ranking.personal_adjustment(
            creator_id=candidate.creator_id,
            video_keywords=list(candidate.keywords),
            less_creators=less_creators,
            less_keywords=less_words,
            interests=interests,
        )

    # Without "less like this" or opened tags the adjustment is zero for every clip: rank by the
    # score alone.
    personal = adjusted if (less_creators or less_words or interests) else attrgetter("score")

    ranked.sort(key=personal, reverse=True)
    rng = random.Random(f"{viewer_key}:{len(seen)}")
    ranked_ids = {c.id for c in ranked[:limit]}
    discovery_pool = [c for c in fresh if c.id not in ranked_ids]
    discovery_pool.sort(key=personal, reverse=True)
    discovery_pool = discovery_pool[: limit * 2]
    rng.shuffle(discovery_pool)
    discovery_count = max(1, round(limit * DISCOVERY_SHARE)) if limit >= 2 else 0

    page: list[Candidate] = []
    taken: set[int] = set()
    ranked_left = list(ranked)
    discovery_left = discovery_pool[:discovery_count]

    def take(candidates: list[Candidate]) -> Candidate | None:
        """The best candidate not on the page yet, passing over one that would show the same
        creator a third time in a row while a candidate by someone else is left."""
        candidates[:] = [c for c in candidates if c.id not in taken]
        if not candidates:
            return None
        run_creator = (
            page[-1].creator_id
            if len(page) >= 2 and page[-1].creator_id == page[-2].creator_id
            else None
        )
        pick = next((i for i, c in enumerate(candidates) if c.creator_id != run_creator), 0)
        return candidates.pop(pick)

    slot = 0
    while len(page) < limit:
        # Every fourth slot is a discovery slot (positions 3, 7, 11, …) while any are left;
        # when one source runs dry the other fills the slot.
        first, second = (
            (discovery_left, ranked_left) if slot % 4 == 3 else (ranked_left, discovery_left)
        )
        candidate = take(first) or take(second)
        if candidate is None:
            break
        page.append(candidate)
        taken.add(candidate.id)
        slot += 1
    # Nothing unseen left: for_you_feed carries on with clips already seen (never a dead end).
    page = ranking.limit_creator_runs(page, creator_of=lambda c: c.creator_id)
    return [c.id for c in page]


REPLAY_PREFIX = "seen:"


@dataclass(frozen=True)
class ForYouPage:
    """A For You page: `ids[:caught_up_at]` are clips the viewer has not been shown, the rest
    (when `caught_up_at` is set) clips shown before, after a "you're all caught up" marker."""

    ids: list[int]
    next_cursor: str | None
    caught_up_at: int | None


def _encode_replay(candidate: Candidate) -> str:
    raw = json.dumps([candidate.score, candidate.id]).encode()
    return REPLAY_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_replay(cursor: str) -> tuple[float, int] | None:
    token = cursor[len(REPLAY_PREFIX) :]
    if not token:
        return None
    try:
        score, pk = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return float(score), int(pk)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise DomainError("Invalid cursor.", fields={"cursor": ["Invalid cursor."]}) from exc


def _replay_candidates(
    *,
    ranked_pool: list[Candidate],
    after: tuple[float, int] | None,
    limit: int,
    hidden: frozenset[int] | set[int] = frozenset(),
) -> list[Candidate]:
    """Clips in rank order (best first) after a (score, id) position. While the shared pool
    holds every visible clip it answers without a query; past it, one slim keyset query."""

    def is_after(candidate: Candidate) -> bool:
        return candidate.creator_id not in hidden and (
            after is None or (candidate.score, candidate.id) < after
        )

    from_pool = [c for c in ranked_pool if is_after(c)][:limit]
    if len(from_pool) >= limit or len(ranked_pool) < settings.FOR_YOU_POOL_SIZE:
        return from_pool
    rows = visible_videos().exclude(creator_id__in=hidden).order_by("-score", "-id")
    if after is not None:
        rows = rows.filter(Q(score__lt=after[0]) | Q(score=after[0], id__lt=after[1]))
    return _candidates(rows, limit)


def for_you_continue(
    *,
    unseen: list[int],
    pools: CandidatePools,
    cursor: str | None,
    limit: int,
    hidden: frozenset[int] | set[int] = frozenset(),
) -> ForYouPage:
    """For You never dead-ends: after the viewer's unseen ranked clips (`for_you_rank`), when
    they don't fill the page, a "caught up" point, then every visible clip again in rank order
    (already seen, and older ones), round and round; the replay cursor ("seen:…") walks it.
    Clips published meanwhile still come first, as `unseen`, on the next page.

    No query while the shared pool holds every visible clip (FOR_YOU_POOL_SIZE); one slim
    keyset query past it."""
    limit = max(1, min(limit, FEED_MAX_PAGE_SIZE))
    after = _decode_replay(cursor) if cursor and cursor.startswith(REPLAY_PREFIX) else None
    if len(unseen) >= limit:
        return ForYouPage(ids=unseen, next_cursor="next", caught_up_at=None)
    wanted = limit - len(unseen)
    ranked_pool = pools[0]
    replay = _replay_candidates(ranked_pool=ranked_pool, after=after, limit=limit, hidden=hidden)
    replay = [c for c in replay if c.id not in unseen]
    if not replay and after is not None:
        replay = _replay_candidates(ranked_pool=ranked_pool, after=None, limit=limit, hidden=hidden)
        replay = [c for c in replay if c.id not in unseen]
    replay = replay[:wanted]
    if not replay:
        # Nothing at all to replay (an empty or one-clip feed): come back for new clips.
        return ForYouPage(ids=unseen, next_cursor="next" if unseen else None, caught_up_at=None)
    # The next page continues after the last replayed clip; the end of the list wraps round.
    next_cursor = _encode_replay(replay[-1]) if len(replay) == wanted else REPLAY_PREFIX
    return ForYouPage(
        ids=unseen + [c.id for c in replay], next_cursor=next_cursor, caught_up_at=len(unseen)
    )


def comments_for_video(*, video: Video, limit: int = 100, viewer: Any = None) -> list[Comment]:
    """Top-level comments (oldest first) with their replies: two queries whatever the count.
    Comments by people blocked either way are left out for this viewer."""
    # Banned people's comments go with them.
    authors = Comment.objects.filter(author__is_active=True)
    if getattr(viewer, "is_authenticated", False):
        authors = authors.exclude(blocked_q(viewer=viewer, field="author_id"))
    replies = authors.select_related("author").order_by("created_at", "id")
    return list(
        authors.filter(video=video, parent__isnull=True)
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


def moderation_history_for_creators(
    *, creator_ids: list[int], per_creator: int = 5
) -> dict[int, list[Any]]:
    """Each creator's latest moderation actions — against them, or against one of their clips —
    newest first, in one query for the whole page of the reports queue."""
    from feed.models import ModerationAction

    if not creator_ids:
        return {}
    actions = (
        ModerationAction.objects.filter(
            Q(target_user_id__in=creator_ids) | Q(video__creator_id__in=creator_ids)
        )
        .select_related("video")
        .order_by("-created_at", "-id")[: 50 * len(creator_ids)]
    )
    history: dict[int, list[Any]] = {creator_id: [] for creator_id in creator_ids}
    for action in actions:
        owner = action.video.creator_id if action.video_id else action.target_user_id
        if owner in history and len(history[owner]) < per_creator:
            history[owner].append(action)
    return history
