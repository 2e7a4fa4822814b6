from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from accounts.models import User
from config.storage import public_storage


class StrictSerializer(serializers.Serializer):
    """Rejects fields it does not know, so a typo is a 400 instead of silently ignored."""

    def to_internal_value(self, data):  # type: ignore[no-untyped-def]
        if hasattr(data, "keys"):
            unknown = set(data.keys()) - set(self.fields.keys())
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in sorted(unknown)}
                )
        return super().to_internal_value(data)


def media_url(name: str) -> str | None:
    return public_storage().url(name) if name else None


class UserPublicSerializer(serializers.ModelSerializer):
    handle = serializers.CharField(source="username", read_only=True)
    avatar_url = serializers.SerializerMethodField()
    avatar_small_url = serializers.SerializerMethodField()
    profile_url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "handle", "display_name", "avatar_url", "avatar_small_url", "profile_url"]

    def get_avatar_url(self, user: User) -> str | None:
        return media_url(user.avatar)

    def get_avatar_small_url(self, user: User) -> str | None:
        return media_url(user.avatar_small)

    def get_profile_url(self, user: User) -> str:
        return reverse("accounts:profile", args=[user.username])


class ProfileSerializer(UserPublicSerializer):
    followers = serializers.IntegerField(read_only=True)
    following = serializers.IntegerField(read_only=True)
    clips = serializers.IntegerField(read_only=True)
    likes_received = serializers.IntegerField(read_only=True)
    is_following = serializers.SerializerMethodField()
    blocking = serializers.SerializerMethodField()
    muting = serializers.SerializerMethodField()

    class Meta(UserPublicSerializer.Meta):
        fields = [
            *UserPublicSerializer.Meta.fields,
            "bio",
            "followers",
            "following",
            "clips",
            "likes_received",
            "is_following",
            "blocking",
            "muting",
        ]

    def get_is_following(self, user: User) -> bool:
        return bool(self.context.get("is_following", False))

    def get_blocking(self, user: User) -> bool:
        return bool(self.context.get("blocking", False))

    def get_muting(self, user: User) -> bool:
        return bool(self.context.get("muting", False))


class ProfileUpdateSerializer(StrictSerializer):
    display_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    bio = serializers.CharField(max_length=300, required=False, allow_blank=True)


class AvatarUploadSerializer(StrictSerializer):
    avatar = serializers.FileField()


class TokenRequestSerializer(StrictSerializer):
    handle = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    expires_in_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=3650
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    id = serializers.IntegerField()
    expires_at = serializers.DateTimeField(allow_null=True)
    user = UserPublicSerializer()


class FollowStateSerializer(serializers.Serializer):
    following = serializers.BooleanField()


class NotificationGroupSerializer(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()
    latest_at = serializers.DateTimeField()
    unread = serializers.BooleanField()
    video_id = serializers.IntegerField(allow_null=True)
    video_poster = serializers.CharField(allow_null=True)
    comment_excerpt = serializers.CharField(allow_null=True)
    ids = serializers.ListField(child=serializers.IntegerField())


class NotificationsReadSerializer(StrictSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False
    )


def profile_data(user: User, *, is_following: bool) -> dict[str, Any]:
    """A profile as `accounts.selectors.profile_get` annotated it (`blocking`/`muting` are there
    for a signed-in viewer)."""
    context = {
        "is_following": is_following,
        "blocking": getattr(user, "blocking", False),
        "muting": getattr(user, "muting", False),
    }
    return ProfileSerializer(user, context=context).data


class BlockStateSerializer(serializers.Serializer):
    blocking = serializers.BooleanField()


class MuteStateSerializer(serializers.Serializer):
    muting = serializers.BooleanField()
