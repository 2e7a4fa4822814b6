"""Data export: a ZIP of everything one person has in Reverie, built by a task.

    export_request ──on_commit──▶ accounts.tasks.build_export(id) ──▶ export_build
        pending ──▶ building ──▶ ready (notification + e-mail; the link expires) ──▶ expired
                           └──▶ failed

Inside: every published clip and every draft as the signed MP4 Reverie stored (the C2PA
manifest intact, so /check/ still reads it as a valid Reverie clip), posters, and what the
person wrote and did — prompts, captions, comments, likes, follows, cameo settings and usage
history, the credit ledger — as CSV files plus one `data.json` with all of it."""

from __future__ import annotations

import csv
import io
import json
import logging
import secrets
import shutil
import tempfile
import zipfile
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.emails import email_queue
from accounts.models import (
    DataExport,
    EmailKind,
    ExportStatus,
    Follow,
    Notification,
    NotificationKind,
    User,
)
from accounts.selectors import notifications_unread_count
from accounts.services import user_event_send
from config.errors import Conflict, DomainError, NotFound
from config.storage import private_storage, public_storage

logger = logging.getLogger(__name__)

FORMAT = "reverie-export/1"


def export_request(*, user: User, base_url: str = "") -> tuple[DataExport, bool]:
    """Start building an export, or answer with the one already in progress. (export, created)"""
    existing = exports_in_progress(user=user).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=user)
            transaction.on_commit(lambda: _enqueue(export.pk, base_url))
    except IntegrityError:  # a concurrent request won the one-in-progress constraint
        return exports_in_progress(user=user).get(), False
    return export, True


BUILD_EXPORT_TASK = "accounts.tasks.build_export"  # a registered name: messages route by it


def _enqueue(export_id: int, base_url: str) -> None:
    # By name: the task module sits above this one (it calls into this module).
    current_app.signature(BUILD_EXPORT_TASK).apply_async(args=[export_id, base_url])


def exports_in_progress(*, user: User) -> QuerySet[DataExport]:
    return DataExport.objects.filter(
        user=user, status__in=[ExportStatus.PENDING, ExportStatus.BUILDING]
    )


def exports_for_user(*, user: User) -> QuerySet[DataExport]:
    return DataExport.objects.filter(user=user).order_by("-created_at", "-id")


def export_get_for_download(*, user: User, export_id: int) -> DataExport:
    """The owner's finished, unexpired export; a stranger's is a 404, an expired one a 410."""
    export = DataExport.objects.filter(pk=export_id, user=user).first()
    if export is None or not user.is_authenticated:
        raise NotFound(_("No such export."))
    if export.status == ExportStatus.EXPIRED or (
        export.expires_at is not None and export.expires_at <= timezone.now()
    ):
        raise DomainError(_("This export has expired: make a new one."), code="expired")
    if export.status != ExportStatus.READY or not export.file:
        raise Conflict(_("This export is not ready yet."), code="not_ready")
    return export


def export_build(*, export_id: int, base_url: str = "") -> str:
    """Build the ZIP and mark the export ready. Idempotent: a ready, failed or expired export is
    left alone; a redelivered task rebuilds a `building` one and only one result is kept."""
    claimed = DataExport.objects.filter(pk=export_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.BUILDING
    )
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None:
        return "missing"
    if not claimed and export.status != ExportStatus.BUILDING:
        return export.status
    user = export.user
    storage = private_storage()
    name = f"exports/{user.pk}/reverie-{user.pk}-{secrets.token_hex(8)}.zip"
    try:
        with tempfile.TemporaryFile() as archive:
            export_write_zip(user=user, target=archive)
            size = archive.tell()
            archive.seek(0)
            name = storage.save(name, File(archive, name=name))
    except Exception as exc:
        logger.exception("export %s failed", export_id)
        DataExport.objects.filter(pk=export_id, status=ExportStatus.BUILDING).update(
            status=ExportStatus.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        return ExportStatus.FAILED
    now = timezone.now()
    with transaction.atomic():
        finished = DataExport.objects.filter(pk=export_id, status=ExportStatus.BUILDING).update(
            status=ExportStatus.READY, file=name, size=size, finished_at=now,
            expires_at=now + timedelta(hours=settings.DATA_EXPORT_TTL_HOURS),
        )  # fmt: skip
        if not finished:  # another delivery finished first: keep its file, drop ours
            transaction.on_commit(lambda: storage.delete(name))
            return DataExport.objects.get(pk=export_id).status
        text = _("Your data export is ready to download.")
        Notification.objects.create(recipient=user, actor=user, kind=NotificationKind.ACCOUNT,
                                    text=text)  # fmt: skip
        unread = notifications_unread_count(user=user)
        user_event_send(user_id=user.pk, event={"type": "notification", "kind": "account",
                                                "text": text, "export": export_id,
                                                "unread": unread})  # fmt: skip
        email_queue(user=user, kind=EmailKind.EXPORT_READY, base_url=base_url,
                    context={"hours": settings.DATA_EXPORT_TTL_HOURS})  # fmt: skip
    return ExportStatus.READY


def exports_expire() -> int:
    """Delete the files of exports past their date (beat). Returns how many expired."""
    storage = private_storage()
    expired = 0
    for export in DataExport.objects.filter(
        status=ExportStatus.READY, expires_at__lte=timezone.now()
    ):
        if DataExport.objects.filter(pk=export.pk, status=ExportStatus.READY).update(
            status=ExportStatus.EXPIRED, file=""
        ):
            if export.file:
                storage.delete(export.file.name)
            expired += 1
    return expired


# --- What goes in the ZIP --------------------------------------------------------------------


def _csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0].keys()), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in row.items()}
            )
    return buffer.getvalue().encode("utf-8")


def export_data(*, user: User) -> dict[str, Any]:
    """Everything about one person, as plain data (paths point inside the ZIP)."""
    from credits.models import LedgerEntry
    from feed.models import Comment, Like, Video
    from generation.models import GenerationJob
    from likeness.models import Cameo, CameoUsage

    clips = [
        {
            "id": v.pk, "prompt": v.prompt, "caption": v.caption, "seed": v.seed,
            "aspect": v.aspect, "duration": v.duration, "status": v.status,
            "published_at": v.published_at, "like_count": v.like_count,
            "comment_count": v.comment_count, "view_count": v.view_count,
            "remix_of": v.remix_of_id, "remix_depth": v.remix_depth,
            "draft": str(v.job_id) if v.job_id else None,
            "file": f"clips/{v.pk}.mp4" if v.file else None,
            "poster": f"clips/{v.pk}.jpg" if v.poster else None,
        }
        for v in Video.objects.filter(creator=user).order_by("published_at", "pk")
    ]  # fmt: skip
    drafts = [
        {
            "id": str(j.pk), "prompt": j.prompt, "status": j.status, "seconds": j.seconds,
            "aspect": j.aspect, "seed": j.seed, "tier": j.tier, "backend": j.backend,
            "created_at": j.created_at, "finished_at": j.finished_at,
            "quoted_credits": j.quote_credits, "charged_credits": j.charged_credits,
            "error": j.error, "remix_of": j.remix_of_id,
            "file": f"drafts/{j.pk}.mp4" if j.video_file else None,
            "poster": f"drafts/{j.pk}.jpg" if j.poster_file else None,
        }
        for j in GenerationJob.objects.filter(owner=user).order_by("created_at")
    ]  # fmt: skip
    comments = [
        {
            "id": c.pk, "clip": c.video_id, "reply_to": c.parent_id, "body": c.body,
            "created_at": c.created_at, "edited_at": c.edited_at, "deleted_at": c.deleted_at,
        }
        for c in Comment.objects.filter(author=user).order_by("created_at", "pk")
    ]  # fmt: skip
    likes = [
        {"clip": like.video_id, "created_at": like.created_at}
        for like in Like.objects.filter(user=user).order_by("created_at")
    ]
    follows = [
        {"direction": "following", "handle": f.followee.username, "since": f.created_at}
        for f in Follow.objects.filter(follower=user).select_related("followee")
    ] + [
        {"direction": "follower", "handle": f.follower.username, "since": f.created_at}
        for f in Follow.objects.filter(followee=user).select_related("follower")
    ]
    cameos = [
        {
            "id": c.pk, "handle": c.handle, "kind": c.kind, "name": c.name, "status": c.status,
            "permission": c.permission, "preferences": c.preferences,
            "revenue_share_opt_in": c.revenue_share_opt_in, "created_at": c.created_at,
            "approved_at": c.approved_at, "revoked_at": c.revoked_at,
            "approved_people": [a.user.username for a in c.approvals.all()],
        }
        for c in Cameo.objects.filter(owner=user).prefetch_related("approvals__user")
    ]  # fmt: skip
    usages = [
        {
            "cameo": u.cameo.handle, "my_cameo": u.cameo.owner_id == user.pk,
            "used_by": u.requester.username, "draft": str(u.job_id) if u.job_id else None,
            "prompt": u.prompt, "created_at": u.created_at,
            "deleted_by_owner_at": u.deleted_by_owner_at,
        }
        for u in CameoUsage.objects.filter(Q(cameo__owner=user) | Q(requester=user))
        .select_related("cameo", "requester").order_by("created_at")
    ]  # fmt: skip
    ledger = [
        {
            "created_at": e.created_at, "wallet": e.account.kind, "kind": e.kind,
            "free": e.free_delta, "paid": e.paid_delta, "held": e.held_delta,
            "free_after": e.free_after, "paid_after": e.paid_after, "held_after": e.held_after,
            "draft": str(e.job_id) if e.job_id else None, "memo": e.memo,
        }
        for e in LedgerEntry.objects.filter(account__user=user)
        .select_related("account").order_by("created_at", "pk")
    ]  # fmt: skip
    return {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "account": {
            "handle": user.username,
            "display_name": user.display_name,
            "bio": user.bio,
            "email": user.email,
            "email_verified_at": user.email_verified_at,
            "joined_at": user.date_joined,
            "avatar": "avatar.jpg" if user.avatar else None,
        },  # fmt: skip
        "clips": clips,
        "drafts": drafts,
        "comments": comments,
        "likes": likes,
        "follows": follows,
        "cameos": cameos,
        "cameo_usages": usages,
        "ledger": ledger,
    }


README = """Reverie data export ({handle}, {when})

data.json          everything below in one file
clips.csv          your published clips (prompts, captions); clips/<id>.mp4 are the files
drafts.csv         every clip you made; drafts/<id>.mp4 are the files
comments.csv, likes.csv, follows.csv, cameos.csv, cameo_usages.csv, ledger.csv

Every MP4 is the file Reverie signed: its C2PA manifest is intact, so /check/ reads it as a
genuine Reverie clip.
"""


def export_write_zip(*, user: User, target: Any) -> None:
    """Write the export ZIP of `user` into the binary file object `target`."""
    from feed.models import Video
    from generation.models import GenerationJob

    data = export_data(user=user)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        when = data["exported_at"].isoformat()
        archive.writestr("README.txt", README.format(handle=user.username, when=when))
        archive.writestr(
            "data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        for key in ("clips", "drafts", "comments", "likes", "follows", "cameos",
                    "cameo_usages", "ledger"):  # fmt: skip
            archive.writestr(f"{key}.csv", _csv(data[key]))
        public, private = public_storage(), private_storage()
        media: list[tuple[Any, str, str]] = []
        for video in Video.objects.filter(creator=user).only("pk", "file", "poster"):
            media += [(public, video.file.name, f"clips/{video.pk}.mp4")] if video.file else []
            media += [(public, video.poster.name, f"clips/{video.pk}.jpg")] if video.poster else []
        for job in GenerationJob.objects.filter(owner=user).only("pk", "video_file", "poster_file"):
            if job.video_file:
                media.append((private, job.video_file.name, f"drafts/{job.pk}.mp4"))
            if job.poster_file:
                media.append((private, job.poster_file.name, f"drafts/{job.pk}.jpg"))
        if user.avatar:
            media.append((public, user.avatar, "avatar.jpg"))
        for storage, name, arcname in media:
            try:
                source = storage.open(name, "rb")
            except (FileNotFoundError, OSError):
                logger.warning("export of %s: missing file %s", user.pk, name)
                continue
            # Video and JPEG don't compress: store them as they are (byte for byte).
            info = zipfile.ZipInfo(arcname, date_time=timezone.now().timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            with source, archive.open(info, "w") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
