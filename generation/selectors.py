"""Reads for generation jobs; access checks raise NotFound so a stranger learns nothing."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from accounts.models import User
from config.errors import NotFound
from generation.models import GenerationJob


def job_get_for_owner(*, user: User, job_id: UUID | str) -> GenerationJob:
    if not user.is_authenticated:
        raise NotFound("No such job.")
    job = (
        GenerationJob.objects.select_related("owner", "video").filter(pk=job_id, owner=user).first()
    )
    if job is None:
        raise NotFound("No such job.")
    return job


def jobs_for_owner(*, user: User) -> QuerySet[GenerationJob]:
    return GenerationJob.objects.filter(owner=user).select_related("owner", "video")
