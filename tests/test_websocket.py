"""Progress events reach the owner's websocket (through the real channels-redis layer), and no
one else's; anonymous sockets are refused."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from generation import services
from tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def _session_headers(user: Any) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"cookie", cookie.encode()), (b"origin", b"http://localhost")]


async def _connect(user: Any | None) -> WebsocketCommunicator:
    headers = (
        await database_sync_to_async(_session_headers)(user)
        if user
        else [(b"origin", b"http://localhost")]
    )
    communicator = WebsocketCommunicator(application, "/ws/events/", headers=headers)
    return communicator


async def _drain(communicator: WebsocketCommunicator, seconds: float) -> list[dict[str, Any]]:
    """Everything that arrives until the socket has been quiet for `seconds`.

    (receive_nothing, unlike a timed-out receive, does not cancel the application.)"""
    events: list[dict[str, Any]] = []
    while not await communicator.receive_nothing(timeout=seconds):
        events.append(await communicator.receive_json_from())
    return events


async def test_progress_reaches_the_owner_and_no_one_else() -> None:
    owner = await database_sync_to_async(UserFactory)()
    stranger = await database_sync_to_async(UserFactory)()
    owner_socket = await _connect(owner)
    stranger_socket = await _connect(stranger)
    assert (await owner_socket.connect())[0]
    assert (await stranger_socket.connect())[0]

    def create_and_run() -> str:
        job, _ = services.job_create(
            owner=owner, request=services.JobRequest(prompt="snow falling on a city", seconds=2)
        )
        services.job_run(job_id=job.pk)  # renders in this thread, pushing through Redis
        return str(job.pk)

    job_id = await database_sync_to_async(create_and_run)()
    events = await _drain(owner_socket, 1.0)
    mine = [event for event in events if event.get("job") == job_id]
    progress = [event["progress"] for event in mine if event["type"] == "job.progress"]
    assert progress, events
    assert progress == sorted(progress)
    assert mine[-1]["type"] == "job.updated" and mine[-1]["status"] == "succeeded"
    assert await stranger_socket.receive_nothing(timeout=0.5)
    await owner_socket.disconnect()
    await stranger_socket.disconnect()


async def test_anonymous_socket_is_refused() -> None:
    communicator = await _connect(None)
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401
