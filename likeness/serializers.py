from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from accounts.serializers import StrictSerializer
from likeness.models import Cameo, CameoKind, CameoPermissionLevel, CameoUsage, VerificationAttempt
from likeness.selectors import verification_retry_at


class CameoSerializer(serializers.ModelSerializer):
    approved = serializers.SerializerMethodField()

    class Meta:
        model = Cameo
        fields = [
            "id", "kind", "handle", "name", "status", "permission", "preferences",
            "revenue_share_opt_in", "approved", "created_at", "approved_at", "revoked_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_approved(self, cameo: Cameo) -> list[str]:
        return [f"@{a.user.username}" for a in cameo.approvals.select_related("user")]


class CameoCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=CameoKind.choices, default=CameoKind.PERSON)
    handle = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class CameoSettingsSerializer(StrictSerializer):
    permission = serializers.ChoiceField(choices=CameoPermissionLevel.choices, required=False)
    preferences = serializers.CharField(max_length=300, required=False, allow_blank=True)
    approved = serializers.ListField(child=serializers.CharField(), required=False)
    revenue_share_opt_in = serializers.BooleanField(required=False)


class RevokeSerializer(StrictSerializer):
    take_down_published = serializers.BooleanField(default=False)


class AttemptSerializer(serializers.ModelSerializer):
    challenge_text = serializers.SerializerMethodField()
    retry_in = serializers.SerializerMethodField(
        help_text="Seconds until a new recording may start (0: now); null when it can't."
    )

    class Meta:
        model = VerificationAttempt
        fields = ["id", "status", "challenge", "challenge_text", "checks", "checks_passed",
                  "verdict", "retry_in", "created_at", "uploaded_at", "checked_at",
                  "review_note"]  # fmt: skip
        read_only_fields = fields

    def get_retry_in(self, attempt: VerificationAttempt) -> int | None:
        cameo = attempt.cameo
        latest = cameo.attempts.order_by("-created_at").first()
        if latest is None or latest.pk != attempt.pk:
            return None
        ready_at = verification_retry_at(cameo=cameo, latest=latest)
        if ready_at is None:
            return None
        return max(0, int((ready_at - timezone.now()).total_seconds() + 0.999))

    def get_challenge_text(self, attempt: VerificationAttempt) -> str:
        from likeness.verification import Challenge, challenge_text

        return challenge_text(
            Challenge(
                numbers=tuple(attempt.challenge["numbers"]), turns=tuple(attempt.challenge["turns"])
            )  # fmt: skip
        )


class ClipUploadSerializer(StrictSerializer):
    clip = serializers.FileField()


class UsageSerializer(serializers.ModelSerializer):
    requester = serializers.CharField(source="requester.username")
    job = serializers.UUIDField(source="job_id", allow_null=True)
    status = serializers.SerializerMethodField()
    video_url = serializers.SerializerMethodField()

    class Meta:
        model = CameoUsage
        fields = ["id", "requester", "job", "prompt", "status", "video_url", "created_at"]
        read_only_fields = fields

    def get_status(self, usage: CameoUsage) -> str:
        if usage.job is None:
            return "deleted"
        video = getattr(usage.job, "video", None)
        return "published" if video is not None else f"draft ({usage.job.status})"

    def get_video_url(self, usage: CameoUsage) -> str | None:
        from django.urls import reverse

        if usage.job is None or not usage.job.video_file:
            return None
        return reverse("generation:draft-media", args=[usage.job_id, "clip.mp4"])
