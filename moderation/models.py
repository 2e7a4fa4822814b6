"""Flagged outputs: clips the detector stopped before they became drafts, held for a moderator
with the frames it saw, and the moderator's decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.storage import private_storage


class FlagStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a moderator")
    RELEASED = "released", _("Released to its creator")
    CONFIRMED = "confirmed", _("Confirmed: stays blocked")


class FlaggedOutput(models.Model):
    """One per job. Its files live in private storage under flagged/, never on the job (whose
    files the creator may fetch), until a moderator releases it."""

    job = models.OneToOneField(
        "generation.GenerationJob", on_delete=models.CASCADE, related_name="flagged_output"
    )
    status = models.CharField(
        max_length=10, choices=FlagStatus.choices, default=FlagStatus.PENDING, db_index=True
    )
    # The strongest blocking detection, e.g. FEMALE_BREAST_EXPOSED at 0.83 in the frame at 4 s.
    top_label = models.CharField(max_length=40)
    top_score = models.FloatField()
    top_at_seconds = models.FloatField()
    frames_sampled = models.PositiveSmallIntegerField()
    video_file = models.FileField(storage=private_storage, max_length=255, blank=True)
    poster_file = models.FileField(storage=private_storage, max_length=255, blank=True)
    # What the job gets on release (size, duration, render time, scene, backend).
    clip_info = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("flagged output")
        verbose_name_plural = _("flagged outputs")

    def __str__(self) -> str:
        return f"{self.job_id}: {self.top_label} {self.top_score:.2f} ({self.status})"


class FlaggedFrame(models.Model):
    """A sampled frame (long side 320 px, as the detector saw it) and what it found there."""

    flagged = models.ForeignKey(FlaggedOutput, on_delete=models.CASCADE, related_name="frames")
    index = models.PositiveIntegerField()
    at_seconds = models.FloatField()
    image = models.FileField(storage=private_storage, max_length=255)
    detections = models.JSONField(default=list)
    blocking = models.BooleanField(default=False)

    class Meta:
        ordering = ["flagged", "at_seconds"]
        constraints = [
            models.UniqueConstraint(fields=["flagged", "index"], name="flagged_frame_once")
        ]

    def __str__(self) -> str:
        return f"frame at {self.at_seconds:.2f} s of {self.flagged_id}"
