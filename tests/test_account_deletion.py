"""Deleting an account: asked with the password, every session and token stops at once, logging
in during the grace period cancels; afterwards a task erases everything the person made. The
erasure test walks every table with a link to users and both media folders: nothing of theirs
remains except the credit ledger (and wallet) on an anonymised account, and the books balance."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.exports import export_build, export_request
from accounts.lifecycle import account_deletion_request, account_erase
from accounts.models import ApiToken, Follow, User
from accounts.tasks import erase_due_accounts
from accounts.tokens import api_token_create
from config.storage import private_storage
from credits.models import CreditAccount, LedgerEntry
from credits.selectors import reconcile
from feed.models import Comment, Video
from feed.services import comment_create, like_set
from generation.services import JobRequest, job_create
from likeness.models import Cameo, CameoApproval, CameoUsage, VerificationAttempt
from tests.account_helpers import eager_tasks, locmem_mail, published_clip, rendered_draft  # noqa: F401
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks", "locmem_mail")]

# Links to a person that erasure keeps on purpose: the books and the moderators' audit trail.
KEPT_LINKS = {
    ("credits", "creditaccount", "user"),
    ("credits", "ledgerentry", "actor"),
    ("credits", "purchase", "user"),
    ("feed", "moderationaction", "moderator"),
}
SECRET_PROMPT = "a zebra painting a lighthouse at dawn"


def _rows_linked_to(user_id: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.fields:
            if not (field.is_relation and field.related_model is User):
                continue
            key = (model._meta.app_label, model._meta.model_name, field.name)
            count = model._base_manager.filter(**{field.name: user_id}).count()
            if count and key not in KEPT_LINKS:
                found[".".join(key)] = count
    return found


def _png() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def _files(settings: Any) -> set[str]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)]
    return {str(p) for root in roots for p in root.rglob("*") if p.is_file()}


def test_wrong_password_is_refused_and_changes_nothing(api: APIClient, user: Any) -> None:
    response = api.delete("/api/v1/me", {"password": "nope"}, format="json")
    assert response.status_code == 403 and "password" in response.json()["fields"]
    missing = api.delete("/api/v1/me", {}, format="json")
    assert missing.status_code == 400
    user.refresh_from_db()
    assert user.deletion_requested_at is None


def test_asking_stops_every_session_and_token_and_logging_in_cancels(
    user: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ACCOUNT_DELETION_GRACE_DAYS = 14
    elsewhere = Client()
    elsewhere.force_login(user)
    _token, secret = api_token_create(user=user)
    browser = APIClient()
    browser.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.delete("/api/v1/me", {"password": TEST_PASSWORD}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["erase_after"]
    assert "will be deleted" in mail.outbox[-1].subject

    assert browser.get("/api/v1/notifications").status_code in (401, 403)
    assert elsewhere.get("/settings/account/").status_code == 302  # logged out everywhere
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert token_client.get("/api/v1/me").status_code in (401, 403)
    assert not ApiToken.objects.filter(user=user).exists()
    assert erase_due_accounts() == 0  # not before the grace period ends

    login = Client().post("/accounts/login/", {"username": user.username,
                                                "password": TEST_PASSWORD})  # fmt: skip
    assert login.status_code == 302
    user.refresh_from_db()
    assert user.deletion_requested_at is None


def test_a_token_log_in_cancels_too(user: Any) -> None:
    account_deletion_request(user=user, password=TEST_PASSWORD)
    response = APIClient().post(
        "/api/v1/auth/token", {"handle": user.username, "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.deletion_requested_at is None


def test_the_settings_page_asks_for_the_password(client: Client, user: Any) -> None:
    client.force_login(user)
    page = client.get("/settings/account/")
    assert page.status_code == 200 and b"/settings/account/delete/" in page.content
    wrong = client.post("/settings/account/delete/", {"password": "nope"})
    assert wrong.status_code == 400
    done = client.post("/settings/account/delete/", {"password": TEST_PASSWORD})
    assert done.status_code == 200 and b"Log in before then" in done.content
    user.refresh_from_db()
    assert user.deletion_requested_at is not None
    assert client.get("/settings/account/").status_code == 302


def test_erasure_leaves_no_row_or_file_of_that_person(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ACCOUNT_DELETION_GRACE_DAYS = 0
    person, friend = UserFactory(username="leaving"), UserFactory(username="staying")
    account_services.profile_update(user=person, display_name="Leaving Person", bio="my bio")
    account_services.avatar_set(user=person, upload=_png())

    # What they made: a published clip, a private draft, a cameo with its recordings.
    clip = published_clip(person, SECRET_PROMPT)
    rendered_draft(person, SECRET_PROMPT + " again")
    cameo = Cameo.objects.create(owner=person, handle="leaving", status="approved",
                                 permission="everyone", portrait="")  # fmt: skip
    attempt = VerificationAttempt.objects.create(cameo=cameo, challenge={"numbers": [1]})
    storage = private_storage()
    clip_name = storage.save(f"cameos/{cameo.pk}/verification-{attempt.pk}.webm",
                             ContentFile(b"webm bytes"))  # fmt: skip
    portrait = storage.save(f"cameos/{cameo.pk}/portrait-{attempt.pk}.jpg", ContentFile(b"jpg"))
    VerificationAttempt.objects.filter(pk=attempt.pk).update(clip=clip_name)
    Cameo.objects.filter(pk=cameo.pk).update(portrait=portrait)
    CameoApproval.objects.create(cameo=cameo, user=friend)

    # What they did to others: likes, comments, a follow each way, a use of the friend's cameo.
    theirs = published_clip(friend, "a quiet harbour at night")
    like_set(user=person, video=theirs, liked=True)
    mine = comment_create(author=person, video=theirs, body="lovely @staying")
    comment_create(author=friend, video=theirs, body="thanks", parent=mine)
    comment_create(author=friend, video=theirs, body="my own note, hi @leaving")
    comment_create(author=friend, video=clip, body="on their clip")
    like_set(user=friend, video=clip, liked=True)
    account_services.follow_set(follower=person, followee=friend, following=True)
    account_services.follow_set(follower=friend, followee=person, following=True)
    Cameo.objects.create(owner=friend, handle="staying", status="approved", permission="everyone")
    used, _ = job_create(owner=person, request=JobRequest(prompt="@staying waves hello", seconds=1))
    assert CameoUsage.objects.filter(requester=person).exists()
    friend_job, _ = job_create(
        owner=friend, request=JobRequest(prompt="@leaving dances", seconds=1)
    )
    api_token_create(user=person)
    export, _ = export_request(user=person)
    export_build(export_id=export.pk)

    before = _files(settings)
    person_files = {
        f for f in before
        if f"/videos/{person.pk}/" in f or f"/drafts/{person.pk}/" in f
        or f"/avatars/{person.pk}/" in f or f"/cameos/{cameo.pk}/" in f
        or f"/exports/{person.pk}/" in f
    }  # fmt: skip
    friend_files = {
        f for f in before if f"/videos/{friend.pk}/" in f or f"/drafts/{friend.pk}/" in f
    }
    assert len(person_files) >= 8 and len(friend_files) >= 4
    wallet = CreditAccount.objects.get(user=person)
    ledger_before = LedgerEntry.objects.filter(account=wallet).count()
    assert ledger_before >= 4

    linked = _rows_linked_to(person.pk)
    for key in ("feed.video.creator", "generation.generationjob.owner", "likeness.cameo.owner",
                "likeness.cameousage.requester", "feed.like.user", "feed.comment.author",
                "accounts.follow.follower", "accounts.follow.followee", "accounts.apitoken.user",
                "accounts.notification.actor", "accounts.dataexport.user",
                "feed.comment_mentions.user"):  # fmt: skip
        assert linked.get(key), (key, linked)

    with django_capture_on_commit_callbacks(execute=True):
        account_deletion_request(user=person, password=TEST_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        assert erase_due_accounts() == 1  # the task erases it…
    with django_capture_on_commit_callbacks(execute=True):
        assert erase_due_accounts() == 0  # …once
        assert account_erase(user_id=person.pk) is False

    assert _rows_linked_to(person.pk) == {}
    person.refresh_from_db()
    assert person.username.startswith("deleted_") and person.email == ""
    assert person.display_name == person.bio == person.avatar == ""
    assert not person.is_active and not person.has_usable_password() and person.deleted_at
    assert not Video.objects.filter(prompt__contains="zebra").exists()
    assert not CameoUsage.objects.filter(prompt__contains="@staying waves").exists()
    assert not Comment.objects.filter(body__contains="lovely").exists()
    assert not Cameo.objects.filter(handle="leaving").exists()
    assert not Follow.objects.filter(followee=friend).exists()
    from django.contrib.sessions.models import Session

    assert not [s for s in Session.objects.all()
                if s.get_decoded().get("_auth_user_id") == str(person.pk)]  # fmt: skip

    after = _files(settings)
    assert person_files and not (person_files & after)
    assert friend_files <= after

    # The books: the wallet and its entries stay, on the anonymised account, and balance.
    assert CreditAccount.objects.filter(pk=wallet.pk, user=person).exists()
    assert LedgerEntry.objects.filter(account=wallet).count() >= ledger_before
    assert CreditAccount.objects.get(pk=wallet.pk).held == 0
    assert reconcile() == []

    # The friend's things are intact, with counters that match what is left.
    theirs.refresh_from_db()
    assert theirs.like_count == 0 and theirs.comment_count == 1
    assert Comment.objects.filter(author=friend, body__startswith="my own note").exists()
    assert friend_job.__class__.objects.filter(pk=friend_job.pk).exists()
    relogin = Client().post("/accounts/login/", {"username": "leaving", "password": TEST_PASSWORD})
    assert relogin.status_code == 200
    # The handle is free again.
    assert UserFactory(username="leaving").pk != person.pk
    del used
