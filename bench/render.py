"""Benchmark of the local renderer: wall time of a 10 s 720×1280 30 fps clip on one core.

    python bench/render.py

Pins itself to one CPU and gives the encoder one thread, renders the clip five times (after one
unmeasured warm-up) and measures the *encode floor* in the same process with the same settings.
The last line of output is one JSON object with the results.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generation.renderer import RenderSpec, render_clip  # noqa: E402
from generation.renderer.encode import CRF, PRESET, X264_PARAMS, open_output  # noqa: E402

THREADS = 1  # the same encoder thread count for the clips and for the floor
SECONDS, FPS, ASPECT = 10, 30, "9:16"
WIDTH, HEIGHT = 720, 1280
RUNS = 5
PROMPT = "a cat bouncing in the snow in a pastel forest"
# A deliberately heavy scene (hundreds of rain streaks over a lit city) rendered once, for context.
STRESS_PROMPT = "a neon city at night with rain"


def pin_to_one_core() -> int:
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


CPU_TIMES: list[float] = []  # CPU seconds of each measured render: on a shared, busy machine
# the wall time includes waiting for other processes; the CPU time on the pinned core doesn't.


def render_once(prompt: str, workdir: Path, name: str) -> tuple[float, int]:
    video, poster = workdir / f"{name}.mp4", workdir / f"{name}.jpg"
    spec = RenderSpec(
        prompt=prompt, seconds=SECONDS, seed=1234, aspect=ASPECT, fps=FPS, creator_handle="bench"
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    render_clip(spec, video_path=video, poster_path=poster, threads=THREADS)
    CPU_TIMES.append(time.process_time() - cpu_started)
    return time.perf_counter() - started, video.stat().st_size


def encode_floor(workdir: Path) -> float:
    """Wall time to encode SECONDS*FPS plain mid-grey frames with the renderer's settings.

    Includes exactly what the renderer also pays for video: allocating each encoder frame,
    writing its planes, x264 (same preset, crf, params, thread count) and muxing into a
    faststart MP4 (including the final moov rewrite). Excludes drawing, the soundtrack (synthesis
    and AAC) and the poster. A plain picture is the cheapest content x264 can get, so this is a
    lower bound on any render.
    """
    output = open_output(
        workdir / "floor.mp4", width=WIDTH, height=HEIGHT, fps=FPS, threads=THREADS, audio=False
    )
    started = time.perf_counter()
    for index in range(SECONDS * FPS):
        frame, planes = output.new_frame(index)
        planes.y[:] = 126
        planes.u[:] = 128
        planes.v[:] = 128
        output.encode_video(frame)
    output.finish()
    return time.perf_counter() - started


def main() -> None:
    cpu = pin_to_one_core()
    settings = f"x264 preset={PRESET} crf={CRF} params={X264_PARAMS} threads={THREADS}"
    print(f"pinned to cpu {cpu}; {settings}")
    with tempfile.TemporaryDirectory(prefix="reverie-bench-") as tmp:
        workdir = Path(tmp)
        render_once(PROMPT, workdir, "warmup")  # imports, font loading and caches: not measured
        times, sizes = [], []
        for run in range(RUNS):
            seconds, size = render_once(PROMPT, workdir, f"clip{run}")
            times.append(seconds)
            sizes.append(size)
            print(f"render {run + 1}/{RUNS}: {seconds:.3f} s, {size / 1e6:.2f} MB  ({PROMPT!r})")
        floors = [encode_floor(workdir) for _ in range(3)]
        floor = statistics.median(floors)
        print(
            f"encode floor (plain frames, same settings): {', '.join(f'{f:.3f}' for f in floors)} s"
        )
        stress_s, stress_size = render_once(STRESS_PROMPT, workdir, "stress")
        print(f"stress scene: {stress_s:.3f} s, {stress_size / 1e6:.2f} MB  ({STRESS_PROMPT!r})")
    render_s = statistics.median(times)
    print(
        f"median render: {render_s:.3f} s = {SECONDS / render_s:.2f}× realtime, "
        f"{render_s / floor:.2f}× the encode floor"
    )
    print(
        json.dumps(
            {
                "render_s": round(render_s, 3),
                "x_realtime": round(SECONDS / render_s, 2),
                "encode_floor_s": round(floor, 3),
                "ratio_to_floor": round(render_s / floor, 2),
                "render_runs_s": [round(t, 3) for t in times],
                "render_cpu_s": round(statistics.median(CPU_TIMES[1 : RUNS + 1]), 3),
                "mbps": round(statistics.median(sizes) * 8 / SECONDS / 1e6, 3),
                "file_mb": round(statistics.median(sizes) / 1e6, 2),
                "stress_render_s": round(stress_s, 3),
                "stress_file_mb": round(stress_size / 1e6, 2),
                "clip": {
                    "seconds": SECONDS,
                    "fps": FPS,
                    "width": WIDTH,
                    "height": HEIGHT,
                    "prompt": PROMPT,
                },
                "x264": {"preset": PRESET, "crf": CRF, "params": X264_PARAMS, "threads": THREADS},
                "cpu": cpu,
            }
        )
    )


if __name__ == "__main__":
    main()
