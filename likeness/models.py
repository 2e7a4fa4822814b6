"""Cameos: a verified likeness (or a character) that others may put in clips, on the owner's
terms; every use is recorded and told to the owner, drafts included."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy

from config.storage import private_storage


class CameoKind(models.TextChoices):
    PERSON = "person", gettext_lazy("Me (a person)")
    CHARACTER = "character", gettext_lazy("A character (pet, object, invented)")


class CameoStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Not verified yet")
    CHECKING = "checking", gettext_lazy("Checking the recording")
    PENDING_REVIEW = "pending_review", gettext_lazy("Waiting for a moderator")
    APPROVED = "approved", gettext_lazy("Verified")
    REJECTED = "rejected", gettext_lazy("Rejected")
    REVOKED = "revoked", gettext_lazy("Revoked by its owner")


class CameoPermissionLevel(models.TextChoices):
    ONLY_ME = "only_me", gettext_lazy("Only me")
    APPROVED = "approved", gettext_lazy("People I approve")
    MUTUALS = "mutuals", gettext_lazy("Mutual followers")
    EVERYONE = "everyone", gettext_lazy("Everyone")


def cameo_file_path(instance: models.Model, filename: str) -> str:
    cameo_id = getattr(instance, "cameo_id", None) or instance.pk
    return f"cameos/{cameo_id}/{filename}"


class Cameo(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cameos"
    )
    kind = models.CharField(max_length=10, choices=CameoKind.choices, default=CameoKind.PERSON)
    handle = models.CharField(max_length=30, help_text="Prompts mention it as @handle.")
    name = models.CharField(max_length=60, blank=True)
    status = models.CharField(
        max_length=20, choices=CameoStatus.choices, default=CameoStatus.DRAFT, db_index=True
    )
    permission = models.CharField(
        max_length=10, choices=CameoPermissionLevel.choices, default=CameoPermissionLevel.ONLY_ME
    )
    preferences = models.CharField(
        max_length=300, blank=True, help_text="Added to every prompt that uses this cameo."
    )
    revenue_share_opt_in = models.BooleanField(default=False)
    # The reference portrait extracted by verification: private, never at a public URL.
    portrait = models.FileField(
        storage=private_storage, upload_to=cameo_file_path, max_length=255, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("handle"), name="cameo_handle_ci_unique"),
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(kind="person"),
                name="one_person_cameo_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.handle} ({self.get_kind_display()}, {self.status})"


class VerificationStatus(models.TextChoices):
    CHALLENGED = "challenged", "Challenge shown"
    CHECKING = "checking", "Checking"
    PENDING_REVIEW = "pending_review", "Waiting for a moderator"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class CheckVerdict(models.TextChoices):
    PASS = "pass", "Passed"
    UNCERTAIN = "uncertain", "Uncertain"
    FAIL = "fail", "Failed"


class VerificationAttempt(models.Model):
    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="attempts")
    challenge = models.JSONField()
    clip = models.FileField(
        storage=private_storage, upload_to=cameo_file_path, max_length=255, blank=True
    )
    status = models.CharField(
        max_length=20, choices=VerificationStatus.choices, default=VerificationStatus.CHALLENGED
    )
    checks = models.JSONField(default=dict, blank=True)
    checks_passed = models.BooleanField(null=True, blank=True)
    # The automatic checks' overall verdict (pass / uncertain / fail; blank until checked), and
    # whether one failed badly enough that approving anyway needs a typed reason.
    verdict = models.CharField(
        max_length=10, choices=CheckVerdict.choices, blank=True, default="", db_index=True
    )
    checks_severe = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"verification {self.pk} of cameo {self.cameo_id} ({self.status})"


class CameoApproval(models.Model):
    """A person the owner approved, for the "people I approve" level."""

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cameo", "user"], name="cameo_approval_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} may use cameo {self.cameo_id}"


class CameoUsage(models.Model):
    """One clip (draft or published) that put a cameo in it."""

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="usages")
    job = models.ForeignKey(
        "generation.GenerationJob", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="cameo_usages",
    )  # fmt: skip
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    prompt = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_by_owner_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["cameo", "job"], name="cameo_usage_once_per_job")
        ]

    def __str__(self) -> str:
        return f"cameo {self.cameo_id} in job {self.job_id}"


class CameoRefusedAttempt(models.Model):
    """Someone's prompt mentioned a cameo its permission setting does not let them use. The
    owner is told, grouped: at most one notice per attempter per hour."""

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="refused_attempts")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    prompt = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    # This attempt's notice went out (and covered the unnotified attempts before it).
    notified = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["requester", "cameo", "-created_at"], name="cameo_refused_recent")
        ]

    def __str__(self) -> str:
        return f"{self.requester_id} refused @{self.cameo_id}"
