"""The backends admin: switches and quality scores, the dated price table, live health and
circuit state, today's spend — and every change reaching the router at once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from generation.backend_health import backends_sync
from generation.backends import backend_classes
from generation.backends.base import GenerationSpec
from generation.models import (
    AttemptOutcome,
    BackendConfig,
    BackendPrice,
    GenerationAttempt,
    GenerationJob,
)
from generation.routing import plan_route, routing_snapshot, routing_snapshot_invalidate
from tests.factories import UserFactory

BACKENDS_URL = "/admin/generation/backendconfig/"
PRICES_URL = "/admin/generation/backendprice/"


@pytest.fixture
def staff_client(db: None) -> Client:
    backends_sync()  # a row per registered backend, as after migrate
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


def _plan() -> Any:
    return plan_route(GenerationSpec(prompt="x", seconds=5), "cheapest")


def _attempts(
    backend: str, *, outcomes: list[str], cost: str | None = None, latency: float = 4.0
) -> GenerationJob:
    """Finished attempts of one job, one per outcome, as health and spend read them."""
    job = GenerationJob.objects.create(owner=UserFactory(), prompt="p", seconds=5, seed=1)
    finished = timezone.now()
    for number, outcome in enumerate(outcomes, start=1):
        GenerationAttempt.objects.create(
            job=job, number=number, backend=backend, outcome=outcome, provider_seconds=5,
            cost_usd=Decimal(cost) if cost is not None else None,
            started_at=finished - timedelta(seconds=latency), finished_at=finished,
        )  # fmt: skip
    routing_snapshot_invalidate()
    return job


def _changelist_post_data(client: Client, **changes: dict[str, Any]) -> dict[str, Any]:
    """The list_editable form as the browser would send it back, with `changes` per backend."""
    formset = client.get(BACKENDS_URL).context["cl"].formset
    data: dict[str, Any] = {
        f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
        f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
        "_save": "Save",
    }
    for form in formset.forms:
        values = {"enabled": form.instance.enabled, "quality": form.instance.quality}
        values |= changes.get(form.instance.name, {})
        data[f"{form.prefix}-id"] = str(form.instance.pk)
        data[f"{form.prefix}-quality"] = str(values["quality"])
        if values["enabled"]:  # an unchecked box is simply absent
            data[f"{form.prefix}-enabled"] = "on"
    return data


# ---------------------------------------------------------------------------------------------
# The changelist
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_changelist_shows_every_backend_with_health_circuit_and_spend(
    staff_client: Client,
) -> None:
    _attempts("local", outcomes=["succeeded"] * 3 + ["failed"], cost="0.0100")
    _attempts("runway", outcomes=["succeeded"], cost="0.5000")
    _attempts("local", outcomes=["cancelled"], cost=None)  # no cost, not in health
    BackendConfig.objects.filter(name="runway").update(
        consecutive_failures=3, circuit_opened_at=timezone.now()
    )
    BackendConfig.objects.create(name="retired")  # a backend no longer in settings
    routing_snapshot_invalidate()

    response = staff_client.get(BACKENDS_URL)
    assert response.status_code == 200
    html = response.content.decode()
    for name, cls in backend_classes().items():
        assert name in html and cls.label in html
    # local: 3 of 4 succeeded, 4 s each; $0.01 × 4 spent today.
    assert "75% ok · p50 4.0 s · p95 4.0 s · 4 samples" in html
    assert "$0.0400" in html
    assert "$0.5000" in html
    assert "open (3 failures)" in html
    assert "closed" in html
    assert "no recent attempts" in html
    assert "standard 720p $0.0020/s" in html
    assert "retired" in html and "(not registered)" in html


@pytest.mark.django_db
def test_changelist_runs_a_bounded_number_of_queries(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    def count() -> int:
        routing_snapshot_invalidate()  # health is rebuilt from the attempts every time
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(BACKENDS_URL).status_code == 200
        return len(queries)

    staff_client.get(BACKENDS_URL)  # warm the session
    few = count()
    for backend in backend_classes():
        _attempts(backend, outcomes=["succeeded", "failed", "timed_out"], cost="0.1")
    many = count()
    assert few == many, "queries grow with the rows shown"
    routing_snapshot_invalidate()
    with django_assert_max_num_queries(12):
        staff_client.get(BACKENDS_URL)


@pytest.mark.django_db
def test_disabling_through_the_changelist_reaches_the_router_at_once(
    staff_client: Client,
) -> None:
    assert _plan().chosen is not None and _plan().chosen.backend == "local"
    routing_snapshot()  # a cached copy exists; the save must not leave it in force

    data = _changelist_post_data(staff_client, local={"enabled": False, "quality": 70})
    response = staff_client.post(BACKENDS_URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    config = BackendConfig.objects.get(name="local")
    assert config.enabled is False and config.quality == 70
    plan = _plan()
    assert "local" not in {candidate.backend for candidate in plan.candidates}
    assert plan.refusals["local"] == "is switched off"

    data = _changelist_post_data(staff_client, local={"enabled": True})
    assert staff_client.post(BACKENDS_URL, data).status_code == 302
    assert _plan().chosen.backend == "local"
    assert routing_snapshot().backends["local"].quality == 70


@pytest.mark.django_db
def test_enable_and_disable_actions(staff_client: Client) -> None:
    local = BackendConfig.objects.get(name="local")
    routing_snapshot()
    action = {"_selected_action": [str(local.pk)]}
    response = staff_client.post(BACKENDS_URL, {"action": "disable_backends", **action})
    assert response.status_code == 302
    assert _plan().refusals["local"] == "is switched off"
    response = staff_client.post(BACKENDS_URL, {"action": "enable_backends", **action})
    assert response.status_code == 302
    assert _plan().chosen.backend == "local"


@pytest.mark.django_db
def test_reset_circuit_action_closes_an_open_circuit(staff_client: Client) -> None:
    BackendConfig.objects.filter(name="local").update(
        consecutive_failures=5, circuit_opened_at=timezone.now()
    )
    routing_snapshot_invalidate()
    assert _plan().refusals["local"] == "is paused after repeated failures"
    assert "open (5 failures)" in staff_client.get(BACKENDS_URL).content.decode()

    local = BackendConfig.objects.get(name="local")
    response = staff_client.post(
        BACKENDS_URL, {"action": "reset_circuit", "_selected_action": [str(local.pk)]}
    )
    assert response.status_code == 302

    local.refresh_from_db()
    assert local.consecutive_failures == 0 and local.circuit_opened_at is None
    assert _plan().chosen.backend == "local"
    assert "open (5 failures)" not in staff_client.get(BACKENDS_URL).content.decode()


@pytest.mark.django_db
def test_no_adding_or_deleting_backends(staff_client: Client) -> None:
    html = staff_client.get(BACKENDS_URL).content.decode()
    assert "delete_selected" not in html
    assert staff_client.get(f"{BACKENDS_URL}add/").status_code == 403
    local = BackendConfig.objects.get(name="local")
    assert staff_client.get(f"{BACKENDS_URL}{local.pk}/delete/").status_code == 403


# ---------------------------------------------------------------------------------------------
# The change page and its price table
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_change_page_shows_status_and_the_dated_price_table(staff_client: Client) -> None:
    _attempts("local", outcomes=["succeeded", "failed"], cost="0.0200")
    local = BackendConfig.objects.get(name="local")
    html = staff_client.get(f"{BACKENDS_URL}{local.pk}/change/").content.decode()
    assert "Reverie local renderer" in html
    assert "50% ok" in html and "$0.0400" in html
    assert "add a new row dated the day it takes effect" in html
    assert 'name="prices-0-usd_per_second"' in html


@pytest.mark.django_db
def test_a_price_added_through_the_inline_is_what_the_router_uses(staff_client: Client) -> None:
    local = BackendConfig.objects.get(name="local")
    today = timezone.localdate()
    # The seeded price may be dated today; date it back so today's row is the newer one.
    BackendPrice.objects.filter(backend=local).update(as_of=today - timedelta(days=30))
    routing_snapshot_invalidate()
    old = _plan().chosen.usd_per_second
    routing_snapshot()  # cached before the change

    rows = [("0.0010", today), ("0.0500", today + timedelta(days=7))]  # a raise, not yet due
    data: dict[str, Any] = {
        "enabled": "on",
        "quality": str(local.quality),
        "prices-TOTAL_FORMS": str(len(rows)),
        "prices-INITIAL_FORMS": "0",
        "prices-MIN_NUM_FORMS": "0",
        "prices-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, (usd, as_of) in enumerate(rows):
        data |= {
            f"prices-{index}-tier": "standard",
            f"prices-{index}-resolution": "720p",
            f"prices-{index}-usd_per_second": usd,
            f"prices-{index}-as_of": as_of.isoformat(),
            f"prices-{index}-source": "operator",
        }
    response = staff_client.post(f"{BACKENDS_URL}{local.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]

    assert BackendPrice.objects.filter(backend=local, source="operator").count() == 2
    chosen = _plan().chosen
    assert chosen.backend == "local" and chosen.usd_per_second == Decimal("0.0010") != old
    # The old rows stay: the table is the price history.
    assert BackendPrice.objects.filter(backend=local, as_of__lt=today).exists()


@pytest.mark.django_db
def test_price_changelist_lists_newest_first_and_filters(staff_client: Client) -> None:
    local = BackendConfig.objects.get(name="local")
    today = timezone.localdate()
    BackendPrice.objects.create(
        backend=local, tier="standard", resolution="720p", usd_per_second=Decimal("0.0123"),
        as_of=today + timedelta(days=365), source="next year",
    )  # fmt: skip
    response = staff_client.get(f"{PRICES_URL}?backend__id__exact={local.pk}")
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows and {row.backend.name for row in rows} == {"local"}
    assert rows[0].source == "next year"
    assert [row.as_of for row in rows] == sorted((row.as_of for row in rows), reverse=True)
    assert staff_client.get(f"{PRICES_URL}?tier=pro").status_code == 200


# ---------------------------------------------------------------------------------------------
# Jobs and their attempts
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_job_change_page_shows_its_attempts(staff_client: Client) -> None:
    job = _attempts("runway", outcomes=["timed_out", "succeeded"], cost="0.2500", latency=12.5)
    GenerationAttempt.objects.filter(job=job, number=1).update(
        error_code="provider_timeout", error="The provider took too long.",
        provider_job_id="rw-task-123",
    )  # fmt: skip
    GenerationJob.objects.filter(pk=job.pk).update(
        routing_policy="fastest", route=["runway", "local"], quote_credits=40, charged_credits=35
    )
    html = staff_client.get(f"/admin/generation/generationjob/{job.pk}/change/").content.decode()
    assert "Backend attempts" in html
    assert "rw-task-123" in html and "provider_timeout" in html
    assert "The provider took too long." in html
    assert "12.5 s" in html and "0.2500" in html
    assert AttemptOutcome.TIMED_OUT.label in html

    listing = staff_client.get("/admin/generation/generationjob/?routing_policy=fastest")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "runway → local" in text and "fastest" in text
    other = staff_client.get("/admin/generation/generationjob/?routing_policy=best")
    assert "runway → local" not in other.content.decode()
