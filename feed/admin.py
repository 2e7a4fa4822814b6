from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from config.errors import DomainError
from feed import ranking
from feed.models import (
    Comment,
    LessLikeThis,
    ModerationAction,
    ModerationActionKind,
    Report,
    ReportedVideo,
    Video,
)
from feed.moderation import moderation_act
from feed.selectors import moderation_history_for_creators

PART_LABELS = {
    "likes": "likes (log)",
    "comments": "comments (log)",
    "remixes": "remixes (log)",
    "completion": "completion rate vs. 50 %",
    "creator": "creator quality vs. 50 %",
    "freshness": f"freshness (ln 2 per {ranking.HALF_LIFE_HOURS:g} h since the epoch)",
}


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "poster_thumb",
        "creator",
        "prompt_excerpt",
        "status",
        "score",
        "like_count",
        "comment_count",
        "remix_count",
        "view_count",
        "published_at",
    ]
    list_filter = ["status", "aspect", "published_at"]
    search_fields = ["prompt", "caption", "creator__username"]
    list_select_related = ["creator"]
    date_hierarchy = "published_at"
    readonly_fields = [
        "player",
        "why_this_clip",
        "job",
        "public_token",
        "file",
        "poster",
        "published_at",
        "remix_of",
        "remix_root",
        "remix_depth",
        "like_count",
        "comment_count",
        "remix_count",
        "view_count",
        "completed_view_count",
        "watch_ms_total",
        "score",
        "scored_at",
        "activity_at",
        "keywords",
    ]
    exclude = ["score_parts"]
    raw_id_fields = ["creator"]

    class Media:
        css = {"all": ["css/admin-queues.css"]}

    @admin.display(description=gettext_lazy("poster"))
    def poster_thumb(self, video: Video) -> str:
        return format_html(
            '<img class="rv-thumb" src="{}" alt="" loading="lazy" width="36" height="64">',
            video.poster.url,
        )

    @admin.display(description=gettext_lazy("prompt"))
    def prompt_excerpt(self, video: Video) -> str:
        return video.prompt[:60]

    @admin.display(description=gettext_lazy("clip"))
    def player(self, video: Video) -> str:
        return format_html(
            '<video class="rv-player" src="{}" poster="{}" controls loop></video>',
            video.file.url,
            video.poster.url,
        )

    @admin.display(description="why this clip (For You score)")
    def why_this_clip(self, video: Video) -> str:
        parts = video.score_parts or {}
        if not parts:
            return "Not scored yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td class='rv-num'>{}</td></tr>",
            ((PART_LABELS.get(name, name), f"{value:+.3f}") for name, value in parts.items()),
        )
        return format_html(
            "<table><tbody>{}<tr><th>score</th><th class='rv-num'>{}</th></tr>"
            "</tbody></table><p>{} likes · {} comments · {} remixes · {} of {} views completed"
            " · scored {}</p>",
            rows,
            f"{video.score:.3f}",
            video.like_count,
            video.comment_count,
            video.remix_count,
            video.completed_view_count,
            video.view_count,
            video.scored_at or "never",
        )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "video", "author", "body_excerpt", "parent", "created_at", "deleted_at"]
    list_filter = ["created_at", "deleted_at"]
    search_fields = ["body", "author__username"]
    list_select_related = ["author", "video"]
    raw_id_fields = ["video", "author", "parent", "deleted_by", "mentions"]

    @admin.display(description="comment")
    def body_excerpt(self, comment: Comment) -> str:
        return comment.body[:80]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["id", "video", "reporter", "reason", "created_at", "resolved_at"]
    list_filter = ["reason", "resolved_at", "created_at"]
    search_fields = ["details", "reporter__username", "video__prompt"]
    list_select_related = ["reporter", "video"]
    raw_id_fields = ["video", "reporter"]


@admin.register(LessLikeThis)
class LessLikeThisAdmin(admin.ModelAdmin):
    list_display = ["user", "video", "creator", "created_at"]
    list_select_related = ["user", "video", "creator"]
    raw_id_fields = ["user", "video", "creator"]


class ModerationActionForm(ActionForm):
    reason = forms.CharField(
        required=False, max_length=500, help_text="Why (recorded, and told to the people affected)."
    )


ONE_CLICK_ACTIONS = [
    (ModerationActionKind.DISMISS, gettext_lazy("Dismiss")),
    (ModerationActionKind.HIDE_VIDEO, gettext_lazy("Hide")),
    (ModerationActionKind.REMOVE_VIDEO, gettext_lazy("Remove")),
    (ModerationActionKind.WARN_USER, gettext_lazy("Warn")),
    (ModerationActionKind.BAN_USER, gettext_lazy("Ban")),
]


class ReportsChangeList(ChangeList):
    """The page's clips, each with its creator's recent moderation history (one query)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        videos = list(self.result_list)
        history = moderation_history_for_creators(
            creator_ids=sorted({video.creator_id for video in videos})
        )
        for video in videos:
            video.creator_history = history.get(video.creator_id, [])  # type: ignore[attr-defined]
        self.result_list = videos  # type: ignore[assignment]


@admin.register(ReportedVideo)
class ReportsQueueAdmin(admin.ModelAdmin):
    """Clips with open reports, most reported then oldest first; every action asks for a reason
    (prefilled per row with what the reports say) and is audited."""

    action_form = ModerationActionForm
    list_display = [
        "id",
        "poster_thumb",
        "creator_with_history",
        "prompt_excerpt",
        "status",
        "open_reports",
        "reasons",
        "first_reported",
        "one_click",
    ]
    list_display_links = ["id"]
    list_filter = ["status", "reports__reason"]
    search_fields = ["prompt", "creator__username", "reports__details"]
    readonly_fields = ["player", "open_report_list"]
    fields = ["player", "creator", "prompt", "status", "open_report_list"]
    actions = ["hide_clips", "remove_clips", "dismiss_reports", "warn_creators", "ban_creators"]
    list_per_page = 50

    class Media:
        css = {"all": ["css/admin-queues.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportedVideo]:
        open_reports = Report.objects.filter(resolved_at__isnull=True).order_by("created_at")
        return (
            super()
            .get_queryset(request)
            .filter(reports__resolved_at__isnull=True)
            .annotate(
                open_count=Count("reports", filter=Q(reports__resolved_at__isnull=True)),
                first_report_at=Min("reports__created_at"),
            )
            .select_related("creator")
            .prefetch_related(
                Prefetch(
                    "reports", queryset=open_reports.select_related("reporter"), to_attr="open"
                )
            )
            .order_by("-open_count", "first_report_at", "id")
            .distinct()
        )

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ReportsChangeList

    def get_urls(self) -> list[Any]:
        urls = [
            path(
                "<int:video_id>/act/",
                self.admin_site.admin_view(self.act_view),
                name="feed_reportedvideo_act",
            )
        ]
        return urls + super().get_urls()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("poster"))
    def poster_thumb(self, video: Video) -> str:
        return format_html(
            '<img class="rv-thumb" src="{}" alt="" loading="lazy" width="36" height="64">',
            video.poster.url,
        )

    @admin.display(description=gettext_lazy("prompt"))
    def prompt_excerpt(self, video: Video) -> str:
        return video.prompt[:120]

    @admin.display(description=gettext_lazy("clip"))
    def player(self, video: Video) -> str:
        return format_html(
            '<video class="rv-player" src="{}" poster="{}" controls loop></video>',
            video.file.url,
            video.poster.url,
        )

    @admin.display(description=gettext_lazy("creator and their history"))
    def creator_with_history(self, video: ReportedVideo) -> str:
        creator = video.creator
        standing = []
        if not creator.is_active:
            standing.append(_("banned"))
        if creator.warning_count:
            standing.append(
                ngettext("%(n)d warning", "%(n)d warnings", creator.warning_count)
                % {"n": creator.warning_count}
            )
        history = getattr(video, "creator_history", [])
        items = format_html_join(
            "",
            "<li>{} · {}{}</li>",
            (
                (
                    action.created_at.strftime("%Y-%m-%d"),
                    action.get_action_display(),
                    f" (#{action.video_id})" if action.video_id else "",
                )
                for action in history
            ),
        )
        return format_html(
            '@{} <span class="rv-warn">{}</span><ul class="rv-history">{}</ul>',
            creator.username,
            ", ".join(standing),
            items or format_html("<li>{}</li>", _("no earlier actions")),
        )

    @admin.display(description=gettext_lazy("open reports"), ordering="open_count")
    def open_reports(self, video: ReportedVideo) -> int:
        return video.open_count  # type: ignore[attr-defined]

    @staticmethod
    def _reason_counts(video: ReportedVideo) -> str:
        counts = Counter(report.get_reason_display() for report in video.open)  # type: ignore[attr-defined]
        return ", ".join(f"{reason} ×{n}" for reason, n in counts.most_common())

    @admin.display(description=gettext_lazy("reasons"))
    def reasons(self, video: ReportedVideo) -> str:
        details = [report.details for report in video.open if report.details][:3]  # type: ignore[attr-defined]
        return format_html(
            "{}{}",
            self._reason_counts(video),
            format_html_join("", "<br><q>{}</q>", ((d[:120],) for d in details)),
        )

    @admin.display(description=gettext_lazy("first reported"), ordering="first_report_at")
    def first_reported(self, video: ReportedVideo) -> object:
        return video.first_report_at  # type: ignore[attr-defined]

    @admin.display(description=gettext_lazy("act (one click)"))
    def one_click(self, video: ReportedVideo) -> str:
        # Buttons of the changelist's own form (no nested form), sent to this clip's act URL.
        url = reverse("admin:feed_reportedvideo_act", args=[video.pk])
        default_reason = _("Reported: %(reasons)s") % {"reasons": self._reason_counts(video)}
        return format_html(
            '<input type="text" name="reason-{}" value="{}" maxlength="500" '
            'aria-label="{}" class="rv-reason">{}',
            video.pk,
            default_reason[:500],
            _("Reason"),
            format_html_join(
                " ",
                '<button type="submit" class="button" formaction="{}" name="rv_action" '
                'value="{}">{}</button>',
                ((url, kind.value, label) for kind, label in ONE_CLICK_ACTIONS),
            ),
        )

    def act_view(self, request: HttpRequest, video_id: int) -> HttpResponse:
        """One clip, one action, from the row's button; back to the queue with a message."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        action = request.POST.get("rv_action", "")
        reason = request.POST.get(f"reason-{video_id}", "").strip()
        video = Video.objects.select_related("creator").filter(pk=video_id).first()
        if video is None or action not in {kind.value for kind, _label in ONE_CLICK_ACTIONS}:
            self.message_user(request, _("Nothing done: unknown clip or action."), messages.ERROR)
        else:
            try:
                moderation_act(moderator=request.user, action=action, reason=reason, video=video)
                self.message_user(
                    request,
                    _("%(action)s: clip #%(id)d.")
                    % {"action": ModerationActionKind(action).label, "id": video.pk},
                )
            except DomainError as error:
                self.message_user(request, f"#{video.pk}: {error.message}", messages.ERROR)
        return redirect("admin:feed_reportedvideo_changelist")

    @admin.display(description=gettext_lazy("open reports"))
    def open_report_list(self, video: ReportedVideo) -> str:
        reports = Report.objects.filter(video=video, resolved_at__isnull=True).select_related(
            "reporter"
        )
        return (
            format_html_join(
                "",
                "<p><strong>{}</strong> by @{} — {}</p>",
                ((r.get_reason_display(), r.reporter.username, r.details or "") for r in reports),
            )
            or "None"
        )

    def _act(self, request: HttpRequest, queryset: QuerySet[ReportedVideo], action: str) -> None:
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, _("Write a reason first."), level=messages.ERROR)
            return
        done = 0
        for video in queryset.select_related("creator"):
            try:
                moderation_act(moderator=request.user, action=action, reason=reason, video=video)
                done += 1
            except DomainError as error:
                self.message_user(request, f"#{video.pk}: {error.message}", level=messages.ERROR)
        self.message_user(request, f"{ModerationActionKind(action).label}: {done} clip(s).")

    @admin.action(description=gettext_lazy("Hide the clips"), permissions=["change"])
    def hide_clips(self, request: HttpRequest, queryset: QuerySet[ReportedVideo]) -> None:
        self._act(request, queryset, ModerationActionKind.HIDE_VIDEO)

    @admin.action(description=gettext_lazy("Remove the clips"), permissions=["change"])
    def remove_clips(self, request: HttpRequest, queryset: QuerySet[ReportedVideo]) -> None:
        self._act(request, queryset, ModerationActionKind.REMOVE_VIDEO)

    @admin.action(
        description=gettext_lazy("Dismiss the reports (leave the clips up)"), permissions=["change"]
    )
    def dismiss_reports(self, request: HttpRequest, queryset: QuerySet[ReportedVideo]) -> None:
        self._act(request, queryset, ModerationActionKind.DISMISS)

    @admin.action(description=gettext_lazy("Warn the creators"), permissions=["change"])
    def warn_creators(self, request: HttpRequest, queryset: QuerySet[ReportedVideo]) -> None:
        self._act(request, queryset, ModerationActionKind.WARN_USER)

    @admin.action(
        description=gettext_lazy("Ban the creators (hides all their content)"),
        permissions=["change"],
    )
    def ban_creators(self, request: HttpRequest, queryset: QuerySet[ReportedVideo]) -> None:
        self._act(request, queryset, ModerationActionKind.BAN_USER)


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The audit trail, read-only."""

    list_display = ["created_at", "moderator", "action", "video", "target_user", "reason",
                    "reports_resolved"]  # fmt: skip
    list_filter = ["action", "created_at"]
    search_fields = ["reason", "moderator__username", "target_user__username"]
    list_select_related = ["moderator", "video", "target_user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
