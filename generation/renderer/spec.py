"""The renderer's request and result types, and validation of a request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

SIZES: dict[str, tuple[int, int]] = {"9:16": (720, 1280), "1:1": (720, 720), "16:9": (1280, 720)}
FPS_CHOICES = (24, 30)
MAX_SECONDS = 10
MAX_PROMPT_CHARS = 1000


class RenderError(Exception):
    """A bad spec or an encoding failure; the message is safe to show to the user."""


@dataclass(frozen=True)
class RenderSpec:
    prompt: str
    seconds: int  # 1..10 inclusive
    seed: int
    aspect: str = "9:16"
    fps: int = 30  # 24 or 30 only
    creator_handle: str = ""  # shown in the watermark "AI-generated · @handle"
    # Optional RGB uint8 H×W×3 picture of a face, composited into the scene as a subject.
    # Arrays don't compare or hash as dataclass fields want, so it is left out of both.
    portrait: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class RenderResult:
    width: int
    height: int
    fps: int
    duration: float
    frame_count: int
    render_seconds: float  # wall time of render_clip
    scene: dict[str, Any]  # JSON-serialisable: what was derived from the prompt (see scene.py)


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def validate(spec: RenderSpec) -> np.ndarray | None:
    """Raise RenderError for a spec the renderer can't honour; return the portrait as RGB uint8."""
    if not isinstance(spec.prompt, str) or not spec.prompt.strip():
        raise RenderError("The prompt is empty.")
    if len(spec.prompt) > MAX_PROMPT_CHARS:
        raise RenderError(f"The prompt is longer than {MAX_PROMPT_CHARS} characters.")
    if not _is_int(spec.seconds) or not 1 <= spec.seconds <= MAX_SECONDS:
        raise RenderError(f"Clips are 1 to {MAX_SECONDS} whole seconds long.")
    if not _is_int(spec.seed):
        raise RenderError("The seed must be a whole number.")
    if spec.aspect not in SIZES:
        raise RenderError(
            f"Unsupported aspect ratio {spec.aspect!r}; use one of {', '.join(SIZES)}."
        )
    if not _is_int(spec.fps) or spec.fps not in FPS_CHOICES:
        raise RenderError("The frame rate must be 24 or 30 fps.")
    if not isinstance(spec.creator_handle, str):
        raise RenderError("The creator handle must be text.")
    portrait = spec.portrait
    if portrait is None:
        return None
    if (
        not isinstance(portrait, np.ndarray)
        or portrait.ndim != 3
        or portrait.shape[2] not in (3, 4)
    ):
        raise RenderError("The portrait must be an RGB image (height × width × 3).")
    if portrait.shape[0] < 16 or portrait.shape[1] < 16:
        raise RenderError("The portrait is too small (at least 16×16 pixels).")
    if portrait.dtype != np.uint8:
        if not np.issubdtype(portrait.dtype, np.number):
            raise RenderError("The portrait must be an 8-bit RGB image.")
        portrait = np.clip(portrait, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(portrait[..., :3])
