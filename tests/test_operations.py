"""Operations: liveness, readiness (503 when a dependency is down), Prometheus metrics, request
ids in responses, logs and Celery tasks, JSON logs, Sentry, and X-Accel-Redirect for drafts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from config.celery import app as celery_app
from config.metrics import COLLECTOR
from config.storage import private_storage
from feed.models import Report
from generation import services
from generation.models import GenerationJob, JobStatus
from tests.conftest import ROOT, child_env, free_port
from tests.factories import UserFactory, VideoFactory


@pytest.fixture(autouse=True)
def _fresh_metrics(settings: Any) -> None:
    settings.METRICS_CACHE_SECONDS = 0
    COLLECTOR._cached = (0.0, [])


def _closed_port_url(scheme: str = "redis") -> str:
    return f"{scheme}://127.0.0.1:{free_port()}/0"


# --- liveness and readiness ---------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_touches_nothing(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


@pytest.mark.django_db(transaction=True)
def test_readyz_is_200_when_every_dependency_answers(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body.values()) == {"OK"}
    names = " ".join(body)
    for check in ("Database", "Cache", "Broker", "Storage(alias='default')", "private"):
        assert check in names


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_when_redis_is_down(client: Client, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _closed_port_url(),
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    cache = next(value for key, value in body.items() if key.startswith("Cache"))
    assert cache != "OK"
    assert next(v for k, v in body.items() if k.startswith("Database")) == "OK"


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_when_the_broker_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(celery_app.conf, "broker_url", _closed_port_url())
    monkeypatch.setitem(celery_app.conf, "broker_write_url", None)
    response = client.get("/readyz")
    assert response.status_code == 503
    broker = next(value for key, value in response.json().items() if key.startswith("Broker"))
    assert "Unavailable" in broker


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_when_storage_cannot_be_written(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocker)
    response = client.get("/readyz")
    assert response.status_code == 503
    storage = response.json()["Storage(alias='default')"]
    assert storage != "OK"


# --- metrics ------------------------------------------------------------------------------------


def _samples(text: str) -> dict[str, float]:
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


@pytest.mark.django_db(transaction=True)
def test_metrics_report_jobs_credits_backlog_and_queues(client: Client, redis_client: Any) -> None:
    owner = UserFactory()
    queued, _ = services.job_create(
        owner=owner, request=services.JobRequest(prompt="a red fox", seconds=2, seed=1)
    )
    done, _ = services.job_create(
        owner=owner, request=services.JobRequest(prompt="a blue whale", seconds=2, seed=2)
    )
    services.job_run(job_id=done.pk)
    done.refresh_from_db()
    assert done.status == JobStatus.SUCCEEDED
    Report.objects.create(video=VideoFactory(), reporter=owner, reason="spam")
    redis_client.delete("gpu")
    celery_app.send_task("generation.tasks.run_job", args=["not-a-job"], queue="gpu")
    try:
        response = client.get("/metrics")
    finally:
        redis_client.delete("gpu")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = _samples(response.content.decode())
    backend = done.backend
    assert samples[f'reverie_generation_jobs{{backend="{backend}",status="succeeded"}}'] == 1
    queued_key = f'reverie_generation_jobs{{backend="{queued.backend}",status="queued"}}'
    assert samples[queued_key] == 1
    held = GenerationJob.objects.get(pk=queued.pk).quote_credits
    assert held > 0
    assert samples["reverie_credits_held"] == held
    assert samples["reverie_credits_captured"] == done.charged_credits > 0
    assert samples['reverie_moderation_backlog{queue="reported_clips"}'] == 1
    assert samples['reverie_moderation_backlog{queue="cameo_reviews"}'] == 0
    assert samples['reverie_queue_depth{queue="gpu"}'] == 1
    assert samples[f'reverie_render_jobs_last_hour{{backend="{backend}"}}'] == 1
    assert samples[f'reverie_render_seconds{{backend="{backend}",quantile="0.5"}}'] > 0
    assert samples['reverie_metrics_source_up{source="database"}'] == 1
    # django-prometheus: requests and database queries of this process.
    assert any(name.startswith("django_http_requests_total_by_method") for name in samples)
    assert any(name.startswith("django_db_execute_total") for name in samples)


@pytest.mark.django_db(transaction=True)
def test_metrics_survive_a_broker_outage(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(celery_app.conf, "broker_url", _closed_port_url())
    monkeypatch.setitem(celery_app.conf, "broker_read_url", None)
    response = client.get("/metrics")
    assert response.status_code == 200
    samples = _samples(response.content.decode())
    assert samples['reverie_metrics_source_up{source="broker"}'] == 0
    assert samples['reverie_metrics_source_up{source="database"}'] == 1


# --- request ids --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_request_id_is_echoed_or_made(client: Client) -> None:
    given = client.get("/healthz", HTTP_X_REQUEST_ID="0123456789abcdef")
    assert given["X-Request-ID"] == "0123456789abcdef"
    made = client.get("/healthz")
    assert len(made["X-Request-ID"]) == 32
    # Text that could forge log lines is replaced, not echoed.
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\nlevel=ERROR fake")
    assert forged["X-Request-ID"] != "x\nlevel=ERROR fake" and len(forged["X-Request-ID"]) == 32


@pytest.mark.e2e
def test_request_id_reaches_the_worker_that_renders(
    api: Any, user: Any, celery_worker_process: Any, tmp_path: Path
) -> None:
    """A submit's request id is on the Celery message and on the worker's log lines."""
    response = api.post(
        "/api/v1/generations",
        {"prompt": "a lighthouse at dusk", "seconds": 1},
        format="json",
        HTTP_X_REQUEST_ID="req-trace-0042abcd",
    )
    assert response.status_code in {201, 202}, response.content
    assert response["X-Request-ID"] == "req-trace-0042abcd"
    job = GenerationJob.objects.get(pk=response.json()["id"])
    deadline = time.monotonic() + 60
    while not job.is_final and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    # The job's row commits before the task logs its end: give the log a moment.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        log = (tmp_path / "worker.log").read_text()
        task_lines = [line for line in log.splitlines() if "req-trace-0042abcd" in line]
        if any("succeeded" in line for line in task_lines):
            break
        time.sleep(0.2)
    assert any("run_job" in line and "succeeded" in line for line in task_lines), log[-3000:]


# --- JSON logs and Sentry (fresh processes: both are set up when settings load) ------------------


def _django_process(env_extra: dict[str, str], code: str, media_dirs: Any) -> Any:
    env = child_env(media_dirs)
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.django_db
def test_json_logs_carry_the_request_id(media_dirs: Any) -> None:
    code = (
        "import logging\n"
        "from django.test import Client\n"
        "Client(HTTP_HOST='localhost').get('/healthz', HTTP_X_REQUEST_ID='trace-json-123')\n"
        "logging.getLogger('reverie.test').warning('outside a request')\n"
    )
    result = _django_process({"LOG_FORMAT": "json"}, code, media_dirs)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    request_line = next(r for r in records if r["logger"] == "reverie.request")
    assert request_line["request_id"] == "trace-json-123"
    assert request_line["status"] == 200 and request_line["path"] == "/healthz"
    assert "duration_ms" in request_line and request_line["level"] == "INFO"
    outside = next(r for r in records if r["message"] == "outside a request")
    assert outside["request_id"] == "-" and outside["level"] == "WARNING"


class _SentryIngest(BaseHTTPRequestHandler):
    envelopes: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        type(self).envelopes.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.django_db
def test_sentry_receives_errors_when_a_dsn_is_set(media_dirs: Any) -> None:
    server = HTTPServer(("127.0.0.1", 0), _SentryIngest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _SentryIngest.envelopes = []
    dsn = f"http://publickey@127.0.0.1:{server.server_port}/42"
    code = (
        "import sentry_sdk\n"
        "try:\n"
        "    raise RuntimeError('sentry probe from the test')\n"
        "except RuntimeError as exc:\n"
        "    sentry_sdk.capture_exception(exc)\n"
        "sentry_sdk.flush(5)\n"
    )
    try:
        result = _django_process({"SENTRY_DSN": dsn}, code, media_dirs)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    payload = b"\n".join(_SentryIngest.envelopes).decode(errors="replace")
    assert "sentry probe from the test" in payload
    assert "django" in payload.lower() and "celery" in payload.lower()  # both integrations on


def test_no_sentry_without_a_dsn() -> None:
    import sentry_sdk

    assert not os.environ.get("SENTRY_DSN")
    assert not sentry_sdk.get_client().is_active()


# --- private files through nginx ----------------------------------------------------------------


@pytest.mark.django_db
def test_draft_is_handed_to_the_proxy_after_the_owner_check(client: Client, settings: Any) -> None:
    settings.PRIVATE_MEDIA_ACCEL_PREFIX = "/_private/"
    owner = UserFactory()
    job, _ = services.job_create(
        owner=owner, request=services.JobRequest(prompt="a quiet pond", seconds=2, seed=3)
    )
    name = private_storage().save(f"drafts/{owner.pk}/{job.pk}/clip.mp4", ContentFile(b"x" * 64))
    GenerationJob.objects.filter(pk=job.pk).update(video_file=name, status=JobStatus.SUCCEEDED)
    url = f"/drafts/{job.pk}/clip.mp4"

    assert client.get(url).status_code == 404  # anonymous: no header, no bytes
    client.force_login(UserFactory())
    stranger = client.get(url)
    assert stranger.status_code == 404 and "X-Accel-Redirect" not in stranger

    client.force_login(owner)
    response = client.get(url, HTTP_RANGE="bytes=0-9")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_private/{name}"
    assert response["Content-Type"] == "video/mp4"
    assert response["Cache-Control"].startswith("private")
    assert response.content == b""  # nginx sends the bytes (and answers the range)


@pytest.mark.django_db
def test_without_the_setting_django_streams_the_draft(client: Client, settings: Any) -> None:
    settings.PRIVATE_MEDIA_ACCEL_PREFIX = ""
    owner = UserFactory()
    job, _ = services.job_create(
        owner=owner, request=services.JobRequest(prompt="a quiet lake", seconds=2, seed=4)
    )
    name = private_storage().save(f"drafts/{owner.pk}/{job.pk}/clip.mp4", ContentFile(b"y" * 64))
    GenerationJob.objects.filter(pk=job.pk).update(video_file=name, status=JobStatus.SUCCEEDED)
    client.force_login(owner)
    response = client.get(f"/drafts/{job.pk}/clip.mp4", HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206 and "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == b"y" * 10
