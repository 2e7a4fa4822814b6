"""A notification caused by a request to one web process reaches a websocket connected to another
web process: both are real uvicorn processes, joined only by the channels-redis layer."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from websockets.sync.client import connect

from accounts.tokens import api_token_create
from tests.factories import UserFactory, VideoFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def test_like_on_one_web_process_notifies_a_socket_on_another(
    two_asgi_servers: tuple[str, str],
) -> None:
    web_a, web_b = two_asgi_servers
    creator = UserFactory()
    fan = UserFactory()
    video = VideoFactory(creator=creator)
    _row, token = api_token_create(user=fan)

    ws_url = web_b.replace("http://", "ws://") + "/ws/events/"
    with connect(
        ws_url,
        additional_headers={"Cookie": _session_cookie(creator), "Origin": web_b},
        open_timeout=10,
    ) as socket:
        time.sleep(0.3)  # the consumer joins its group right after accepting
        request = urllib.request.Request(
            f"{web_a}/api/v1/videos/{video.pk}/like",
            method="POST",
            headers={"Authorization": f"Token {token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (localhost)
            assert json.loads(response.read()) == {"liked": True, "like_count": 1}

        deadline = time.monotonic() + 10
        event: dict[str, Any] = {}
        while time.monotonic() < deadline:
            event = json.loads(socket.recv(timeout=deadline - time.monotonic()))
            if event.get("type") == "notification":
                break
        assert event["type"] == "notification"
        assert event["kind"] == "like"
        assert event["video"] == video.pk
        assert event["text"] == f"@{fan.username} liked your clip"
        assert event["unread"] == 1


def test_a_socket_without_a_session_is_refused(asgi_server: str) -> None:
    from websockets.exceptions import InvalidStatus, WebSocketException

    ws_url = asgi_server.replace("http://", "ws://") + "/ws/events/"
    with (
        pytest.raises((InvalidStatus, WebSocketException, ConnectionError)),
        connect(ws_url, additional_headers={"Origin": asgi_server}, open_timeout=10) as ws,
    ):
        ws.recv(timeout=5)
