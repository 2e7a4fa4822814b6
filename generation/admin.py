from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from generation import services
from generation.models import GenerationJob, PolicyTerm, RightsHolder


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = [
        "short_id",
        "owner",
        "prompt_excerpt",
        "status",
        "progress",
        "seconds",
        "aspect",
        "backend",
        "attempts",
        "render_seconds",
        "created_at",
    ]
    list_filter = ["status", "aspect", "backend", "created_at"]
    search_fields = ["id", "prompt", "owner__username", "error"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in GenerationJob._meta.fields if f.name not in {"prompt"}] + [
        "preview"
    ]
    actions = ["cancel_jobs"]

    @admin.display(description="id")
    def short_id(self, job: GenerationJob) -> str:
        return str(job.id)[:8]

    @admin.display(description="prompt")
    def prompt_excerpt(self, job: GenerationJob) -> str:
        return job.prompt[:60]

    @admin.display(description="preview")
    def preview(self, job: GenerationJob) -> str:
        if not job.video_file:
            return "—"
        # Drafts are private to their owners: the admin shows their metadata, not the clip.
        return format_html(
            "{}×{} · {:.2f} s · {} bytes", job.width, job.height, job.duration or 0, job.file_size
        )

    @admin.action(description="Cancel selected jobs")
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet[GenerationJob]) -> None:
        cancelled = 0
        for job in queryset:
            if not job.is_final:
                services.job_cancel(job=job)
                cancelled += 1
        self.message_user(request, f"Cancelled {cancelled} job(s).")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PolicyTerm)
class PolicyTermAdmin(admin.ModelAdmin):
    list_display = ["pattern", "category", "kind", "active", "reason", "created_at"]
    list_filter = ["category", "kind", "active"]
    list_editable = ["active"]
    search_fields = ["pattern", "reason"]


@admin.register(RightsHolder)
class RightsHolderAdmin(admin.ModelAdmin):
    list_display = ["name", "holder", "policy", "revenue_share_percent", "active"]
    list_filter = ["policy", "active"]
    search_fields = ["name", "holder", "aliases"]
