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
from feed.models import Video
from feed.services import video_publish
from generation import services
from generation.models import JobStatus

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


class Command(BaseCommand):
    help = "Create demo users and a dozen clips (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
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
            with transaction.atomic():
                job, created = services.job_create(
                    owner=users[handle],
                    request=services.JobRequest(prompt=prompt, seconds=seconds, seed=1000 + index),
                    idempotency_key=key,
                )
            if job.status == JobStatus.QUEUED:
                # Render here rather than wait for a worker: the demo is ready when the app starts.
                services.job_run(job_id=job.pk)
                job.refresh_from_db()
            if job.status == JobStatus.SUCCEEDED and not Video.objects.filter(job=job).exists():
                video_publish(job=job, user=users[handle])
                made += 1
        if made:
            self.stdout.write(f"demo: published {made} clips in {time.monotonic() - started:.1f} s")
