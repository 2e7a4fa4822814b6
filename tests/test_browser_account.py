"""Account settings in a real browser (Playwright + Debian's Chromium, phone size): log in, make
an API token (shown once) and revoke it, ask for a data export that a real worker builds, then
delete the account with the password and see every page log out."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from accounts.models import ApiToken, User
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


def test_tokens_export_and_deletion_from_the_settings_page(
    asgi_server: str, celery_worker_process: Any
) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    person = UserFactory(username="settler")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        page.goto(f"{asgi_server}/accounts/login/")
        page.fill("#id_username", person.username)
        page.fill("#id_password", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{asgi_server}/settings/account/")

        page.fill("#tokens #id_name", "my script")
        page.click("#tokens button[type=submit]:has-text('Make a token')")
        secret = page.locator("#new-token").inner_text()
        assert secret.startswith("rvr_")
        expect(page.locator("[data-token]")).to_contain_text("my script")
        page.reload()
        expect(page.locator("#new-token")).to_have_count(0)  # shown once

        page.click("#export-button")
        for _ in range(60):  # the worker builds it; the page shows the link when ready
            page.goto(f"{asgi_server}/settings/account/")
            if page.locator('.exports [data-status="ready"] a').count():
                break
            page.wait_for_timeout(500)
        link = page.locator('.exports [data-status="ready"] a')
        expect(link).to_have_count(1)
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename.endswith(".zip")
        page.screenshot(path=str(ARTIFACTS / "account-settings.png"), full_page=True)

        page.click("[data-token] button")
        expect(page.locator("[data-token]")).to_have_count(0)

        page.fill("#delete #id_password", TEST_PASSWORD)
        page.click("#delete button[type=submit]")
        expect(page.locator("h1")).to_contain_text("deletion scheduled")
        page.goto(f"{asgi_server}/settings/account/")
        assert "/accounts/login/" in page.url
        browser.close()
    # (The ORM can't run inside Playwright's event loop: the database is checked afterwards.)
    assert User.objects.get(pk=person.pk).deletion_requested_at is not None
    assert not ApiToken.objects.filter(user=person).exists()
    assert errors == []
