"""Cameo verification in a real browser: Chromium's fake camera (a synthetic head-turning clip)
and fake microphone (a synthetic voice reading the challenge's numbers), the countdown, the
timer and the challenge on screen, getUserMedia + MediaRecorder, the upload decoded on the
server, the checks (face, head turns, the numbers heard) run by a real Celery worker on the
render queue, each check shown in words, then a moderator approves from the admin queue."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest

from likeness.models import Cameo, CameoStatus, VerificationAttempt, VerificationStatus
from likeness.services import verification_start
from likeness.speech import number_words
from tests import verification_clips as clips
from tests.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD, UserFactory
from tests.verification_clips import head_frames, turn_yaw

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NUMBERS = [12, 47, 83]  # numbers the synthetic voice is heard reading reliably
pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
    pytest.mark.skipif(
        not clips.voice_available(),
        reason="no speech synthesiser: apt-get install flite (or espeak-ng); CI installs both",
    ),
]

# Chromium starts both fake devices when the page asks for them; the 3 s countdown comes first.
# Facing the camera while the numbers are read (from 4 s), then the head turns (from 8.5 s).
VOICE_AT, TURNS_AT, LOOP_SECONDS = 4.0, 8.5, 16.0


def _write_y4m(path: Path, turns: tuple[str, ...], *, width: int = 640, height: int = 480,
               fps: int = 30) -> Path:  # fmt: skip
    """A YUV4MPEG2 file for Chromium's fake camera: a face that turns as the challenge asks."""
    frames = head_frames(width, height, LOOP_SECONDS, fps, turn_yaw(turns, start=TURNS_AT))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path


def _write_voice(path: Path, workdir: Path) -> Path:
    """A 48 kHz WAV for Chromium's fake microphone: hiss, then the numbers read aloud."""
    voice = clips.speech(", ".join(number_words(n) for n in NUMBERS), workdir)
    track = clips.soundtrack(LOOP_SECONDS, (VOICE_AT, voice))
    frame = av.AudioFrame.from_ndarray(track.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = clips.VOICE_SAMPLE_RATE
    resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
    upsampled = np.concatenate(
        [
            f.to_ndarray().reshape(-1)
            for f in [*resampler.resample(frame), *resampler.resample(None)]
        ]
    )
    return clips.write_wav(path, upsampled, rate=48_000)


def test_record_upload_check_and_approve(
    asgi_server: str, celery_worker_process: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    user = UserFactory(username="verifier")
    cameo = Cameo.objects.create(owner=user, handle="verifier")
    # The challenge is opened before the page (as after a reload), with numbers the fake
    # microphone reads: the page keeps an open challenge rather than drawing a new one.
    attempt = verification_start(cameo=cameo)
    turns = tuple(attempt.challenge["turns"])
    VerificationAttempt.objects.filter(pk=attempt.pk).update(
        challenge={"numbers": NUMBERS, "turns": list(turns)}
    )
    camera = _write_y4m(tmp_path / "camera.y4m", turns)
    microphone = _write_voice(tmp_path / "voice.wav", tmp_path)
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
                f"--use-file-for-fake-audio-capture={microphone}",
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

        expect(page.locator("#challenge-numbers")).to_have_text("12 · 47 · 83")
        page.click("#record")
        expect(page.locator("#countdown")).to_be_visible()
        expect(page.locator("#challenge-numbers")).to_be_visible()  # during the countdown…
        expect(page.locator("#status")).to_have_text("Recording…", timeout=10_000)
        expect(page.locator("#timer-text")).to_contain_text("/ 0:15")
        expect(page.locator("#challenge-numbers")).to_be_visible()  # …and while recording
        expect(page.locator("#stop")).to_be_disabled()  # not before the 5 s minimum
        page.screenshot(path=str(ARTIFACTS / "verify-recording.png"))
        page.wait_for_timeout(10_000)
        expect(page.locator("#stop")).to_be_enabled()
        # Nothing covers the controls and they stay on screen (no scrolling on a phone): the
        # button is the topmost element at its centre.
        assert page.evaluate(
            """() => { const b = document.getElementById('stop').getBoundingClientRect();
                       const el = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
                       return el && el.id === 'stop'; }"""
        )
        page.click("#stop")
        expect(page.locator("#status")).to_contain_text(
            "a moderator will review it", timeout=90_000
        )
        page.screenshot(path=str(ARTIFACTS / "verify-checked.png"), full_page=True)
        texts = page.locator("#results li").all_inner_texts()
        browser.close()
    assert errors == []
    stored = VerificationAttempt.objects.get(pk=attempt.pk)  # (no ORM inside Playwright's loop)
    assert stored.verdict == "pass", json.dumps(stored.checks)
    assert "We heard 12, 47, 83, as asked." in texts
    assert len(texts) == len(stored.checks["checks"])

    # The moderator's queue: the recording's checks and evidence, then one click to approve.
    staff = UserFactory(username="moderator", is_staff=True, is_superuser=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        admin.on("pageerror", lambda exc: errors.append(str(exc)))
        admin.goto(f"{asgi_server}/admin/login/")
        admin.fill("#id_username", staff.username)
        admin.fill("#id_password", TEST_PASSWORD)
        admin.click("input[type=submit]")
        admin.goto(f"{asgi_server}/admin/likeness/verificationattempt/{attempt.pk}/change/")
        expect(admin.locator(".review-checks")).to_contain_text("We heard 12, 47, 83")
        expect(admin.locator(".review-timeline span")).not_to_have_count(0)
        admin.screenshot(path=str(ARTIFACTS / "verify-review.png"), full_page=True)
        admin.goto(f"{asgi_server}/admin/likeness/verificationattempt/")
        admin.check(f"input[name=_selected_action][value='{attempt.pk}']")
        admin.select_option("select[name=action]", "approve")
        admin.click("button[name=index]")
        expect(admin.locator("#changelist")).to_be_visible()
        browser.close()
    assert errors == []

    stored.refresh_from_db()
    assert stored.status == VerificationStatus.APPROVED
    assert stored.clip.name.endswith(".webm")
    assert 8.0 <= stored.checks["duration"] <= 15.5
    assert stored.checks["evidence"]["audio"] == "sound"
    cameo.refresh_from_db()
    assert cameo.status == CameoStatus.APPROVED and cameo.portrait
    assert user.notifications.filter(text__contains="is verified").exists()
