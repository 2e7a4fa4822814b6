"""The Luma backend, driven through the real `luma-agents` SDK against a local fake of the API."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import av
import pytest

from generation.backends.base import (
    ContentRefused,
    GenerationSpec,
    PermanentError,
    ProviderJob,
    ProviderStatus,
    RateLimited,
    TransientError,
)
from generation.backends.luma import LumaBackend
from tests.fakes.luma import FakeLuma


@pytest.fixture
def fake() -> Iterator[FakeLuma]:
    with FakeLuma() as server:
        yield server


@pytest.fixture
def luma_env(fake: FakeLuma, monkeypatch: pytest.MonkeyPatch) -> FakeLuma:
    monkeypatch.setenv("LUMA_AGENTS_API_KEY", fake.api_key)
    monkeypatch.setenv("LUMA_BASE_URL", fake.base_url)
    monkeypatch.setenv("LUMA_TIMEOUT", "5")
    for name in ("MODEL_STANDARD", "MODEL_PRO", "RESOLUTION_STANDARD", "RESOLUTION_PRO"):
        monkeypatch.delenv(f"LUMA_{name}", raising=False)
    return fake


@pytest.fixture
def backend(luma_env: FakeLuma) -> LumaBackend:
    return LumaBackend()


def spec(**kwargs: object) -> GenerationSpec:
    values: dict[str, object] = {
        "prompt": "a lighthouse keeper feeding gulls at dawn",
        "seconds": 5,
    }
    values.update(kwargs)
    return GenerationSpec(**values)  # type: ignore[arg-type]


def poll_until_final(backend: LumaBackend, job_id: str, limit: int = 6) -> list[ProviderJob]:
    seen = []
    for _ in range(limit):
        job = backend.poll(job_id)
        seen.append(job)
        if job.is_final:
            break
    return seen


def test_job_walks_to_success_and_fetches_a_playable_mp4(
    backend: LumaBackend, fake: FakeLuma, tmp_path: Path
) -> None:
    job = backend.submit(spec(aspect="9:16", creator_handle="gullfriend"))
    assert job.status is ProviderStatus.QUEUED
    assert (job.model, job.seconds) == ("ray-3.2", 5)

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/generations")
    assert sent.headers["authorization"] == f"Bearer {fake.api_key}"
    body = sent.json
    assert body["type"] == "video"
    assert body["model"] == "ray-3.2"
    assert body["prompt"] == "a lighthouse keeper feeding gulls at dawn"
    assert body["aspect_ratio"] == "9:16"
    assert body["video"] == {"duration": "5s", "resolution": "720p"}
    # An opaque, stable end-user id, never the handle itself.
    assert len(body["user_id"]) == 32 and "gullfriend" not in body["user_id"]

    queued, processing, done = poll_until_final(backend, job.provider_job_id)
    assert queued.status is ProviderStatus.QUEUED
    assert processing.status is ProviderStatus.RUNNING and processing.progress is None
    assert done.status is ProviderStatus.SUCCEEDED and done.model == "ray-3.2"
    assert done.output_url and done.output_url.startswith(fake.url)
    assert done.cost_usd is None  # Luma's generation object carries no cost

    destination = tmp_path / "luma.mp4"
    backend.fetch(done, destination)
    with av.open(str(destination)) as container:
        assert container.streams.video
        assert container.streams.video[0].codec_context.name == "h264"


def test_durations_round_up_to_five_or_ten(backend: LumaBackend, fake: FakeLuma) -> None:
    assert LumaBackend.capabilities.provider_seconds(1) == 5
    assert LumaBackend.capabilities.provider_seconds(6) == 10
    job = backend.submit(spec(seconds=7))
    assert job.seconds == 10
    assert fake.requests[-1].json["video"]["duration"] == "10s"


def test_pro_tier_is_1080p_and_square_is_offered(backend: LumaBackend, fake: FakeLuma) -> None:
    backend.submit(spec(tier="pro", aspect="1:1"))
    body = fake.requests[-1].json
    assert body["video"]["resolution"] == "1080p"
    assert body["aspect_ratio"] == "1:1"
    assert "user_id" not in body  # no creator handle, no id
    assert {row.tier: row.resolution for row in LumaBackend.default_prices} == {
        "standard": "720p",
        "pro": "1080p",
    }
    assert all(row.usd_per_second > Decimal(0) for row in LumaBackend.default_prices)


def test_content_moderation_is_content_refused(backend: LumaBackend, fake: FakeLuma) -> None:
    job = backend.submit(spec(prompt="something Luma will not draw [refused]"))
    done = poll_until_final(backend, job.provider_job_id)[-1]
    assert done.status is ProviderStatus.FAILED
    assert isinstance(done.error, ContentRefused)
    assert done.error.code == "content_moderated"


@pytest.mark.parametrize(
    ("outcome", "error_class", "code"),
    [
        ("failed", TransientError, "generation_failed"),
        ("invalid", PermanentError, "invalid_request"),
        ("budget", PermanentError, "budget_exhausted"),
    ],
)
def test_other_failures_map_by_failure_code(
    backend: LumaBackend, fake: FakeLuma, outcome: str,
    error_class: type[Exception], code: str,
) -> None:  # fmt: skip
    fake.outcome = outcome
    job = backend.submit(spec())
    done = poll_until_final(backend, job.provider_job_id)[-1]
    assert done.status is ProviderStatus.FAILED
    assert type(done.error) is error_class
    assert done.error.code == code


def test_429_is_rate_limited_with_retry_after(backend: LumaBackend, fake: FakeLuma) -> None:
    fake.fail_next(429, headers={"Retry-After": "12"}, body={"detail": "Concurrent job limit"})
    with pytest.raises(RateLimited) as caught:
        backend.submit(spec())
    assert caught.value.retry_after == 12.0
    assert "Concurrent job limit" in caught.value.message
    assert len(fake.requests) == 1  # the SDK did not retry on its own


@pytest.mark.parametrize("status", [500, 502])
def test_5xx_is_transient(backend: LumaBackend, fake: FakeLuma, status: int) -> None:
    job = backend.submit(spec())
    fake.fail_next(status, body={"detail": "Upstream service unavailable"})
    with pytest.raises(TransientError) as caught:
        backend.poll(job.provider_job_id)
    assert caught.value.status_code == status


def test_a_hang_beyond_the_timeout_is_transient(
    luma_env: FakeLuma, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUMA_TIMEOUT", "1")
    backend = LumaBackend()
    luma_env.hang_next(seconds=3)
    started = time.monotonic()
    with pytest.raises(TransientError, match="timed out"):
        backend.submit(spec())
    assert time.monotonic() - started < 2.5


def test_bad_key_and_empty_wallet_are_permanent(
    luma_env: FakeLuma, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUMA_AGENTS_API_KEY", "wrong")
    with pytest.raises(PermanentError) as caught:
        LumaBackend().submit(spec())
    assert caught.value.status_code == 401

    monkeypatch.setenv("LUMA_AGENTS_API_KEY", luma_env.api_key)
    luma_env.fail_next(402, body={"detail": "Insufficient balance"})
    with pytest.raises(PermanentError) as caught:
        LumaBackend().submit(spec())
    assert caught.value.status_code == 402
    assert not isinstance(caught.value, TransientError)


def test_native_remix_is_a_video_edit_of_the_source(backend: LumaBackend, fake: FakeLuma) -> None:
    source = backend.submit(spec())
    assert poll_until_final(backend, source.provider_job_id)[-1].status is ProviderStatus.SUCCEEDED

    remix = backend.submit(
        spec(
            prompt="the same shot, as a watercolour",
            remix_of_provider_job_id=source.provider_job_id,
        )
    )
    body = fake.requests[-1].json
    assert body["type"] == "video_edit"
    assert body["source"] == {"generation_id": source.provider_job_id}
    assert body["video"]["edit"] == {"strength": "flex_2"}
    assert remix.seconds is None  # a video edit keeps the source's length
    assert poll_until_final(backend, remix.provider_job_id)[-1].status is ProviderStatus.SUCCEEDED

    with pytest.raises(PermanentError) as caught:
        backend.remix("not-a-luma-generation", spec())
    assert caught.value.status_code == 422


def test_image_reference_becomes_keyframe_zero(backend: LumaBackend, fake: FakeLuma) -> None:
    portrait = b"\xff\xd8\xff\xe0fake-jpeg"
    backend.submit(spec(seconds=10, image_reference=portrait))
    video = fake.requests[-1].json["video"]
    assert video["duration"] == "10s"  # keyframes (unlike start_frame) allow 10 s
    assert video["keyframe_indexes"] == [0]
    assert video["keyframes"][0]["media_type"] == "image/jpeg"
    assert base64.b64decode(video["keyframes"][0]["data"]) == portrait


def test_expired_output_url_is_refreshed_on_fetch(
    backend: LumaBackend, fake: FakeLuma, tmp_path: Path
) -> None:
    job = backend.submit(spec())
    done = poll_until_final(backend, job.provider_job_id)[-1]
    fake.expire_output(job.provider_job_id)
    destination = tmp_path / "late.mp4"
    backend.fetch(done, destination)
    assert destination.stat().st_size > 1000
    paths = [r.path.split("/")[1] for r in fake.requests[-3:]]
    assert paths == ["_media", "v1", "_media"]


def test_cancel_is_not_offered_so_nothing_is_sent(backend: LumaBackend, fake: FakeLuma) -> None:
    job = backend.submit(spec())
    before = len(fake.requests)
    backend.cancel(job.provider_job_id)  # Luma's API has no cancel: the job just finishes
    assert len(fake.requests) == before
    assert poll_until_final(backend, job.provider_job_id)[-1].status is ProviderStatus.SUCCEEDED


def test_unconfigured_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LUMA_AGENTS_API_KEY", raising=False)
    assert LumaBackend.is_configured() is False
    assert LumaBackend.is_configured({"LUMA_AGENTS_API_KEY": "key"}) is True
    with pytest.raises(PermanentError, match="not configured"):
        LumaBackend().submit(spec())
