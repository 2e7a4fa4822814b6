"""The flagged-output queue: clips the detector held, with the frames it saw; moderators release
them (the creator gets the draft) or confirm them (they stay blocked)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import DomainError, NotFound
from config.media import stored_file_response
from config.storage import private_storage
from moderation import selectors, services
from moderation.models import FlaggedOutput, FlagStatus


class DecisionForm(ActionForm):
    reason = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Needed to confirm; told to the creator."),
    )


@admin.register(FlaggedOutput)
class FlaggedOutputAdmin(admin.ModelAdmin):
    action_form = DecisionForm
    list_display = ["id", "frames_strip", "creator", "prompt_excerpt", "finding", "status",
                    "created_at"]  # fmt: skip
    list_filter = ["status", "top_label", "created_at"]
    search_fields = ["job__prompt", "job__owner__username"]
    fields = ["player", "creator", "prompt", "finding", "status", "all_frames", "decided_by",
              "decided_at", "decision_reason"]  # fmt: skip
    readonly_fields = fields
    actions = ["release", "confirm"]

    class Media:
        css = {"all": ["css/admin-queues.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[FlaggedOutput]:
        return selectors.flagged_queue()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # kept as the record of what was refused

    def get_urls(self) -> list[Any]:
        urls = [
            path(
                "<int:flagged_id>/file/<str:what>",
                self.admin_site.admin_view(self.file_view),
                name="moderation_flaggedoutput_file",
            )
        ]
        return urls + super().get_urls()

    def file_view(self, request: HttpRequest, flagged_id: int, what: str) -> HttpResponse:
        try:
            name = selectors.flagged_file_for_moderator(
                user=request.user, flagged_id=flagged_id, what=what
            )
        except NotFound as exc:
            raise Http404(exc.message) from exc
        return stored_file_response(request, private_storage(), name, private=True)

    @staticmethod
    def _file_url(flagged: FlaggedOutput, what: str) -> str:
        return reverse("admin:moderation_flaggedoutput_file", args=[flagged.pk, what])

    def _frames_html(self, flagged: FlaggedOutput, *, only_blocking: bool) -> str:
        frames = [f for f in flagged.frames.all() if f.blocking or not only_blocking]
        return format_html(
            '<div class="rv-frames">{}</div>',
            format_html_join(
                "",
                '<figure class="rv-frame{}"><img class="rv-thumb rv-sensitive" src="{}" alt="" '
                'loading="lazy"><figcaption>{} s{}</figcaption></figure>',
                (
                    (
                        " rv-frame-blocking" if frame.blocking else "",
                        self._file_url(flagged, f"frame-{frame.pk}"),
                        f"{frame.at_seconds:g}",
                        "".join(f" · {d['label']} {d['score']:.2f}" for d in frame.detections[:3]),
                    )
                    for frame in frames
                ),
            ),
        )

    @admin.display(description=gettext_lazy("frames that blocked it"))
    def frames_strip(self, flagged: FlaggedOutput) -> str:
        return self._frames_html(flagged, only_blocking=True)

    @admin.display(description=gettext_lazy("sampled frames (hover to unblur)"))
    def all_frames(self, flagged: FlaggedOutput) -> str:
        return self._frames_html(flagged, only_blocking=False)

    @admin.display(description=gettext_lazy("clip"))
    def player(self, flagged: FlaggedOutput) -> str:
        return format_html(
            '<video class="rv-player rv-sensitive" src="{}" controls preload="none"></video>',
            self._file_url(flagged, "clip"),
        )

    @admin.display(description=gettext_lazy("creator"), ordering="job__owner__username")
    def creator(self, flagged: FlaggedOutput) -> str:
        return f"@{flagged.job.owner.username}"

    @admin.display(description=gettext_lazy("prompt"))
    def prompt(self, flagged: FlaggedOutput) -> str:
        return flagged.job.prompt

    @admin.display(description=gettext_lazy("prompt"))
    def prompt_excerpt(self, flagged: FlaggedOutput) -> str:
        return flagged.job.prompt[:80]

    @admin.display(description=gettext_lazy("finding"), ordering="-top_score")
    def finding(self, flagged: FlaggedOutput) -> str:
        return _("%(label)s %(score).2f at %(at)s s (%(n)d frames sampled)") % {
            "label": flagged.top_label,
            "score": flagged.top_score,
            "at": f"{flagged.top_at_seconds:g}",
            "n": flagged.frames_sampled,
        }

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[FlaggedOutput], release: bool
    ) -> None:
        reason = request.POST.get("reason", "").strip()
        done = 0
        for flagged in queryset.filter(status=FlagStatus.PENDING):
            try:
                if release:
                    services.flagged_output_release(
                        flagged_id=flagged.pk, moderator=request.user, reason=reason
                    )
                else:
                    services.flagged_output_confirm(
                        flagged_id=flagged.pk, moderator=request.user, reason=reason
                    )
                done += 1
            except DomainError as error:
                self.message_user(request, f"#{flagged.pk}: {error.message}", messages.ERROR)
        verb = _("Released") if release else _("Confirmed")
        self.message_user(request, _("%(verb)s: %(n)d clip(s).") % {"verb": verb, "n": done})

    @admin.action(description=gettext_lazy("Release: the creator gets the draft"),
                  permissions=["change"])  # fmt: skip
    def release(self, request: HttpRequest, queryset: QuerySet[FlaggedOutput]) -> None:
        self._decide(request, queryset, release=True)

    @admin.action(description=gettext_lazy("Confirm: it stays blocked (reason needed)"),
                  permissions=["change"])  # fmt: skip
    def confirm(self, request: HttpRequest, queryset: QuerySet[FlaggedOutput]) -> None:
        self._decide(request, queryset, release=False)
