"""The Replicate backend, driven through the real replicate SDK against a local fake of its API."""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import av
import pytest

from generation.backends.base import (
    ContentRefused,
    GenerationSpec,
    PermanentError,
    ProviderStatus,
    RateLimited,
    TransientError,
    WebhookRejected,
)
from generation.backends.replicate import (
    DEFAULT_MODEL_PRO,
    DEFAULT_MODEL_STANDARD,
    ReplicateBackend,
)
from tests.fakes.replicate import REPLICATE_TEST_TOKEN, VERSIONS, FakeReplicate

# A tiny JPEG's worth of bytes is enough: the fake only checks it arrives as a data URI.
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32 + b"\xff\xd9"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeReplicate]:
    # One server per module (stopping one costs half a second); each test gets it reset.
    with FakeReplicate() as running:
        yield running  # type: ignore[misc]


@pytest.fixture
def fake(server: FakeReplicate) -> FakeReplicate:
    server.reset()
    return server


def configure(monkeypatch: pytest.MonkeyPatch, fake: FakeReplicate, timeout: str = "5") -> None:
    monkeypatch.setenv("REPLICATE_API_TOKEN", REPLICATE_TEST_TOKEN)
    monkeypatch.setenv("REPLICATE_BASE_URL", fake.url)
    monkeypatch.setenv("REPLICATE_TIMEOUT", timeout)
    monkeypatch.setenv("REPLICATE_WEBHOOK_SECRET", fake.webhook_secret)
    monkeypatch.delenv("REPLICATE_MODEL_STANDARD", raising=False)
    monkeypatch.delenv("REPLICATE_MODEL_PRO", raising=False)


@pytest.fixture
def backend(fake: FakeReplicate, monkeypatch: pytest.MonkeyPatch) -> ReplicateBackend:
    configure(monkeypatch, fake)
    return ReplicateBackend()


def spec(prompt: str = "a paper boat on a rainy street", **kwargs: object) -> GenerationSpec:
    values: dict[str, object] = {"seconds": 5, "aspect": "9:16", "tier": "standard", "seed": 11}
    values.update(kwargs)
    return GenerationSpec(prompt=prompt, **values)  # type: ignore[arg-type]


def test_a_prediction_walks_queued_running_succeeded_and_fetch_writes_a_real_mp4(
    backend: ReplicateBackend, fake: FakeReplicate, tmp_path: Path
) -> None:
    job = backend.submit(spec())
    assert job.status == ProviderStatus.QUEUED  # "starting"
    assert job.provider_job_id in fake.predictions
    assert job.model == DEFAULT_MODEL_STANDARD and job.seconds == 5

    running = backend.poll(job.provider_job_id)
    assert running.status == ProviderStatus.RUNNING
    assert running.progress == pytest.approx(0.45)  # from the model's progress bar
    done = backend.poll(job.provider_job_id)
    assert done.status == ProviderStatus.SUCCEEDED and done.progress == 1.0
    assert done.output_url == f"{fake.url}/files/{job.provider_job_id}.mp4"
    assert done.extra["metrics"]["predict_time"] == 11.2

    destination = tmp_path / "clip.mp4"
    backend.fetch(done, destination)
    with av.open(str(destination)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
    download = fake.requests[-1]
    assert download.path == f"/files/{job.provider_job_id}.mp4"


def test_the_request_the_sdk_sent_has_model_duration_ratio_and_token(
    backend: ReplicateBackend, fake: FakeReplicate
) -> None:
    backend.submit(spec(aspect="1:1"))
    sent = fake.requests[-1]
    assert sent.method == "POST"
    assert sent.path == f"/v1/models/{DEFAULT_MODEL_STANDARD}/predictions"
    assert sent.headers["authorization"] == f"Bearer {REPLICATE_TEST_TOKEN}"
    assert sent.json == {
        "input": {
            "prompt": "a paper boat on a rainy street", "duration": 5, "aspect_ratio": "1:1",
            "resolution": "720p", "fps": 24, "seed": 11,
        },
    }  # fmt: skip


def test_pro_tier_uses_the_pro_model(backend: ReplicateBackend, fake: FakeReplicate) -> None:
    job = backend.submit(spec(tier="pro"))
    assert fake.requests[-1].path == f"/v1/models/{DEFAULT_MODEL_PRO}/predictions"
    assert job.model == DEFAULT_MODEL_PRO


def test_a_pinned_version_runs_by_version(
    fake: FakeReplicate, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, fake)
    version = next(iter(VERSIONS))
    monkeypatch.setenv("REPLICATE_MODEL_STANDARD", f"{DEFAULT_MODEL_STANDARD}:{version}")
    job = ReplicateBackend().submit(spec())
    assert fake.requests[-1].path == "/v1/predictions"
    assert fake.requests[-1].json["version"] == version
    assert job.model == DEFAULT_MODEL_STANDARD


def test_an_image_reference_is_sent_inline_as_a_jpeg_data_uri(
    backend: ReplicateBackend, fake: FakeReplicate
) -> None:
    backend.submit(spec(image_reference=JPEG))
    image = fake.requests[-1].json["input"]["image"]
    assert image == "data:image/jpeg;base64," + base64.b64encode(JPEG).decode()


def test_durations_map_to_the_shortest_offered_and_too_long_is_refused(
    backend: ReplicateBackend, fake: FakeReplicate
) -> None:
    job = backend.submit(spec(seconds=1))
    assert job.seconds == 3 and fake.requests[-1].json["input"]["duration"] == 3
    backend.submit(spec(seconds=10))
    assert fake.requests[-1].json["input"]["duration"] == 10
    assert ReplicateBackend.capabilities.provider_seconds(13) is None


def test_webhook_and_completed_filter_are_passed(
    backend: ReplicateBackend, fake: FakeReplicate
) -> None:
    hook = "https://reverie.example/hooks/replicate"
    job = backend.submit(spec(), webhook_url=hook)
    sent = fake.requests[-1].json
    assert sent["webhook"] == hook and sent["webhook_events_filter"] == ["completed"]
    assert fake.predictions[job.provider_job_id].webhook == hook


def test_content_policy_failure_is_content_refused_on_the_failed_job(
    backend: ReplicateBackend, fake: FakeReplicate
) -> None:
    job = backend.submit(spec("[refuse] a thing the filter flags"))
    backend.poll(job.provider_job_id)
    failed = backend.poll(job.provider_job_id)
    assert failed.status == ProviderStatus.FAILED
    assert isinstance(failed.error, ContentRefused) and failed.error.code == "E005"


def test_a_model_failure_is_permanent_and_a_start_timeout_transient(
    backend: ReplicateBackend, fake: FakeReplicate
) -> None:
    fake.outcome = "failed"
    oom = backend.submit(spec())
    flaky = backend.submit(spec("[flaky] a lighthouse"))
    for _ in range(2):
        oom_job, flaky_job = backend.poll(oom.provider_job_id), backend.poll(flaky.provider_job_id)
    assert oom_job.status == ProviderStatus.FAILED and type(oom_job.error) is PermanentError
    assert oom_job.error.code == "E1001"
    assert flaky_job.status == ProviderStatus.FAILED and type(flaky_job.error) is TransientError
    assert flaky_job.error.code == "E6716"


def test_invalid_input_is_permanent(backend: ReplicateBackend, fake: FakeReplicate) -> None:
    with pytest.raises(PermanentError) as caught:
        backend.submit(spec(""))
    assert caught.value.status_code == 422


def test_429_with_retry_after_is_rate_limited_without_sdk_retries(
    backend: ReplicateBackend, fake: FakeReplicate
) -> None:
    job = backend.submit(spec())
    fake.fail_next(429, times=3, headers={"Retry-After": "7"}, body={"detail": "throttled"})
    started = time.monotonic()
    with pytest.raises(RateLimited) as caught:
        backend.poll(job.provider_job_id)  # a GET, which replicate's RetryTransport would retry
    assert caught.value.retry_after == 7.0
    assert time.monotonic() - started < 2  # no sleeping out the Retry-After
    assert len(fake.requests) == 2  # the submit and the one poll


def test_429_on_submit_is_rate_limited(backend: ReplicateBackend, fake: FakeReplicate) -> None:
    fake.fail_next(429, headers={"Retry-After": "3"}, body={"detail": "throttled"})
    with pytest.raises(RateLimited) as caught:
        backend.submit(spec())
    assert caught.value.retry_after == 3.0


def test_500_is_transient(backend: ReplicateBackend, fake: FakeReplicate) -> None:
    job = backend.submit(spec())
    fake.fail_next(500, body={"title": "Internal Server Error", "status": 500})
    with pytest.raises(TransientError) as caught:
        backend.poll(job.provider_job_id)
    assert caught.value.status_code == 500


def test_a_hang_longer_than_the_timeout_is_transient_and_quick(
    fake: FakeReplicate, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, fake, timeout="1")
    backend = ReplicateBackend()
    job = backend.submit(spec())
    fake.hang_next(seconds=3)
    started = time.monotonic()
    with pytest.raises(TransientError):
        backend.poll(job.provider_job_id)
    assert time.monotonic() - started < 2.5


def test_wrong_token_is_permanent(fake: FakeReplicate, monkeypatch: pytest.MonkeyPatch) -> None:
    configure(monkeypatch, fake)
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_someone_else")
    with pytest.raises(PermanentError) as caught:
        ReplicateBackend().submit(spec())
    assert caught.value.status_code == 401


def test_cancel_reaches_replicate(backend: ReplicateBackend, fake: FakeReplicate) -> None:
    job = backend.submit(spec())
    backend.cancel(job.provider_job_id)
    sent = fake.requests[-1]
    assert sent.method == "POST" and sent.path == f"/v1/predictions/{job.provider_job_id}/cancel"
    assert fake.predictions[job.provider_job_id].status == "canceled"
    assert backend.poll(job.provider_job_id).status == ProviderStatus.CANCELLED


def test_unconfigured_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPLICATE_API_TOKEN", raising=False)
    assert ReplicateBackend.is_configured() is False
    assert ReplicateBackend.is_configured({"REPLICATE_API_TOKEN": "r8_x"}) is True
    with pytest.raises(PermanentError):
        ReplicateBackend().submit(spec())


# -- webhooks -----------------------------------------------------------------------------------


def _delivered(
    backend: ReplicateBackend, fake: FakeReplicate, **sign: object
) -> tuple[str, dict[str, str], bytes]:
    job = backend.submit(spec(), webhook_url="https://reverie.example/hooks/replicate")
    headers, body = fake.webhook_delivery(job.provider_job_id, **sign)
    return job.provider_job_id, headers, body


def test_a_correctly_signed_webhook_returns_the_prediction_id(
    backend: ReplicateBackend, fake: FakeReplicate
) -> None:
    prediction_id, headers, body = _delivered(backend, fake)
    assert json.loads(body)["status"] == "succeeded"
    assert backend.verify_webhook(headers, body) == prediction_id
    shouted = {k.title(): v for k, v in headers.items()}  # header case doesn't matter
    assert backend.verify_webhook(shouted, body) == prediction_id


def test_a_forged_signature_is_rejected(backend: ReplicateBackend, fake: FakeReplicate) -> None:
    other = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    _, headers, body = _delivered(backend, fake, secret=other)
    with pytest.raises(WebhookRejected, match="InvalidSignatureError"):
        backend.verify_webhook(headers, body)


def test_a_stale_timestamp_is_rejected(backend: ReplicateBackend, fake: FakeReplicate) -> None:
    _, headers, body = _delivered(backend, fake, timestamp=int(time.time()) - 301)
    with pytest.raises(WebhookRejected, match="InvalidTimestampError"):
        backend.verify_webhook(headers, body)


def test_a_missing_header_is_rejected(backend: ReplicateBackend, fake: FakeReplicate) -> None:
    _, headers, body = _delivered(backend, fake)
    del headers["webhook-signature"]
    with pytest.raises(WebhookRejected, match="MissingWebhookHeaderError"):
        backend.verify_webhook(headers, body)


def test_a_tampered_body_is_rejected(backend: ReplicateBackend, fake: FakeReplicate) -> None:
    _, headers, body = _delivered(backend, fake)
    tampered = body.replace(b'"succeeded"', b'"failed"')
    assert tampered != body
    with pytest.raises(WebhookRejected, match="InvalidSignatureError"):
        backend.verify_webhook(headers, tampered)


def test_webhooks_are_rejected_without_a_secret(
    backend: ReplicateBackend, fake: FakeReplicate, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, headers, body = _delivered(backend, fake)
    monkeypatch.delenv("REPLICATE_WEBHOOK_SECRET")
    with pytest.raises(WebhookRejected, match="REPLICATE_WEBHOOK_SECRET"):
        ReplicateBackend().verify_webhook(headers, body)
