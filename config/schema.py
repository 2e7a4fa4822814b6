"""OpenAPI schema helpers, so the schema says what the API really answers: list envelopes
({"results": [...]} and their extra keys) and the error statuses every door can return, each
with the one error shape of config/api_errors.py."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


def results_of(
    item: type[serializers.Serializer], *, name: str, **extra: serializers.Field
) -> serializers.Serializer:
    """The schema of `{"results": [item, …], **extra}`."""
    return inline_serializer(name=name, fields={"results": item(many=True), **extra})


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
    "additionalProperties": True,
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input (fields name the problems), a malformed or too deeply nested body.",
    "401": "Authentication credentials were missing or wrong.",
    "403": "Not allowed (not signed in, not yours, or a CSRF failure with a session).",
    "404": "No such object, or not visible to you.",
    "409": "Conflicts with the object's current state (already used, already done).",
    "413": "The request body is over this endpoint's limit.",
    "429": "Rate limited or locked out; Retry-After says when to try again.",
    "503": "Overloaded (database pool full) or a dependency is down; Retry-After says when.",
}

UNSAFE = {"post", "put", "patch", "delete"}


def _error_codes(method: str, path: str, operation: dict[str, Any]) -> list[str]:
    codes = ["503"]
    has_body = "requestBody" in operation
    has_params = bool(operation.get("parameters")) or "{" in path
    if has_body or has_params:
        codes.append("400")
    if "{" in path:
        codes.append("404")
    anonymous_allowed = any(not requirement for requirement in operation.get("security", [{}]))
    if not anonymous_allowed:
        codes += ["401", "403"]
    if method in UNSAFE:
        codes += ["403", "409", "429"]
    if has_body:
        codes.append("413")
    return codes


def document_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: add the error responses an operation can give."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    reference = {"$ref": "#/components/schemas/Error"}
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in _error_codes(method, path, operation):
                if code in responses and responses[code].get("content"):
                    continue
                responses[code] = {
                    "description": responses.get(code, {}).get("description")
                    or ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": reference}},
                }
    return result
