"""The built-in local renderer as a backend: no GPU, no network, no key, nearly free."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from generation.backends.base import (
    Backend,
    Capabilities,
    GenerationSpec,
    PermanentError,
    PriceRow,
    ProviderJob,
    ProviderStatus,
)
from generation.renderer.spec import MAX_PROMPT_CHARS

LOCAL_RENDERER_MODEL = "reverie-local-renderer-1"


class LocalRendererBackend(Backend):
    name = "local"
    label = "Reverie local renderer"
    capabilities = Capabilities(
        min_seconds=1,
        max_seconds=10,
        aspects={"9:16": "720x1280", "1:1": "720x720", "16:9": "1280x720"},
        resolutions=("720p",),
        audio=True,
        image_reference=True,  # a cameo's portrait is composited into the scene
        max_prompt_chars=MAX_PROMPT_CHARS,  # the renderer refuses longer
    )
    # The CPU it burns: about 0.25 core-seconds per clip-second at ~$0.04 per core-hour, rounded up.
    default_prices = (
        PriceRow("standard", "720p", Decimal("0.002"), date(2026, 11, 23), "CPU time"),
        PriceRow("pro", "720p", Decimal("0.002"), date(2026, 11, 23), "CPU time"),
    )
    default_quality = 10
    default_seconds_per_clip_second = 0.3
    queue = "render"
    in_process = True

    def model_for(self, spec: GenerationSpec) -> str:
        return LOCAL_RENDERER_MODEL

    def submit(
        self,
        spec: GenerationSpec,
        *,
        webhook_url: str | None = None,
        workdir: Path | None = None,
        on_progress: Callable[[float], None] | None = None,
    ) -> ProviderJob:
        from generation.renderer import RenderError, RenderSpec, render_clip

        if workdir is None:
            raise PermanentError("The local renderer needs a working directory.")
        video_path, poster_path = workdir / "local.mp4", workdir / "local.jpg"
        try:
            result = render_clip(
                RenderSpec(
                    prompt=spec.prompt,
                    seconds=spec.seconds,
                    seed=spec.seed,
                    aspect=spec.aspect,
                    fps=spec.fps,
                    creator_handle=spec.creator_handle,
                    portrait=spec.portrait,
                ),
                video_path=video_path,
                poster_path=poster_path,
                on_progress=on_progress,
                threads=settings.RENDER_THREADS,
            )
        except RenderError as exc:
            raise PermanentError(str(exc)) from exc
        return ProviderJob(
            provider_job_id=f"local-{uuid.uuid4().hex[:12]}",
            status=ProviderStatus.SUCCEEDED,
            progress=1.0,
            output_path=video_path,
            poster_path=poster_path,
            model=LOCAL_RENDERER_MODEL,
            seconds=spec.seconds,
            extra={"scene": result.scene, "render_seconds": result.render_seconds,
                   "finished": True},
        )  # fmt: skip

    def poll(self, provider_job_id: str) -> ProviderJob:
        # Local jobs finish inside submit; a poll only happens after a lost worker.
        raise PermanentError("A local render that was interrupted cannot be resumed.")
