"""End to end with no eager mode: the API enqueues on the real Redis broker, a real Celery worker
process renders with the local renderer, and the stored file is a real H.264/AAC MP4."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import av
import pytest
from rest_framework.test import APIClient

from generation.models import GenerationJob
from tests.factories import UserFactory
from tests.mp4 import frames, mean_abs_diff, top_level_boxes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _wait_for(job_id: str, *, timeout: float = 120) -> GenerationJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = GenerationJob.objects.get(pk=job_id)
        if job.is_final:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.status} after {timeout} s")


def _post(client: APIClient, **payload: Any) -> str:
    response = client.post("/api/v1/generations", payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_prompt_becomes_a_real_clip_through_a_real_worker(
    celery_worker_process: Any, media_dirs: dict[str, Path]
) -> None:
    client = APIClient()
    client.force_login(UserFactory())
    first = _post(client, prompt="a neon city at night in the rain", seconds=3, seed=42)
    same = _post(client, prompt="a neon city at night in the rain", seconds=3, seed=42)
    other = _post(client, prompt="golden sunset over the ocean with a boat", seconds=2, seed=42)

    jobs = {
        name: _wait_for(job_id)
        for name, job_id in [("first", first), ("same", same), ("other", other)]
    }
    for job in jobs.values():
        assert job.status == "succeeded", job.error
        assert job.progress == 100
        assert job.render_seconds and job.render_seconds > 0

    path = Path(media_dirs["private"]) / jobs["first"].video_file.name
    assert path.exists() and path.stat().st_size > 10_000
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        assert video.codec_context.name == "h264"
        assert (video.codec_context.width, video.codec_context.height) == (720, 1280)
        assert video.codec_context.pix_fmt == "yuv420p"
        assert float(video.average_rate) >= 24
        assert audio.codec_context.name == "aac"
        assert audio.codec_context.channels == 2
        duration = container.duration / av.time_base
        assert abs(duration - 3) <= 0.1
    boxes = top_level_boxes(path)
    assert boxes.index("moov") < boxes.index("mdat")  # +faststart: playable while downloading

    same_path = Path(media_dirs["private"]) / jobs["same"].video_file.name
    other_path = Path(media_dirs["private"]) / jobs["other"].video_file.name
    assert mean_abs_diff(frames(path), frames(same_path)) == 0.0
    assert mean_abs_diff(frames(path), frames(other_path)) > 20.0

    # The draft is the owner's: the API serves it to them, and only to them.
    body = client.get(f"/api/v1/generations/{first}").json()
    assert body["status"] == "succeeded" and body["video_url"]
    media = client.get(body["video_url"], HTTP_RANGE="bytes=0-15")
    assert media.status_code == 206
    stranger = APIClient()
    stranger.force_login(UserFactory())
    assert stranger.get(body["video_url"]).status_code == 404
    assert stranger.get(body["poster_url"]).status_code == 404
    assert APIClient().get(body["video_url"]).status_code == 404


def test_the_worker_ignores_a_duplicate_delivery(celery_worker_process: Any) -> None:
    from generation.services import job_enqueue

    client = APIClient()
    client.force_login(UserFactory())
    job_id = _post(client, prompt="a cat bouncing in the snow", seconds=1)
    job = _wait_for(job_id)
    assert job.status == "succeeded"
    finished_at, video_name = job.finished_at, job.video_file.name
    job_enqueue(job_id=job.pk)  # the broker delivering the same task again
    time.sleep(2)
    job.refresh_from_db()
    assert (job.status, job.finished_at, job.video_file.name) == (
        "succeeded",
        finished_at,
        video_name,
    )
    assert job.attempts == 1
