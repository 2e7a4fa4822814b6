"""Stripe adapter for buying credit packs: opens Checkout Sessions and verifies webhooks.

A thin layer over the official `stripe` SDK (`stripe.StripeClient`) that speaks in plain values,
so it knows nothing about models: the caller creates its pending purchase first, passes its id
here, and later hands the verified `CompletedCheckout` to the service that credits the account.

Settings, read on every call so tests and operators can change them without a restart:

    STRIPE_SECRET_KEY         sk_live_… / sk_test_…; empty switches purchases off
    STRIPE_WEBHOOK_SECRET     whsec_… of the webhook endpoint
    STRIPE_API_BASE           empty for Stripe itself; tests point it at a local fake
    STRIPE_WEBHOOK_TOLERANCE  seconds a signed webhook stays acceptable (replay window), 300
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import stripe
from django.conf import settings

if TYPE_CHECKING:
    from stripe.params.checkout import SessionCreateParams

logger = logging.getLogger(__name__)

DEFAULT_WEBHOOK_TOLERANCE = 300
# A checkout click waits on this call, so fail fast rather than use the SDK's 80 s default;
# retries are safe because every create carries an idempotency key.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0
MAX_NETWORK_RETRIES = 2

# Events whose checkout session, once paid, means the money is ours. Card payments arrive paid
# with `completed`; delayed methods (SEPA, bank transfers) complete unpaid and are paid later.
PAID_EVENT_TYPES = frozenset(
    {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
)


class PaymentsDisabled(Exception):
    """No STRIPE_SECRET_KEY is configured, so credit packs can't be bought."""


class WebhookRejected(Exception):
    """A webhook that isn't provably a fresh, well-formed event from Stripe; the message says why.

    The view should answer 400 so nothing is credited (Stripe retries genuine deliveries)."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str  # cs_test_… / cs_live_…
    url: str  # Stripe-hosted payment page to redirect the buyer to


@dataclass(frozen=True)
class CompletedCheckout:
    event_id: str  # evt_…; Stripe may deliver the same event more than once
    session_id: str
    purchase_id: int
    amount_total: int  # in the currency's smallest unit, as Stripe charged it
    currency: str  # lower-case ISO code, as Stripe reports it


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def purchases_enabled() -> bool:
    return bool(_setting("STRIPE_SECRET_KEY", ""))


def _client(api_key: str) -> stripe.StripeClient:
    # The SDK appends paths such as /v1/checkout/sessions, so a trailing slash would double up.
    api_base = (_setting("STRIPE_API_BASE", "") or "").rstrip("/")
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)),
    )


def create_checkout_session(
    *,
    purchase_id: int,
    user_email: str,
    pack_name: str,
    credits: int,
    amount_cents: int,
    currency: str,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
) -> CheckoutSession:
    """Open a Stripe Checkout Session that sells one credit pack for `purchase_id`.

    `idempotency_key` should be stable per purchase (e.g. f"purchase-{id}"): Stripe then answers
    a retried request with the session it already made instead of opening a second one. Stripe's
    own errors propagate as `stripe.StripeError` subclasses."""
    api_key = _setting("STRIPE_SECRET_KEY", "")
    if not api_key:
        raise PaymentsDisabled("STRIPE_SECRET_KEY is not set")
    params: SessionCreateParams = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": amount_cents,
                    "product_data": {"name": f"{credits} Reverie credits ({pack_name})"},
                },
                "quantity": 1,
            }
        ],
        # Both carry the purchase id back in the webhook; metadata also shows in the dashboard.
        "client_reference_id": str(purchase_id),
        "metadata": {"purchase_id": str(purchase_id), "credits": str(credits)},
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if user_email:
        params["customer_email"] = user_email
    session = _client(api_key).v1.checkout.sessions.create(
        params, {"idempotency_key": idempotency_key}
    )
    if not session.url:
        raise stripe.StripeError(f"Checkout Session {session.id} came back without a url")
    return CheckoutSession(id=session.id, url=session.url)


def verify_webhook(*, payload: bytes, signature_header: str) -> CompletedCheckout | None:
    """Check a webhook's Stripe-Signature and return the paid checkout it reports, if any.

    Raises WebhookRejected for a missing or wrong signature, a timestamp older than
    STRIPE_WEBHOOK_TOLERANCE (a replay), or a body that isn't a Stripe event. Returns None for
    events that don't mean "this session is paid": other types, and sessions that completed
    unpaid (their `async_payment_succeeded` follows)."""
    secret = _setting("STRIPE_WEBHOOK_SECRET", "")
    if not secret:
        raise WebhookRejected("STRIPE_WEBHOOK_SECRET is not set")
    if not signature_header:
        raise WebhookRejected("missing Stripe-Signature header")
    # 0 would switch the SDK's replay check off, so the window never drops below a second.
    tolerance = max(int(_setting("STRIPE_WEBHOOK_TOLERANCE", DEFAULT_WEBHOOK_TOLERANCE)), 1)
    try:
        # The SDK decodes the body itself but would report bad UTF-8 as an odd ValueError.
        payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebhookRejected("payload is not UTF-8") from exc
    # Verifying needs no API key; the event only keeps one for follow-up calls we never make.
    client = _client(_setting("STRIPE_SECRET_KEY", "") or "")
    try:
        event = client.construct_event(payload, signature_header, secret, tolerance)
    except stripe.SignatureVerificationError as exc:
        raise WebhookRejected(f"bad signature: {exc.user_message or exc}") from exc
    except (ValueError, TypeError, AttributeError) as exc:
        # Signed but not a JSON object shaped like an event (json.loads or the SDK's parsing).
        raise WebhookRejected(f"malformed event payload: {exc}") from exc
    return _paid_checkout(event.to_dict())


def _paid_checkout(event: dict[str, Any]) -> CompletedCheckout | None:
    event_type = event.get("type")
    if event_type not in PAID_EVENT_TYPES:
        return None
    data = event.get("data")
    session = data.get("object") if isinstance(data, dict) else None
    if not isinstance(session, dict) or session.get("object") != "checkout.session":
        raise WebhookRejected(f"{event_type} event without a checkout.session object")
    if session.get("payment_status") != "paid":
        return None
    event_id, session_id = event.get("id"), session.get("id")
    amount_total, currency = session.get("amount_total"), session.get("currency")
    if not isinstance(event_id, str) or not isinstance(session_id, str):
        raise WebhookRejected("event or session without an id")
    if not isinstance(amount_total, int) or isinstance(amount_total, bool):
        raise WebhookRejected(f"session {session_id} has no integer amount_total")
    if not isinstance(currency, str) or not currency:
        raise WebhookRejected(f"session {session_id} has no currency")
    purchase_id = _purchase_id(session)
    if purchase_id is None:
        # Paid, but not opened by us (e.g. a payment link on the same Stripe account): rejecting
        # would only make Stripe retry it for days, so it is logged for a human instead.
        logger.warning("paid checkout %s (event %s) names no purchase", session_id, event_id)
        return None
    return CompletedCheckout(
        event_id=event_id,
        session_id=session_id,
        purchase_id=purchase_id,
        amount_total=amount_total,
        currency=currency.lower(),
    )


def _purchase_id(session: dict[str, Any]) -> int | None:
    metadata = session.get("metadata")
    candidates = [
        session.get("client_reference_id"),
        metadata.get("purchase_id") if isinstance(metadata, dict) else None,
    ]
    for value in candidates:
        if isinstance(value, str) and value.isascii() and value.isdigit():
            return int(value)
    return None
