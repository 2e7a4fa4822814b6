"""Reads for credits: ledger pages and the reconciliation of balances against the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce

from credits.models import CreditAccount, LedgerEntry


def hold_exists(*, job_id: Any) -> bool:
    """Whether a job's credits were ever held (so there is something to settle)."""
    return LedgerEntry.objects.filter(idempotency_key=f"hold:{job_id}").exists()


def ledger_for_account(*, account: CreditAccount) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(account=account).select_related("job").order_by("-id")


@dataclass(frozen=True)
class Mismatch:
    account_id: int
    field: str
    cached: int
    from_ledger: int


def reconcile() -> list[Mismatch]:
    """Every cached balance must equal the sum of its ledger deltas (one aggregate query)."""
    sums = {
        row["account"]: row
        for row in LedgerEntry.objects.values("account").annotate(
            free=Coalesce(Sum("free_delta"), 0),
            paid=Coalesce(Sum("paid_delta"), 0),
            held=Coalesce(Sum("held_delta"), 0),
        )
    }
    mismatches: list[Mismatch] = []
    for account in CreditAccount.objects.all().iterator():
        row = sums.get(account.pk, {"free": 0, "paid": 0, "held": 0})
        for field, cached in (
            ("free", account.free_balance),
            ("paid", account.paid_balance),
            ("held", account.held),
        ):
            if row[field] != cached:
                mismatches.append(Mismatch(account.pk, field, cached, row[field]))
    return mismatches
