"""POST /api/v1/generations: bad input gets a 4xx with a message per field and creates and
enqueues nothing; the Idempotency-Key returns the same job; drafts are private."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from generation.models import GenerationJob, JobStatus
from tests.factories import TEST_PASSWORD

URL = "/api/v1/generations"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field", "message_part"),
    [
        ({"prompt": "a cat", "seconds": 0}, "seconds", "greater than or equal to 1"),
        ({"prompt": "a cat", "seconds": 11}, "seconds", "less than or equal to 10"),
        ({"prompt": "a cat", "seconds": "abc"}, "seconds", "valid integer"),
        ({"prompt": "", "seconds": 5}, "prompt", "may not be blank"),
        ({"prompt": "   ", "seconds": 5}, "prompt", "may not be blank"),
        ({"prompt": "x" * 1001, "seconds": 5}, "prompt", "no more than 1000"),
        ({"prompt": "a cat", "seconds": 5, "aspect": "4:3"}, "aspect", "not a valid choice"),
        ({"prompt": "a cat", "seconds": 5, "fps": 25}, "fps", "not a valid choice"),
        ({"prompt": "a cat", "seconds": 5, "seed": -1}, "seed", "greater than or equal to 0"),
        ({"seconds": 5}, "prompt", "required"),
        ({"prompt": "a cat", "seconds": 5, "colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_bad_input_is_400_with_field_message_and_creates_nothing(
    api: APIClient,
    django_capture_on_commit_callbacks: Any,
    payload: dict[str, Any],
    field: str,
    message_part: str,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert message_part in " ".join(body["fields"][field])
    assert GenerationJob.objects.count() == 0
    assert callbacks == []  # nothing enqueued


@pytest.mark.django_db
def test_malformed_json_is_400(api: APIClient) -> None:
    response = api.post(URL, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert GenerationJob.objects.count() == 0


@pytest.mark.django_db
def test_unauthenticated_is_rejected(anon_api: APIClient) -> None:
    response = anon_api.post(URL, {"prompt": "a cat", "seconds": 3}, format="json")
    assert response.status_code in (401, 403)
    assert response.json()["detail"]
    assert GenerationJob.objects.count() == 0


@pytest.mark.django_db
def test_create_enqueues_one_job_after_commit(
    api: APIClient, user: Any, django_capture_on_commit_callbacks: Any, redis_client: Any
) -> None:
    before = redis_client.llen("render")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(URL, {"prompt": "a cat in the snow", "seconds": 3}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "queued"
    assert body["aspect"] == "9:16"
    assert 0 <= body["seed"] < 2**31
    assert len(callbacks) == 1
    job = GenerationJob.objects.get(pk=body["id"])
    assert job.owner == user and job.seconds == 3
    # The real broker got exactly one message on the render queue.
    assert redis_client.llen("render") == before + 1
    redis_client.delete("render")


@pytest.mark.django_db
def test_same_idempotency_key_returns_same_job(
    api: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    payload = {"prompt": "waves at sunset", "seconds": 4, "seed": 7}
    headers = {"HTTP_IDEMPOTENCY_KEY": "click-1"}
    with django_capture_on_commit_callbacks() as callbacks:
        first = api.post(URL, payload, format="json", **headers)
        second = api.post(URL, payload, format="json", **headers)
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert GenerationJob.objects.count() == 1
    assert len(callbacks) == 1  # enqueued once

    changed = api.post(URL, {**payload, "seconds": 5}, format="json", **headers)
    assert changed.status_code == 409
    assert changed.json()["code"] == "idempotency_key_reused"
    assert GenerationJob.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_keys_are_per_user(api: APIClient, other_user: Any) -> None:
    payload = {"prompt": "waves", "seconds": 2}
    mine = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k")
    theirs_client = APIClient()
    theirs_client.force_authenticate(other_user)
    theirs = theirs_client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


@pytest.mark.django_db
def test_token_authentication(anon_api: APIClient, user: Any) -> None:
    token = anon_api.post(
        "/api/v1/auth/token", {"handle": user.username, "password": TEST_PASSWORD}, format="json"
    )
    assert token.status_code == 200
    key = token.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me").json()["handle"] == user.username
    created = client.post(URL, {"prompt": "a dog", "seconds": 2}, format="json")
    assert created.status_code == 201

    wrong = anon_api.post(
        "/api/v1/auth/token", {"handle": user.username, "password": "nope"}, format="json"
    )
    assert wrong.status_code in (401, 403)


@pytest.mark.django_db
def test_someone_elses_job_is_404(api: APIClient, other_user: Any) -> None:
    job = GenerationJob.objects.create(owner=other_user, prompt="secret", seconds=2, seed=1)
    assert api.get(f"{URL}/{job.id}").status_code == 404
    assert api.post(f"{URL}/{job.id}/cancel").status_code == 404
    assert api.post(f"{URL}/{job.id}/publish", {}, format="json").status_code == 404
    assert api.get(f"{URL}/not-a-uuid").status_code == 404


@pytest.mark.django_db
def test_cancel_a_queued_job(api: APIClient, user: Any) -> None:
    job = GenerationJob.objects.create(owner=user, prompt="p", seconds=2, seed=1)
    response = api.post(f"{URL}/{job.id}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == JobStatus.CANCELLED
    again = api.post(f"{URL}/{job.id}/cancel")
    assert again.status_code == 200  # cancelling twice is harmless


@pytest.mark.django_db
def test_publishing_an_unfinished_job_is_409(api: APIClient, user: Any) -> None:
    job = GenerationJob.objects.create(owner=user, prompt="p", seconds=2, seed=1)
    response = api.post(f"{URL}/{job.id}/publish", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_publishable"


@pytest.mark.django_db
def test_schema_and_docs_are_served(anon_api: APIClient) -> None:
    schema = anon_api.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/generations" in text and "/api/v1/feed" in text
    assert anon_api.get("/api/docs/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_with_one_key_makes_one_job(user: Any, redis_client: Any) -> None:
    """Eight simultaneous requests with the same key (a double click, a retrying client)."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection

    barrier = Barrier(8)
    payload = {"prompt": "a storm over the sea", "seconds": 2, "seed": 9}

    def submit(_: int) -> tuple[int, str]:
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=10)
            response = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="double")
            return response.status_code, response.json()["id"]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(submit, range(8)))
    codes = sorted(code for code, _ in results)
    assert codes == [200] * 7 + [201]
    assert len({job_id for _, job_id in results}) == 1
    assert GenerationJob.objects.count() == 1
    redis_client.delete("render")
