"""Doors that hold: every answer under /api/ is JSON (400, 413, 500 included), deeply nested JSON
is a 400, and a client can't choose its own address."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from config.throttling import client_ip


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_is_a_400(api: APIClient, depth: int) -> None:
    body = "[" * depth + "]" * depth
    response = api.post("/api/v1/generations/quote", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "nested" in response.json()["detail"]


@pytest.mark.django_db
def test_moderately_nested_json_still_parses(api: APIClient) -> None:
    body = '{"prompt": "a cat", "seconds": 4, "extra": ' + "[" * 10 + "]" * 10 + "}"
    response = api.post("/api/v1/generations/quote", body, content_type="application/json")
    # Parsed fine: the serializer, not the parser, answers (it refuses the unknown field).
    assert response.status_code == 400
    assert response.json()["fields"] == {"extra": ["Unknown field."]}


@pytest.mark.django_db
def test_an_oversized_json_body_is_a_json_413(api: APIClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"prompt": "' + "x" * 4000 + '"}'
    response = api.post("/api/v1/generations/quote", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large.", "code": "too_large"}


@pytest.mark.django_db
def test_an_oversized_form_body_is_a_json_413_under_api_and_html_elsewhere(
    user: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = Client()
    client.force_login(user)
    response = client.post("/api/v1/me/avatar", {"bio": "x" * 4000})
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "too_large"
    page = client.post("/settings/profile/", {"bio": "x" * 4000})
    assert page.status_code == 413
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_crash_under_api_is_a_json_500(monkeypatch: pytest.MonkeyPatch) -> None:
    from feed import selectors

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "feed_newest_page", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/feed")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings: Any) -> None:
    settings.NUM_PROXIES = 0
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert client_ip(request) == "203.0.113.7"


def test_behind_one_proxy_the_address_it_saw_wins_over_the_clients_claim(settings: Any) -> None:
    settings.NUM_PROXIES = 1
    # The client claimed 198.51.100.1; our nginx appended the address it really saw.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7"
    )
    assert client_ip(request) == "203.0.113.7"
    settings.NUM_PROXIES = 2
    assert client_ip(request) == "198.51.100.1"


@pytest.mark.django_db
def test_api_throttles_key_on_the_trusted_address(settings: Any) -> None:
    settings.NUM_PROXIES = 0
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login": "2/hour",
        },
    }
    statuses = []
    for attempt in range(4):
        response = APIClient().post(
            "/api/v1/auth/token",
            {"handle": "nobody", "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}",  # a fresh "address" each time
        )
        statuses.append(response.status_code)
    assert statuses[-1] == 429, statuses


@pytest.mark.django_db
def test_one_lockout_for_both_log_in_doors(user: Any, settings: Any) -> None:
    """Wrong passwords at the web form count toward the token door and the other way round; the
    lockout is per handle (whatever the address) and per address (whatever the handle)."""
    from tests.factories import TEST_PASSWORD

    settings.LOGIN_FAILURE_LIMIT = 4
    settings.NUM_PROXIES = 0
    attacker = "198.51.100.20"
    statuses = []
    for door in ("page", "token", "page", "token"):
        if door == "page":
            response = Client(REMOTE_ADDR=attacker).post(
                "/accounts/login/", {"username": user.username, "password": "wrong"}
            )
        else:
            response = APIClient(REMOTE_ADDR=attacker).post(
                "/api/v1/auth/token", {"handle": user.username, "password": "wrong"}, format="json"
            )
        statuses.append(response.status_code)
    # Wrong passwords answer 200 (the form again) and 403; the fourth failure, the limit, is
    # already refused as a lockout.
    assert statuses == [200, 403, 200, 429], statuses
    # Locked through the token door, even with the right password and a forged header.
    locked = APIClient(REMOTE_ADDR="203.0.113.50").post(
        "/api/v1/auth/token",
        {"handle": user.username.upper(), "password": TEST_PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="192.0.2.1",
    )
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert int(locked["Retry-After"]) > 0
    # The attacker's address is locked for every other handle, at both doors.
    other = APIClient(REMOTE_ADDR=attacker).post(
        "/api/v1/auth/token", {"handle": "someone", "password": "x"}, format="json"
    )
    assert other.status_code == 429
    page = Client(REMOTE_ADDR=attacker).post(
        "/accounts/login/", {"username": "someone", "password": "x"}
    )
    assert page.status_code == 429 and page["Content-Type"].startswith("text/html")
    # A bystander elsewhere signs in with another handle as usual.
    from tests.factories import UserFactory

    bystander = UserFactory()
    ok = APIClient(REMOTE_ADDR="203.0.113.60").post(
        "/api/v1/auth/token",
        {"handle": bystander.username, "password": TEST_PASSWORD},
        format="json",
    )
    assert ok.status_code == 200


class Tripwire(io.RawIOBase):
    """A request body that counts what the server reads of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), 64 * 1024)
        buffer[:size] = b"x" * size
        self.read_bytes += size
        return size


def _wsgi_post(path: str, *, content_length: int, remote: str = "198.51.100.77") -> tuple[str, Any]:
    from config.wsgi import application

    body = Tripwire()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": remote,
        # A browser's CSRF cookie: the CSRF check then reads the form (and so the upload).
        "HTTP_COOKIE": "csrftoken=" + "a" * 32,
        "CONTENT_TYPE": "multipart/form-data; boundary=reverieboundary",
        "CONTENT_LENGTH": str(content_length),
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    status: list[str] = []
    chunks = application(environ, lambda s, headers, *rest: status.append(s))
    b"".join(chunks)
    return status[0], body


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/check/", "/api/v1/provenance/check"])
def test_an_upload_over_the_limit_is_refused_unread(path: str, settings: Any) -> None:
    settings.PROVENANCE_CHECK_MAX_BYTES = 1024 * 1024
    status, body = _wsgi_post(path, content_length=500 * 1024 * 1024)
    assert status.startswith("413")
    assert body.read_bytes == 0  # not a byte read, so nothing spooled to disk either


@pytest.mark.django_db
def test_anonymous_checks_are_throttled_before_the_body_is_read(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "check": "2/hour",
        },
    }
    client = Client(REMOTE_ADDR="198.51.100.88")
    for _ in range(2):
        upload = io.BytesIO(b"not a clip")
        upload.name = "clip.mp4"
        assert client.post("/check/", {"file": upload}).status_code == 200
    status, body = _wsgi_post("/check/", content_length=1000, remote="198.51.100.88")
    assert status.startswith("429")
    assert body.read_bytes == 0
    api = [
        APIClient(REMOTE_ADDR="198.51.100.89").post(
            "/api/v1/provenance/check", {"file": io.BytesIO(b"x")}, format="multipart"
        )
        for _ in range(3)
    ]
    assert api[-1].status_code == 429
    assert api[-1].json()["code"] == "throttled"


@pytest.mark.django_db
def test_a_token_authenticated_owner_fetches_their_drafts_file(user: Any, other_user: Any) -> None:
    from django.core.files.base import ContentFile

    from accounts.tokens import api_token_create
    from config.storage import private_storage
    from generation.models import GenerationJob

    job = GenerationJob.objects.create(
        owner=user, prompt="mine", seconds=1, seed=1, status="succeeded",
        video_file=f"drafts/{user.pk}/t/clip.mp4",
    )  # fmt: skip
    private_storage().save(job.video_file.name, ContentFile(b"my draft bytes"))
    owner = APIClient()
    owner.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)[1]}")
    video_url = owner.get(f"/api/v1/generations/{job.pk}").json()["video_url"]
    response = owner.get(video_url, HTTP_RANGE="bytes=0-1")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == b"my"
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=other_user)[1]}")
    assert stranger.get(video_url).status_code == 404
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert forged.get(video_url).status_code == 404
    assert APIClient().get(video_url).status_code == 404
