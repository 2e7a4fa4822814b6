"""Credits API: balance, ledger, quote, packs, checkout; and Stripe's webhook."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import DomainError
from config.schema import results_of
from credits import payments, selectors, services
from credits.models import CreditPack
from credits.serializers import (
    BalanceSerializer,
    CheckoutRequestSerializer,
    CheckoutResponseSerializer,
    CreditPackSerializer,
    LedgerEntrySerializer,
    QuoteRequestSerializer,
    QuoteSerializer,
)
from generation.selectors import balance_after_price
from generation.services import JobRequest, job_quote


def balance_data(account) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        "available": account.available,
        "free": account.free_balance,
        "paid": account.paid_balance,
        "held": account.held,
        "free_per_day": settings.FREE_CREDITS_PER_DAY,
    }


class BalanceView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=BalanceSerializer)
    def get(self, request: Request) -> Response:
        return Response(balance_data(services.balance_for(user=request.user)))


class LedgerPagination(CursorPagination):
    page_size = 50
    ordering = "-id"


class LedgerView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses=results_of(
            LedgerEntrySerializer,
            name="LedgerPage",
            next=serializers.URLField(allow_null=True),
            previous=serializers.URLField(allow_null=True),
        )
    )
    def get(self, request: Request) -> Response:
        account = services.balance_for(user=request.user)
        paginator = LedgerPagination()
        page = paginator.paginate_queryset(
            selectors.ledger_for_account(account=account), request, view=self
        )
        return paginator.get_paginated_response(LedgerEntrySerializer(page, many=True).data)


class QuoteView(APIView):
    """The exact price of a clip before submitting it, and the balance after it."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("seconds", int, required=True),
            OpenApiParameter("aspect", str, required=False),
            OpenApiParameter("tier", str, required=False),
        ],
        responses=QuoteSerializer,
    )
    def get(self, request: Request) -> Response:
        serializer = QuoteRequestSerializer(data=request.query_params.dict())
        serializer.is_valid(raise_exception=True)
        price = job_quote(JobRequest(prompt="-", **serializer.validated_data))
        body: dict[str, object] = {**price.as_dict(), "balance": None, "balance_after": None,
                                   "affordable": None}  # fmt: skip
        if request.user.is_authenticated:
            available = services.balance_for(user=request.user).available
            body.update(balance_after_price(balance=available, price=price.credits))
        return Response(body)


class PacksView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=results_of(
            CreditPackSerializer,
            name="CreditPackList",
            purchases_enabled=serializers.BooleanField(),
        )
    )
    def get(self, request: Request) -> Response:
        packs = CreditPack.objects.filter(active=True)
        return Response(
            {
                "results": CreditPackSerializer(packs, many=True).data,
                "purchases_enabled": payments.purchases_enabled(),
            }
        )


class CheckoutView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=CheckoutRequestSerializer, responses={201: CheckoutResponseSerializer})
    def post(self, request: Request) -> Response:
        serializer = CheckoutRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pack = CreditPack.objects.filter(pk=serializer.validated_data["pack"], active=True).first()
        if pack is None:
            raise DomainError("No such pack.", fields={"pack": ["No such pack."]})
        wallet = request.build_absolute_uri(reverse("credits:wallet"))
        purchase, url = services.purchase_start(
            user=request.user,
            pack=pack,
            success_url=f"{wallet}?purchase=success",
            cancel_url=f"{wallet}?purchase=cancelled",
            idempotency_key=request.headers.get("Idempotency-Key", "") or f"p{pack.pk}-new",
        )
        return Response({"purchase": purchase.pk, "url": url}, status=status.HTTP_201_CREATED)


class StripeWebhookView(APIView):
    """Stripe calls this; only a correctly signed, fresh event credits anything."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        try:
            completed = payments.verify_webhook(
                payload=request.body,
                signature_header=request.headers.get("Stripe-Signature", ""),
            )
        except payments.WebhookRejected as rejected:
            return Response({"detail": str(rejected), "code": "bad_webhook"}, status=400)
        if completed is None:
            return Response({"received": True})
        credited = services.purchase_complete(
            session_id=completed.session_id,
            purchase_id=completed.purchase_id,
            amount_total=completed.amount_total,
            currency=completed.currency,
        )
        return Response({"received": True, "credited": credited})
