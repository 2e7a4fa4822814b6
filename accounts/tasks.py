"""Celery doors into account services: e-mail, erasure after the grace period, data exports.
Tasks take ids and are safe to deliver twice."""

from __future__ import annotations

import smtplib
import socket

from celery import shared_task

from accounts import emails, exports, lifecycle, tokens

# Worth another try later; anything else (a template error, a bad address) is not.
TRANSIENT_MAIL_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPResponseException,
    socket.timeout,
    ConnectionError,
    OSError,
)


@shared_task(
    acks_late=True, autoretry_for=TRANSIENT_MAIL_ERRORS, retry_backoff=30, retry_backoff_max=1800,
    max_retries=6, retry_jitter=True,
)  # fmt: skip
def send_email(email_id: int) -> bool:
    return emails.email_send(email_id=email_id)


@shared_task(acks_late=True)
def resend_unsent_emails() -> int:
    """Beat: messages whose task was lost (or ran out of retries) are sent again."""
    ids = emails.emails_unsent()
    for email_id in ids:
        send_email.delay(email_id)
    return len(ids)


@shared_task(acks_late=True)
def erase_account(user_id: int) -> bool:
    return lifecycle.account_erase(user_id=user_id)


@shared_task(acks_late=True)
def erase_due_accounts() -> int:
    """Beat: erase the accounts whose grace period is over (one task each), purge dead tokens."""
    ids = lifecycle.accounts_due_for_erasure()
    for user_id in ids:
        erase_account.delay(user_id)
    tokens.api_tokens_purge_expired()
    return len(ids)


@shared_task(acks_late=True)
def build_export(export_id: int, base_url: str = "") -> str:
    return exports.export_build(export_id=export_id, base_url=base_url)


@shared_task(acks_late=True)
def expire_exports() -> int:
    return exports.exports_expire()
