"""A self-hosted text-to-video model on our own GPU, run in-process with 🤗 diffusers.

The worker on the `gpu` queue loads the pipeline saved at `DIFFUSERS_MODEL_PATH` once per
process (from local files only: workers never download weights) and renders the whole clip inside
`submit`. Wan 2.x (`WanPipeline`) and LTX-Video (`LTXPipeline`) are supported: whichever class the
folder's `model_index.json` names. The clip is written as a silent H.264 MP4; post-processing adds
the audio track, trims to the requested seconds and scales to Reverie's portrait size.

torch and diffusers are imported only inside methods: the web process imports this module to
list backends and must never pull in torch.

Environment:
    DIFFUSERS_MODEL_PATH   folder written by `pipeline.save_pretrained` (required)
    DIFFUSERS_DEVICE       torch device; default "cuda" when available, else "cpu"
    DIFFUSERS_DTYPE        bfloat16 | float16 | float32; default bf16 (fp16 without bf16) on CUDA,
                           float32 elsewhere
    DIFFUSERS_CPU_OFFLOAD  "1": keep idle sub-models in RAM (big models on small GPUs; slower)
    DIFFUSERS_WIDTH/HEIGHT portrait size, default 480x832; swapped for 16:9, short side for 1:1
    DIFFUSERS_STEPS        denoising steps, default 30
    DIFFUSERS_GUIDANCE     classifier-free guidance; default 5.0 (Wan) / 3.0 (LTX)
    DIFFUSERS_FPS          frame rate the clip is made at; default 16 (Wan) / 24 (LTX)
    DIFFUSERS_NEGATIVE_PROMPT  what to steer away from; default none
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from generation.backends.base import (
    Backend,
    BackendError,
    Capabilities,
    GenerationSpec,
    PermanentError,
    PriceRow,
    ProviderJob,
    ProviderStatus,
    TransientError,
    env_float,
)

PRICES_AS_OF = date(2026, 11, 23)
# An A100 80 GB rents at ~$1.50/h; Wan 2.1 1.3B at 480p, 30 steps, takes roughly 60 s of GPU time
# per second of clip (loading excluded): 60 s x $1.50/3600 s ≈ $0.025 per clip-second.
GPU_PRICE_SOURCE = "estimate: A100 ~$1.50/h x ~60 GPU-s per clip-second (Wan 2.1 1.3B, 480p)"

DEFAULT_WIDTH, DEFAULT_HEIGHT = 480, 832
DEFAULT_STEPS = 30


@dataclass(frozen=True)
class _Family:
    """What differs between the supported pipelines."""

    fps: int  # the frame rate the model was trained for (its docs' export fps)
    guidance: float  # the pipeline's own default guidance_scale
    frame_multiple: int  # frames must be k * this + 1 (the VAE's time compression), if unknown
    size_multiple: int  # the pipeline rejects sizes that aren't multiples of this
    takes_frame_rate: bool  # LTX conditions on the frame rate; Wan has no such argument


FAMILIES: dict[str, _Family] = {
    "WanPipeline": _Family(fps=16, guidance=5.0, frame_multiple=4, size_multiple=16,
                           takes_frame_rate=False),
    "LTXPipeline": _Family(fps=24, guidance=3.0, frame_multiple=8, size_multiple=32,
                           takes_frame_rate=True),
}  # fmt: skip


@dataclass
class _Loaded:
    pipe: Any  # a diffusers DiffusionPipeline (typed loosely: torch isn't importable everywhere)
    family: _Family
    class_name: str
    frame_multiple: int  # frames = k * this + 1
    size_multiple: int  # width and height are multiples of this
    lock: threading.Lock  # one render at a time per pipeline: schedulers keep per-call state


# Loaded pipelines by (path, device, dtype, offload): a worker process loads its model once.
_PIPELINES: dict[tuple[str, str, str, bool], _Loaded] = {}
_LOAD_LOCK = threading.Lock()


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, "") or default)
    except ValueError:
        return default


def frames_for(seconds: int, fps: int, multiple: int) -> int:
    """The fewest frames of the form k*multiple + 1 that last at least `seconds` at `fps`."""
    k = max(1, math.ceil((seconds * fps - 1) / multiple))
    return k * multiple + 1


def _round_size(value: int, multiple: int) -> int:
    return max(multiple, value // multiple * multiple)


def _read_class_name(path: Path) -> str:
    """The pipeline class the saved folder names, checked before any weights are read."""
    if not path.is_dir():
        raise PermanentError(f"DIFFUSERS_MODEL_PATH {path} is not a folder.")
    index = path / "model_index.json"
    try:
        class_name = json.loads(index.read_text())["_class_name"]
    except FileNotFoundError as exc:
        raise PermanentError(
            f"DIFFUSERS_MODEL_PATH {path} has no model_index.json "
            "(expected a folder written by a diffusers pipeline's save_pretrained)."
        ) from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PermanentError(f"{index} is unreadable or names no pipeline class.") from exc
    if class_name not in FAMILIES:
        raise PermanentError(
            f"DIFFUSERS_MODEL_PATH {path} holds a {class_name}; this backend runs "
            f"{' or '.join(sorted(FAMILIES))}."
        )
    return class_name


def _frame_multiple(pipe: Any, family: _Family) -> int:
    """The VAE's time compression (Wan 4, LTX 8) as the loaded pipeline reports it."""
    ratio = getattr(pipe, "vae_scale_factor_temporal", None) or getattr(
        pipe, "vae_temporal_compression_ratio", None
    )
    return int(ratio or family.frame_multiple)


def _size_multiple(pipe: Any, family: _Family) -> int:
    """What width and height must divide by: the pipeline's own check, or the VAE's spatial
    compression times the transformer's patch when that is coarser (Wan 2.2 5B: 16 x 2 = 32)."""
    spatial = getattr(pipe, "vae_scale_factor_spatial", None) or getattr(
        pipe, "vae_spatial_compression_ratio", None
    )
    patch = getattr(getattr(getattr(pipe, "transformer", None), "config", None), "patch_size", 1)
    patch = patch[-1] if isinstance(patch, (list, tuple)) else patch
    try:
        latent = int(spatial) * int(patch or 1) if spatial else 0
    except (TypeError, ValueError):
        latent = 0
    return max(family.size_multiple, latent)


class DiffusersBackend(Backend):
    name = "diffusers"
    label = "Your GPU (diffusers)"
    # Wan makes 81 frames at 16 fps (≈5 s) per call; longer clips would need a bigger frame count
    # than the models were trained on. Sizes shown are the defaults; DIFFUSERS_WIDTH/HEIGHT rule.
    capabilities = Capabilities(
        min_seconds=1,
        max_seconds=5,
        aspects={"9:16": "480x832", "1:1": "480x480", "16:9": "832x480"},
        resolutions=("480p",),
        tiers=("standard", "pro"),  # one local model serves both
        audio=False,
        native_remix=False,
        image_reference=False,
        max_prompt_chars=2000,
        webhooks=False,
    )
    default_prices = (
        PriceRow("standard", "480p", Decimal("0.025"), PRICES_AS_OF, GPU_PRICE_SOURCE),
        PriceRow("pro", "480p", Decimal("0.025"), PRICES_AS_OF, GPU_PRICE_SOURCE),
    )
    default_quality = 40
    default_seconds_per_clip_second = 60.0
    queue = "gpu"
    in_process = True
    required_env = ("DIFFUSERS_MODEL_PATH",)

    def __init__(self) -> None:
        raw_path = os.environ.get("DIFFUSERS_MODEL_PATH", "")
        self.model_path: Path | None = Path(raw_path).expanduser() if raw_path else None
        # The device default needs torch, so it is settled when the pipeline loads.
        self.device: str = os.environ.get("DIFFUSERS_DEVICE", "")
        self.dtype_name: str = os.environ.get("DIFFUSERS_DTYPE", "").strip().lower()
        self.cpu_offload: bool = os.environ.get("DIFFUSERS_CPU_OFFLOAD", "") in ("1", "true")
        self.width: int = _env_int("DIFFUSERS_WIDTH", DEFAULT_WIDTH)
        self.height: int = _env_int("DIFFUSERS_HEIGHT", DEFAULT_HEIGHT)
        self.steps: int = max(1, _env_int("DIFFUSERS_STEPS", DEFAULT_STEPS))
        self.guidance: float | None = (
            env_float("DIFFUSERS_GUIDANCE", 0.0) if os.environ.get("DIFFUSERS_GUIDANCE") else None
        )
        self.fps: int | None = _env_int("DIFFUSERS_FPS", 0) or None
        self.negative_prompt: str = os.environ.get("DIFFUSERS_NEGATIVE_PROMPT", "")

    def model_for(self, spec: GenerationSpec) -> str:
        # The folder's name is the most honest model id we have (e.g. "Wan2.1-T2V-1.3B-Diffusers").
        return self.model_path.name if self.model_path else ""

    # -- sizes and frames -----------------------------------------------------------------------

    def size_for(self, aspect: str, multiple: int) -> tuple[int, int]:
        """(width, height) for a Reverie aspect: the configured portrait size, turned or squared,
        rounded down to what the pipeline accepts (always even, as H.264 4:2:0 needs)."""
        short = _round_size(min(self.width, self.height), multiple)
        long = _round_size(max(self.width, self.height), multiple)
        if aspect == "16:9":
            return long, short
        if aspect == "1:1":
            return short, short
        return short, long

    # -- loading --------------------------------------------------------------------------------

    def load(self) -> _Loaded:
        """The pipeline for DIFFUSERS_MODEL_PATH, loaded on first use and kept for the process
        (a GPU worker may call this at start-up to pay the load before the first job)."""
        if self.model_path is None:
            raise PermanentError("DIFFUSERS_MODEL_PATH is not set.")
        path = self.model_path.resolve()
        try:
            import torch
            from diffusers import DiffusionPipeline
            from diffusers.utils import is_accelerate_available
        except ImportError as exc:
            raise PermanentError(
                f"The diffusers backend needs torch and diffusers on this worker ({exc})."
            ) from exc

        device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = self._dtype(torch, device)
        key = (str(path), device, str(dtype), self.cpu_offload)
        with _LOAD_LOCK:
            if key in _PIPELINES:
                return _PIPELINES[key]
            class_name = _read_class_name(path)
            if not is_accelerate_available():
                # diffusers 0.42 can't load Wan's transformer without it (keep_in_fp32_modules).
                raise PermanentError("The diffusers backend needs `accelerate` on this worker.")
            family = FAMILIES[class_name]
            # Wan's model card keeps its VAE in float32 under a half-precision transformer.
            dtypes: Any = dtype
            if class_name == "WanPipeline" and dtype != torch.float32:
                dtypes = {"default": dtype, "vae": torch.float32}
            try:
                pipe = DiffusionPipeline.from_pretrained(
                    str(path), local_files_only=True, dtype=dtypes
                )
                if self.cpu_offload:
                    pipe.enable_model_cpu_offload(device=device)
                else:
                    pipe.to(device)
            except Exception as exc:  # any load failure means "fix the setup", not retry
                raise PermanentError(
                    f"Loading the {class_name} at {path} onto {device} failed: {exc}"
                ) from exc
            if type(pipe).__name__ != class_name:
                raise PermanentError(f"{path} loaded as {type(pipe).__name__}, not {class_name}.")
            pipe.set_progress_bar_config(disable=True)  # progress goes to on_progress instead
            loaded = _Loaded(
                pipe, family, class_name, frame_multiple=_frame_multiple(pipe, family),
                size_multiple=_size_multiple(pipe, family), lock=threading.Lock(),
            )  # fmt: skip
            _PIPELINES[key] = loaded
            return loaded

    def _dtype(self, torch: Any, device: str) -> Any:
        if self.dtype_name:
            if self.dtype_name not in ("bfloat16", "float16", "float32"):
                raise PermanentError(
                    f"DIFFUSERS_DTYPE={self.dtype_name} is not bfloat16, float16 or float32."
                )
            return getattr(torch, self.dtype_name)
        if device.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32

    # -- the interface --------------------------------------------------------------------------

    def submit(
        self,
        spec: GenerationSpec,
        *,
        webhook_url: str | None = None,
        workdir: Path | None = None,
        on_progress: Callable[[float], None] | None = None,
    ) -> ProviderJob:
        if workdir is None:
            raise PermanentError("The diffusers backend needs a working directory.")
        refusal = self.capabilities.refusal(spec)
        if refusal:
            raise PermanentError(f"{self.label} {refusal}.")
        seconds = self.capabilities.provider_seconds(spec.seconds) or spec.seconds

        loaded = self.load()
        import torch

        pipe, family = loaded.pipe, loaded.family
        fps = self.fps or family.fps
        num_frames = frames_for(seconds, fps, loaded.frame_multiple)
        width, height = self.size_for(spec.aspect, loaded.size_multiple)
        steps = self.steps

        # A CPU generator gives the same noise for a seed on any GPU (diffusers moves it over).
        generator = torch.Generator(device="cpu").manual_seed(spec.seed & 0xFFFF_FFFF_FFFF_FFFF)
        callback_error: list[BaseException] = []

        def step_end(_pipe: Any, step: int, _timestep: Any, _tensors: dict[str, Any]) -> dict:
            if on_progress is not None:
                try:
                    on_progress(0.9 * min(1.0, (step + 1) / steps))  # decode + encode: the rest
                except BaseException as exc:
                    callback_error.append(exc)  # e.g. the job was cancelled: let it through
                    raise
            return {}

        kwargs: dict[str, Any] = {
            "prompt": spec.prompt,
            "negative_prompt": self.negative_prompt or None,
            "width": width,
            "height": height,
            "num_frames": num_frames,
            "num_inference_steps": steps,
            "guidance_scale": family.guidance if self.guidance is None else self.guidance,
            "generator": generator,
            "output_type": "np",
            "callback_on_step_end": step_end,
        }
        if family.takes_frame_rate:
            kwargs["frame_rate"] = fps

        started = time.monotonic()
        with loaded.lock:
            try:
                frames = pipe(**kwargs).frames[0]
            except (RuntimeError, ValueError, TypeError) as exc:  # torch's and diffusers' own
                if callback_error and exc is callback_error[0]:
                    raise  # on_progress's own exception (e.g. a cancel) isn't a render failure
                raise self._render_error(torch, exc) from exc
        render_seconds = time.monotonic() - started
        if on_progress is not None:
            on_progress(0.95)

        output_path = workdir / "gpu.mp4"
        write_mp4(frames, output_path, fps=fps)
        if on_progress is not None:
            on_progress(1.0)
        return ProviderJob(
            provider_job_id=f"diffusers-{uuid.uuid4().hex[:12]}",
            status=ProviderStatus.SUCCEEDED,
            progress=1.0,
            output_path=output_path,
            model=self.model_for(spec),
            seconds=seconds,
            extra={
                "pipeline": loaded.class_name, "frames": int(frames.shape[0]), "fps": fps,
                "width": width, "height": height, "steps": steps,
                "render_seconds": round(render_seconds, 3), "finished": True,
            },
        )  # fmt: skip

    @staticmethod
    def _render_error(torch: Any, exc: Exception) -> BackendError:
        if isinstance(exc, torch.OutOfMemoryError):
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            # The same size will run out again on this GPU: fall back rather than retry.
            return PermanentError(
                "The GPU ran out of memory; lower DIFFUSERS_WIDTH/HEIGHT or set "
                "DIFFUSERS_CPU_OFFLOAD=1."
            )
        return PermanentError(f"The diffusers pipeline failed: {exc}")

    def poll(self, provider_job_id: str) -> ProviderJob:
        # The render lives and dies with the worker's process; nothing remote to ask about.
        raise PermanentError("A GPU render that was interrupted cannot be resumed.")


def write_mp4(frames: Any, path: Path, *, fps: int) -> None:
    """Encode float RGB frames (T, H, W, 3) in [0, 1] as silent H.264 (yuv420p, BT.709).
    Written beside `path` and renamed into place, so a crash never leaves half a file."""
    import av
    import numpy as np
    from av.video.reformatter import Colorspace

    pixels = (np.clip(np.asarray(frames, dtype=np.float32), 0.0, 1.0) * 255.0 + 0.5).astype(
        np.uint8
    )
    if pixels.ndim != 4 or pixels.shape[-1] != 3 or pixels.shape[0] == 0:
        raise PermanentError(f"The pipeline returned frames of shape {pixels.shape}.")
    # 4:2:0 chroma needs even sides; pipeline sizes are multiples of 16 but be sure.
    height, width = pixels.shape[1] // 2 * 2, pixels.shape[2] // 2 * 2
    pixels = np.ascontiguousarray(pixels[:, :height, :width])
    partial = path.with_name(path.name + ".part")
    try:
        with av.open(str(partial), mode="w", format="mp4") as container:
            stream = container.add_stream("libx264", rate=Fraction(fps))
            stream.width, stream.height = width, height
            stream.pix_fmt = "yuv420p"
            ctx = stream.codec_context
            ctx.colorspace = ctx.color_primaries = ctx.color_trc = 1  # BT.709
            ctx.color_range = 1  # limited ("TV") range, what swscale writes
            ctx.options = {"preset": "medium", "crf": "16"}  # near-lossless: it's re-encoded later
            for rgb in pixels:
                frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                frame = frame.reformat(format="yuv420p", dst_colorspace=Colorspace.ITU709)
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode(None):
                container.mux(packet)
        os.replace(partial, path)
    except OSError as exc:  # a full or failing disk: the next try may well work
        partial.unlink(missing_ok=True)
        raise TransientError(f"Writing the GPU clip failed: {exc}") from exc
    except Exception as exc:
        partial.unlink(missing_ok=True)
        raise PermanentError(f"Encoding the GPU clip failed: {exc}") from exc
