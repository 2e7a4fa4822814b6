"""Writes for the feed: publishing a finished draft as a public clip."""

from __future__ import annotations

import secrets

from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from config.errors import Conflict
from config.storage import private_storage, public_storage
from feed.models import Video, video_upload_path
from generation.models import GenerationJob, JobStatus


def _copy(source: Storage, name: str, target: Storage, target_name: str) -> str:
    with source.open(name, "rb") as handle:
        return target.save(target_name, handle)


def video_publish(*, job: GenerationJob, user: User, caption: str = "") -> tuple[Video, bool]:
    """Publish a succeeded draft; publishing twice returns the same clip. (video, created)"""
    existing = Video.objects.filter(job=job).first()
    if existing is not None:
        return existing, False
    if job.status != JobStatus.SUCCEEDED or not job.video_file:
        raise Conflict("Only a finished draft can be published.", code="not_publishable")
    video = Video(
        creator=user,
        job=job,
        public_token=secrets.token_hex(12),
        prompt=job.prompt,
        caption=caption.strip()[:300],
        seed=job.seed,
        aspect=job.aspect,
        width=job.width or 0,
        height=job.height or 0,
        duration=job.duration or float(job.seconds),
        published_at=timezone.now(),
    )
    # Drafts are private files; the published clip gets its own copy under a public path.
    video.file.name = _copy(
        private_storage(),
        job.video_file.name,
        public_storage(),
        video_upload_path(video, "clip.mp4"),
    )
    video.poster.name = _copy(
        private_storage(),
        job.poster_file.name,
        public_storage(),
        video_upload_path(video, "poster.jpg"),
    )
    try:
        with transaction.atomic():
            video.save()
    except IntegrityError:
        # A concurrent publish of the same draft won; drop our copies, answer with its clip.
        public_storage().delete(video.file.name)
        public_storage().delete(video.poster.name)
        return Video.objects.get(job=job), False
    return video, True
