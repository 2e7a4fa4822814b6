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


HASHTAG_MAX_CHARS = 50


class Hashtag(models.Model):
    """A #tag, stored once in its normal form (NFC, casefolded: "#Été" and "#été" are one tag);
    filled from captions and prompts at publish (`feed.hashtags`)."""

    name = models.CharField(max_length=HASHTAG_MAX_CHARS, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"#{self.name}"


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

    # Remix chain: the clip this one remixes, the chain's first clip and how deep this one is.
    remix_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="remixes"
    )
    remix_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    remix_depth = models.PositiveSmallIntegerField(default=0)

    # Counters kept by the services in the same transaction as the row they count, so a feed
    # page needs no aggregate queries.
    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    remix_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    completed_view_count = models.PositiveIntegerField(default=0)
    watch_ms_total = models.BigIntegerField(default=0)

    # For You ranking (feed/ranking.py): `score` is comparable across time (freshness is folded in
    # as published_at / half-life), so only clips with new activity need re-scoring.
    score = models.FloatField(default=0.0)
    score_parts = models.JSONField(default=dict, blank=True)
    activity_at = models.DateTimeField(null=True, blank=True, db_index=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    hashtags = models.ManyToManyField(Hashtag, blank=True, related_name="videos")

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="feed_video_newest"),
            models.Index(fields=["creator", "-published_at"], name="feed_video_by_creator"),
            models.Index(fields=["status", "-score", "-id"], name="feed_video_score"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} by {self.creator_id}: {self.prompt[:40]!r}"


class Like(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "video"], name="like_once")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.video_id}"


COMMENT_MAX_CHARS = 1000


class Comment(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    # Replies are one level deep: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(max_length=COMMENT_MAX_CHARS)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["video", "parent", "created_at"], name="comment_thread")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.video_id}"


class View(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    watch_ms = models.PositiveIntegerField()
    completed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["video", "created_at"], name="view_recent")]

    def __str__(self) -> str:
        return f"view of {self.video_id}: {self.watch_ms} ms"


class ReportReason(models.TextChoices):
    SPAM = "spam", "Spam"
    HARASSMENT = "harassment", "Harassment or bullying"
    HATE = "hate", "Hate"
    SEXUAL = "sexual", "Sexual content"
    VIOLENCE = "violence", "Violence"
    MISINFORMATION = "misinformation", "Misinformation"
    LIKENESS = "likeness", "Uses my likeness without consent"
    COPYRIGHT = "copyright", "Copyright or trademark"
    OTHER = "other", "Something else"


class Report(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    details = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["video", "reporter"], name="report_once_per_clip")
        ]

    def __str__(self) -> str:
        return f"report of {self.video_id}: {self.reason}"


class LessLikeThis(models.Model):
    """A viewer's "show less like this" on a clip: down-weights its creator and keywords."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    keywords = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "video"], name="less_once")]
        indexes = [models.Index(fields=["user", "-created_at"], name="less_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} wants less like {self.video_id}"


class ModerationActionKind(models.TextChoices):
    HIDE_VIDEO = "hide_video", "Hide clip"
    REMOVE_VIDEO = "remove_video", "Remove clip"
    RESTORE_VIDEO = "restore_video", "Restore clip"
    DISMISS = "dismiss", "Dismiss reports"
    WARN_USER = "warn_user", "Warn user"
    BAN_USER = "ban_user", "Ban user"
    UNBAN_USER = "unban_user", "Lift ban"


class ModerationAction(models.Model):
    """The audit trail: who did what to which clip or person, when and why. Never edited."""

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=ModerationActionKind.choices)
    video = models.ForeignKey(Video, null=True, blank=True, on_delete=models.SET_NULL)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="moderation_actions",
    )  # fmt: skip
    reason = models.CharField(max_length=500)
    reports_resolved = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.moderator_id} {self.action} ({self.created_at:%Y-%m-%d %H:%M})"


class ReportedVideo(Video):
    """The reports queue in the admin: clips with open reports, grouped."""

    class Meta:
        proxy = True
        verbose_name = "reported clip"
        verbose_name_plural = "reports queue"
