"""S3 through django-storages, against moto's S3-compatible server on 127.0.0.1: drafts go to a
private prefix and are reached only through the authorization check and a short-lived signed URL;
published clips go to the public prefix."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from django.test import Client

from feed.services import video_publish
from generation import services
from tests.conftest import free_port
from tests.factories import UserFactory

BUCKET = "reverie-test"


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    binary = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(endpoint, timeout=0.5)  # noqa: S310 (localhost only)
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_storages(settings: Any, s3_endpoint: str) -> str:
    common = {
        "bucket_name": BUCKET,
        "endpoint_url": s3_endpoint,
        "region_name": "us-east-1",
        "access_key": "test",
        "secret_key": "test",
        "signature_version": "s3v4",
        "addressing_style": "path",
        "file_overwrite": False,
    }
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**common, "location": "media", "querystring_auth": True},
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **common,
                "location": "private",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return s3_endpoint


def _keys(endpoint: str) -> list[str]:
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


@pytest.mark.django_db
def test_drafts_and_published_clips_on_s3(s3_storages: str) -> None:
    owner = UserFactory()
    job, _ = services.job_create(
        owner=owner, request=services.JobRequest(prompt="bubbles in a blue ocean", seconds=1)
    )
    assert services.job_run(job_id=job.pk).status == "succeeded"
    job.refresh_from_db()
    keys = _keys(s3_storages)
    assert f"private/{job.video_file.name}" in keys
    assert f"private/{job.poster_file.name}" in keys

    owner_client = Client()
    owner_client.force_login(owner)
    response = owner_client.get(f"/drafts/{job.pk}/clip.mp4")
    assert response.status_code == 302
    signed = response["Location"]
    query = parse_qs(urlparse(signed).query)
    assert query["X-Amz-Expires"] == ["300"] and "X-Amz-Signature" in query
    ranged = urllib.request.urlopen(  # noqa: S310 (localhost only)
        urllib.request.Request(signed, headers={"Range": "bytes=0-99"}), timeout=10
    )
    assert ranged.status == 206 and len(ranged.read()) == 100

    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(f"/drafts/{job.pk}/clip.mp4").status_code == 404
    assert Client().get(f"/drafts/{job.pk}/clip.mp4").status_code == 404

    video, created = video_publish(job=job, user=owner)
    assert created
    assert f"media/{video.file.name}" in _keys(s3_storages)
    with urllib.request.urlopen(video.file.url, timeout=10) as public:  # noqa: S310
        assert public.read(8)[4:8] == b"ftyp"
