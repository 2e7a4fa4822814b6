"""Local media is served with HTTP Range (browsers seek and preload video by range)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from config.storage import private_storage, public_storage


@pytest.fixture
def stored_clip() -> str:
    return public_storage().save("videos/abc/clip.mp4", ContentFile(bytes(range(256)) * 4))


def test_whole_file(client: Client, stored_clip: str) -> None:
    response = client.get(f"/media/{stored_clip}")
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert len(b"".join(response.streaming_content)) == 1024


@pytest.mark.parametrize(
    ("header", "status", "content_range", "length"),
    [
        ("bytes=0-99", 206, "bytes 0-99/1024", 100),
        ("bytes=1000-", 206, "bytes 1000-1023/1024", 24),
        ("bytes=-10", 206, "bytes 1014-1023/1024", 10),
        ("bytes=2000-", 416, "bytes */1024", 0),
    ],
)
def test_ranges(
    client: Client, stored_clip: str, header: str, status: int, content_range: str, length: int
) -> None:
    response = client.get(f"/media/{stored_clip}", HTTP_RANGE=header)
    assert response.status_code == status
    assert response["Content-Range"] == content_range
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert len(body) == length
    if status == 206 and header == "bytes=0-99":
        assert body == bytes(range(100))


def test_missing_and_traversal_are_404(client: Client) -> None:
    assert client.get("/media/videos/nope.mp4").status_code == 404
    assert client.get("/media/../private/x").status_code == 404


def test_private_files_are_not_under_media(client: Client) -> None:
    name = private_storage().save("drafts/1/x/clip.mp4", ContentFile(b"secret"))
    assert client.get(f"/media/{name}").status_code == 404
    with pytest.raises(ValueError):
        private_storage().url(name)
