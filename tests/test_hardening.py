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
from django.test import Client
from rest_framework.test import APIClient

from generation.models import GenerationJob

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy_without_warnings() -> None:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "reverie.example",
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
