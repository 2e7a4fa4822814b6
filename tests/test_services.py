"""The job state machine: guarded transitions, idempotent task runs, bounded retries, reaping."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from feed.models import Video
from feed.services import video_publish
from generation import services, tasks
from generation.backends.local import LocalRendererBackend
from generation.models import GenerationJob, JobStatus
from tests.factories import UserFactory


def _job(**fields: Any) -> GenerationJob:
    defaults = {"owner": UserFactory(), "prompt": "a fox in the forest", "seconds": 1, "seed": 3}
    return GenerationJob.objects.create(**(defaults | fields))


@pytest.mark.django_db
def test_running_the_task_twice_renders_once(media_dirs: dict[str, Path]) -> None:
    job = _job()
    assert tasks.run_job.apply(args=[str(job.pk)]).get() == "succeeded"
    job.refresh_from_db()
    first = (job.video_file.name, job.finished_at, job.attempts)
    assert (Path(media_dirs["private"]) / job.video_file.name).exists()
    assert tasks.run_job.apply(args=[str(job.pk)]).get() == "succeeded"
    job.refresh_from_db()
    assert (job.video_file.name, job.finished_at, job.attempts) == first


@pytest.mark.django_db
def test_a_missing_job_is_a_no_op() -> None:
    assert services.job_run(job_id="00000000-0000-0000-0000-000000000000").status == "missing"


@pytest.mark.django_db
def test_a_cancelled_job_is_not_rendered() -> None:
    job = _job()
    services.job_cancel(job=job)
    assert services.job_run(job_id=job.pk).status == JobStatus.CANCELLED
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and not job.video_file


@pytest.mark.django_db
def test_finished_jobs_cannot_be_cancelled_or_moved_back() -> None:
    job = _job()
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    with pytest.raises(services.Conflict):
        services.job_cancel(job=job)
    assert services.job_fail(job_id=job.pk, reason="late") is False
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED


@pytest.mark.django_db
def test_renderer_errors_retry_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.GENERATION_MAX_RETRIES = 2
    calls: list[int] = []

    def broken_render(self: LocalRendererBackend, spec: Any, **kwargs: Any) -> None:
        calls.append(GenerationJob.objects.get(pk=spec.job_id).attempts)
        raise OSError("disk full")

    monkeypatch.setattr(LocalRendererBackend, "submit", broken_render)
    job = _job()
    outcomes = [services.job_run(job_id=job.pk) for _ in range(4)]
    assert [o.status for o in outcomes] == ["queued", "queued", "failed", "failed"]
    assert outcomes[0].retry_in == 2.0 and outcomes[1].retry_in == 4.0
    assert calls == [1, 2, 3]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "after 3 attempts" in job.error  # the reason the user sees


@pytest.mark.django_db
def test_an_invalid_spec_fails_at_once_with_the_reason() -> None:
    job = _job(seconds=40)  # bypassing validation: the renderer itself refuses it
    assert services.job_run(job_id=job.pk).status == JobStatus.FAILED
    job.refresh_from_db()
    assert job.error and job.attempts == 1


@pytest.mark.django_db
def test_reaper_requeues_orphans_and_fails_them_when_out_of_attempts(settings: Any) -> None:
    settings.GENERATION_MAX_RETRIES = 1
    old = timezone.now() - settings.GENERATION_STUCK_AFTER - timedelta(seconds=5)
    orphan = _job(status=JobStatus.RUNNING, started_at=old, attempts=1)
    hopeless = _job(status=JobStatus.RUNNING, started_at=old, attempts=2)
    fresh = _job(status=JobStatus.RUNNING, started_at=timezone.now(), attempts=1)
    # No progress since (a render's ticks touch updated_at).
    GenerationJob.objects.filter(pk__in=[orphan.pk, hopeless.pk]).update(updated_at=old)
    result = services.jobs_reap_stuck()
    assert result["requeued"] == 1 and result["failed"] == 1
    statuses = {
        j.pk: j.status
        for j in GenerationJob.objects.filter(pk__in=[orphan.pk, hopeless.pk, fresh.pk])
    }
    assert statuses == {
        orphan.pk: JobStatus.QUEUED,
        hopeless.pk: JobStatus.FAILED,
        fresh.pk: JobStatus.RUNNING,
    }


@pytest.mark.django_db
def test_publish_copies_the_draft_to_public_media_once(media_dirs: dict[str, Path]) -> None:
    job = _job()
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    video, created = video_publish(job=job, user=job.owner, caption="  hi  ")
    again, created_again = video_publish(job=job, user=job.owner)
    assert created and not created_again and again.pk == video.pk
    assert Video.objects.count() == 1
    assert video.caption == "hi"
    public_file = Path(media_dirs["public"]) / video.file.name
    assert (
        public_file.read_bytes() == (Path(media_dirs["private"]) / job.video_file.name).read_bytes()
    )
    assert video.public_token in video.file.name  # not guessable from ids
