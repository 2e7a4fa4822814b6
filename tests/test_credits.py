"""Credits: the quote before the click, the hold at submit, capture at success (never above the
quote), release on failure or cancel, free credits first, the daily reset, revenue shares,
admin adjustments and reconciliation — and on PostgreSQL, correctness under concurrency."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from credits import services as credit_services
from credits.models import CreditAccount, EntryKind, LedgerEntry
from credits.selectors import reconcile
from feed.services import video_publish
from generation import services
from generation.backends.local import LocalRendererBackend
from generation.jobs import job_capture
from generation.models import GenerationJob, JobStatus, RightsHolder
from tests.factories import UserFactory

URL = "/api/v1/generations"


def _wallet(user: Any) -> CreditAccount:
    return credit_services.balance_for(user=user)


def _kinds(user: Any) -> list[str]:
    return list(
        LedgerEntry.objects.filter(account__user=user).order_by("id").values_list("kind", flat=True)
    )


@pytest.mark.django_db
def test_quote_before_the_click(api: APIClient, settings: Any) -> None:
    body = api.get("/api/v1/credits/quote", {"seconds": 10, "aspect": "9:16"}).json()
    # ⌈10 × 1.0 × (0.5 + 0.002 / 0.01 × 1.3)⌉ = ⌈7.6⌉
    assert body["credits"] == 8
    assert body["balance"] == settings.FREE_CREDITS_PER_DAY
    assert body["balance_after"] == settings.FREE_CREDITS_PER_DAY - 8
    assert body["affordable"] is True
    assert APIClient().get("/api/v1/credits/quote", {"seconds": 1}).json()["credits"] == 1
    bad = api.get("/api/v1/credits/quote", {"seconds": 11})
    assert bad.status_code == 400 and bad.json()["fields"]["seconds"]


@pytest.mark.django_db
def test_submit_holds_the_quote_and_success_captures_it(api: APIClient, user: Any) -> None:
    quote = api.get("/api/v1/credits/quote", {"seconds": 2}).json()["credits"]
    job_id = api.post(URL, {"prompt": "a fox", "seconds": 2}, format="json").json()["id"]
    wallet = _wallet(user)
    assert (wallet.held, wallet.available) == (quote, 40 - quote)
    assert services.job_run(job_id=job_id).status == "succeeded"
    services.job_run(job_id=job_id)  # a second delivery charges nothing more
    job_capture(job=GenerationJob.objects.get(pk=job_id), price=quote)
    job = GenerationJob.objects.get(pk=job_id)
    assert (job.quote_credits, job.charged_credits) == (quote, quote)
    wallet.refresh_from_db()
    assert (wallet.held, wallet.available) == (0, 40 - quote)
    assert _kinds(user) == [EntryKind.DAILY_FREE, EntryKind.HOLD, EntryKind.CAPTURE]
    assert api.get(f"{URL}/{job_id}").json()["charged_credits"] == quote
    assert reconcile() == []


@pytest.mark.django_db
def test_not_enough_credits_is_402_with_price_and_balance(
    api: APIClient, user: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.FREE_CREDITS_PER_DAY = 5
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(URL, {"prompt": "a long clip", "seconds": 10}, format="json")
    assert response.status_code == 402
    body = response.json()
    assert (body["code"], body["price"], body["balance"]) == ("insufficient_credits", 8, 5)
    assert "costs 8" in body["detail"]
    assert GenerationJob.objects.count() == 0 and callbacks == []
    assert _wallet(user).available == 5


@pytest.mark.django_db
def test_failure_and_cancel_release_the_hold(
    api: APIClient, user: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.GENERATION_MAX_RETRIES = 0
    monkeypatch.setattr(
        LocalRendererBackend, "submit", lambda self, spec, **kw: (_ for _ in ()).throw(OSError)
    )
    failing = api.post(URL, {"prompt": "doomed", "seconds": 3}, format="json").json()["id"]
    assert services.job_run(job_id=failing).status == "failed"
    cancelled = api.post(URL, {"prompt": "changed my mind", "seconds": 3}, format="json").json()
    api.post(f"{URL}/{cancelled['id']}/cancel")
    wallet = _wallet(user)
    assert (wallet.available, wallet.held) == (40, 0)
    assert GenerationJob.objects.get(pk=failing).charged_credits == 0
    assert LedgerEntry.objects.filter(kind=EntryKind.RELEASE).count() == 2
    # Settling again (the reaper's safety net) changes nothing.
    assert services.jobs_settle() == 0
    assert reconcile() == []


@pytest.mark.django_db
def test_free_credits_are_spent_before_paid_ones(api: APIClient, user: Any) -> None:
    credit_services.credits_adjust(user=user, amount=100, reason="welcome", actor=None)
    api.post(URL, {"prompt": "a", "seconds": 10}, format="json")
    wallet = _wallet(user)
    assert (wallet.free_balance, wallet.paid_balance, wallet.held) == (32, 100, 8)


@pytest.mark.django_db
def test_a_hold_bigger_than_the_free_credits_takes_the_rest_from_paid(
    api: APIClient, user: Any, settings: Any
) -> None:
    settings.FREE_CREDITS_PER_DAY = 3
    credit_services.credits_adjust(user=user, amount=10, reason="gift", actor=None)
    job_id = api.post(URL, {"prompt": "a", "seconds": 10}, format="json").json()["id"]
    wallet = _wallet(user)
    assert (wallet.free_balance, wallet.paid_balance) == (0, 5)
    job = GenerationJob.objects.get(pk=job_id)
    assert (job.hold_free, job.hold_paid) == (3, 5)
    # Captured at a lower real price: the unspent part goes back to paid credits.
    job_capture(job=job, price=6)
    wallet.refresh_from_db()
    assert (wallet.free_balance, wallet.paid_balance, wallet.held) == (0, 7, 0)
    assert GenerationJob.objects.get(pk=job_id).charged_credits == 6


@pytest.mark.django_db
def test_capture_never_exceeds_the_quote(api: APIClient, user: Any) -> None:
    job_id = api.post(URL, {"prompt": "a", "seconds": 5}, format="json").json()["id"]
    job = GenerationJob.objects.get(pk=job_id)
    job_capture(job=job, price=job.quote_credits + 50)
    assert GenerationJob.objects.get(pk=job_id).charged_credits == job.quote_credits
    assert _wallet(user).available == 40 - job.quote_credits


@pytest.mark.django_db
def test_the_daily_free_credits_reset_once_per_utc_day(user: Any, settings: Any) -> None:
    wallet = _wallet(user)
    yesterday = wallet.free_day - timedelta(days=1)
    # Pretend today's top-up happened yesterday and 33 credits were spent since.
    LedgerEntry.objects.filter(kind=EntryKind.DAILY_FREE).update(
        idempotency_key=f"daily:{wallet.pk}:{yesterday.isoformat()}"
    )
    CreditAccount.objects.filter(pk=wallet.pk).update(free_balance=7, free_day=yesterday)
    LedgerEntry.objects.create(
        account=wallet, kind=EntryKind.ADJUSTMENT, free_delta=-33, free_after=7, paid_after=0,
        held_after=0, idempotency_key="test:spent-yesterday",
    )  # fmt: skip
    assert credit_services.daily_free_refresh_all() == 1
    assert credit_services.daily_free_refresh_all() == 0
    wallet.refresh_from_db()
    assert wallet.free_balance == settings.FREE_CREDITS_PER_DAY  # reset, not accumulated
    assert LedgerEntry.objects.filter(kind=EntryKind.DAILY_FREE).count() == 2
    assert reconcile() == []


@pytest.mark.django_db
def test_licensed_characters_pay_their_rights_holder_on_publish(api: APIClient, user: Any) -> None:
    holder = RightsHolder.objects.create(
        name="Blobby", holder="Blob Inc", policy="license", revenue_share_percent=25
    )
    job_id = api.post(URL, {"prompt": "blobby surfing", "seconds": 10}, format="json").json()["id"]
    services.job_run(job_id=job_id)
    job = GenerationJob.objects.get(pk=job_id)
    assert job.charged_credits == 8
    video_publish(job=job, user=user)
    video_publish(job=job, user=user)  # publishing twice pays once
    earnings = CreditAccount.objects.get(rights_holder=holder)
    assert earnings.paid_balance == 2  # ⌊25 % of 8⌋
    assert LedgerEntry.objects.filter(kind=EntryKind.REVENUE_SHARE).count() == 1
    assert reconcile() == []


@pytest.mark.django_db
def test_admin_grant_is_audited_and_reconciliation_catches_tampering(user: Any) -> None:
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    wallet = _wallet(user)
    response = client.post(
        "/admin/credits/creditaccount/",
        {"action": "grant_or_adjust", "_selected_action": [wallet.pk], "amount": "25",
         "reason": "support ticket 42"},
    )  # fmt: skip
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind=EntryKind.GRANT)
    assert (entry.paid_delta, entry.actor, entry.memo) == (25, admin_user, "support ticket 42")
    no_reason = client.post(
        "/admin/credits/creditaccount/",
        {"action": "grant_or_adjust", "_selected_action": [wallet.pk], "amount": "5"},
    )
    assert no_reason.status_code == 302
    assert LedgerEntry.objects.filter(kind=EntryKind.GRANT).count() == 1
    assert client.get("/admin/credits/ledgerentry/").status_code == 200
    call_command("reconcile_credits")
    CreditAccount.objects.filter(pk=wallet.pk).update(paid_balance=999)
    with pytest.raises(Exception, match="mismatch"):
        call_command("reconcile_credits")


@pytest.mark.django_db
def test_wallet_and_pricing_pages(client: Client, user: Any) -> None:
    pricing = client.get("/pricing/").content.decode()
    assert "credits = ⌈" in pricing and 'id="price-table"' in pricing
    client.force_login(user)
    wallet = client.get("/wallet/").content.decode()
    assert "40</strong> credits available" in wallet
    assert "Purchases are disabled on this server." in wallet


@pytest.mark.django_db
def test_ledger_api_is_paginated(api: APIClient, user: Any) -> None:
    for index in range(3):
        credit_services.credits_adjust(user=user, amount=1, reason=f"r{index}", actor=None)
    body = api.get("/api/v1/credits/ledger").json()
    kinds = [entry["kind"] for entry in body["results"]]
    assert kinds.count("grant") == 3 and kinds.count("daily_free") == 1
    assert "next" in body
    assert api.get("/api/v1/credits/balance").json()["paid"] == 3


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT … FOR UPDATE) and 50 concurrent writers need PostgreSQL; "
    "SQLite serialises every writer on one file lock, so the race can't happen there",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submits_from_a_wallet_that_affords_ten(settings: Any) -> None:
    settings.FREE_CREDITS_PER_DAY = 0
    user = UserFactory()
    credit_services.credits_adjust(user=user, amount=10 * 8, reason="exactly ten", actor=None)
    barrier = threading.Barrier(50)

    def submit(index: int) -> int:
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=30)
            return client.post(URL, {"prompt": f"clip {index}", "seconds": 10},
                               format="json").status_code  # fmt: skip
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = list(pool.map(submit, range(50)))
    assert sorted(codes).count(201) == 10 and codes.count(402) == 40
    assert GenerationJob.objects.filter(owner=user, status=JobStatus.QUEUED).count() == 10
    wallet = _wallet(user)
    assert (wallet.available, wallet.held) == (0, 80)
    entries = LedgerEntry.objects.filter(account=wallet)
    assert min(entries.values_list("paid_after", flat=True)) >= 0
    assert sum(e.paid_delta for e in entries) == wallet.paid_balance
    assert reconcile() == []


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_key_twice_in_parallel_makes_one_job_and_one_hold() -> None:
    user = UserFactory()
    barrier = threading.Barrier(2)

    def submit(_: int) -> tuple[int, str]:
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=30)
            response = client.post(URL, {"prompt": "twice", "seconds": 4}, format="json",
                                   HTTP_IDEMPOTENCY_KEY="same")  # fmt: skip
            return response.status_code, response.json()["id"]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(submit, range(2)))
    assert sorted(code for code, _ in results) == [200, 201]
    assert len({job_id for _, job_id in results}) == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.HOLD).count() == 1
    assert reconcile() == []


@pytest.mark.django_db
def test_opted_in_cameo_owners_earn_a_share_on_publish(client: Client, settings: Any) -> None:
    from likeness.models import Cameo

    settings.CAMEO_REVENUE_SHARE_PERCENT = 25
    star, shy, creator = UserFactory(), UserFactory(), UserFactory()
    Cameo.objects.create(owner=star, handle=star.username, status="approved",
                         permission="everyone", revenue_share_opt_in=True)  # fmt: skip
    Cameo.objects.create(owner=shy, handle=shy.username, status="approved", permission="everyone")
    api = APIClient()
    api.force_authenticate(creator)
    prompt = f"@{star.username} and @{shy.username} dancing"
    job_id = api.post(URL, {"prompt": prompt, "seconds": 10}, format="json").json()["id"]
    services.job_run(job_id=job_id)
    job = GenerationJob.objects.get(pk=job_id)
    video_publish(job=job, user=creator)
    video_publish(job=job, user=creator)
    earnings = CreditAccount.objects.get(user=star, kind="earnings")
    assert earnings.paid_balance == 2  # ⌊25 % of 8⌋, once
    assert not CreditAccount.objects.filter(user=shy, kind="earnings").exists()
    client.force_login(star)
    assert (
        "credits earned from clips that used your cameo" in client.get("/wallet/").content.decode()
    )
    assert reconcile() == []
