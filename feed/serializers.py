from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from accounts.serializers import StrictSerializer, UserPublicSerializer
from feed.models import COMMENT_MAX_CHARS, Comment, ReportReason, Video


class RemixSourceSerializer(serializers.ModelSerializer):
    creator = serializers.CharField(source="creator.username")
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Video
        fields = ["id", "creator", "page_url"]

    def get_page_url(self, video: Video) -> str:
        return reverse("feed:video", args=[video.pk])


class VideoSerializer(serializers.ModelSerializer):
    creator = UserPublicSerializer(read_only=True)
    video_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    remix_url = serializers.SerializerMethodField()
    ai_generated = serializers.SerializerMethodField()
    liked = serializers.SerializerMethodField()
    remix_of = RemixSourceSerializer(read_only=True, allow_null=True)
    remix_of_deleted = serializers.SerializerMethodField()
    hashtags = serializers.SerializerMethodField(
        help_text="The clip's #tags (normal form), each with a page at /tags/<tag>/."
    )

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
            "remix_url",
            "ai_generated",
            "like_count",
            "comment_count",
            "remix_count",
            "view_count",
            "liked",
            "remix_of",
            "remix_depth",
            "remix_of_deleted",
            "published_at",
            "hashtags",
        ]
        read_only_fields = fields

    def get_video_url(self, video: Video) -> str:
        return video.file.url

    def get_poster_url(self, video: Video) -> str:
        return video.poster.url

    def get_page_url(self, video: Video) -> str:
        return reverse("feed:video", args=[video.pk])

    def get_remix_url(self, video: Video) -> str:
        return f"{reverse('generation:create')}?remix_of={video.pk}"

    def get_remix_of_deleted(self, video: Video) -> bool:
        """A remix whose original was deleted keeps its depth but loses the link."""
        return video.remix_depth > 0 and video.remix_of_id is None

    def get_ai_generated(self, video: Video) -> bool:
        return True

    def get_liked(self, video: Video) -> bool:
        return video.pk in self.context.get("liked_ids", ())

    def get_hashtags(self, video: Video) -> list[str]:
        # Stored with the keywords at publish ("#tag"): no query per clip.
        return [word[1:] for word in video.keywords or () if word.startswith("#")]


class FeedPageSerializer(serializers.Serializer):
    results = VideoSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class ForYouPageSerializer(FeedPageSerializer):
    caught_up_at = serializers.IntegerField(
        allow_null=True,
        help_text="Index in `results` where clips the viewer was already shown begin "
        '(after "you\'re all caught up"); null while unseen clips fill the page.',
    )


class ReplySerializer(serializers.ModelSerializer):
    author = UserPublicSerializer(read_only=True)
    body = serializers.SerializerMethodField()
    deleted = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "deleted", "parent_id", "created_at", "edited_at"]
        read_only_fields = fields

    def get_body(self, comment: Comment) -> str:
        return "" if comment.deleted_at else comment.body

    def get_deleted(self, comment: Comment) -> bool:
        return comment.deleted_at is not None


class CommentSerializer(ReplySerializer):
    replies = ReplySerializer(many=True, read_only=True)

    class Meta(ReplySerializer.Meta):
        fields = [*ReplySerializer.Meta.fields, "replies"]
        read_only_fields = fields


class CommentCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=COMMENT_MAX_CHARS)
    parent = serializers.IntegerField(required=False, allow_null=True)


class CommentEditSerializer(StrictSerializer):
    body = serializers.CharField(max_length=COMMENT_MAX_CHARS)


class ViewCreateSerializer(StrictSerializer):
    watch_ms = serializers.IntegerField(min_value=0, max_value=3_600_000)
    completed = serializers.BooleanField(default=False)


class ReportCreateSerializer(StrictSerializer):
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    details = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class LikeStateSerializer(serializers.Serializer):
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


def videos_data(videos: list[Video], *, liked_ids: set[int] | None = None) -> list[dict[str, Any]]:
    return VideoSerializer(videos, many=True, context={"liked_ids": liked_ids or set()}).data


class HashtagSerializer(serializers.Serializer):
    name = serializers.CharField()
    clips = serializers.IntegerField(source="clip_count")
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    def get_url(self, tag: Any) -> str:
        return reverse("feed:tag", args=[tag.name])

    def get_api_url(self, tag: Any) -> str:
        return reverse("api-tag", args=[tag.name])


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    people = UserPublicSerializer(many=True)
    clips = VideoSerializer(many=True)
    hashtags = HashtagSerializer(many=True)


class TagPageSerializer(FeedPageSerializer):
    tag = HashtagSerializer()


class TrendingHashtagSerializer(HashtagSerializer):
    velocity = serializers.FloatField(help_text="Decayed engagement of the last 48 hours.")


class TrendingSerializer(serializers.Serializer):
    clips = VideoSerializer(many=True)
    hashtags = TrendingHashtagSerializer(many=True)
