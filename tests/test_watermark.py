"""The visible watermark, checked on decoded pixels: present, and moving over time."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from generation.renderer import RenderSpec, render_clip


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24").astype(int) for frame in container.decode(video=0)]


def test_the_watermark_is_in_the_pixels_and_moves(tmp_path: Path) -> None:
    """Two renders that differ only in the creator's handle differ only where the watermark is:
    that region exists in every frame, and its centre travels across the clip."""
    clips = {}
    for handle in ("ab", "somebody.with.a.long.handle"):
        video = tmp_path / f"{handle}.mp4"
        render_clip(
            RenderSpec(prompt="a calm sea at dawn", seconds=3, seed=4, creator_handle=handle),
            video_path=video,
            poster_path=tmp_path / f"{handle}.jpg",
        )
        clips[handle] = _frames(video)
    first, second = clips.values()
    centres = []
    for a, b in zip(first, second, strict=True):
        changed = np.abs(a - b).sum(axis=2) > 60
        ys, xs = np.nonzero(changed)
        assert len(xs) > 50, "the watermark text is missing from a frame"
        centres.append((xs.mean(), ys.mean()))
        # It stays a compact label, not the whole picture.
        assert changed.mean() < 0.05
    travelled = np.hypot(centres[-1][0] - centres[0][0], centres[-1][1] - centres[0][1])
    assert travelled > 20, f"the watermark did not move ({travelled:.1f} px)"
