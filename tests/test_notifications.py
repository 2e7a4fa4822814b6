"""Notifications: likes, comments, remixes and follows fold into groups ("@d and 3 others liked
your clip") while mentions and replies stay one per event; the API and the page list and mark
them read; each one is pushed live to its recipient's websocket and no one else's."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Notification, NotificationKind
from accounts.selectors import notification_text, notifications_grouped
from accounts.services import follow_set, notifications_mark_read
from config.asgi import application
from feed.services import comment_create, like_set
from tests.factories import UserFactory, VideoFactory

URL = "/api/v1/notifications"
READ_URL = "/api/v1/notifications/read"


def _users(*handles: str) -> list[Any]:
    return [UserFactory(username=handle) for handle in handles]


def _likes(video: Any, likers: list[Any]) -> None:
    for liker in likers:
        like_set(user=liker, video=video, liked=True)


def _texts(user: Any) -> list[str]:
    return [group.text for group in notifications_grouped(user=user)]


# --- Grouping --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("handles", "text"),
    [
        (["ann"], "@ann liked your clip"),
        (["ann", "bob"], "@bob and @ann liked your clip"),
        (["ann", "bob", "cat"], "@cat and 2 others liked your clip"),
        (["ann", "bob", "cat", "dan"], "@dan and 3 others liked your clip"),
    ],
)
def test_likes_on_one_clip_fold_into_one_group(handles: list[str], text: str) -> None:
    video = VideoFactory()
    _likes(video, _users(*handles))
    [group] = notifications_grouped(user=video.creator)
    assert group.text == text
    assert group.kind == NotificationKind.LIKE and group.video_id == video.pk
    assert len(group.ids) == len(handles) and group.unread


def test_notification_text_says_one_other_in_the_singular() -> None:
    text = notification_text(kind=NotificationKind.LIKE, actors=["ann"], others=1)
    assert text == "@ann and 1 other liked your clip"


@pytest.mark.django_db
def test_someone_who_likes_again_is_named_once() -> None:
    video = VideoFactory()
    [ann] = _users("ann")
    like_set(user=ann, video=video, liked=True)
    like_set(user=ann, video=video, liked=False)
    like_set(user=ann, video=video, liked=True)
    assert _texts(video.creator) == ["@ann liked your clip"]


@pytest.mark.django_db
def test_likes_on_two_clips_are_two_groups_newest_first() -> None:
    creator = UserFactory()
    first, second = VideoFactory(creator=creator), VideoFactory(creator=creator)
    ann, bob, cat = _users("ann", "bob", "cat")
    _likes(first, [ann, bob])
    _likes(second, [cat])
    groups = notifications_grouped(user=creator)
    assert [(g.video_id, g.text) for g in groups] == [
        (second.pk, "@cat liked your clip"),
        (first.pk, "@bob and @ann liked your clip"),
    ]


@pytest.mark.django_db
def test_mentions_are_not_grouped() -> None:
    video = VideoFactory()
    [sam] = _users("sam")
    ann, bob = _users("ann", "bob")
    comment_create(author=ann, video=video, body="look @sam")
    comment_create(author=bob, video=video, body="@sam you have to see this")
    groups = notifications_grouped(user=sam)
    assert [(g.kind, g.text) for g in groups] == [
        (NotificationKind.MENTION, "@bob mentioned you in a comment"),
        (NotificationKind.MENTION, "@ann mentioned you in a comment"),
    ]
    assert groups[0].comment_excerpt == "@sam you have to see this"


@pytest.mark.django_db
def test_comments_on_one_clip_and_follows_are_grouped() -> None:
    creator = UserFactory()
    video = VideoFactory(creator=creator)
    ann, bob = _users("ann", "bob")
    comment_create(author=ann, video=video, body="nice")
    comment_create(author=bob, video=video, body="great")
    follow_set(follower=ann, followee=creator, following=True)
    follow_set(follower=bob, followee=creator, following=True)
    assert _texts(creator) == ["@bob and @ann followed you", "@bob and @ann commented on your clip"]


# --- API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_lists_groups_and_the_unread_count(api: APIClient, user: Any) -> None:
    video = VideoFactory(creator=user)
    _likes(video, _users("ann", "bob", "cat"))
    _likes(VideoFactory(), _users("dan"))  # someone else's notification
    body = api.get(URL).json()
    assert body["unread"] == 3
    [group] = body["results"]
    assert group["text"] == "@cat and 2 others liked your clip"
    assert group["unread"] is True and group["video_id"] == video.pk
    assert group["video_poster"].endswith("poster.jpg")
    assert len(group["ids"]) == 3


@pytest.mark.django_db
def test_marking_all_read_leaves_nothing_unread(api: APIClient, user: Any) -> None:
    video = VideoFactory(creator=user)
    _likes(video, _users("ann", "bob"))
    follow_set(follower=UserFactory(), followee=user, following=True)
    response = api.post(READ_URL, {}, format="json")
    assert response.status_code == 200
    assert response.json() == {"marked": 3}
    body = api.get(URL).json()
    assert body["unread"] == 0
    assert not any(group["unread"] for group in body["results"])


@pytest.mark.django_db
def test_marking_given_ids_read_leaves_the_others_unread(api: APIClient, user: Any) -> None:
    _likes(VideoFactory(creator=user), _users("ann"))
    follow_set(follower=UserFactory(), followee=user, following=True)
    like = Notification.objects.get(recipient=user, kind=NotificationKind.LIKE)
    _likes(VideoFactory(), _users("bob"))
    theirs = Notification.objects.exclude(recipient=user).get()
    response = api.post(READ_URL, {"ids": [like.pk, theirs.pk]}, format="json")
    assert response.json() == {"marked": 1}
    assert api.get(URL).json()["unread"] == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None  # not the caller's to mark


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"), [({"ids": "all"}, "ids"), ({"ids": ["x"]}, "ids"), ({"all": 1}, "all")]
)
def test_bad_mark_read_requests_are_400_and_mark_nothing(
    api: APIClient, user: Any, payload: dict[str, Any], field: str
) -> None:
    _likes(VideoFactory(creator=user), _users("ann"))
    response = api.post(READ_URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["fields"][field]
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_anonymous_notification_requests_are_rejected(anon_api: APIClient) -> None:
    assert anon_api.get(URL).status_code in (401, 403)
    assert anon_api.post(READ_URL, {}, format="json").status_code in (401, 403)


# --- The page --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_opening_the_notifications_page_marks_them_read(client: Client, user: Any) -> None:
    _likes(VideoFactory(creator=user), _users("ann", "bob"))
    client.force_login(user)
    html = client.get("/notifications/").content.decode()
    assert "@bob and @ann liked your clip" in html
    assert 'class="notification unread"' in html  # shown as new this once
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    again = client.get("/notifications/").content.decode()
    assert 'class="notification unread"' not in again


@pytest.mark.django_db
def test_the_bell_shows_the_unread_count(client: Client, user: Any) -> None:
    _likes(VideoFactory(creator=user), _users("ann", "bob", "cat"))
    client.force_login(user)
    html = client.get(f"/@{user.username}/").content.decode()
    assert '<span id="bell-count" class="badge">3</span>' in html


@pytest.mark.django_db
def test_the_notifications_page_needs_a_login(client: Client) -> None:
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Live push -------------------------------------------------------------------------------


def _session_headers(user: Any) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"cookie", cookie.encode()), (b"origin", b"http://localhost")]


async def _connected(user: Any) -> WebsocketCommunicator:
    headers = await database_sync_to_async(_session_headers)(user)
    communicator = WebsocketCommunicator(application, "/ws/events/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _drain(communicator: WebsocketCommunicator, seconds: float) -> list[dict[str, Any]]:
    """Everything that arrives until the socket has been quiet for `seconds` (receive_nothing,
    unlike a timed-out receive, does not cancel the application)."""
    events: list[dict[str, Any]] = []
    while not await communicator.receive_nothing(timeout=seconds):
        events.append(await communicator.receive_json_from())
    return events


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_notification_is_pushed_live_to_its_recipient_only() -> None:
    creator, liker, stranger = [await database_sync_to_async(UserFactory)() for _ in range(3)]
    video = await database_sync_to_async(VideoFactory)(creator=creator)
    creator_socket, stranger_socket = await _connected(creator), await _connected(stranger)

    await database_sync_to_async(like_set)(user=liker, video=video, liked=True)

    events = await _drain(creator_socket, 0.5)
    notification = await database_sync_to_async(Notification.objects.get)()
    assert events == [
        {
            "type": "notification",
            "kind": "like",
            "id": notification.pk,
            "text": f"@{liker.username} liked your clip",
            "video": video.pk,
            "unread": 1,
        }
    ]
    assert await stranger_socket.receive_nothing(timeout=0.3)
    await creator_socket.disconnect()
    await stranger_socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_marking_read_is_pushed_live_so_other_tabs_clear_the_bell() -> None:
    creator, liker = [await database_sync_to_async(UserFactory)() for _ in range(2)]
    video = await database_sync_to_async(VideoFactory)(creator=creator)
    await database_sync_to_async(like_set)(user=liker, video=video, liked=True)
    socket = await _connected(creator)

    await database_sync_to_async(notifications_mark_read)(user=creator)

    assert await _drain(socket, 0.5) == [{"type": "notifications.read", "unread": 0}]
    await socket.disconnect()
