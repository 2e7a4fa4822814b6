"""API tokens: stored as digests only, expiring, listed and revocable; old clear tokens hashed."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import api_token_create, token_digest
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_obtained_token_is_stored_hashed_and_works(anon_api: APIClient, user: Any) -> None:
    response = anon_api.post(
        "/api/v1/auth/token",
        {"handle": user.username, "password": TEST_PASSWORD, "name": "cli", "expires_in_days": 7},
        format="json",
    )
    assert response.status_code == 200, response.content
    secret = response.json()["token"]
    row = ApiToken.objects.get(user=user)
    assert row.digest == token_digest(secret) and secret not in (row.digest, row.prefix)
    assert not ApiToken.objects.filter(digest=secret).exists()
    assert row.name == "cli"
    assert timedelta(days=6) < row.expires_at - timezone.now() <= timedelta(days=7)
    assert _client(secret).get("/api/v1/me").json()["handle"] == user.username
    row.refresh_from_db()
    assert row.last_used_at is not None
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bearer.get("/api/v1/me").status_code == 200


def test_expired_token_is_refused(user: Any) -> None:
    token, secret = api_token_create(user=user, days=1)
    assert _client(secret).get("/api/v1/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _client(secret).get("/api/v1/me")
    # 403, not 401: session authentication comes first, and it sends no WWW-Authenticate.
    assert response.status_code == 403
    assert "expired" in response.json()["detail"]


def test_default_lifetime_and_never_expiring(settings: Any, user: Any) -> None:
    settings.API_TOKEN_TTL_DAYS = 30
    token, _ = api_token_create(user=user)
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    forever, secret = api_token_create(user=user, days=0)
    assert forever.expires_at is None
    assert _client(secret).get("/api/v1/me").status_code == 200


def test_list_create_and_revoke_through_the_api(api: APIClient, user: Any) -> None:
    created = api.post("/api/v1/me/tokens", {"name": "laptop", "expires_in_days": 3}, format="json")
    assert created.status_code == 201, created.content
    secret = created.json()["token"]
    listed = api.get("/api/v1/me/tokens").json()["results"]
    assert [t["name"] for t in listed] == ["laptop"]
    assert "token" not in listed[0] and "digest" not in listed[0]
    assert _client(secret).get("/api/v1/me").status_code == 200

    other = UserFactory()
    theirs, _ = api_token_create(user=other)
    assert api.delete(f"/api/v1/me/tokens/{theirs.pk}").status_code == 404
    assert api.delete(f"/api/v1/me/tokens/{listed[0]['id']}").status_code == 204
    assert _client(secret).get("/api/v1/me").status_code == 403
    assert ApiToken.objects.filter(pk=theirs.pk).exists()

    bad = api.post("/api/v1/me/tokens", {"expires_in_days": -1}, format="json")
    assert bad.status_code == 400 and "expires_in_days" in bad.json()["fields"]


def test_token_list_costs_the_same_queries_for_1_and_20(api: APIClient, user: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for total in (1, 20):
        ApiToken.objects.filter(user=user).delete()
        for _ in range(total):
            api_token_create(user=user)
        with CaptureQueriesContext(connection) as ctx:
            assert len(api.get("/api/v1/me/tokens").json()["results"]) == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == 1, counts  # force_authenticate: only the list itself


def test_settings_page_makes_shows_once_and_revokes(client: Client, user: Any) -> None:
    client.force_login(user)
    response = client.post("/settings/account/tokens/", {"name": "script", "expires_in_days": 5})
    assert response.status_code == 302
    page = client.get("/settings/account/").content.decode()
    token = ApiToken.objects.get(user=user)
    assert 'id="new-token"' in page and token.prefix in page and "script" in page
    again = client.get("/settings/account/").content.decode()
    assert 'id="new-token"' not in again  # shown once
    assert client.post(f"/settings/account/tokens/{token.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_clear_tokens_from_before_are_hashed_by_the_migration(user: Any) -> None:
    from django.apps import apps as global_apps
    from rest_framework.authtoken.models import Token

    migration = importlib.import_module("accounts.migrations.0007_hash_existing_api_tokens")

    Token.objects.create(user=user, key="a" * 40)
    migration.hash_clear_tokens(global_apps, None)
    assert not Token.objects.exists()
    assert _client("a" * 40).get("/api/v1/me").json()["handle"] == user.username
