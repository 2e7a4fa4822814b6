"""Published clips: what the feed shows."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class VideoStatus(models.TextChoices):
    VISIBLE = "visible", "Visible"
    HIDDEN = "hidden", "Hidden by a moderator"
    REMOVED = "removed", "Removed"


def video_upload_path(video: Video, filename: str) -> str:
    return f"videos/{video.creator_id}/{video.public_token}/{filename}"


class Video(models.Model):
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="videos"
    )
    job = models.OneToOneField(
        "generation.GenerationJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="video",
    )
    # A random path component: published files are public, but not enumerable.
    public_token = models.CharField(max_length=32, unique=True)
    prompt = models.TextField()
    caption = models.CharField(max_length=300, blank=True)
    seed = models.BigIntegerField()
    aspect = models.CharField(max_length=5, default="9:16")
    file = models.FileField(upload_to=video_upload_path, max_length=255)
    poster = models.FileField(upload_to=video_upload_path, max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    duration = models.FloatField()
    status = models.CharField(
        max_length=10, choices=VideoStatus.choices, default=VideoStatus.VISIBLE
    )
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="feed_video_newest"),
            models.Index(fields=["creator", "-published_at"], name="feed_video_by_creator"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} by {self.creator_id}: {self.prompt[:40]!r}"
