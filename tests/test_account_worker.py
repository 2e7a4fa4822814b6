"""The real path, with a real Celery worker process on the real Redis broker: an export asked
through the API is built by the worker, which also sends the "ready" e-mail (to files, so the
test can read what the worker sent); the e-mail settings parse as documented."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import DataExport, OutgoingEmail
from tests.account_helpers import published_clip


@pytest.fixture
def mail_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    monkeypatch.setenv("EMAIL_URL", f"file://{folder}")  # read by the worker at start-up
    return folder


def test_export_is_built_and_announced_by_a_real_worker(
    mail_dir: Path, celery_worker_process: Any, user: Any
) -> None:
    clip = published_clip(user, "a kite over the dunes")
    api = APIClient()
    api.force_authenticate(user)
    response = api.post("/api/v1/me/exports")  # committed: the worker gets the task
    assert response.status_code == 202
    export_id = response.json()["id"]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if DataExport.objects.get(pk=export_id).status == "ready" and list(mail_dir.iterdir()):
            break
        time.sleep(0.3)
    detail = api.get(f"/api/v1/me/exports/{export_id}").json()
    assert detail["status"] == "ready", detail
    body = b"".join(api.get(detail["download_url"]).streaming_content)
    assert f"clips/{clip.pk}.mp4" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    sent = "".join(path.read_text() for path in mail_dir.iterdir())
    assert "Your Reverie data export is ready" in sent and user.email in sent
    assert OutgoingEmail.objects.get(user=user, kind="export_ready").sent_at is not None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://me%40x.test:p%40ss@mail.x.test:2525",
         {"EMAIL_HOST": "mail.x.test", "EMAIL_PORT": 2525, "EMAIL_HOST_USER": "me@x.test",
          "EMAIL_HOST_PASSWORD": "p@ss", "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False}),
        ("smtps://u:p@mail.x.test", {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True,
                                     "EMAIL_USE_TLS": False}),
        ("smtp://mail.x.test?tls=0", {"EMAIL_PORT": 587, "EMAIL_USE_TLS": False}),
        ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        ("file:///tmp/m", {"EMAIL_FILE_PATH": "/tmp/m"}),
    ],
)  # fmt: skip
def test_email_url_parsing(url: str, expected: dict[str, Any], monkeypatch: Any) -> None:
    from config.settings import _email_settings

    monkeypatch.setenv("EMAIL_URL", url)
    parsed = _email_settings()
    assert {key: parsed[key] for key in expected} == expected


def test_a_bad_email_url_refuses_to_start(monkeypatch: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from config.settings import _email_settings

    monkeypatch.setenv("EMAIL_URL", "carrier-pigeon://coop")
    with pytest.raises(ImproperlyConfigured):
        _email_settings()
