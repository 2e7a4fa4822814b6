"""Shared fixtures: isolated media folders, users and API clients, and real processes
(a Celery worker, the ASGI web server) started against the test database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from django.conf import settings
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "test-artifacts"))


@pytest.fixture(scope="session")
def media_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("media")
    dirs = {"public": base / "public", "private": base / "private"}
    for path in dirs.values():
        path.mkdir()
    return dirs


@pytest.fixture(autouse=True)
def _isolated_media(settings: Any, media_dirs: dict[str, Path]) -> None:
    settings.MEDIA_ROOT = str(media_dirs["public"])
    settings.PRIVATE_MEDIA_ROOT = str(media_dirs["private"])


@pytest.fixture(autouse=True)
def _isolated_cache(settings: Any) -> None:
    """A fresh cache key prefix per test: rate limits, throttles and seen sets start empty,
    without flushing the Redis that Celery and the channel layer share."""
    caches = {alias: dict(config) for alias, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _english_unless_asked() -> Iterator[None]:
    """A request in French leaves French active in its thread (LocaleMiddleware activates the
    language per request and nothing deactivates it): every test starts in English."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def user(db: None) -> Any:
    return UserFactory()


@pytest.fixture
def other_user(db: None) -> Any:
    return UserFactory()


@pytest.fixture
def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def redis_client() -> redis_lib.Redis:
    return redis_lib.Redis.from_url(settings.REDIS_URL)


def _database_url_for_children() -> str:
    """The URL of the test database this session created, for worker and web subprocesses."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    if connection.vendor == "postgresql":
        user = params.get("USER") or ""
        password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        host = params.get("HOST") or "127.0.0.1"
        port = f":{params['PORT']}" if params.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{params['NAME']}"
    raise RuntimeError(f"unsupported database vendor {connection.vendor}")


def child_env(media_dirs: dict[str, Path]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=_database_url_for_children(),
        REDIS_URL=settings.REDIS_URL,
        MEDIA_ROOT=str(media_dirs["public"]),
        PRIVATE_MEDIA_ROOT=str(media_dirs["private"]),
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="config.settings",
        # The test's own cache prefix: seen sets and rate limits start empty in every test,
        # and the test process and its servers read the same keys.
        CACHE_KEY_PREFIX=settings.CACHES["default"].get("KEY_PREFIX", "reverie"),
    )
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_log(
    path: Path, needle: str, process: subprocess.Popen[bytes], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early:\n{path.read_text()}")
        if needle in path.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {needle!r}:\n{path.read_text()}")


@pytest.fixture
def celery_worker_process(
    transactional_db: None, media_dirs: dict[str, Path], tmp_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery worker` process on the real Redis broker and the test database."""
    client = redis_lib.Redis.from_url(settings.REDIS_URL)
    client.delete("render", "default")  # leftovers of earlier tests point at deleted jobs
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default,render",
                "-P", "solo", "-l", "info", "--without-gossip", "--without-mingle",
                "--without-heartbeat", "-n", f"test-{os.getpid()}@%h",
            ],
            cwd=ROOT, env=child_env(media_dirs), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_for_log(log, "ready.", process, timeout=60)
        yield process
    finally:
        _stop(process)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_asgi_server(
    media_dirs: dict[str, Path], log: Path
) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
                "--port", str(port), "--ws", "websockets",
            ],
            cwd=ROOT, env=child_env(media_dirs), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_for_log(log, "Application startup complete", process, timeout=60)
    except Exception:
        _stop(process)
        raise
    return f"http://127.0.0.1:{port}", process


@pytest.fixture
def asgi_server(
    transactional_db: None, media_dirs: dict[str, Path], tmp_path: Path
) -> Iterator[str]:
    """The real ASGI web server (uvicorn, HTTP and websockets) on the test database."""
    url, process = _start_asgi_server(media_dirs, tmp_path / "web.log")
    try:
        yield url
    finally:
        _stop(process)


@pytest.fixture
def two_asgi_servers(
    transactional_db: None, media_dirs: dict[str, Path], tmp_path: Path
) -> Iterator[tuple[str, str]]:
    """Two separate web processes sharing the database and the Redis channel layer."""
    first, first_process = _start_asgi_server(media_dirs, tmp_path / "web-a.log")
    try:
        second, second_process = _start_asgi_server(media_dirs, tmp_path / "web-b.log")
        try:
            yield first, second
        finally:
            _stop(second_process)
    finally:
        _stop(first_process)
