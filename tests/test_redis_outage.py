"""A Redis outage degrades, never breaks: with a real redis-server stopped mid-test, pages and the
API still answer (cache and seen-set misses fall back to the database, throttles open with a log
line), and everything picks up again when Redis returns."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from config.embedded_redis import EmbeddedRedis
from feed import seen
from tests.factories import UserFactory, VideoFactory


@pytest.fixture
def own_redis(tmp_path: Path, settings: Any) -> Iterator[EmbeddedRedis]:
    """A redis-server of this test's own, which the test may stop and start again."""
    server = EmbeddedRedis(tmp_path / "redis", persist=False)
    server.start()
    settings.REDIS_URL = server.url
    settings.CACHES = {
        alias: {**config, "LOCATION": server.url} for alias, config in settings.CACHES.items()
    }
    seen.forget_process_state()
    try:
        yield server
    finally:
        server.stop()
        seen.forget_process_state()


def _down(server: EmbeddedRedis) -> None:
    server.stop()


@pytest.mark.django_db
def test_pages_and_api_answer_while_redis_is_down(
    own_redis: EmbeddedRedis, caplog: pytest.LogCaptureFixture
) -> None:
    creator = UserFactory()
    videos = [VideoFactory(creator=creator, score=float(i)) for i in range(12)]
    viewer = UserFactory()
    api = APIClient()
    api.force_authenticate(viewer)
    assert api.get("/api/v1/feed/for-you?limit=4").status_code == 200  # warm: pools cached

    _down(own_redis)
    with caplog.at_level(logging.WARNING, logger="reverie.redis"):
        for path in ("/", "/?tab=following", f"/v/{videos[0].pk}/"):
            response = Client().get(path)
            assert response.status_code in (200, 302), (path, response.status_code)
        first = api.get("/api/v1/feed/for-you?limit=4")
        second = api.get("/api/v1/feed/for-you?limit=4")
        assert first.status_code == second.status_code == 200
        first_ids = [item["id"] for item in first.json()["results"]]
        second_ids = [item["id"] for item in second.json()["results"]]
        assert len(first_ids) == 4 and len(second_ids) == 4
        # The process remembered the first page without Redis: the second moves on.
        assert not set(first_ids) & set(second_ids)
        assert APIClient().get("/api/v1/feed/for-you").status_code == 200  # anonymous
        # Throttled actions still work (the limit opens rather than failing the request).
        like = api.post(f"/api/v1/videos/{videos[0].pk}/like")
        assert like.status_code == 200, like.content
        assert like.json()["liked"] is True
        assert api.post(f"/api/v1/videos/{videos[1].pk}/views", {"watch_ms": 500}).status_code < 500
    assert any("unreachable" in record.getMessage() for record in caplog.records)

    own_redis.start()
    seen.outage.succeeded()
    from django.core.cache import cache

    cache.outage.succeeded()  # type: ignore[attr-defined]
    assert api.get("/api/v1/feed/for-you?limit=4").status_code == 200
    key = seen.seen_key(f"u{viewer.pk}")
    seen.flush()
    assert seen.seen_store().zcard(key) == 4  # seen sets are written to Redis again


@pytest.mark.django_db
def test_log_in_and_sign_up_work_while_redis_is_down(own_redis: EmbeddedRedis) -> None:
    from tests.factories import TEST_PASSWORD

    user = UserFactory()
    _down(own_redis)
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    token = APIClient().post(
        "/api/v1/auth/token", {"handle": user.username, "password": TEST_PASSWORD}, format="json"
    )
    assert token.status_code == 200, token.content
    signup = Client().post(
        "/accounts/signup/",
        {"handle": "outage_person", "email": "o@example.com", "password": "a-long-pass-phrase-9"},
    )
    assert signup.status_code in (200, 302)


@pytest.mark.django_db
def test_a_job_finishing_while_redis_is_down_is_captured(
    own_redis: EmbeddedRedis, settings: Any, user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Job state and money live in the database: the routing snapshot falls back to it, the live
    push is skipped, and the capture happens at once (not later, by the reaper)."""
    from channels.layers import channel_layers

    from credits.services import balance_for
    from generation import services, tasks
    from generation.models import JobStatus

    with django_capture_on_commit_callbacks(execute=False):
        job, _created = services.job_create(
            owner=user, request=services.JobRequest(prompt="a fox in the snow", seconds=1)
        )
    held = balance_for(user=user)
    assert held.held == job.quote_credits > 0
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [own_redis.url]},
        }
    }
    channel_layers.backends = {}
    _down(own_redis)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.run_job.apply(args=[str(job.pk)]).get() == "succeeded"
    finally:
        channel_layers.backends = {}
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.charged_credits == job.quote_credits
    account = balance_for(user=user)
    assert account.held == 0
    assert account.available == held.available  # the hold became the charge, nothing more
