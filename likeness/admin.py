"""Cameo verification queue for moderators: recordings waiting for review first, uncertain
verdicts before failed and passed ones; the recording plays here with each check's verdict and
its evidence (the numbers heard, when a face was visible, the head-turn track), a red warning
when checks failed badly, and approve/reject through the service (which tells the owner and
refuses to approve such a recording without a typed reason)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import DomainError
from likeness.models import Cameo, CameoUsage, VerificationAttempt, VerificationStatus
from likeness.services import REVIEW_REASON_MIN, verification_review

CHECK_NAMES = {
    "face_present": gettext_lazy("Face in the picture"),
    "one_person": gettext_lazy("One person"),
    "head_turns": gettext_lazy("Head turns"),
    "sharpness": gettext_lazy("Sharpness"),
    "lighting": gettext_lazy("Light"),
    "numbers_heard": gettext_lazy("Numbers heard"),
    "spoken_while_visible": gettext_lazy("Numbers read with the face in view"),
    "recorded_after_challenge": gettext_lazy("Recorded after the challenge"),
    "subject_present": gettext_lazy("Subject in the picture"),
}
MARKS = {"pass": "✔", "uncertain": "?", "fail": "✖"}
TURN_LETTERS = {"c": "·", "l": "L", "r": "R", "-": " "}


class ReviewForm(ActionForm):
    note = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Note / reason"),
        help_text=gettext_lazy(
            "Told to the owner. Required (at least %(count)s characters) to approve a recording "
            "whose checks failed badly."
        )
        % {"count": REVIEW_REASON_MIN},
    )


@admin.register(VerificationAttempt)
class VerificationAttemptAdmin(admin.ModelAdmin):
    action_form = ReviewForm
    list_display = [
        "id", "cameo", "owner", "status", "verdict_badge", "uploaded_at", "reviewed_by",
    ]  # fmt: skip
    list_filter = ["status", "verdict", "checks_severe", "cameo__kind"]
    search_fields = ["cameo__handle", "cameo__owner__username"]
    list_select_related = ["cameo", "cameo__owner", "reviewed_by"]
    readonly_fields = [
        "warning", "cameo", "status", "challenge", "recording", "portrait", "checks_table",
        "numbers_heard", "face_timeline", "uploaded_at", "checked_at", "reviewed_by",
        "reviewed_at", "review_note",
    ]  # fmt: skip
    exclude = ["clip", "checks", "checks_passed", "verdict", "checks_severe"]
    actions = ["approve", "reject"]

    class Media:
        css = {"all": ["css/cameo_review.css"]}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None or not obj.checks_severe:
            fields.remove("warning")  # the red box only when there is something to warn about
        return fields

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        """Waiting for review first; among those uncertain, then failed, then passed; oldest
        upload first (it has waited longest)."""
        waiting = Case(
            When(status=VerificationStatus.PENDING_REVIEW, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        verdict = Case(
            When(verdict="uncertain", then=Value(0)),
            When(verdict="fail", then=Value(1)),
            When(verdict="pass", then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
        return [waiting.asc(), verdict.asc(), "uploaded_at", "pk"]

    @admin.display(description=gettext_lazy("checks"), ordering="verdict")
    def verdict_badge(self, attempt: VerificationAttempt) -> SafeString:
        if not attempt.verdict:
            return format_html('<span class="verdict">{}</span>', _("not checked"))
        label = attempt.get_verdict_display()
        if attempt.checks_severe:
            label = _("%(verdict)s — failed badly") % {"verdict": label}
        return format_html(
            '<span class="verdict verdict-{}{}">{}</span>',
            attempt.verdict,
            " verdict-severe" if attempt.checks_severe else "",
            label,
        )

    @admin.display(description="")
    def warning(self, attempt: VerificationAttempt) -> SafeString | str:
        if not attempt.checks_severe:
            return ""
        checks = (attempt.checks or {}).get("checks") or {}
        bad = [
            (str(CHECK_NAMES.get(name, name)), item.get("detail", ""))
            for name, item in checks.items()
            if item.get("severe")
        ]
        return format_html(
            '<div class="review-warning" role="alert"><strong>{}</strong><ul>{}</ul>{}</div>',
            _("Checks failed badly."),
            format_html_join("", "<li>{}: {}</li>", bad),
            _("Approve only with a typed reason (the Note field next to the actions)."),
        )

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
        return format_html('<video src="{}" controls class="review-recording"></video>', url)

    @admin.display(description="reference portrait")
    def portrait(self, attempt: VerificationAttempt) -> str:
        if not attempt.cameo.portrait:
            return "—"
        url = reverse("likeness:verification-media", args=[attempt.pk, "portrait"])
        return format_html('<img src="{}" class="review-portrait" alt="">', url)

    @admin.display(description=gettext_lazy("automatic checks"))
    def checks_table(self, attempt: VerificationAttempt) -> SafeString | str:
        checks = (attempt.checks or {}).get("checks") or {}
        if not checks:
            return _("Not checked yet.")
        rows = []
        for name, item in checks.items():
            verdict = item.get("verdict") or ("pass" if item.get("passed") else "fail")
            rows.append(
                (
                    verdict,
                    MARKS.get(verdict, "?"),
                    CHECK_NAMES.get(name, name),
                    item.get("detail", ""),
                )  # fmt: skip
            )
        return format_html(
            '<table class="review-checks">{}</table>',
            format_html_join(
                "", '<tr class="verdict-{}"><td>{}</td><th>{}</th><td>{}</td></tr>', rows
            ),
        )

    @admin.display(description=gettext_lazy("numbers heard"))
    def numbers_heard(self, attempt: VerificationAttempt) -> SafeString | str:
        evidence = (attempt.checks or {}).get("evidence") or {}
        if not evidence:
            return "—"
        asked = ", ".join(str(n) for n in (attempt.challenge or {}).get("numbers", []))
        audio = evidence.get("audio")
        if audio == "none":
            return _("No sound track (asked: %(asked)s).") % {"asked": asked}
        if audio == "silent":
            return _("Silent, loudest %(level)s dBFS (asked: %(asked)s).") % {
                "level": evidence.get("audio_level_dbfs"), "asked": asked,
            }  # fmt: skip
        numbers = evidence.get("numbers") or []
        return format_html(
            '<p>{}</p><table class="review-numbers"><tr><th>{}</th><th>{}</th><th>{}</th></tr>'
            "{}</table>",
            _("Asked: %(asked)s") % {"asked": asked},
            _("heard"), _("at (s)"), _("confidence"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}–{}</td><td>{}</td></tr>",
                ((n["value"], n["start"], n["end"], f"{100 * n['confidence']:.0f} %")
                 for n in numbers),
            ),
        )  # fmt: skip

    @admin.display(description=gettext_lazy("face and head over time"))
    def face_timeline(self, attempt: VerificationAttempt) -> SafeString | str:
        """One cell per sampled frame: green with a face, red without; the letter is where the
        head pointed (L/R: the person's left/right, · straight); spoken numbers are marked."""
        evidence = (attempt.checks or {}).get("evidence") or {}
        timeline = evidence.get("timeline") or []
        if not timeline:
            return "—"
        spans = [(n["start"], n["end"], n["value"]) for n in evidence.get("numbers") or []]
        cells = []
        for time, face, state in timeline:
            spoken = next((str(v) for a, b, v in spans if a - 0.2 <= time <= b + 0.2), "")
            title = f"{time:.1f} s" + (f" · {spoken}" if spoken else "")
            cells.append(
                (
                    "face" if face else "noface",
                    " spoken" if spoken else "",
                    title,
                    TURN_LETTERS.get(state, " "),
                )  # fmt: skip
            )
        return format_html(
            '<div class="review-timeline">{}</div><p class="help">{}</p>',
            format_html_join("", '<span class="{}{}" title="{}">{}</span>', cells),
            _(
                "One cell per sampled frame, %(first)s s to %(last)s s: green with a face, red "
                "without; L/R a head turned to the person's left/right; underlined while a "
                "number was heard."
            )
            % {"first": timeline[0][0], "last": timeline[-1][0]},
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

    @admin.action(
        description=gettext_lazy("Approve (the cameo becomes usable)"), permissions=["change"]
    )
    def approve(self, request: HttpRequest, queryset: QuerySet[VerificationAttempt]) -> None:
        self._review(request, queryset.filter(status=VerificationStatus.PENDING_REVIEW), True)

    @admin.action(
        description=gettext_lazy("Reject (the note is told to the owner)"), permissions=["change"]
    )
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
