"""credits.payments against the real `stripe` SDK: Checkout Sessions are created over HTTP on a
local fake of Stripe's API, and webhooks are signed exactly as Stripe signs them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from credits import payments
from credits.payments import CheckoutSession, CompletedCheckout, PaymentsDisabled, WebhookRejected
from tests.fake_stripe import FakeStripe, make_event, sign_webhook

WEBHOOK_SECRET = "whsec_test_reverie_secret"


@pytest.fixture
def fake_stripe(settings: Any) -> Iterator[FakeStripe]:
    with FakeStripe() as fake:
        settings.STRIPE_SECRET_KEY = fake.api_key
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        yield fake


@pytest.fixture
def webhook_settings(settings: Any) -> Any:
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_WEBHOOK_TOLERANCE = 300
    return settings


def checkout(**overrides: Any) -> CheckoutSession:
    args: dict[str, Any] = {
        "purchase_id": 42,
        "user_email": "ada@example.com",
        "pack_name": "Starter",
        "credits": 500,
        "amount_cents": 500,
        "currency": "USD",
        "success_url": "https://reverie.test/credits/done?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://reverie.test/credits",
        "idempotency_key": "purchase-42",
    }
    return payments.create_checkout_session(**(args | overrides))


def checkout_session(**overrides: Any) -> dict[str, Any]:
    """A paid `checkout.session` as Stripe puts it in a webhook."""
    return {
        "id": "cs_test_a1b2c3",
        "object": "checkout.session",
        "amount_total": 500,
        "currency": "usd",
        "client_reference_id": "42",
        "metadata": {"purchase_id": "42", "credits": "500"},
        "mode": "payment",
        "payment_status": "paid",
        "status": "complete",
    } | overrides


def delivery(event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, age: int = 0) -> Any:
    """(payload, header) of a webhook delivery signed `age` seconds ago."""
    payload = json.dumps(event).encode()
    return payload, sign_webhook(payload, secret, int(time.time()) - age)


# -- configuration -----------------------------------------------------------------------------


def test_purchases_are_enabled_only_with_a_secret_key(settings: Any) -> None:
    settings.STRIPE_SECRET_KEY = ""
    assert payments.purchases_enabled() is False
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert payments.purchases_enabled() is True
    del settings.STRIPE_SECRET_KEY  # not configured at all: off, not a crash
    assert payments.purchases_enabled() is False


def test_no_secret_key_raises_payments_disabled_without_calling_stripe(
    fake_stripe: FakeStripe, settings: Any
) -> None:
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(PaymentsDisabled):
        checkout()
    assert fake_stripe.requests == []


# -- creating Checkout Sessions ----------------------------------------------------------------


def test_checkout_session_fields_arrive_in_stripe_bracket_form(fake_stripe: FakeStripe) -> None:
    session = checkout()

    assert session.id.startswith("cs_test_")
    assert session.url == f"https://checkout.stripe.com/c/pay/{session.id}"
    [request] = fake_stripe.requests
    assert (request.method, request.path) == ("POST", "/v1/checkout/sessions")
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    form = dict(request.form)
    assert form == {
        "mode": "payment",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "500",
        "line_items[0][price_data][product_data][name]": "500 Reverie credits (Starter)",
        "line_items[0][quantity]": "1",
        "client_reference_id": "42",
        "metadata[purchase_id]": "42",
        "metadata[credits]": "500",
        "customer_email": "ada@example.com",
        "success_url": "https://reverie.test/credits/done?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://reverie.test/credits",
    }
    stored = fake_stripe.sessions[session.id]
    assert stored["amount_total"] == 500
    assert stored["currency"] == "usd"
    assert stored["client_reference_id"] == "42"
    assert stored["metadata"] == {"purchase_id": "42", "credits": "500"}
    assert (stored["payment_status"], stored["status"]) == ("unpaid", "open")


def test_the_secret_key_goes_in_the_authorization_header(fake_stripe: FakeStripe) -> None:
    checkout()
    [request] = fake_stripe.requests
    assert request.header("Authorization") == f"Bearer {fake_stripe.api_key}"
    assert request.header("Idempotency-Key") == "purchase-42"
    assert request.header("Stripe-Version")  # the SDK pins the API version it was built for


def test_customer_email_is_left_out_when_unknown(fake_stripe: FakeStripe) -> None:
    checkout(user_email="")
    assert "customer_email" not in dict(fake_stripe.requests[0].form)


def test_api_base_with_a_trailing_slash_still_works(fake_stripe: FakeStripe, settings: Any) -> None:
    settings.STRIPE_API_BASE = fake_stripe.url + "/"
    checkout()
    assert fake_stripe.requests[0].path == "/v1/checkout/sessions"


def test_the_same_idempotency_key_returns_the_same_session(fake_stripe: FakeStripe) -> None:
    first = checkout()
    again = checkout()  # a double click, or a retry after a lost response

    assert again == first
    assert len(fake_stripe.requests) == 2
    assert len(fake_stripe.sessions) == 1
    other = checkout(purchase_id=43, idempotency_key="purchase-43")
    assert other.id != first.id
    assert len(fake_stripe.sessions) == 2


def test_reusing_an_idempotency_key_with_other_params_is_refused(fake_stripe: FakeStripe) -> None:
    checkout()
    with pytest.raises(stripe.IdempotencyError):
        checkout(amount_cents=900)
    assert len(fake_stripe.sessions) == 1


def test_stripe_400_errors_surface_as_the_sdk_exception(fake_stripe: FakeStripe) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        checkout(currency="XYZ")
    assert caught.value.http_status == 400
    assert caught.value.param == "line_items[0][price_data][currency]"
    assert "Invalid currency" in str(caught.value.user_message)
    assert fake_stripe.sessions == {}


def test_a_wrong_secret_key_is_an_authentication_error(
    fake_stripe: FakeStripe, settings: Any
) -> None:
    settings.STRIPE_SECRET_KEY = "sk_test_someone_else"
    with pytest.raises(stripe.AuthenticationError):
        checkout()
    assert fake_stripe.requests[0].status == 401


@pytest.mark.parametrize(
    ("missing", "params"),
    [
        (
            "mode",
            {"success_url": "https://r.test/ok", "line_items": [{"price": "p", "quantity": 1}]},
        ),
        ("success_url", {"mode": "payment", "line_items": [{"price": "p", "quantity": 1}]}),
        ("line_items", {"mode": "payment", "success_url": "https://r.test/ok"}),
    ],
)
def test_the_fake_answers_missing_required_params_like_stripe(
    fake_stripe: FakeStripe, missing: str, params: dict[str, Any]
) -> None:
    client = stripe.StripeClient(fake_stripe.api_key, base_addresses={"api": fake_stripe.url})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params)  # type: ignore[arg-type]
    error = caught.value
    assert error.http_status == 400
    assert error.param == missing
    assert error.code == "parameter_missing"
    assert error.user_message == f"Missing required param: {missing}."
    assert error.json_body == {
        "error": {
            "type": "invalid_request_error",
            "message": f"Missing required param: {missing}.",
            "param": missing,
            "code": "parameter_missing",
            "doc_url": "https://stripe.com/docs/error-codes/parameter-missing",
        }
    }


def test_the_fake_serves_sessions_back_by_id(fake_stripe: FakeStripe) -> None:
    created = checkout()
    client = stripe.StripeClient(fake_stripe.api_key, base_addresses={"api": fake_stripe.url})

    session = client.v1.checkout.sessions.retrieve(created.id)
    assert (session.id, session.url, session.amount_total) == (created.id, created.url, 500)
    assert session.metadata.to_dict() == {"purchase_id": "42", "credits": "500"}
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.retrieve("cs_test_nope")
    assert caught.value.code == "resource_missing"
    assert caught.value.http_status == 404


# -- webhooks ----------------------------------------------------------------------------------


def test_sign_webhook_matches_the_sdk_signer() -> None:
    payload = b'{"id": "evt_1", "object": "event", "note": "caf\xc3\xa9"}'
    expected = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), WEBHOOK_SECRET, timestamp=1700000000
    )
    assert sign_webhook(payload, WEBHOOK_SECRET, 1700000000) == expected


def test_a_signed_paid_completion_yields_the_completed_checkout(webhook_settings: Any) -> None:
    event = make_event("checkout.session.completed", checkout_session(), event_id="evt_test_1")
    payload, header = delivery(event)

    assert payments.verify_webhook(payload=payload, signature_header=header) == CompletedCheckout(
        event_id="evt_test_1",
        session_id="cs_test_a1b2c3",
        purchase_id=42,
        amount_total=500,
        currency="usd",
    )


def test_async_payment_succeeded_counts_as_paid(webhook_settings: Any) -> None:
    event = make_event("checkout.session.async_payment_succeeded", checkout_session())
    payload, header = delivery(event)
    result = payments.verify_webhook(payload=payload, signature_header=header)
    assert result is not None
    assert (result.event_id, result.purchase_id) == (event["id"], 42)


def test_the_purchase_id_falls_back_to_metadata(webhook_settings: Any) -> None:
    event = make_event("checkout.session.completed", checkout_session(client_reference_id=None))
    payload, header = delivery(event)
    result = payments.verify_webhook(payload=payload, signature_header=header)
    assert result is not None and result.purchase_id == 42


def test_a_paid_session_naming_no_purchase_is_ignored(webhook_settings: Any) -> None:
    session = checkout_session(client_reference_id=None, metadata={})
    payload, header = delivery(make_event("checkout.session.completed", session))
    assert payments.verify_webhook(payload=payload, signature_header=header) is None


def test_an_unpaid_completion_is_ignored(webhook_settings: Any) -> None:
    event = make_event("checkout.session.completed", checkout_session(payment_status="unpaid"))
    payload, header = delivery(event)
    assert payments.verify_webhook(payload=payload, signature_header=header) is None


@pytest.mark.parametrize(
    "event_type",
    ["checkout.session.expired", "checkout.session.async_payment_failed", "charge.refunded"],
)
def test_other_event_types_are_ignored(webhook_settings: Any, event_type: str) -> None:
    payload, header = delivery(make_event(event_type, checkout_session()))
    assert payments.verify_webhook(payload=payload, signature_header=header) is None


def test_the_whole_round_trip_through_the_fake(fake_stripe: FakeStripe) -> None:
    created = checkout()
    payload, header = delivery(fake_stripe.complete_session(created.id))

    result = payments.verify_webhook(payload=payload, signature_header=header)
    assert result is not None
    assert (result.session_id, result.purchase_id, result.amount_total, result.currency) == (
        created.id,
        42,
        500,
        "usd",
    )


def test_a_wrong_secret_is_rejected(webhook_settings: Any) -> None:
    payload, header = delivery(
        make_event("checkout.session.completed", checkout_session()), secret="whsec_other"
    )
    with pytest.raises(WebhookRejected, match="signature"):
        payments.verify_webhook(payload=payload, signature_header=header)


def test_a_tampered_body_is_rejected(webhook_settings: Any) -> None:
    payload, header = delivery(make_event("checkout.session.completed", checkout_session()))
    tampered = payload.replace(b'"amount_total": 500', b'"amount_total": 5')
    assert tampered != payload
    with pytest.raises(WebhookRejected, match="signature"):
        payments.verify_webhook(payload=tampered, signature_header=header)


@pytest.mark.parametrize("header", ["", "garbage", "t=notanumber,v1=abc", "t=1700000000"])
def test_a_missing_or_unreadable_signature_header_is_rejected(
    webhook_settings: Any, header: str
) -> None:
    payload, _ = delivery(make_event("checkout.session.completed", checkout_session()))
    with pytest.raises(WebhookRejected):
        payments.verify_webhook(payload=payload, signature_header=header)


def test_a_replay_older_than_the_tolerance_is_rejected(webhook_settings: Any) -> None:
    event = make_event("checkout.session.completed", checkout_session())
    payload, header = delivery(event, age=301)
    with pytest.raises(WebhookRejected, match="tolerance"):
        payments.verify_webhook(payload=payload, signature_header=header)
    payload, header = delivery(event, age=200)  # a slow but honest delivery is fine
    assert payments.verify_webhook(payload=payload, signature_header=header) is not None


def test_the_tolerance_comes_from_settings(webhook_settings: Any) -> None:
    webhook_settings.STRIPE_WEBHOOK_TOLERANCE = 60
    payload, header = delivery(
        make_event("checkout.session.completed", checkout_session()), age=120
    )
    with pytest.raises(WebhookRejected, match="tolerance"):
        payments.verify_webhook(payload=payload, signature_header=header)


def test_a_zero_tolerance_does_not_switch_the_replay_check_off(webhook_settings: Any) -> None:
    webhook_settings.STRIPE_WEBHOOK_TOLERANCE = 0
    payload, header = delivery(
        make_event("checkout.session.completed", checkout_session()), age=3600
    )
    with pytest.raises(WebhookRejected, match="tolerance"):
        payments.verify_webhook(payload=payload, signature_header=header)


@pytest.mark.parametrize(
    "payload",
    [b'{"id": "evt_1", "type": "checkout.session.completed"', b"[1, 2]", b'"event"', b"\xff\xfe"],
)
def test_a_validly_signed_malformed_body_is_rejected(webhook_settings: Any, payload: bytes) -> None:
    header = sign_webhook(payload, WEBHOOK_SECRET)
    with pytest.raises(WebhookRejected):
        payments.verify_webhook(payload=payload, signature_header=header)


def test_a_paid_event_without_a_session_object_is_rejected(webhook_settings: Any) -> None:
    event = make_event("checkout.session.completed", {"id": "pi_1", "object": "payment_intent"})
    payload, header = delivery(event)
    with pytest.raises(WebhookRejected, match="checkout.session"):
        payments.verify_webhook(payload=payload, signature_header=header)


def test_no_webhook_secret_rejects_everything(webhook_settings: Any) -> None:
    payload, header = delivery(make_event("checkout.session.completed", checkout_session()))
    webhook_settings.STRIPE_WEBHOOK_SECRET = ""
    with pytest.raises(WebhookRejected, match="STRIPE_WEBHOOK_SECRET"):
        payments.verify_webhook(payload=payload, signature_header=header)
