"""The fal backend, driven through the real fal-client SDK against a local fake of fal's queue."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import av
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from generation.backends import fal as fal_module
from generation.backends.base import (
    ContentRefused,
    GenerationSpec,
    PermanentError,
    ProviderStatus,
    RateLimited,
    TransientError,
    WebhookRejected,
)
from generation.backends.fal import DEFAULT_APP_PRO, DEFAULT_APP_STANDARD, FalBackend
from tests.fakes.fal import FAL_TEST_KEY, FakeFal


@pytest.fixture(scope="module")
def server() -> Iterator[FakeFal]:
    # One server per module (stopping one costs half a second); each test gets it reset.
    with FakeFal() as running:
        yield running  # type: ignore[misc]


@pytest.fixture
def fake(server: FakeFal) -> FakeFal:
    server.reset()
    fal_module._jwks_cache.clear()
    return server


@pytest.fixture
def backend(fake: FakeFal, monkeypatch: pytest.MonkeyPatch) -> FalBackend:
    monkeypatch.setenv("FAL_KEY", FAL_TEST_KEY)
    monkeypatch.setenv("FAL_QUEUE_URL", fake.url)
    monkeypatch.setenv("FAL_JWKS_URL", f"{fake.url}/.well-known/jwks.json")
    monkeypatch.setenv("FAL_TIMEOUT", "5")
    for name in ("FAL_BASE_URL", "FAL_APP_STANDARD", "FAL_APP_PRO"):
        monkeypatch.delenv(name, raising=False)
    return FalBackend()


def spec(prompt: str = "a red fox trotting through snow", **kwargs: object) -> GenerationSpec:
    values: dict[str, object] = {"seconds": 5, "aspect": "9:16", "tier": "standard", "seed": 7}
    values.update(kwargs)
    return GenerationSpec(prompt=prompt, **values)  # type: ignore[arg-type]


def test_a_job_walks_queued_running_succeeded_and_fetch_writes_a_real_mp4(
    backend: FalBackend, fake: FakeFal, tmp_path: Path
) -> None:
    job = backend.submit(spec())
    assert job.status == ProviderStatus.QUEUED
    assert job.provider_job_id in fake.jobs
    assert job.model == DEFAULT_APP_STANDARD and job.seconds == 5

    first = backend.poll(job.provider_job_id)
    assert first.status == ProviderStatus.QUEUED and first.extra["queue_position"] == 1
    running = backend.poll(job.provider_job_id)
    assert running.status == ProviderStatus.RUNNING and running.progress is None  # fal gives none
    done = backend.poll(job.provider_job_id)
    assert done.status == ProviderStatus.SUCCEEDED and done.progress == 1.0
    assert done.output_url == f"{fake.url}/files/{job.provider_job_id}.mp4"

    destination = tmp_path / "clip.mp4"
    backend.fetch(done, destination)
    with av.open(str(destination)) as container:
        assert container.streams.video[0].codec_context.name == "h264"


def test_the_request_the_sdk_sent_has_app_duration_ratio_audio_seed_and_key(
    backend: FalBackend, fake: FakeFal
) -> None:
    backend.submit(spec(aspect="16:9", audio=False))
    sent = fake.requests[-1]
    assert sent.method == "POST"
    assert sent.path == f"/{DEFAULT_APP_STANDARD}"
    assert sent.headers["authorization"] == f"Key {FAL_TEST_KEY}"
    assert sent.json == {
        "prompt": "a red fox trotting through snow", "duration": "5", "aspect_ratio": "16:9",
        "resolution": "720p", "generate_audio": False, "seed": 7,
    }  # fmt: skip
    assert "fal_webhook" not in sent.query


def test_pro_tier_uses_the_pro_app_and_polls_under_the_shared_owner_alias(
    backend: FalBackend, fake: FakeFal
) -> None:
    job = backend.submit(spec(tier="pro"))
    assert fake.requests[-1].path == f"/{DEFAULT_APP_PRO}" and job.model == DEFAULT_APP_PRO
    backend.poll(job.provider_job_id)
    # The queue's request URLs drop the app's sub-path.
    assert (
        fake.requests[-1].path == f"/bytedance/seedance-2.0/requests/{job.provider_job_id}/status"
    )


def test_polling_finds_a_request_under_the_other_apps_namespace(
    fake: FakeFal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAL_KEY", FAL_TEST_KEY)
    monkeypatch.setenv("FAL_QUEUE_URL", fake.url)
    monkeypatch.setenv("FAL_APP_STANDARD", "fal-ai/kling-video/v2.5-turbo/pro/text-to-video")
    monkeypatch.delenv("FAL_APP_PRO", raising=False)
    backend = FalBackend()
    job = backend.submit(spec(tier="pro"))
    assert backend.poll(job.provider_job_id).status == ProviderStatus.QUEUED
    paths = [r.path for r in fake.requests[-2:]]
    assert paths == [
        f"/fal-ai/kling-video/requests/{job.provider_job_id}/status",  # 404: not this app's
        f"/bytedance/seedance-2.0/requests/{job.provider_job_id}/status",
    ]


def test_fal_base_url_alone_points_both_hosts_at_one_server(
    fake: FakeFal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAL_KEY", FAL_TEST_KEY)
    monkeypatch.delenv("FAL_QUEUE_URL", raising=False)
    monkeypatch.setenv("FAL_BASE_URL", fake.url)
    job = FalBackend().submit(spec())
    assert fake.requests[-1].path == f"/{DEFAULT_APP_STANDARD}"
    assert job.provider_job_id in fake.jobs


def test_durations_map_to_the_shortest_offered_and_too_long_is_refused(
    backend: FalBackend, fake: FakeFal
) -> None:
    job = backend.submit(spec(seconds=2))
    assert job.seconds == 4 and fake.requests[-1].json["duration"] == "4"
    backend.submit(spec(seconds=10))
    assert fake.requests[-1].json["duration"] == "10"
    assert FalBackend.capabilities.provider_seconds(16) is None


def test_webhook_url_is_passed_as_fal_webhook(backend: FalBackend, fake: FakeFal) -> None:
    hook = "https://reverie.example/hooks/fal?job=abc&x=1"
    job = backend.submit(spec(), webhook_url=hook)
    assert fake.requests[-1].query["fal_webhook"] == [hook]
    assert fake.jobs[job.provider_job_id].webhook == hook


def test_content_policy_failure_is_content_refused_on_the_failed_job(
    backend: FalBackend, fake: FakeFal
) -> None:
    job = backend.submit(spec("[refuse] something fal will not draw"))
    for _ in range(2):
        backend.poll(job.provider_job_id)
    failed = backend.poll(job.provider_job_id)
    assert failed.status == ProviderStatus.FAILED
    assert isinstance(failed.error, ContentRefused)
    assert failed.error.code == "content_policy_violation"


def test_runner_failure_is_a_transient_error_on_the_failed_job(
    backend: FalBackend, fake: FakeFal
) -> None:
    fake.outcome = "failed"
    job = backend.submit(spec())
    for _ in range(2):
        backend.poll(job.provider_job_id)
    failed = backend.poll(job.provider_job_id)
    assert failed.status == ProviderStatus.FAILED
    assert type(failed.error) is TransientError
    assert failed.error.code == "runner_server_error"


def test_invalid_submission_is_permanent(backend: FalBackend, fake: FakeFal) -> None:
    with pytest.raises(PermanentError) as caught:
        backend.submit(spec(""))
    assert caught.value.status_code == 422 and caught.value.code == "missing"


def test_429_with_retry_after_is_rate_limited_without_sdk_retries(
    backend: FalBackend, fake: FakeFal
) -> None:
    fake.fail_next(429, times=3, headers={"Retry-After": "7"}, body={"detail": "Rate limited"})
    with pytest.raises(RateLimited) as caught:
        backend.submit(spec())
    assert caught.value.retry_after == 7.0
    assert len(fake.requests) == 1  # fal-client would otherwise have tried up to ten times


def test_500_is_transient(backend: FalBackend, fake: FakeFal) -> None:
    job = backend.submit(spec())
    fake.fail_next(500, body={"detail": "Internal server error"})
    with pytest.raises(TransientError) as caught:
        backend.poll(job.provider_job_id)
    assert caught.value.status_code == 500


def test_503_on_a_poll_is_transient_at_once(backend: FalBackend, fake: FakeFal) -> None:
    job = backend.submit(spec())
    fake.fail_next(503, times=5)
    with pytest.raises(TransientError) as caught:
        backend.poll(job.provider_job_id)
    assert caught.value.status_code == 503 and len(fake.requests) == 2


def test_a_hang_longer_than_the_timeout_is_transient_and_quick(
    fake: FakeFal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAL_KEY", FAL_TEST_KEY)
    monkeypatch.setenv("FAL_QUEUE_URL", fake.url)
    monkeypatch.setenv("FAL_TIMEOUT", "1")
    backend = FalBackend()
    job = backend.submit(spec())
    fake.hang_next(seconds=3)
    started = time.monotonic()
    with pytest.raises(TransientError):
        backend.poll(job.provider_job_id)  # the SDK's own poll timeout would be 120 s
    assert time.monotonic() - started < 2.5


def test_wrong_key_is_permanent(fake: FakeFal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAL_KEY", "someone-else:secret")
    monkeypatch.setenv("FAL_QUEUE_URL", fake.url)
    with pytest.raises(PermanentError) as caught:
        FalBackend().submit(spec())
    assert caught.value.status_code == 401


def test_cancel_reaches_fal_and_the_job_then_reads_cancelled(
    backend: FalBackend, fake: FakeFal
) -> None:
    job = backend.submit(spec())
    backend.cancel(job.provider_job_id)
    sent = fake.requests[-1]
    assert sent.method == "PUT"
    assert sent.path == f"/bytedance/seedance-2.0/requests/{job.provider_job_id}/cancel"
    assert fake.jobs[job.provider_job_id].cancelled
    assert backend.poll(job.provider_job_id).status == ProviderStatus.CANCELLED


def test_cancel_after_completion_is_a_no_op(backend: FalBackend, fake: FakeFal) -> None:
    job = backend.submit(spec())
    for _ in range(3):
        backend.poll(job.provider_job_id)
    backend.cancel(job.provider_job_id)  # fal answers 400 ALREADY_COMPLETED
    assert fake.requests[-1].method == "PUT" and not fake.jobs[job.provider_job_id].cancelled


def test_unconfigured_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAL_KEY", raising=False)
    assert FalBackend.is_configured() is False
    assert FalBackend.is_configured({"FAL_KEY": "k"}) is True
    with pytest.raises(PermanentError):
        FalBackend().submit(spec())


def test_prices_and_capabilities() -> None:
    prices = {(row.tier, row.resolution): row.usd_per_second for row in FalBackend.default_prices}
    assert prices == {("standard", "720p"): Decimal("0.2419"), ("pro", "720p"): Decimal("0.3034")}
    assert FalBackend.capabilities.webhooks and FalBackend.capabilities.audio


# -- webhooks -----------------------------------------------------------------------------------


def _submitted(backend: FalBackend) -> str:
    return backend.submit(spec(), webhook_url="https://reverie.example/hooks/fal").provider_job_id


def test_a_correctly_signed_webhook_returns_the_request_id_and_keys_are_cached(
    backend: FalBackend, fake: FakeFal
) -> None:
    request_id = _submitted(backend)
    headers, body = fake.webhook_delivery(request_id)
    assert backend.verify_webhook(headers, body) == request_id
    lowered = {k.lower(): v for k, v in headers.items()}  # header case doesn't matter
    assert backend.verify_webhook(lowered, body) == request_id
    jwks_fetches = [r for r in fake.requests if r.path == "/.well-known/jwks.json"]
    assert len(jwks_fetches) == 1


def test_a_forged_signature_is_rejected(backend: FalBackend, fake: FakeFal) -> None:
    request_id = _submitted(backend)
    headers, body = fake.webhook_delivery(request_id, key=Ed25519PrivateKey.generate())
    with pytest.raises(WebhookRejected, match="signature"):
        backend.verify_webhook(headers, body)


def test_a_stale_timestamp_is_rejected(backend: FalBackend, fake: FakeFal) -> None:
    request_id = _submitted(backend)
    headers, body = fake.webhook_delivery(request_id, timestamp=int(time.time()) - 301)
    with pytest.raises(WebhookRejected, match="timestamp"):
        backend.verify_webhook(headers, body)


def test_a_missing_header_is_rejected(backend: FalBackend, fake: FakeFal) -> None:
    request_id = _submitted(backend)
    headers, body = fake.webhook_delivery(request_id)
    del headers["X-Fal-Webhook-Signature"]
    with pytest.raises(WebhookRejected, match="missing"):
        backend.verify_webhook(headers, body)


def test_a_tampered_body_is_rejected(backend: FalBackend, fake: FakeFal) -> None:
    request_id = _submitted(backend)
    headers, body = fake.webhook_delivery(request_id)
    tampered = body.replace(b'"status": "OK"', b'"status": "ERROR"')
    assert tampered != body
    with pytest.raises(WebhookRejected, match="signature"):
        backend.verify_webhook(headers, tampered)


def test_a_signature_for_another_request_id_is_rejected(backend: FalBackend, fake: FakeFal) -> None:
    request_id = _submitted(backend)
    headers, body = fake.webhook_delivery(request_id)
    headers["X-Fal-Webhook-Request-Id"] = "another-request"
    with pytest.raises(WebhookRejected):
        backend.verify_webhook(headers, body)
