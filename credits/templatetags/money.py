"""Money as money ("$5.00", "5,00 $" in French) and credits as credits ("1 credit", "500 credits"),
localised."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

CURRENCY_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "chf": "CHF"}


def format_money(*, cents: int, currency: str) -> str:
    amount = number_format(
        Decimal(int(cents)) / 100, decimal_pos=2, use_l10n=True, force_grouping=True
    )
    symbol = CURRENCY_SYMBOLS.get(currency.lower(), currency.upper())
    # Translators: how an amount of money reads, e.g. "$5.00"; French puts the symbol after.
    return _("%(symbol)s%(amount)s") % {"symbol": symbol, "amount": amount}


def format_credits(count: int) -> str:
    number = number_format(int(count), use_l10n=True, force_grouping=True)
    return ngettext("%(count)s credit", "%(count)s credits", int(count)) % {"count": number}


@register.filter
def money(cents: int, currency: str = "usd") -> str:
    """{{ pack.price_cents|money:pack.currency }} → "$5.00"."""
    return format_money(cents=cents, currency=currency or "usd")


@register.filter
def credits(count: int) -> str:
    """{{ account.available|credits }} → "1 credit" / "250 credits"."""
    return format_credits(count)


@register.filter
def dollars(amount: Decimal | float | str, decimals: int = 2) -> str:
    """{{ credit_usd|dollars:3 }} → "$0.010" for amounts already in dollars."""
    value = number_format(Decimal(str(amount)), decimal_pos=int(decimals), use_l10n=True)
    return _("%(symbol)s%(amount)s") % {"symbol": "$", "amount": value}
