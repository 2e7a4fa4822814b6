from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from accounts.serializers import UserPublicSerializer
from feed.models import Video


class VideoSerializer(serializers.ModelSerializer):
    creator = UserPublicSerializer(read_only=True)
    video_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    ai_generated = serializers.SerializerMethodField()

    class Meta:
        model = Video
        fields = [
            "id",
            "creator",
            "prompt",
            "caption",
            "seed",
            "aspect",
            "width",
            "height",
            "duration",
            "video_url",
            "poster_url",
            "page_url",
            "ai_generated",
            "published_at",
        ]
        read_only_fields = fields

    def get_video_url(self, video: Video) -> str:
        return video.file.url

    def get_poster_url(self, video: Video) -> str:
        return video.poster.url

    def get_page_url(self, video: Video) -> str:
        return reverse("feed:video", args=[video.pk])

    def get_ai_generated(self, video: Video) -> bool:
        return True


class FeedPageSerializer(serializers.Serializer):
    results = VideoSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
