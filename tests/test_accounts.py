"""Sign up, log in and log out pages; handles are unique case-insensitively."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from tests.factories import TEST_PASSWORD


@pytest.mark.django_db
def test_signup_logs_in_and_lands_on_the_welcome(client: Client) -> None:
    response = client.post(
        "/accounts/signup/", {"handle": "Nova.Star", "password": TEST_PASSWORD, "email": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == "/welcome/"
    user = User.objects.get()
    assert user.username == "nova.star"
    assert client.get("/create/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("handle", "password", "error"),
    [
        ("ab", TEST_PASSWORD, "3–30 characters"),
        ("has space", TEST_PASSWORD, "3–30 characters"),
        ("x" * 31, TEST_PASSWORD, "at most 30 characters"),
        ("fine_handle", "123", "too short"),
    ],
)
def test_signup_rejects_bad_input(client: Client, handle: str, password: str, error: str) -> None:
    response = client.post("/accounts/signup/", {"handle": handle, "password": password})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_handles_are_unique_case_insensitively(client: Client, user: Any) -> None:
    response = client.post(
        "/accounts/signup/", {"handle": user.username.upper(), "password": TEST_PASSWORD}
    )
    assert response.status_code == 400
    assert "That handle is taken." in response.content.decode()


@pytest.mark.django_db
def test_login_and_logout(client: Client, user: Any) -> None:
    assert client.get("/create/").status_code == 302  # login required
    response = client.post(
        "/accounts/login/", {"username": user.username.upper(), "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/create/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/create/").status_code == 302


@pytest.mark.django_db
def test_wrong_password_shows_an_error(client: Client, user: Any) -> None:
    response = client.post("/accounts/login/", {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert "correct" in response.content.decode()
