"""Hardening: deploy checks, the Content Security Policy, Argon2, and rate limits answered with
429 and Retry-After."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from rest_framework.test import APIClient

from generation.models import GenerationJob

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy_without_warnings(tmp_path: Path) -> None:
    chain = tmp_path / "c2pa"
    made = subprocess.run([sys.executable, "manage.py", "make_c2pa_chain", "--out", str(chain)],
                          cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert made.returncode == 0, made.stderr
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "reverie.example",
        # One C2PA chain for the deployment (without it the check is an error: test_c2pa_chain).
        "C2PA_SIGN_CERT": str(chain / "chain.pem"),
        "C2PA_PRIVATE_KEY": str(chain / "key.pem"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_scripts(client: Client) -> None:
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    html = client.get("/").content.decode()
    # Only external scripts and non-executable JSON data blocks.
    for tag in html.split("<script")[1:]:
        head = tag.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, head


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(client: Client) -> None:
    from accounts.services import user_create

    user = user_create(handle="hashme", password="a-long-enough-password-1")
    assert user.password.startswith("argon2$")


@pytest.mark.django_db
def test_generation_is_rate_limited_with_retry_after(api: APIClient, settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "generate": "2/minute",
        },
    }
    payload = {"prompt": "a cat", "seconds": 1}
    assert api.post("/api/v1/generations", payload, format="json").status_code == 201
    assert api.post("/api/v1/generations", payload, format="json").status_code == 201
    limited = api.post("/api/v1/generations", payload, format="json")
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    assert limited.json()["detail"]
    assert GenerationJob.objects.count() == 2
    # Reading is not an action: the list still answers.
    assert api.get("/api/v1/generations").status_code == 200


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_handle_for_a_while(user: Any, settings: Any) -> None:
    from tests.factories import TEST_PASSWORD

    settings.LOGIN_FAILURE_LIMIT = 3
    client = Client()
    statuses = [
        client.post("/accounts/login/", {"username": user.username, "password": "no"}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]  # the failure that reaches the limit is refused already
    locked = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "Too many failed attempts" in locked.content.decode()
    # The same handle from another address is locked too (per handle)...
    elsewhere = Client(REMOTE_ADDR="203.0.113.9").post(
        "/accounts/login/", {"username": user.username.upper(), "password": TEST_PASSWORD}
    )
    assert elsewhere.status_code == 429
    # ...and so is this address for any other handle (per address).
    other = Client().post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert other.status_code == 429


@pytest.mark.django_db
def test_signups_are_rate_limited(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "signup": "2/hour",
        },
    }
    client = Client()
    for index in range(2):
        client.post("/accounts/signup/", {"handle": f"new{index}x", "password": "Long-pass-123x"})
        client.post("/accounts/logout/")
    limited = client.post("/accounts/signup/", {"handle": "new9x", "password": "Long-pass-123x"})
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scope", "method", "path"),
    [
        ("like", "post", "/api/v1/videos/{video}/like"),
        ("comment", "post", "/api/v1/videos/{video}/comments"),
        ("report", "post", "/api/v1/videos/{video}/report"),
        ("follow", "post", "/api/v1/users/{creator}/follow"),
    ],
)
def test_social_actions_are_rate_limited(
    api: APIClient, settings: Any, scope: str, method: str, path: str
) -> None:
    from tests.factories import VideoFactory

    video = VideoFactory()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            scope: "1/minute",
        },
    }
    url = path.format(video=video.pk, creator=video.creator.username)
    body = {"body": "hi"} if scope == "comment" else {"reason": "spam"} if scope == "report" else {}
    first = getattr(api, method)(url, body, format="json")
    assert first.status_code < 400, first.content
    second = getattr(api, method)(url, body, format="json")
    assert second.status_code == 429
    assert int(second["Retry-After"]) > 0


@pytest.mark.django_db
def test_drafts_are_not_reachable_by_anyone_else(
    api: APIClient, user: Any, other_user: Any
) -> None:
    """IDOR probes: another user's draft by id, by media URL and by guessing paths → 404."""
    from config.storage import private_storage

    job = GenerationJob.objects.create(
        owner=other_user, prompt="secret", seconds=1, seed=1, status="succeeded",
        video_file=f"drafts/{other_user.pk}/x/clip.mp4",
    )  # fmt: skip
    private_storage().save(job.video_file.name, ContentFile(b"secret"))
    session = Client()
    session.force_login(user)
    for url in (
        f"/api/v1/generations/{job.pk}",
        f"/drafts/{job.pk}/clip.mp4",
        f"/drafts/{job.pk}/poster.jpg",
        f"/media/{job.video_file.name}",
        f"/media/../private/{job.video_file.name}",
    ):
        assert api.get(url).status_code == 404, url
        assert session.get(url).status_code == 404, url
        assert Client().get(url).status_code in (401, 403, 404), url


@pytest.mark.django_db
def test_api_404s_are_json_and_pages_are_html(client: Client) -> None:
    api = client.get("/api/v1/videos/abc/like")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not found.", "code": "not_found"}
    page = client.get("/no/such/page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
