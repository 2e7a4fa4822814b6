"""Writes for credits. Every balance change: one transaction, the account row locked
(`select_for_update`), one LedgerEntry with a unique idempotency key — so a retried task, a
double click or a replayed webhook can never move money twice."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from config.errors import Conflict, DomainError, PaymentRequired
from credits.models import (
    AccountKind,
    CreditAccount,
    CreditPack,
    EntryKind,
    LedgerEntry,
    Purchase,
    PurchaseStatus,
)

logger = logging.getLogger(__name__)


def utc_today() -> date:
    return timezone.now().date()  # USE_TZ: now() is UTC


def _account(**lookup: Any) -> CreditAccount:
    """Get or create one account; a concurrent creation wins the unique constraint."""
    account = CreditAccount.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return CreditAccount.objects.create(**lookup)
    except IntegrityError:
        return CreditAccount.objects.get(**lookup)


def account_for_user(*, user: User) -> CreditAccount:
    return _account(user=user, kind=AccountKind.USER)


def earnings_account_for(*, user: User) -> CreditAccount:
    """A cameo owner's earnings, kept apart from the wallet they spend from."""
    return _account(user=user, kind=AccountKind.EARNINGS)


def account_for_rights_holder(*, rights_holder_id: int) -> CreditAccount:
    return _account(rights_holder_id=rights_holder_id, kind=AccountKind.RIGHTS_HOLDER)


def _lock_wallet(user: User) -> CreditAccount:
    """The user's wallet, locked, in one statement (created first if it doesn't exist yet)."""
    wallet = (
        CreditAccount.objects.select_for_update().filter(user=user, kind=AccountKind.USER).first()
    )
    return wallet if wallet is not None else _lock(account_for_user(user=user))


def _lock(account: CreditAccount) -> CreditAccount:
    return CreditAccount.objects.select_for_update().get(pk=account.pk)


def _apply(
    account: CreditAccount,
    *,
    kind: str,
    key: str,
    free: int = 0,
    paid: int = 0,
    held: int = 0,
    known_new: bool = False,
    **refs: Any,
) -> tuple[LedgerEntry, bool]:
    """Move credits on a LOCKED account and record it; an existing key means it already
    happened: return that entry and change nothing. Returns (entry, applied).

    `known_new`: the caller has already ruled the key out under this lock (the unique
    constraint still guards it), so the look-up is skipped."""
    if not known_new:
        existing = LedgerEntry.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing, False
    account.free_balance += free
    account.paid_balance += paid
    account.held += held
    if min(account.free_balance, account.paid_balance, account.held) < 0:
        raise DomainError("That would make a balance negative.", code="negative_balance")
    account.save(update_fields=["free_balance", "paid_balance", "held", "free_day", "updated_at"])
    entry = LedgerEntry.objects.create(
        account=account,
        kind=kind,
        free_delta=free,
        paid_delta=paid,
        held_delta=held,
        free_after=account.free_balance,
        paid_after=account.paid_balance,
        held_after=account.held,
        idempotency_key=key,
        **refs,
    )
    return entry, True


def _refresh_daily_free(account: CreditAccount, today: date) -> None:
    """On a locked user account: top the free credits up to today's quota (once per UTC day;
    unused free credits don't accumulate)."""
    if account.kind != AccountKind.USER or account.free_day == today:
        return
    account.free_day = today
    quota = settings.FREE_CREDITS_PER_DAY
    _, applied = _apply(
        account,
        kind=EntryKind.DAILY_FREE,
        key=f"daily:{account.pk}:{today.isoformat()}",
        free=quota - account.free_balance,
        memo=f"free credits for {today.isoformat()}",
    )
    if not applied:  # today's top-up already happened: only remember the day
        account.save(update_fields=["free_day", "updated_at"])


def balance_for(*, user: User) -> CreditAccount:
    """The user's account with today's free credits applied."""
    account = account_for_user(user=user)
    if account.free_day != utc_today():
        with transaction.atomic():
            account = _lock(account)
            _refresh_daily_free(account, utc_today())
    return account


def credits_hold(*, job: Any, user: User, amount: int) -> tuple[int, int]:
    """Reserve a job's quoted price (free credits first). Call inside the job's transaction.
    Returns (from free credits, from paid credits); the job's owner records them on the job."""
    account = _lock_wallet(user)
    _refresh_daily_free(account, utc_today())
    if account.available < amount:
        raise PaymentRequired(
            f"Not enough credits: this clip costs {amount} and you have {account.available}.",
            extra={"price": amount, "balance": account.available},
        )
    from_free = min(account.free_balance, amount)
    _apply(
        account,
        kind=EntryKind.HOLD,
        key=f"hold:{job.pk}",
        free=-from_free,
        paid=-(amount - from_free),
        held=amount,
        known_new=True,  # the job was inserted in this very transaction
        job=job,
    )
    return from_free, amount - from_free


def _settled(job: Any) -> bool:
    return LedgerEntry.objects.filter(
        idempotency_key__in=[f"capture:{job.pk}", f"release:{job.pk}"]
    ).exists()


def credits_capture(*, job: Any, price: int) -> int | None:
    """Charge a succeeded job: at most its quote; any unused part of the hold goes back.
    Returns the credits charged, or None when the job was already settled (or never held);
    generation records the charge on its job (`generation.jobs.job_capture`)."""
    if job.quote_credits == 0:
        return None
    with transaction.atomic(savepoint=False):  # no savepoint inside generation.jobs.job_capture
        account = _lock_wallet(job.owner)
        if _settled(job):
            return None
        price = max(0, min(price, job.quote_credits))
        spent_free = min(job.hold_free, price)
        spent_paid = price - spent_free
        _apply(
            account,
            kind=EntryKind.CAPTURE,
            key=f"capture:{job.pk}",
            free=job.hold_free - spent_free,
            paid=job.hold_paid - spent_paid,
            held=-job.quote_credits,
            known_new=True,  # _settled() just ruled it out under the lock
            job=job,
            memo=f"charged {price} of {job.quote_credits} held",
        )
    return price


def credits_release(*, job: Any) -> bool:
    """Give a failed or cancelled job's hold back. False when already settled or never held.
    (Generation records the zero charge on its job: `generation.jobs.job_release`.)"""
    if job.quote_credits == 0:
        return False
    with transaction.atomic(savepoint=False):  # no savepoint inside generation.jobs.job_release
        account = _lock_wallet(job.owner)
        if _settled(job):
            return False
        _apply(
            account,
            kind=EntryKind.RELEASE,
            key=f"release:{job.pk}",
            free=job.hold_free,
            paid=job.hold_paid,
            held=-job.quote_credits,
            known_new=True,  # _settled() just ruled it out under the lock
            job=job,
        )
    return True


def credits_adjust(
    *, user: User, amount: int, reason: str, actor: User | None, key: str | None = None
) -> LedgerEntry:
    """A manual grant (positive) or adjustment (negative) of paid credits, with its reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why.", fields={"reason": ["Say why."]})
    if amount == 0:
        raise DomainError("The amount can't be zero.", fields={"amount": ["Not zero."]})
    with transaction.atomic():
        account = _lock(account_for_user(user=user))
        if amount < 0 and account.paid_balance + amount < 0:
            raise DomainError(
                f"Only {account.paid_balance} paid credits can be taken back.",
                fields={"amount": ["More than the paid balance."]},
            )
        key = key or f"adjust:{account.pk}:{timezone.now().timestamp()}:{actor and actor.pk}"
        entry, _ = _apply(
            account,
            kind=EntryKind.GRANT if amount > 0 else EntryKind.ADJUSTMENT,
            key=key,
            paid=amount,
            memo=reason[:300],
            actor=actor,
        )
    return entry


def daily_free_refresh_all(*, batch_size: int = 500) -> int:
    """Beat, just after midnight UTC: give every wallet today's free credits (those who come back
    later get them lazily anyway). Returns how many accounts were refreshed."""
    today = utc_today()
    ids = list(
        CreditAccount.objects.filter(kind=AccountKind.USER)
        .exclude(free_day=today)
        .values_list("pk", flat=True)[:batch_size]
    )
    for account_id in ids:
        with transaction.atomic():
            account = CreditAccount.objects.select_for_update().get(pk=account_id)
            _refresh_daily_free(account, today)
    return len(ids)


def revenue_share_for_publish(*, job: Any) -> list[LedgerEntry]:
    """When a clip is published, the owners of cameos in it who opted in, and the rights holders
    of licensed characters in it, get their share of the captured price (rounded down), once."""
    entries: list[LedgerEntry] = []
    charged = job.charged_credits or 0
    if not charged:
        return entries
    cameo_share = Decimal(str(settings.CAMEO_REVENUE_SHARE_PERCENT))
    for usage in job.cameo_usages.select_related("cameo", "cameo__owner"):
        cameo = usage.cameo
        share = int(cameo_share * charged / 100)
        if not cameo.revenue_share_opt_in or cameo.owner_id == job.owner_id or share <= 0:
            continue
        with transaction.atomic():
            account = _lock(earnings_account_for(user=cameo.owner))
            entry, _ = _apply(
                account,
                kind=EntryKind.REVENUE_SHARE,
                key=f"revshare:{job.pk}:cameo:{cameo.pk}",
                paid=share,
                job=job,
                memo=f"{cameo_share}% of {charged} for @{cameo.handle}",
            )
        entries.append(entry)
    for licence in job.licensed_rights or []:
        share = int(Decimal(str(licence.get("share_percent", "0"))) * charged / 100)
        if share <= 0:
            continue
        with transaction.atomic():
            account = _lock(account_for_rights_holder(rights_holder_id=int(licence["id"])))
            entry, _ = _apply(
                account,
                kind=EntryKind.REVENUE_SHARE,
                key=f"revshare:{job.pk}:rights:{licence['id']}",
                paid=share,
                job=job,
                memo=f"{licence.get('share_percent')}% of {charged} for {licence.get('name')}",
            )
        entries.append(entry)
    return entries


# --- Purchases ------------------------------------------------------------------------------


def purchase_start(*, user: User, pack: CreditPack, success_url: str, cancel_url: str,
                   idempotency_key: str) -> tuple[Purchase, str]:  # fmt: skip
    """Create a pending purchase and its Stripe Checkout session; returns (purchase, url)."""
    from credits import payments

    if not payments.purchases_enabled():
        raise Conflict("Purchases are disabled on this server.", code="purchases_disabled")
    if not pack.active:
        raise DomainError("That pack is not for sale.", fields={"pack": ["Not for sale."]})
    purchase = Purchase.objects.create(
        user=user, pack=pack, credits=pack.credits, amount_cents=pack.price_cents,
        currency=pack.currency,
    )  # fmt: skip
    try:
        session = payments.create_checkout_session(
            purchase_id=purchase.pk,
            user_email=user.email,
            pack_name=pack.name,
            credits=pack.credits,
            amount_cents=pack.price_cents,
            currency=pack.currency,
            success_url=success_url,
            cancel_url=cancel_url,
            idempotency_key=f"{user.pk}:{idempotency_key}",
        )
    except stripe.StripeError as error:
        logger.warning("checkout session for purchase %s failed: %s", purchase.pk, error)
        raise DomainError(
            "The payment provider is not answering; try again in a minute.",
            code="payment_provider_error",
        ) from error
    Purchase.objects.filter(pk=purchase.pk).update(stripe_session_id=session.id)
    purchase.stripe_session_id = session.id
    return purchase, session.url


def purchase_complete(*, session_id: str, purchase_id: int, amount_total: int,
                      currency: str) -> bool:  # fmt: skip
    """Credit a paid purchase exactly once (webhooks are retried and may arrive twice)."""
    with transaction.atomic():
        purchase = Purchase.objects.select_for_update().filter(pk=purchase_id).first()
        if purchase is None or purchase.stripe_session_id not in (None, session_id):
            raise DomainError("Unknown purchase.", code="unknown_purchase")
        if amount_total != purchase.amount_cents or currency.lower() != purchase.currency:
            raise DomainError(
                "The paid amount does not match the purchase.", code="amount_mismatch"
            )
        if purchase.status == PurchaseStatus.PAID:
            return False
        account = _lock(account_for_user(user=purchase.user))
        _apply(
            account,
            kind=EntryKind.PURCHASE,
            key=f"purchase:{purchase.pk}",
            paid=purchase.credits,
            purchase=purchase,
            memo=f"{purchase.pack.name} ({session_id})",
        )
        purchase.status = PurchaseStatus.PAID
        purchase.paid_at = timezone.now()
        purchase.stripe_session_id = session_id
        purchase.save(update_fields=["status", "paid_at", "stripe_session_id"])
    return True
