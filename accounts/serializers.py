from __future__ import annotations

from rest_framework import serializers

from accounts.models import User


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


class UserPublicSerializer(serializers.ModelSerializer):
    handle = serializers.CharField(source="username", read_only=True)

    class Meta:
        model = User
        fields = ["id", "handle", "display_name"]


class TokenRequestSerializer(StrictSerializer):
    handle = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    user = UserPublicSerializer()
