from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from generation import services
from generation.backend_health import backends_set_enabled, breakers_close
from generation.backends import backend_classes
from generation.models import (
    BackendConfig,
    BackendPrice,
    GenerationAttempt,
    GenerationJob,
    PolicyCategory,
    PolicyTerm,
    RightsHolder,
)
from generation.routing import BackendState, routing_snapshot
from generation.selectors import backend_spend_today

PRICE_HISTORY_HELP = (
    "To change a price, add a new row dated the day it takes effect instead of editing an old "
    "one: the newest row not after today is the price in force, and the older rows are the "
    "history of what was charged when."
)


class GenerationAttemptInline(admin.TabularInline):
    """A job's tries on the backends of its route, read-only."""

    model = GenerationAttempt
    fields = [
        "number",
        "backend",
        "model",
        "outcome",
        "error_code",
        "error",
        "provider_job_id",
        "provider_seconds",
        "cost_usd",
        "started_at",
        "finished_at",
        "latency",
    ]
    readonly_fields = list(fields)
    ordering = ["number"]
    extra = 0
    can_delete = False
    verbose_name_plural = "backend attempts"

    @admin.display(description="latency")
    def latency(self, attempt: GenerationAttempt) -> str:
        seconds = attempt.latency_seconds
        return "—" if seconds is None else f"{seconds:.1f} s"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
        "routing_policy",
        "route_display",
        "backend",
        "attempts",
        "quote_credits",
        "charged_credits",
        "render_seconds",
        "created_at",
    ]
    list_filter = ["status", "aspect", "routing_policy", "backend", "created_at"]
    search_fields = ["id", "prompt", "owner__username", "error"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in GenerationJob._meta.fields if f.name not in {"prompt"}] + [
        "preview"
    ]
    inlines = [GenerationAttemptInline]
    actions = ["cancel_jobs"]

    @admin.display(description="id")
    def short_id(self, job: GenerationJob) -> str:
        return str(job.id)[:8]

    @admin.display(description="prompt")
    def prompt_excerpt(self, job: GenerationJob) -> str:
        return job.prompt[:60]

    @admin.display(description="route")
    def route_display(self, job: GenerationJob) -> str:
        return " → ".join(str(name) for name in job.route) if job.route else "—"

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


# ---------------------------------------------------------------------------------------------
# Backends: the operator's switches, the dated price table, live health and today's spend
# ---------------------------------------------------------------------------------------------


class BackendPriceInline(admin.TabularInline):
    model = BackendPrice
    fields = ["tier", "resolution", "usd_per_second", "as_of", "source"]
    ordering = ["-as_of", "tier", "resolution"]
    extra = 1
    # Old rows are the history of what was charged when; they are corrected, not removed.
    can_delete = False
    verbose_name_plural = "dated price table (newest first; a price change is a new row)"

    def get_formset(
        self, request: HttpRequest, obj: Any = None, **kwargs: Any
    ) -> type[BaseInlineFormSet]:
        help_texts = {"usd_per_second": PRICE_HISTORY_HELP, **kwargs.pop("help_texts", {})}
        return super().get_formset(request, obj, help_texts=help_texts, **kwargs)


def _circuit_text(state: BackendState, now: float) -> str:
    circuit = state.circuit(now).replace("_", "-")
    failures = state.consecutive_failures
    if not failures:
        return circuit
    return f"{circuit} ({failures} failure{'' if failures == 1 else 's'})"


def _health_text(state: BackendState) -> str:
    health = state.health
    rate = health.success_rate
    if rate is None:
        return "no recent attempts"
    parts = [f"{rate:.0%} ok"]
    if health.p50_s is not None:
        parts.append(f"p50 {health.p50_s:.1f} s")
    if health.p95_s is not None:
        parts.append(f"p95 {health.p95_s:.1f} s")
    parts.append(f"{health.samples} sample{'' if health.samples == 1 else 's'}")
    return " · ".join(parts)


def _prices_text(state: BackendState) -> str:
    if not state.prices:
        return "none"
    return "; ".join(
        f"{tier} {resolution} ${price.usd_per_second}/s"
        for (tier, resolution), price in sorted(state.prices.items())
    )


@admin.register(BackendConfig)
class BackendConfigAdmin(admin.ModelAdmin):
    """Rows are created by `backends_sync` for every registered backend; the operator switches
    them, scores them and keeps their price table. Health, circuit and prices in force come from
    the router's cached snapshot; today's spend is read once per page."""

    list_display = [
        "name",
        "label",
        "enabled",
        "quality",
        "configured",
        "circuit",
        "health",
        "prices_in_force",
        "spend_today",
    ]
    list_display_links = ["name"]
    list_editable = ["enabled", "quality"]
    list_filter = ["enabled"]
    fieldsets = [
        (None, {"fields": ["name", "label", "enabled", "quality"]}),
        (
            "On this server",
            {
                "fields": [
                    "configured",
                    "circuit",
                    "consecutive_failures",
                    "circuit_opened_at",
                    "health",
                    "spend_today",
                    "updated_at",
                ]
            },
        ),
        ("Prices", {"fields": ["prices_in_force"], "description": PRICE_HISTORY_HELP}),
    ]
    readonly_fields = [
        "name",
        "label",
        "configured",
        "circuit",
        "consecutive_failures",
        "circuit_opened_at",
        "health",
        "spend_today",
        "updated_at",
        "prices_in_force",
    ]
    inlines = [BackendPriceInline]
    actions = ["reset_circuit", "enable_backends", "disable_backends"]

    # The snapshot and today's spend, attached to each row once per page (see `_attach`).
    _STATE = "_admin_state"
    _SPEND = "_admin_spend"

    def _attach(self, configs: Any) -> None:
        snapshot = routing_snapshot()
        spend = backend_spend_today()
        for config in configs:
            setattr(config, self._STATE, snapshot.backends.get(config.name))
            setattr(config, self._SPEND, spend.get(config.name))

    def _state(self, config: BackendConfig) -> BackendState | None:
        if not hasattr(config, self._STATE):  # the change page: one row
            self._attach([config])
        return getattr(config, self._STATE)

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)
        # Evaluates the page's rows once; the table and the list_editable formset reuse them.
        self._attach(changelist.result_list)
        return changelist

    @admin.display(description="label")
    def label(self, config: BackendConfig) -> str:
        cls = backend_classes().get(config.name)
        return cls.label if cls is not None else "(not registered)"

    @admin.display(description="configured on this server", boolean=True)
    def configured(self, config: BackendConfig) -> bool | None:
        cls = backend_classes().get(config.name)
        return cls.is_configured() if cls is not None else None

    @admin.display(description="circuit")
    def circuit(self, config: BackendConfig) -> str:
        state = self._state(config)
        return "—" if state is None else _circuit_text(state, time.time())

    @admin.display(description="health (last day)")
    def health(self, config: BackendConfig) -> str:
        state = self._state(config)
        return "—" if state is None else _health_text(state)

    @admin.display(description="prices in force")
    def prices_in_force(self, config: BackendConfig) -> str:
        state = self._state(config)
        return "—" if state is None else _prices_text(state)

    @admin.display(description="spend today (USD)")
    def spend_today(self, config: BackendConfig) -> str:
        self._state(config)
        spend: Decimal | None = getattr(config, self._SPEND)
        return f"${spend or Decimal(0):.4f}"

    @admin.action(description="Reset circuit breaker (close it)", permissions=["change"])
    def reset_circuit(self, request: HttpRequest, queryset: QuerySet[BackendConfig]) -> None:
        closed = breakers_close(names=list(queryset.values_list("name", flat=True)))
        self.message_user(request, f"Closed the circuit of {closed} backend(s).")

    @admin.action(description="Enable selected backends", permissions=["change"])
    def enable_backends(self, request: HttpRequest, queryset: QuerySet[BackendConfig]) -> None:
        names = list(queryset.values_list("name", flat=True))
        changed = backends_set_enabled(names=names, enabled=True)
        self.message_user(request, f"Enabled {changed} backend(s).")

    @admin.action(description="Disable selected backends", permissions=["change"])
    def disable_backends(self, request: HttpRequest, queryset: QuerySet[BackendConfig]) -> None:
        names = list(queryset.values_list("name", flat=True))
        changed = backends_set_enabled(names=names, enabled=False)
        self.message_user(request, f"Disabled {changed} backend(s).")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # backends_sync creates a row per registered backend

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BackendPrice)
class BackendPriceAdmin(admin.ModelAdmin):
    list_display = ["backend", "tier", "resolution", "usd_per_second", "as_of", "source"]
    list_filter = ["backend", "tier"]
    list_select_related = ["backend"]
    search_fields = ["backend__name", "source"]
    ordering = ["-as_of", "backend__name", "tier", "resolution"]
    date_hierarchy = "as_of"

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm]:
        help_texts = {"usd_per_second": PRICE_HISTORY_HELP, **kwargs.pop("help_texts", {})}
        return super().get_form(request, obj, change=change, help_texts=help_texts, **kwargs)


@admin.register(PolicyCategory)
class PolicyCategoryAdmin(admin.ModelAdmin):
    """Switch a whole category on or off; its reason is what people are told."""

    list_display = ["slug", "name", "position", "active", "check_comments",
                    "waived_by_own_cameo", "rule_count", "reason"]  # fmt: skip
    list_editable = ["active", "check_comments"]
    readonly_fields = ["updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PolicyCategory]:
        return super().get_queryset(request).annotate(rules=Count("terms"))

    @admin.display(description=_("rules"), ordering="rules")
    def rule_count(self, category: PolicyCategory) -> int:
        return category.rules  # type: ignore[attr-defined]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["slug", "updated_at"] if obj is not None else ["updated_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switch it off instead: rules point at it


@admin.register(PolicyTerm)
class PolicyTermAdmin(admin.ModelAdmin):
    """Policy rules: shipped ones carry a key (edit or switch them; the default-policy
    migration never overwrites them), moderators add their own."""

    list_display = ["__str__", "category", "kind", "terms_excerpt", "near_excerpt", "window",
                    "active", "reason"]  # fmt: skip
    list_filter = ["category", "kind", "active"]
    list_editable = ["active"]
    list_select_related = ["category"]
    search_fields = ["key", "pattern", "near", "unless", "reason"]
    readonly_fields = ["key", "created_at", "updated_at"]
    fields = ["key", "category", "kind", "pattern", "near", "window", "unless", "reason", "active",
              "created_at", "updated_at"]  # fmt: skip

    @admin.display(description=_("terms"))
    def terms_excerpt(self, term: PolicyTerm) -> str:
        return _excerpt(term.pattern)

    @admin.display(description=_("near"))
    def near_excerpt(self, term: PolicyTerm) -> str:
        return _excerpt(term.near)


def _excerpt(lines: str, count: int = 6) -> str:
    items = [line.strip() for line in lines.splitlines() if line.strip()]
    more = f" … (+{len(items) - count})" if len(items) > count else ""
    return " · ".join(items[:count]) + more


@admin.register(RightsHolder)
class RightsHolderAdmin(admin.ModelAdmin):
    list_display = ["name", "holder", "policy", "revenue_share_percent", "active", "key"]
    list_filter = ["policy", "active"]
    list_editable = ["active"]
    search_fields = ["name", "holder", "aliases", "key"]
    readonly_fields = ["key", "created_at", "updated_at"]
