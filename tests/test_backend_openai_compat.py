"""The OpenAI-compatible `/v1/videos` backend, driven through the real `openai` SDK against a
local fake gateway (tests/fakes/openai_videos.py)."""

from __future__ import annotations

import base64
import io
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from PIL import Image

from generation.backends.base import (
    ContentRefused,
    GenerationSpec,
    PermanentError,
    ProviderStatus,
    RateLimited,
    TransientError,
    WebhookRejected,
)
from generation.backends.openai_compat import OpenAICompatibleBackend
from tests.fakes.openai_videos import FakeOpenAIVideos, parse_multipart, webhook_body

SECRET = "whsec_" + base64.b64encode(b"reverie-test-webhook-secret-0001").decode()


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIVideos]:
    with FakeOpenAIVideos() as running:
        yield running


@pytest.fixture
def fake(server: FakeOpenAIVideos) -> FakeOpenAIVideos:
    server.reset()
    return server


def make_backend(
    monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAIVideos, *, timeout: str = "5", **env: str
) -> OpenAICompatibleBackend:
    for name in ("OPENAI_VIDEOS_MODEL_STANDARD", "OPENAI_VIDEOS_MODEL_PRO"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_VIDEOS_API_KEY", fake.api_key)
    monkeypatch.setenv("OPENAI_VIDEOS_BASE_URL", f"{fake.url}/v1")
    monkeypatch.setenv("OPENAI_VIDEOS_TIMEOUT", timeout)
    monkeypatch.setenv("OPENAI_VIDEOS_WEBHOOK_SECRET", SECRET)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return OpenAICompatibleBackend()


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAIVideos) -> OpenAICompatibleBackend:
    return make_backend(monkeypatch, fake)


def finish(backend: OpenAICompatibleBackend, provider_job_id: str) -> None:
    for _ in range(3):
        backend.poll(provider_job_id)


def test_job_walks_queued_running_succeeded_and_fetch_writes_a_playable_mp4(
    backend: OpenAICompatibleBackend, fake: FakeOpenAIVideos, tmp_path: Path
) -> None:
    job = backend.submit(GenerationSpec(prompt="a fox in the snow", seconds=6))
    assert job.status is ProviderStatus.QUEUED
    assert job.seconds == 8 and job.model == "sora-2"

    sent = fake.last("POST", "/v1/videos")
    assert sent.path == "/v1/videos"
    assert sent.headers["authorization"] == f"Bearer {fake.api_key}"
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert parse_multipart(sent) == {
        "prompt": "a fox in the snow",
        "model": "sora-2",
        "seconds": "8",
        "size": "720x1280",
    }

    first = backend.poll(job.provider_job_id)
    assert (first.status, first.progress) == (ProviderStatus.QUEUED, 0.0)
    assert first.poll_after == 2.5  # the openai-poll-after-ms hint
    second = backend.poll(job.provider_job_id)
    assert (second.status, second.progress) == (ProviderStatus.RUNNING, 0.45)
    done = backend.poll(job.provider_job_id)
    assert done.status is ProviderStatus.SUCCEEDED and done.is_final
    assert done.progress == 1.0 and done.error is None
    assert done.output_url and done.output_url.endswith(
        f"/videos/{job.provider_job_id}/content?variant=video"
    )

    destination = tmp_path / "clip.mp4"
    backend.fetch(done, destination)
    download = fake.last("GET", f"/v1/videos/{job.provider_job_id}/content")
    assert download.query == {"variant": ["video"]}
    with av.open(str(destination)) as container:
        assert container.streams.video
        assert container.streams.video[0].codec_context.name == "h264"


def test_pro_tier_landscape_asks_for_the_pro_model_and_the_landscape_size(
    monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAIVideos
) -> None:
    backend = make_backend(monkeypatch, fake, OPENAI_VIDEOS_MODEL_PRO="sora-2-pro-2025-10-06")
    job = backend.submit(
        GenerationSpec(prompt="city at night", seconds=10, aspect="16:9", tier="pro")
    )
    form = parse_multipart(fake.last("POST", "/v1/videos"))
    assert (form["model"], form["seconds"], form["size"]) == (
        "sora-2-pro-2025-10-06",
        "12",
        "1280x720",
    )
    assert job.model == "sora-2-pro-2025-10-06" and job.seconds == 12


@pytest.mark.parametrize(("asked", "sent"), [(1, 4), (4, 4), (5, 8), (8, 8), (9, 12), (10, 12)])
def test_duration_maps_to_the_shortest_offered_length(asked: int, sent: int) -> None:
    assert OpenAICompatibleBackend.capabilities.provider_seconds(asked) == sent


def test_square_is_refused_before_any_request(
    backend: OpenAICompatibleBackend, fake: FakeOpenAIVideos
) -> None:
    with pytest.raises(PermanentError, match="1:1"):
        backend.submit(GenerationSpec(prompt="a square", seconds=4, aspect="1:1"))
    assert fake.requests == []


def test_moderation_failure_is_content_refused(
    backend: OpenAICompatibleBackend, fake: FakeOpenAIVideos
) -> None:
    fake.outcome = "refused"
    job = backend.submit(GenerationSpec(prompt="something the filter dislikes", seconds=4))
    backend.poll(job.provider_job_id)
    backend.poll(job.provider_job_id)
    failed = backend.poll(job.provider_job_id)
    assert failed.status is ProviderStatus.FAILED
    assert isinstance(failed.error, ContentRefused)
    assert failed.error.code == "moderation_blocked"
    assert "moderation" in failed.error.message


def test_prompt_blocked_at_submit_raises_content_refused(backend: OpenAICompatibleBackend) -> None:
    with pytest.raises(ContentRefused) as caught:
        backend.submit(GenerationSpec(prompt="[blocked] no way", seconds=4))
    assert caught.value.code == "moderation_blocked" and caught.value.status_code == 400


def test_generic_failure_is_permanent_and_a_server_failure_transient(
    backend: OpenAICompatibleBackend, fake: FakeOpenAIVideos
) -> None:
    job = backend.submit(GenerationSpec(prompt="[failed] a broken render", seconds=4))
    finish(backend, job.provider_job_id)
    failed = backend.poll(job.provider_job_id)
    assert failed.status is ProviderStatus.FAILED
    assert type(failed.error) is PermanentError
    assert failed.error.code == "video_generation_failed"

    fake.outcome = "server_error"
    job = backend.submit(GenerationSpec(prompt="unlucky", seconds=4))
    finish(backend, job.provider_job_id)
    failed = backend.poll(job.provider_job_id)
    assert type(failed.error) is TransientError and failed.error.code == "server_error"


def test_429_with_retry_after_is_rate_limited(
    backend: OpenAICompatibleBackend, fake: FakeOpenAIVideos
) -> None:
    fake.fail_next(
        429,
        headers={"Retry-After": "7"},
        body={
            "error": {
                "message": "Rate limit reached for sora-2.",
                "type": "requests",
                "param": None,
                "code": "rate_limit_exceeded",
            }
        },
    )
    with pytest.raises(RateLimited) as caught:
        backend.submit(GenerationSpec(prompt="busy", seconds=4))
    assert caught.value.retry_after == 7.0
    assert caught.value.code == "rate_limit_exceeded"
    assert len(fake.requests) == 1  # max_retries=0: the SDK didn't retry on its own


def test_500_is_transient(backend: OpenAICompatibleBackend, fake: FakeOpenAIVideos) -> None:
    job = backend.submit(GenerationSpec(prompt="ok", seconds=4))
    fake.fail_next(500)
    with pytest.raises(TransientError) as caught:
        backend.poll(job.provider_job_id)
    assert caught.value.status_code == 500
    assert backend.poll(job.provider_job_id).status is ProviderStatus.QUEUED  # it recovers


def test_a_hang_beyond_the_timeout_is_transient(
    monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAIVideos
) -> None:
    backend = make_backend(monkeypatch, fake, timeout="1")
    fake.hang_next(seconds=3)
    started = time.monotonic()
    with pytest.raises(TransientError, match="timed out"):
        backend.submit(GenerationSpec(prompt="slow", seconds=4))
    assert time.monotonic() - started < 2.5


def test_wrong_key_is_permanent(monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAIVideos) -> None:
    backend = make_backend(monkeypatch, fake, OPENAI_VIDEOS_API_KEY="sk-wrong")
    with pytest.raises(PermanentError) as caught:
        backend.submit(GenerationSpec(prompt="hello", seconds=4))
    assert caught.value.status_code == 401 and caught.value.code == "invalid_api_key"
    assert "sk-wrong" not in caught.value.message


def test_cancel_deletes_the_video_at_the_gateway(
    backend: OpenAICompatibleBackend, fake: FakeOpenAIVideos
) -> None:
    job = backend.submit(GenerationSpec(prompt="never mind", seconds=4))
    backend.cancel(job.provider_job_id)
    assert fake.last("DELETE", "/v1/videos").path == f"/v1/videos/{job.provider_job_id}"
    assert fake.deleted == [job.provider_job_id]
    backend.cancel(job.provider_job_id)  # already gone (404): nothing left to stop
    assert len([r for r in fake.requests if r.method == "DELETE"]) == 2


def test_native_remix_posts_to_the_remix_endpoint(
    backend: OpenAICompatibleBackend, fake: FakeOpenAIVideos
) -> None:
    source = backend.submit(GenerationSpec(prompt="a red kite", seconds=8, aspect="16:9"))
    finish(backend, source.provider_job_id)

    spec = GenerationSpec(
        prompt="the kite is blue now", seconds=4, remix_of_provider_job_id=source.provider_job_id
    )
    remix = backend.remix(source.provider_job_id, spec)
    sent = fake.last("POST", f"/v1/videos/{source.provider_job_id}/remix")
    assert sent.headers["content-type"].startswith("application/json")
    assert sent.json == {"prompt": "the kite is blue now"}
    assert remix.status is ProviderStatus.QUEUED
    assert remix.provider_job_id != source.provider_job_id
    assert remix.extra["remixed_from_video_id"] == source.provider_job_id
    assert remix.seconds == 8  # a remix keeps its source's duration

    via_submit = backend.submit(spec)  # submit routes a remix spec to the same endpoint
    assert fake.requests[-1].path == f"/v1/videos/{source.provider_job_id}/remix"
    assert via_submit.extra["remixed_from_video_id"] == source.provider_job_id


def test_image_reference_is_uploaded_at_the_output_size(
    backend: OpenAICompatibleBackend, fake: FakeOpenAIVideos
) -> None:
    portrait = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 150, 120)).save(portrait, format="JPEG")
    backend.submit(
        GenerationSpec(prompt="@ada waves", seconds=4, image_reference=portrait.getvalue())
    )
    filename, data, content_type = parse_multipart(fake.last("POST", "/v1/videos"))[
        "input_reference"
    ]
    assert content_type == "image/jpeg"
    assert Image.open(io.BytesIO(data)).size == (720, 1280)


def test_sdk_deprecation_warnings_are_silenced(backend: OpenAICompatibleBackend) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        job = backend.submit(GenerationSpec(prompt="quiet please", seconds=4))
        backend.poll(job.provider_job_id)
    assert not [w for w in caught if issubclass(w.category, DeprecationWarning)]


# -- webhooks (Standard Webhooks, checked by the SDK's client.webhooks.unwrap) -------------------


def test_a_correctly_signed_webhook_returns_the_video_id(backend: OpenAICompatibleBackend) -> None:
    body = webhook_body("video.completed", "video_abc123")
    assert backend.verify_webhook(FakeOpenAIVideos.sign(SECRET, body), body) == "video_abc123"
    failed = webhook_body("video.failed", "video_def456")
    headers = {k.title(): v for k, v in FakeOpenAIVideos.sign(SECRET, failed).items()}
    assert backend.verify_webhook(headers, failed) == "video_def456"  # header case is irrelevant


def test_a_forged_signature_is_rejected(backend: OpenAICompatibleBackend) -> None:
    body = webhook_body("video.completed", "video_abc123")
    other = "whsec_" + base64.b64encode(b"somebody-else-entirely-000000001").decode()
    with pytest.raises(WebhookRejected):
        backend.verify_webhook(FakeOpenAIVideos.sign(other, body), body)


def test_a_stale_timestamp_is_rejected(backend: OpenAICompatibleBackend) -> None:
    body = webhook_body("video.completed", "video_abc123")
    headers = FakeOpenAIVideos.sign(SECRET, body, timestamp=int(time.time()) - 600)
    with pytest.raises(WebhookRejected, match="too old"):
        backend.verify_webhook(headers, body)


def test_a_missing_header_is_rejected(backend: OpenAICompatibleBackend) -> None:
    body = webhook_body("video.completed", "video_abc123")
    headers = FakeOpenAIVideos.sign(SECRET, body)
    del headers["webhook-signature"]
    with pytest.raises(WebhookRejected, match="webhook-signature"):
        backend.verify_webhook(headers, body)


def test_a_tampered_body_is_rejected(backend: OpenAICompatibleBackend) -> None:
    body = webhook_body("video.completed", "video_abc123")
    headers = FakeOpenAIVideos.sign(SECRET, body)
    with pytest.raises(WebhookRejected):
        backend.verify_webhook(headers, body.replace(b"video_abc123", b"video_evil99"))


def test_a_signed_event_that_is_not_about_a_video_is_rejected(
    backend: OpenAICompatibleBackend,
) -> None:
    body = webhook_body("batch.completed", "batch_1")
    with pytest.raises(WebhookRejected, match="not about a video"):
        backend.verify_webhook(FakeOpenAIVideos.sign(SECRET, body), body)


def test_unconfigured_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_VIDEOS_API_KEY", "OPENAI_VIDEOS_BASE_URL", "OPENAI_VIDEOS_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert OpenAICompatibleBackend.is_configured() is False
    # The key alone is not enough: there is no default gateway to send it to.
    assert not OpenAICompatibleBackend.is_configured({"OPENAI_VIDEOS_API_KEY": "sk-x"})
    assert OpenAICompatibleBackend.is_configured(
        {"OPENAI_VIDEOS_API_KEY": "sk-x", "OPENAI_VIDEOS_BASE_URL": "http://gateway/v1"}
    )
    backend = OpenAICompatibleBackend()  # builds without a key, but refuses to work
    with pytest.raises(PermanentError, match="not configured"):
        backend.submit(GenerationSpec(prompt="hello", seconds=4))
    with pytest.raises(WebhookRejected):
        backend.verify_webhook({}, b"{}")


def test_fetching_an_unfinished_video_fails_and_leaves_no_file(
    backend: OpenAICompatibleBackend, tmp_path: Path
) -> None:
    job = backend.submit(GenerationSpec(prompt="not yet", seconds=4))
    destination = tmp_path / "clip.mp4"
    with pytest.raises(PermanentError) as caught:
        backend.fetch(job, destination)
    assert caught.value.status_code == 404
    assert not destination.exists()
