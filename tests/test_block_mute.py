"""Block and mute: the matrix across feeds (For You, Following, newest), comments, profiles,
mentions, notifications, cameos and remixes; the API, the profile buttons and settings undo."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Block, Follow, Mute, Notification
from credits.models import LedgerEntry
from feed.models import Comment
from feed.services import comment_create, like_set
from generation.models import GenerationJob
from likeness.models import Cameo, CameoUsage
from tests.factories import CommentFactory, UserFactory, VideoFactory


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


@pytest.fixture
def pair(db: None) -> tuple[Any, Any]:
    """Alice blocks Bob (the checks below look both ways)."""
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    return alice, bob


@pytest.mark.django_db
def test_block_and_unblock_through_the_api_is_idempotent(pair: tuple[Any, Any]) -> None:
    alice, bob = pair
    Follow.objects.create(follower=alice, followee=bob)
    Follow.objects.create(follower=bob, followee=alice)
    client = _client(alice)
    for _ in range(2):
        response = client.post("/api/v1/users/bob/block")
        assert response.status_code == 200 and response.json() == {"blocking": True}
    assert Block.objects.filter(blocker=alice, blocked=bob).count() == 1
    assert not Follow.objects.exists()  # a block ends follows both ways
    assert _client(bob).post("/api/v1/users/alice/follow").status_code == 403
    assert client.post("/api/v1/users/alice/block").status_code == 400  # yourself
    assert client.post("/api/v1/users/nobody/block").status_code == 404
    assert APIClient().post("/api/v1/users/bob/block").status_code in (401, 403)
    for _ in range(2):
        assert client.delete("/api/v1/users/bob/block").json() == {"blocking": False}
    assert not Block.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["blocker", "blocked"])
def test_a_block_hides_both_people_from_each_others_feeds(pair: tuple[Any, Any], who: str) -> None:
    alice, bob = pair
    carol = UserFactory()
    by_alice, by_bob, by_carol = (VideoFactory(creator=u, score=1.0) for u in (alice, bob, carol))
    Block.objects.create(blocker=alice, blocked=bob)
    viewer, other_clip = (alice, by_bob) if who == "blocker" else (bob, by_alice)
    Follow.objects.create(follower=viewer, followee=other_clip.creator)
    Follow.objects.create(follower=viewer, followee=carol)
    client = _client(viewer)
    for_you = _ids(client.get("/api/v1/feed/for-you?limit=10"))
    assert other_clip.pk not in for_you and by_carol.pk in for_you
    following = _ids(client.get("/api/v1/feed/following"))
    assert following == {by_carol.pk}
    newest = _ids(client.get("/api/v1/feed"))
    assert other_clip.pk not in newest and by_carol.pk in newest
    assert client.get(f"/api/v1/videos/{other_clip.pk}").status_code == 404
    assert client.get(f"/api/v1/videos/{by_carol.pk}/remixes").status_code == 200
    # A visitor still sees everyone.
    assert {by_alice.pk, by_bob.pk} <= _ids(APIClient().get("/api/v1/feed"))


@pytest.mark.django_db
def test_profiles_the_blocked_person_gets_404_the_blocker_an_empty_grid(
    pair: tuple[Any, Any],
) -> None:
    alice, bob = pair
    VideoFactory(creator=alice)
    VideoFactory(creator=bob)
    Block.objects.create(blocker=alice, blocked=bob)
    assert _client(bob).get("/api/v1/users/alice").status_code == 404
    assert _client(bob).get("/api/v1/users/alice/videos").status_code == 404
    profile = _client(alice).get("/api/v1/users/bob")
    assert profile.status_code == 200 and profile.json()["blocking"] is True
    assert _client(alice).get("/api/v1/users/bob/videos").json()["results"] == []
    browser = Client()
    browser.force_login(bob)
    assert browser.get("/@alice/").status_code == 404


@pytest.mark.django_db
def test_comments_mentions_and_notifications_between_blocked_people(
    pair: tuple[Any, Any],
) -> None:
    alice, bob = pair
    carol = UserFactory(username="carol")
    clip_by_carol = VideoFactory(creator=carol)
    clip_by_alice = VideoFactory(creator=alice)
    bobs_comment = CommentFactory(video=clip_by_carol, author=bob, body="hello")
    Block.objects.create(blocker=alice, blocked=bob)
    # Alice no longer sees Bob's comment on Carol's clip; Carol still does.
    alice_sees = _client(alice).get(f"/api/v1/videos/{clip_by_carol.pk}/comments").json()
    assert bobs_comment.pk not in {c["id"] for c in alice_sees["results"]}
    carol_sees = _client(carol).get(f"/api/v1/videos/{clip_by_carol.pk}/comments").json()
    assert bobs_comment.pk in {c["id"] for c in carol_sees["results"]}
    # Bob can't comment on Alice's clip nor answer Alice's comment.
    response = _client(bob).post(
        f"/api/v1/videos/{clip_by_alice.pk}/comments", {"body": "hi"}, format="json"
    )
    assert response.status_code == 404
    alices_comment = CommentFactory(video=clip_by_carol, author=alice, body="mine")
    response = _client(bob).post(
        f"/api/v1/videos/{clip_by_carol.pk}/comments",
        {"body": "re", "parent": alices_comment.pk},
        format="json",
    )
    assert response.status_code == 404
    assert not Comment.objects.filter(author=bob).exclude(pk=bobs_comment.pk).exists()
    # A mention of Alice by Bob links nobody and tells nobody; Carol is still told.
    Notification.objects.all().delete()
    comment = comment_create(author=bob, video=clip_by_carol, body="@alice @carol look")
    assert list(comment.mentions.all()) == [carol]
    assert not Notification.objects.filter(recipient=alice).exists()
    # A like is not notified across a block either.
    clip_by_bob = VideoFactory(creator=bob)
    like_set(user=alice, video=clip_by_bob, liked=True)
    assert not Notification.objects.filter(recipient=bob, actor=alice).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("direction", ["owner_blocked_requester", "requester_blocked_owner"])
def test_cameo_use_is_refused_across_a_block_before_anything_is_created(
    pair: tuple[Any, Any], direction: str
) -> None:
    alice, bob = pair
    Cameo.objects.create(owner=alice, handle="alice", status="approved", permission="everyone")
    if direction == "owner_blocked_requester":
        Block.objects.create(blocker=alice, blocked=bob)
    else:
        Block.objects.create(blocker=bob, blocked=alice)
    entries = LedgerEntry.objects.count()
    response = _client(bob).post(
        "/api/v1/generations", {"prompt": "@alice surfing", "seconds": 2}, format="json"
    )
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "cameo_not_allowed"
    assert "blocked" in response.json()["detail"]
    assert not GenerationJob.objects.exists() and not CameoUsage.objects.exists()
    assert LedgerEntry.objects.count() == entries


@pytest.mark.django_db
@pytest.mark.parametrize("direction", ["creator_blocked_remixer", "remixer_blocked_creator"])
def test_remix_is_refused_across_a_block(pair: tuple[Any, Any], direction: str) -> None:
    alice, bob = pair
    source = VideoFactory(creator=alice)
    if direction == "creator_blocked_remixer":
        Block.objects.create(blocker=alice, blocked=bob)
    else:
        Block.objects.create(blocker=bob, blocked=alice)
    entries = LedgerEntry.objects.count()
    response = _client(bob).post(
        "/api/v1/generations",
        {"prompt": "a boat", "seconds": 2, "remix_of": source.pk},
        format="json",
    )
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "blocked"
    assert not GenerationJob.objects.exists()
    assert LedgerEntry.objects.count() == entries


@pytest.mark.django_db
def test_mute_hides_clips_from_feeds_only(pair: tuple[Any, Any]) -> None:
    alice, bob = pair
    by_bob = VideoFactory(creator=bob, score=1.0)
    other = VideoFactory(creator=UserFactory(), score=1.0)
    Follow.objects.create(follower=alice, followee=bob)
    client = _client(alice)
    for _ in range(2):
        assert client.post("/api/v1/users/bob/mute").json() == {"muting": True}
    assert Mute.objects.count() == 1
    assert by_bob.pk not in _ids(client.get("/api/v1/feed/for-you?limit=10"))
    assert other.pk in _ids(client.get("/api/v1/feed"))
    assert by_bob.pk not in _ids(client.get("/api/v1/feed"))
    assert _ids(client.get("/api/v1/feed/following")) == set()
    # Not a block: the profile, the clip and its comments still open; Bob can still comment.
    assert client.get("/api/v1/users/bob/videos").json()["results"][0]["id"] == by_bob.pk
    assert client.get(f"/api/v1/videos/{by_bob.pk}").status_code == 200
    assert client.get("/api/v1/users/bob").json()["muting"] is True
    assert client.delete("/api/v1/users/bob/mute").json() == {"muting": False}
    assert by_bob.pk in _ids(client.get("/api/v1/feed/following"))


@pytest.mark.django_db
def test_profile_buttons_and_settings_undo(pair: tuple[Any, Any]) -> None:
    alice, _bob = pair
    browser = Client()
    browser.force_login(alice)
    page = browser.get("/@bob/").content.decode()
    assert 'value="block"' in page and 'value="mute"' in page
    response = browser.post("/@bob/relation/", {"action": "block", "next": "/@bob/"})
    assert response.status_code == 302 and response["Location"] == "/@bob/"
    browser.post("/@bob/relation/", {"action": "mute", "next": "/@bob/"})
    assert 'value="unblock"' in browser.get("/@bob/").content.decode()
    settings_page = browser.get("/settings/profile/").content.decode()
    assert "@bob" in settings_page and "unblock" in settings_page and "unmute" in settings_page
    browser.post("/@bob/relation/", {"action": "unblock", "next": "https://evil.example/"})
    browser.post("/@bob/relation/", {"action": "unmute"})
    assert not Block.objects.exists() and not Mute.objects.exists()
    assert browser.post("/@bob/relation/", {"action": "explode"}).status_code == 400
    assert browser.post("/@nobody/relation/", {"action": "block"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_feed_and_comment_queries_stay_constant_with_blocks(
    count: int, django_assert_max_num_queries: Any
) -> None:
    viewer = UserFactory()
    for _ in range(3):
        Block.objects.create(blocker=viewer, blocked=UserFactory())
    Mute.objects.create(muter=viewer, muted=UserFactory())
    followee = UserFactory()
    Follow.objects.create(follower=viewer, followee=followee)
    clip = VideoFactory(creator=followee)
    VideoFactory.create_batch(count - 1, creator=followee)
    CommentFactory.create_batch(count, video=clip)
    client = _client(viewer)
    client.get("/api/v1/feed/following")  # warm up session/auth caches
    with django_assert_max_num_queries(4):
        assert len(_ids(client.get("/api/v1/feed/following?limit=30"))) == count
    with django_assert_max_num_queries(4):
        response = client.get(f"/api/v1/videos/{clip.pk}/comments")
        assert len(response.json()["results"]) == count
