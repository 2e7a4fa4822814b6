"""Submitting while the task broker is down: a JSON 503 with Retry-After, and nothing made or
charged — whether the broker was already down or died between the check and the publish."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from config import broker as broker_config
from config import celery as celery_config
from config.embedded_redis import EmbeddedRedis
from credits.models import LedgerEntry
from credits.services import balance_for
from generation.models import GenerationJob, JobStatus

URL = "/api/v1/generations"


def _use_broker(url: str) -> None:
    from kombu import pools

    app = celery_config.app
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()  # kombu's process-wide connection and producer pools
    app.conf.broker_url = url
    broker_config.broker_forget_outage()


@pytest.fixture
def dead_broker(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A broker of this test's own, already stopped: the port refuses connections."""
    original = celery_config.app.conf.broker_url
    server = EmbeddedRedis(tmp_path / "broker", persist=False)
    server.start()
    _use_broker(server.url)
    server.stop()
    try:
        yield server
    finally:
        server.stop()
        _use_broker(original)


def _wallet(user: Any) -> tuple[int, int]:
    account = balance_for(user=user)
    return account.available, LedgerEntry.objects.filter(account=account).count()


@pytest.mark.django_db
def test_submit_with_the_broker_down_is_a_503_and_makes_nothing(
    api: APIClient, user: Any, dead_broker: EmbeddedRedis
) -> None:
    before = _wallet(user)
    response = api.post(URL, {"prompt": "a cat in the snow", "seconds": 3}, format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert int(response["Retry-After"]) > 0
    assert GenerationJob.objects.count() == 0
    assert _wallet(user) == before


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_dies_after_the_check_leaves_no_charge_and_frees_the_key(
    user: Any, dead_broker: EmbeddedRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generation import services

    api = APIClient()
    api.force_authenticate(user)
    available_before = balance_for(user=user).available
    monkeypatch.setattr(services, "broker_reachable", lambda: True)  # it was up at the check
    headers = {"HTTP_IDEMPOTENCY_KEY": "outage-1"}
    body = {"prompt": "a cat in the snow", "seconds": 3}
    response = api.post(URL, body, format="json", **headers)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    job = GenerationJob.objects.get()
    assert job.status == JobStatus.FAILED and job.idempotency_key is None
    assert balance_for(user=user).available == available_before  # the hold was released
    # The broker is back: the retry with the same key makes a fresh, queued job.
    _use_broker(dead_broker.start())
    retry = api.post(URL, body, format="json", **headers)
    assert retry.status_code == 201, retry.content
    assert retry.json()["status"] == "queued"
    assert GenerationJob.objects.count() == 2


@pytest.mark.django_db
def test_a_verification_upload_with_the_broker_down_is_a_503(
    api: APIClient, user: Any, dead_broker: EmbeddedRedis
) -> None:
    import io

    from likeness.models import Cameo, VerificationAttempt, VerificationStatus

    cameo = Cameo.objects.create(owner=user, handle="outage_cameo", name="Outage")
    attempt = VerificationAttempt.objects.create(
        cameo=cameo, challenge={"numbers": [11, 22, 33], "turns": ["left", "right"]}
    )
    clip = io.BytesIO(b"\x1a\x45\xdf\xa3" + b"\x00" * 64)
    clip.name = "clip.webm"
    response = api.post(f"/api/v1/verifications/{attempt.pk}", {"clip": clip}, format="multipart")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    attempt.refresh_from_db()
    assert attempt.status == VerificationStatus.CHALLENGED  # still usable once the broker is back
