"""The self-hosted diffusers backend, run for real on tiny random-weight pipelines.

Each pipeline is built from configs, saved with `save_pretrained` and loaded back by the backend
through `DiffusionPipeline.from_pretrained(local_files_only=True)`: the real loading, denoising
loop, VAE decode and H.264 encode, offline, on a CPU, in a fraction of a second per clip.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="the diffusers backend needs the gpu extra")
pytest.importorskip("diffusers", reason="the diffusers backend needs the gpu extra")

import av  # noqa: E402
import numpy as np  # noqa: E402

from generation.backends.base import GenerationSpec, PermanentError, ProviderStatus  # noqa: E402
from generation.backends.diffusers_gpu import (  # noqa: E402
    DiffusersBackend,
    frames_for,
    write_mp4,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", autouse=True)
def _offline() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
        yield


@pytest.fixture(scope="module")
def wan_path(tmp_path_factory: pytest.TempPathFactory, _offline: None) -> Path:
    from tests.tiny_diffusers import build_tiny_wan

    return build_tiny_wan(tmp_path_factory.mktemp("models") / "tiny-wan")


@pytest.fixture(scope="module")
def ltx_path(tmp_path_factory: pytest.TempPathFactory, _offline: None) -> Path:
    from tests.tiny_diffusers import build_tiny_ltx

    return build_tiny_ltx(tmp_path_factory.mktemp("models") / "tiny-ltx")


@pytest.fixture
def wan_env(monkeypatch: pytest.MonkeyPatch, wan_path: Path) -> Path:
    """Tiny Wan at 16x32 (portrait), 2 steps, 8 fps: 1 s → 9 frames."""
    monkeypatch.setenv("DIFFUSERS_MODEL_PATH", str(wan_path))
    monkeypatch.setenv("DIFFUSERS_DEVICE", "cpu")
    monkeypatch.setenv("DIFFUSERS_WIDTH", "16")
    monkeypatch.setenv("DIFFUSERS_HEIGHT", "32")
    monkeypatch.setenv("DIFFUSERS_STEPS", "2")
    monkeypatch.setenv("DIFFUSERS_FPS", "8")
    for name in ("DIFFUSERS_GUIDANCE", "DIFFUSERS_DTYPE", "DIFFUSERS_CPU_OFFLOAD"):
        monkeypatch.delenv(name, raising=False)
    return wan_path


def _decode(path: Path) -> tuple[av.video.stream.VideoStream, list[np.ndarray], int]:
    """(the video stream, its frames as RGB arrays, the number of audio streams)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
        return stream, frames, len(container.streams.audio)


def _render(workdir: Path, **spec: object) -> tuple[object, list[float]]:
    workdir.mkdir(parents=True, exist_ok=True)
    progress: list[float] = []
    job = DiffusersBackend().submit(
        GenerationSpec(prompt="a fox runs through the snow", **spec),  # type: ignore[arg-type]
        workdir=workdir,
        on_progress=progress.append,
    )
    return job, progress


def test_wan_renders_a_portrait_h264_clip(wan_env: Path, tmp_path: Path) -> None:
    job, progress = _render(tmp_path, seconds=1, aspect="9:16", seed=7)

    assert job.status is ProviderStatus.SUCCEEDED and job.is_final
    assert job.output_path == tmp_path / "gpu.mp4" and job.output_path.stat().st_size > 0
    assert not (tmp_path / "gpu.mp4.part").exists()
    assert job.model == "tiny-wan"
    assert job.seconds == 1
    assert job.extra["pipeline"] == "WanPipeline"
    assert job.provider_job_id.startswith("diffusers-")

    stream, frames, audio_streams = _decode(job.output_path)
    assert stream.codec_context.name == "h264"
    assert stream.codec_context.pix_fmt == "yuv420p"
    assert (stream.codec_context.width, stream.codec_context.height) == (16, 32)
    assert stream.average_rate == 8
    assert len(frames) == 9  # 4k+1 frames covering 1 s at 8 fps
    assert audio_streams == 0  # post-processing adds the silent track
    assert frames[0].shape == (32, 16, 3)

    # One tick per denoising step, rising, then decode/encode up to 1.0.
    assert len(progress) >= 3
    assert progress == sorted(progress) and progress[0] > 0 and progress[-1] == 1.0

    # fetch() copies the in-process file where the caller wants it.
    destination = tmp_path / "fetched.mp4"
    DiffusersBackend().fetch(job, destination)
    assert destination.read_bytes() == job.output_path.read_bytes()


@pytest.mark.parametrize(("aspect", "size"), [("16:9", (32, 16)), ("1:1", (16, 16))])
def test_aspects_turn_or_square_the_configured_size(
    wan_env: Path, tmp_path: Path, aspect: str, size: tuple[int, int]
) -> None:
    job, _ = _render(tmp_path, seconds=1, aspect=aspect)
    stream, frames, _ = _decode(job.output_path)
    assert (stream.codec_context.width, stream.codec_context.height) == size
    assert (job.extra["width"], job.extra["height"]) == size


def test_longer_clip_gets_enough_frames(wan_env: Path, tmp_path: Path) -> None:
    job, _ = _render(tmp_path, seconds=2)
    _, frames, _ = _decode(job.output_path)
    assert len(frames) == 17  # 2 s x 8 fps = 16 → next 4k+1
    assert len(frames) / 8 >= 2


def test_same_seed_same_frames_other_seed_differs(wan_env: Path, tmp_path: Path) -> None:
    first, _ = _render(tmp_path / "a", seconds=1, seed=1234)
    again, _ = _render(tmp_path / "b", seconds=1, seed=1234)
    other, _ = _render(tmp_path / "c", seconds=1, seed=99)
    frames_a = np.stack(_decode(first.output_path)[1])
    frames_b = np.stack(_decode(again.output_path)[1])
    frames_c = np.stack(_decode(other.output_path)[1])
    assert np.array_equal(frames_a, frames_b)
    assert not np.array_equal(frames_a, frames_c)


def test_pipeline_is_loaded_once_per_process(wan_env: Path) -> None:
    first = DiffusersBackend().load()
    second = DiffusersBackend().load()
    assert first is second and first.pipe is second.pipe
    assert type(first.pipe).__name__ == "WanPipeline"
    assert first.pipe.device.type == "cpu" and first.pipe.transformer.dtype == torch.float32
    # Read from the loaded VAE/transformer: frames are 4k+1, sides multiples of 8 x patch 2.
    assert (first.frame_multiple, first.size_multiple) == (4, 16)


def test_ltx_pipeline_uses_its_own_fps_and_size_rules(
    monkeypatch: pytest.MonkeyPatch, ltx_path: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("DIFFUSERS_MODEL_PATH", str(ltx_path))
    monkeypatch.setenv("DIFFUSERS_DEVICE", "cpu")
    monkeypatch.setenv("DIFFUSERS_WIDTH", "40")  # rounded down to LTX's multiple of 32
    monkeypatch.setenv("DIFFUSERS_HEIGHT", "32")
    monkeypatch.setenv("DIFFUSERS_STEPS", "2")
    monkeypatch.delenv("DIFFUSERS_FPS", raising=False)  # LTX's default: 24
    job, progress = _render(tmp_path, seconds=1, aspect="9:16", seed=3)

    assert job.extra["pipeline"] == "LTXPipeline" and job.model == "tiny-ltx"
    stream, frames, _ = _decode(job.output_path)
    assert (stream.codec_context.width, stream.codec_context.height) == (32, 32)
    assert stream.average_rate == 24
    assert len(frames) == 25  # 24 frames → the next 8k+1
    assert progress[-1] == 1.0


def test_an_exception_from_on_progress_is_not_turned_into_a_render_failure(
    wan_env: Path, tmp_path: Path
) -> None:
    class Cancelled(RuntimeError):
        pass

    def on_progress(value: float) -> None:
        raise Cancelled("job cancelled")

    with pytest.raises(Cancelled):
        DiffusersBackend().submit(
            GenerationSpec(prompt="x", seconds=1), workdir=tmp_path, on_progress=on_progress
        )
    assert not (tmp_path / "gpu.mp4").exists()


def test_is_configured_needs_the_model_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIFFUSERS_MODEL_PATH", raising=False)
    assert DiffusersBackend.is_configured() is False
    with pytest.raises(PermanentError, match="DIFFUSERS_MODEL_PATH is not set"):
        DiffusersBackend().load()
    assert DiffusersBackend.is_configured({"DIFFUSERS_MODEL_PATH": "/models/wan"}) is True


def test_a_missing_path_is_a_clear_permanent_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-model"
    monkeypatch.setenv("DIFFUSERS_MODEL_PATH", str(missing))
    with pytest.raises(PermanentError, match="is not a folder") as info:
        DiffusersBackend().submit(GenerationSpec(prompt="x", seconds=1), workdir=tmp_path)
    assert str(missing) in info.value.message


def test_a_folder_without_a_pipeline_is_a_clear_permanent_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("DIFFUSERS_MODEL_PATH", str(empty))
    with pytest.raises(PermanentError, match="has no model_index.json"):
        DiffusersBackend().submit(GenerationSpec(prompt="x", seconds=1), workdir=tmp_path)

    (empty / "model_index.json").write_text(json.dumps({"_class_name": "StableDiffusionPipeline"}))
    with pytest.raises(PermanentError, match="holds a StableDiffusionPipeline") as info:
        DiffusersBackend().submit(GenerationSpec(prompt="x", seconds=1), workdir=tmp_path)
    assert "WanPipeline" in info.value.message and "LTXPipeline" in info.value.message


def test_broken_weights_are_a_permanent_error(
    monkeypatch: pytest.MonkeyPatch, wan_path: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken-wan"
    broken.mkdir()
    (broken / "model_index.json").write_bytes((wan_path / "model_index.json").read_bytes())
    monkeypatch.setenv("DIFFUSERS_MODEL_PATH", str(broken))
    monkeypatch.setenv("DIFFUSERS_DEVICE", "cpu")
    with pytest.raises(PermanentError, match="Loading the WanPipeline at .* failed"):
        DiffusersBackend().load()


def test_requests_beyond_the_capabilities_are_refused(wan_env: Path, tmp_path: Path) -> None:
    spec = GenerationSpec(prompt="x", seconds=6)
    assert DiffusersBackend.capabilities.refusal(spec) == "makes clips of at most 5 s"
    with pytest.raises(PermanentError, match="at most 5 s"):
        DiffusersBackend().submit(spec, workdir=tmp_path)
    with pytest.raises(PermanentError, match="working directory"):
        DiffusersBackend().submit(GenerationSpec(prompt="x", seconds=1))


def test_poll_cannot_resume_an_in_process_job() -> None:
    with pytest.raises(PermanentError, match="cannot be resumed"):
        DiffusersBackend().poll("diffusers-abc")


def test_frames_cover_the_seconds_in_the_vae_multiple() -> None:
    assert frames_for(5, 16, 4) == 81  # Wan's 81 frames at 16 fps
    assert frames_for(1, 16, 4) == 17
    assert frames_for(5, 24, 8) == 121
    assert frames_for(1, 24, 8) == 25
    for seconds in range(1, 6):
        frames = frames_for(seconds, 16, 4)
        assert (frames - 1) % 4 == 0 and frames >= seconds * 16


def test_write_mp4_crops_odd_frames_to_even_sides(tmp_path: Path) -> None:
    ramp = np.linspace(0, 1, 5 * 17 * 15 * 3, dtype=np.float32).reshape(5, 17, 15, 3)
    write_mp4(ramp, tmp_path / "odd.mp4", fps=16)
    stream, frames, _ = _decode(tmp_path / "odd.mp4")
    assert (stream.codec_context.width, stream.codec_context.height) == (14, 16)
    assert len(frames) == 5


def test_class_attributes_match_the_contract() -> None:
    caps = DiffusersBackend.capabilities
    assert DiffusersBackend.queue == "gpu" and DiffusersBackend.in_process is True
    assert set(caps.aspects) == {"9:16", "1:1", "16:9"} and caps.audio is False
    assert {(row.tier, row.resolution) for row in DiffusersBackend.default_prices} == {
        (tier, "480p") for tier in caps.tiers
    }
    assert all(row.usd_per_second > 0 and row.source for row in DiffusersBackend.default_prices)


def test_importing_the_backend_does_not_import_torch() -> None:
    """The web process lists backends; it must never pay for (or need) torch."""
    code = (
        "import sys\n"
        "from generation.backends.diffusers_gpu import DiffusersBackend\n"
        "DiffusersBackend(); DiffusersBackend.is_configured()\n"
        "print(sorted(m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules))\n"
    )
    env = {**os.environ, "DIFFUSERS_MODEL_PATH": "/nowhere"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    assert result.stdout.strip() == "[]"


def test_half_precision_keeps_wans_vae_in_float32(
    wan_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What a CUDA worker does by default (bf16), tried on the CPU: Wan's VAE stays float32."""
    monkeypatch.setenv("DIFFUSERS_DTYPE", "bfloat16")
    loaded = DiffusersBackend().load()
    assert loaded.pipe.transformer.dtype == torch.bfloat16
    assert loaded.pipe.text_encoder.dtype == torch.bfloat16
    assert loaded.pipe.vae.dtype == torch.float32
    job, _ = _render(tmp_path, seconds=1)
    assert len(_decode(job.output_path)[1]) == 9

    monkeypatch.setenv("DIFFUSERS_DTYPE", "int8")
    with pytest.raises(PermanentError, match="DIFFUSERS_DTYPE=int8"):
        DiffusersBackend().load()
