"""The router and a job's attempts across backends, end to end through real SDKs.

Runway and Luma are driven through their official SDKs against local fakes of their APIs
(tests/fakes); the local renderer is the real one. Polls are run by calling the same service the
Celery task calls, one step at a time, so every state is observable (test_e2e_router runs them
through a real worker).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import av
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from credits.models import LedgerEntry
from credits.services import balance_for, credits_adjust
from generation import attempts, services
from generation.backends import reset_backend_instances
from generation.backends.base import GenerationSpec
from generation.models import (
    AttemptOutcome,
    BackendConfig,
    BackendPrice,
    GenerationAttempt,
    GenerationJob,
    JobStatus,
)
from generation.pricing import price_credits
from generation.provenance import check_clip
from generation.routing import plan_route, routing_snapshot, routing_snapshot_invalidate
from tests.factories import UserFactory
from tests.fakes.luma import FakeLuma
from tests.fakes.runway import FakeRunway

LOCAL = "generation.backends.local.LocalRendererBackend"
RUNWAY = "generation.backends.runway.RunwayBackend"
LUMA = "generation.backends.luma.LumaBackend"
URL = "/api/v1/generations"


@dataclass
class Providers:
    runway: FakeRunway
    luma: FakeLuma


@pytest.fixture
def providers(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Providers]:
    with FakeRunway() as runway, FakeLuma() as luma:
        monkeypatch.setenv("RUNWAYML_API_SECRET", runway.api_key)
        monkeypatch.setenv("RUNWAY_BASE_URL", runway.url)
        monkeypatch.setenv("RUNWAY_TIMEOUT", "2")
        monkeypatch.setenv("LUMA_AGENTS_API_KEY", luma.api_key)
        monkeypatch.setenv("LUMA_BASE_URL", luma.base_url)
        monkeypatch.setenv("LUMA_TIMEOUT", "2")
        settings.GENERATION_BACKENDS = [LOCAL, RUNWAY, LUMA]
        reset_backend_instances()
        routing_snapshot_invalidate()
        yield Providers(runway, luma)
    reset_backend_instances()
    routing_snapshot_invalidate()


def _switch(name: str, *, enabled: bool) -> None:
    BackendConfig.objects.filter(name=name).update(enabled=enabled)
    routing_snapshot_invalidate()


def _rich_user() -> Any:
    user = UserFactory()
    credits_adjust(user=user, amount=2000, reason="test budget", actor=None)
    return user


def _spec(**fields: Any) -> GenerationSpec:
    return GenerationSpec(**({"prompt": "a lighthouse in a storm", "seconds": 5} | fields))


def _submit(user: Any, **fields: Any) -> GenerationJob:
    request = services.JobRequest(**({"prompt": "a lighthouse in a storm", "seconds": 5} | fields))
    job, created = services.job_create(owner=user, request=request)
    assert created
    return job


def _drive(job: GenerationJob, *, max_polls: int = 20) -> GenerationJob:
    """Run the job, then each scheduled poll in turn (what the Celery tasks do), until it ends."""
    services.job_run(job_id=job.pk)
    for _ in range(max_polls):
        job.refresh_from_db()
        if job.is_final:
            return job
        attempt = job.backend_attempts.filter(outcome=AttemptOutcome.RUNNING).last()
        assert attempt is not None, "a running job always has a running attempt"
        if attempt.submitted_at is None:
            attempts.attempt_execute(attempt_id=attempt.pk)  # handed to another queue
        else:
            attempts.attempt_poll(attempt_id=attempt.pk, token=attempt.polls)
    raise AssertionError(f"job still {job.status} after {max_polls} polls")


def _record(backend: str, *, seconds: float, outcome: str = "succeeded", n: int = 3) -> None:
    """Past attempts, as health reads them (latency = finished − started)."""
    owner = UserFactory()
    for _ in range(n):
        job = GenerationJob.objects.create(owner=owner, prompt="p", seconds=5, seed=1)
        finished = timezone.now()
        GenerationAttempt.objects.create(
            job=job, number=1, backend=backend, outcome=outcome, provider_seconds=5,
            started_at=finished - timedelta(seconds=seconds), finished_at=finished,
        )  # fmt: skip
    routing_snapshot_invalidate()


# ---------------------------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cheapest_ranks_every_eligible_backend_by_its_price(providers: Providers) -> None:
    plan = plan_route(_spec(seconds=5), "cheapest")
    assert [c.backend for c in plan.candidates] == ["local", "runway", "luma"]
    runway = plan.candidates[1]
    # The formula, with Runway's dated $0.12/s gen4.5 price from the table.
    assert runway.usd_per_second == Decimal("0.12")
    assert runway.credits == price_credits(
        seconds=5, billed_seconds=5, resolution="720p", tier="standard",
        usd_per_second=Decimal("0.12"),
    )  # fmt: skip
    _switch("local", enabled=False)
    assert plan_route(_spec(), "cheapest").chosen.backend == "runway"  # type: ignore[union-attr]
    assert plan_route(_spec(), "cheapest").refusals == {"local": "is switched off"}


@pytest.mark.django_db
def test_an_operator_price_change_reroutes_at_once(providers: Providers) -> None:
    _switch("local", enabled=False)
    luma = BackendConfig.objects.get(name="luma")
    price = BackendPrice.objects.filter(backend=luma, tier="standard", resolution="720p").latest(
        "as_of"
    )
    price.usd_per_second = Decimal("0.01")  # edited in the admin: saving reaches the router
    price.save()
    plan = plan_route(_spec(), "cheapest")
    assert plan.chosen is not None and plan.chosen.backend == "luma"
    assert plan.chosen.usd_per_second == Decimal("0.01")
    # A price dated tomorrow is not in force yet.
    BackendPrice.objects.create(
        backend=luma, tier="standard", resolution="720p", usd_per_second=Decimal("9"),
        as_of=timezone.localdate() + timedelta(days=1),
    )  # fmt: skip
    assert plan_route(_spec(), "cheapest").chosen.usd_per_second == Decimal("0.01")  # type: ignore[union-attr]


@pytest.mark.django_db
def test_fastest_ranks_by_recent_p50(providers: Providers) -> None:
    _record("local", seconds=300)  # a slow CPU
    _record("runway", seconds=90)
    _record("luma", seconds=30)
    plan = plan_route(_spec(seconds=5), "fastest")
    assert [c.backend for c in plan.candidates] == ["luma", "runway", "local"]
    # Expected time scales the p50 per generated second to the clip (Luma bills 5 s here).
    assert plan.candidates[0].expected_seconds == pytest.approx(30.0)
    health = routing_snapshot().backends["luma"].health
    assert (health.samples, health.success_rate, health.p50_s) == (3, 1.0, 30.0)


@pytest.mark.django_db
def test_a_backend_failing_most_attempts_sinks_below_healthy_ones(providers: Providers) -> None:
    _switch("local", enabled=False)
    _record("runway", seconds=10, outcome=AttemptOutcome.FAILED, n=6)
    assert [c.backend for c in plan_route(_spec(), "cheapest").candidates] == ["luma", "runway"]


@pytest.mark.django_db
def test_best_follows_the_operators_quality_scores(providers: Providers) -> None:
    assert plan_route(_spec(), "best").chosen.backend == "runway"  # type: ignore[union-attr]
    BackendConfig.objects.filter(name="luma").update(quality=99)
    routing_snapshot_invalidate()
    assert plan_route(_spec(), "best").chosen.backend == "luma"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_pin_is_respected_and_has_no_fallback(providers: Providers) -> None:
    plan = plan_route(_spec(), "pinned:luma")
    assert [c.backend for c in plan.candidates] == ["luma"]
    square = plan_route(_spec(aspect="1:1"), "pinned:runway")
    assert square.chosen is None and square.refusals == {"runway": "has no 1:1 format"}


@pytest.mark.django_db
def test_fixed_durations_bill_the_shortest_long_enough_length(providers: Providers) -> None:
    plan = plan_route(_spec(seconds=6), "pinned:luma")  # Luma makes 5 or 10 s
    assert plan.chosen is not None and plan.chosen.billed_seconds == 10
    assert plan.chosen.credits == price_credits(
        seconds=6, billed_seconds=10, resolution="720p", tier="standard",
        usd_per_second=plan.chosen.usd_per_second,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Requests no backend can serve, and the quote API
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_no_backend_can_serve_is_a_clear_400_before_any_charge(
    providers: Providers,
) -> None:
    user = _rich_user()
    _switch("local", enabled=False)
    api = APIClient()
    api.force_authenticate(user)
    before = LedgerEntry.objects.count()
    response = api.post(URL, {"prompt": "a square fox", "seconds": 5, "aspect": "1:1",
                              "policy": "pinned:runway"}, format="json")  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "no_backend"
    assert "runway has no 1:1 format" in body["detail"]
    assert GenerationJob.objects.count() == 0 and LedgerEntry.objects.count() == before
    unknown = api.post(URL, {"prompt": "x", "seconds": 5, "policy": "pinned:nowhere"},
                       format="json")  # fmt: skip
    assert unknown.status_code == 400 and "policy" in unknown.json()["fields"]


@pytest.mark.django_db
def test_the_quote_api_lists_each_backend_and_the_pick(providers: Providers) -> None:
    user = _rich_user()
    user.is_staff = True  # the comparison of backends is for staff (see the next test)
    user.save(update_fields=["is_staff"])
    api = APIClient()
    api.force_authenticate(user)
    body = api.post(f"{URL}/quote", {"seconds": 6, "aspect": "9:16", "policy": "fastest"},
                    format="json").json()  # fmt: skip
    names = [c["backend"] for c in body["candidates"]]
    assert sorted(names) == ["local", "luma", "runway"]
    assert body["chosen"] == body["candidates"][0] and body["policy"] == "fastest"
    luma = next(c for c in body["candidates"] if c["backend"] == "luma")
    assert luma["billed_seconds"] == 10 and luma["expected_seconds"] > 0
    assert body["balance"] == balance_for(user=user).available
    assert body["balance_after"] == body["balance"] - body["chosen"]["credits"]
    square = api.post(f"{URL}/quote", {"seconds": 5, "aspect": "1:1"}, format="json")
    assert square.status_code == 200
    assert square.json()["refusals"]["runway"] == "has no 1:1 format"
    anonymous = APIClient().post(f"{URL}/quote", {"seconds": 5, "aspect": "1:1"}, format="json")
    assert anonymous.json()["balance"] is None  # anonymous: prices only
    bad = APIClient().post(f"{URL}/quote", {"seconds": 5, "colour": "red"}, format="json")
    assert bad.status_code == 400 and "colour" in bad.json()["fields"]


@pytest.mark.django_db
def test_people_see_only_the_pick_and_staff_the_comparison(providers: Providers) -> None:
    """Other providers and which aren't configured are the operator's business."""
    user = _rich_user()
    api = APIClient()
    api.force_authenticate(user)
    body = api.post(f"{URL}/quote", {"seconds": 5, "aspect": "1:1"}, format="json").json()
    assert [c["backend"] for c in body["candidates"]] == [body["chosen"]["backend"]]
    assert body["refusals"] == {}
    # Nothing can make it: then the reasons are the answer, for everyone.
    _switch("local", enabled=False)
    pinned = api.post(f"{URL}/quote", {"seconds": 5, "aspect": "1:1", "policy": "pinned:runway"},
                      format="json").json()  # fmt: skip
    assert pinned["chosen"] is None and pinned["refusals"]["runway"] == "has no 1:1 format"


# ---------------------------------------------------------------------------------------------
# Jobs across backends: success, fallback, refusal, circuit breaker, timeouts, duplicates
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_remote_job_is_polled_fetched_post_processed_signed_and_charged(
    providers: Providers, media_dirs: dict[str, Path]
) -> None:
    user = _rich_user()
    job = _submit(user, policy="pinned:runway", seconds=5)
    assert job.route == ["runway"] and job.backend == "runway"
    job = _drive(job)
    assert job.status == JobStatus.SUCCEEDED, job.error
    attempt = job.backend_attempts.get()
    assert attempt.outcome == AttemptOutcome.SUCCEEDED and attempt.provider_job_id
    assert attempt.polls >= 2  # queued → running → succeeded, one poll each
    assert attempt.cost_usd == Decimal("0.60")  # Runway's own cost.credits, 60 × $0.01
    path = Path(media_dirs["private"]) / job.video_file.name
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        assert (video.width, video.height) == (720, 1280)  # the provider's 360×640 made 9:16
        assert {s.type for s in container.streams} == {"video", "audio"}
        assert video.codec_context.name == "h264"
    assert job.duration == pytest.approx(4.0, abs=0.05)  # the fake's clip is 4 s: never padded
    provenance = check_clip(stream_or_path=path)
    assert provenance.status == "valid" and provenance.backend == "runway"
    assert provenance.model == "gen4.5"
    # The job keeps the quote and the real price, never above it.
    assert job.charged_credits is not None and job.charged_credits <= job.quote_credits
    sent = [r.json for r in providers.runway.requests if r.path == "/v1/text_to_video"]
    assert sent[0]["duration"] == 5 and sent[0]["ratio"] == "720:1280"


@pytest.mark.django_db
def test_a_failed_attempt_falls_back_to_the_next_backend_and_both_are_recorded(
    providers: Providers, media_dirs: dict[str, Path]
) -> None:
    user = _rich_user()
    _switch("local", enabled=False)
    providers.runway.outcome = "internal"  # Runway's INTERNAL.BAD_OUTPUT: retryable elsewhere
    job = _drive(_submit(user, seconds=5))
    assert job.status == JobStatus.SUCCEEDED, job.error
    tries = list(job.backend_attempts.order_by("number"))
    assert [(t.backend, t.outcome) for t in tries] == [
        ("runway", AttemptOutcome.FAILED), ("luma", AttemptOutcome.SUCCEEDED),
    ]  # fmt: skip
    assert tries[0].error_code.startswith("INTERNAL") and tries[0].finished_at is not None
    assert job.backend == "luma" and job.route == ["runway", "luma"]
    # Quoted on Runway, made by Luma: charged Luma's price, capped at the quote.
    assert job.charged_credits is not None and job.charged_credits <= job.quote_credits
    assert BackendConfig.objects.get(name="runway").consecutive_failures == 1


@pytest.mark.django_db
def test_a_rate_limited_submit_falls_back_at_once(providers: Providers) -> None:
    user = _rich_user()
    _switch("local", enabled=False)
    providers.runway.fail_next(429, headers={"Retry-After": "30"})
    job = _drive(_submit(user))
    assert job.status == JobStatus.SUCCEEDED
    first = job.backend_attempts.order_by("number").first()
    assert first is not None and first.outcome == AttemptOutcome.RATE_LIMITED


@pytest.mark.django_db
def test_a_provider_content_refusal_blocks_the_job_without_fallback(providers: Providers) -> None:
    user = _rich_user()
    _switch("local", enabled=False)
    providers.runway.outcome = "refused"
    before = balance_for(user=user).available
    job = _drive(_submit(user))
    assert job.status == JobStatus.BLOCKED
    assert job.blocked_reason_code == "provider_refused"
    assert "content policy" in job.error
    assert [t.outcome for t in job.backend_attempts.all()] == [AttemptOutcome.REFUSED]
    assert balance_for(user=user).available == before  # the hold went back
    # A refusal says nothing about the backend's health.
    assert BackendConfig.objects.get(name="runway").consecutive_failures == 0


@pytest.mark.django_db
def test_every_backend_failing_fails_the_job_and_releases_the_hold(
    providers: Providers, settings: Any
) -> None:
    settings.GENERATION_MAX_RETRIES = 0
    user = _rich_user()
    _switch("local", enabled=False)
    providers.runway.outcome = "failed"
    providers.luma.outcome = "invalid"
    before = balance_for(user=user).available
    job = _drive(_submit(user))
    assert job.status == JobStatus.FAILED and job.error
    assert job.backend_attempts.count() == 2
    assert balance_for(user=user).available == before


@pytest.mark.django_db
def test_the_circuit_opens_after_consecutive_failures_and_closes_after_a_good_trial(
    providers: Providers, settings: Any
) -> None:
    settings.GENERATION_CIRCUIT_FAILURES = 2
    settings.GENERATION_MAX_RETRIES = 0
    user = _rich_user()
    _switch("local", enabled=False)
    _switch("luma", enabled=False)
    providers.runway.fail_next(500, times=2)
    for _ in range(2):
        assert _drive(_submit(user, policy="pinned:runway")).status == JobStatus.FAILED
    config = BackendConfig.objects.get(name="runway")
    assert config.consecutive_failures == 2 and config.circuit_opened_at is not None
    # Open: no new job goes there, and the refusal says why.
    plan = plan_route(_spec(), "pinned:runway")
    assert plan.chosen is None and plan.refusals["runway"] == "is paused after repeated failures"
    # After the cool-down it is half-open: one trial goes through, and its success closes it.
    BackendConfig.objects.filter(name="runway").update(
        circuit_opened_at=timezone.now() - settings.GENERATION_CIRCUIT_COOLDOWN
    )
    routing_snapshot_invalidate()
    trial = plan_route(_spec(), "pinned:runway").chosen
    assert trial is not None and trial.circuit == "half_open"
    assert _drive(_submit(user, policy="pinned:runway")).status == JobStatus.SUCCEEDED
    config.refresh_from_db()
    assert config.consecutive_failures == 0 and config.circuit_opened_at is None


@pytest.mark.django_db
def test_a_hung_provider_times_out_and_the_next_backend_serves(
    providers: Providers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNWAY_TIMEOUT", "1")
    reset_backend_instances()
    user = _rich_user()
    _switch("local", enabled=False)
    providers.runway.hang_next(seconds=3)  # the submit call hangs past the client's timeout
    job = _drive(_submit(user))
    assert job.status == JobStatus.SUCCEEDED
    first = job.backend_attempts.order_by("number").first()
    assert first is not None and first.outcome == AttemptOutcome.FAILED
    assert "time" in first.error.lower()


@pytest.mark.django_db
def test_an_attempt_past_its_deadline_is_cancelled_at_the_provider(
    providers: Providers, settings: Any
) -> None:
    user = _rich_user()
    _switch("local", enabled=False)
    job = _submit(user)
    services.job_run(job_id=job.pk)
    attempt = job.backend_attempts.get()
    GenerationAttempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - settings.GENERATION_ATTEMPT_TIMEOUT - timedelta(seconds=1)
    )
    attempts.attempt_poll(attempt_id=attempt.pk, token=0)
    attempt.refresh_from_db()
    assert attempt.outcome == AttemptOutcome.TIMED_OUT
    assert any(r.method == "DELETE" for r in providers.runway.requests)  # Runway's cancel
    assert job.backend_attempts.filter(backend="luma").exists()  # and the fallback started


@pytest.mark.django_db
def test_duplicated_and_stale_polls_do_nothing(providers: Providers) -> None:
    user = _rich_user()
    job = _submit(user, policy="pinned:runway")
    services.job_run(job_id=job.pk)
    services.job_run(job_id=job.pk)  # a redelivered run_job: no second attempt, no resubmit
    assert job.backend_attempts.count() == 1
    assert len([r for r in providers.runway.requests if r.method == "POST"]) == 1
    attempt = job.backend_attempts.get()
    assert attempts.attempt_execute(attempt_id=attempt.pk).status == JobStatus.RUNNING
    assert len([r for r in providers.runway.requests if r.method == "POST"]) == 1
    attempts.attempt_poll(attempt_id=attempt.pk, token=0)
    polls_before = len(providers.runway.requests)
    attempts.attempt_poll(attempt_id=attempt.pk, token=0)  # the same message again: stale
    assert len(providers.runway.requests) == polls_before
    attempt.refresh_from_db()
    assert attempt.polls == 1
    # A webhook's nudge polls once but leaves the schedule's count alone.
    attempts.attempt_poll(attempt_id=attempt.pk, token=None)
    attempt.refresh_from_db()
    assert attempt.polls == 1 and len(providers.runway.requests) == polls_before + 1


@pytest.mark.django_db
def test_cancelling_a_remote_job_cancels_it_at_the_provider(providers: Providers) -> None:
    user = _rich_user()
    job = _submit(user, policy="pinned:runway")
    services.job_run(job_id=job.pk)
    services.job_cancel(job=job)
    attempt = job.backend_attempts.get()
    attempts.attempt_poll(attempt_id=attempt.pk, token=attempt.polls)
    attempt.refresh_from_db()
    assert attempt.outcome == AttemptOutcome.CANCELLED
    assert any(r.method == "DELETE" for r in providers.runway.requests)


@pytest.mark.django_db
def test_the_reaper_leaves_jobs_waiting_on_a_provider_alone(
    providers: Providers, settings: Any
) -> None:
    user = _rich_user()
    job = _submit(user, policy="pinned:runway")
    services.job_run(job_id=job.pk)
    long_ago = timezone.now() - settings.GENERATION_STUCK_AFTER - timedelta(minutes=5)
    GenerationJob.objects.filter(pk=job.pk).update(started_at=long_ago)
    GenerationAttempt.objects.filter(job=job).update(last_polled_at=long_ago)
    result = services.jobs_reap_stuck()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and result["requeued"] == 0
    assert result["polls_resent"] == 1  # its lost poll is sent again instead


# ---------------------------------------------------------------------------------------------
# Failure paths found in review: nothing is left running, held or tried twice
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_crash_while_storing_the_clip_fails_the_attempt_instead_of_hanging(
    providers: Providers, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.GENERATION_MAX_RETRIES = 0
    user = _rich_user()
    before = balance_for(user=user).available

    def broken_signer(**kwargs: Any) -> None:
        raise RuntimeError("C2PA signer unavailable")

    monkeypatch.setattr(attempts, "sign_clip", broken_signer)
    job = _drive(_submit(user, policy="pinned:runway"))
    assert job.status == JobStatus.FAILED and "Storing the clip failed" in job.error
    attempt = job.backend_attempts.get()
    assert attempt.outcome == AttemptOutcome.FAILED and attempt.collecting is False
    assert balance_for(user=user).available == before


@pytest.mark.django_db
def test_a_half_open_circuit_lets_exactly_one_trial_through(
    providers: Providers, settings: Any
) -> None:
    user = _rich_user()
    _switch("local", enabled=False)
    BackendConfig.objects.filter(name="runway").update(
        consecutive_failures=3,
        circuit_opened_at=timezone.now() - settings.GENERATION_CIRCUIT_COOLDOWN,
    )
    routing_snapshot_invalidate()
    first, second = _submit(user), _submit(user)  # both routed [runway, luma] while half-open
    assert first.route == second.route == ["runway", "luma"]
    services.job_run(job_id=first.pk)
    services.job_run(job_id=second.pk)
    assert first.backend_attempts.get().backend == "runway"  # the trial
    assert second.backend_attempts.get().backend == "luma"  # kept away while it runs


@pytest.mark.django_db
def test_a_fallback_to_an_in_process_backend_is_handed_to_its_queue(
    providers: Providers, django_capture_on_commit_callbacks: Any
) -> None:
    user = _rich_user()
    providers.runway.outcome = "internal"
    job = _submit(user, policy="best")  # Runway (quality 80) first, the local renderer last
    assert job.route[0] == "runway" and job.route[-1] == "local"
    _switch("luma", enabled=False)
    services.job_run(job_id=job.pk)
    attempt = job.backend_attempts.get()
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        attempts.serving_queue("default"),  # as the poll task runs
    ):
        for _ in range(5):
            attempt.refresh_from_db()
            if attempt.outcome != AttemptOutcome.RUNNING:
                break
            attempts.attempt_poll(attempt_id=attempt.pk, token=attempt.polls)
    local = job.backend_attempts.get(backend="local")
    # Not rendered on the I/O worker that noticed the failure: queued for a render worker.
    assert local.submitted_at is None and local.outcome == AttemptOutcome.RUNNING
    assert callbacks, "the hand-off is sent after commit"


@pytest.mark.django_db
def test_the_reaper_requeues_a_job_whose_in_process_attempt_died_after_a_remote_one_failed(
    providers: Providers, settings: Any
) -> None:
    job = GenerationJob.objects.create(
        owner=_rich_user(), prompt="p", seconds=2, seed=1, status=JobStatus.RUNNING, attempts=1,
        route=["runway", "local"],
    )  # fmt: skip
    GenerationAttempt.objects.create(
        job=job, number=1, backend="runway", provider_job_id="task-1",
        outcome=AttemptOutcome.FAILED, finished_at=timezone.now(),
    )  # fmt: skip
    GenerationAttempt.objects.create(job=job, number=2, backend="local")  # its worker died
    long_ago = timezone.now() - settings.GENERATION_STUCK_AFTER - timedelta(minutes=1)
    GenerationJob.objects.filter(pk=job.pk).update(started_at=long_ago, updated_at=long_ago)
    assert services.jobs_reap_stuck()["requeued"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert job.backend_attempts.get(number=2).outcome == AttemptOutcome.FAILED


@pytest.mark.django_db
def test_settling_releases_the_hold_of_a_job_a_provider_refused(providers: Providers) -> None:
    user = _rich_user()
    before = balance_for(user=user).available
    job = _submit(user, policy="pinned:runway")
    # As if the worker died between blocking the job and releasing its hold.
    GenerationJob.objects.filter(pk=job.pk).update(status=JobStatus.BLOCKED)
    assert balance_for(user=user).available < before
    assert services.jobs_settle() == 1
    assert balance_for(user=user).available == before
