"""Look-alike handles: a new handle whose skeleton (TR39 look-alike letters, invisible
characters, case) equals an existing handle's is refused; an @mention that only looks like a
handle is a 422 in comments and prompts, never silently posted or rendered."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.handles import handle_lookalike_of, mention_lookalikes
from accounts.models import User
from config.errors import DomainError
from config.unicode_text import handle_skeleton
from feed.models import Comment
from generation.models import GenerationJob
from likeness.models import Cameo
from likeness.services import cameo_create
from tests.factories import TEST_PASSWORD, UserFactory, VideoFactory

CYRILLIC_A = "\u0430"


def test_skeletons() -> None:
    assert handle_skeleton("alice") == handle_skeleton(f"{CYRILLIC_A}lice")
    assert handle_skeleton("alice") == handle_skeleton("a1ice") == handle_skeleton("ALICE")
    assert handle_skeleton("alice") == handle_skeleton("al\u200bice")  # zero-width space
    assert handle_skeleton("mike") == handle_skeleton("rnike")
    assert handle_skeleton("john") == handle_skeleton("j0hn")
    assert handle_skeleton("alice") != handle_skeleton("alicia")


@pytest.mark.django_db
@pytest.mark.parametrize("lookalike", ["a1ice", "A1ICE"])
def test_signup_refuses_a_lookalike_handle(client: Client, lookalike: str) -> None:
    UserFactory(username="alice")
    response = client.post("/accounts/signup/", {"handle": lookalike, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "looks too much like @alice" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_signup_refuses_rn_for_m_and_allows_a_different_handle(client: Client) -> None:
    UserFactory(username="mike.photo")
    refused = client.post("/accounts/signup/", {"handle": "rnike.photo", "password": TEST_PASSWORD})
    assert "looks too much like @mike.photo" in refused.content.decode()
    allowed = client.post("/accounts/signup/", {"handle": "mika.photo", "password": TEST_PASSWORD})
    assert allowed.status_code == 302


@pytest.mark.django_db
def test_the_service_refuses_too() -> None:
    from accounts.services import user_create

    UserFactory(username="john")
    with pytest.raises(DomainError) as refused:
        user_create(handle="j0hn", password=TEST_PASSWORD)
    assert refused.value.code == "lookalike_handle"


@pytest.mark.django_db
def test_lookalike_lookup_ignores_the_handle_itself() -> None:
    UserFactory(username="alice")
    assert handle_lookalike_of(handle="alice") is None
    assert handle_lookalike_of(handle=f"{CYRILLIC_A}lice") == "alice"
    assert mention_lookalikes(text="hi @alice and @nobody_here") == []
    assert mention_lookalikes(text=f"hi @{CYRILLIC_A}lice.") == [(f"{CYRILLIC_A}lice", "alice")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mention", [f"@{CYRILLIC_A}lice", "@a1ice", "@al\u200bice", "@ALIСE".replace("С", "\u0421")]
)
def test_a_lookalike_mention_in_a_comment_is_422(api: APIClient, mention: str) -> None:
    UserFactory(username="alice")
    video = VideoFactory()
    response = api.post(
        f"/api/v1/videos/{video.pk}/comments", {"body": f"look {mention}!"}, format="json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "lookalike_mention"
    assert "@alice" in body["detail"] and body["fields"]["body"]
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_a_real_mention_still_works(api: APIClient) -> None:
    alice = UserFactory(username="alice")
    video = VideoFactory()
    response = api.post(
        f"/api/v1/videos/{video.pk}/comments", {"body": "look @alice!"}, format="json"
    )
    assert response.status_code == 201
    assert list(Comment.objects.get().mentions.all()) == [alice]


@pytest.mark.django_db
def test_a_lookalike_cameo_mention_in_a_prompt_is_422_and_creates_nothing(
    api: APIClient,
) -> None:
    owner = UserFactory(username="nova")
    Cameo.objects.create(owner=owner, handle="nova", status="approved", permission="everyone")
    Cameo.objects.create(owner=owner, handle="rex.dog", kind="character", status="approved",
                         permission="everyone")  # fmt: skip
    for prompt in (f"@nov{CYRILLIC_A} dancing", "@rex.d0g on a skateboard"):
        response = api.post("/api/v1/generations", {"prompt": prompt, "seconds": 2}, format="json")
        assert response.status_code == 422, prompt
        assert response.json()["code"] == "lookalike_mention"
    assert not GenerationJob.objects.exists()
    ok = api.post("/api/v1/generations", {"prompt": "@nova dancing", "seconds": 2}, format="json")
    assert ok.status_code == 201


@pytest.mark.django_db
def test_a_character_cameo_handle_cannot_imitate_a_person(user: Any) -> None:
    UserFactory(username="alice")
    with pytest.raises(DomainError) as refused:
        cameo_create(owner=user, kind="character", handle="a1ice", name="My cat")
    assert "looks too much like @alice" in refused.value.message
    assert cameo_create(owner=user, kind="character", handle="my.cat", name="My cat").pk
