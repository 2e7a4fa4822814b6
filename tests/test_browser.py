"""The whole spine in a real browser: Debian's Chromium (headless) driven by Playwright against the
real ASGI server and a real Celery worker. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from feed.services import video_publish
from generation import services
from tests.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD, UserFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # In CI a missing browser is a failure (.ci/run installs it), not a skip.
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

PLAYING = """(index) => {
  const video = document.querySelectorAll('#feed .clip video')[index];
  return video ? {paused: video.paused, time: video.currentTime, ready: video.readyState} : null;
}"""


def _seed_published_clip(prompt: str) -> None:
    owner = UserFactory()
    job, _ = services.job_create(
        owner=owner, request=services.JobRequest(prompt=prompt, seconds=3, seed=5)
    )
    # Whoever claims it first renders it: this process, or the worker that got it on commit.
    services.job_run(job_id=job.pk)
    deadline = time.monotonic() + 60
    while not job.is_final and time.monotonic() < deadline:
        time.sleep(0.1)
        job.refresh_from_db()
    video_publish(job=job, user=owner)


def _wait_playing(page: Any, index: int) -> dict[str, Any]:
    page.wait_for_function(
        "(i) => { const v = document.querySelectorAll('#feed .clip video')[i];"
        " return v && !v.paused && v.currentTime > 0.2; }",
        arg=index,
        timeout=20_000,
    )
    first = page.evaluate(PLAYING, index)
    page.wait_for_timeout(700)
    second = page.evaluate(PLAYING, index)
    assert not second["paused"]
    assert second["time"] != first["time"], "currentTime does not advance"
    return second


def test_sign_up_create_publish_and_scroll_the_feed(
    asgi_server: str, celery_worker_process: Any
) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _seed_published_clip("golden sunset over the ocean with a boat")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # The Content Security Policy must not have to block anything our own pages do.
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
        )

        page.goto(f"{asgi_server}/accounts/signup/")
        page.fill("#id_handle", "browser.tester")
        page.fill("#id_password", TEST_PASSWORD)
        page.click("button[type=submit]")
        # A welcome with the free credits and three things to try; one of them is creating.
        page.wait_for_url("**/welcome/")
        expect(page.locator("#welcome")).to_contain_text("free credits")
        page.get_by_role("link", name="Create your first clip").click()
        page.wait_for_url("**/create/**")

        page.fill("#prompt", "a neon city at night in the rain, camera drifting")
        # The price is shown before the click, on the backend the policy picks, and follows the
        # length and tier: 6 s standard on the local renderer is 5 credits, 2 s is 2, pro 4.
        price = page.locator("#price")
        expect(price).to_contain_text("Price: 5 credits on Reverie local renderer")
        page.fill("#seconds", "2")
        expect(price).to_contain_text("Price: 2 credits")
        page.select_option("#tier", "pro")
        expect(price).to_contain_text("Price: 4 credits")
        page.select_option("#tier", "standard")
        page.select_option("#policy", "fastest")
        expect(price).to_contain_text("Price: 2 credits on Reverie local renderer")
        page.click("#generate")
        expect(page.locator("#job-percent")).to_have_text("100", timeout=90_000)
        expect(page.locator("#job-status-text")).to_have_text("Done")
        expect(page.locator("#job-video")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "create-done.png"))
        page.fill("#caption", "rainy neon")
        page.click("#publish")
        expect(page.locator("#published")).to_be_visible()

        page.goto(f"{asgi_server}/")
        cards = page.locator("#feed .clip")
        # Two new clips, then (For You never ends) the same ones again after "caught up".
        expect(cards.nth(1)).to_be_attached()
        expect(cards.first).to_contain_text("@browser.tester")
        _wait_playing(page, 0)
        page.screenshot(path=str(ARTIFACTS / "feed-first.png"))

        page.evaluate("document.getElementById('feed').scrollBy(0, window.innerHeight)")
        _wait_playing(page, 1)
        page.wait_for_function(
            "() => document.querySelectorAll('#feed .clip video')[0].paused", timeout=5_000
        )
        page.screenshot(path=str(ARTIFACTS / "feed-second.png"))

        # Desktop size works too.
        desktop = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        desktop.goto(f"{asgi_server}/")
        _wait_playing(desktop, 0)
        desktop.screenshot(path=str(ARTIFACTS / "feed-desktop.png"))
        browser.close()
    assert errors == []
