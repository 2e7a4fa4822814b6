"""A backend that finishes at once, for measuring the job pipeline without any render time.

`submit` copies a pre-made finished clip (and its poster) into the attempt's working directory
and returns it as done, exactly as the local renderer would after rendering it — so everything
after it (C2PA signing, storage, the job's transition, the capture, the pushes) runs for real.
bench/dispatch.py renders that clip once with the local renderer and points
INSTANT_BACKEND_CLIP / INSTANT_BACKEND_POSTER at it; register the class with
GENERATION_BACKENDS=...,bench._instant_backend.InstantBackend (the repo root on sys.path).

With INSTANT_BACKEND_TRACE=<file> set and this module imported when the worker starts
(`celery worker --include bench._instant_backend`), every task a pool process runs appends one
line to that file: "<pid> <start> <end> <task name>" (epoch seconds), so the bench can tell time
spent inside tasks from Celery's own time between them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from generation.backends.base import (
    Backend,
    Capabilities,
    GenerationSpec,
    PermanentError,
    PriceRow,
    ProviderJob,
    ProviderStatus,
)

INSTANT_MODEL = "bench-instant-1"


def _trace_tasks(path: str) -> None:
    import time

    from celery.signals import task_postrun, task_prerun

    started: dict[str, float] = {}

    @task_prerun.connect(weak=False)
    def _prerun(task_id: str, **_: object) -> None:
        started[task_id] = time.time()

    @task_postrun.connect(weak=False)
    def _postrun(task_id: str, task: object, **_: object) -> None:
        begun = started.pop(task_id, None)
        if begun is not None:
            line = f"{os.getpid()} {begun:.6f} {time.time():.6f} {getattr(task, 'name', '?')}\n"
            with open(path, "a") as handle:
                handle.write(line)


if os.environ.get("INSTANT_BACKEND_TRACE"):
    _trace_tasks(os.environ["INSTANT_BACKEND_TRACE"])


class InstantBackend(Backend):
    name = "instant"
    label = "Instant (benchmark)"
    capabilities = Capabilities(
        min_seconds=1,
        max_seconds=10,
        aspects={"9:16": "720x1280", "1:1": "720x720", "16:9": "1280x720"},
        resolutions=("720p",),
        audio=True,
    )
    default_prices = (
        PriceRow("standard", "720p", Decimal("0.001"), date(2026, 1, 1), "benchmark"),
        PriceRow("pro", "720p", Decimal("0.001"), date(2026, 1, 1), "benchmark"),
    )
    default_quality = 1
    default_seconds_per_clip_second = 0.0
    queue = "render"
    in_process = True
    required_env = ("INSTANT_BACKEND_CLIP", "INSTANT_BACKEND_POSTER")

    def __init__(self) -> None:
        self.clip = Path(os.environ.get("INSTANT_BACKEND_CLIP", ""))
        self.poster = Path(os.environ.get("INSTANT_BACKEND_POSTER", ""))

    def model_for(self, spec: GenerationSpec) -> str:
        return INSTANT_MODEL

    def submit(
        self,
        spec: GenerationSpec,
        *,
        webhook_url: str | None = None,
        workdir: Path | None = None,
        on_progress: Callable[[float], None] | None = None,
    ) -> ProviderJob:
        if workdir is None:
            raise PermanentError("The instant backend needs a working directory.")
        video_path, poster_path = workdir / "instant.mp4", workdir / "instant.jpg"
        shutil.copyfile(self.clip, video_path)
        shutil.copyfile(self.poster, poster_path)
        return ProviderJob(
            provider_job_id=f"instant-{uuid.uuid4().hex[:12]}",
            status=ProviderStatus.SUCCEEDED,
            progress=1.0,
            output_path=video_path,
            poster_path=poster_path,
            model=INSTANT_MODEL,
            seconds=spec.seconds,
            extra={"finished": True, "scene": {}, "render_seconds": 0.0},
        )

    def poll(self, provider_job_id: str) -> ProviderJob:
        raise PermanentError("An instant job that was interrupted cannot be resumed.")
