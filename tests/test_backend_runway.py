"""The Runway backend, driven through the real `runwayml` SDK against a local fake of the API."""

from __future__ import annotations

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
from generation.backends.runway import RunwayBackend
from tests.fakes.runway import FakeRunway


@pytest.fixture
def fake() -> Iterator[FakeRunway]:
    with FakeRunway() as server:
        yield server


@pytest.fixture
def runway_env(fake: FakeRunway, monkeypatch: pytest.MonkeyPatch) -> FakeRunway:
    monkeypatch.setenv("RUNWAYML_API_SECRET", fake.api_key)
    monkeypatch.setenv("RUNWAY_BASE_URL", fake.url)
    monkeypatch.setenv("RUNWAY_TIMEOUT", "5")
    monkeypatch.delenv("RUNWAY_MODEL_STANDARD", raising=False)
    monkeypatch.delenv("RUNWAY_MODEL_PRO", raising=False)
    return fake


@pytest.fixture
def backend(runway_env: FakeRunway) -> RunwayBackend:
    return RunwayBackend()


def spec(**kwargs: object) -> GenerationSpec:
    values: dict[str, object] = {
        "prompt": "a paper boat drifting down a rainy street",
        "seconds": 5,
    }
    values.update(kwargs)
    return GenerationSpec(**values)  # type: ignore[arg-type]


def poll_until_final(backend: RunwayBackend, job_id: str, limit: int = 6) -> list[ProviderJob]:
    seen = []
    for _ in range(limit):
        job = backend.poll(job_id)
        seen.append(job)
        if job.is_final:
            break
    return seen


def test_standard_job_walks_to_success_and_fetches_a_playable_mp4(
    backend: RunwayBackend, fake: FakeRunway, tmp_path: Path
) -> None:
    job = backend.submit(spec(aspect="9:16", seed=42))
    assert job.status is ProviderStatus.QUEUED
    assert (job.model, job.seconds) == ("gen4.5", 5)

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/text_to_video")
    assert sent.headers["authorization"] == f"Bearer {fake.api_key}"
    assert sent.headers["x-runway-version"] == "2024-11-06"
    assert sent.json == {
        "model": "gen4.5",
        "promptText": "a paper boat drifting down a rainy street",
        "ratio": "720:1280",
        "duration": 5,
        "seed": 42,
    }  # gen4.5 takes no audio flag

    queued, running, done = poll_until_final(backend, job.provider_job_id)
    assert queued.status is ProviderStatus.QUEUED and queued.poll_after == 5.0
    assert running.status is ProviderStatus.RUNNING and running.progress == pytest.approx(0.4)
    assert done.status is ProviderStatus.SUCCEEDED
    assert done.output_url and done.output_url.startswith(fake.url)
    assert done.cost_usd == Decimal("0.60")  # 12 credits/s × 5 s × $0.01

    destination = tmp_path / "runway.mp4"
    backend.fetch(done, destination)
    with av.open(str(destination)) as container:
        assert container.streams.video
        assert container.streams.video[0].codec_context.name == "h264"


def test_pro_tier_asks_veo_for_the_next_duration_with_sound(
    backend: RunwayBackend, fake: FakeRunway
) -> None:
    job = backend.submit(spec(tier="pro", aspect="16:9", seconds=5, audio=True))
    assert (job.model, job.seconds) == ("veo3.1", 6)
    assert fake.requests[-1].json["model"] == "veo3.1"
    assert fake.requests[-1].json["duration"] == 6  # 5 s asked → 6 s on the 4/6/8 menu
    assert fake.requests[-1].json["ratio"] == "1280:720"
    assert fake.requests[-1].json["audio"] is True

    done = poll_until_final(backend, job.provider_job_id)[-1]
    assert done.status is ProviderStatus.SUCCEEDED
    assert done.cost_usd == Decimal("2.40")  # 40 credits/s with audio × 6 s


def test_duration_menus_and_refusals_follow_each_tiers_model() -> None:
    caps = RunwayBackend.capabilities
    assert caps.seconds_for(1, "standard") == 2  # gen4.5's shortest is 2 s
    assert caps.seconds_for(10, "standard") == 10
    assert caps.seconds_for(3, "pro") == 4
    assert caps.seconds_for(7, "pro") == 8
    assert caps.seconds_for(9, "pro") is None
    assert caps.refusal(spec(seconds=9, tier="pro")) == "makes pro clips of at most 8 s"
    assert caps.refusal(spec(seconds=10, tier="standard")) is None
    assert caps.refusal(spec(aspect="1:1")) == "has no 1:1 format"
    assert caps.refusal(spec(prompt="x" * 1001)) is not None


def test_a_model_override_changes_the_request(
    runway_env: FakeRunway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNWAY_MODEL_STANDARD", "veo3.1_fast")
    backend = RunwayBackend()
    job = backend.submit(spec(seconds=5, audio=False))
    assert (job.model, job.seconds) == ("veo3.1_fast", 6)
    assert runway_env.requests[-1].json["audio"] is False


def test_throttled_task_counts_as_queued(backend: RunwayBackend, fake: FakeRunway) -> None:
    fake.throttled = True
    job = backend.submit(spec())
    polled = backend.poll(job.provider_job_id)
    assert polled.status is ProviderStatus.QUEUED
    assert polled.extra["runway_status"] == "THROTTLED"
    assert backend.poll(job.provider_job_id).status is ProviderStatus.RUNNING


def test_safety_failure_is_content_refused(backend: RunwayBackend, fake: FakeRunway) -> None:
    job = backend.submit(spec(prompt="something Runway will not draw [refused]"))
    done = poll_until_final(backend, job.provider_job_id)[-1]
    assert done.status is ProviderStatus.FAILED
    assert isinstance(done.error, ContentRefused)
    assert done.error.code == "SAFETY.OUTPUT.VIDEO"
    assert done.cost_usd == Decimal("0")


@pytest.mark.parametrize(
    ("outcome", "error_class", "code"),
    [
        ("failed", PermanentError, "ASSET.INVALID"),
        ("internal", TransientError, "INTERNAL.BAD_OUTPUT.CODE01"),
    ],
)
def test_other_failures_map_by_failure_code(
    backend: RunwayBackend, fake: FakeRunway, outcome: str,
    error_class: type[Exception], code: str,
) -> None:  # fmt: skip
    fake.outcome = outcome
    job = backend.submit(spec())
    done = poll_until_final(backend, job.provider_job_id)[-1]
    assert done.status is ProviderStatus.FAILED
    assert type(done.error) is error_class
    assert done.error.code == code
    assert not isinstance(done.error, ContentRefused)


def test_429_is_rate_limited_with_retry_after(backend: RunwayBackend, fake: FakeRunway) -> None:
    fake.fail_next(429, headers={"Retry-After": "7"}, body={"error": "Daily quota exceeded"})
    with pytest.raises(RateLimited) as caught:
        backend.submit(spec())
    assert caught.value.retry_after == 7.0
    assert "Daily quota exceeded" in caught.value.message
    assert len(fake.requests) == 1  # the SDK did not retry on its own


def test_500_is_transient(backend: RunwayBackend, fake: FakeRunway) -> None:
    job = backend.submit(spec())
    fake.fail_next(500)
    with pytest.raises(TransientError) as caught:
        backend.poll(job.provider_job_id)
    assert caught.value.status_code == 500
    assert not isinstance(caught.value, RateLimited)


def test_a_hang_beyond_the_timeout_is_transient(
    runway_env: FakeRunway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNWAY_TIMEOUT", "1")
    backend = RunwayBackend()
    runway_env.hang_next(seconds=3)
    started = time.monotonic()
    with pytest.raises(TransientError, match="timed out"):
        backend.submit(spec())
    assert time.monotonic() - started < 2.5


def test_bad_key_and_bad_request_are_permanent(
    runway_env: FakeRunway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNWAYML_API_SECRET", "wrong")
    with pytest.raises(PermanentError) as caught:
        RunwayBackend().submit(spec())
    assert caught.value.status_code == 401

    monkeypatch.setenv("RUNWAYML_API_SECRET", runway_env.api_key)
    monkeypatch.setenv("RUNWAY_MODEL_STANDARD", "gen2")  # a model the API no longer has
    with pytest.raises(PermanentError) as caught:
        RunwayBackend().submit(spec())
    assert caught.value.status_code == 400


def test_overlong_prompt_in_utf16_units_is_refused_before_sending(
    backend: RunwayBackend, fake: FakeRunway
) -> None:
    with pytest.raises(PermanentError):
        backend.submit(spec(prompt="🌧" * 501))  # 501 code points, 1002 UTF-16 units
    assert fake.requests == []


def test_image_reference_uses_image_to_video(backend: RunwayBackend, fake: FakeRunway) -> None:
    job = backend.submit(spec(image_reference=b"\xff\xd8\xff\xe0fake-jpeg"))
    sent = fake.requests[-1]
    assert sent.path == "/v1/image_to_video"
    assert sent.json["promptImage"].startswith("data:image/jpeg;base64,")
    assert sent.json["model"] == "gen4.5"
    assert backend.poll(job.provider_job_id).status is ProviderStatus.QUEUED


def test_cancel_reaches_runway(backend: RunwayBackend, fake: FakeRunway) -> None:
    job = backend.submit(spec())
    backend.poll(job.provider_job_id)
    backend.cancel(job.provider_job_id)
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("DELETE", f"/v1/tasks/{job.provider_job_id}")
    assert fake.cancelled == [job.provider_job_id]
    assert backend.poll(job.provider_job_id).status is ProviderStatus.CANCELLED
    backend.cancel("no-such-task")  # already gone: not an error


def test_expired_output_url_is_refreshed_on_fetch(
    backend: RunwayBackend, fake: FakeRunway, tmp_path: Path
) -> None:
    job = backend.submit(spec())
    done = poll_until_final(backend, job.provider_job_id)[-1]
    fake.expire_output(job.provider_job_id)
    destination = tmp_path / "late.mp4"
    backend.fetch(done, destination)
    assert destination.stat().st_size > 1000
    statuses = [(r.method, r.path.split("/")[1]) for r in fake.requests[-3:]]
    assert statuses == [("GET", "_output"), ("GET", "v1"), ("GET", "_output")]


def test_unconfigured_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUNWAYML_API_SECRET", raising=False)
    assert RunwayBackend.is_configured() is False
    assert RunwayBackend.is_configured({"RUNWAYML_API_SECRET": "key"}) is True
    with pytest.raises(PermanentError, match="not configured"):
        RunwayBackend().submit(spec())
