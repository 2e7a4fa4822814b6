"""A job whose worker died runs again quickly: a live render beats, a silent one is requeued by
the reaper after the heartbeat timeout (not the long stuck-job timeout), and folders a killed
render left in the temp directory are removed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from generation.jobs import job_heartbeat, jobs_reap_stuck, render_dirs_clean
from generation.models import AttemptOutcome, GenerationAttempt, GenerationJob, JobStatus
from tests.conftest import ROOT, child_env
from tests.conftest import _stop as stop_process
from tests.conftest import _wait_for_log as wait_for_log
from tests.factories import UserFactory


def _running_render(owner: Any, *, silent_for: timedelta) -> GenerationJob:
    """A job a worker claimed and started rendering in-process, last touched `silent_for` ago."""
    job = GenerationJob.objects.create(
        owner=owner, prompt="a lighthouse", seconds=2, seed=1, status=JobStatus.RUNNING,
        backend="local", route=["local"], attempts=1, started_at=timezone.now() - silent_for,
    )  # fmt: skip
    GenerationAttempt.objects.create(
        job=job, number=1, backend="local", outcome=AttemptOutcome.RUNNING,
        submitted_at=timezone.now() - silent_for,
    )  # fmt: skip
    GenerationJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - silent_for)
    return job


@pytest.mark.django_db
def test_a_silent_render_is_requeued_after_the_heartbeat_timeout(
    user: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.GENERATION_HEARTBEAT_TIMEOUT = timedelta(seconds=60)
    settings.GENERATION_STUCK_AFTER = timedelta(minutes=10)
    dead = _running_render(user, silent_for=timedelta(seconds=75))
    alive = _running_render(user, silent_for=timedelta(seconds=20))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = jobs_reap_stuck()
        second = jobs_reap_stuck()  # a second reaper run finds nothing more to do
    assert first["requeued"] == 1 and second["requeued"] == 0
    assert len(callbacks) == 1  # one enqueue, for the dead worker's job
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == JobStatus.QUEUED
    assert alive.status == JobStatus.RUNNING
    orphan = GenerationAttempt.objects.get(job=dead)
    assert orphan.outcome == AttemptOutcome.FAILED


@pytest.mark.django_db
def test_a_job_waiting_for_a_worker_keeps_the_long_timeout(user: Any, settings: Any) -> None:
    """Claimed by no worker yet (the attempt was never submitted): nothing beats for it."""
    settings.GENERATION_HEARTBEAT_TIMEOUT = timedelta(seconds=60)
    job = _running_render(user, silent_for=timedelta(seconds=300))
    GenerationAttempt.objects.filter(job=job).update(submitted_at=None)
    assert jobs_reap_stuck()["requeued"] == 0
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_a_live_render_beats(user: Any, settings: Any) -> None:
    settings.GENERATION_HEARTBEAT_SECONDS = 0.05
    job = _running_render(user, silent_for=timedelta(seconds=600))
    with job_heartbeat(job_id=job.pk):
        time.sleep(0.5)
    job.refresh_from_db()
    assert timezone.now() - job.updated_at < timedelta(seconds=5)


def test_leftover_render_folders_are_removed() -> None:
    base = Path(tempfile.gettempdir())
    old = Path(tempfile.mkdtemp(prefix="reverie-render-", dir=base))
    (old / "frame.raw").write_bytes(b"x" * 10)
    fresh = Path(tempfile.mkdtemp(prefix="reverie-fetch-", dir=base))
    other = Path(tempfile.mkdtemp(prefix="someone-elses-", dir=base))
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    os.utime(other, (two_hours_ago, two_hours_ago))
    try:
        assert render_dirs_clean() >= 1
        assert not old.exists()
        assert fresh.exists() and other.exists()
    finally:
        for path in (fresh, other):
            if path.exists():
                os.rmdir(path)


def _start_worker(media_dirs: dict[str, Path], log: Path, *, name: str) -> subprocess.Popen[bytes]:
    env = child_env(media_dirs)
    env.update(GENERATION_HEARTBEAT_SECONDS="0.5", RENDER_THREADS="1")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "render,default",
                "-P", "solo", "-l", "info", "--without-gossip", "--without-mingle",
                "--without-heartbeat", "-n", f"{name}-{os.getpid()}@%h",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    wait_for_log(log, "ready.", process, timeout=60)
    return process


@pytest.mark.django_db(transaction=True)
def test_a_render_whose_worker_was_killed_runs_again_and_is_charged_once(
    media_dirs: dict[str, Path], tmp_path: Path, settings: Any, redis_client: Any
) -> None:
    """A real worker is SIGKILLed mid-render; the reaper (as beat runs it) requeues the job once
    its heartbeat is silent, a second worker renders it, and the credits are captured once."""
    from credits.models import EntryKind, LedgerEntry
    from generation import services

    settings.GENERATION_HEARTBEAT_TIMEOUT = timedelta(seconds=3)
    redis_client.delete("render", "default")
    owner = UserFactory()
    first = _start_worker(media_dirs, tmp_path / "worker-a.log", name="doomed")
    try:
        job, _ = services.job_create(
            owner=owner, request=services.JobRequest(prompt="a storm over the sea", seconds=10)
        )
        deadline = time.monotonic() + 60
        while not GenerationAttempt.objects.filter(job=job, submitted_at__isnull=False).exists():
            assert time.monotonic() < deadline, "the render never started"
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = time.monotonic()
    finally:
        stop_process(first)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # nobody finished it
    second = _start_worker(media_dirs, tmp_path / "worker-b.log", name="heir")
    try:
        requeued_at = None
        while True:
            reaped = jobs_reap_stuck()  # what beat does every 30 s
            if reaped["requeued"]:
                requeued_at = time.monotonic()
                break
            assert time.monotonic() - killed_at < 30, "never requeued"
            time.sleep(0.5)
        deadline = time.monotonic() + 120
        while True:
            job.refresh_from_db()
            if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
                break
            assert time.monotonic() < deadline, "the requeued job never finished"
            time.sleep(0.2)
    finally:
        stop_process(second)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert requeued_at - killed_at < 10  # heartbeat timeout (3 s here) + a reaper pass
    # The capture follows the success a moment later (its own transaction).
    deadline = time.monotonic() + 30
    while job.charged_credits is None and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.charged_credits == job.quote_credits
    assert LedgerEntry.objects.filter(job=job, kind=EntryKind.CAPTURE).count() == 1
