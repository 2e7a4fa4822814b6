"""The reports queue in the admin: only clips with open reports, most reported then oldest
first, small CSP-clean posters, reasons and the prompt, each creator's earlier moderation
actions, one-click audited actions; a page costs the same queries for 1 clip as for 20."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feed.models import ModerationAction, Report, VideoStatus
from feed.moderation import moderation_act
from feed.services import report_create
from tests.factories import UserFactory, VideoFactory

QUEUE = "/admin/feed/reportedvideo/"


@pytest.fixture
def moderator(db: None) -> Any:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def desk(moderator: Any) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


def _report(video: Any, n: int, *, reason: str = "spam", ago_hours: float = 0) -> None:
    for _ in range(n):
        report = report_create(reporter=UserFactory(), video=video, reason=reason, details="bad")
        Report.objects.filter(pk=report.pk).update(
            created_at=timezone.now() - timedelta(hours=ago_hours)
        )


def _row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="reason-(\d+)"', html)]


@pytest.mark.django_db
def test_most_reported_then_oldest_first_and_only_open_reports(desk: Client) -> None:
    newer_two, older_two, most, resolved = (VideoFactory() for _ in range(4))
    _report(newer_two, 2, ago_hours=1)
    _report(older_two, 2, ago_hours=5)
    _report(most, 4, ago_hours=0.5)
    _report(resolved, 6, ago_hours=9)
    Report.objects.filter(video=resolved).update(resolved_at=timezone.now())
    html = desk.get(QUEUE).content.decode()
    assert _row_ids(html) == [most.pk, older_two.pk, newer_two.pk]


@pytest.mark.django_db
def test_rows_show_reasons_prompt_history_and_small_csp_clean_posters(
    desk: Client, moderator: Any
) -> None:
    video = VideoFactory(prompt="a very suspicious clip")
    earlier = VideoFactory(creator=video.creator)
    moderation_act(moderator=moderator, action="hide_video", reason="spam", video=earlier)
    moderation_act(moderator=moderator, action="warn_user", reason="spam", user=video.creator)
    _report(video, 2, reason="sexual")
    response = desk.get(QUEUE)
    html = response.content.decode()
    assert "Sexual content ×2" in html and "a very suspicious clip" in html
    assert "Hide clip" in html and "Warn user" in html and "1 warning" in html  # history
    assert f"(#{earlier.pk})" in html
    results = html[html.index('id="result_list"') :]
    assert 'style="' not in results and "style='" not in results  # the CSP allows no inline style
    assert 'class="rv-thumb"' in results and "css/admin-queues.css" in html
    assert "Content-Security-Policy" in response.headers


@pytest.mark.django_db
def test_one_click_actions_are_audited_with_the_rows_reason(desk: Client, moderator: Any) -> None:
    video = VideoFactory()
    _report(video, 3)
    html = desk.get(QUEUE).content.decode()
    assert f'formaction="/admin/feed/reportedvideo/{video.pk}/act/"' in html
    prefilled = re.search(rf'name="reason-{video.pk}" value="([^"]*)"', html)
    assert prefilled is not None and "Spam ×3" in prefilled.group(1)
    response = desk.post(
        f"/admin/feed/reportedvideo/{video.pk}/act/",
        {"rv_action": "remove_video", f"reason-{video.pk}": "Spam, confirmed."},
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    video.refresh_from_db()
    assert video.status == VideoStatus.REMOVED
    record = ModerationAction.objects.get(video=video)
    assert record.moderator == moderator and record.reason == "Spam, confirmed."
    assert record.reports_resolved == 3
    assert video.pk not in _row_ids(desk.get(QUEUE).content.decode())
    # No reason, an unknown action, a GET: nothing happens.
    other = VideoFactory()
    _report(other, 1)
    desk.post(f"/admin/feed/reportedvideo/{other.pk}/act/", {"rv_action": "hide_video"})
    desk.post(f"/admin/feed/reportedvideo/{other.pk}/act/",
              {"rv_action": "delete_everything", f"reason-{other.pk}": "x"})  # fmt: skip
    assert desk.get(f"/admin/feed/reportedvideo/{other.pk}/act/").status_code == 405
    other.refresh_from_db()
    assert other.status == VideoStatus.VISIBLE and not ModerationAction.objects.filter(video=other)
    # Staff outside the Moderators group can't act.
    outsider = Client()
    outsider.force_login(UserFactory(is_staff=True))
    response = outsider.post(f"/admin/feed/reportedvideo/{other.pk}/act/",
                             {"rv_action": "hide_video", f"reason-{other.pk}": "x"})  # fmt: skip
    assert response.status_code == 403


@pytest.mark.django_db
def test_one_and_twenty_reported_clips_cost_the_same_queries(desk: Client, moderator: Any) -> None:
    def page_queries() -> int:
        desk.get(QUEUE)  # warm the session and permission caches alike
        with CaptureQueriesContext(connection) as queries:
            assert desk.get(QUEUE).status_code == 200
        return len(queries)

    first = VideoFactory()
    _report(first, 2)
    moderation_act(moderator=moderator, action="warn_user", reason="x", user=first.creator)
    one = page_queries()
    for _ in range(19):
        video = VideoFactory()
        _report(video, 3)
        moderation_act(moderator=moderator, action="warn_user", reason="x", user=video.creator)
    twenty = page_queries()
    assert len(_row_ids(desk.get(QUEUE).content.decode())) == 20
    assert one == twenty, (one, twenty)
    assert twenty <= 12
