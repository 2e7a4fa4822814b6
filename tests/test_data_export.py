"""Data export: a button and `POST /api/v1/me/exports` build a ZIP in a task; its clips are the
signed MP4s (they still read as valid Reverie clips on /check/), its data is in CSV files and one
JSON; a notification and an e-mail say when it is ready; the link expires."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.exports import export_build, exports_expire
from accounts.models import DataExport, ExportStatus, Notification
from credits.services import credits_adjust
from feed.services import comment_create, like_set
from likeness.models import Cameo
from tests.account_helpers import eager_tasks, locmem_mail, published_clip, rendered_draft  # noqa: F401
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks", "locmem_mail")]


def _download(client: Any, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def test_export_end_to_end(
    api: APIClient, client: Client, user: Any, settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    friend = UserFactory(username="pal")
    clip = published_clip(user, "a lantern drifting over a lake", caption="my lantern")
    draft = rendered_draft(user, "a fox in the snow")
    theirs = published_clip(friend, "a quiet harbour")
    like_set(user=user, video=theirs, liked=True)
    comment_create(author=user, video=theirs, body="so calm")
    account_services.follow_set(follower=user, followee=friend, following=True)
    Cameo.objects.create(owner=user, handle=user.username, status="approved",
                         permission="mutuals", preferences="always wearing a hat")  # fmt: skip
    credits_adjust(user=user, amount=25, reason="welcome gift", actor=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/me/exports")
    assert response.status_code == 202, response.content
    export_id = response.json()["id"]
    export = DataExport.objects.get(pk=export_id)
    assert export.status == ExportStatus.READY  # the task ran (inline)
    assert export_build(export_id=export_id) == ExportStatus.READY  # a second delivery: no-op
    assert Notification.objects.filter(recipient=user, kind="account").count() == 1
    assert [m.subject for m in mail.outbox].count("Your Reverie data export is ready") == 1

    detail = api.get(f"/api/v1/me/exports/{export_id}").json()
    assert detail["status"] == "ready" and detail["download_url"] and detail["expires_at"]
    data = _download(api, detail["download_url"])
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    assert {"README.txt", "data.json", "clips.csv", "drafts.csv", "comments.csv", "likes.csv",
            "follows.csv", "cameos.csv", "cameo_usages.csv", "ledger.csv"} <= names  # fmt: skip
    assert {f"clips/{clip.pk}.mp4", f"clips/{clip.pk}.jpg", f"drafts/{draft.pk}.mp4"} <= names
    assert f"clips/{theirs.pk}.mp4" not in names  # only their own clips
    payload = json.loads(archive.read("data.json"))
    assert payload["account"]["handle"] == user.username
    assert [c["prompt"] for c in payload["clips"]] == ["a lantern drifting over a lake"]
    assert payload["clips"][0]["caption"] == "my lantern"
    assert {d["prompt"] for d in payload["drafts"]} == {"a lantern drifting over a lake",
                                                        "a fox in the snow"}  # fmt: skip
    assert [c["body"] for c in payload["comments"]] == ["so calm"]
    assert [like["clip"] for like in payload["likes"]] == [theirs.pk]
    assert payload["follows"] == [{"direction": "following", "handle": "pal",
                                   "since": payload["follows"][0]["since"]}]  # fmt: skip
    assert payload["cameos"][0]["preferences"] == "always wearing a hat"
    kinds = [entry["kind"] for entry in payload["ledger"]]
    assert "grant" in kinds and "hold" in kinds and "capture" in kinds
    assert "welcome gift" in archive.read("ledger.csv").decode()
    assert "a fox in the snow" in archive.read("drafts.csv").decode()
    # The files are the stored bytes: the clip reads as a valid, signed Reverie clip.
    assert archive.read(f"drafts/{draft.pk}.mp4") == draft.video_file.open("rb").read()
    for name in (f"clips/{clip.pk}.mp4", f"drafts/{draft.pk}.mp4"):
        upload = SimpleUploadedFile("clip.mp4", archive.read(name), content_type="video/mp4")
        check = APIClient().post("/api/v1/provenance/check", {"file": upload}, format="multipart")
        assert check.json()["status"] == "valid", check.json()
        assert check.json()["creator_handle"] == user.username
    page = Client()
    page.force_login(user)
    html = page.get("/settings/account/").content.decode()
    assert f"/settings/data/exports/{export_id}/download/" in html
    assert _download(page, f"/settings/data/exports/{export_id}/download/") == data

    # Nobody else can fetch it.
    stranger = APIClient()
    stranger.force_authenticate(friend)
    assert stranger.get(detail["download_url"]).status_code == 404
    assert APIClient().get(detail["download_url"]).status_code in (401, 403)

    # The link expires and the file goes.
    DataExport.objects.filter(pk=export_id).update(expires_at=timezone.now() - timedelta(1))
    assert api.get(detail["download_url"]).status_code == 410
    assert exports_expire() == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and not export.file
    from pathlib import Path

    assert not list(Path(settings.PRIVATE_MEDIA_ROOT, "exports", str(user.pk)).glob("*.zip"))
    assert page.get(f"/settings/data/exports/{export_id}/download/").status_code == 410


def test_one_export_at_a_time(api: APIClient, user: Any) -> None:
    first = api.post("/api/v1/me/exports")  # no on-commit run: it stays pending
    again = api.post("/api/v1/me/exports")
    assert first.status_code == 202 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    not_ready = api.get(f"/api/v1/me/exports/{first.json()['id']}/download")
    assert not_ready.status_code == 409


def test_the_button(client: Client, user: Any, django_capture_on_commit_callbacks: Any) -> None:
    client.force_login(user)
    assert b'id="export-button"' in client.get("/settings/account/").content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/settings/data/export/")
    assert response.status_code == 302
    assert DataExport.objects.get(user=user).status == ExportStatus.READY


def test_export_list_costs_the_same_queries_for_1_and_20(api: APIClient, user: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for total in (1, 20):
        DataExport.objects.filter(user=user).delete()
        DataExport.objects.bulk_create(
            [DataExport(user=user, status=ExportStatus.EXPIRED) for _ in range(total)]
        )
        with CaptureQueriesContext(connection) as ctx:
            assert len(api.get("/api/v1/me/exports").json()["results"]) == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_exports_are_rate_limited(api: APIClient, user: Any, settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                   "export": "1/day"},
    }  # fmt: skip
    assert api.post("/api/v1/me/exports").status_code == 202
    limited = api.post("/api/v1/me/exports")
    assert limited.status_code == 429 and limited["Retry-After"]
    assert DataExport.objects.filter(user=user).count() == 1
