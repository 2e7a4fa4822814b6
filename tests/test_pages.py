"""Pages around the feed: styled error pages in every mode, icons and the web app manifest, money
and credits as people read them, the pricing page, the welcome after sign-up, one notification
per liker, the captions track, and For You's "caught up" continuation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import translation

from accounts.models import Notification, NotificationKind
from credits.templatetags.money import format_credits, format_money
from feed import services
from feed.captions import prompt_vtt
from feed.services import like_set
from tests.factories import UserFactory, VideoFactory

pytestmark = pytest.mark.django_db


# --- Error pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [True, False])
def test_404_is_the_styled_page_in_every_mode(settings: Any, debug: bool) -> None:
    settings.DEBUG = debug
    settings.DEBUG_ERROR_PAGES = False
    response = Client().get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "This page doesn't exist" in html and 'class="tabbar"' in html
    assert "Using the URLconf" not in html  # Django's technical page lists the URL patterns


def test_a_developer_can_ask_for_the_technical_404(settings: Any) -> None:
    settings.DEBUG = True
    settings.DEBUG_ERROR_PAGES = True
    html = Client().get("/no/such/page/").content.decode()
    assert "Using the URLconf" in html


def test_a_missing_clip_is_the_styled_404_and_the_api_stays_json(settings: Any) -> None:
    settings.DEBUG = True
    page = Client().get("/v/999999/")
    assert page.status_code == 404 and "This page doesn't exist" in page.content.decode()
    api = Client().get("/api/v1/videos/999999")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("debug", [True, False])
def test_500_is_the_styled_page_in_every_mode(settings: Any, debug: bool) -> None:
    settings.DEBUG = debug
    settings.DEBUG_ERROR_PAGES = False
    with override_settings(ROOT_URLCONF="tests.urls_boom"):
        response = Client(raise_request_exception=False).get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and "Traceback" not in html


def test_403_is_styled_in_french_too(settings: Any) -> None:
    settings.DEBUG = True
    with override_settings(ROOT_URLCONF="tests.urls_boom"):
        response = Client().get("/forbidden/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 403
    assert "Vous ne pouvez pas ouvrir cette page" in response.content.decode()


# --- Icons and manifest ----------------------------------------------------------------------


def test_favicon_and_manifest() -> None:
    client = Client()
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 301 and favicon["Location"].endswith("icons/favicon.ico")
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    body = json.loads(manifest.content)
    assert body["display"] == "standalone" and body["start_url"] == "/"
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in body["icons"])
    french = json.loads(client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="fr").content)
    assert french["description"].startswith("De courtes vidéos")
    html = client.get("/accounts/login/").content.decode()
    assert 'rel="manifest"' in html and 'rel="icon"' in html and "apple-touch-icon" in html


def test_icon_files_are_real_images() -> None:
    from pathlib import Path

    from PIL import Image

    icons = Path(__file__).resolve().parent.parent / "static" / "icons"
    for name, size in [
        ("icon-192.png", 192),
        ("icon-512.png", 512),
        ("icon-maskable-512.png", 512),
    ]:
        with Image.open(icons / name) as image:
            assert image.size == (size, size)
    with Image.open(icons / "favicon.ico") as image:
        assert image.format == "ICO"


# --- Money, credits, plurals -----------------------------------------------------------------


def test_money_and_credits_read_naturally() -> None:
    with translation.override("en"):
        assert format_money(cents=500, currency="usd") == "$5.00"
        assert format_money(cents=123456, currency="usd") == "$1,234.56"
        assert format_credits(1) == "1 credit" and format_credits(500) == "500 credits"
    with translation.override("fr"):
        assert format_money(cents=500, currency="usd") == "5,00\u00a0$"
        assert format_credits(1) == "1 crédit" and format_credits(2) == "2 crédits"


def test_wallet_and_pricing_show_money_as_money(client: Client, user: Any) -> None:
    from credits.models import CreditPack

    CreditPack.objects.create(name="Starter", credits=500, price_cents=500, currency="usd")
    client.force_login(user)
    wallet = client.get("/wallet/").content.decode()
    assert "$5.00" in wallet and "¢" not in wallet
    pricing = client.get("/pricing/").content.decode()
    assert "500 credits for $5.00" in pricing and "¢" not in pricing
    # The formula is folded away in a <details>, the price table is on top.
    assert pricing.index('id="price-table"') < pricing.index('<details class="formula-details"')


def test_profile_counts_use_plurals(client: Client) -> None:
    creator = UserFactory(username="solo")
    VideoFactory(creator=creator)
    html = client.get("/@solo/").content.decode()
    assert "<strong>1</strong> clip<" in html and "1 clips" not in html
    assert '<strong id="followers-count">0</strong> followers' in html


# --- Welcome ---------------------------------------------------------------------------------


def test_sign_up_lands_on_a_welcome_with_free_credits(settings: Any) -> None:
    client = Client()
    response = client.post(
        "/accounts/signup/", {"handle": "newbie", "email": "", "password": "a-long-pass-phrase-9"}
    )
    assert response.status_code == 302 and response["Location"] == "/welcome/"
    html = client.get("/welcome/").content.decode()
    assert "Welcome, @newbie!" in html
    assert f"<strong>{settings.FREE_CREDITS_PER_DAY} free credits</strong>" in html
    assert html.count("<li><a href=") >= 3  # three things to try


def test_sign_up_from_a_clip_offers_the_way_back() -> None:
    client = Client()
    response = client.post(
        "/accounts/signup/?next=/v/7/%3Flike%3D1",
        {"handle": "another", "email": "", "password": "a-long-pass-phrase-9"},
    )
    assert response["Location"] == "/welcome/?next=%2Fv%2F7%2F%3Flike%3D1"
    assert 'href="/v/7/?like=1"' in client.get(response["Location"]).content.decode()
    # Somewhere else is not offered.
    evil = client.get("/welcome/?next=https://evil.example/").content.decode()
    assert "evil.example" not in evil


# --- Likes notify once -----------------------------------------------------------------------


def test_liking_again_does_not_notify_again() -> None:
    video = VideoFactory()
    fan = UserFactory()
    like_set(user=fan, video=video, liked=True)
    like_set(user=fan, video=video, liked=False)
    like_set(user=fan, video=video, liked=True)
    assert Notification.objects.filter(kind=NotificationKind.LIKE, video=video).count() == 1
    like_set(user=UserFactory(), video=video, liked=True)
    assert Notification.objects.filter(kind=NotificationKind.LIKE, video=video).count() == 2


# --- Captions --------------------------------------------------------------------------------


def test_captions_track_is_the_prompt_as_webvtt() -> None:
    video = VideoFactory(prompt="un phare à l'aube 🌅 <b>not markup</b> --> arrow", duration=6)
    response = Client().get(f"/v/{video.pk}/captions.vtt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("WEBVTT\n\n1\n00:00:00.000 --> ")
    assert body.rstrip().splitlines()[-3].endswith("--> 00:00:06.000") or "00:00:06.000" in body
    assert "phare à l'aube 🌅" in body and "&lt;b&gt;" in body and "--&gt;" in body
    assert body.count("-->") == len([line for line in body.splitlines() if " --> " in line])


def test_long_prompts_make_short_cues() -> None:
    video = VideoFactory(prompt=" ".join(["word"] * 60), duration=10)
    cues = [line for line in prompt_vtt(video=video).splitlines() if line.startswith("word")]
    assert cues and max(len(line) for line in cues) <= 40


def test_captions_of_a_hidden_clip_are_gone() -> None:
    from feed.models import VideoStatus

    video = VideoFactory(status=VideoStatus.HIDDEN)
    assert Client().get(f"/v/{video.pk}/captions.vtt").status_code == 404


# --- For You never dead-ends -----------------------------------------------------------------


def test_for_you_api_goes_on_after_everything_was_seen() -> None:
    clips = [VideoFactory(score=float(i)) for i in range(3)]
    client = Client()
    first = client.get("/api/v1/feed/for-you").json()
    assert {item["id"] for item in first["results"]} == {v.pk for v in clips}
    assert first["caught_up_at"] is None
    # Caught up: the same clips again, best first, marked as already seen, and it goes on.
    cursor = first["next_cursor"]
    seen_pages = []
    for _ in range(3):
        page = client.get("/api/v1/feed/for-you", {"cursor": cursor}).json()
        seen_pages.append([item["id"] for item in page["results"]])
        assert page["caught_up_at"] == 0 and page["next_cursor"]
        cursor = page["next_cursor"]
    best_first = [v.pk for v in sorted(clips, key=lambda v: v.score, reverse=True)]
    assert seen_pages == [best_first] * 3


def test_a_clip_published_while_replaying_comes_first() -> None:
    VideoFactory(score=1.0)
    client = Client()
    cursor = client.get("/api/v1/feed/for-you").json()["next_cursor"]
    replay = client.get("/api/v1/feed/for-you", {"cursor": cursor}).json()
    assert replay["caught_up_at"] == 0
    fresh = VideoFactory(score=0.0)
    services.candidate_pools_forget(fresh.pk)
    page = client.get("/api/v1/feed/for-you", {"cursor": replay["next_cursor"]}).json()
    assert page["results"][0]["id"] == fresh.pk and page["caught_up_at"] == 1


def test_for_you_replay_past_the_shared_pool(settings: Any) -> None:
    settings.FOR_YOU_POOL_SIZE = 4
    clips = [VideoFactory(score=float(i)) for i in range(10)]
    viewer = UserFactory()
    key = f"u{viewer.pk}"
    services.seen_add(viewer_key=key, video_ids=[v.pk for v in clips])
    ids: list[int] = []
    cursor = None
    for _ in range(4):
        page = services.for_you_feed(viewer=viewer, viewer_key=key, cursor=cursor, limit=4)
        ids += page.ids
        cursor = page.next_cursor
    best_first = [v.pk for v in sorted(clips, key=lambda v: v.score, reverse=True)]
    # Ten clips, best first (the last page of the round is short), then round again from the top.
    assert ids[:10] == best_first and ids[10:] == best_first[:4]


def test_a_bad_replay_cursor_is_a_clear_400() -> None:
    response = Client().get("/api/v1/feed/for-you", {"cursor": "seen:%%%"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_feed_page_starts_with_the_marker_when_everything_was_seen(
    django_assert_max_num_queries: Any,
) -> None:
    VideoFactory()
    client = Client()
    client.get("/")
    html = client.get("/").content.decode()
    initial = json.loads(html.split('id="feed-initial" type="application/json">')[1].split("<")[0])
    assert initial["caught_up_at"] == 0 and len(initial["results"]) == 1


def test_a_stale_form_gets_the_styled_csrf_page(settings: Any) -> None:
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_wallet_in_french_has_french_words_dates_and_money(client: Client, user: Any) -> None:
    from django.utils import dateformat, timezone

    from credits.models import CreditPack, LedgerEntry

    CreditPack.objects.create(name="Starter", credits=1500, price_cents=1250, currency="usd")
    client.force_login(user)
    html = client.get("/wallet/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "crédits disponibles" in html and "Historique" in html
    assert "12,50\u00a0$" in html and "1\u00a0500 crédits" in html
    entry = LedgerEntry.objects.order_by("-id").first()
    with translation.override("fr"):
        when = dateformat.format(timezone.localtime(entry.created_at), "j M H:i")
    assert when in html


@pytest.mark.parametrize("count", [1, 20])
def test_caught_up_pages_cost_constant_queries(
    api: Any, user: Any, django_assert_num_queries: Any, count: int
) -> None:
    clips = [VideoFactory() for _ in range(count)]
    services.seen_add(viewer_key=f"u{user.pk}", video_ids=[v.pk for v in clips])
    # "less like this", the people blocked or muted, the shared pools (ranked, discovery), the
    # chosen clips, the viewer's likes: replaying from the shared pool costs no query of its own.
    with django_assert_num_queries(6):
        body = api.get("/api/v1/feed/for-you", {"limit": 20}).json()
    assert body["caught_up_at"] == 0 and len(body["results"]) == count
