"""One JSON error shape for the whole API: {"detail": str, "code": str, "fields": {name: [...]}},
and the one mapping from a domain error's code to its HTTP status (pages use it too)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from config.errors import DomainError

# Every code a service raises that is not a plain 400. A new code defaults to 400: add it here
# when it means something else (tests/test_architecture.py checks the codes raised in app code).
HTTP_STATUS: dict[str, int] = {
    "insufficient_credits": 402,
    "forbidden": 403,
    "wrong_password": 403,
    "blocked": 403,
    "cameo_not_allowed": 403,
    "edit_window_closed": 403,
    "not_found": 404,
    "conflict": 409,
    "not_finished": 409,
    "not_ready": 409,
    "attempt_used": 409,
    "cameo_exists": 409,
    "idempotency_key_reused": 409,
    "not_cancellable": 409,
    "not_pending_review": 409,
    "not_publishable": 409,
    "purchases_disabled": 409,
    "revoked": 409,
    "verification_in_progress": 409,
    "verified": 409,
    "expired": 410,
    "prompt_blocked": 422,
    "caption_blocked": 422,
    "comment_blocked": 422,
    "lookalike_mention": 422,
    "cool_down": 429,
    "rate_limited": 429,
    "payment_provider_error": 502,
    "service_unavailable": 503,
}


def http_status_for(error: DomainError) -> int:
    return HTTP_STATUS.get(error.code, 400)


def _messages(errors: Any, prefix: str = "") -> list[str]:
    """A field's errors as flat strings: nested ones (list items, nested objects) are prefixed
    with where they are, e.g. "0: A valid integer is required."."""
    if isinstance(errors, dict):
        return [
            message
            for key, value in errors.items()
            for message in _messages(value, f"{prefix}{key}: ")
        ]
    if isinstance(errors, list):
        return [message for item in errors for message in _messages(item, prefix)]
    return [f"{prefix}{errors}"]


def json_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.fields:
            body["fields"] = exc.fields
        if getattr(exc, "job_id", None):
            body["job"] = exc.job_id
        body.update(exc.extra)
        headers = {}
        if exc.retry_after:
            headers["Retry-After"] = str(exc.retry_after)
        return Response(body, status=http_status_for(exc), headers=headers)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = response.data
        if isinstance(data, dict):
            fields = {
                name: _messages(messages)
                for name, messages in data.items()
                if name != "non_field_errors"
            }
            non_field = data.get("non_field_errors")
            detail = str(non_field[0]) if non_field else "Invalid input."
            response.data = {"detail": detail, "code": "invalid", "fields": fields}
        else:
            response.data = {
                "detail": str(data[0]) if data else "Invalid input.",
                "code": "invalid",
            }
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    return response


class ErrorSerializer(serializers.Serializer):
    """The error body every endpoint answers a 4xx with (for the OpenAPI schema)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
