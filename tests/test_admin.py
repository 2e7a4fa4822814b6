"""The admin lists jobs and videos with their columns, filters and search."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from generation.models import GenerationJob
from tests.factories import UserFactory, VideoFactory


@pytest.fixture
def staff_client(db: None) -> Client:
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "query", ["", "?status__exact=queued", "?q=lighthouse", "?aspect__exact=9%3A16"]
)
def test_job_changelist(staff_client: Client, query: str) -> None:
    GenerationJob.objects.create(owner=UserFactory(), prompt="a lighthouse", seconds=2, seed=1)
    response = staff_client.get(f"/admin/generation/generationjob/{query}")
    assert response.status_code == 200
    assert "a lighthouse" in response.content.decode()


def test_job_change_page_and_cancel_action(staff_client: Client) -> None:
    job = GenerationJob.objects.create(owner=UserFactory(), prompt="p", seconds=2, seed=1)
    assert staff_client.get(f"/admin/generation/generationjob/{job.pk}/change/").status_code == 200
    response = staff_client.post(
        "/admin/generation/generationjob/",
        {"action": "cancel_jobs", "_selected_action": [str(job.pk)]},
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "cancelled"


def test_video_changelist_and_change_page(staff_client: Client) -> None:
    video: Any = VideoFactory(prompt="a red balloon")
    listing = staff_client.get("/admin/feed/video/?q=balloon")
    assert listing.status_code == 200 and "a red balloon" in listing.content.decode()
    page = staff_client.get(f"/admin/feed/video/{video.pk}/change/")
    assert page.status_code == 200 and "<video" in page.content.decode()


def test_non_staff_cannot_open_the_admin(client: Client, user: Any) -> None:
    client.force_login(user)
    assert client.get("/admin/generation/generationjob/").status_code == 302


def test_the_admin_explains_a_clips_score(staff_client: Client) -> None:
    from feed.services import scores_refresh

    video: Any = VideoFactory(
        like_count=12, comment_count=3, view_count=40, completed_view_count=30
    )
    scores_refresh()
    html = staff_client.get(f"/admin/feed/video/{video.pk}/change/").content.decode()
    assert "why this clip" in html.lower()
    assert "likes (log)" in html and "freshness" in html
    assert "12 likes · 3 comments · 0 remixes · 30 of 40 views completed" in html
