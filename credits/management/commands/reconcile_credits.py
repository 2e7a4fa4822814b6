"""Recompute every balance from the ledger and report any mismatch (exit 1 if there is one)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from credits.models import CreditAccount, LedgerEntry
from credits.selectors import reconcile


class Command(BaseCommand):
    help = "Check that every cached credit balance equals the sum of its ledger entries."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = reconcile()
        accounts, entries = CreditAccount.objects.count(), LedgerEntry.objects.count()
        for problem in problems:
            self.stderr.write(
                f"account {problem.account_id} {problem.field}: cached {problem.cached}, "
                f"ledger says {problem.from_ledger}"
            )
        if problems:
            raise CommandError(f"{len(problems)} mismatch(es) in {accounts} accounts")
        self.stdout.write(f"OK: {accounts} accounts match their {entries} ledger entries")
