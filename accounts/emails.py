"""Outgoing e-mail: an outbox row written in the same transaction as the change it reports,
then sent by a Celery task after commit, rendered from templates/email/ in the recipient's
language. Links that carry a secret (password reset, e-mail confirmation) are made in the
worker at send time and never stored.

    service ──▶ OutgoingEmail row ──on_commit──▶ accounts.tasks.send_email(id)
                                                   └▶ email_send(): render, send, mark sent
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import EmailKind, OutgoingEmail, User

logger = logging.getLogger(__name__)

EMAIL_CONFIRM_SALT = "reverie.email-confirm"


def email_queue(
    *,
    user: User,
    kind: str,
    to: str | None = None,
    context: dict[str, Any] | None = None,
    base_url: str = "",
) -> OutgoingEmail | None:
    """Write a message to the outbox and send it after commit. None when there is no address.

    `base_url` ("https://reverie.example") makes links absolute; PUBLIC_BASE_URL wins if set."""
    address = (to if to is not None else user.email).strip()
    if not address:
        return None
    email = OutgoingEmail.objects.create(
        user=user,
        to_address=address,
        kind=kind,
        context={**(context or {}), "base_url": settings.PUBLIC_BASE_URL or base_url},
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: _enqueue(email.pk))
    return email


SEND_EMAIL_TASK = "accounts.tasks.send_email"  # a registered name: queued messages route by it


def _enqueue(email_id: int) -> None:
    # By name: the task module sits above this one (it calls into this module).
    current_app.signature(SEND_EMAIL_TASK).apply_async(args=[email_id])


def email_confirm_token(*, user: User, address: str) -> str:
    """A signed, expiring link token for `address`; it stops working once the account's e-mail
    changes (it carries the address it replaces)."""
    return signing.dumps({"u": user.pk, "e": address, "was": user.email}, salt=EMAIL_CONFIRM_SALT)


def email_confirm_token_read(token: str) -> dict[str, Any] | None:
    try:
        data = signing.loads(token, salt=EMAIL_CONFIRM_SALT, max_age=settings.EMAIL_CONFIRM_TIMEOUT)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) else None


def _links(email: OutgoingEmail) -> dict[str, str]:
    """The links a message needs, made now (secrets are never stored in the outbox)."""
    base = email.context.get("base_url", "")
    user = email.user
    if email.kind == EmailKind.PASSWORD_RESET:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        path = reverse("accounts:password_reset_confirm", args=[uid, token])
        return {"link": base + path}
    if email.kind == EmailKind.EMAIL_CONFIRM:
        token = email_confirm_token(user=user, address=email.to_address)
        return {"link": base + reverse("accounts:email_confirm", args=[token])}
    if email.kind == EmailKind.EXPORT_READY:
        return {"link": base + reverse("accounts:data")}
    if email.kind in {EmailKind.PASSWORD_CHANGED, EmailKind.EMAIL_CHANGED}:
        return {"link": base + reverse("accounts:password_reset")}
    return {"link": base + reverse("accounts:login")}


def email_render(*, email: OutgoingEmail) -> tuple[str, str, str]:
    """(subject, text body, HTML body) in the language the message was queued in."""
    context = {
        **email.context,
        **_links(email),
        "user": email.user,
        "handle": email.user.username,
        "to_address": email.to_address,
        "site_name": "Reverie",
    }
    with translation.override(email.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"email/{email.kind}_subject.txt", context)
        text = render_to_string(f"email/{email.kind}.txt", context)
        html = render_to_string(f"email/{email.kind}.html", context)
    return " ".join(subject.split()), text, html


def email_send(*, email_id: int) -> bool:
    """Send one outbox message unless it was sent already. Returns whether it was sent now.

    Not under a lock: an SMTP conversation must not hold a database transaction. Two deliveries
    racing could both send (e-mail is at-least-once); the guarded update records one."""
    email = OutgoingEmail.objects.select_related("user").filter(pk=email_id).first()
    if email is None or email.sent_at is not None:
        return False
    subject, text, html = email_render(email=email)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [email.to_address])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as exc:
        OutgoingEmail.objects.filter(pk=email.pk).update(
            attempts=email.attempts + 1, last_error=str(exc)[:300]
        )
        raise
    OutgoingEmail.objects.filter(pk=email.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=email.attempts + 1, last_error=""
    )
    return True


def emails_unsent(*, older_than_seconds: int = 300) -> list[int]:
    """Messages never tried although queued a while ago: their task was lost (a broker outage
    at commit time). Failed sends are retried by the task itself, with backoff, and after its
    last retry stay unsent with `last_error` for an operator to see."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        OutgoingEmail.objects.filter(
            sent_at__isnull=True, created_at__lt=cutoff, attempts=0
        ).values_list("pk", flat=True)[:200]
    )
