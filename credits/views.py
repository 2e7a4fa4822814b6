"""Credits pages: the wallet (balance, history, buying) and the public pricing page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from credits import payments, selectors, services
from credits.models import AccountKind, CreditAccount, CreditPack
from generation.pricing import (
    CREDIT_USD,
    MARGIN,
    RESOLUTION_FACTORS,
    TIER_BASE,
    Quote,
)
from generation.renderer import SIZES
from generation.selectors import backend_price_rows
from generation.services import JobRequest, job_quote


@login_required
def wallet_page(request: HttpRequest) -> HttpResponse:
    account = services.balance_for(user=request.user)
    entries = list(selectors.ledger_for_account(account=account)[:50])
    earnings = CreditAccount.objects.filter(user=request.user, kind=AccountKind.EARNINGS).first()
    return render(
        request,
        "credits/wallet.html",
        {
            "account": account,
            "entries": entries,
            "packs": CreditPack.objects.filter(active=True),
            "purchases_enabled": payments.purchases_enabled(),
            "free_per_day": settings.FREE_CREDITS_PER_DAY,
            "purchase_state": request.GET.get("purchase", ""),
            "earnings": earnings,
            "earnings_entries": (
                list(selectors.ledger_for_account(account=earnings)[:20]) if earnings else []
            ),
        },
    )


def _cheapest_quote(seconds: int, aspect: str, tier: str) -> Quote | None:
    try:
        return job_quote(JobRequest(prompt="-", seconds=seconds, aspect=aspect, tier=tier,
                                    policy="cheapest"))  # fmt: skip
    except DomainError:
        return None  # no enabled backend makes this shape: the table shows a dash


TIER_LABELS = {"standard": _("Standard"), "pro": _("Pro")}


def pricing_page(request: HttpRequest) -> HttpResponse:
    rows = []
    for aspect in SIZES:
        for tier in TIER_BASE:
            prices = [_cheapest_quote(s, aspect, tier) for s in (1, 5, 10)]
            rows.append(
                {
                    "aspect": aspect,
                    "tier": tier,
                    "tier_label": TIER_LABELS.get(tier, tier),
                    "prices": prices,
                }
            )
    return render(
        request,
        "credits/pricing.html",
        {
            "rows": rows,
            "credit_usd": CREDIT_USD,
            "margin_percent": int(MARGIN * 100),
            "tiers": TIER_BASE,
            "resolution_factors": RESOLUTION_FACTORS,
            "backends": backend_price_rows(),
            "free_per_day": settings.FREE_CREDITS_PER_DAY,
            "packs": CreditPack.objects.filter(active=True),
        },
    )
