"""Helpers for the account lifecycle tests: Celery tasks run inline, real rendered clips."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import accounts.tasks  # noqa: F401  (registers the tasks that services send by name)
from config.celery import app as celery_app


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """`.delay()` runs the task in this process (the tests also call tasks twice by hand)."""
    before = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


@pytest.fixture
def locmem_mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def link_in(body: str) -> str:
    match = re.search(r"https?://\S+", body)
    assert match, body
    return match.group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def rendered_draft(owner: Any, prompt: str = "a red car in the desert") -> Any:
    """A real 1-second draft rendered and signed by the local renderer."""
    from generation import services

    job, _ = services.job_create(owner=owner, request=services.JobRequest(prompt=prompt, seconds=1))
    assert services.job_run(job_id=job.pk).status == "succeeded"
    job.refresh_from_db()
    return job


def published_clip(owner: Any, prompt: str = "a red car in the desert", **kwargs: Any) -> Any:
    from feed.services import video_publish

    job = rendered_draft(owner, prompt)
    video, _ = video_publish(job=job, user=owner, **kwargs)
    return video


def all_files(*roots: Path) -> set[str]:
    return {str(p) for root in roots for p in Path(root).rglob("*") if p.is_file()}
