"""Deleting what you made: a draft (`DELETE /api/v1/generations/<id>`) and a published clip
(`DELETE /api/v1/videos/<id>`), from the API and the pages; files leave storage after commit,
the ledger keeps its entries, remixes keep their chain and read "original deleted"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from credits.models import LedgerEntry
from credits.selectors import reconcile
from feed.models import Comment, Like, Video
from feed.services import comment_create, like_set
from generation.models import GenerationJob, JobStatus
from tests.account_helpers import published_clip, rendered_draft
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _exists(root: Path, name: str) -> bool:
    return (Path(root) / name).exists()


def test_delete_a_draft(
    api: APIClient, user: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = rendered_draft(user)
    names = [job.video_file.name, job.poster_file.name]
    assert all(_exists(settings.PRIVATE_MEDIA_ROOT, n) for n in names)
    keys = set(LedgerEntry.objects.filter(job=job).values_list("idempotency_key", flat=True))
    assert keys  # hold + capture

    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    assert stranger.delete(f"/api/v1/generations/{job.pk}").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"/api/v1/generations/{job.pk}")
    assert response.status_code == 204
    assert not GenerationJob.objects.filter(pk=job.pk).exists()
    assert not any(_exists(settings.PRIVATE_MEDIA_ROOT, n) for n in names)
    # The money movements stay, unlinked, and the books still balance.
    entries = LedgerEntry.objects.filter(idempotency_key__in=keys)
    assert entries.count() == len(keys) and not entries.filter(job__isnull=False).exists()
    assert reconcile() == []
    assert api.delete(f"/api/v1/generations/{job.pk}").status_code == 404


def test_a_draft_still_being_made_is_a_409(api: APIClient, user: Any) -> None:
    job = GenerationJob.objects.create(owner=user, prompt="x", seconds=1, seed=1)
    response = api.delete(f"/api/v1/generations/{job.pk}")
    assert response.status_code == 409 and response.json()["code"] == "not_finished"
    assert GenerationJob.objects.filter(pk=job.pk).exists()


def test_deleting_an_unsettled_draft_settles_its_hold_first(api: APIClient, user: Any) -> None:
    from credits.services import account_for_user, credits_hold

    job = GenerationJob.objects.create(owner=user, prompt="x", seconds=1, seed=1, quote_credits=3)
    credits_hold(job=job, user=user, amount=3)
    job.save(update_fields=["hold_free", "hold_paid"])
    GenerationJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    assert account_for_user(user=user).held == 3
    assert api.delete(f"/api/v1/generations/{job.pk}").status_code == 204
    assert account_for_user(user=user).held == 0
    assert reconcile() == []


def test_draft_delete_page(client: Client, user: Any) -> None:
    job = GenerationJob.objects.create(
        owner=user, prompt="x", seconds=1, seed=1, status=JobStatus.FAILED
    )
    client.force_login(user)
    page = client.get("/drafts/").content.decode()
    assert f"/drafts/{job.pk}/delete/" in page
    assert client.get(f"/drafts/{job.pk}/delete/").status_code == 405
    response = client.post(f"/drafts/{job.pk}/delete/", {"confirm": "on"})
    assert response.status_code == 302
    assert not GenerationJob.objects.filter(pk=job.pk).exists()


def test_delete_a_published_clip(
    api: APIClient, user: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    video = published_clip(user)
    fan = UserFactory()
    like_set(user=fan, video=video, liked=True)
    comment_create(author=fan, video=video, body="nice")
    remix_job = rendered_draft(fan, "a red car in the snow")
    GenerationJob.objects.filter(pk=remix_job.pk).update(remix_of=video)
    remix_job.refresh_from_db()
    from feed.services import video_publish

    remix, _ = video_publish(job=remix_job, user=fan)
    assert remix.remix_of_id == video.pk and remix.remix_depth == 1
    names = [video.file.name, video.poster.name]

    anon = APIClient().delete(f"/api/v1/videos/{video.pk}")
    assert anon.status_code in (401, 403)
    fan_api = APIClient()
    fan_api.force_authenticate(fan)
    assert fan_api.delete(f"/api/v1/videos/{video.pk}").status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"/api/v1/videos/{video.pk}")
    assert response.status_code == 204
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not Like.objects.filter(video_id=video.pk).exists()
    assert not Comment.objects.filter(video_id=video.pk).exists()
    assert not any(_exists(settings.MEDIA_ROOT, n) for n in names)
    # The draft it came from is still the creator's.
    assert GenerationJob.objects.filter(pk=video.job_id).exists()
    # The remix keeps its place in the chain and says its original is gone.
    data = APIClient().get(f"/api/v1/videos/{remix.pk}").json()
    assert data["remix_of"] is None and data["remix_depth"] == 1 and data["remix_of_deleted"]
    page = Client().get(f"/v/{remix.pk}/").content.decode()
    assert "original-deleted" in page
    assert api.delete(f"/api/v1/videos/{video.pk}").status_code == 404


def test_deleting_a_remix_lowers_its_originals_count(api: APIClient, user: Any) -> None:
    from tests.factories import VideoFactory

    original = VideoFactory(remix_count=1)
    remix = VideoFactory(creator=user, remix_of=original, remix_root=original, remix_depth=1)
    assert api.delete(f"/api/v1/videos/{remix.pk}").status_code == 204
    original.refresh_from_db()
    assert original.remix_count == 0


def test_clip_delete_page(client: Client, user: Any) -> None:
    from tests.factories import VideoFactory

    video = VideoFactory(creator=user)
    other = VideoFactory()
    client.force_login(user)
    assert f'action="/v/{video.pk}/delete/"' in client.get(f"/v/{video.pk}/").content.decode()
    assert "delete-clip" not in client.get(f"/v/{other.pk}/").content.decode()
    assert client.post(f"/v/{other.pk}/delete/").status_code == 403
    response = client.post(f"/v/{video.pk}/delete/", {"confirm": "on"})
    assert response.status_code == 302
    assert not Video.objects.filter(pk=video.pk).exists()
