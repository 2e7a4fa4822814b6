"""Credits in the admin: a read-only ledger browser, accounts with a reasoned grant/adjust action
(through the service, so it is a ledger entry with who and why), packs, purchases, and the
reconciliation report."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest

from config.errors import DomainError
from credits.models import CreditAccount, CreditPack, LedgerEntry, Purchase
from credits.selectors import reconcile
from credits.services import credits_adjust


class AdjustForm(ActionForm):
    amount = forms.IntegerField(
        required=False, help_text="Credits: positive grants, negative takes."
    )
    reason = forms.CharField(required=False, max_length=300)


@admin.register(CreditAccount)
class CreditAccountAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "user", "rights_holder", "free_balance", "paid_balance", "held",
                    "free_day", "updated_at"]  # fmt: skip
    list_filter = ["kind"]
    search_fields = ["user__username", "rights_holder__name"]
    list_select_related = ["user", "rights_holder"]
    readonly_fields = ["kind", "user", "rights_holder", "free_balance", "paid_balance", "held",
                       "free_day"]  # fmt: skip
    action_form = AdjustForm
    actions = ["grant_or_adjust", "reconciliation_report"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Grant or adjust credits (amount and reason above)")
    def grant_or_adjust(self, request: HttpRequest, queryset: QuerySet[CreditAccount]) -> None:
        try:
            amount = int(request.POST.get("amount") or 0)
        except ValueError:
            amount = 0
        for account in queryset.select_related("user"):
            if account.user is None:
                self.message_user(request, f"Account {account.pk} has no user.", messages.ERROR)
                continue
            try:
                reason = request.POST.get("reason", "")
                credits_adjust(user=account.user, amount=amount, reason=reason, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"{account.user}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"{account.user}: {amount:+} credits recorded.")

    @admin.action(description="Reconciliation report (all accounts)")
    def reconciliation_report(
        self, request: HttpRequest, queryset: QuerySet[CreditAccount]
    ) -> None:
        problems = reconcile()
        if not problems:
            self.message_user(request, "Every balance matches its ledger.")
        for problem in problems:
            self.message_user(
                request,
                f"Account {problem.account_id} {problem.field}: cached {problem.cached}, "
                f"ledger {problem.from_ledger}",
                messages.ERROR,
            )


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Append-only: browse and search, never add, change or delete."""

    list_display = ["id", "created_at", "account", "kind", "free_delta", "paid_delta",
                    "held_delta", "free_after", "paid_after", "job", "actor", "memo"]  # fmt: skip
    list_filter = ["kind", "created_at"]
    search_fields = ["idempotency_key", "memo", "account__user__username"]
    list_select_related = ["account", "account__user", "actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CreditPack)
class CreditPackAdmin(admin.ModelAdmin):
    list_display = ["name", "credits", "price_cents", "currency", "active", "sort_order"]
    list_editable = ["active", "sort_order"]


@admin.register(Purchase)
class PurchaseAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "pack", "credits", "amount_cents", "currency", "status",
                    "created_at", "paid_at"]  # fmt: skip
    list_filter = ["status"]
    search_fields = ["user__username", "stripe_session_id"]
    readonly_fields = [f.name for f in Purchase._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
