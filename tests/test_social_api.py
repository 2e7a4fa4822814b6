"""The social API: likes, comments (replies, edits, soft deletes, mentions), follows, views,
reports and remixes. Every bad input is a 4xx with a JSON message and changes nothing; each feed,
grid and comment list costs the same number of queries for 1 item as for 20; user text is
escaped in the HTML."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Follow, Notification, NotificationKind
from feed.models import Comment, Like, Report, Video, VideoStatus, View
from feed.services import comment_create, video_publish
from generation import services as generation_services
from generation.models import GenerationJob
from tests.factories import (
    CommentFactory,
    FollowFactory,
    LikeFactory,
    UserFactory,
    VideoFactory,
)

HIDDEN_STATUSES = [VideoStatus.HIDDEN, VideoStatus.REMOVED]
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _notifications(recipient: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=recipient))


# --- Likes -----------------------------------------------------------------------------------


def _like_url(video: Any) -> str:
    return f"/api/v1/videos/{video.pk}/like"


@pytest.mark.django_db
def test_liking_twice_keeps_one_like_and_a_count_of_one(api: APIClient, user: Any) -> None:
    video = VideoFactory()
    first = api.post(_like_url(video))
    second = api.post(_like_url(video))
    assert first.status_code == second.status_code == 200
    assert second.json() == {"liked": True, "like_count": 1}
    assert Like.objects.filter(video=video, user=user).count() == 1
    video.refresh_from_db()
    assert video.like_count == 1


@pytest.mark.django_db
def test_unliking_removes_the_like_and_unliking_again_is_harmless(
    api: APIClient, user: Any
) -> None:
    video = VideoFactory()
    api.post(_like_url(video))
    removed = api.delete(_like_url(video))
    again = api.delete(_like_url(video))
    assert removed.status_code == again.status_code == 200
    assert removed.json() == {"liked": False, "like_count": 0}
    assert again.json() == {"liked": False, "like_count": 0}
    assert not Like.objects.filter(video=video).exists()
    video.refresh_from_db()
    assert video.like_count == 0


@pytest.mark.django_db
def test_anonymous_like_is_rejected_with_a_message(anon_api: APIClient) -> None:
    video = VideoFactory()
    response = anon_api.post(_like_url(video))
    assert response.status_code in (401, 403)
    assert response.json()["detail"]
    assert not Like.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_liking_a_hidden_or_removed_clip_is_404(api: APIClient, status: str) -> None:
    video = VideoFactory(status=status)
    response = api.post(_like_url(video))
    assert response.status_code == 404
    assert response.json()["detail"]
    assert api.delete(_like_url(video)).status_code == 404
    assert not Like.objects.exists()
    video.refresh_from_db()
    assert video.like_count == 0


@pytest.mark.django_db
def test_liking_a_missing_clip_is_404(api: APIClient) -> None:
    response = api.post("/api/v1/videos/999999/like")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_the_creator_gets_one_like_notification_for_a_double_like(
    api: APIClient, user: Any
) -> None:
    video = VideoFactory()
    api.post(_like_url(video))
    api.post(_like_url(video))
    [notification] = _notifications(video.creator)
    assert notification.kind == NotificationKind.LIKE
    assert notification.actor == user and notification.video == video


@pytest.mark.django_db
def test_liking_your_own_clip_notifies_no_one(api: APIClient, user: Any) -> None:
    video = VideoFactory(creator=user)
    assert api.post(_like_url(video)).json()["like_count"] == 1
    assert not Notification.objects.exists()


# --- Comments --------------------------------------------------------------------------------


def _comments_url(video: Any) -> str:
    return f"/api/v1/videos/{video.pk}/comments"


def _comment_url(comment_id: int) -> str:
    return f"/api/v1/comments/{comment_id}"


def _post_comment(client: APIClient, video: Any, body: str, parent: int | None = None) -> Any:
    payload: dict[str, Any] = {"body": body} | ({"parent": parent} if parent else {})
    return client.post(_comments_url(video), payload, format="json")


def _assert_no_comment(video: Any) -> None:
    assert not Comment.objects.exists()
    video.refresh_from_db()
    assert video.comment_count == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["", "   ", "\n\t "])
def test_empty_or_whitespace_comment_is_400_with_a_body_message(api: APIClient, body: str) -> None:
    video = VideoFactory()
    response = _post_comment(api, video, body)
    assert response.status_code == 400
    assert response.json()["fields"]["body"]
    _assert_no_comment(video)


@pytest.mark.django_db
def test_comment_without_body_is_400(api: APIClient) -> None:
    video = VideoFactory()
    response = api.post(_comments_url(video), {}, format="json")
    assert response.status_code == 400
    assert "required" in " ".join(response.json()["fields"]["body"])
    _assert_no_comment(video)


@pytest.mark.django_db
def test_comment_of_1001_characters_is_400(api: APIClient) -> None:
    video = VideoFactory()
    response = _post_comment(api, video, "x" * 1001)
    assert response.status_code == 400
    assert "1000" in " ".join(response.json()["fields"]["body"])
    _assert_no_comment(video)


@pytest.mark.django_db
def test_comment_of_exactly_1000_characters_is_accepted(api: APIClient) -> None:
    video = VideoFactory()
    response = _post_comment(api, video, "x" * 1000)
    assert response.status_code == 201
    assert response.json()["body"] == "x" * 1000
    video.refresh_from_db()
    assert video.comment_count == 1


@pytest.mark.django_db
def test_a_comment_with_a_nul_character_is_400(api: APIClient) -> None:
    video = VideoFactory()
    response = _post_comment(api, video, "a\x00b")
    assert response.status_code == 400
    assert response.json()["fields"]["body"]
    _assert_no_comment(video)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("  ", "Write something first."),
        ("a\x00b", "A comment can't contain"),
        ("x" * 1001, "A comment is at most 1000 characters."),
    ],
)
def test_bad_comments_posted_from_the_drawer_form_are_400_and_store_nothing(
    client: Client, user: Any, body: str, message: str
) -> None:
    video = VideoFactory()
    client.force_login(user)
    response = client.post(f"/v/{video.pk}/comments/", {"body": body})
    assert response.status_code == 400
    assert f'<p class="error">{message}' in response.content.decode().replace("&#x27;", "'")
    _assert_no_comment(video)


@pytest.mark.django_db
def test_comment_with_an_unknown_field_is_400(api: APIClient) -> None:
    video = VideoFactory()
    response = api.post(_comments_url(video), {"body": "hi", "colour": "red"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["colour"] == ["Unknown field."]
    _assert_no_comment(video)


@pytest.mark.django_db
@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_commenting_on_a_hidden_or_removed_clip_is_404(api: APIClient, status: str) -> None:
    video = VideoFactory(status=status)
    response = _post_comment(api, video, "nice")
    assert response.status_code == 404
    assert response.json()["detail"]
    assert api.get(_comments_url(video)).status_code == 404
    _assert_no_comment(video)


@pytest.mark.django_db
def test_anonymous_can_read_comments_but_not_post(anon_api: APIClient) -> None:
    video = VideoFactory()
    CommentFactory(video=video, body="first")
    assert [c["body"] for c in anon_api.get(_comments_url(video)).json()["results"]] == ["first"]
    response = _post_comment(anon_api, video, "second")
    assert response.status_code in (401, 403)
    assert response.json()["detail"]
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_a_reply_to_a_reply_attaches_to_the_top_level_comment(
    api: APIClient, other_user: Any
) -> None:
    video = VideoFactory()
    top = _post_comment(api, video, "top").json()
    reply = _post_comment(_client(other_user), video, "reply", parent=top["id"]).json()
    reply_to_reply = _post_comment(api, video, "reply to reply", parent=reply["id"])
    assert reply_to_reply.status_code == 201
    assert reply["parent_id"] == top["id"]
    assert reply_to_reply.json()["parent_id"] == top["id"]
    [thread] = api.get(_comments_url(video)).json()["results"]
    assert thread["id"] == top["id"]
    assert [r["body"] for r in thread["replies"]] == ["reply", "reply to reply"]


@pytest.mark.django_db
def test_replying_to_a_comment_of_another_clip_or_a_missing_one_is_404(api: APIClient) -> None:
    video = VideoFactory()
    elsewhere = CommentFactory()
    for parent in (elsewhere.pk, 999999):
        response = _post_comment(api, video, "reply", parent=parent)
        assert response.status_code == 404
        assert response.json()["detail"]
    assert Comment.objects.count() == 1
    video.refresh_from_db()
    assert video.comment_count == 0


@pytest.mark.django_db
def test_the_author_can_edit_within_15_minutes(api: APIClient) -> None:
    video = VideoFactory()
    comment = _post_comment(api, video, "frist").json()
    response = api.patch(_comment_url(comment["id"]), {"body": "first"}, format="json")
    assert response.status_code == 200
    assert response.json()["body"] == "first"
    assert response.json()["edited_at"]
    stored = Comment.objects.get(pk=comment["id"])
    assert stored.body == "first" and stored.edited_at is not None


@pytest.mark.django_db
def test_editing_after_15_minutes_is_403(api: APIClient) -> None:
    video = VideoFactory()
    comment_id = _post_comment(api, video, "old words").json()["id"]
    Comment.objects.filter(pk=comment_id).update(
        created_at=timezone.now() - timedelta(minutes=15, seconds=5)
    )
    response = api.patch(_comment_url(comment_id), {"body": "new words"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "edit_window_closed"
    assert "15 minutes" in response.json()["detail"]
    stored = Comment.objects.get(pk=comment_id)
    assert stored.body == "old words" and stored.edited_at is None


@pytest.mark.django_db
def test_editing_someone_elses_comment_is_403(api: APIClient, other_user: Any) -> None:
    comment = CommentFactory(author=other_user, body="theirs")
    response = api.patch(_comment_url(comment.pk), {"body": "mine now"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"]
    comment.refresh_from_db()
    assert comment.body == "theirs" and comment.edited_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [({"body": "   "}, "body"), ({"body": "y" * 1001}, "body"), ({"body": "ok", "x": 1}, "x")],
)
def test_bad_edits_are_400_and_keep_the_comment(
    api: APIClient, payload: dict[str, Any], field: str
) -> None:
    comment_id = _post_comment(api, VideoFactory(), "keep me").json()["id"]
    response = api.patch(_comment_url(comment_id), payload, format="json")
    assert response.status_code == 400
    assert response.json()["fields"][field]
    assert Comment.objects.get(pk=comment_id).body == "keep me"


@pytest.mark.django_db
def test_the_author_soft_deletes_a_comment(api: APIClient, other_user: Any) -> None:
    video = VideoFactory()
    comment_id = _post_comment(api, video, "regrettable").json()["id"]
    _post_comment(_client(other_user), video, "a reply", parent=comment_id)
    response = api.delete(_comment_url(comment_id))
    assert response.status_code == 204
    [thread] = api.get(_comments_url(video)).json()["results"]
    assert thread["id"] == comment_id
    assert thread["deleted"] is True and thread["body"] == ""
    assert [r["body"] for r in thread["replies"]] == ["a reply"]  # the thread keeps its shape
    video.refresh_from_db()
    assert video.comment_count == 1


@pytest.mark.django_db
def test_deleting_a_deleted_comment_is_404_and_the_count_stays(api: APIClient) -> None:
    video = VideoFactory()
    comment_id = _post_comment(api, video, "once").json()["id"]
    assert api.delete(_comment_url(comment_id)).status_code == 204
    assert api.delete(_comment_url(comment_id)).status_code == 404
    video.refresh_from_db()
    assert video.comment_count == 0


@pytest.mark.django_db
def test_a_moderator_can_delete_any_comment(api: APIClient) -> None:
    video = VideoFactory()
    comment_id = _post_comment(api, video, "rude").json()["id"]
    staff_only = UserFactory(is_staff=True)  # staff outside the Moderators group can't
    assert _client(staff_only).delete(_comment_url(comment_id)).status_code == 403
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    assert _client(moderator).delete(_comment_url(comment_id)).status_code == 204
    comment = Comment.objects.get(pk=comment_id)
    assert comment.deleted_at is not None and comment.deleted_by == moderator
    video.refresh_from_db()
    assert video.comment_count == 0


@pytest.mark.django_db
def test_another_plain_user_cannot_delete_a_comment(api: APIClient, other_user: Any) -> None:
    video = VideoFactory()
    comment_id = _post_comment(_client(other_user), video, "mine").json()["id"]
    response = api.delete(_comment_url(comment_id))
    assert response.status_code == 403
    assert response.json()["detail"]
    assert Comment.objects.get(pk=comment_id).deleted_at is None
    video.refresh_from_db()
    assert video.comment_count == 1


@pytest.mark.django_db
def test_a_comment_notifies_the_clip_creator(api: APIClient, user: Any) -> None:
    video = VideoFactory()
    comment_id = _post_comment(api, video, "lovely").json()["id"]
    [notification] = _notifications(video.creator)
    assert notification.kind == NotificationKind.COMMENT
    assert notification.actor == user and notification.comment_id == comment_id


@pytest.mark.django_db
def test_a_reply_notifies_the_parent_author(api: APIClient, other_user: Any) -> None:
    video = VideoFactory()
    top_id = _post_comment(_client(other_user), video, "top").json()["id"]
    reply_id = _post_comment(api, video, "agreed", parent=top_id).json()["id"]
    [notification] = _notifications(other_user)
    assert notification.kind == NotificationKind.REPLY and notification.comment_id == reply_id


@pytest.mark.django_db
def test_a_reply_to_a_reply_notifies_the_author_it_answers(api: APIClient, other_user: Any) -> None:
    video = VideoFactory()
    thread_starter = UserFactory()
    top_id = _post_comment(_client(thread_starter), video, "top").json()["id"]
    answered_id = _post_comment(_client(other_user), video, "hm", parent=top_id).json()["id"]
    Notification.objects.all().delete()
    reply_id = _post_comment(api, video, "you are right", parent=answered_id).json()["id"]
    [notification] = _notifications(other_user)
    assert notification.kind == NotificationKind.REPLY and notification.comment_id == reply_id
    assert Notification.objects.filter(kind=NotificationKind.REPLY).count() == 1


@pytest.mark.django_db
def test_a_mention_notifies_the_mentioned_user(api: APIClient) -> None:
    video = VideoFactory()
    mentioned = UserFactory(username="sam.pleased")
    comment_id = _post_comment(api, video, "look @Sam.Pleased, and mail@example.com").json()["id"]
    [notification] = _notifications(mentioned)
    assert notification.kind == NotificationKind.MENTION and notification.comment_id == comment_id
    assert list(Comment.objects.get(pk=comment_id).mentions.all()) == [mentioned]


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["great work @sam.", "was it you, @sam...?", "@sam, @sam!"])
def test_a_mention_followed_by_punctuation_notifies_once(api: APIClient, body: str) -> None:
    video = VideoFactory()
    sam = UserFactory(username="sam")
    assert _post_comment(api, video, body).status_code == 201
    assert [n.kind for n in _notifications(sam)] == [NotificationKind.MENTION]


@pytest.mark.django_db
def test_a_handle_ending_in_a_dot_can_still_be_mentioned(api: APIClient) -> None:
    video = VideoFactory()
    dotted, plain = UserFactory(username="sam."), UserFactory(username="sam")
    assert _post_comment(api, video, "hello @sam. and bye").status_code == 201
    assert [n.kind for n in _notifications(dotted)] == [NotificationKind.MENTION]
    assert _notifications(plain) == []


@pytest.mark.django_db
def test_mentioning_an_unknown_handle_notifies_no_one_else(api: APIClient) -> None:
    video = VideoFactory()
    assert _post_comment(api, video, "hi @nobody_here").status_code == 201
    assert [n.kind for n in Notification.objects.all()] == [NotificationKind.COMMENT]


@pytest.mark.django_db
def test_nobody_is_notified_twice_for_one_comment(api: APIClient, user: Any) -> None:
    creator = UserFactory(username="creator")
    parent_author = UserFactory(username="parent")
    video = VideoFactory(creator=creator)
    top_id = _post_comment(_client(parent_author), video, "top").json()["id"]
    Notification.objects.all().delete()
    body = f"@parent @creator @parent @{user.username} both right"
    assert _post_comment(api, video, body, parent=top_id).status_code == 201
    kinds = {n.recipient.username: n.kind for n in Notification.objects.select_related("recipient")}
    assert Notification.objects.count() == 2
    assert kinds == {"parent": NotificationKind.REPLY, "creator": NotificationKind.COMMENT}


@pytest.mark.django_db
def test_commenting_on_your_own_clip_notifies_no_one(api: APIClient, user: Any) -> None:
    video = VideoFactory(creator=user)
    assert _post_comment(api, video, f"me, @{user.username}").status_code == 201
    assert not Notification.objects.exists()


# --- Follows ---------------------------------------------------------------------------------


def _follow_url(handle: str) -> str:
    return f"/api/v1/users/{handle}/follow"


@pytest.mark.django_db
def test_following_twice_keeps_one_follow_and_one_notification(
    api: APIClient, user: Any, other_user: Any
) -> None:
    first = api.post(_follow_url(other_user.username))
    second = api.post(_follow_url(other_user.username))
    assert first.status_code == second.status_code == 200
    assert second.json() == {"following": True}
    assert Follow.objects.filter(follower=user, followee=other_user).count() == 1
    [notification] = _notifications(other_user)
    assert notification.kind == NotificationKind.FOLLOW and notification.actor == user


@pytest.mark.django_db
def test_unfollowing_removes_the_follow_and_unfollowing_again_is_harmless(
    api: APIClient, other_user: Any
) -> None:
    api.post(_follow_url(other_user.username))
    for _ in range(2):
        response = api.delete(_follow_url(other_user.username))
        assert response.status_code == 200
        assert response.json() == {"following": False}
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_following_yourself_is_400(api: APIClient, user: Any) -> None:
    response = api.post(_follow_url(user.username))
    assert response.status_code == 400
    assert response.json()["code"] == "follow_self"
    assert "yourself" in response.json()["detail"]
    assert not Follow.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_following_an_unknown_handle_is_404(api: APIClient) -> None:
    for method in (api.post, api.delete):
        response = method(_follow_url("nobody_here"))
        assert response.status_code == 404
        assert response.json()["detail"]
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_handles_in_the_follow_url_are_case_insensitive(api: APIClient, user: Any) -> None:
    followee = UserFactory(username="casey.jones")
    assert api.post(_follow_url("Casey.JONES")).json() == {"following": True}
    assert Follow.objects.filter(follower=user, followee=followee).exists()
    assert api.delete(_follow_url("CASEY.jones")).json() == {"following": False}
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_anonymous_follow_is_rejected(anon_api: APIClient, other_user: Any) -> None:
    response = anon_api.post(_follow_url(other_user.username))
    assert response.status_code in (401, 403)
    assert not Follow.objects.exists()


# --- Views -----------------------------------------------------------------------------------


def _views_url(video: Any) -> str:
    return f"/api/v1/videos/{video.pk}/views"


@pytest.mark.django_db
def test_an_anonymous_view_counts_once_per_viewer_within_the_rate_window(
    anon_api: APIClient,
) -> None:
    video = VideoFactory()
    first = anon_api.post(_views_url(video), {"watch_ms": 1200}, format="json")
    second = anon_api.post(_views_url(video), {"watch_ms": 1200}, format="json")
    assert first.status_code == second.status_code == 202
    assert first.json() == {"counted": True}
    assert second.json() == {"counted": False}
    another_viewer = APIClient().post(_views_url(video), {"watch_ms": 800}, format="json")
    assert another_viewer.json() == {"counted": True}
    video.refresh_from_db()
    assert video.view_count == 2
    assert View.objects.filter(video=video, user=None).count() == 2


@pytest.mark.django_db
def test_views_update_the_counters(api: APIClient, other_user: Any) -> None:
    video = VideoFactory(duration=5.0)
    api.post(_views_url(video), {"watch_ms": 3000, "completed": True}, format="json")
    _client(other_user).post(_views_url(video), {"watch_ms": 1000}, format="json")
    video.refresh_from_db()
    assert (video.view_count, video.completed_view_count, video.watch_ms_total) == (2, 1, 4000)


@pytest.mark.django_db
def test_watch_time_is_capped_at_four_loops_of_the_clip(api: APIClient) -> None:
    video = VideoFactory(duration=5.0)
    api.post(_views_url(video), {"watch_ms": 3_000_000}, format="json")
    video.refresh_from_db()
    assert video.watch_ms_total == 20_000


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"watch_ms": -1}, "watch_ms"),
        ({"watch_ms": "long"}, "watch_ms"),
        ({"completed": True}, "watch_ms"),
        ({"watch_ms": 10, "completed": "maybe"}, "completed"),
        ({"watch_ms": 10, "paused": True}, "paused"),
    ],
)
def test_bad_view_reports_are_400_and_count_nothing(
    anon_api: APIClient, payload: dict[str, Any], field: str
) -> None:
    video = VideoFactory()
    response = anon_api.post(_views_url(video), payload, format="json")
    assert response.status_code == 400
    assert response.json()["fields"][field]
    assert not View.objects.exists()
    video.refresh_from_db()
    assert (video.view_count, video.watch_ms_total) == (0, 0)


@pytest.mark.django_db
def test_a_view_of_a_hidden_clip_is_404(anon_api: APIClient) -> None:
    video = VideoFactory(status=VideoStatus.HIDDEN)
    assert anon_api.post(_views_url(video), {"watch_ms": 5}, format="json").status_code == 404
    assert not View.objects.exists()


# --- Reports ---------------------------------------------------------------------------------


def _report_url(video: Any) -> str:
    return f"/api/v1/videos/{video.pk}/report"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reason": "boring"}, "reason"),
        ({}, "reason"),
        ({"reason": "spam", "details": "x" * 1001}, "details"),
        ({"reason": "spam", "urgent": True}, "urgent"),
    ],
)
def test_bad_reports_are_400_and_store_nothing(
    api: APIClient, payload: dict[str, Any], field: str
) -> None:
    video = VideoFactory()
    response = api.post(_report_url(video), payload, format="json")
    assert response.status_code == 400
    assert response.json()["fields"][field]
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_reporting_twice_keeps_one_report_with_the_latest_reason(api: APIClient, user: Any) -> None:
    video = VideoFactory()
    assert api.post(_report_url(video), {"reason": "spam"}, format="json").status_code == 201
    second = api.post(_report_url(video), {"reason": "hate", "details": "slur"}, format="json")
    assert second.status_code == 201
    [report] = Report.objects.all()
    assert (report.reporter, report.reason, report.details) == (user, "hate", "slur")


@pytest.mark.django_db
def test_anonymous_report_is_rejected(anon_api: APIClient) -> None:
    video = VideoFactory()
    response = anon_api.post(_report_url(video), {"reason": "spam"}, format="json")
    assert response.status_code in (401, 403)
    assert not Report.objects.exists()


# --- Remixes ---------------------------------------------------------------------------------


def _render_and_publish(owner: Any, prompt: str, *, remix_of: Video | None = None) -> Video:
    """A real 1-second draft from the local renderer, published as a clip."""
    job, _ = generation_services.job_create(
        owner=owner,
        request=generation_services.JobRequest(
            prompt=prompt, seconds=1, seed=11, remix_of=remix_of.pk if remix_of else None
        ),
    )
    assert generation_services.job_run(job_id=job.pk).status == "succeeded"
    job.refresh_from_db()
    video, created = video_publish(job=job, user=owner)
    assert created
    return video


@pytest.mark.django_db
def test_a_chain_of_remixes_records_parent_root_and_depth() -> None:
    root = _render_and_publish(UserFactory(), "a paper boat on a lake")
    first = _render_and_publish(UserFactory(), "a paper boat in a storm", remix_of=root)
    second = _render_and_publish(UserFactory(), "a paper boat in the snow", remix_of=first)
    assert (root.remix_of, root.remix_root, root.remix_depth) == (None, None, 0)
    assert (first.remix_of, first.remix_root, first.remix_depth) == (root, root, 1)
    assert (second.remix_of, second.remix_root, second.remix_depth) == (first, root, 2)


@pytest.mark.django_db
def test_a_remix_counts_on_its_parent_and_notifies_its_creator() -> None:
    parent = VideoFactory()
    remixer = UserFactory()
    remix = _render_and_publish(remixer, "a paper boat at night", remix_of=parent)
    parent.refresh_from_db()
    assert parent.remix_count == 1
    [notification] = _notifications(parent.creator)
    assert notification.kind == NotificationKind.REMIX
    assert (notification.actor, notification.video) == (remixer, remix)


@pytest.mark.django_db
@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_generating_a_remix_of_a_hidden_clip_is_400(api: APIClient, status: str) -> None:
    hidden = VideoFactory(status=status)
    payload = {"prompt": "again", "seconds": 2, "remix_of": hidden.pk}
    response = api.post("/api/v1/generations", payload, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["remix_of"]
    assert not GenerationJob.objects.exists()


@pytest.mark.django_db
def test_generating_a_remix_of_a_missing_clip_is_400(api: APIClient) -> None:
    payload = {"prompt": "again", "seconds": 2, "remix_of": 999999}
    response = api.post("/api/v1/generations", payload, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["remix_of"]
    assert not GenerationJob.objects.exists()


@pytest.mark.django_db
def test_the_remixes_endpoint_lists_visible_direct_remixes(anon_api: APIClient) -> None:
    original = VideoFactory()
    remixes = [VideoFactory(remix_of=original, remix_root=original, remix_depth=1) for _ in "ab"]
    VideoFactory(remix_of=original, status=VideoStatus.HIDDEN)
    VideoFactory(remix_of=remixes[0], remix_root=original, remix_depth=2)  # a grandchild
    response = anon_api.get(f"/api/v1/videos/{original.pk}/remixes")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [item["id"] for item in results] == [remixes[1].pk, remixes[0].pk]  # newest first
    assert results[0]["remix_of"]["id"] == original.pk
    assert results[0]["remix_depth"] == 1


@pytest.mark.django_db
def test_the_create_page_prefills_the_prompt_and_seed_of_the_remixed_clip(
    client: Client, user: Any
) -> None:
    original = VideoFactory(prompt="a lighthouse in fog & rain", seed=424242, aspect="1:1")
    client.force_login(user)
    html = client.get(f"/create/?remix_of={original.pk}").content.decode()
    assert "a lighthouse in fog &amp; rain</textarea>" in html
    assert 'name="seed" type="number" min="0" max="2147483647" value="424242"' in html
    assert '<option value="1:1" selected>' in html
    assert f'Remixing <a href="/v/{original.pk}/">@{original.creator.username}\'s clip' in html


@pytest.mark.django_db
def test_the_create_page_ignores_a_hidden_remix_source(client: Client, user: Any) -> None:
    hidden = VideoFactory(prompt="a secret garden", seed=777, status=VideoStatus.HIDDEN)
    client.force_login(user)
    html = client.get(f"/create/?remix_of={hidden.pk}").content.decode()
    assert "a secret garden" not in html and 'value="777"' not in html


# --- Constant query counts -------------------------------------------------------------------


def _clips_with_engagement(count: int, *, creators: list[Any], viewer: Any) -> list[Any]:
    """`count` clips over a few creators, some remixes (serialized with their source's creator)
    and some liked by the viewer."""
    source = VideoFactory(creator=UserFactory(), status=VideoStatus.HIDDEN)
    videos = []
    for i in range(count):
        extra = {"remix_of": source, "remix_root": source, "remix_depth": 1} if i % 3 == 0 else {}
        videos.append(VideoFactory(creator=creators[i % len(creators)], **extra))
    for video in videos[::2]:
        LikeFactory(user=viewer, video=video)
    return videos


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_for_you_api_costs_constant_queries(
    api: APIClient, user: Any, django_assert_num_queries: Any, count: int
) -> None:
    _clips_with_engagement(count, creators=[UserFactory() for _ in range(3)], viewer=user)
    # "less like this", the people blocked or muted, the shared pools (ranked, discovery), the
    # chosen clips, the viewer's likes.
    with django_assert_num_queries(6):
        body = api.get("/api/v1/feed/for-you", {"limit": 20}).json()
    assert len(body["results"]) == count
    # While the pools and clip payloads are cached, the next page costs only the viewer's own
    # rows: "less like this", blocked or muted people, and their likes.
    with django_assert_num_queries(3):
        api.get("/api/v1/feed/for-you", {"limit": 20})


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_following_api_costs_constant_queries(
    api: APIClient, user: Any, django_assert_num_queries: Any, count: int
) -> None:
    creators = [UserFactory() for _ in range(3)]
    for creator in creators:
        FollowFactory(follower=user, followee=creator)
    _clips_with_engagement(count, creators=creators, viewer=user)
    VideoFactory()  # someone not followed
    # The page (one join through follows), the viewer's likes.
    with django_assert_num_queries(2):
        body = api.get("/api/v1/feed/following", {"limit": 20}).json()
    assert len(body["results"]) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_profile_grid_api_costs_constant_queries(
    api: APIClient, user: Any, django_assert_num_queries: Any, count: int
) -> None:
    creator = UserFactory()
    _clips_with_engagement(count, creators=[creator], viewer=user)
    # The creator, the page, the viewer's likes.
    with django_assert_num_queries(3):
        body = api.get(f"/api/v1/users/{creator.username}/videos").json()
    assert len(body["results"]) == min(count, 18)  # a grid page is 18 clips


def _thread(count: int, video: Any) -> None:
    """`count` top-level comments by different people, with replies, a deleted one, mentions
    and likes on the clip mixed in."""
    for i in range(count):
        author = UserFactory()
        LikeFactory(user=author, video=video)
        top = comment_create(author=author, video=video, body=f"top {i} @{author.username}")
        if i % 2 == 0:
            comment_create(author=UserFactory(), video=video, body=f"reply {i}", parent=top)
        if i % 5 == 4:
            top.deleted_at = timezone.now()
            top.save()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_comment_list_api_costs_constant_queries(
    api: APIClient, django_assert_num_queries: Any, count: int
) -> None:
    video = VideoFactory()
    _thread(count, video)
    # The clip, the top-level comments with their authors, the replies with theirs.
    with django_assert_num_queries(3):
        body = api.get(_comments_url(video)).json()
    assert len(body["results"]) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_comments_drawer_costs_constant_queries(
    client: Client, user: Any, django_assert_num_queries: Any, count: int
) -> None:
    video = VideoFactory()
    _thread(count, video)
    client.force_login(user)
    # The clip, comments, replies, then (rendering) session, user and the bell's unread count.
    with django_assert_num_queries(6):
        response = client.get(f"/v/{video.pk}/comments/")
    assert response.content.decode().count('class="comment"') == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_following_page_costs_constant_queries(
    client: Client, user: Any, django_assert_num_queries: Any, count: int
) -> None:
    creators = [UserFactory() for _ in range(3)]
    for creator in creators:
        FollowFactory(follower=user, followee=creator)
    _clips_with_engagement(count, creators=creators, viewer=user)
    client.force_login(user)
    # Session, user, the page, the viewer's likes, the bell's unread count.
    with django_assert_num_queries(5):
        response = client.get("/?tab=following")
    assert response.status_code == 200
    assert len(response.context["initial_feed"]["results"]) == min(count, 8)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_profile_page_costs_constant_queries(
    client: Client, user: Any, django_assert_num_queries: Any, count: int
) -> None:
    creator = UserFactory()
    _clips_with_engagement(count, creators=[creator], viewer=user)
    for _ in range(count):
        FollowFactory(followee=creator)
    client.force_login(user)
    # Session, user, the profile with its counts, the follow state, the grid, the viewer's
    # likes, the bell's unread count.
    with django_assert_num_queries(7):
        response = client.get(f"/@{creator.username}/")
    assert response.status_code == 200
    assert len(response.context["grid"]["results"]) == min(count, 18)


# --- User text is escaped in the HTML --------------------------------------------------------


def _assert_escaped(html: str) -> None:
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.django_db
def test_a_comment_body_is_escaped_in_the_comments_drawer(client: Client) -> None:
    video = VideoFactory()
    CommentFactory(video=video, body=f"{SCRIPT} {IMG}")
    _assert_escaped(client.get(f"/v/{video.pk}/comments/").content.decode())


@pytest.mark.django_db
def test_a_prompt_is_escaped_on_the_clip_page(client: Client) -> None:
    video = VideoFactory(prompt=f"{SCRIPT} {IMG}", caption=f"{IMG} caption")
    html = client.get(f"/v/{video.pk}/").content.decode()
    _assert_escaped(html)
    assert "<img src=x" not in html
