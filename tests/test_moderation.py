"""Moderation: each action through the service, with its audit row; reporters told the outcome;
a ban hides the creator's content from every feed and stops their log-in; the admin reports
queue works for a moderator who is not a superuser."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Follow, Notification, NotificationKind
from config.api_errors import http_status_for
from config.errors import DomainError
from feed.models import ModerationAction, Report, VideoStatus
from feed.moderation import moderation_act
from feed.services import report_create
from tests.factories import TEST_PASSWORD, UserFactory, VideoFactory


@pytest.fixture
def moderator(db: None) -> Any:
    user = UserFactory(username="mod", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def reported(db: None) -> tuple[Any, list[Any]]:
    video = VideoFactory()
    reporters = [UserFactory() for _ in range(3)]
    for reporter in reporters:
        report_create(reporter=reporter, video=video, reason="spam")
    return video, reporters


@pytest.mark.parametrize(
    ("action", "status", "outcome"),
    [
        ("hide_video", VideoStatus.HIDDEN, "clip_hidden"),
        ("remove_video", VideoStatus.REMOVED, "clip_removed"),
        ("dismiss", VideoStatus.VISIBLE, "dismissed"),
    ],
)
def test_clip_actions_are_audited_and_reporters_told(
    moderator: Any, reported: tuple[Any, list[Any]], action: str, status: str, outcome: str
) -> None:
    video, reporters = reported
    record = moderation_act(moderator=moderator, action=action, reason="spam ring", video=video)
    video.refresh_from_db()
    assert video.status == status
    assert (record.moderator, record.action, record.video, record.reason) == (
        moderator, action, video, "spam ring",
    )  # fmt: skip
    assert record.reports_resolved == 3 and record.created_at
    assert set(Report.objects.values_list("outcome", flat=True)) == {outcome}
    assert not Report.objects.filter(resolved_at__isnull=True).exists()
    told = Notification.objects.filter(kind=NotificationKind.REPORT_OUTCOME)
    assert sorted(n.recipient_id for n in told) == sorted(r.pk for r in reporters)
    assert all(n.text.startswith("Thanks for your report: the clip") for n in told)


def test_warn_is_audited_and_told_to_the_creator(moderator: Any, reported: tuple[Any, Any]) -> None:
    video, _ = reported
    moderation_act(moderator=moderator, action="warn_user", reason="be nice", video=video)
    video.creator.refresh_from_db()
    assert video.creator.warning_count == 1
    notice = Notification.objects.get(recipient=video.creator, kind=NotificationKind.MODERATION)
    assert notice.text == "A moderator warned you: be nice"
    assert ModerationAction.objects.get().target_user == video.creator


def test_a_ban_hides_content_everywhere_and_stops_log_in(
    moderator: Any, reported: tuple[Any, Any]
) -> None:
    video, _ = reported
    creator = video.creator
    fan = UserFactory()
    Follow.objects.create(follower=fan, followee=creator)
    fan_api = APIClient()
    fan_api.force_authenticate(fan)
    assert fan_api.get("/api/v1/feed").json()["results"]

    moderation_act(moderator=moderator, action="ban_user", reason="spam ring", video=video)
    creator.refresh_from_db()
    assert not creator.is_active and creator.banned_at
    assert fan_api.get("/api/v1/feed").json()["results"] == []
    assert fan_api.get("/api/v1/feed/for-you").json()["results"] == []
    assert fan_api.get("/api/v1/feed/following").json()["results"] == []
    assert fan_api.get(f"/api/v1/videos/{video.pk}").status_code == 404
    assert fan_api.get(f"/api/v1/users/{creator.username}").status_code == 404
    assert Client().get(f"/v/{video.pk}/").status_code == 404
    login = Client().post(
        "/accounts/login/", {"username": creator.username, "password": TEST_PASSWORD}
    )
    assert login.status_code == 200  # the form again, not a redirect: log-in refused

    moderation_act(moderator=moderator, action="unban_user", reason="appeal", user=creator)
    assert fan_api.get("/api/v1/feed").json()["results"]
    assert list(ModerationAction.objects.values_list("action", flat=True)) == [
        "unban_user", "ban_user",
    ]  # fmt: skip


def test_only_moderators_act_and_a_reason_is_required(
    moderator: Any, reported: tuple[Any, Any]
) -> None:
    video, _ = reported
    with pytest.raises(DomainError) as refused:
        moderation_act(moderator=UserFactory(is_staff=True), action="hide_video", reason="x",
                       video=video)  # fmt: skip
    assert refused.value.code == "forbidden" and http_status_for(refused.value) == 403
    with pytest.raises(DomainError):
        moderation_act(moderator=moderator, action="hide_video", reason="  ", video=video)
    assert not ModerationAction.objects.exists()


def test_the_reports_queue_in_the_admin(moderator: Any, reported: tuple[Any, Any]) -> None:
    video, _ = reported
    client = Client()
    client.force_login(moderator)
    queue = client.get("/admin/feed/reportedvideo/")
    assert queue.status_code == 200
    html = queue.content.decode()
    assert "Spam ×3" in html and video.prompt[:40] in html

    no_reason = client.post(
        "/admin/feed/reportedvideo/",
        {"action": "hide_clips", "_selected_action": [video.pk], "reason": ""},
    )
    assert no_reason.status_code == 302
    video.refresh_from_db()
    assert video.status == VideoStatus.VISIBLE

    client.post(
        "/admin/feed/reportedvideo/",
        {"action": "hide_clips", "_selected_action": [video.pk], "reason": "spam"},
    )
    video.refresh_from_db()
    assert video.status == VideoStatus.HIDDEN
    assert ModerationAction.objects.get().moderator == moderator
    # Resolved: the clip leaves the queue; the audit trail is visible and read-only.
    assert video.prompt[:40] not in client.get("/admin/feed/reportedvideo/").content.decode()
    assert client.get("/admin/feed/moderationaction/").status_code == 200
    assert client.get("/admin/generation/policyterm/add/").status_code == 200


def test_staff_outside_the_group_cannot_open_the_queue(db: None) -> None:
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/feed/reportedvideo/").status_code == 403
