"""The one domain error type services raise; the API layer turns it into a 4xx."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.fields = fields or {}


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class PromptBlocked(DomainError):
    """The prompt policy refused a prompt; the blocked job is kept as a record."""

    status_code = 422
    code = "prompt_blocked"

    def __init__(self, message: str, *, job_id: str) -> None:
        super().__init__(message, fields={"prompt": [message]})
        self.job_id = job_id


class PaymentRequired(DomainError):
    status_code = 402
    code = "insufficient_credits"
