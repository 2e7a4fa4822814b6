"""Reads for generation jobs; access checks raise NotFound so a stranger learns nothing."""

from __future__ import annotations

import time
from dataclasses import asdict
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from config.errors import DomainError, NotFound
from generation.backends import backend_classes
from generation.choices import DEFAULT_TIER, TIERS
from generation.models import GenerationAttempt, GenerationJob
from generation.provenance import ProvenanceCheck, check_clip
from generation.renderer.scene import understood
from generation.routing import CircuitState, route_plan_for, routing_snapshot
from likeness.selectors import job_visible_to_cameo_owner


def job_get_for_owner(*, user: User, job_id: UUID | str) -> GenerationJob:
    if not user.is_authenticated:
        raise NotFound("No such job.")
    job = (
        GenerationJob.objects.select_related("owner", "video").filter(pk=job_id, owner=user).first()
    )
    if job is None:
        raise NotFound("No such job.")
    return job


def job_get_for_viewer(*, user: User, job_id: UUID | str) -> GenerationJob:
    """A draft for its owner — or for the owner of a cameo it used (they may watch it)."""
    try:
        return job_get_for_owner(user=user, job_id=job_id)
    except NotFound:
        if job_visible_to_cameo_owner(user=user, job_id=job_id):
            return GenerationJob.objects.get(pk=job_id)
        raise


def jobs_for_owner(*, user: User) -> QuerySet[GenerationJob]:
    return GenerationJob.objects.filter(owner=user).select_related("owner", "video")


def provenance_check_upload(*, upload: Any) -> ProvenanceCheck:
    """Read an uploaded file's C2PA manifest: a valid Reverie clip, tampered with, or unsigned."""
    if upload.size > settings.PROVENANCE_CHECK_MAX_BYTES:
        limit = settings.PROVENANCE_CHECK_MAX_BYTES // (1024 * 1024)
        raise DomainError(
            f"Files up to {limit} MB can be checked.", fields={"file": ["Too large."]}
        )
    upload.seek(0)
    return check_clip(stream_or_path=upload)


def backend_spend_today() -> dict[str, Decimal]:
    """What each backend cost today (UTC day), from finished attempts' recorded costs."""
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    rows = (
        GenerationAttempt.objects.filter(finished_at__gte=start)
        .exclude(cost_usd__isnull=True)
        .values("backend")
        .annotate(total=Sum("cost_usd"))
    )
    return {row["backend"]: row["total"] for row in rows}


def backend_price_rows() -> list[dict[str, Any]]:
    """Every registered backend with its prices in force, for the public pricing page."""
    snapshot = routing_snapshot()
    now = time.time()
    rows = []
    for name, cls in backend_classes().items():
        state = snapshot.backends.get(name)
        if state is None:
            continue
        prices = [
            {"tier": tier, "resolution": resolution, "usd_per_second": price.usd_per_second,
             "as_of": price.as_of, "source": price.source}
            for (tier, resolution), price in sorted(state.prices.items())
        ]  # fmt: skip
        available = (
            state.enabled and cls.is_configured() and state.circuit(now) != CircuitState.OPEN
        )
        rows.append({"name": name, "label": cls.label, "available": available, "prices": prices})
    return rows


def route_quote(
    *,
    balance: int | None,
    seconds: int,
    aspect: str,
    tier: str,
    fps: int,
    policy: str,
    prompt: str,
    compare_backends: bool = True,
) -> dict[str, Any]:
    """For the quote API and the create page: every eligible backend's price and expected time,
    the policy's pick, why the others can't, and the viewer's balance (read by the door, which
    applies today's free credits) after the pick.

    Without ``compare_backends`` (everyone but staff) only the pick is shown — the other
    providers and which of them aren't configured are the operator's business — unless nothing
    can make the clip, when the reasons are the answer. ``understood`` is what the local
    renderer would draw of the prompt and which words it can't (None without a prompt).
    """
    plan = route_plan_for(
        prompt=prompt, seconds=seconds, aspect=aspect, tier=tier, fps=fps, policy=policy
    )
    candidates = [asdict(candidate) for candidate in plan.candidates]
    refusals = plan.refusals
    if not compare_backends and candidates:
        candidates, refusals = candidates[:1], {}
    body: dict[str, Any] = {
        "policy": plan.policy,
        "chosen": candidates[0] if candidates else None,
        "candidates": candidates,
        "refusals": refusals,
        "understood": understood(prompt) if prompt.strip(" -") else None,
        "balance": None,
        "balance_after": None,
        "affordable": None,
    }
    if balance is not None and candidates:
        body.update(balance_after_price(balance=balance, price=candidates[0]["credits"]))
    return body


def balance_after_price(*, balance: int, price: int) -> dict[str, Any]:
    """The "and after this clip" part of every quote."""
    return {"balance": balance, "balance_after": balance - price, "affordable": balance >= price}


def create_limits() -> dict[str, Any]:
    """What the API accepts, for the create form to hold itself to (the same settings the
    serializers validate with), so the form can't send what will be refused."""
    labels = {"standard": gettext("Standard"), "pro": gettext("Pro")}
    return {
        "prompt_chars": settings.GENERATION_MAX_PROMPT_CHARS,
        "max_seconds": settings.GENERATION_MAX_SECONDS,
        "tiers": [(tier, labels.get(tier, tier.title())) for tier in TIERS],
        "default_tier": DEFAULT_TIER,
    }


def routing_policy_choices() -> list[tuple[str, str]]:
    """The create page's "Backend" menu: the policies, then a pin per backend usable here."""
    choices = [
        ("cheapest", gettext("Cheapest")),
        ("fastest", gettext("Fastest")),
        ("best", gettext("Best quality")),
    ]
    for row in backend_price_rows():
        if row["available"]:
            label = gettext("Only %(backend)s") % {"backend": row["label"]}
            choices.append((f"pinned:{row['name']}", label))
    return choices
