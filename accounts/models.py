"""The custom user: `username` is the public @handle."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from config.storage import private_storage

handle_validator = RegexValidator(
    regex=r"^[a-z0-9_.]{3,30}$",
    message="A handle is 3–30 characters: lowercase letters, digits, '_' and '.'.",
)


class ReverieUserManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # Handles are case-insensitive: "Alice" logs in as "alice".
        return self.get(username__iexact=username)


class User(AbstractUser):
    username = models.CharField(
        "handle",
        max_length=30,
        unique=True,
        validators=[handle_validator],
        help_text="3–30 characters: lowercase letters, digits, '_' and '.'.",
        error_messages={"unique": "That handle is taken."},
    )
    display_name = models.CharField(max_length=60, blank=True)
    bio = models.CharField(max_length=300, blank=True)
    # A ban also sets is_active = False, which disables log-in and hides their content.
    banned_at = models.DateTimeField(null=True, blank=True)
    warning_count = models.PositiveSmallIntegerField(default=0)
    # Re-encoded square JPEGs (256 and 64 px) in public media; the upload itself is never kept.
    avatar = models.CharField(max_length=255, blank=True)
    avatar_small = models.CharField(max_length=255, blank=True)
    # When the address in `email` was confirmed by a link sent to it (None: never).
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # Account deletion: asked at `deletion_requested_at` (logging in again cancels it); after
    # the grace period everything they made is erased and this row stays, anonymised, with
    # `deleted_at` set, so the credit ledger still balances.
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ReverieUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_handle_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"@{self.username}"

    @property
    def handle(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username


class Follow(models.Model):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_set")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_set")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_once"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followee")), name="follow_not_self"
            ),
        ]
        indexes = [models.Index(fields=["followee", "-created_at"], name="follow_followee_recent")]

    def __str__(self) -> str:
        return f"{self.follower_id} → {self.followee_id}"


class NotificationKind(models.TextChoices):
    LIKE = "like", "liked your clip"
    COMMENT = "comment", "commented on your clip"
    REPLY = "reply", "replied to your comment"
    MENTION = "mention", "mentioned you"
    FOLLOW = "follow", "followed you"
    REMIX = "remix", "remixed your clip"
    JOB = "job", "generation update"
    REPORT_OUTCOME = "report_outcome", "outcome of your report"
    MODERATION = "moderation", "moderation notice"
    CAMEO_USED = "cameo_used", "used your cameo"
    CAMEO = "cameo", "cameo update"
    ACCOUNT = "account", "account update"


class Notification(models.Model):
    """One event for one recipient; pages group them ("@a and 3 others liked your clip")."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    # Moderation notices carry their own text ("Your clip was hidden: spam").
    text = models.CharField(max_length=300, blank=True)
    video = models.ForeignKey("feed.Video", null=True, blank=True, on_delete=models.CASCADE)
    comment = models.ForeignKey("feed.Comment", null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.kind} → {self.recipient_id}"


class ApiToken(models.Model):
    """An API token: only its SHA-256 digest is stored; the secret is shown once, at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60, blank=True)
    # The first characters of the secret, to recognise a token in the list ("rvr_Ab3x…").
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user_recent")]

    def __str__(self) -> str:
        return f"{self.prefix}… of {self.user_id}"


class EmailKind(models.TextChoices):
    PASSWORD_RESET = "password_reset", _("Password reset")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    EMAIL_CONFIRM = "email_confirm", _("Confirm an e-mail address")
    EMAIL_CHANGED = "email_changed", _("E-mail address changed")
    DELETION_SCHEDULED = "deletion_scheduled", _("Account deletion scheduled")
    EXPORT_READY = "export_ready", _("Data export ready")


class OutgoingEmail(models.Model):
    """The outbox: one message to send, written with the change that caused it and sent by a
    task after commit. Links with secrets (reset tokens) are made in the worker, never stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="outgoing_emails")
    to_address = models.EmailField()
    kind = models.CharField(max_length=30, choices=EmailKind.choices)
    context = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user_id} ({'sent' if self.sent_at else 'pending'})"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class DataExport(models.Model):
    """A ZIP of everything one person has in Reverie, built by a task; its link expires."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    file = models.FileField(storage=private_storage, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["pending", "building"]),
                name="one_export_in_progress",
            )
        ]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.user_id} ({self.status})"


class Block(models.Model):
    """`blocker` and `blocked` no longer see each other anywhere, and neither may use the other's
    cameo or remix the other's clips (`accounts.selectors.blocked_between`)."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"], name="block_reverse")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Mute(models.Model):
    """`muted`'s clips leave `muter`'s feeds; nothing else changes."""

    muter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_made")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="mute_once"),
            models.CheckConstraint(
                condition=~models.Q(muter=models.F("muted")), name="mute_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.muter_id} mutes {self.muted_id}"
