"""For You ranking: no creator three times in a row, about a quarter discovery clips, nothing
served twice to one viewer while unseen clips remain, "show less like this" takes effect, the
score function is sensible and incremental re-scoring only touches clips with new activity."""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from feed import ranking
from feed.models import Video
from feed.services import for_you_feed, for_you_page, like_set, scores_refresh
from tests.factories import UserFactory, VideoFactory

PAGE = 8


def _clip(creator: Any, *, score: float, hours_old: float, views: int = 0) -> Video:
    return VideoFactory(
        creator=creator,
        score=score,
        published_at=timezone.now() - timedelta(hours=hours_old),
        view_count=views,
    )


def _page(viewer: Any, limit: int = PAGE) -> list[Video]:
    return for_you_page(viewer=viewer, viewer_key=f"u{viewer.pk}", limit=limit)


def _longest_creator_run(videos: list[Video]) -> int:
    longest = run = 0
    previous = None
    for video in videos:
        run = run + 1 if video.creator_id == previous else 1
        previous = video.creator_id
        longest = max(longest, run)
    return longest


def _old_clips(count: int, creators: list[Any], *, seed: int = 7) -> list[Video]:
    """Clips a month old (never discovery picks) with shuffled scores."""
    rng = random.Random(seed)
    return [
        _clip(creators[i % len(creators)], score=rng.uniform(10, 60), hours_old=720 + i)
        for i in range(count)
    ]


# --- Creator runs ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_creator_appears_three_times_in_a_row_with_few_creators() -> None:
    _old_clips(45, [UserFactory() for _ in range(3)])
    viewer = UserFactory()
    for _ in range(4):
        page = _page(viewer)
        assert len(page) == PAGE
        assert _longest_creator_run(page) <= 2


@pytest.mark.django_db
def test_a_creator_who_dominates_the_ranking_still_never_appears_three_times_in_a_row() -> None:
    star, *others = [UserFactory() for _ in range(3)]
    for i in range(30):
        _clip(star, score=100 - i, hours_old=720)
    for i in range(10):
        for other in others:
            _clip(other, score=10 - i, hours_old=720)
    viewer = UserFactory()
    for _ in range(3):
        page = _page(viewer)
        assert len(page) == PAGE
        assert _longest_creator_run(page) <= 2


@pytest.mark.django_db
def test_for_you_api_pages_never_show_a_creator_three_times_in_a_row(api: APIClient) -> None:
    _old_clips(60, [UserFactory() for _ in range(3)], seed=3)
    for _ in range(2):
        results = api.get("/api/v1/feed/for-you", {"limit": 20}).json()["results"]
        creators = [item["creator"]["id"] for item in results]
        assert len(creators) == 20
        assert not any(creators[i] == creators[i + 1] == creators[i + 2] for i in range(18))


# --- Discovery -------------------------------------------------------------------------------


def _old_stars_and_fresh_clips() -> tuple[set[int], set[int]]:
    """Old clips with high scores from six creators, fresh low-score clips from five others."""
    stars = [UserFactory() for _ in range(6)]
    newcomers = [UserFactory() for _ in range(5)]
    old = {_clip(stars[i % 6], score=90 - i, hours_old=24 * 30 + i).pk for i in range(42)}
    fresh = {
        _clip(newcomers[i % 5], score=i * 0.1, hours_old=1 + i * 3, views=i).pk for i in range(20)
    }
    return old, fresh


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [8, 20])
def test_about_a_quarter_of_a_page_is_discovery_clips(limit: int) -> None:
    old, fresh = _old_stars_and_fresh_clips()
    page = _page(UserFactory(), limit=limit)
    ids = [video.pk for video in page]
    assert len(ids) == limit
    discovered = [pk for pk in ids if pk in fresh]
    assert 1 <= len(discovered) <= limit // 2
    assert set(ids) - set(discovered) <= old


@pytest.mark.django_db
def test_clips_older_than_72_hours_or_with_many_views_are_not_discovery_picks() -> None:
    for i in range(40):
        _clip(UserFactory(), score=90 - i, hours_old=24 * 30)
    too_old = {_clip(UserFactory(), score=1, hours_old=73).pk for _ in range(5)}
    too_popular = {_clip(UserFactory(), score=1, hours_old=2, views=50).pk for _ in range(5)}
    ids = {video.pk for video in _page(UserFactory())}
    assert len(ids) == PAGE
    assert not ids & (too_old | too_popular)


# --- Seen clips ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_clips_already_served_are_not_served_again_while_unseen_ones_remain() -> None:
    _old_clips(30, [UserFactory() for _ in range(5)])
    viewer = UserFactory()
    pages = [{video.pk for video in _page(viewer)} for _ in range(3)]
    assert [len(page) for page in pages] == [PAGE] * 3
    assert len(pages[0] | pages[1] | pages[2]) == 3 * PAGE


@pytest.mark.django_db
def test_pages_with_discovery_clips_are_full_and_disjoint() -> None:
    old, fresh = _old_stars_and_fresh_clips()
    viewer = UserFactory()
    pages = [{video.pk for video in _page(viewer)} for _ in range(5)]
    assert [len(page) for page in pages] == [PAGE] * 5
    assert len(set().union(*pages)) == 5 * PAGE


@pytest.mark.django_db
def test_once_everything_was_seen_the_best_clips_come_again() -> None:
    clips = _old_clips(5, [UserFactory() for _ in range(2)])
    viewer = UserFactory()
    first = for_you_feed(viewer=viewer, viewer_key=f"u{viewer.pk}")
    assert set(first.ids) == {video.pk for video in clips} and first.caught_up_at is None
    # Everything seen: "caught up" at the top of the page, then the best clips again.
    again = for_you_feed(viewer=viewer, viewer_key=f"u{viewer.pk}", cursor=first.next_cursor)
    by_rank = sorted(clips, key=lambda video: (video.score, video.pk), reverse=True)
    assert again.caught_up_at == 0
    assert again.ids == [video.pk for video in by_rank]
    assert for_you_page(viewer=viewer, viewer_key=f"u{viewer.pk}") == []


@pytest.mark.django_db
def test_the_seen_set_belongs_to_one_viewer() -> None:
    _old_clips(30, [UserFactory() for _ in range(5)])
    first_viewer, second_viewer = UserFactory(), UserFactory()
    first = [video.pk for video in _page(first_viewer)]
    assert [video.pk for video in _page(second_viewer)] == first


@pytest.mark.django_db
def test_for_you_api_pages_do_not_repeat_for_a_signed_in_viewer(api: APIClient) -> None:
    _old_clips(30, [UserFactory() for _ in range(5)])
    pages = [
        [item["id"] for item in api.get("/api/v1/feed/for-you").json()["results"]] for _ in range(2)
    ]
    assert [len(page) for page in pages] == [PAGE, PAGE]
    assert not set(pages[0]) & set(pages[1])


@pytest.mark.django_db
def test_for_you_api_pages_do_not_repeat_for_an_anonymous_viewer(anon_api: APIClient) -> None:
    _old_clips(30, [UserFactory() for _ in range(5)])
    first = [item["id"] for item in anon_api.get("/api/v1/feed/for-you").json()["results"]]
    second = [item["id"] for item in anon_api.get("/api/v1/feed/for-you").json()["results"]]
    assert len(first) == len(second) == PAGE
    assert not set(first) & set(second)
    # Another browser (no cookie yet) starts from the top.
    newcomer = [item["id"] for item in APIClient().get("/api/v1/feed/for-you").json()["results"]]
    assert newcomer == first


# --- Show less like this ---------------------------------------------------------------------


@pytest.mark.django_db
def test_show_less_like_this_lowers_that_creators_share_of_the_next_page() -> None:
    creators = [UserFactory() for _ in range(4)]
    for rank in range(12):
        for index, creator in enumerate(creators):
            # Interleaved and close together: every page holds two clips of each creator.
            _clip(creator, score=20 - rank * 0.1 - index * 0.01, hours_old=720)
    viewer, control = UserFactory(), UserFactory()
    first = _page(viewer)
    assert [video.pk for video in _page(control)] == [video.pk for video in first]
    disliked = first[0]
    client = APIClient()
    client.force_authenticate(viewer)
    response = client.post(f"/api/v1/videos/{disliked.pk}/less-like-this")
    assert response.status_code == 204

    def share(page: list[Video]) -> int:
        return sum(video.creator_id == disliked.creator_id for video in page)

    viewer_share, control_share = share(_page(viewer)), share(_page(control))
    assert control_share >= 2
    assert viewer_share < control_share


@pytest.mark.django_db
def test_show_less_like_this_on_a_hidden_clip_is_404(api: APIClient) -> None:
    video = VideoFactory(status="hidden")
    assert api.post(f"/api/v1/videos/{video.pk}/less-like-this").status_code == 404


# --- The score -------------------------------------------------------------------------------


def _score(likes: int = 0, *, hours_ago: float = 0, **engagement: Any) -> float:
    published_at = ranking.EPOCH + timedelta(days=300) - timedelta(hours=hours_ago)
    values = {"comments": 0, "remixes": 0, "views": 0, "completed_views": 0} | engagement
    return ranking.score(
        ranking.Engagement(likes=likes, creator_quality=0.5, **values), published_at
    )[0]


def test_more_likes_score_higher() -> None:
    assert _score(0) < _score(1) < _score(10) < _score(100)


def test_newer_clips_score_higher_at_equal_engagement() -> None:
    assert _score(10, hours_ago=1) < _score(10, hours_ago=0)
    assert _score(10, hours_ago=48) < _score(10, hours_ago=24)


def test_a_clip_one_half_life_older_needs_about_double_the_likes() -> None:
    half_life = ranking.HALF_LIFE_HOURS
    assert _score(199, hours_ago=half_life) == pytest.approx(_score(99), abs=0.01)
    assert _score(99, hours_ago=half_life) == pytest.approx(_score(99) - math.log(2), abs=0.01)


def test_comments_remixes_and_completed_views_raise_the_score() -> None:
    base = _score(views=10, completed_views=5)
    assert _score(comments=3, views=10, completed_views=5) > base
    assert _score(remixes=3, views=10, completed_views=5) > base
    assert _score(views=10, completed_views=9) > base


def test_score_parts_add_up_to_the_score() -> None:
    engagement = ranking.Engagement(4, 2, 1, 30, 12, creator_quality=0.7)
    total, parts = ranking.score(engagement, ranking.EPOCH + timedelta(days=3))
    assert set(parts) == {"likes", "comments", "remixes", "completion", "creator", "freshness"}
    assert total == pytest.approx(sum(parts.values()), abs=1e-3)


def test_keywords_skip_stopwords_and_repeats() -> None:
    words = ranking.keywords("A slow camera shot of the red fox and the Red moon")
    assert words == ["slow", "red", "fox", "moon"]


def test_limit_creator_runs_breaks_runs_of_three_with_the_next_other_creator() -> None:
    items = ["a1", "a2", "a3", "a4", "b1", "c1"]
    result = ranking.limit_creator_runs(items, creator_of=lambda item: item[0])
    assert result == ["a1", "a2", "b1", "a3", "a4", "c1"]


# --- Incremental re-scoring ------------------------------------------------------------------


def _snapshot() -> dict[int, tuple[Any, ...]]:
    return {
        row["pk"]: (row["score"], row["score_parts"], row["scored_at"])
        for row in Video.objects.values("pk", "score", "score_parts", "scored_at")
    }


@pytest.mark.django_db
def test_scores_refresh_only_rescores_clips_with_activity_since_their_last_scoring() -> None:
    quiet, busy, also_quiet = (VideoFactory() for _ in range(3))
    assert scores_refresh() == 3  # never scored yet
    before = _snapshot()
    like_set(user=UserFactory(), video=busy, liked=True)
    assert scores_refresh() == 1
    after = _snapshot()
    assert after[quiet.pk] == before[quiet.pk]
    assert after[also_quiet.pk] == before[also_quiet.pk]
    assert after[busy.pk][0] > before[busy.pk][0]  # one like more
    assert after[busy.pk][2] > before[busy.pk][2]


@pytest.mark.django_db
def test_running_scores_refresh_twice_changes_nothing_the_second_time() -> None:
    videos = [VideoFactory() for _ in range(4)]
    like_set(user=UserFactory(), video=videos[1], liked=True)
    assert scores_refresh() == 4
    before = _snapshot()
    assert scores_refresh() == 0
    assert _snapshot() == before
