"""The phone experience in a real browser (Playwright + Debian's Chromium) at 320×568, 390×844,
430×932 and desktop: every page within two taps (log out included) and no sideways scroll with a
long name; For You never strands the viewer (the "caught up" marker, then clips already seen);
tap, double-tap, long-press and the keys from page load; the remembered sound choice; back to
the clip after logging in from a like; reduced motion; captions; French when the browser asks
for it; and axe-core on the feed, create, comments, cameo and wallet pages."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from accounts.services import profile_update
from feed.models import Like
from feed.services import video_publish
from generation import services
from tests.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD, UserFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
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
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--autoplay-policy=no-user-gesture-required"]  # fmt: skip
PHONES = [(320, 568), (390, 844), (430, 932)]
DESKTOP = (1366, 900)
LONG_HANDLE = "averyveryverylonghandle_abcdef"  # 30 characters, the most a handle may have
LONG_NAME = "Maximiliana Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh"


def _publish(owner: Any, prompt: str, seed: int) -> Any:
    job, _ = services.job_create(
        owner=owner, request=services.JobRequest(prompt=prompt, seconds=2, seed=seed)
    )
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    video, _ = video_publish(job=job, user=owner)
    return video


def _browser(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)


def _watch_errors(page: Any, errors: list[str]) -> None:
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )


def _log_in(page: Any, base: str, handle: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", handle)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


# Visible elements that stick out of the screen on the right, unless a scrolling or clipping
# box holds them (a wide table in its own scroller is fine; a fixed bar running off is not).
STICKING_OUT = """() => {
  const limit = window.innerWidth + 1;
  const out = [];
  for (const node of document.querySelectorAll('body *')) {
    const box = node.getBoundingClientRect();
    if (!box.width || !box.height || box.right <= limit) continue;
    const style = getComputedStyle(node);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    let held = false;
    for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow !== 'visible' && up.getBoundingClientRect().right <= limit) {
        held = true;
        break;
      }
    }
    if (!held) out.push(node.tagName + '.' + node.className + ' ' + Math.round(box.right));
  }
  return out;
}"""


def _no_sideways_scroll(page: Any, where: str) -> None:
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]"
    )
    assert width[0] <= width[1] and width[2] <= width[1], f"sideways scroll on {where}: {width}"
    assert page.evaluate(STICKING_OUT) == [], f"off the screen's right edge on {where}"


def _active_index(page: Any) -> int:
    return page.evaluate(
        "() => { const a = document.querySelector('#feed .clip.active');"
        " return a ? Number(a.dataset.index) : -1; }"
    )


def _wait_active(page: Any, index: int) -> None:
    page.wait_for_function(
        "(i) => { const a = document.querySelector('#feed .clip.active');"
        " return a && Number(a.dataset.index) === i; }",
        arg=index,
        timeout=10_000,
    )


def _wait_playing(page: Any, index: int) -> None:
    page.wait_for_function(
        "(i) => { const v = document.querySelectorAll('#feed .clip video')[i];"
        " return v && !v.paused && v.currentTime > 0.1; }",
        arg=index,
        timeout=20_000,
    )


def _paused(page: Any, index: int) -> bool:
    return page.evaluate("(i) => document.querySelectorAll('#feed .clip video')[i].paused", index)


# --- Navigation ------------------------------------------------------------------------------

# (name, how to get there from the feed in at most two taps on a phone, expected path)
PHONE_ROUTES = [
    ("create", ["nav.tabbar >> text=Create"], "/create/"),
    ("inbox", ["nav.tabbar >> .inbox"], "/notifications/"),
    ("profile", ["nav.tabbar >> .profile"], f"/@{LONG_HANDLE}/"),
    ("drafts", ["nav.tabbar >> .profile", "#me-menu >> text=Drafts"], "/drafts/"),
    ("credits", ["nav.tabbar >> .profile", "#me-menu >> text=Credits"], "/wallet/"),
    ("cameos", ["nav.tabbar >> .profile", "#me-menu >> text=My cameos"], "/cameo/"),
    (
        "settings",
        ["nav.tabbar >> .profile", "#me-menu >> text=Profile settings"],
        "/settings/profile/",
    ),
    ("pricing", ["nav.tabbar >> .profile", "#me-menu >> text=Pricing"], "/pricing/"),
    ("check", ["nav.tabbar >> .profile", "#me-menu >> text=Check a clip"], "/check/"),
    ("feed", ["nav.tabbar >> text=Feed"], "/"),
]
DESKTOP_ROUTES = [
    ("create", ["nav.topnav >> text=Create"], "/create/"),
    ("drafts", ["nav.topnav >> text=Drafts"], "/drafts/"),
    ("credits", ["nav.topnav >> text=Credits"], "/wallet/"),
    ("cameos", ["nav.topnav >> text=Cameo"], "/cameo/"),
    ("inbox", ["nav.topnav >> .bell"], "/notifications/"),
    ("profile", ["nav.topnav >> .me"], f"/@{LONG_HANDLE}/"),
    ("settings", ["nav.topnav >> .me", "#me-menu >> text=Profile settings"], "/settings/profile/"),
    ("pricing", ["nav.topnav >> .me", "#me-menu >> text=Pricing"], "/pricing/"),
    ("check", ["nav.topnav >> .me", "#me-menu >> text=Check a clip"], "/check/"),
    ("feed", ["nav.topnav >> text=Feed"], "/"),
]


def test_tabs_reach_every_page_in_two_taps_without_sideways_scroll(asgi_server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    me = UserFactory(username=LONG_HANDLE)
    profile_update(user=me, display_name=LONG_NAME[:60], bio="x" * 80 + " " + "y" * 120)
    _publish(me, f"a lighthouse on a cliff at sunset {'with a very long prompt ' * 8}", seed=3)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        for width, height in [*PHONES, DESKTOP]:
            phone = width < 720
            context = browser.new_context(
                viewport={"width": width, "height": height}, has_touch=phone, is_mobile=phone
            )
            page = context.new_page()
            _watch_errors(page, errors)
            _log_in(page, asgi_server, LONG_HANDLE)
            page.goto(f"{asgi_server}/")
            tabbar = page.locator("nav.tabbar")
            if phone:
                expect(tabbar).to_be_visible()
                expect(page.locator("nav.topnav")).to_be_hidden()
                # The tab bar stays on screen, below the clip (the clip is not covered).
                box = tabbar.bounding_box()
                assert box["y"] + box["height"] <= height + 1
                feed = page.locator("#feed").bounding_box()
                assert feed["y"] + feed["height"] <= box["y"] + 1
            else:
                expect(tabbar).to_be_hidden()
                expect(page.locator("nav.topnav")).to_be_visible()
            _no_sideways_scroll(page, f"feed at {width}")
            for name, taps, path in PHONE_ROUTES if phone else DESKTOP_ROUTES:
                page.goto(f"{asgi_server}/")
                assert len(taps) <= 2
                for selector in taps:
                    page.locator(selector).first.click()
                    page.wait_for_load_state()
                page.wait_for_url(f"{asgi_server}{path}")
                _no_sideways_scroll(page, f"{name} at {width}")
                if phone:
                    expect(page.locator("nav.topnav")).to_be_hidden()
                    expect(tabbar).to_be_in_viewport()
                if width in (320, 390):
                    page.screenshot(path=str(ARTIFACTS / f"phone-{name}-{width}.png"))
            # Log out: two taps too (Profile, then "Log out").
            page.goto(f"{asgi_server}/")
            page.locator("nav.tabbar >> .profile" if phone else "nav.topnav >> .me").click()
            page.locator("#me-menu button.logout").click()
            page.wait_for_url(f"{asgi_server}/")
            expect(page.locator("body")).to_have_attribute("data-authenticated", "0")
            context.close()
        browser.close()
    assert errors == []


# --- The feed --------------------------------------------------------------------------------


def test_for_you_gestures_keys_caught_up_and_back_to_the_clip_after_log_in(
    asgi_server: str,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    creator = UserFactory(username="maker")
    clips = [_publish(creator, prompt, seed) for seed, prompt in enumerate(
        ["a red fox in the snow", "waves on a beach at dusk", "a city at night in the rain"]
    )]  # fmt: skip
    fan = UserFactory(username="fan")
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
        page = context.new_page()
        _watch_errors(page, errors)
        page.goto(f"{asgi_server}/")
        cards = page.locator("#feed .clip")
        expect(cards.nth(2)).to_be_attached()
        _wait_playing(page, 0)
        # Each clip has a text alternative and its prompt as a captions track.
        first = cards.first
        assert "AI-generated clip by @maker" in first.get_attribute("aria-label")
        track = first.locator("video track")
        assert track.get_attribute("kind") == "captions"
        vtt = page.evaluate("(src) => fetch(src).then(r => r.text())", track.get_attribute("src"))
        assert (
            vtt.startswith("WEBVTT") and first.get_attribute("aria-label").split(": ", 1)[1] in vtt
        )
        # Only the current and the next clip download; the third waits with its poster.
        assert page.evaluate("() => document.querySelectorAll('#feed video')[2].preload") == "none"
        page.screenshot(path=str(ARTIFACTS / "phone-feed-390.png"))

        # Keys from load, with nothing clicked first: j/↓ next, k/↑ back, space, m.
        page.keyboard.press("j")
        _wait_active(page, 1)
        page.keyboard.press("ArrowUp")
        _wait_active(page, 0)
        page.keyboard.press("ArrowDown")
        _wait_active(page, 1)
        _wait_playing(page, 1)
        assert page.evaluate("() => document.getElementById('feed').scrollTop") > 0
        page.keyboard.press(" ")
        page.wait_for_function("() => document.querySelectorAll('#feed video')[1].paused")
        expect(cards.nth(1)).to_have_class("clip active paused")
        page.keyboard.press(" ")
        _wait_playing(page, 1)
        page.keyboard.press("m")
        expect(cards.nth(1).locator(".action.sound")).to_have_attribute("aria-pressed", "true")
        assert page.evaluate("() => document.querySelectorAll('#feed video')[1].muted") is False
        page.keyboard.press("k")
        _wait_active(page, 0)

        # Tap pauses and plays; a long press opens the menu; Escape closes it.
        video = cards.first.locator("video")
        video.click()
        page.wait_for_function("() => document.querySelectorAll('#feed video')[0].paused")
        video.click()
        _wait_playing(page, 0)
        box = video.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 3)
        page.mouse.down()
        page.wait_for_timeout(800)
        page.mouse.up()
        menu = cards.first.locator(".menu")
        expect(menu).to_be_visible()
        expect(menu.get_by_role("menuitem", name="Report")).to_be_visible()
        assert not _paused(page, 0), "a long press opens the menu, it does not pause"
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        cards.first.locator(".action.more").click()
        expect(menu).to_be_visible()
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()

        # Past the three clips: "you're all caught up", then the clips again — never a dead end.
        for _ in range(3):
            page.keyboard.press("j")
            page.wait_for_timeout(400)
        marker = page.locator("#caught-up")
        expect(marker).to_be_in_viewport()
        expect(marker).to_contain_text("You're all caught up")
        page.keyboard.press("j")
        expect(cards.nth(3)).to_be_in_viewport()
        _wait_playing(page, 3)
        assert cards.count() >= 6
        page.screenshot(path=str(ARTIFACTS / "phone-caught-up-390.png"))

        # The sound choice is remembered on the next visit.
        page.goto(f"{asgi_server}/")
        expect(cards.first.locator(".action.sound")).to_have_attribute("aria-pressed", "true")
        # This visit starts at the marker: everything was seen.
        expect(page.locator("#feed > .clip, #feed > .caught-up").first).to_have_id("caught-up")

        # Double-tap to like while logged out: log in, and land back on that clip, liked.
        page.keyboard.press("j")
        target = cards.first
        target_id = int(target.get_attribute("data-id"))
        target.locator("video").dblclick()
        page.wait_for_url("**/accounts/login/**")
        expect(page.locator("#login-reason")).to_be_visible()
        page.fill("#id_username", "fan")
        page.fill("#id_password", TEST_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{asgi_server}/v/{target_id}/")
        like = page.locator(f'#feed .clip[data-id="{target_id}"] .action.like')
        expect(like).to_have_attribute("aria-pressed", "true")
        expect(like.locator(".count")).to_have_text("1")

        # Signed in on the feed: "l" likes the current clip, again "l" unlikes it.
        page.goto(f"{asgi_server}/")
        expect(cards.first).to_be_attached()
        page.keyboard.press("j")
        page.wait_for_timeout(500)
        current = page.locator("#feed .clip.active")
        current_id = int(current.get_attribute("data-id"))
        was = current.locator(".action.like").get_attribute("aria-pressed")
        page.keyboard.press("l")
        expect(current.locator(".action.like")).to_have_attribute(
            "aria-pressed", "false" if was == "true" else "true"
        )
        page.wait_for_timeout(300)
        context.close()

        # Reduced motion: nothing starts by itself; space plays.
        calm = browser.new_context(viewport={"width": 390, "height": 844}, reduced_motion="reduce")
        calm_page = calm.new_page()
        _watch_errors(calm_page, errors)
        calm_page.goto(f"{asgi_server}/")
        expect(calm_page.locator("#feed .clip.active")).to_be_attached()
        calm_page.wait_for_timeout(1000)
        assert _paused(calm_page, 0)
        calm_page.keyboard.press(" ")
        _wait_playing(calm_page, 0)
        calm.close()
        browser.close()
    assert errors == []
    assert Like.objects.filter(user=fan, video_id=target_id).exists()
    assert {clips[0].pk, clips[1].pk, clips[2].pk} >= {target_id, current_id}


# --- French ----------------------------------------------------------------------------------


def test_french_when_the_browser_asks_for_it(asgi_server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    creator = UserFactory(username="createur")
    _publish(creator, "un phare à l'aube", seed=4)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="fr-FR", has_touch=True
        )
        page = context.new_page()
        _watch_errors(page, errors)
        page.goto(f"{asgi_server}/")
        assert page.evaluate("() => document.documentElement.lang") == "fr"
        expect(page.locator("nav.tabs")).to_contain_text("Pour toi")
        expect(page.locator("nav.tabbar")).to_contain_text("Fil")
        expect(page.locator("nav.tabbar")).to_contain_text("Se connecter")
        # JavaScript strings come from the French catalogue too.
        card = page.locator("#feed .clip").first
        expect(card.locator(".action.more")).to_have_attribute("aria-label", "Plus")
        expect(card.locator(".ai-label")).to_have_text("Générée par IA")
        page.screenshot(path=str(ARTIFACTS / "phone-feed-fr-390.png"))
        page.goto(f"{asgi_server}/pricing/")
        expect(page.locator("h1")).to_have_text("Ce que coûte une vidéo")
        # The switcher overrides the browser.
        page.goto(f"{asgi_server}/accounts/login/")
        page.select_option("#language-select", "en")
        page.click(".language-form button")
        expect(page.locator("main h1")).to_have_text("Log in")
        browser.close()
    assert errors == []


# --- Accessibility ---------------------------------------------------------------------------


def _axe(page: Any, where: str) -> list[dict[str, Any]]:
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values:"
        " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
    )
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    return [
        {"page": where, "id": v["id"], "impact": v["impact"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in serious
    ]  # fmt: skip


def test_axe_finds_no_serious_problems(asgi_server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    me = UserFactory(username="reader")
    video = _publish(me, "a quiet forest path in autumn", seed=8)
    from likeness.services import cameo_create

    cameo_create(owner=me, kind="person", handle="reader", name="Reader")
    from credits.models import CreditPack

    for name, credits, cents in [("Starter", 500, 500), ("Plus", 1200, 1000), ("Max", 3000, 2000)]:
        CreditPack.objects.create(name=name, credits=credits, price_cents=cents, currency="usd")
    problems: list[dict[str, Any]] = []
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        for width, height in [(390, 844), DESKTOP]:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            _log_in(page, asgi_server, "reader")
            page.goto(f"{asgi_server}/")
            expect(page.locator("#feed .clip").first).to_be_attached()
            problems += _axe(page, f"feed {width}")
            page.locator("#feed .clip .action.comment").first.click()
            expect(page.locator("#drawer textarea")).to_be_visible()
            problems += _axe(page, f"comments {width}")
            for path in ("/create/", "/cameo/", "/wallet/", f"/v/{video.pk}/", "/pricing/"):
                page.goto(f"{asgi_server}{path}")
                problems += _axe(page, f"{path} {width}")
                if path == "/pricing/":
                    # One screen: the formula is folded away.
                    page.screenshot(path=str(ARTIFACTS / f"phone-pricing-{width}.png"))
                    heights = page.evaluate(
                        "() => [document.documentElement.scrollHeight, window.innerHeight]"
                    )
                    assert heights[0] <= heights[1], f"pricing is taller than the screen: {heights}"
            # Keyboard: Tab from the top reaches the skip link first, then the page.
            page.goto(f"{asgi_server}/create/")
            page.keyboard.press("Tab")
            assert page.evaluate("() => document.activeElement.className") == "skip-link"
            context.close()
        browser.close()
    assert problems == [], json.dumps(problems, indent=1)
