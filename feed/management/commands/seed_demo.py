"""Seed a demo: a few users and a dozen published clips rendered by the local renderer.

Runs the real pipeline (job_create → job_run → video_publish) in-process, so the demo clips are
exactly what users get. A second run finds the demo in place and does nothing.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.services import user_create
from credits.models import CreditPack
from feed.models import Video
from feed.services import video_publish
from generation import services
from generation.models import GenerationJob, JobStatus

DEMO_PASSWORD = "reverie-demo"
DEMO_CLIPS = [
    ("demo_ava", "a neon city at night in the rain, camera drifting", 6),
    ("demo_leo", "golden sunset over the ocean with a small boat, gentle waves", 5),
    ("demo_mia", "a cat bouncing in the snow in a pastel forest", 5),
    ("demo_ava", "fireflies over a dark forest at dusk, calm and dreamy", 6),
    ("demo_leo", "hot air balloons flying over mountains at dawn", 5),
    ("demo_mia", "a dog running on the beach on a sunny day, happy", 4),
    ("demo_ava", "planets and stars spinning in deep space, epic", 6),
    ("demo_leo", "a red car driving through the desert, zoom in", 4),
    ("demo_mia", "confetti party in a pastel city, energetic", 4),
    ("demo_ava", "fish swimming with bubbles in a blue ocean", 5),
    ("demo_leo", "autumn leaves falling in a golden forest", 5),
    ("demo_mia", "a lonely moon over a foggy sea at night, sad and slow", 6),
]


def _wait_final(job: GenerationJob, timeout: float = 120) -> None:
    """`dev.py run` seeds while its worker runs: a job the worker claimed first is the worker's
    to finish; wait for it rather than leave it unpublished."""
    deadline = time.monotonic() + timeout
    while job.status in {JobStatus.QUEUED, JobStatus.RUNNING} and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()


class Command(BaseCommand):
    help = "Create demo users and a dozen clips (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for credits, cents, name in [(500, 500, "Starter"), (2200, 2000, "Creator")]:
            CreditPack.objects.get_or_create(
                name=name, defaults={"credits": credits, "price_cents": cents}
            )
        users: dict[str, User] = {}
        for handle in sorted({handle for handle, _, _ in DEMO_CLIPS}):
            user = User.objects.filter(username=handle).first()
            if user is None:
                user = user_create(
                    handle=handle, password=DEMO_PASSWORD, display_name=handle[5:].title()
                )
            users[handle] = user
        started = time.monotonic()
        made = 0
        for index, (handle, prompt, seconds) in enumerate(DEMO_CLIPS):
            key = f"demo-{index}"
            # A demo made by an older version stays as it is (its request fingerprint may differ).
            job = GenerationJob.objects.filter(owner=users[handle], idempotency_key=key).first()
            if job is None:
                with transaction.atomic():
                    job, _ = services.job_create(
                        owner=users[handle],
                        request=services.JobRequest(
                            prompt=prompt, seconds=seconds, seed=1000 + index
                        ),
                        idempotency_key=key,
                    )
            if job.status == JobStatus.QUEUED:
                # Render here rather than wait for a worker: the demo is ready when the app starts.
                services.job_run(job_id=job.pk)
                job.refresh_from_db()
            _wait_final(job)
            if job.status == JobStatus.SUCCEEDED and not Video.objects.filter(job=job).exists():
                video_publish(job=job, user=users[handle])
                made += 1
        if made:
            self.stdout.write(f"demo: published {made} clips in {time.monotonic() - started:.1f} s")
            self._socialise(users)

    def _socialise(self, users: dict[str, User]) -> None:
        """Follows, likes, a few comments and one remix, so the first look is a lively feed."""
        from accounts.services import follow_set
        from feed.services import comment_create, like_set, scores_refresh

        ava, leo, mia = users["demo_ava"], users["demo_leo"], users["demo_mia"]
        for follower, followee in [(ava, leo), (leo, mia), (mia, ava), (leo, ava)]:
            follow_set(follower=follower, followee=followee, following=True)
        videos = list(Video.objects.filter(creator__in=users.values()).order_by("pk"))
        for index, video in enumerate(videos):
            for liker in list(users.values())[: 1 + index % 3]:
                if liker.pk != video.creator_id:
                    like_set(user=liker, video=video, liked=True)
        if videos and not videos[0].comments.exists():
            first = comment_create(author=leo, video=videos[0], body="The rain on the neon! 🔥")
            comment_create(author=ava, video=videos[0], body="@demo_leo thank you!", parent=first)
            comment_create(author=mia, video=videos[1], body="I want to sail there.")
        source = videos[0] if videos else None
        if source is not None and not Video.objects.filter(remix_of=source).exists():
            with transaction.atomic():
                job, _ = services.job_create(
                    owner=mia,
                    request=services.JobRequest(
                        prompt="a neon city at night in the snow, camera drifting",
                        seconds=6,
                        seed=source.seed,
                        remix_of=source.pk,
                    ),
                    idempotency_key="demo-remix",
                )
            services.job_run(job_id=job.pk)
            job.refresh_from_db()
            _wait_final(job)
            if job.status == JobStatus.SUCCEEDED:
                video_publish(job=job, user=mia, caption="same city, but snow")
        scores_refresh()
