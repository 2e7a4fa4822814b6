"""Search: people (handle, name), clips (prompt, caption; English and French on PostgreSQL) and
tags; relevance, visibility (hidden, banned, blocked), bad input, the page, and a query count
that does not grow with the results. Runs on SQLite (the fallback) and PostgreSQL (trigram and
full-text, DATABASE_URL set)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Block
from feed.models import VideoStatus
from feed.search import clips_search, people_search
from feed.services import hashtags_attach
from tests.factories import UserFactory, VideoFactory

POSTGRES = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="PostgreSQL stemming and trigrams"
)


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _search(client: APIClient, q: str) -> dict[str, Any]:
    response = client.get("/api/v1/search", {"q": q})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_people_by_handle_and_name_best_first() -> None:
    alice = UserFactory(username="alice", display_name="Alice Martin")
    alicia = UserFactory(username="alicia_k", display_name="")
    martin = UserFactory(username="zed", display_name="Martine Dupont")
    UserFactory(username="bob", display_name="Bob")
    viewer = UserFactory()
    people = [p["handle"] for p in _search(_client(viewer), "alice")["people"]]
    assert people[0] == "alice" and "bob" not in people
    people = [p["handle"] for p in _search(_client(viewer), "@Alic")["people"]]
    assert set(people) >= {"alice", "alicia_k"}
    by_name = [p.username for p in people_search(q="Martine", viewer=viewer)]
    assert by_name[0] == martin.username
    assert alice.pk and alicia.pk


@pytest.mark.django_db
def test_clips_by_prompt_and_caption_best_first() -> None:
    both = VideoFactory(prompt="a red fox running in the snow", caption="red fox at dawn")
    one = VideoFactory(prompt="a fox asleep", caption="")
    VideoFactory(prompt="a blue whale", caption="ocean")
    # Every word must match; more matches rank higher.
    assert [c["id"] for c in _search(APIClient(), "red fox")["clips"]] == [both.pk]
    assert [c["id"] for c in _search(APIClient(), "fox")["clips"]] == [both.pk, one.pk]
    assert [c["id"] for c in _search(APIClient(), "dawn")["clips"]] == [both.pk]


@pytest.mark.django_db
@POSTGRES
def test_postgres_stems_english_and_french() -> None:
    english = VideoFactory(prompt="horses running along the beach")
    french = VideoFactory(prompt="des chevaux galopent sur la plage")
    VideoFactory(prompt="a quiet library")
    assert [v.pk for v in clips_search(q="horse runs", viewer=None)] == [english.pk]
    assert [v.pk for v in clips_search(q="cheval", viewer=None)] == [french.pk]
    assert [v.pk for v in clips_search(q="galoper", viewer=None)] == [french.pk]
    # Trigram similarity forgives a typo in a handle.
    UserFactory(username="marguerite")
    assert [u.username for u in people_search(q="margerite", viewer=None)] == ["marguerite"]


@pytest.mark.django_db
def test_results_respect_visibility_bans_and_blocks() -> None:
    viewer = UserFactory()
    banned = UserFactory(username="surf_banned", is_active=False)
    blocker = UserFactory(username="surf_blocker")
    blocked = UserFactory(username="surf_blocked")
    Block.objects.create(blocker=blocker, blocked=viewer)
    Block.objects.create(blocker=viewer, blocked=blocked)
    shown = VideoFactory(prompt="surf at sunset")
    VideoFactory(prompt="surf hidden", status=VideoStatus.HIDDEN)
    VideoFactory(prompt="surf banned", creator=banned)
    by_blocker = VideoFactory(prompt="surf blocker", creator=blocker)
    by_blocked = VideoFactory(prompt="surf blocked", creator=blocked)
    hashtags_attach(video=shown, names=["surf"])
    hidden_only = VideoFactory(prompt="x", status=VideoStatus.HIDDEN)
    hashtags_attach(video=hidden_only, names=["surfhidden"])
    body = _search(_client(viewer), "surf")
    assert [c["id"] for c in body["clips"]] == [shown.pk]
    assert [p["handle"] for p in body["people"]] == []
    assert [t["name"] for t in body["hashtags"]] == ["surf"]  # no tag with only hidden clips
    assert body["hashtags"][0]["clips"] == 1 and body["hashtags"][0]["url"] == "/tags/surf/"
    # A visitor sees everyone visible, blocked or not (but never the banned or hidden).
    visitor = _search(APIClient(), "surf")
    assert {c["id"] for c in visitor["clips"]} == {shown.pk, by_blocker.pk, by_blocked.pk}
    assert {p["handle"] for p in visitor["people"]} == {"surf_blocker", "surf_blocked"}


@pytest.mark.django_db
def test_bad_queries_are_a_clear_400_or_harmless() -> None:
    client = APIClient()
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client.get("/api/v1/search", params)
        assert response.status_code == 400 and "q" in response.json()["fields"]
    for q in ["%", "_", "'; drop table", "#", "@", "a" * 5000, "\u0000x", "(fox) & !|"]:
        assert client.get("/api/v1/search", {"q": q}).status_code in (200, 400), q


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_search_costs_constant_queries(count: int, django_assert_num_queries: Any) -> None:
    viewer = UserFactory()
    for i in range(count):
        video = VideoFactory(prompt=f"lantern festival number {i}", creator=UserFactory(
            username=f"lantern{i:02d}"))  # fmt: skip
        hashtags_attach(video=video, names=[f"lantern{i}"])
    # People, clips, tags, the viewer's likes.
    with django_assert_num_queries(4):
        body = _search(_client(viewer), "lantern")
    assert len(body["clips"]) == count and len(body["people"]) == min(count, 10)
    assert len(body["hashtags"]) == min(count, 10)


@pytest.mark.django_db
def test_search_page_and_trending_when_empty() -> None:
    UserFactory(username="poppy")
    VideoFactory(prompt="poppy fields in the wind")
    page = Client().get("/search/", {"q": "poppy"})
    html = page.content.decode()
    assert page.status_code == 200 and "@poppy" in html and 'id="search-clips"' in html
    empty = Client().get("/search/")
    assert empty.status_code == 200 and 'id="trending-tags"' in empty.content.decode()
    assert connection.vendor in ("sqlite", "postgresql")
