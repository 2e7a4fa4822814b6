"""The account endpoints are in the OpenAPI schema with the status codes they answer."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from rest_framework.test import APIClient

EXPECTED = {
    ("/api/v1/auth/token", "post"): {"200", "400", "401"},
    ("/api/v1/me", "delete"): {"202", "400", "401", "403"},
    ("/api/v1/me/tokens", "get"): {"200", "401"},
    ("/api/v1/me/tokens", "post"): {"201", "400", "401"},
    ("/api/v1/me/tokens/{token_id}", "delete"): {"204", "401", "404"},
    ("/api/v1/me/password", "post"): {"200", "400", "401"},
    ("/api/v1/me/email", "post"): {"202", "400", "401", "429"},
    ("/api/v1/auth/email/confirm", "post"): {"200", "400"},
    ("/api/v1/auth/password-reset", "post"): {"202", "400", "429"},
    ("/api/v1/auth/password-reset/confirm", "post"): {"200", "400"},
    ("/api/v1/me/exports", "get"): {"200", "401"},
    ("/api/v1/me/exports", "post"): {"200", "202", "401", "429"},
    ("/api/v1/me/exports/{export_id}", "get"): {"200", "401", "404"},
    ("/api/v1/me/exports/{export_id}/download", "get"): {"200", "401", "404", "409", "410"},
    ("/api/v1/generations/{job_id}", "delete"): {"204", "404", "409"},
    ("/api/v1/videos/{video_id}", "delete"): {"204", "401", "403", "404"},
}


@pytest.mark.django_db
def test_account_endpoints_and_their_status_codes_are_in_the_schema(anon_api: APIClient) -> None:
    response = anon_api.get("/api/schema/")
    assert response.status_code == 200
    schema: dict[str, Any] = yaml.safe_load(response.content)
    for (path, method), codes in EXPECTED.items():
        operation = schema["paths"][path][method]
        # config/schema.py adds the statuses every operation can give (413, 429, 503…) on top.
        assert codes <= set(operation["responses"]), (path, method, operation["responses"])
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    body = schema["paths"]["/api/v1/me"]["delete"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/PasswordRequest")
