"""The PostgreSQL connection pool: bounded per process, and a full pool answers a fast 503 with
Retry-After (JSON under /api/) instead of a 500 or one connection too many."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the pool is PostgreSQL's (psycopg_pool)"
)


def test_each_process_has_a_bounded_pool() -> None:
    pool = connection.settings_dict["OPTIONS"]["pool"]
    assert pool["max_size"] >= 1
    assert pool["timeout"] <= 5  # a saturated pool answers quickly


@pytest.mark.django_db(transaction=True)
def test_a_saturated_pool_answers_503_quickly() -> None:
    from tests.factories import VideoFactory

    VideoFactory()
    connection.close()  # hand this test's connection back to the pool
    pool: Any = connection.pool
    pool.open()
    saved_timeout = pool.timeout
    pool.timeout = 0.3
    held = []
    try:
        # Take every connection the pool may ever open, as other requests would.
        while len(held) < pool.max_size:
            held.append(pool.getconn())
        started = time.monotonic()
        api = Client(raise_request_exception=False).get("/api/v1/feed")
        page = Client(raise_request_exception=False).get("/")
        elapsed = time.monotonic() - started
    finally:
        pool.timeout = saved_timeout
        for conn in held:
            pool.putconn(conn)
    assert api.status_code == 503
    assert api.json()["code"] == "service_unavailable"
    assert int(api["Retry-After"]) > 0
    assert page.status_code == 503 and int(page["Retry-After"]) > 0
    assert elapsed < 3
    # With connections back in the pool, the same requests succeed.
    assert Client().get("/api/v1/feed").status_code == 200
