"""Tests of the local renderer (generation.renderer): output format, determinism, prompt-following,
remix relatedness, soundtrack and validation. Pure: no database, no network.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from generation.renderer import (
    SIZES,
    RenderError,
    RenderResult,
    RenderSpec,
    describe_scene,
    render_clip,
)
from generation.renderer.text import printable, watermark_position

Render = Callable[..., tuple[RenderResult, Path, Path]]


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Render:
    """Render a spec once per module; repeated specs reuse the first result."""
    cache: dict[tuple, tuple[RenderResult, Path, Path]] = {}
    root = tmp_path_factory.mktemp("renders")

    def _render(
        prompt: str,
        *,
        seconds: int = 1,
        seed: int = 7,
        aspect: str = "9:16",
        fps: int = 30,
        fresh: bool = False,
        **extra: object,
    ) -> tuple[RenderResult, Path, Path]:
        key = (prompt, seconds, seed, aspect, fps, tuple(sorted(extra)))
        if key in cache and not fresh:
            return cache[key]
        n = len(list(root.iterdir()))
        video, poster = root / f"clip{n}.mp4", root / f"poster{n}.jpg"
        spec = RenderSpec(
            prompt=prompt,
            seconds=seconds,
            seed=seed,
            aspect=aspect,
            fps=fps,
            creator_handle="tester",
            **extra,
        )  # type: ignore[arg-type]
        result = render_clip(spec, video_path=video, poster_path=poster, threads=1)
        cache[key] = (result, video, poster)
        return cache[key]

    return _render


def decoded_frames(path: Path) -> list[np.ndarray]:
    """Every decoded picture as its raw yuv420p array."""
    with av.open(str(path)) as container:
        return [frame.to_ndarray() for frame in container.decode(video=0)]


def rgb_frame(path: Path, index: int) -> np.ndarray:
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i == index:
                return frame.to_ndarray(format="rgb24").astype(np.int16)
    raise AssertionError(f"no frame {index}")


def top_level_boxes(path: Path) -> list[str]:
    data = path.read_bytes()
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        boxes.append(kind.decode("latin-1"))
        if size < 8:
            break
        offset += size
    return boxes


# ------------------------------------------------------------------------------ output format


@pytest.mark.parametrize(
    ("aspect", "fps", "seconds"),
    [("9:16", 30, 3), ("9:16", 24, 1), ("1:1", 24, 1), ("16:9", 30, 1)],
)
def test_output_is_h264_aac_mp4_of_the_requested_size_and_length(
    render: Render, aspect: str, fps: int, seconds: int
) -> None:
    result, video, _ = render(
        "a red balloon over green hills", seconds=seconds, aspect=aspect, fps=fps
    )
    width, height = SIZES[aspect]
    assert (result.width, result.height, result.fps) == (width, height, fps)
    assert result.frame_count == seconds * fps
    assert result.duration == seconds
    with av.open(str(video)) as container:
        vstream = container.streams.video[0]
        astream = container.streams.audio[0]
        assert vstream.codec_context.name == "h264"
        assert (vstream.codec_context.width, vstream.codec_context.height) == (width, height)
        assert vstream.codec_context.pix_fmt == "yuv420p"
        assert vstream.average_rate == fps
        assert astream.codec_context.name == "aac"
        assert astream.codec_context.channels == 2
        assert astream.codec_context.sample_rate in (44100, 48000)
        assert abs(container.duration / av.time_base - seconds) <= 0.1
        audio_seconds = float(astream.duration * astream.time_base)
        assert abs(audio_seconds - seconds) <= 0.1
    assert len(decoded_frames(video)) == seconds * fps


def test_moov_comes_before_mdat(render: Render) -> None:
    _, video, _ = render("a red balloon over green hills", seconds=3)
    boxes = top_level_boxes(video)
    assert boxes[0] == "ftyp"
    assert boxes.index("moov") < boxes.index("mdat")


def test_poster_is_a_jpeg_of_the_video_size(render: Render) -> None:
    for aspect in ("9:16", "16:9"):
        _, _, poster = render(
            "a red balloon over green hills", aspect=aspect, fps=30 if aspect == "16:9" else 24
        )
        with Image.open(poster) as image:
            assert image.format == "JPEG"
            assert image.size == SIZES[aspect]


def test_result_scene_is_json_serialisable(render: Render) -> None:
    result, _, _ = render("a red balloon over green hills", seconds=3)
    assert json.loads(json.dumps(result.scene)) == result.scene
    assert result.render_seconds > 0


# ------------------------------------------------------------------------------ determinism


def test_same_prompt_and_seed_give_identical_frames(render: Render) -> None:
    _, first, _ = render("a neon city at night with rain", seed=11)
    _, second, _ = render("a neon city at night with rain", seed=11, fresh=True)
    a, b = decoded_frames(first), decoded_frames(second)
    assert len(a) == len(b) == 30
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_different_prompts_give_clearly_different_frames(render: Render) -> None:
    _, city, _ = render("a neon city at night with rain", seed=11)
    _, sea, _ = render("golden sunset over the ocean with a boat", seed=11)
    diff = np.abs(rgb_frame(city, 15) - rgb_frame(sea, 15)).mean()
    assert diff > 40


def test_an_edited_prompt_with_the_same_seed_looks_like_a_remix(render: Render) -> None:
    original = "a cat bouncing in the snow in a pastel forest"
    edited = "a dog bouncing in the snow in a pastel forest"
    _, base, _ = render(original, seed=21)
    _, remix, _ = render(edited, seed=21)
    _, reseeded, _ = render(original, seed=22)
    frame = rgb_frame(base, 10)
    remix_diff = np.abs(frame - rgb_frame(remix, 10)).mean()
    reseed_diff = np.abs(frame - rgb_frame(reseeded, 10)).mean()
    assert remix_diff < reseed_diff
    assert remix_diff < 10  # only the character changed


def test_the_watermark_moves_over_time() -> None:
    kwargs = {"frame": (720, 1280), "size": (200, 30), "bottom_limit": 1100, "start": 0}
    positions = {watermark_position(t / 10, **kwargs) for t in range(0, 100, 5)}
    assert len(positions) > 5


def test_a_portrait_is_composited_into_the_scene(render: Render) -> None:
    yy, xx = np.mgrid[0:200, 0:160]
    face = np.stack([xx * 255 // 160, yy * 255 // 200, np.full_like(xx, 90)], axis=-1).astype(
        np.uint8
    )
    result, with_face, _ = render("a person walking in a park at noon", seed=3, portrait=face)
    _, without, _ = render("a person walking in a park at noon", seed=3)
    assert result.scene["portrait"] is True
    assert np.abs(rgb_frame(with_face, 5) - rgb_frame(without, 5)).mean() > 1


# ------------------------------------------------------------------------------ soundtrack


def test_the_soundtrack_is_stereo_and_not_silent(render: Render) -> None:
    _, video, _ = render("a red balloon over green hills", seconds=3)
    with av.open(str(video)) as container:
        chunks = [frame.to_ndarray() for frame in container.decode(audio=0)]
    samples = np.concatenate(chunks, axis=1)
    assert samples.shape[0] == 2
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    assert rms > 0.03
    assert float(np.abs(samples).max()) <= 1.0
    assert not np.array_equal(samples[0], samples[1])  # panned, not dual mono


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_calm_and_energetic_prompts_get_different_tempos(seed: int) -> None:
    calm = describe_scene("a calm peaceful lake at dawn", seed)
    energetic = describe_scene("an energetic dance party in the city", seed)
    assert 70 <= calm["tempo_bpm"] <= 90
    assert 120 <= energetic["tempo_bpm"] <= 140
    assert calm["mood"] == "calm" and energetic["mood"] == "energetic"


def test_mood_words_pick_the_mode() -> None:
    assert describe_scene("a happy dog in the sun", 1)["key"].endswith("major")
    assert describe_scene("a sad lonely boat", 1)["key"].endswith("minor")
    assert describe_scene("a dark spooky forest", 1)["key"].endswith("minor")


# ------------------------------------------------------------------------------ scene description


def kinds(scene: dict) -> set[str]:
    return {subject["kind"] for subject in scene["subjects"]}


def test_describe_scene_reads_the_prompt() -> None:
    city = describe_scene("a neon city at night with rain", 5)
    assert city["palette"]["name"] == "neon"
    assert city["time_of_day"] == "night"
    assert "city" in kinds(city)
    assert city["particles"] == ["rain"]

    sea = describe_scene("golden sunset over the ocean with a boat", 5)
    assert sea["palette"]["name"] == "golden"
    assert sea["time_of_day"] == "sunset"
    assert {"sea", "boat", "sun"} <= kinds(sea)

    cat = describe_scene("a cat bouncing in the snow in a pastel forest", 5)
    assert cat["palette"]["name"] == "pastel"
    assert {"cat", "trees"} <= kinds(cat)
    assert cat["particles"] == ["snow"]
    assert cat["motion"]["subjects"] == "bounce"


@pytest.mark.parametrize(
    ("prompt", "feature", "expected"),
    [
        ("zoom into the mountains at dawn", "camera", "zoom"),
        ("pan across a desert", "camera", "pan"),
        ("balloons drifting over hills", "subjects", "drift"),
        ("a spinning cat", "subjects", "spin"),
        ("a dog flying over the city", "subjects", "fly"),
    ],
)
def test_motion_words(prompt: str, feature: str, expected: str) -> None:
    assert describe_scene(prompt, 9)["motion"][feature] == expected


@pytest.mark.parametrize(
    ("prompt", "particle"),
    [
        ("fireflies in a forest", "fireflies"),
        ("a birthday party with confetti", "confetti"),
        ("a foggy morning", "fog"),
        ("autumn leaves in the park", "leaves"),
        ("magic sparkles", "sparkles"),
        ("underwater bubbles", "bubbles"),
    ],
)
def test_weather_and_particle_words(prompt: str, particle: str) -> None:
    assert particle in describe_scene(prompt, 9)["particles"]


def test_subject_vocabulary_and_colour_binding() -> None:
    scene = describe_scene(
        "a red car and two puppies near skyscrapers, with kittens and a yacht", 2
    )
    assert {"car", "dog", "city", "cat", "boat", "sea"} <= kinds(scene)
    car = next(s for s in scene["subjects"] if s["kind"] == "car")
    assert car["color"] is not None and car["color"].startswith("#e6")  # red
    puppies = next(s for s in scene["subjects"] if s["kind"] == "dog")
    assert puppies["count"] >= 2


def test_unknown_words_fall_back_to_the_seed() -> None:
    a = describe_scene("zxq blorp", 1)
    assert a == describe_scene("zxq blorp", 1)
    assert a["palette"]["from"] == "seed" and a["mood_from"] == "seed"
    looks = {
        (s["palette"]["name"], s["time_of_day"], s["motion"]["camera"])
        for s in (describe_scene("zxq blorp", seed) for seed in range(12))
    }
    assert len(looks) > 3


def test_changing_one_word_changes_only_its_feature() -> None:
    a = describe_scene("a cat in a pastel forest at dusk", 4)
    b = describe_scene("a cat in a golden forest at dusk", 4)
    assert a["palette"]["name"] == "pastel" and b["palette"]["name"] == "golden"
    for key in ("time_of_day", "particles", "motion", "tempo_bpm", "key"):
        assert a[key] == b[key], key
    assert kinds(a) == kinds(b)


def test_text_the_font_lacks_is_dropped_not_boxed() -> None:
    # Accents are in the shipped font; the sparkle and the CJK are not.
    assert printable("café ✨ 日本 — ok", 24) == "café - ok"


# ------------------------------------------------------------------------------ progress and errors


def test_progress_is_reported_monotonically_up_to_one(tmp_path: Path) -> None:
    seen: list[float] = []
    spec = RenderSpec(prompt="stars over mountains", seconds=2, seed=1, fps=24)
    render_clip(
        spec, video_path=tmp_path / "c.mp4", poster_path=tmp_path / "p.jpg", on_progress=seen.append
    )
    assert 2 <= len(seen) <= 20
    assert seen[-1] == 1.0
    assert all(0 < value <= 1 for value in seen)
    assert all(a < b for a, b in zip(seen, seen[1:], strict=False))


def test_an_exception_from_on_progress_propagates(tmp_path: Path) -> None:
    class Cancelled(Exception):
        pass

    def cancel(_: float) -> None:
        raise Cancelled

    spec = RenderSpec(prompt="stars over mountains", seconds=1, seed=1)
    with pytest.raises(Cancelled):
        render_clip(
            spec, video_path=tmp_path / "c.mp4", poster_path=tmp_path / "p.jpg", on_progress=cancel
        )


@pytest.mark.parametrize(
    "changes",
    [
        {"seconds": 0},
        {"seconds": 11},
        {"aspect": "4:3"},
        {"fps": 25},
        {"prompt": ""},
        {"prompt": "   "},
        {"seconds": 2.5},
        {"portrait": np.zeros((10, 10), np.uint8)},
    ],
)
def test_invalid_specs_raise_render_error(tmp_path: Path, changes: dict) -> None:
    fields = {"prompt": "a cat", "seconds": 1, "seed": 1, **changes}
    with pytest.raises(RenderError):
        render_clip(
            RenderSpec(**fields), video_path=tmp_path / "c.mp4", poster_path=tmp_path / "p.jpg"
        )
    assert not (tmp_path / "c.mp4").exists()
