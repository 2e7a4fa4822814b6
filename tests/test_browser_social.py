"""The social feed in a real browser (Playwright + Debian's Chromium, phone size): double-tap to
like, the comments drawer, posting a comment, remixing; and hostile text (comments, bios,
prompts) shown as text with no script run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from accounts.services import profile_update
from feed.services import video_publish
from generation import services
from tests.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD, UserFactory

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
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'


def _publish(owner: Any, prompt: str, seed: int = 11) -> Any:
    job, _ = services.job_create(
        owner=owner, request=services.JobRequest(prompt=prompt, seconds=2, seed=seed)
    )
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    video, _ = video_publish(job=job, user=owner)
    return video


def test_like_comment_remix_and_no_injected_script(asgi_server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    creator = UserFactory(username="maker")
    profile_update(user=creator, bio=f"I make clips {XSS}")
    video = _publish(creator, f"a lighthouse in a storm {XSS}")
    viewer = UserFactory(username="watcher")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # The Content Security Policy must not have to block anything our own pages do.
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
        )

        page.goto(f"{asgi_server}/accounts/login/")
        page.fill("#id_username", viewer.username)
        page.fill("#id_password", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{asgi_server}/")
        page.goto(f"{asgi_server}/")
        # The clip was seen on the page log-in landed on: it now follows the "caught up" marker.
        card = page.locator(f'#feed .clip[data-id="{video.pk}"]').first
        card.scroll_into_view_if_needed()
        expect(card).to_be_visible()
        page.wait_for_function(
            "(id) => { const v = document.querySelector(`#feed .clip[data-id='${id}'] video`);"
            " return v && !v.paused && v.currentTime > 0.1; }",
            arg=video.pk,
            timeout=20_000,
        )

        # Double-tap the clip: it is liked, the count shows it, the heart bursts.
        page.screenshot(path=str(ARTIFACTS / "social-feed.png"))
        card.locator("video").dblclick()
        like = card.locator(".action.like")
        expect(like).to_have_attribute("aria-pressed", "true")
        expect(like.locator(".count")).to_have_text("1")
        expect(card.locator(".burst")).to_have_class("burst go")
        page.screenshot(path=str(ARTIFACTS / "social-liked.png"))

        # The comments drawer: open it, post a hostile comment, see it as text.
        card.locator(".action.comment").click()
        drawer = page.locator("#drawer")
        expect(drawer).to_be_visible()
        expect(drawer).to_contain_text("No comments yet")
        drawer.locator("textarea[name=body]").fill(f"nice one @maker {XSS}")
        drawer.locator("button[type=submit]").click()
        expect(drawer.locator(".comment-body")).to_contain_text("<script>window.__xss=1</script>")
        expect(card.locator(".action.comment .count")).to_have_text("1")
        page.screenshot(path=str(ARTIFACTS / "social-comments.png"))
        drawer.locator("[data-close-drawer]").click()
        expect(drawer).to_be_hidden()

        # Remix: the create page opens prefilled with the original prompt and seed.
        card.locator(".action.remix").click()
        page.wait_for_url("**/create/?remix_of=*")
        expect(page.locator("#prompt")).to_have_value(video.prompt)
        expect(page.locator("#seed")).to_have_value(str(video.seed))
        expect(page.locator(".remix-of")).to_contain_text("@maker")
        page.screenshot(path=str(ARTIFACTS / "social-remix.png"))

        # Hostile text on the clip page and the profile page stays text.
        page.goto(f"{asgi_server}/v/{video.pk}/")
        expect(page.locator(".video-meta .prompt")).to_contain_text("<img src=x onerror=")
        page.goto(f"{asgi_server}/@maker/")
        expect(page.locator(".bio")).to_contain_text("<script>window.__xss=1</script>")
        page.screenshot(path=str(ARTIFACTS / "social-profile.png"))
        assert page.evaluate("() => window.__xss") is None
        browser.close()
    assert errors == []
    # (The database is checked after the browser: Playwright's sync API runs an event loop.)
    video.refresh_from_db()
    assert (video.like_count, video.comment_count) == (1, 1)
    assert video.comments.get().body.startswith("nice one @maker <script>")
