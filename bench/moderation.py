"""Benchmark of output moderation: what judging a 10 s 720×1280 30 fps clip costs on one core,
beside that clip's own local render time (goal: moderation ≤ 15 % of the render).

    python bench/moderation.py

Pins itself to one CPU (one x264 thread, one onnxruntime thread), renders the clip RUNS times
after a warm-up, and after each render judges it exactly as a worker does before a clip becomes
a draft (moderation.services.clip_judge: sample ≥ 1 frame a second plus first and last, NudeNet's
detector on each). The model's one-time load per process is reported apart. The last line of
output is one JSON object with the results.
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OUTPUT_MODERATION_THREADS", "1")

import django  # noqa: E402

django.setup()

from generation.renderer import RenderSpec, render_clip  # noqa: E402
from moderation import detector  # noqa: E402
from moderation.services import clip_judge  # noqa: E402

SECONDS, FPS, ASPECT = 10, 30, "9:16"
RUNS = 3
PROMPTS = ["a cat bouncing in the snow in a pastel forest", "a neon city at night with rain"]
GOAL = 0.15


def main() -> None:
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    started = time.perf_counter()
    detector.session(threads=1)
    load_seconds = time.perf_counter() - started
    rows = []
    with tempfile.TemporaryDirectory(prefix="reverie-bench-") as tmp:
        workdir = Path(tmp)
        for prompt in PROMPTS:
            renders, judges = [], []
            for run in range(RUNS + 1):
                spec = RenderSpec(prompt=prompt, seconds=SECONDS, seed=1234 + run, aspect=ASPECT,
                                  fps=FPS, creator_handle="bench")  # fmt: skip
                video, poster = workdir / "clip.mp4", workdir / "clip.jpg"
                c0, t0 = time.process_time(), time.perf_counter()
                render_clip(spec, video_path=video, poster_path=poster, threads=1)
                c1, t1 = time.process_time(), time.perf_counter()
                verdict = clip_judge(path=video)
                c2, t2 = time.process_time(), time.perf_counter()
                if run == 0:
                    continue  # warm-up
                renders.append((c1 - c0, t1 - t0))
                judges.append((c2 - c1, t2 - t1))
            # CPU seconds of this (single-threaded, pinned) process: on a shared machine they
            # move far less than wall time, which is printed beside them.
            render_s = statistics.median(r[0] for r in renders)
            judge_s = statistics.median(j[0] for j in judges)
            row = {
                "prompt": prompt,
                "render_cpu_s": round(render_s, 3),
                "moderation_cpu_s": round(judge_s, 3),
                "ratio": round(judge_s / render_s, 3),
                "render_wall_s": round(statistics.median(r[1] for r in renders), 3),
                "moderation_wall_s": round(statistics.median(j[1] for j in judges), 3),
                "frames_sampled": len(verdict.frames),
                "flagged": verdict.flagged,
            }
            rows.append(row)
            print(f"{prompt!r}: render {render_s:.2f} s, moderation {judge_s:.3f} s CPU "
                  f"({len(verdict.frames)} frames): {judge_s / render_s:.1%}")  # fmt: skip
    worst = max(row["ratio"] for row in rows)
    print(f"model load (once per process): {load_seconds:.2f} s; worst ratio {worst:.1%} "
          f"(goal ≤ {GOAL:.0%})")  # fmt: skip
    result = {
        "benchmark": "moderation",
        "cpu": cpu,
        "clip": f"{SECONDS} s {ASPECT} {FPS} fps",
        "runs": RUNS,
        "model_load_s": round(load_seconds, 3),
        "clips": rows,
        "worst_ratio": worst,
        "goal_ratio": GOAL,
        "met": worst <= GOAL,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
