"""The one domain error type services raise: a message, a domain code and the fields at fault.

Services say *what* went wrong (`code`); which HTTP status that is, is decided in one place at
the door (`config.api_errors.HTTP_STATUS`). The subclasses only name a default code.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, object] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        if code:
            self.code = code
        self.fields = fields or {}
        self.retry_after = retry_after  # seconds, when trying again later will work


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


class PromptBlocked(DomainError):
    """The prompt policy refused a prompt; the blocked job is kept as a record."""

    code = "prompt_blocked"

    def __init__(self, message: str, *, job_id: str) -> None:
        super().__init__(message, fields={"prompt": [message]})
        self.job_id = job_id


class PaymentRequired(DomainError):
    code = "insufficient_credits"


class ServiceUnavailable(DomainError):
    """A dependency (the task broker) is down: try again shortly; nothing was done."""

    code = "service_unavailable"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
