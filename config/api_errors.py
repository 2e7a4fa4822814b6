"""One JSON error shape for the whole API: {"detail": str, "fields": {name: [messages]}}."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from config.errors import DomainError


def json_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.fields:
            body["fields"] = exc.fields
        if getattr(exc, "job_id", None):
            body["job"] = exc.job_id
        body.update(exc.extra)
        headers = {}
        if getattr(exc, "retry_after", None):
            headers["Retry-After"] = str(exc.retry_after)
        return Response(body, status=exc.status_code, headers=headers)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = response.data
        if isinstance(data, dict):
            fields = {
                name: messages if isinstance(messages, list) else [messages]
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
