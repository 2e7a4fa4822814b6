"""The Google Veo backend, driven through the real `google-genai` SDK against a local fake of the
Gemini API (tests/fakes/veo.py)."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from PIL import Image

from generation.backends.base import (
    ContentRefused,
    GenerationSpec,
    PermanentError,
    ProviderJob,
    ProviderStatus,
    RateLimited,
    TransientError,
)
from generation.backends.veo import VeoBackend
from tests.fakes.veo import FakeVeo


@pytest.fixture(scope="module")
def server() -> Iterator[FakeVeo]:
    with FakeVeo() as running:
        yield running


@pytest.fixture
def fake(server: FakeVeo) -> FakeVeo:
    server.reset()
    return server


def make_backend(
    monkeypatch: pytest.MonkeyPatch, fake: FakeVeo, *, timeout: str = "5", **env: str
) -> VeoBackend:
    for name in ("VEO_MODEL_STANDARD", "VEO_MODEL_PRO", "GOOGLE_GENAI_USE_VERTEXAI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GEMINI_API_KEY", fake.api_key)
    monkeypatch.setenv("VEO_BASE_URL", fake.url)
    monkeypatch.setenv("VEO_TIMEOUT", timeout)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return VeoBackend()


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch, fake: FakeVeo) -> VeoBackend:
    return make_backend(monkeypatch, fake)


def run_to_end(backend: VeoBackend, spec: GenerationSpec) -> ProviderJob:
    job = backend.submit(spec)
    for _ in range(3):
        last = backend.poll(job.provider_job_id)
    return last


def test_job_walks_queued_running_succeeded_and_fetch_writes_a_playable_mp4(
    backend: VeoBackend, fake: FakeVeo, tmp_path: Path
) -> None:
    job = backend.submit(
        GenerationSpec(prompt="a heron takes off", seconds=5, seed=42, audio=False)
    )
    assert job.status is ProviderStatus.QUEUED
    assert job.provider_job_id.startswith("models/veo-3.1-fast-generate-preview/operations/")
    assert job.seconds == 6 and job.model == "veo-3.1-fast-generate-preview"

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == (
        "POST",
        "/v1beta/models/veo-3.1-fast-generate-preview:predictLongRunning",
    )
    assert sent.headers["x-goog-api-key"] == fake.api_key
    # No seed, no generateAudio: the Gemini API path takes neither.
    assert sent.json == {
        "instances": [{"prompt": "a heron takes off"}],
        "parameters": {
            "sampleCount": 1,
            "durationSeconds": 6,
            "aspectRatio": "9:16",
            "resolution": "720p",
        },
    }

    first = backend.poll(job.provider_job_id)
    assert first.status is ProviderStatus.RUNNING and not first.is_final
    assert fake.requests[-1].path == f"/v1beta/{job.provider_job_id}"
    assert fake.requests[-1].headers["x-goog-api-key"] == fake.api_key
    assert backend.poll(job.provider_job_id).status is ProviderStatus.RUNNING
    done = backend.poll(job.provider_job_id)
    assert done.status is ProviderStatus.SUCCEEDED and done.progress == 1.0
    assert done.output_url and done.output_url.startswith(
        "https://generativelanguage.googleapis.com/v1beta/files/"
    )
    assert done.model == "veo-3.1-fast-generate-preview"

    destination = tmp_path / "clip.mp4"
    backend.fetch(done, destination)
    download, storage = fake.requests[-2], fake.requests[-1]
    assert download.path.startswith("/v1beta/files/") and download.path.endswith(":download")
    assert download.query == {"alt": ["media"]}
    assert download.headers["x-goog-api-key"] == fake.api_key
    assert storage.path.startswith("/storage/")  # the SDK followed the redirect
    with av.open(str(destination)) as container:
        assert container.streams.video
        assert container.streams.video[0].codec_context.name == "h264"


def test_pro_tier_landscape_uses_the_pro_model_and_ratio(
    monkeypatch: pytest.MonkeyPatch, fake: FakeVeo
) -> None:
    backend = make_backend(monkeypatch, fake, VEO_MODEL_PRO="veo-3.0-generate-001")
    job = backend.submit(
        GenerationSpec(prompt="storm over the sea", seconds=8, aspect="16:9", tier="pro")
    )
    sent = fake.requests[-1]
    assert sent.path == "/v1beta/models/veo-3.0-generate-001:predictLongRunning"
    assert sent.json["parameters"]["aspectRatio"] == "16:9"
    assert sent.json["parameters"]["durationSeconds"] == 8
    assert job.model == "veo-3.0-generate-001" and job.seconds == 8


@pytest.mark.parametrize(
    ("asked", "sent"), [(1, 4), (4, 4), (5, 6), (6, 6), (7, 8), (8, 8), (9, None), (10, None)]
)
def test_duration_maps_to_the_shortest_offered_length(asked: int, sent: int | None) -> None:
    assert VeoBackend.capabilities.provider_seconds(asked) == sent


def test_unservable_specs_are_refused_before_any_request(
    backend: VeoBackend, fake: FakeVeo
) -> None:
    with pytest.raises(PermanentError, match="at most 8 s"):
        backend.submit(GenerationSpec(prompt="too long", seconds=10))
    with pytest.raises(PermanentError, match="1:1"):
        backend.submit(GenerationSpec(prompt="square", seconds=4, aspect="1:1"))
    with pytest.raises(PermanentError, match="remix"):
        backend.submit(GenerationSpec(prompt="again", seconds=4, remix_of_provider_job_id="x"))
    assert fake.requests == []


def test_rai_filtered_video_is_content_refused(backend: VeoBackend, fake: FakeVeo) -> None:
    fake.outcome = "refused"
    failed = run_to_end(backend, GenerationSpec(prompt="something filtered", seconds=4))
    assert failed.status is ProviderStatus.FAILED
    assert isinstance(failed.error, ContentRefused)
    assert failed.error.code == "RAI_FILTERED"
    assert "usage guidelines" in failed.error.message


def test_operation_error_worded_as_a_safety_block_is_content_refused(backend: VeoBackend) -> None:
    failed = run_to_end(backend, GenerationSpec(prompt="[safety_error] nope", seconds=4))
    assert failed.status is ProviderStatus.FAILED
    assert isinstance(failed.error, ContentRefused) and failed.error.code == "3"


def test_generic_failures_are_permanent_or_transient_by_their_rpc_code(
    backend: VeoBackend,
) -> None:
    invalid = run_to_end(backend, GenerationSpec(prompt="[invalid] odd input", seconds=4))
    assert invalid.status is ProviderStatus.FAILED
    assert type(invalid.error) is PermanentError and invalid.error.code == "3"
    internal = run_to_end(backend, GenerationSpec(prompt="[internal] unlucky", seconds=4))
    assert type(internal.error) is TransientError and internal.error.code == "13"


def test_429_with_retry_after_is_rate_limited(backend: VeoBackend, fake: FakeVeo) -> None:
    fake.fail_next(
        429,
        headers={"Retry-After": "7"},
        body={
            "error": {
                "code": 429,
                "message": "Resource has been exhausted (e.g. check quota).",
                "status": "RESOURCE_EXHAUSTED",
            }
        },
    )
    with pytest.raises(RateLimited) as caught:
        backend.submit(GenerationSpec(prompt="busy", seconds=4))
    assert caught.value.retry_after == 7.0 and caught.value.code == "RESOURCE_EXHAUSTED"
    assert len(fake.requests) == 1  # no SDK-side retries


def test_429_without_the_header_reads_google_retry_info(backend: VeoBackend, fake: FakeVeo) -> None:
    fake.fail_next(
        429,
        body={
            "error": {
                "code": 429,
                "message": "You exceeded your current quota.",
                "status": "RESOURCE_EXHAUSTED",
                "details": [
                    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}
                ],
            }
        },
    )
    with pytest.raises(RateLimited) as caught:
        backend.submit(GenerationSpec(prompt="busy", seconds=4))
    assert caught.value.retry_after == 37.0


def test_500_is_transient(backend: VeoBackend, fake: FakeVeo) -> None:
    job = backend.submit(GenerationSpec(prompt="ok", seconds=4))
    fake.fail_next(
        500,
        body={
            "error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}
        },
    )
    with pytest.raises(TransientError) as caught:
        backend.poll(job.provider_job_id)
    assert caught.value.status_code == 500
    assert backend.poll(job.provider_job_id).status is ProviderStatus.RUNNING  # it recovers


def test_a_hang_beyond_the_timeout_is_transient(
    monkeypatch: pytest.MonkeyPatch, fake: FakeVeo
) -> None:
    backend = make_backend(monkeypatch, fake, timeout="1")
    fake.hang_next(seconds=3)
    started = time.monotonic()
    with pytest.raises(TransientError, match="timed out"):
        backend.submit(GenerationSpec(prompt="slow", seconds=4))
    assert time.monotonic() - started < 2.5
    assert fake.requests[-1].headers["x-server-timeout"] == "1"


def test_missing_or_wrong_key_is_permanent(monkeypatch: pytest.MonkeyPatch, fake: FakeVeo) -> None:
    backend = make_backend(monkeypatch, fake, GEMINI_API_KEY="AIza-wrong")
    with pytest.raises(PermanentError) as caught:
        backend.submit(GenerationSpec(prompt="hello", seconds=4))
    assert caught.value.status_code == 400 and "API key not valid" in caught.value.message
    fake.fail_next(
        401,
        body={"error": {"code": 401, "message": "Unauthenticated.", "status": "UNAUTHENTICATED"}},
    )
    with pytest.raises(PermanentError) as caught:
        backend.poll("models/veo-3.1-fast-generate-preview/operations/op0000000001")
    assert caught.value.status_code == 401


def test_cancel_is_a_no_op_without_a_request(backend: VeoBackend, fake: FakeVeo) -> None:
    job = backend.submit(GenerationSpec(prompt="let it run", seconds=4))
    before = len(fake.requests)
    backend.cancel(job.provider_job_id)
    assert len(fake.requests) == before
    assert VeoBackend.capabilities.webhooks is False


def test_image_reference_is_sent_as_the_first_frame(backend: VeoBackend, fake: FakeVeo) -> None:
    portrait = io.BytesIO()
    Image.new("RGB", (300, 400), (90, 120, 200)).save(portrait, format="JPEG")
    backend.submit(
        GenerationSpec(
            prompt="@ada smiles", seconds=4, aspect="16:9", image_reference=portrait.getvalue()
        )
    )
    image = fake.requests[-1].json["instances"][0]["image"]
    assert image["mimeType"] == "image/jpeg"
    assert Image.open(io.BytesIO(base64.b64decode(image["bytesBase64Encoded"]))).size == (
        1280,
        720,
    )


def test_unconfigured_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    assert VeoBackend.is_configured() is False
    assert VeoBackend.is_configured({"GEMINI_API_KEY": "AIza-x"}) is True
    backend = VeoBackend()
    with pytest.raises(PermanentError, match="not configured"):
        backend.submit(GenerationSpec(prompt="hello", seconds=4))


def test_a_failed_download_maps_the_error_and_leaves_no_file(
    backend: VeoBackend, fake: FakeVeo, tmp_path: Path
) -> None:
    done = run_to_end(backend, GenerationSpec(prompt="fine", seconds=4))
    destination = tmp_path / "clip.mp4"
    fake.fail_next(
        503,
        body={
            "error": {
                "code": 503,
                "message": "The service is currently unavailable.",
                "status": "UNAVAILABLE",
            }
        },
    )
    with pytest.raises(TransientError) as caught:
        backend.fetch(done, destination)
    assert caught.value.status_code == 503
    assert not destination.exists()
    backend.fetch(done, destination)  # and a retry succeeds
    assert destination.stat().st_size > 1000
