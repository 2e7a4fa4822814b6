"""E-mail flows end to end with the locmem backend: password reset, password change, e-mail
change with confirmation, and verification at sign-up. Messages go through the outbox and the
Celery task (run inline)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.emails import email_send
from accounts.models import ApiToken, EmailKind, OutgoingEmail, User
from accounts.tokens import api_token_create
from tests.account_helpers import eager_tasks, link_in, locmem_mail, path_of  # noqa: F401
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks", "locmem_mail")]
NEW_PASSWORD = "a-brand-new-passphrase-77"


def test_password_reset_by_email(
    client: Client, user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _token, secret = api_token_create(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": user.email.upper()})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email] and "Reset your Reverie password" in message.subject
    assert message.alternatives and "<a href" in message.alternatives[0][0]
    row = OutgoingEmail.objects.get(user=user, kind=EmailKind.PASSWORD_RESET)
    assert row.sent_at is not None
    link = path_of(link_in(message.body))
    assert link.split("/")[-2] not in str(row.context)  # the token is never stored
    # The task delivered twice sends once.
    assert email_send(email_id=row.pk) is False and len(mail.outbox) == 1

    form = client.get(link, follow=True)
    assert form.status_code == 200 and b"new_password1" in form.content
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            form.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not ApiToken.objects.filter(user=user).exists()  # old tokens stop working
    assert any("password was changed" in m.subject for m in mail.outbox)
    # The link is single-use.
    assert b"new_password1" not in client.get(link, follow=True).content


def test_password_reset_does_not_reveal_unknown_addresses(
    anon_api: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = anon_api.post(
            "/api/v1/auth/password-reset", {"email": "nobody@example.test"}, format="json"
        )
    assert response.status_code == 202 and mail.outbox == []


def test_password_reset_through_the_api(
    anon_api: APIClient, user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        anon_api.post("/api/v1/auth/password-reset", {"email": user.email}, format="json")
    uid, token = path_of(link_in(mail.outbox[0].body)).strip("/").split("/")[-2:]
    bad = anon_api.post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": "nope", "new_password": NEW_PASSWORD},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_link"
    weak = anon_api.post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": "123"},
        format="json",
    )
    assert weak.status_code == 400 and "new_password" in weak.json()["fields"]
    ok = anon_api.post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert ok.status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_change_page_and_api(
    client: Client, api: APIClient, user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/settings/password/",
            {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD,
             "new_password2": NEW_PASSWORD},
        )  # fmt: skip
    assert response.status_code == 302
    assert client.get("/settings/account/").status_code == 200  # still logged in
    assert [m.subject for m in mail.outbox] == ["Your Reverie password was changed"]
    user.refresh_from_db()  # the API client authenticates this very object
    wrong = api.post(
        "/api/v1/me/password",
        {"old_password": "wrong", "new_password": "another-long-pass-99"},
        format="json",
    )
    assert wrong.status_code == 400 and "old_password" in wrong.json()["fields"]
    ok = api.post(
        "/api/v1/me/password",
        {"old_password": NEW_PASSWORD, "new_password": "another-long-pass-99"},
        format="json",
    )
    assert ok.status_code == 200
    user.refresh_from_db()
    assert user.check_password("another-long-pass-99")


def test_email_change_with_confirmation(
    api: APIClient, client: Client, user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    old = user.email
    wrong = api.post("/api/v1/me/email", {"email": "new@example.test", "password": "x"},
                     format="json")  # fmt: skip
    assert wrong.status_code == 400 and "password" in wrong.json()["fields"]
    invalid = api.post("/api/v1/me/email", {"email": "not-an-address", "password": TEST_PASSWORD},
                       format="json")  # fmt: skip
    assert invalid.status_code == 400 and "email" in invalid.json()["fields"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/me/email", {"email": "new@example.test", "password": TEST_PASSWORD},
            format="json",
        )  # fmt: skip
    assert response.status_code == 202
    user.refresh_from_db()
    assert user.email == old  # nothing changes before the link is followed
    message = mail.outbox[-1]
    assert message.to == ["new@example.test"]
    link = path_of(link_in(message.body))
    assert client.get(link).status_code == 200  # a prefetching mail scanner changes nothing
    user.refresh_from_db()
    assert user.email == old
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(link)
    assert confirmed.status_code == 200 and b"data-confirmed" in confirmed.content
    user.refresh_from_db()
    assert user.email == "new@example.test" and user.email_verified_at is not None
    notice = mail.outbox[-1]
    assert notice.to == [old] and "new@example.test" in notice.body

    # A second change makes the first link useless.
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/me/email", {"email": "third@example.test", "password": TEST_PASSWORD},
                 format="json")  # fmt: skip
    third = path_of(link_in(mail.outbox[-1].body))
    token = third.rstrip("/").split("/")[-1]
    assert APIClient().post("/api/v1/auth/email/confirm", {"token": token},
                            format="json").status_code == 200  # fmt: skip
    stale = client.post(link)
    assert stale.status_code == 400
    forged = APIClient().post("/api/v1/auth/email/confirm", {"token": "abc"}, format="json")
    assert forged.status_code == 400


def test_signup_with_required_verification(
    client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SIGNUP_EMAIL_VERIFICATION = True
    missing = client.post("/accounts/signup/", {"handle": "nova", "password": NEW_PASSWORD})
    assert missing.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {"handle": "nova", "email": "nova@example.test", "password": NEW_PASSWORD},
        )
    assert response.status_code == 200 and b"nova@example.test" in response.content
    assert "_auth_user_id" not in client.session
    refused = client.post("/accounts/login/", {"username": "nova", "password": NEW_PASSWORD})
    assert refused.status_code == 200 and b"Confirm your e-mail" in refused.content
    token_refused = APIClient().post(
        "/api/v1/auth/token", {"handle": "nova", "password": NEW_PASSWORD}, format="json"
    )
    assert token_refused.status_code in (401, 403)
    client.post(path_of(link_in(mail.outbox[0].body)))
    assert User.objects.get(username="nova").email_verified_at is not None
    assert (
        client.post("/accounts/login/", {"username": "nova", "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_optional_verification_at_signup(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {"handle": "lumen", "email": "lumen@example.test", "password": NEW_PASSWORD},
        )
    assert response.status_code == 302  # logged in at once
    assert mail.outbox[0].to == ["lumen@example.test"]
    client.post(path_of(link_in(mail.outbox[0].body)))
    assert User.objects.get(username="lumen").email_verified_at is not None


def test_email_is_rendered_in_the_language_it_was_queued_in(user: Any) -> None:
    from django.utils import translation

    from accounts.emails import email_queue, email_render

    with translation.override("fr"):
        row = email_queue(user=user, kind=EmailKind.PASSWORD_CHANGED)
    assert row is not None and row.language == "fr"
    subject, text, html = email_render(email=row)
    assert subject and "@" + user.username in text and "<p>" in html
