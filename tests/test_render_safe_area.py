"""Burned-in text stays where every phone shows it: inside the centre safe area that
``object-fit: cover`` keeps from 9:16 to 9:21, clear of the feed's tabs, creator line and rail.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from generation.postprocess import finish_clip
from generation.renderer import RenderSpec, render_clip
from generation.renderer.text import (
    caption_layer,
    drawable,
    safe_area,
    watermark_layer,
    watermark_position,
)


def visible_columns(width: int, height: int, screen_aspect: float) -> tuple[float, float]:
    """Columns of a width×height clip a screen of width/height ``screen_aspect`` shows (cover)."""
    shown = min(1.0, screen_aspect / (width / height)) * width
    return (width - shown) / 2, (width + shown) / 2


def frames(path: Path, indexes: set[int]) -> dict[int, np.ndarray]:
    out = {}
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i in indexes:
                out[i] = frame.to_ndarray(format="rgb24").astype(np.int16)
    return out


def test_the_safe_area_is_inside_what_a_9_21_phone_shows() -> None:
    safe = safe_area(720, 1280)
    for aspect in (9 / 16, 9 / 19.5, 9 / 20, 9 / 21):
        left, right = visible_columns(720, 1280, aspect)
        assert left < safe.left and safe.right < right
    assert safe.rail_left < safe.right and safe.top > 0 and safe.bottom < 1280


def test_the_watermark_never_leaves_the_safe_area_or_slides_under_the_rail() -> None:
    layer = watermark_layer("a_rather_long_handle_123", 720)
    size = (layer.width, layer.height)
    safe = safe_area(720, 1280)
    for start in range(4):
        for step in range(0, 1200):  # 12 s at 100 Hz: every corner and every glide
            x, y = watermark_position(
                step / 100, frame=(720, 1280), size=size, bottom_limit=974, start=start
            )
            assert safe.left <= x and x + size[0] <= safe.right, (step, x)
            assert safe.top <= y and y + size[1] <= 974
            if y + size[1] > safe.rail_top:
                assert x + size[0] <= safe.rail_left, (step, x, y)


def test_accents_are_drawn_and_what_the_font_lacks_is_left_to_the_captions_track() -> None:
    assert drawable("Un phare à l’aube, ça brûle — œuvre", 28)
    assert not drawable("東京の夜", 28)
    layer, _ = caption_layer("東京の夜 at night", 720, 1280)
    assert layer is None  # no holes: the captions track shows it as typed
    layer, y = caption_layer("une plage à midi", 720, 1280)
    assert layer is not None and y + layer.height <= safe_area(720, 1280).bottom


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Same unknown words → same scene; only the caption's letters differ.
        ("zzq xxq " * 14, "qqz qxx " * 14),
        # Accented letters are drawn as themselves, not folded to the plain ones.
        ("zébù àxq çyq", "zebu axq cyq"),
    ],
)
def test_the_caption_text_is_inside_the_safe_area(tmp_path: Path, first: str, second: str) -> None:
    paths = []
    for n, prompt in enumerate((first, second)):
        path = tmp_path / f"{n}.mp4"
        render_clip(
            RenderSpec(prompt=prompt, seconds=1, seed=5, fps=24, creator_handle="x"),
            video_path=path,
            poster_path=tmp_path / f"{n}.jpg",
            threads=1,
        )
        paths.append(path)
    a, b = (frames(p, {3})[3] for p in paths)
    changed = np.argwhere(np.abs(a - b).max(axis=2) > 40)
    assert len(changed) > 30, "the captions should differ (accents are a few dozen pixels)"
    safe = safe_area(720, 1280)
    ys, xs = changed[:, 0], changed[:, 1]
    assert xs.min() >= safe.left - 2 and xs.max() <= safe.rail_left + 2
    assert ys.min() >= safe.top and ys.max() <= safe.bottom


def test_provider_clips_get_the_watermark_inside_the_safe_area(tmp_path: Path) -> None:
    """The post-processor stamps the same moving watermark, in the same safe corners."""
    source = tmp_path / "provider.mp4"
    with av.open(str(source), "w") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 1080, 1920, "yuv420p"
        for i in range(24 * 7):
            frame = av.VideoFrame.from_ndarray(
                np.full((1920, 1080, 3), 90, np.uint8), format="rgb24"
            )
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    finish_clip(
        source,
        video_path=tmp_path / "clip.mp4",
        poster_path=tmp_path / "poster.jpg",
        seconds=7,
        aspect="9:16",
        fps=24,
        creator_handle="someone",
        threads=1,
    )
    safe = safe_area(720, 1280)
    picked = frames(tmp_path / "clip.mp4", set(range(0, 24 * 7, 6)))
    assert len(picked) > 20
    for index, picture in picked.items():
        marked = np.argwhere(np.abs(picture - 90).max(axis=2) > 30)
        assert len(marked) > 50, index
        ys, xs = marked[:, 0], marked[:, 1]
        assert xs.min() >= safe.left - 2 and xs.max() <= safe.right + 2, index
        assert ys.min() >= safe.top - 2 and ys.max() <= safe.bottom + 2, index
        if ys.max() > safe.rail_top:
            assert xs.max() <= safe.rail_left + 2, index
