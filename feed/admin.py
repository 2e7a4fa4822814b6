from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from feed import ranking
from feed.models import Comment, LessLikeThis, Report, Video

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

    @admin.display(description="poster")
    def poster_thumb(self, video: Video) -> str:
        return format_html('<img src="{}" style="height:64px" alt="">', video.poster.url)

    @admin.display(description="prompt")
    def prompt_excerpt(self, video: Video) -> str:
        return video.prompt[:60]

    @admin.display(description="clip")
    def player(self, video: Video) -> str:
        return format_html(
            '<video src="{}" poster="{}" controls loop style="max-height:480px"></video>',
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
            "<tr><td>{}</td><td style='text-align:right'>{}</td></tr>",
            ((PART_LABELS.get(name, name), f"{value:+.3f}") for name, value in parts.items()),
        )
        return format_html(
            "<table><tbody>{}<tr><th>score</th><th style='text-align:right'>{}</th></tr>"
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
