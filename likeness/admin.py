"""Cameo verification queue for moderators: the recording plays here, the automatic checks are
shown, and approve/reject go through the service (which tells the owner)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from config.errors import DomainError
from likeness.models import Cameo, CameoUsage, VerificationAttempt, VerificationStatus
from likeness.services import verification_review


class ReviewForm(ActionForm):
    note = forms.CharField(required=False, max_length=500, help_text="Told to the owner.")


@admin.register(VerificationAttempt)
class VerificationAttemptAdmin(admin.ModelAdmin):
    action_form = ReviewForm
    list_display = ["id", "cameo", "owner", "status", "checks_passed", "uploaded_at", "reviewed_by"]
    list_filter = ["status", "checks_passed", "cameo__kind"]
    search_fields = ["cameo__handle", "cameo__owner__username"]
    list_select_related = ["cameo", "cameo__owner", "reviewed_by"]
    readonly_fields = [
        "cameo", "status", "challenge", "recording", "portrait", "checks_table",
        "uploaded_at", "checked_at", "reviewed_by", "reviewed_at", "review_note",
    ]  # fmt: skip
    exclude = ["clip", "checks"]
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="owner")
    def owner(self, attempt: VerificationAttempt) -> str:
        return f"@{attempt.cameo.owner.username}"

    @admin.display(description="recording")
    def recording(self, attempt: VerificationAttempt) -> str:
        if not attempt.clip:
            return "—"
        url = reverse("likeness:verification-media", args=[attempt.pk, "clip"])
        return format_html('<video src="{}" controls style="max-height:420px"></video>', url)

    @admin.display(description="reference portrait")
    def portrait(self, attempt: VerificationAttempt) -> str:
        if not attempt.cameo.portrait:
            return "—"
        url = reverse("likeness:verification-media", args=[attempt.pk, "portrait"])
        return format_html('<img src="{}" style="height:160px" alt="">', url)

    @admin.display(description="automatic checks")
    def checks_table(self, attempt: VerificationAttempt) -> str:
        checks = (attempt.checks or {}).get("checks") or {}
        if not checks:
            return "Not checked yet."
        return format_html(
            "<table>{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (name, "✔" if item.get("passed") else "✖", item.get("detail", ""))
                    for name, item in checks.items()
                ),
            ),
        )

    def _review(self, request: HttpRequest, queryset: QuerySet[VerificationAttempt],
                approve: bool) -> None:  # fmt: skip
        note = request.POST.get("note", "")
        for attempt in queryset.select_related("cameo", "cameo__owner"):
            try:
                verification_review(attempt=attempt, moderator=request.user, approve=approve,
                                    note=note)  # fmt: skip
            except DomainError as error:
                self.message_user(request, f"#{attempt.pk}: {error.message}", messages.ERROR)

    @admin.action(description="Approve (the cameo becomes usable)", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[VerificationAttempt]) -> None:
        self._review(request, queryset.filter(status=VerificationStatus.PENDING_REVIEW), True)

    @admin.action(description="Reject (note above is told to the owner)", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[VerificationAttempt]) -> None:
        self._review(request, queryset.filter(status=VerificationStatus.PENDING_REVIEW), False)


@admin.register(Cameo)
class CameoAdmin(admin.ModelAdmin):
    list_display = ["handle", "owner", "kind", "status", "permission", "created_at", "approved_at"]
    list_filter = ["kind", "status", "permission"]
    search_fields = ["handle", "owner__username"]
    list_select_related = ["owner"]
    readonly_fields = ["owner", "kind", "status", "approved_at", "rejected_at", "revoked_at"]
    exclude = ["portrait"]


@admin.register(CameoUsage)
class CameoUsageAdmin(admin.ModelAdmin):
    list_display = ["cameo", "requester", "job", "created_at", "deleted_by_owner_at"]
    list_select_related = ["cameo", "requester"]
    search_fields = ["cameo__handle", "requester__username", "prompt"]
    readonly_fields = ["cameo", "job", "requester", "prompt", "deleted_by_owner_at"]
