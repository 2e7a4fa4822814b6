"""Render one clip with the local renderer to a file and say how long it took."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from generation.renderer import SIZES, RenderError, RenderSpec, render_clip


class Command(BaseCommand):
    help = "Render one clip with the local renderer, e.g. render_clip 'a cat in the snow' out.mp4"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("prompt")
        parser.add_argument("output", help="path of the MP4 to write; the poster goes beside it")
        parser.add_argument("--seconds", type=int, default=5)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--aspect", default="9:16", choices=sorted(SIZES))
        parser.add_argument("--fps", type=int, default=30, choices=[24, 30])
        parser.add_argument("--handle", default="reverie")
        parser.add_argument("--threads", type=int, default=0, help="x264 threads (0: all cores)")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        poster = output.with_suffix(".jpg")
        spec = RenderSpec(
            prompt=options["prompt"],
            seconds=options["seconds"],
            seed=options["seed"],
            aspect=options["aspect"],
            fps=options["fps"],
            creator_handle=options["handle"],
        )
        try:
            result = render_clip(
                spec, video_path=output, poster_path=poster, threads=options["threads"]
            )
        except RenderError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{output} ({output.stat().st_size / 1e6:.2f} MB, {result.width}x{result.height}, "
            f"{result.duration:.2f} s at {result.fps} fps) and {poster}\n"
            f"rendered in {result.render_seconds:.2f} s "
            f"({spec.seconds / result.render_seconds:.1f}x real time)"
        )
