"""Schemathesis against our own OpenAPI schema, in-process, authenticated, with a bounded number of
examples per operation: no input may cause a server error (5xx), every status code answered is
documented for its operation, and every response body matches its documented schema."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "12"))


@pytest.fixture
def keep_connection() -> Any:
    """Like Django's test client: requests must not close the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token_header(db: None, keep_connection: None) -> dict[str, str]:
    from accounts.tokens import api_token_create
    from tests.factories import UserFactory, VideoFactory

    user = UserFactory(username="fuzzer")
    VideoFactory(creator=user)
    _row, secret = api_token_create(user=user)
    return {"Authorization": f"Token {secret}"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples every run: CI failures reproduce
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_the_api_does_what_its_schema_says(case: Any, token_header: dict[str, str]) -> None:
    case.call_and_validate(
        headers=token_header,
        checks=[not_a_server_error, response_schema_conformance, status_code_conformance],
    )
