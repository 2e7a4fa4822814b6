from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from feed.models import Video


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "poster_thumb",
        "creator",
        "prompt_excerpt",
        "status",
        "duration",
        "aspect",
        "published_at",
    ]
    list_filter = ["status", "aspect", "published_at"]
    search_fields = ["prompt", "caption", "creator__username"]
    list_select_related = ["creator"]
    date_hierarchy = "published_at"
    readonly_fields = ["player", "job", "public_token", "file", "poster", "published_at"]

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
