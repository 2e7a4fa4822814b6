"""Reads for generation jobs; access checks raise NotFound so a stranger learns nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from accounts.models import User
from config.errors import NotFound
from generation.models import GenerationJob
from generation.provenance import ProvenanceCheck


def job_get_for_owner(*, user: User, job_id: UUID | str) -> GenerationJob:
    if not user.is_authenticated:
        raise NotFound("No such job.")
    job = (
        GenerationJob.objects.select_related("owner", "video").filter(pk=job_id, owner=user).first()
    )
    if job is None:
        raise NotFound("No such job.")
    return job


def job_get_for_viewer(*, user: User, job_id: UUID | str) -> GenerationJob:
    """A draft for its owner — or for the owner of a cameo it used (they may watch it)."""
    from likeness.selectors import job_visible_to_cameo_owner

    try:
        return job_get_for_owner(user=user, job_id=job_id)
    except NotFound:
        if job_visible_to_cameo_owner(user=user, job_id=job_id):
            return GenerationJob.objects.get(pk=job_id)
        raise


def jobs_for_owner(*, user: User) -> QuerySet[GenerationJob]:
    return GenerationJob.objects.filter(owner=user).select_related("owner", "video")


def provenance_check_upload(*, upload: Any) -> ProvenanceCheck:
    """Read an uploaded file's C2PA manifest: a valid Reverie clip, tampered with, or unsigned."""
    from django.conf import settings

    from config.errors import DomainError
    from generation.provenance import check_clip

    if upload.size > settings.PROVENANCE_CHECK_MAX_BYTES:
        limit = settings.PROVENANCE_CHECK_MAX_BYTES // (1024 * 1024)
        raise DomainError(
            f"Files up to {limit} MB can be checked.", fields={"file": ["Too large."]}
        )
    upload.seek(0)
    return check_clip(stream_or_path=upload)
