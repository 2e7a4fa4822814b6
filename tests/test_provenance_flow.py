"""Provenance end to end: every rendered draft is signed; the published download keeps the
manifest; the "Check a clip" page and API tell valid, tampered and unsigned apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from feed.services import video_publish
from generation import services
from generation.backends.local import LOCAL_RENDERER_MODEL
from tests.factories import UserFactory


@pytest.fixture
def published(db: None, media_dirs: dict[str, Path]) -> tuple[Any, bytes]:
    owner = UserFactory(username="signer")
    job, _ = services.job_create(
        owner=owner, request=services.JobRequest(prompt="a red car in the desert", seconds=1)
    )
    assert services.job_run(job_id=job.pk).status == "succeeded"
    job.refresh_from_db()
    video, _ = video_publish(job=job, user=owner)
    downloaded = b"".join(Client().get(video.file.url).streaming_content)
    return video, downloaded


def _check(client: APIClient, data: bytes) -> dict[str, Any]:
    upload = SimpleUploadedFile("clip.mp4", data, content_type="video/mp4")
    response = client.post("/api/v1/provenance/check", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_published_download_is_a_valid_signed_reverie_clip(
    published: tuple[Any, bytes],
) -> None:
    _, downloaded = published
    result = _check(APIClient(), downloaded)
    assert result["status"] == "valid"
    assert result["creator_handle"] == "signer"
    assert result["backend"] == "local"
    assert result["model"] == LOCAL_RENDERER_MODEL


def test_one_flipped_byte_reads_tampered(published: tuple[Any, bytes]) -> None:
    _, downloaded = published
    data = bytearray(downloaded)
    mdat = data.find(b"mdat")
    data[mdat + 5000] ^= 0xFF
    assert _check(APIClient(), bytes(data))["status"] == "tampered"


def test_an_unsigned_file_reads_unsigned(db: None) -> None:
    result = _check(APIClient(), b"\x00\x00\x00\x18ftypisom" + b"\x00" * 100)
    assert result["status"] == "unsigned"


def test_the_check_page(published: tuple[Any, bytes]) -> None:
    _, downloaded = published
    response = Client().post(
        "/check/", {"file": SimpleUploadedFile("c.mp4", downloaded, content_type="video/mp4")}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="valid"' in html and "@signer" in html and "AI-generated" in html
    empty = Client().post("/check/", {})
    assert empty.status_code == 400


def test_missing_file_is_400(db: None) -> None:
    response = APIClient().post("/api/v1/provenance/check", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"]["file"]
