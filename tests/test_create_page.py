"""The create page holds itself to the server's limits, and the local renderer says what it
understood of a prompt before the render (the quote) and after (the draft)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from generation.renderer.scene import understood
from generation.renderer.spec import MAX_PROMPT_CHARS


@pytest.mark.django_db
def test_the_form_takes_what_the_api_takes(user: Any, password: str) -> None:
    client = Client()
    client.force_login(user)
    html = client.get("/create/").content.decode()
    assert f'maxlength="{settings.GENERATION_MAX_PROMPT_CHARS}"' in html
    assert f'max="{settings.GENERATION_MAX_SECONDS}"' in html
    assert re.findall(r'<option value="(standard|pro)"', html) == ["standard", "pro"]
    assert 'id="route-options"' not in html  # the backend comparison is for staff
    # The renderer takes every prompt the API lets through.
    assert settings.GENERATION_MAX_PROMPT_CHARS <= MAX_PROMPT_CHARS
    api = APIClient()
    api.force_authenticate(user)
    over = api.post(
        "/api/v1/generations",
        {"prompt": "x" * (settings.GENERATION_MAX_PROMPT_CHARS + 1), "seconds": 5},
        format="json",
    )
    assert over.status_code == 400 and "prompt" in over.json()["fields"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    assert 'id="route-options"' in client.get("/create/").content.decode()


def test_the_renderer_says_what_it_draws_and_what_it_cannot() -> None:
    report = understood("A bridge on a cliff at sunset, birds over the mountains")
    assert report["drew"] == ["mountains", "bird", "sunset"]
    assert report["cant_draw"] == ["bridge"]
    assert understood("zorblax quux")["drew"] == []
    assert understood("zorblax quux")["cant_draw"] == ["zorblax", "quux"]


@pytest.mark.django_db
def test_the_quote_carries_the_report(user: Any) -> None:
    api = APIClient()
    api.force_authenticate(user)
    body = api.post(
        "/api/v1/generations/quote",
        {"seconds": 5, "prompt": "a red car in the rain near a guitar"},
        format="json",
    ).json()
    assert body["understood"] == {"drew": ["car", "rain"], "cant_draw": ["guitar"]}
    assert (
        api.post("/api/v1/generations/quote", {"seconds": 5}, format="json").json()["understood"]
        is None
    )


def test_the_draft_keeps_the_report(tmp_path: Any) -> None:
    from generation.renderer import RenderSpec, render_clip

    result = render_clip(
        RenderSpec(prompt="a guitar and a cat", seconds=1, seed=1, fps=24),
        video_path=tmp_path / "c.mp4",
        poster_path=tmp_path / "p.jpg",
        threads=1,
    )
    assert result.scene["understood"]["drew"] == ["cat"]
    assert result.scene["understood"]["cant_draw"] == ["guitar"]
