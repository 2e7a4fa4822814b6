from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.serializers import StrictSerializer
from generation.choices import DEFAULT_FPS, DEFAULT_TIER, FPS_CHOICES, TIERS, Aspect
from generation.models import GenerationAttempt, GenerationJob


class JobCreateSerializer(StrictSerializer):
    prompt = serializers.CharField(max_length=settings.GENERATION_MAX_PROMPT_CHARS)
    seconds = serializers.IntegerField(min_value=1, max_value=settings.GENERATION_MAX_SECONDS)
    aspect = serializers.ChoiceField(choices=Aspect.choices, default=Aspect.PORTRAIT)
    fps = serializers.ChoiceField(choices=FPS_CHOICES, default=DEFAULT_FPS)
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    remix_of = serializers.IntegerField(required=False, allow_null=True)
    tier = serializers.ChoiceField(choices=TIERS, default=DEFAULT_TIER)
    policy = serializers.CharField(
        max_length=60,
        required=False,
        default="",
        help_text="cheapest | fastest | best | pinned:<backend>; the server's default if empty.",
    )


class QuoteRequestSerializer(StrictSerializer):
    """A clip's shape, to price before submitting (the prompt only matters for its length)."""

    seconds = serializers.IntegerField(min_value=1, max_value=settings.GENERATION_MAX_SECONDS)
    aspect = serializers.ChoiceField(choices=Aspect.choices, default=Aspect.PORTRAIT)
    tier = serializers.ChoiceField(choices=TIERS, default=DEFAULT_TIER)
    fps = serializers.ChoiceField(choices=FPS_CHOICES, default=DEFAULT_FPS)
    policy = serializers.CharField(max_length=60, required=False, default="")
    prompt = serializers.CharField(
        max_length=settings.GENERATION_MAX_PROMPT_CHARS, required=False, default="-"
    )


class BackendQuoteSerializer(serializers.Serializer):
    backend = serializers.CharField()
    label = serializers.CharField()
    credits = serializers.IntegerField()
    billed_seconds = serializers.IntegerField()
    usd_per_second = serializers.FloatField()
    expected_seconds = serializers.FloatField(help_text="From the backend's recent p50.")
    quality = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True)


class UnderstoodSerializer(serializers.Serializer):
    drew = serializers.ListField(child=serializers.CharField())
    cant_draw = serializers.ListField(child=serializers.CharField())


class RouteQuoteSerializer(serializers.Serializer):
    policy = serializers.CharField()
    chosen = BackendQuoteSerializer(allow_null=True)
    candidates = BackendQuoteSerializer(many=True)
    refusals = serializers.DictField(child=serializers.CharField())
    balance = serializers.IntegerField(allow_null=True)
    balance_after = serializers.IntegerField(allow_null=True)
    affordable = serializers.BooleanField(allow_null=True)
    understood = UnderstoodSerializer(
        allow_null=True, help_text="What the local renderer draws of the prompt, and can't."
    )


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = GenerationAttempt
        fields = ["number", "backend", "model", "outcome", "error", "provider_seconds",
                  "started_at", "finished_at"]  # fmt: skip
        read_only_fields = fields


class JobPublishSerializer(StrictSerializer):
    caption = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class JobSerializer(serializers.ModelSerializer):
    video_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    published_video_id = serializers.SerializerMethodField()
    understood = serializers.SerializerMethodField()

    class Meta:
        model = GenerationJob
        fields = [
            "id",
            "status",
            "progress",
            "error",
            "prompt",
            "seconds",
            "aspect",
            "fps",
            "seed",
            "backend",
            "routing_policy",
            "route",
            "tier",
            "quote_credits",
            "charged_credits",
            "remix_of_id",
            "width",
            "height",
            "duration",
            "file_size",
            "render_seconds",
            "video_url",
            "poster_url",
            "published_video_id",
            "understood",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_video_url(self, job: GenerationJob) -> str | None:
        if not job.video_file:
            return None
        return reverse("generation:draft-media", args=[job.id, "clip.mp4"])

    def get_poster_url(self, job: GenerationJob) -> str | None:
        if not job.poster_file:
            return None
        return reverse("generation:draft-media", args=[job.id, "poster.jpg"])

    @extend_schema_field(UnderstoodSerializer(allow_null=True))
    def get_understood(self, job: GenerationJob) -> dict[str, list[str]] | None:
        """The local renderer's "drew … can't draw …" (None for other backends' clips)."""
        value = (job.scene or {}).get("understood")
        return value if isinstance(value, dict) else None

    def get_published_video_id(self, job: GenerationJob) -> int | None:
        video = getattr(job, "video", None)
        return video.pk if video is not None else None


class ProvenanceUploadSerializer(StrictSerializer):
    file = serializers.FileField()


class ProvenanceCheckSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["valid", "tampered", "unsigned", "not_reverie"])
    message = serializers.CharField()
    creator_handle = serializers.CharField(allow_null=True)
    backend = serializers.CharField(allow_null=True)
    model = serializers.CharField(allow_null=True)
    cameos = serializers.ListField(child=serializers.CharField())
    signed_at = serializers.DateTimeField(allow_null=True)
    issuer = serializers.CharField(allow_null=True)
    errors = serializers.ListField(child=serializers.CharField())
