"""Credits: accounts with cached balances and the append-only ledger that justifies them.

Every change of a balance is one LedgerEntry written in the same transaction, under a row lock on
the account; `reconcile_credits` recomputes balances from the ledger and reports any mismatch.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AccountKind(models.TextChoices):
    USER = "user", "User wallet"
    EARNINGS = "earnings", "Cameo owner's earnings"
    RIGHTS_HOLDER = "rights_holder", "Rights holder's earnings"


class CreditAccount(models.Model):
    kind = models.CharField(max_length=20, choices=AccountKind.choices, default=AccountKind.USER)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="credit_accounts",
    )  # fmt: skip
    rights_holder = models.ForeignKey(
        "generation.RightsHolder", null=True, blank=True, on_delete=models.PROTECT,
        related_name="credit_accounts",
    )  # fmt: skip
    # Free credits are spent first and reset each UTC day; paid credits never expire.
    free_balance = models.IntegerField(default=0)
    paid_balance = models.IntegerField(default=0)
    held = models.IntegerField(default=0, help_text="Reserved for jobs still running.")
    free_day = models.DateField(null=True, blank=True, help_text="UTC day of the last free reset.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(user__isnull=False),
                name="credit_account_user_kind",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["rights_holder"],
                condition=models.Q(rights_holder__isnull=False),
                name="credit_account_rights_holder",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=models.Q(free_balance__gte=0, paid_balance__gte=0, held__gte=0),
                name="credit_account_never_negative",
            ),
        ]

    def __str__(self) -> str:
        owner = self.user_id or self.rights_holder_id
        return f"{self.get_kind_display()} {owner}: {self.available} available"

    @property
    def available(self) -> int:
        return self.free_balance + self.paid_balance


class EntryKind(models.TextChoices):
    GRANT = "grant", "Grant"
    DAILY_FREE = "daily_free", "Daily free credits"
    PURCHASE = "purchase", "Purchase"
    HOLD = "hold", "Hold for a job"
    CAPTURE = "capture", "Capture (job succeeded)"
    RELEASE = "release", "Release (job failed or cancelled)"
    REFUND = "refund", "Refund"
    REVENUE_SHARE = "revenue_share", "Revenue share"
    ADJUSTMENT = "adjustment", "Adjustment"


class LedgerEntry(models.Model):
    """One movement. Deltas are signed; *_after are the balances right after it. Never updated."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    free_delta = models.IntegerField(default=0)
    paid_delta = models.IntegerField(default=0)
    held_delta = models.IntegerField(default=0)
    free_after = models.IntegerField()
    paid_after = models.IntegerField()
    held_after = models.IntegerField()
    idempotency_key = models.CharField(max_length=200, unique=True)
    # SET_NULL: a deleted draft leaves its money movements (the idempotency key still names it).
    job = models.ForeignKey(
        "generation.GenerationJob", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="ledger_entries",
    )  # fmt: skip
    purchase = models.ForeignKey(
        "credits.Purchase", null=True, blank=True, on_delete=models.PROTECT,
        related_name="ledger_entries",
    )  # fmt: skip
    memo = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text="Who made a manual grant or adjustment.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-id"], name="ledger_account_recent")]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.free_delta:+}/{self.paid_delta:+}/{self.held_delta:+}"

    @property
    def amount(self) -> int:
        """The change in what the holder can spend."""
        return self.free_delta + self.paid_delta


class CreditPack(models.Model):
    name = models.CharField(max_length=60)
    credits = models.PositiveIntegerField()
    price_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="usd")
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "price_cents"]

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.credits} credits for {self.price_cents / 100:.2f} {self.currency}"
        )


class PurchaseStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"


class Purchase(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pack = models.ForeignKey(CreditPack, on_delete=models.PROTECT)
    credits = models.PositiveIntegerField()
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=10, choices=PurchaseStatus.choices, default=PurchaseStatus.PENDING
    )
    stripe_session_id = models.CharField(max_length=255, null=True, blank=True, unique=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"purchase {self.pk} ({self.status})"
