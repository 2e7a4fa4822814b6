"""Buying credits end to end: the checkout API creates a Stripe Checkout session through the real
SDK (against a local server that speaks Stripe's API), and only a correctly signed, fresh
`checkout.session.completed` webhook credits the account — exactly once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from credits import services as credit_services
from credits.models import CreditPack, EntryKind, LedgerEntry, Purchase
from credits.selectors import reconcile
from tests.fake_stripe import FakeStripe, sign_webhook

WEBHOOK_SECRET = "whsec_reverie_test"
WEBHOOK = "/api/v1/stripe/webhook"


@pytest.fixture
def stripe_server(settings: Any) -> Iterator[FakeStripe]:
    with FakeStripe() as fake:
        settings.STRIPE_SECRET_KEY = fake.api_key
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        yield fake


@pytest.fixture
def pack(db: None) -> CreditPack:
    return CreditPack.objects.create(name="Starter", credits=500, price_cents=500, currency="usd")


def _deliver(payload: bytes, header: str) -> Any:
    return APIClient().post(
        WEBHOOK, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


def test_checkout_then_webhook_credits_exactly_once(
    api: APIClient, user: Any, pack: CreditPack, stripe_server: FakeStripe
) -> None:
    packs = api.get("/api/v1/credits/packs").json()
    assert packs["purchases_enabled"] is True and packs["results"][0]["credits"] == 500
    response = api.post("/api/v1/credits/checkout", {"pack": pack.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["url"].startswith("https://checkout.stripe.com/")
    purchase = Purchase.objects.get(pk=response.json()["purchase"])
    assert purchase.status == "pending" and purchase.stripe_session_id
    sent = next(iter(stripe_server.requests_to("POST", "/v1/checkout/sessions")))
    assert sent.params["client_reference_id"] == str(purchase.pk)
    assert sent.params["line_items"][0]["price_data"]["unit_amount"] == "500"

    event = stripe_server.complete_session(purchase.stripe_session_id)
    payload = json.dumps(event).encode()
    header = sign_webhook(payload, WEBHOOK_SECRET)
    first = _deliver(payload, header)
    assert first.status_code == 200 and first.json()["credited"] is True
    again = _deliver(payload, header)  # Stripe retries deliveries
    assert again.status_code == 200 and again.json()["credited"] is False
    wallet = credit_services.balance_for(user=user)
    assert wallet.paid_balance == 500
    assert LedgerEntry.objects.filter(kind=EntryKind.PURCHASE).count() == 1
    assert Purchase.objects.get(pk=purchase.pk).status == "paid"
    assert reconcile() == []


def test_forged_and_replayed_webhooks_are_400_and_credit_nothing(
    api: APIClient, user: Any, pack: CreditPack, stripe_server: FakeStripe
) -> None:
    purchase_id = api.post("/api/v1/credits/checkout", {"pack": pack.pk}, format="json").json()[
        "purchase"
    ]
    session_id = Purchase.objects.get(pk=purchase_id).stripe_session_id
    payload = json.dumps(stripe_server.complete_session(session_id)).encode()

    forged = _deliver(payload, sign_webhook(payload, "whsec_someone_else"))
    assert forged.status_code == 400 and forged.json()["code"] == "bad_webhook"
    unsigned = APIClient().post(WEBHOOK, data=payload, content_type="application/json")
    assert unsigned.status_code == 400
    replayed = _deliver(payload, sign_webhook(payload, WEBHOOK_SECRET, int(time.time()) - 3600))
    assert replayed.status_code == 400
    tampered = payload.replace(b'"amount_total": 500', b'"amount_total": 50000')
    assert _deliver(tampered, sign_webhook(payload, WEBHOOK_SECRET)).status_code == 400
    assert credit_services.balance_for(user=user).paid_balance == 0
    assert not LedgerEntry.objects.filter(kind=EntryKind.PURCHASE).exists()


def test_without_stripe_keys_purchases_are_disabled(
    api: APIClient, pack: CreditPack, settings: Any
) -> None:
    settings.STRIPE_SECRET_KEY = ""
    assert api.get("/api/v1/credits/packs").json()["purchases_enabled"] is False
    response = api.post("/api/v1/credits/checkout", {"pack": pack.pk}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "Purchases are disabled on this server."
    assert not Purchase.objects.exists()
