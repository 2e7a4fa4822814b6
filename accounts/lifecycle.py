"""An account's life beyond sign-up: confirming and changing the e-mail address, password
notices, and deletion — asked with the password, cancelled by logging in during the grace
period, then carried out by a task that erases everything the person made.

Erasure follows what each model already declares about its link to a person:
    CASCADE  ─▶ deleted (with everything that cascades from it, and every stored file)
    SET_NULL ─▶ unlinked (views counted anonymously, moderators' notes on others)
    PROTECT  ─▶ kept: the credit ledger, wallets and purchases, moderators' audit trail
and the User row itself stays as an anonymised tombstone ("deleted_…", no e-mail, no name,
no password) so the books still balance."""

from __future__ import annotations

import contextlib
import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.validators import validate_email
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.emails import email_confirm_token_read, email_queue
from accounts.models import EmailKind, User
from accounts.tokens import api_tokens_revoke_all
from config.errors import DomainError
from config.storage import private_storage, public_storage

logger = logging.getLogger(__name__)


# --- E-mail address ----------------------------------------------------------------------------


def email_verification_send(*, user: User, base_url: str = "") -> None:
    """Send a link that confirms the account's current address."""
    if user.email:
        email_queue(user=user, kind=EmailKind.EMAIL_CONFIRM, to=user.email, base_url=base_url)


def email_change_request(*, user: User, new_email: str, password: str, base_url: str = "") -> str:
    """Send a confirmation link to the new address; the account's address changes only when it
    is followed. Returns the normalised address."""
    address = (new_email or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(address)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    if not user.check_password(password or ""):
        errors["password"] = [_("Wrong password.")]
    if not errors and address.lower() == (user.email or "").lower() and user.email_verified_at:
        errors["email"] = [_("That is already your address.")]
    if errors:
        raise DomainError(_("Invalid input."), fields=errors)
    email_queue(user=user, kind=EmailKind.EMAIL_CONFIRM, to=address, base_url=base_url)
    return address


@transaction.atomic
def email_confirm(*, token: str) -> User:
    """Follow a confirmation link: the address becomes the account's, confirmed. A link for an
    address the account has since moved away from, a forged or an expired one is refused."""
    data = email_confirm_token_read(token)
    user = None
    if data is not None:
        user = User.objects.select_for_update().filter(pk=data.get("u"), deleted_at=None).first()
    if user is None or data is None:
        raise DomainError(_("This link is invalid or has expired."), code="invalid_link")
    address = str(data.get("e", ""))
    if user.email == address and user.email_verified_at is not None:
        return user  # followed twice
    if user.email != data.get("was"):
        raise DomainError(_("This link is invalid or has expired."), code="invalid_link")
    previous = user.email
    user.email = address
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email", "email_verified_at"])
    if previous and previous.lower() != address.lower():
        email_queue(user=user, kind=EmailKind.EMAIL_CHANGED, to=previous,
                    context={"new_email": address})  # fmt: skip
    return user


def password_changed_notify(*, user: User, base_url: str = "") -> None:
    """Tell the owner their password changed (if it wasn't them, the mail says what to do)."""
    email_queue(user=user, kind=EmailKind.PASSWORD_CHANGED, base_url=base_url)


def password_reset_completed(*, user: User) -> None:
    """After a reset by e-mail link: API tokens made with the old password stop working."""
    api_tokens_revoke_all(user=user)
    password_changed_notify(user=user)


def password_reset_request(*, email: str, base_url: str = "") -> int:
    """Send a reset link to every active account with this address. The caller answers the
    same whether or not one exists, so nobody learns which addresses have accounts."""
    address = (email or "").strip()
    if not address:
        return 0
    sent = 0
    for user in User.objects.filter(email__iexact=address, is_active=True, deleted_at=None):
        if user.has_usable_password():
            email_queue(user=user, kind=EmailKind.PASSWORD_RESET, to=user.email,
                        base_url=base_url)  # fmt: skip
            sent += 1
    return sent


def password_reset_confirm(*, uidb64: str, token: str, new_password: str) -> User:
    """Set a new password from a reset link's uid and token (Django's token generator: the link
    dies once used, once the password changes, or after PASSWORD_RESET_TIMEOUT)."""
    from django.contrib.auth import password_validation
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_decode

    invalid = DomainError(_("This link is invalid or has expired."), code="invalid_link")
    try:
        user_id = urlsafe_base64_decode(uidb64).decode()
        user = User.objects.get(pk=int(user_id), deleted_at=None)
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, User.DoesNotExist):
        raise invalid from None
    if not default_token_generator.check_token(user, token):
        raise invalid
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError(_("Invalid input."), fields={"new_password": list(exc.messages)}) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    password_reset_completed(user=user)
    return user


def password_change(*, user: User, old_password: str, new_password: str) -> User:
    from django.contrib.auth import password_validation

    if not user.check_password(old_password or ""):
        raise DomainError(_("Invalid input."), fields={"old_password": [_("Wrong password.")]})
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError(_("Invalid input."), fields={"new_password": list(exc.messages)}) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    password_changed_notify(user=user)
    return user


# --- Deletion ----------------------------------------------------------------------------------


def deletion_due_at(user: User) -> Any:
    if user.deletion_requested_at is None:
        return None
    return user.deletion_requested_at + timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)


@transaction.atomic
def account_deletion_request(*, user: User, password: str, base_url: str = "") -> Any:
    """Ask for the account to be erased after the grace period. Every session and API token
    stops working now; logging in again before the date cancels. Returns the date."""
    if not user.check_password(password or ""):
        raise DomainError(_("Invalid input."), fields={"password": [_("Wrong password.")]},
                          code="wrong_password")  # fmt: skip
    if user.deletion_requested_at is None:
        User.objects.filter(pk=user.pk, deletion_requested_at=None).update(
            deletion_requested_at=timezone.now()
        )
        user.refresh_from_db(fields=["deletion_requested_at"])
    api_tokens_revoke_all(user=user)
    due = deletion_due_at(user)
    email_queue(user=user, kind=EmailKind.DELETION_SCHEDULED, base_url=base_url,
                context={"erase_after": due.isoformat()})  # fmt: skip
    return due


def account_deletion_cancel(*, user: User) -> bool:
    """Logging in during the grace period keeps the account. Returns whether one was pending."""
    cancelled = User.objects.filter(
        pk=user.pk, deletion_requested_at__isnull=False, deleted_at=None
    ).update(deletion_requested_at=None)
    user.deletion_requested_at = None
    return bool(cancelled)


def accounts_due_for_erasure(*, limit: int = 100) -> list[int]:
    cutoff = timezone.now() - timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
    return list(
        User.objects.filter(deletion_requested_at__lte=cutoff, deleted_at=None)
        .order_by("deletion_requested_at")
        .values_list("pk", flat=True)[:limit]
    )


def _person_prefixes(user_id: int, cameo_ids: list[int]) -> list[tuple[Storage, str]]:
    """Folders that only ever hold this person's files."""
    return [
        (public_storage(), f"videos/{user_id}/"),
        (public_storage(), f"avatars/{user_id}/"),
        (private_storage(), f"drafts/{user_id}/"),
        (private_storage(), f"exports/{user_id}/"),
        *[(private_storage(), f"cameos/{cameo_id}/") for cameo_id in cameo_ids],
    ]


def _files_under(storage: Storage, prefix: str) -> list[str]:
    try:
        folders, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError, OSError):
        return []
    names = [f"{prefix}{name}" for name in files]
    for folder in folders:
        names += _files_under(storage, f"{prefix}{folder}/")
    return names


def _stored_files(collector: Collector) -> list[tuple[Storage, str]]:
    """Every file a FileField of a row about to be deleted points at."""
    found: list[tuple[Storage, str]] = []
    for model, instances in collector.data.items():
        file_fields = [f for f in model._meta.fields if isinstance(f, models.FileField)]
        for instance in instances:
            for field in file_fields:
                name = getattr(instance, field.attname)
                if name:
                    found.append((field.storage, str(name)))
    for queryset in collector.fast_deletes:
        model = queryset.model
        for field in [f for f in model._meta.fields if isinstance(f, models.FileField)]:
            for name in queryset.exclude(**{field.attname: ""}).values_list(
                field.attname, flat=True
            ):
                found.append((field.storage, str(name)))
    return found


def _delete_sessions(user_id: int) -> int:
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0  # other engines: HandleBackend already refuses the erased person's sessions
    doomed = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(2000)
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id)
    ]
    Session.objects.filter(session_key__in=doomed).delete()
    return len(doomed)


def _settle_open_jobs(user: User) -> None:
    """Cancel what is still being made and settle any hold a crash left open, so the wallet's
    held balance ends at zero before the jobs go."""
    from generation.jobs import job_capture, job_release
    from generation.models import FINAL_STATUSES, GenerationJob, JobStatus
    from generation.services import job_cancel

    for job in GenerationJob.objects.filter(owner=user).exclude(status__in=FINAL_STATUSES):
        with contextlib.suppress(DomainError):  # finished meanwhile: settled below
            job_cancel(job=job)
    unsettled = GenerationJob.objects.filter(
        owner=user, quote_credits__gt=0, charged_credits__isnull=True
    ).select_related("owner")
    for job in unsettled:
        if job.status == JobStatus.SUCCEEDED:
            job_capture(job=job, price=job.quote_credits)
        else:
            job_release(job=job)


def account_erase(*, user_id: int, force: bool = False) -> bool:
    """Erase a person whose grace period is over (or any person with `force`, for operators).
    Idempotent: an erased or reprieved account is left alone. Returns whether it erased now."""
    from feed.models import Comment, Like, Video
    from feed.services import video_counters_recount
    from likeness.models import Cameo

    user = User.objects.filter(pk=user_id, deleted_at=None).first()
    if user is None:
        return False
    due = deletion_due_at(user)
    if not force and (due is None or due > timezone.now()):
        return False
    _settle_open_jobs(user)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, deleted_at=None).first()
        if user is None or (not force and user.deletion_requested_at is None):
            return False
        touched = set(Like.objects.filter(user=user).values_list("video_id", flat=True))
        touched |= set(Comment.objects.filter(author=user).values_list("video_id", flat=True))
        touched |= set(
            Video.objects.filter(creator=user, remix_of__isnull=False).values_list(
                "remix_of_id", flat=True
            )
        )
        own_videos = list(Video.objects.filter(creator=user).values_list("pk", flat=True))
        cameo_ids = list(Cameo.objects.filter(owner=user).values_list("pk", flat=True))

        collector = Collector(using=router.db_for_write(User), origin=user)
        for relation in User._meta.get_fields(include_hidden=True):
            # Reverse relations only, hidden ones ("+") included; a many-to-many's rows are
            # reached through the FK of its through table, which is listed too.
            if not (relation.auto_created and not relation.concrete) or relation.many_to_many:
                continue
            model = relation.related_model
            on_delete = relation.on_delete
            rows = model._base_manager.filter(**{relation.field.name: user})
            if on_delete is models.PROTECT:
                continue  # the books and the audit trail
            if on_delete is models.SET_NULL:
                rows.update(**{relation.field.name: None})
                continue
            collector.collect(rows)
        files = _stored_files(collector)
        collector.delete()
        user.groups.clear()
        user.user_permissions.clear()
        files += [(public_storage(), name) for name in (user.avatar, user.avatar_small) if name]
        User.objects.filter(pk=user.pk).update(
            username=f"deleted_{secrets.token_hex(6)}", email="", first_name="", last_name="",
            display_name="", bio="", avatar="", avatar_small="", password=make_password(None),
            is_active=False, is_staff=False, is_superuser=False, last_login=None,
            email_verified_at=None, deleted_at=timezone.now(),
        )  # fmt: skip
        video_counters_recount(video_ids=sorted(touched - set(own_videos)))
        sessions = _delete_sessions(user.pk)
        prefixes = _person_prefixes(user.pk, cameo_ids)

        def remove_files() -> None:
            for storage, name in files:
                storage.delete(name)
            for storage, prefix in prefixes:
                for name in _files_under(storage, prefix):
                    storage.delete(name)

        transaction.on_commit(remove_files)
        transaction.on_commit(lambda: _forget_clips(own_videos))
    logger.info("erased account %s (%d clips, %d sessions)", user_id, len(own_videos), sessions)
    return True


def _forget_clips(video_ids: list[int]) -> None:
    from feed.services import candidate_pools_forget

    candidate_pools_forget(*video_ids)
