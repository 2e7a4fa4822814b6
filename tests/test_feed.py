"""The feed API and page: newest first, cursor pages, hidden clips left out, constant queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from feed.models import VideoStatus
from tests.factories import UserFactory, VideoFactory


def _make(count: int) -> list[Any]:
    creators = [UserFactory() for _ in range(3)]
    return [VideoFactory(creator=creators[i % 3]) for i in range(count)]


@pytest.mark.django_db
def test_feed_is_newest_first_with_a_working_cursor(anon_api: APIClient) -> None:
    videos = _make(12)
    expected = [v.pk for v in sorted(videos, key=lambda v: v.published_at, reverse=True)]
    seen: list[int] = []
    cursor = None
    for _ in range(5):
        params = {"limit": 5} | ({"cursor": cursor} if cursor else {})
        body = anon_api.get("/api/v1/feed", params).json()
        seen += [item["id"] for item in body["results"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == expected


@pytest.mark.django_db
def test_feed_items_say_they_are_ai_generated_and_have_media(anon_api: APIClient) -> None:
    _make(1)
    item = anon_api.get("/api/v1/feed").json()["results"][0]
    assert item["ai_generated"] is True
    assert item["video_url"].startswith("/media/videos/") and item["video_url"].endswith(".mp4")
    assert item["poster_url"].endswith(".jpg")
    assert item["creator"]["handle"]


@pytest.mark.django_db
def test_hidden_and_removed_clips_are_not_in_the_feed(anon_api: APIClient) -> None:
    visible, hidden, removed = _make(3)
    hidden.status = VideoStatus.HIDDEN
    hidden.save()
    removed.status = VideoStatus.REMOVED
    removed.save()
    ids = [item["id"] for item in anon_api.get("/api/v1/feed").json()["results"]]
    assert ids == [visible.pk]
    assert anon_api.get(f"/api/v1/videos/{hidden.pk}").status_code == 404
    assert Client().get(f"/v/{removed.pk}/").status_code == 404


@pytest.mark.django_db
def test_bad_cursor_is_400(anon_api: APIClient) -> None:
    response = anon_api.get("/api/v1/feed", {"cursor": "!!not-a-cursor"})
    assert response.status_code == 400
    assert response.json()["fields"]["cursor"]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_feed_api_page_costs_constant_queries(
    anon_api: APIClient, django_assert_num_queries: Any, count: int
) -> None:
    _make(count)
    with django_assert_num_queries(1):
        body = anon_api.get("/api/v1/feed", {"limit": 20}).json()
    assert len(body["results"]) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_feed_page_costs_constant_queries(
    client: Client, django_assert_num_queries: Any, count: int
) -> None:
    _make(count)
    # Anonymous first visit, For You tab: the shared candidate pools (ranked and discovery),
    # then the chosen clips.
    with django_assert_num_queries(3):
        response = client.get("/")
    assert response.status_code == 200
    # The next visit within the pools' lifetime: only the chosen clips.
    with django_assert_num_queries(1):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_video_page_has_ai_label_and_open_graph_tags(client: Client) -> None:
    video = _make(1)[0]
    html = client.get(f"/v/{video.pk}/").content.decode()
    assert 'property="og:video"' in html and 'property="og:image"' in html
    assert "AI-generated" in html
    assert f"@{video.creator.username}" in html
