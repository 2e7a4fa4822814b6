"""``render_clip``: spec → MP4 + poster, reporting progress as it goes."""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable

import av
from PIL import Image

from generation.renderer.audio import synthesize
from generation.renderer.encode import AUDIO_RATE, open_output
from generation.renderer.planes import yuv_to_rgb
from generation.renderer.scene import describe_scene, understood
from generation.renderer.spec import SIZES, RenderError, RenderResult, RenderSpec, validate
from generation.renderer.video import Animator

PROGRESS_UPDATES = 19  # plus the final 1.0: at most 20 calls per clip


def render_clip(
    spec: RenderSpec,
    *,
    video_path: str | os.PathLike[str],
    poster_path: str | os.PathLike[str],
    on_progress: Callable[[float], None] | None = None,
    threads: int = 0,
) -> RenderResult:
    """Render ``spec`` to an H.264/AAC MP4 at ``video_path`` and a JPEG poster at ``poster_path``.

    ``threads`` is the encoder's thread count (0 = all cores). Exceptions raised by
    ``on_progress`` (e.g. a cancellation) propagate unchanged; encoding failures become
    RenderError.
    """
    started = time.perf_counter()
    portrait = validate(spec)
    if not isinstance(threads, int) or threads < 0:
        raise RenderError("The thread count must be 0 (automatic) or more.")
    width, height = SIZES[spec.aspect]
    scene = describe_scene(spec.prompt, spec.seed)
    scene["portrait"] = portrait is not None
    scene["understood"] = understood(spec.prompt)  # shown on the draft: "drew … can't draw …"
    animator = Animator(
        scene,
        width=width,
        height=height,
        fps=spec.fps,
        seconds=spec.seconds,
        seed=spec.seed,
        handle=spec.creator_handle,
        portrait=portrait,
    )
    audio = synthesize(scene, spec.seed, spec.seconds, AUDIO_RATE)
    frame_count = spec.seconds * spec.fps
    poster_index = frame_count // 3
    every = math.ceil(frame_count / PROGRESS_UPDATES)
    audio_every = max(1, spec.fps // 2)  # hand the AAC encoder half a second at a time
    try:
        output = open_output(video_path, width=width, height=height, fps=spec.fps, threads=threads)
    except (av.FFmpegError, OSError) as exc:
        raise RenderError(f"Could not write the video file: {exc}") from exc
    finished = False
    try:
        for index in range(frame_count):
            frame, planes = output.new_frame(index)
            animator.render(index, planes)
            if index == poster_index:
                rgb = yuv_to_rgb(planes.y, planes.u, planes.v)
                Image.fromarray(rgb).save(poster_path, format="JPEG", quality=88, optimize=True)
            output.encode_video(frame)
            # Keep audio interleaved with video so a player can start before the file ends.
            if (index + 1) % audio_every == 0:
                output.encode_audio(audio, (index + 1) * AUDIO_RATE // spec.fps)
            if on_progress is not None and (index + 1) % every == 0 and index + 1 < frame_count:
                on_progress(round(0.98 * (index + 1) / frame_count, 4))
        output.encode_audio(audio, audio.shape[1])
        output.finish()
        finished = True
    except (av.FFmpegError, OSError) as exc:
        raise RenderError(f"Encoding the clip failed: {exc}") from exc
    finally:
        if not finished:
            # Already failing: the first error is the one to report.
            with contextlib.suppress(Exception):
                output.container.close()
    if on_progress is not None:
        on_progress(1.0)
    return RenderResult(
        width=width,
        height=height,
        fps=spec.fps,
        duration=float(spec.seconds),
        frame_count=frame_count,
        render_seconds=round(time.perf_counter() - started, 4),
        scene=scene,
    )
