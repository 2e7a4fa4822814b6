"""Credits pages: the wallet (balance, history, buying) and the public pricing page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from credits import payments, selectors, services
from credits.models import AccountKind, CreditAccount, CreditPack
from generation.pricing import (
    BACKEND_COSTS,
    CREDIT_USD,
    MARGIN,
    RESOLUTION_FACTORS,
    TIERS,
    quote,
)
from generation.renderer import SIZES


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


def pricing_page(request: HttpRequest) -> HttpResponse:
    rows = []
    for aspect, (width, height) in SIZES.items():
        for tier in TIERS:
            prices = [quote(seconds=s, width=width, height=height, tier=tier) for s in (1, 5, 10)]
            rows.append({"aspect": aspect, "tier": tier, "prices": prices})
    return render(
        request,
        "credits/pricing.html",
        {
            "rows": rows,
            "credit_usd": CREDIT_USD,
            "margin_percent": int(MARGIN * 100),
            "tiers": TIERS,
            "resolution_factors": RESOLUTION_FACTORS,
            "backends": BACKEND_COSTS.values(),
            "free_per_day": settings.FREE_CREDITS_PER_DAY,
            "packs": CreditPack.objects.filter(active=True),
        },
    )
