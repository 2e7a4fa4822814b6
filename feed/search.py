"""Search (reads only): people by handle and name, clips by prompt and caption, hashtags.

On PostgreSQL people are ranked by trigram similarity (pg_trgm, GIN-indexed) and clips by
full-text rank over English and French vectors at once (GIN-indexed, migration
feed/0006_search_indexes), so "running" finds "run" and "chevaux" finds "cheval". On SQLite, the
development fallback matches words with `icontains` on a bounded set of recent rows and ranks
them in Python. Either way results respect visibility, bans and blocks, and a search costs the
same few queries whatever it finds."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import Greatest

from accounts.models import User
from accounts.selectors import blocked_q
from feed.hashtags import hashtag_normal
from feed.models import Hashtag, Video, VideoStatus
from feed.selectors import visible_videos_for

SEARCH_MAX_CHARS = 100
PEOPLE_LIMIT = 10
CLIPS_LIMIT = 20
TAGS_LIMIT = 10
# SQLite fallback: how many candidate rows are ranked in Python at most.
FALLBACK_POOL = 500
TRIGRAM_THRESHOLD = 0.2
WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class SearchResults:
    query: str
    people: list[User]
    clips: list[Video]
    hashtags: list[Hashtag]  # each with `clip_count`


def search_normalize(q: str) -> str:
    """The query as searched: control characters (NUL…) dropped, whitespace folded, at most
    SEARCH_MAX_CHARS."""
    q = "".join(c for c in (q or "") if not unicodedata.category(c).startswith("C"))
    return " ".join(q.split())[:SEARCH_MAX_CHARS]


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def clip_vector(config: str) -> SearchVector:
    # The exact expression the GIN indexes of feed/0006_search_indexes were built from.
    return SearchVector("prompt", "caption", config=config)


def _words(q: str) -> list[str]:
    return [word.casefold() for word in WORD_RE.findall(q)]


def _fallback_score(text: str, words: list[str], phrase: str) -> float:
    text = text.casefold()
    score = 2.0 if phrase and phrase in text else 0.0
    for word in words:
        # Whole words count more than parts of words; repeats a little more, up to three.
        whole = len(re.findall(rf"\b{re.escape(word)}\b", text))
        score += min(whole, 3) * 1.0 + (0.5 if not whole and word in text else 0.0)
    return score


def people_search(*, q: str, viewer: Any, limit: int = PEOPLE_LIMIT) -> list[User]:
    """Active people matching a handle or a name, best first; one query. People blocked either
    way never show."""
    q = search_normalize(q).lstrip("@")
    if not q:
        return []
    people = User.objects.filter(is_active=True)
    if getattr(viewer, "is_authenticated", False):
        people = people.exclude(blocked_q(viewer=viewer, field="pk"))
    if _postgres():
        # `%>` (word similarity: "alic" in "alicia_k", "martine" in "Martine Dupont") and `%`
        # both use the gin_trgm_ops indexes; whole-string similarity orders the matches.
        return list(
            people.annotate(
                similarity=Greatest(
                    TrigramSimilarity("username", q), TrigramSimilarity("display_name", q)
                ),
                word_similarity=Greatest(
                    TrigramWordSimilarity(q, "username"), TrigramWordSimilarity(q, "display_name")
                ),
            )
            .filter(
                Q(username__trigram_similar=q)
                | Q(display_name__trigram_similar=q)
                | Q(username__trigram_word_similar=q)
                | Q(display_name__trigram_word_similar=q)
            )
            .order_by("-similarity", "-word_similarity", "username")[:limit]
        )
    words = _words(q)
    match = Q()
    for word in words or [q.casefold()]:
        match |= Q(username__icontains=word) | Q(display_name__icontains=word)
    pool = list(people.filter(match).order_by("-id")[:FALLBACK_POOL])
    folded = q.casefold()

    def score(user: User) -> float:
        handle = user.username.casefold()
        exact = 3.0 if handle == folded else 1.5 if handle.startswith(folded) else 0.0
        return exact + _fallback_score(f"{user.username} {user.display_name}", words, folded)

    pool.sort(key=lambda user: (-score(user), user.username))
    return pool[:limit]


def clips_search(*, q: str, viewer: Any, limit: int = CLIPS_LIMIT) -> list[Video]:
    """Visible clips whose prompt or caption match, best first; one query. On PostgreSQL an
    English or a French match counts (each language's stemming), ranked by the better of the
    two; clips by banned or blocked people never show."""
    q = search_normalize(q)
    if not q:
        return []
    clips = visible_videos_for(viewer=viewer)
    if _postgres():
        english = SearchQuery(q, config="english", search_type="websearch")
        french = SearchQuery(q, config="french", search_type="websearch")
        return list(
            clips.annotate(en=clip_vector("english"), fr=clip_vector("french"))
            .filter(Q(en=english) | Q(fr=french))
            .annotate(
                rank=Greatest(
                    SearchRank(clip_vector("english"), english),
                    SearchRank(clip_vector("french"), french),
                )
            )
            .order_by("-rank", "-published_at", "-id")[:limit]
        )
    # Every word must appear, as PostgreSQL's full-text query asks.
    words = _words(q)
    match = Q()
    for word in words or [q.casefold()]:
        match &= Q(prompt__icontains=word) | Q(caption__icontains=word)
    pool = list(clips.filter(match).order_by("-published_at", "-id")[:FALLBACK_POOL])
    folded = q.casefold()
    ranked = sorted(
        enumerate(pool),
        key=lambda pair: (-_fallback_score(f"{pair[1].caption} {pair[1].prompt}", words, folded),
                          pair[0]),
    )  # fmt: skip
    return [video for _, video in ranked[:limit]]


def hashtags_search(*, q: str, limit: int = TAGS_LIMIT) -> list[Hashtag]:
    """Tags starting with the query (a leading "#" is optional), most used first, each with its
    number of visible clips (`clip_count`); tags with no visible clip are left out. One query."""
    name = hashtag_normal(search_normalize(q).lstrip("#").replace(" ", ""))
    if not name:
        return []
    visible = Q(videos__status=VideoStatus.VISIBLE, videos__creator__is_active=True)
    return list(
        Hashtag.objects.filter(name__startswith=name)
        .annotate(clip_count=Count("videos", filter=visible))
        .filter(clip_count__gt=0)
        .order_by("-clip_count", "name")[:limit]
    )


def search(*, q: str, viewer: Any) -> SearchResults:
    """People, clips and hashtags for a query: three queries (none for an empty query)."""
    q = search_normalize(q)
    return SearchResults(
        query=q,
        people=people_search(q=q, viewer=viewer),
        clips=clips_search(q=q, viewer=viewer),
        hashtags=hashtags_search(q=q),
    )
