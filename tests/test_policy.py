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
    PolicyTerm.objects.create(category_id="violence", pattern="behead")
    PolicyTerm.objects.create(category_id="sexual", pattern="nude", reason="No nudity, please.")
    PolicyTerm.objects.create(category_id="deception", pattern="fake ballot")
    PolicyTerm.objects.create(category_id="hate", kind="regex", pattern=r"\bkill all \w+s\b")
    PolicyTerm.objects.create(category_id="violence", pattern="gore", active=False)


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
        "a behemoth among weeds",  # a word that only starts like "behead" is not the word
        "skills of a beheadmaster",  # "behead" inside a longer word is not the word
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


# --- normalisation and the shipped policy as data ---------------------------------------------


def test_normalise_removes_evasions() -> None:
    assert normalise("k\u200bi\u00adl\u202el\u202c") == "kill"  # zero-width, soft hyphen, bidi
    assert normalise("kіll") == "kill"  # Cyrillic і (TR39 look-alike)
    assert normalise("ΝUDΕ") == "nude"  # Greek capitals
    assert normalise("ｎｕｄｅ") == "nude"  # fullwidth (NFKC)
    assert normalise("Bob l’Éponge") == "bob eponge"  # elision, accents
    assert normalise("a 12yo, 3d render in 4k") == "a 12yo 3d render in 4k"  # numbers stay


def test_the_default_policy_install_is_idempotent_and_keeps_edits(db: None) -> None:
    from django.apps import apps

    from generation.models import PolicyCategory
    from generation.policy_default import RIGHTS_HOLDERS, RULES, default_policy_install

    # The migration installed everything; installing again creates nothing.
    assert PolicyTerm.objects.filter(key__isnull=False).count() == len(RULES)
    assert RightsHolder.objects.filter(key__isnull=False).count() == len(RIGHTS_HOLDERS)
    assert default_policy_install(apps) == {"rules": 0, "rights_holders": 0}
    # A moderator's edit survives a re-install, a deleted shipped rule comes back.
    PolicyTerm.objects.filter(key="sexual.strong").update(reason="Edited.")
    PolicyTerm.objects.filter(key="hate.strong").delete()
    assert default_policy_install(apps) == {"rules": 1, "rights_holders": 0}
    assert PolicyTerm.objects.get(key="sexual.strong").reason == "Edited."
    assert PolicyCategory.objects.get(slug="public_figures").waived_by_own_cameo


def test_rules_and_categories_switch_off_in_the_database(db: None) -> None:
    from generation.models import PolicyCategory

    prompt = "a bloodbath in the street"
    assert prompt_check(prompt).code == "policy:violence"
    PolicyCategory.objects.filter(slug="violence").update(active=False)
    assert prompt_check(prompt).allowed  # recompiled: the category's rows changed
    PolicyCategory.objects.filter(slug="violence").update(active=True)
    PolicyTerm.objects.filter(key="violence.gore").update(active=False)
    assert prompt_check(prompt).allowed


def test_a_near_rule_with_exceptions_and_its_reason(db: None) -> None:
    PolicyTerm.objects.create(
        category_id="other", kind="near", pattern="drone\nquadcopter", near="airport*",
        window=3, unless="model airport", reason="No drones near airports.",
    )  # fmt: skip
    assert prompt_check("a drone flying over the airport").reason == "No drones near airports."
    assert prompt_check("a quadcopter, then far away, much later, an airport").allowed
    assert prompt_check("a drone over a model airport").allowed
    assert prompt_check("a drone over a field").allowed


def test_a_broken_regex_from_the_admin_is_skipped(db: None) -> None:
    PolicyTerm.objects.create(category_id="other", kind="regex", pattern="(unclosed")
    PolicyTerm.objects.create(category_id="other", pattern="re:(also unclosed\nzeppelin")
    assert prompt_check("a cat on a sofa").allowed
    assert not prompt_check("a zeppelin over the sea").allowed


def test_a_real_person_is_allowed_through_their_own_cameo_only(db: None) -> None:
    prompt = "@manu Emmanuel Macron giving a speech"
    assert prompt_check(prompt).code == "policy:public_figures"
    assert prompt_check(prompt, cameo_names=["Emmanuel Macron"]).allowed
    assert not prompt_check(prompt, cameo_names=["Someone Else"]).allowed
    # The cameo lifts the real-people rule, nothing else.
    assert not prompt_check("Macron naked in the street", cameo_names=["Macron"]).allowed


@pytest.mark.django_db
def test_a_real_persons_verified_cameo_generates(api: APIClient, user: Any) -> None:
    from likeness.models import Cameo

    Cameo.objects.create(owner=user, handle=user.username, status="approved", name="Lula da Silva")
    response = api.post(
        "/api/v1/generations", {"prompt": f"@{user.username} as Lula on a boat", "seconds": 2},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    response = api.post(
        "/api/v1/generations", {"prompt": "Lula on a boat", "seconds": 2}, format="json"
    )
    assert response.status_code == 422 and response.json()["code"] == "prompt_blocked"


@pytest.mark.django_db
def test_captions_are_checked_before_publishing(user: Any) -> None:
    from config.errors import DomainError
    from feed.models import Video
    from feed.services import video_publish

    job = GenerationJob.objects.create(
        owner=user, prompt="a cat", seconds=2, seed=1, status=JobStatus.SUCCEEDED,
        video_file="drafts/none.mp4",
    )  # fmt: skip
    for caption in (
        "BREAKING NEWS: bodycam footage of the arrest",
        "Ｍａｃｒｏｎ caught",  # noqa: E501
        "n u d e",
    ):
        with pytest.raises(DomainError) as refused:
            video_publish(job=job, user=user, caption=caption)
        assert refused.value.code == "caption_blocked" and refused.value.fields["caption"]
    assert not Video.objects.exists()


@pytest.mark.django_db
def test_comments_are_checked_but_may_name_people_and_characters(api: APIClient) -> None:
    from feed.models import Comment
    from tests.factories import VideoFactory

    video = VideoFactory()
    url = f"/api/v1/videos/{video.pk}/comments"
    for body in ("kill all the j\u200bews", "what a n4ked w0man", "heil h i t l e r"):
        response = api.post(url, {"body": body}, format="json")
        assert response.status_code == 422, body
        assert response.json()["code"] == "comment_blocked" and response.json()["fields"]["body"]
    assert not Comment.objects.exists()
    for body in ("Looks like Mickey Mouse!", "Macron would love this", "breaking news: I love it"):
        assert api.post(url, {"body": body}, format="json").status_code == 201, body


@pytest.mark.django_db
def test_the_policy_admin_lists_edits_and_switches(admin_client: Any) -> None:
    from generation.models import PolicyCategory

    for url in ("policycategory", "policyterm", "rightsholder"):
        page = admin_client.get(f"/admin/generation/{url}/")
        assert page.status_code == 200, url
    rule = PolicyTerm.objects.get(key="sexual.strong")
    assert admin_client.get(f"/admin/generation/policyterm/{rule.pk}/change/").status_code == 200
    # A moderator adds a rule through the admin form: it applies to the next prompt.
    response = admin_client.post(
        "/admin/generation/policyterm/add/",
        {"category": "other", "kind": "phrase", "pattern": "zeppelin*", "near": "",
         "window": 6, "unless": "museum", "reason": "No airships today.", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert prompt_check("two Zeppelins over Paris").reason == "No airships today."
    assert prompt_check("a zeppelin museum").allowed
    # Switching a category off in the admin lifts its rules at once.
    category = PolicyCategory.objects.get(slug="other")
    response = admin_client.post(
        f"/admin/generation/policycategory/{category.pk}/change/",
        {"name": category.name, "reason": category.reason, "position": category.position,
         "check_comments": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert prompt_check("two Zeppelins over Paris").allowed


@pytest.mark.django_db
def test_reasons_are_translated() -> None:
    from django.utils import translation

    with translation.override("fr"):
        assert prompt_check("a porn video").reason == (
            "Le contenu sexuel et la nudité ne sont pas autorisés."
        )
        assert "n’autorise pas de clips de" in prompt_check("Pikachu on a bike").reason
