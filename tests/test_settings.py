"""Configuration comes from the environment; production refuses the development secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _settings(env: dict[str, str], expr: str) -> subprocess.CompletedProcess[str]:
    code = f"import django; django.setup(); from django.conf import settings; print({expr})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
    )


def test_debug_off_refuses_the_development_secret_key() -> None:
    result = _settings({"DEBUG": "false", "SECRET_KEY": ""}, "settings.DEBUG")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_off_with_a_real_secret_starts() -> None:
    result = _settings(
        {"DEBUG": "false", "SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "reverie.example"},
        "settings.ALLOWED_HOSTS, settings.SESSION_COOKIE_SECURE",
    )
    assert result.returncode == 0, result.stderr
    assert "['reverie.example'] True" in result.stdout


def test_database_url_selects_postgresql() -> None:
    result = _settings(
        {"DATABASE_URL": "postgres://u:p@db.example:5433/reverie"},
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['PORT']",
    )
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout and "5433" in result.stdout


def test_s3_variables_switch_storage_to_s3() -> None:
    result = _settings(
        {"S3_BUCKET": "clips", "S3_ENDPOINT_URL": "http://127.0.0.1:9"},
        "settings.STORAGES['default']['BACKEND'], settings.SERVE_MEDIA",
    )
    assert result.returncode == 0, result.stderr
    assert "storages.backends.s3.S3Storage False" in result.stdout
