"""Jobs on provider backends through Reverie's own doors: signed webhooks at the API, the GPU
backend's hand-off to its queue and its clip through the shared post-processing, and a real
Celery worker polling a provider with self-rescheduling tasks."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from rest_framework.test import APIClient

from credits.services import credits_adjust
from generation import attempts, services
from generation.backends import reset_backend_instances
from generation.models import AttemptOutcome, GenerationAttempt, GenerationJob, JobStatus
from generation.provenance import check_clip
from generation.routing import routing_snapshot_invalidate
from tests.conftest import ROOT, _stop, _wait_for_log, child_env
from tests.factories import UserFactory
from tests.fakes.fal import FAL_TEST_KEY, FakeFal
from tests.fakes.replicate import REPLICATE_TEST_TOKEN, FakeReplicate
from tests.fakes.runway import FakeRunway

LOCAL = "generation.backends.local.LocalRendererBackend"
WEBHOOKS = "/api/v1/generations/webhooks"


def _rich_user() -> Any:
    user = UserFactory()
    credits_adjust(user=user, amount=5000, reason="test budget", actor=None)
    return user


def _submit(user: Any, **fields: Any) -> GenerationJob:
    request = services.JobRequest(**({"prompt": "a paper boat on a river", "seconds": 4} | fields))
    return services.job_create(owner=user, request=request)[0]


def _use_backends(settings: Any, *paths: str) -> None:
    settings.GENERATION_BACKENDS = [LOCAL, *paths]
    reset_backend_instances()
    routing_snapshot_invalidate()


# ---------------------------------------------------------------------------------------------
# Webhooks at the API
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def replicate(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[FakeReplicate]:
    with FakeReplicate() as fake:
        monkeypatch.setenv("REPLICATE_API_TOKEN", REPLICATE_TEST_TOKEN)
        monkeypatch.setenv("REPLICATE_BASE_URL", fake.url)
        monkeypatch.setenv("REPLICATE_TIMEOUT", "3")
        monkeypatch.setenv("REPLICATE_WEBHOOK_SECRET", fake.webhook_secret)
        settings.PUBLIC_BASE_URL = "https://reverie.example"
        _use_backends(settings, "generation.backends.replicate.ReplicateBackend")
        yield fake
    reset_backend_instances()


@pytest.mark.django_db
def test_a_signed_replicate_webhook_makes_the_job_finish_now(
    replicate: FakeReplicate, django_capture_on_commit_callbacks: Any
) -> None:
    job = _submit(_rich_user(), policy="pinned:replicate")
    services.job_run(job_id=job.pk)
    attempt = job.backend_attempts.get()
    sent = next(r.json for r in replicate.requests if r.method == "POST")
    assert sent["webhook"] == f"https://reverie.example{WEBHOOKS}/replicate"
    assert sent["webhook_events_filter"] == ["completed"]

    headers, body = replicate.webhook_delivery(attempt.provider_job_id)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = APIClient().post(
            f"{WEBHOOKS}/replicate", data=body, content_type="application/json",
            headers=headers,
        )  # fmt: skip
    assert response.status_code == 200
    assert len(callbacks) == 1  # a poll, now: the webhook only says "look"
    # What that poll does (without a token: it polls once and leaves the schedule alone).
    attempts.attempt_poll(attempt_id=attempt.pk, token=None)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    # Delivered twice (providers retry): still one clip, one charge.
    again = APIClient().post(
        f"{WEBHOOKS}/replicate", data=body, content_type="application/json", headers=headers
    )
    assert again.status_code == 200
    attempts.attempt_poll(attempt_id=attempt.pk, token=None)
    assert GenerationAttempt.objects.filter(job=job).count() == 1


@pytest.mark.django_db
def test_forged_stale_and_unknown_webhooks_get_400_and_change_nothing(
    replicate: FakeReplicate, django_capture_on_commit_callbacks: Any
) -> None:
    job = _submit(_rich_user(), policy="pinned:replicate")
    services.job_run(job_id=job.pk)
    attempt = job.backend_attempts.get()
    headers, body = replicate.webhook_delivery(attempt.provider_job_id)
    api = APIClient()

    def deliver(path: str, payload: bytes, hdrs: dict[str, str]) -> int:
        return api.post(path, data=payload, content_type="application/json", headers=hdrs)

    forged = dict(headers, **{"webhook-signature": "v1,AAAA" + headers["webhook-signature"][7:]})
    stale = replicate.sign(body, timestamp=int(time.time()) - 3600)
    tampered = body.replace(b"succeeded", b"failed")
    other_secret = replicate.sign(body, secret="whsec_" + "QUJDREVGR0hJSktMTU5PUA==")
    unknown_body = json.dumps({"id": "nope-not-ours", "status": "succeeded"}).encode()
    unknown = replicate.sign(unknown_body)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cases = {
            "forged": deliver(f"{WEBHOOKS}/replicate", body, forged),
            "stale": deliver(f"{WEBHOOKS}/replicate", body, stale),
            "tampered": deliver(f"{WEBHOOKS}/replicate", tampered, headers),
            "wrong secret": deliver(f"{WEBHOOKS}/replicate", body, other_secret),
            "no headers": deliver(f"{WEBHOOKS}/replicate", body, {}),
            "unknown job": deliver(f"{WEBHOOKS}/replicate", unknown_body, unknown),
            "unknown backend": deliver(f"{WEBHOOKS}/nowhere", body, headers),
            "no webhooks": deliver(f"{WEBHOOKS}/local", body, headers),
        }
    assert {name: r.status_code for name, r in cases.items()} == dict.fromkeys(cases, 400)
    assert all(r.json()["code"] == "webhook_rejected" for r in cases.values())
    assert callbacks == []  # nothing was scheduled
    attempt.refresh_from_db()
    assert attempt.outcome == AttemptOutcome.RUNNING and attempt.polls == 0


@pytest.mark.django_db
def test_a_fal_webhook_signed_with_ed25519_is_accepted_and_a_forged_one_is_not(
    monkeypatch: pytest.MonkeyPatch, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    with FakeFal() as fake:
        monkeypatch.setenv("FAL_KEY", FAL_TEST_KEY)
        monkeypatch.setenv("FAL_QUEUE_URL", fake.url)
        monkeypatch.setenv("FAL_JWKS_URL", f"{fake.url}/.well-known/jwks.json")
        monkeypatch.setenv("FAL_TIMEOUT", "3")
        settings.PUBLIC_BASE_URL = "https://reverie.example"
        _use_backends(settings, "generation.backends.fal.FalBackend")
        job = _submit(_rich_user(), policy="pinned:fal")
        services.job_run(job_id=job.pk)
        attempt = job.backend_attempts.get()
        headers, body = fake.webhook_delivery(attempt.provider_job_id)
        forged_headers = fake.sign(attempt.provider_job_id, body, key=Ed25519PrivateKey.generate())
        api = APIClient()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            forged = api.post(f"{WEBHOOKS}/fal", data=body, content_type="application/json",
                              headers=forged_headers)  # fmt: skip
            good = api.post(f"{WEBHOOKS}/fal", data=body, content_type="application/json",
                            headers=headers)  # fmt: skip
        assert (forged.status_code, good.status_code) == (400, 200)
        assert len(callbacks) == 1
    reset_backend_instances()


# ---------------------------------------------------------------------------------------------
# The self-hosted GPU backend: its own queue, the shared post-processing
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_gpu_job_goes_to_the_gpu_queue_and_its_clip_is_post_processed_and_signed(
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    tmp_path: Path,
    media_dirs: dict[str, Path],
    django_capture_on_commit_callbacks: Any,
) -> None:
    pytest.importorskip("torch", reason="the diffusers backend needs the gpu extra")
    from generation.attempts import queue_for
    from generation.backends.diffusers_gpu import DiffusersBackend
    from tests.tiny_diffusers import build_tiny_wan

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("DIFFUSERS_MODEL_PATH", str(build_tiny_wan(tmp_path / "tiny-wan")))
    for name, value in {"DIFFUSERS_DEVICE": "cpu", "DIFFUSERS_WIDTH": "16",
                        "DIFFUSERS_HEIGHT": "32", "DIFFUSERS_STEPS": "2",
                        "DIFFUSERS_FPS": "8"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    _use_backends(settings, "generation.backends.diffusers_gpu.DiffusersBackend")
    assert queue_for(DiffusersBackend) == "gpu"

    job = _submit(_rich_user(), policy="pinned:diffusers", seconds=1)
    # A render worker claims the job, sees the backend needs a GPU, and hands the attempt on.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = services.job_run(job_id=job.pk, queue="render")
    assert outcome.status == JobStatus.RUNNING and len(callbacks) == 1
    attempt = job.backend_attempts.get()
    assert attempt.backend == "diffusers" and attempt.submitted_at is None
    # …where a `gpu` worker runs it (the task's body, called directly).
    assert attempts.attempt_execute(attempt_id=attempt.pk).status == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    path = Path(media_dirs["private"]) / job.video_file.name
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        # The 16×32 model output became a 720×1280 Reverie clip with a (silent) AAC track.
        assert (video.width, video.height) == (720, 1280)
        assert {s.type for s in container.streams} == {"video", "audio"}
        decoded = sum(1 for _ in container.decode(video=0))
    assert decoded == round(job.duration * job.fps)
    provenance = check_clip(stream_or_path=path)
    assert provenance.status == "valid" and provenance.backend == "diffusers"
    assert provenance.model == "tiny-wan"
    attempt.refresh_from_db()
    assert attempt.outcome == AttemptOutcome.SUCCEEDED and attempt.cost_usd is not None


# ---------------------------------------------------------------------------------------------
# A real worker: polling by self-rescheduling tasks through Redis, then fallback
# ---------------------------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_polls_a_provider_with_backoff_and_falls_back(
    media_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    import redis as redis_lib
    from django.conf import settings as django_settings

    with FakeRunway() as runway:
        env = child_env(media_dirs)
        env.update(
            RUNWAYML_API_SECRET=runway.api_key, RUNWAY_BASE_URL=runway.url, RUNWAY_TIMEOUT="3",
            GENERATION_POLL_FIRST="0.2", GENERATION_POLL_FACTOR="1.5", GENERATION_POLL_MAX="0.5",
            GENERATION_BACKENDS=f"{LOCAL},generation.backends.runway.RunwayBackend",
        )  # fmt: skip
        for name in ("RUNWAYML_API_SECRET", "RUNWAY_BASE_URL", "RUNWAY_TIMEOUT"):
            monkeypatch.setenv(name, env[name])  # this process routes (and prices) too
        _use_backends(settings, "generation.backends.runway.RunwayBackend")
        redis_lib.Redis.from_url(django_settings.REDIS_URL).delete("render", "default")
        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default,render",
                 "-P", "solo", "-l", "info", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "-n", f"router-{time.time_ns()}@%h"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            _wait_for_log(log, "ready.", worker, timeout=60)
            user = _rich_user()
            good = _submit(user, policy="pinned:runway")
            # "best" ranks Runway above the local renderer; the marker makes Runway fail it.
            fallback = _submit(user, policy="best", prompt="a storm [internal]")
            assert fallback.route == ["runway", "local"]
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                done = GenerationJob.objects.filter(pk__in=[good.pk, fallback.pk])
                if all(j.is_final for j in done):
                    break
                time.sleep(0.2)
        finally:
            _stop(worker)
    good.refresh_from_db()
    fallback.refresh_from_db()
    log_text = log.read_text(errors="replace")
    assert good.status == JobStatus.SUCCEEDED, (good.error, log_text[-3000:])
    tries = good.backend_attempts.get()
    # Several polls, each its own task run: the worker never slept in a loop.
    assert tries.polls >= 2
    assert log_text.count("generation.tasks.poll_attempt") >= 2
    assert fallback.status == JobStatus.SUCCEEDED, fallback.error
    assert [(t.backend, t.outcome) for t in fallback.backend_attempts.order_by("number")] == [
        ("runway", AttemptOutcome.FAILED), ("local", AttemptOutcome.SUCCEEDED),
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Every remote backend, pinned, end to end through the job flow
# ---------------------------------------------------------------------------------------------


def _env_runway(fake: Any) -> dict[str, str]:
    return {"RUNWAYML_API_SECRET": fake.api_key, "RUNWAY_BASE_URL": fake.url}


def _env_luma(fake: Any) -> dict[str, str]:
    return {"LUMA_AGENTS_API_KEY": fake.api_key, "LUMA_BASE_URL": fake.base_url}


def _env_veo(fake: Any) -> dict[str, str]:
    return {"GEMINI_API_KEY": fake.api_key, "VEO_BASE_URL": fake.url}


def _env_openai(fake: Any) -> dict[str, str]:
    return {"OPENAI_VIDEOS_API_KEY": fake.api_key, "OPENAI_VIDEOS_BASE_URL": f"{fake.url}/v1"}


def _env_fal(fake: Any) -> dict[str, str]:
    return {"FAL_KEY": FAL_TEST_KEY, "FAL_QUEUE_URL": fake.url,
            "FAL_JWKS_URL": f"{fake.url}/.well-known/jwks.json"}  # fmt: skip


def _env_replicate(fake: Any) -> dict[str, str]:
    return {"REPLICATE_API_TOKEN": REPLICATE_TEST_TOKEN, "REPLICATE_BASE_URL": fake.url}


def _fake(kind: str) -> Any:
    from tests.fakes.luma import FakeLuma
    from tests.fakes.openai_videos import FakeOpenAIVideos
    from tests.fakes.veo import FakeVeo

    return {"runway": FakeRunway, "luma": FakeLuma, "veo": FakeVeo, "openai_compat":
            FakeOpenAIVideos, "fal": FakeFal, "replicate": FakeReplicate}[kind]()  # fmt: skip


BACKENDS = {
    "runway": ("generation.backends.runway.RunwayBackend", _env_runway),
    "luma": ("generation.backends.luma.LumaBackend", _env_luma),
    "veo": ("generation.backends.veo.VeoBackend", _env_veo),
    "openai_compat": ("generation.backends.openai_compat.OpenAICompatibleBackend", _env_openai),
    "fal": ("generation.backends.fal.FalBackend", _env_fal),
    "replicate": ("generation.backends.replicate.ReplicateBackend", _env_replicate),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_a_job_pinned_to_each_remote_backend_becomes_a_signed_reverie_clip(
    name: str, monkeypatch: pytest.MonkeyPatch, settings: Any, media_dirs: dict[str, Path]
) -> None:
    path, env_for = BACKENDS[name]
    with _fake(name) as fake:
        for key, value in env_for(fake).items():
            monkeypatch.setenv(key, value)
        _use_backends(settings, path)
        job = _submit(_rich_user(), policy=f"pinned:{name}", seconds=3, aspect="16:9")
        services.job_run(job_id=job.pk)
        for _ in range(12):
            job.refresh_from_db()
            if job.is_final:
                break
            attempt = job.backend_attempts.get()
            attempts.attempt_poll(attempt_id=attempt.pk, token=attempt.polls)
    reset_backend_instances()
    assert job.status == JobStatus.SUCCEEDED, job.error
    attempt = job.backend_attempts.get()
    assert attempt.backend == name and attempt.provider_job_id and attempt.model
    assert attempt.provider_seconds is not None and attempt.provider_seconds >= 3
    clip = Path(media_dirs["private"]) / job.video_file.name
    with av.open(str(clip)) as container:
        video = container.streams.video[0]
        assert (video.width, video.height) == (1280, 720)
        assert video.codec_context.name == "h264" and container.streams.audio
    assert job.duration is not None and job.duration <= 3.0  # trimmed to what was asked
    provenance = check_clip(stream_or_path=clip)
    assert (provenance.status, provenance.backend) == ("valid", name)
    assert job.charged_credits is not None and 0 < job.charged_credits <= job.quote_credits
