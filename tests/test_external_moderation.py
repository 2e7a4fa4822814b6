"""Optional external moderation of prompts through the real `openai` SDK against a local server
that speaks `/v1/moderations`: off by default; a flagged prompt is refused with a reason (and
recorded as a blocked job, never charged); an endpoint that is down lets the local policy decide
(fail-open, logged) unless EXTERNAL_MODERATION_FAIL_CLOSED is on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from generation.external_moderation import external_moderation_check
from generation.models import GenerationJob, JobStatus
from generation.policy import prompt_check
from tests.fakes.openai_moderations import FakeOpenAIModerations

URL = "/api/v1/generations"


@pytest.fixture
def fake() -> Iterator[FakeOpenAIModerations]:
    with FakeOpenAIModerations() as server:
        yield server


@pytest.fixture
def configured(settings: Any, fake: FakeOpenAIModerations) -> FakeOpenAIModerations:
    settings.EXTERNAL_MODERATION_API_KEY = fake.api_key
    settings.EXTERNAL_MODERATION_BASE_URL = f"{fake.url}/v1"
    settings.EXTERNAL_MODERATION_TIMEOUT = 2.0
    settings.EXTERNAL_MODERATION_FAIL_CLOSED = False
    return fake


@pytest.mark.django_db
def test_off_by_default_no_request(fake: FakeOpenAIModerations) -> None:
    assert prompt_check("an ungood cat").allowed
    assert fake.requests == []


@pytest.mark.django_db
def test_a_flagged_prompt_is_refused_with_the_category(
    configured: FakeOpenAIModerations, api: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(URL, {"prompt": "an ungood cat", "seconds": 2}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "prompt_blocked"
    assert body["detail"] == "Our moderation service flagged this prompt for graphic violence."
    job = GenerationJob.objects.get(pk=body["job"])
    assert (job.status, job.blocked_reason_code) == (
        JobStatus.BLOCKED,
        "moderation:violence/graphic",
    )
    assert callbacks == []
    sent = configured.requests[-1]
    assert sent.path == "/v1/moderations"
    assert sent.json == {"model": "omni-moderation-latest", "input": "an ungood cat"}
    assert sent.headers["authorization"] == f"Bearer {configured.api_key}"


@pytest.mark.django_db
def test_a_clean_prompt_passes_and_the_local_policy_runs_first(
    configured: FakeOpenAIModerations, api: APIClient
) -> None:
    assert api.post(URL, {"prompt": "a calm lake", "seconds": 2}, format="json").status_code == 201
    assert len(configured.requests) == 1
    # Refused locally: the endpoint is not asked.
    assert not prompt_check("a decapitated body").allowed
    assert len(configured.requests) == 1


@pytest.mark.django_db
def test_categories_map_to_reasons(configured: FakeOpenAIModerations) -> None:
    refusal = external_moderation_check("a cat [flag:sexual/minors] [flag:violence]")
    assert refusal is not None
    assert refusal.reason_code == "moderation:sexual/minors"
    assert "sexual content involving minors" in refusal.reason


@pytest.mark.django_db
@pytest.mark.parametrize("failure", ["500", "hang", "down", "401"])
def test_endpoint_failures_fail_open_by_default_and_closed_when_set(
    configured: FakeOpenAIModerations, settings: Any, failure: str
) -> None:
    def break_it() -> None:
        if failure == "500":
            configured.fail_next(500, times=4)
        elif failure == "hang":
            configured.hang_next(seconds=5, times=4)
        elif failure == "401":
            settings.EXTERNAL_MODERATION_API_KEY = "sk-wrong"
        else:
            settings.EXTERNAL_MODERATION_BASE_URL = "http://127.0.0.1:9/v1"

    break_it()
    assert prompt_check("an ungood cat").allowed  # fail-open: the local policy alone decides
    settings.EXTERNAL_MODERATION_FAIL_CLOSED = True
    break_it()
    verdict = prompt_check("an ungood cat")
    assert not verdict.allowed
    assert verdict.code == "moderation:unavailable"
    assert "try again" in verdict.reason
