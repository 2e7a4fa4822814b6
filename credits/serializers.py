from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from accounts.serializers import StrictSerializer
from credits.models import CreditPack, LedgerEntry
from generation.choices import DEFAULT_TIER, TIERS, Aspect


class BalanceSerializer(serializers.Serializer):
    available = serializers.IntegerField()
    free = serializers.IntegerField()
    paid = serializers.IntegerField()
    held = serializers.IntegerField()
    free_per_day = serializers.IntegerField()


class LedgerEntrySerializer(serializers.ModelSerializer):
    amount = serializers.IntegerField(read_only=True)
    job = serializers.UUIDField(source="job_id", allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "amount", "free_delta", "paid_delta", "held_delta", "free_after",
                  "paid_after", "held_after", "job", "memo", "created_at"]  # fmt: skip
        read_only_fields = fields


class QuoteRequestSerializer(StrictSerializer):
    seconds = serializers.IntegerField(min_value=1, max_value=settings.GENERATION_MAX_SECONDS)
    aspect = serializers.ChoiceField(choices=Aspect.choices, default=Aspect.PORTRAIT)
    tier = serializers.ChoiceField(choices=TIERS, default=DEFAULT_TIER)


class QuoteSerializer(serializers.Serializer):
    credits = serializers.IntegerField()
    seconds = serializers.IntegerField()
    resolution = serializers.CharField()
    tier = serializers.CharField()
    backend = serializers.CharField()
    backend_usd = serializers.CharField()
    price_usd = serializers.CharField()
    balance = serializers.IntegerField(allow_null=True)
    balance_after = serializers.IntegerField(allow_null=True)
    affordable = serializers.BooleanField(allow_null=True)


class CreditPackSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditPack
        fields = ["id", "name", "credits", "price_cents", "currency"]
        read_only_fields = fields


class CheckoutRequestSerializer(StrictSerializer):
    pack = serializers.IntegerField()


class CheckoutResponseSerializer(serializers.Serializer):
    purchase = serializers.IntegerField()
    url = serializers.URLField()
