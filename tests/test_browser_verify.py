"""Cameo verification in a real browser: Chromium's fake camera (fed a synthetic head-turning
clip), getUserMedia + MediaRecorder on the verification page, the upload decoded on the server,
the checks run by a real Celery worker, then a moderator approves and the cameo is usable."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import cv2
import pytest

from likeness.models import Cameo, CameoStatus, VerificationAttempt, VerificationStatus
from likeness.services import verification_review
from tests.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD, UserFactory
from tests.verification_clips import head_frames, turn_yaw

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]


def _write_y4m(path: Path, *, width: int = 640, height: int = 480, fps: int = 30) -> Path:
    """A YUV4MPEG2 file Chromium's fake camera plays in a loop: a face that turns both ways."""
    frames = head_frames(width, height, 8.0, fps, turn_yaw(("left", "right"), start=1.0))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def test_record_upload_check_and_approve(
    asgi_server: str, celery_worker_process: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    camera = _write_y4m(tmp_path / "camera.y4m")
    user = UserFactory(username="verifier")
    cameo = Cameo.objects.create(owner=user, handle="verifier")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={camera}",
            ],
        )  # fmt: skip
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.grant_permissions(["camera", "microphone"], origin=asgi_server)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{asgi_server}/accounts/login/")
        page.fill("#id_username", "verifier")
        page.fill("#id_password", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{asgi_server}/cameo/{cameo.pk}/verify/")

        page.click("#record")
        expect(page.locator("#challenge")).to_contain_text("read these numbers aloud")
        expect(page.locator("#status")).to_have_text("Recording…")
        page.wait_for_function(
            "() => document.getElementById('preview').currentTime > 0.5", timeout=10_000
        )
        page.screenshot(path=str(ARTIFACTS / "verify-recording.png"))
        page.wait_for_timeout(5_500)  # record a little over five seconds
        page.click("#stop")
        expect(page.locator("#status")).to_contain_text(
            "a moderator will review it", timeout=60_000
        )
        page.screenshot(path=str(ARTIFACTS / "verify-uploaded.png"))
        browser.close()
    assert errors == []

    attempt = VerificationAttempt.objects.get(cameo=cameo)
    assert attempt.status == VerificationStatus.PENDING_REVIEW
    assert attempt.clip.name.endswith(".webm")
    assert 4.0 <= attempt.checks["duration"] <= 8.0
    assert attempt.checks["checks"]["face_present"]["passed"] is True
    cameo.refresh_from_db()
    assert cameo.status == CameoStatus.PENDING_REVIEW and cameo.portrait

    moderator = UserFactory(is_staff=True)
    verification_review(attempt=attempt, moderator=moderator, approve=True)
    cameo.refresh_from_db()
    assert cameo.status == CameoStatus.APPROVED
    assert user.notifications.filter(text__contains="is verified").exists()
