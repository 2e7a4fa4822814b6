"""Prompt policy: blocked terms with case, spacing, punctuation and leetspeak variants; no false
hits inside other words; rights holders that block versus license; blocked jobs are recorded,
never queued."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from generation.models import GenerationJob, JobStatus, PolicyTerm, RightsHolder
from generation.policy import normalise, prompt_check


@pytest.fixture
def terms(db: None) -> None:
    PolicyTerm.objects.create(category="violence", pattern="behead")
    PolicyTerm.objects.create(category="sexual", pattern="nude", reason="No nudity, please.")
    PolicyTerm.objects.create(category="deception", pattern="fake ballot")
    PolicyTerm.objects.create(category="hate", kind="regex", pattern=r"\bkill all \w+s\b")
    PolicyTerm.objects.create(category="violence", pattern="gore", active=False)


@pytest.mark.parametrize(
    "prompt",
    [
        "a knight who will BEHEAD the dragon",
        "a knight who will b e h e a d the dragon",
        "a knight who will b.e.h.e.a.d the dragon",
        "a knight who will b3h34d the dragon",
        "a Nüde statue",
        "n u d e beach",
        "NUD3 portrait",
        "a FAKE   ballot being counted",
        "soldiers who kill all farmers",
    ],
)
def test_blocked_variants(terms: None, prompt: str) -> None:
    verdict = prompt_check(prompt)
    assert not verdict.allowed
    assert verdict.code.startswith("policy:")
    assert verdict.reason


@pytest.mark.parametrize(
    "prompt",
    [
        "a skillful beheader of weeds",  # "behead" inside a longer word is not the word
        "a nudibranch in the reef",
        "a ballot box made of flowers",
        "gore-tex jacket in the rain",  # an inactive term
        "4 cats and 1 dog at sunset",
    ],
)
def test_allowed_prompts(terms: None, prompt: str) -> None:
    assert prompt_check(prompt).allowed


def test_normalise() -> None:
    assert normalise("K.i.L.l   the  N00b!") == "kill the noob"
    assert normalise("4 cats") == "4 cats"
    assert normalise("Ünïcödé") == "unicode"


@pytest.mark.django_db
def test_rights_holder_block_versus_license() -> None:
    RightsHolder.objects.create(
        name="Captain Comet", holder="Comet Studios", aliases="Cap Comet\nThe Comet Kid"
    )
    RightsHolder.objects.create(
        name="Blobby", holder="Blob Inc", policy="license", revenue_share_percent=12.5
    )
    blocked = prompt_check("the comet kid flying over a city")
    assert not blocked.allowed
    assert blocked.reason == "Comet Studios does not allow clips of Captain Comet."
    licensed = prompt_check("B L O B B Y dancing in the rain")
    assert licensed.allowed
    assert licensed.licensed[0]["holder"] == "Blob Inc"
    assert licensed.licensed[0]["share_percent"] == "12.50"


@pytest.mark.django_db
def test_a_blocked_prompt_is_422_recorded_and_never_queued(
    api: APIClient, user: Any, terms: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(
            "/api/v1/generations", {"prompt": "a nude statue", "seconds": 3}, format="json"
        )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "prompt_blocked"
    assert body["detail"] == "No nudity, please."
    assert body["fields"]["prompt"] == ["No nudity, please."]
    job = GenerationJob.objects.get(pk=body["job"])
    assert (job.status, job.owner, job.error) == (JobStatus.BLOCKED, user, "No nudity, please.")
    assert callbacks == []  # nothing enqueued


@pytest.mark.django_db
def test_a_remix_prompt_is_checked_too(api: APIClient, terms: None) -> None:
    from tests.factories import VideoFactory

    source = VideoFactory()
    response = api.post(
        "/api/v1/generations",
        {"prompt": "same scene but behead him", "seconds": 2, "remix_of": source.pk},
        format="json",
    )
    assert response.status_code == 422


@pytest.mark.django_db
def test_licensed_characters_are_recorded_on_the_job(api: APIClient) -> None:
    RightsHolder.objects.create(name="Blobby", holder="Blob Inc", policy="license")
    response = api.post(
        "/api/v1/generations", {"prompt": "blobby at the beach", "seconds": 2}, format="json"
    )
    assert response.status_code == 201
    job = GenerationJob.objects.get(pk=response.json()["id"])
    assert [entry["holder"] for entry in job.licensed_rights] == ["Blob Inc"]
