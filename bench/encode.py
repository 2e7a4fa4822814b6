"""Benchmark of the feed's encode: bitrate, quality (SSIM) and encode time, setting by setting.

    python bench/encode.py [--quick]

Pins itself to one CPU. For each prompt, the renderer's own animator draws a 10 s 720×1280
30 fps clip; every 10th frame's luma is kept as the lossless reference. Each x264 setting then
encodes the same frames (drawn again, deterministically) on one thread; the file is decoded and
SSIM (scikit-image, luma, data range 255) is averaged over the reference frames. The 480p
data-saver rendition is scaled back up to 720×1280 before comparison: what a phone shows.
``render_s`` is the whole video path (draw + encode + mux) on one core, comparable to
bench/render.py's figure without the soundtrack. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import av  # noqa: E402
import numpy as np  # noqa: E402
from skimage.metrics import structural_similarity  # noqa: E402

from generation.renderer.encode import (  # noqa: E402
    FASTEST,
    FEED,
    SAVER,
    VideoSettings,
    open_output,
)
from generation.renderer.scene import describe_scene  # noqa: E402
from generation.renderer.video import Animator  # noqa: E402

SECONDS, FPS, WIDTH, HEIGHT = 10, 30, 720, 1280
SAMPLE_EVERY = 10
PROMPTS = {
    "typical": "a cat bouncing in the snow in a pastel forest",
    "busy": "a neon city at night with rain",
}
CANDIDATES: list[tuple[str, VideoSettings, tuple[int, int]]] = [
    ("previous (fastest)", FASTEST, (WIDTH, HEIGHT)),
    ("ultrafast crf 26", VideoSettings("ultrafast", 26, x264_params="cabac=1"), (WIDTH, HEIGHT)),
    ("superfast crf 26", VideoSettings("superfast", 26), (WIDTH, HEIGHT)),
    ("veryfast crf 26", VideoSettings("veryfast", 26), (WIDTH, HEIGHT)),
    ("feed (chosen)", FEED, (WIDTH, HEIGHT)),
    ("data saver 480p", SAVER, (480, 852)),
]


def pin_to_one_core() -> int:
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def animator(prompt: str) -> Animator:
    scene = describe_scene(prompt, 1234)
    scene["portrait"] = False
    return Animator(
        scene, width=WIDTH, height=HEIGHT, fps=FPS, seconds=SECONDS, seed=1234, handle="bench",
        portrait=None,
    )  # fmt: skip


def encode(
    prompt: str, settings: VideoSettings, size: tuple[int, int], path: Path
) -> tuple[float, dict[int, np.ndarray]]:
    """Draw and encode the clip; return the wall time and the lossless luma of sampled frames."""
    anim = animator(prompt)
    width, height = size
    reference: dict[int, np.ndarray] = {}
    started = time.perf_counter()
    output = open_output(
        path, width=width, height=height, fps=FPS, threads=1, audio=False, settings=settings
    )
    scaled = (width, height) != (WIDTH, HEIGHT)
    for index in range(SECONDS * FPS):
        if scaled:
            frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
            planes = Output_planes(frame)
        else:
            frame, planes = output.new_frame(index)
        anim.render(index, planes)
        if index % SAMPLE_EVERY == 0:
            reference[index] = planes.y.copy()
        if scaled:
            frame = frame.reformat(width=width, height=height, interpolation="AREA")
            frame.pts = index
            frame.time_base = Fraction(1, FPS)
        output.encode_video(frame)
    output.finish()
    return time.perf_counter() - started, reference


def Output_planes(frame: av.VideoFrame):  # noqa: N802, ANN201 - mirrors Output.new_frame
    from generation.renderer.planes import Planes

    views = []
    for plane in frame.planes:
        buf = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
        views.append(buf[:, : plane.width])
    return Planes(*views)


def quality(path: Path, reference: dict[int, np.ndarray]) -> float:
    scores = []
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index not in reference:
                continue
            if (frame.width, frame.height) != (WIDTH, HEIGHT):
                frame = frame.reformat(width=WIDTH, height=HEIGHT, interpolation="BICUBIC")
            luma = frame.to_ndarray(format="gray")
            scores.append(structural_similarity(reference[index], luma, data_range=255))
    return float(np.mean(scores))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="only the previous and chosen")
    args = parser.parse_args()
    cpu = pin_to_one_core()
    candidates = CANDIDATES
    if args.quick:
        candidates = [c for c in CANDIDATES if c[1] in (FASTEST, FEED, SAVER)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="reverie-encode-") as tmp:
        encode(PROMPTS["typical"], FASTEST, (WIDTH, HEIGHT), Path(tmp) / "warm.mp4")  # warm-up
        print(f"pinned to cpu {cpu}; {SECONDS} s {WIDTH}×{HEIGHT} {FPS} fps, video only")
        print(f"{'setting':<22}{'scene':<9}{'size':>10}{'Mb/s':>7}{'SSIM':>8}{'render s':>10}")
        for name, settings, size in candidates:
            for scene, prompt in PROMPTS.items():
                path = Path(tmp) / f"{len(rows)}.mp4"
                seconds, reference = encode(prompt, settings, size, path)
                mbps = path.stat().st_size * 8 / SECONDS / 1e6
                ssim = quality(path, reference)
                rows.append(
                    {
                        "setting": name, "x264": settings.label(), "scene": scene,
                        "size": f"{size[0]}x{size[1]}", "mbps": round(mbps, 3),
                        "ssim": round(ssim, 4), "render_s": round(seconds, 3),
                    }
                )  # fmt: skip
                print(
                    f"{name:<22}{scene:<9}{size[0]}×{size[1]:<6}{mbps:>7.2f}{ssim:>8.4f}"
                    f"{seconds:>10.2f}"
                )
    chosen = [r for r in rows if r["setting"] == "feed (chosen)"]
    print(json.dumps({"rows": rows, "chosen": chosen, "cpu": cpu}))


if __name__ == "__main__":
    main()
