"""Profiles: bio and name limits, avatar uploads (validated, re-encoded to two square JPEGs, the
upload itself never stored, bad files and decompression bombs refused with nothing stored, old
files deleted on change), the profile page and API with their counts and follow state."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, PngImagePlugin
from rest_framework.test import APIClient

from config.storage import public_storage
from feed.models import VideoStatus
from tests.factories import FollowFactory, UserFactory, VideoFactory

AVATAR_URL = "/api/v1/me/avatar"


@pytest.fixture
def media_root(settings: Any, _isolated_media: None, tmp_path: Path) -> Path:
    """Public media of this test alone, so "nothing stored" can be checked by listing it."""
    root = tmp_path / "public"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def _stored_files(root: Path) -> list[Path]:
    return sorted(Path(folder) / name for folder, _, names in os.walk(root) for name in names)


def _png(width: int, height: int, *, mode: str = "RGB", text: str = "") -> bytes:
    image = Image.new(mode, (width, height))
    if mode == "RGB":
        pixels = [
            (x * 7 % 256, y * 5 % 256, (x + y) % 256) for y in range(height) for x in range(width)
        ]
        image.putdata(pixels)
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", text)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def _png_bomb(width: int, height: int) -> bytes:
    """A real 1-bit PNG of width×height zero pixels: a few kilobytes that decode to hundreds of
    megabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def _upload(
    api: APIClient, data: bytes, name: str = "me.png", content_type: str = "image/png"
) -> Any:
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return api.post(AVATAR_URL, {"avatar": upload}, format="multipart")


def _assert_refused(response: Any, user: Any, media_root: Path, message_part: str) -> None:
    assert response.status_code == 400
    body = response.json()
    assert message_part in " ".join(body["fields"]["avatar"])
    assert body["detail"]
    assert _stored_files(media_root) == []
    user.refresh_from_db()
    assert user.avatar == "" and user.avatar_small == ""


# --- Bio and name ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bio_of_301_characters_is_400(api: APIClient, user: Any) -> None:
    user.bio = "before"
    user.save()
    response = api.patch("/api/v1/me", {"bio": "b" * 301}, format="json")
    assert response.status_code == 400
    assert "300" in " ".join(response.json()["fields"]["bio"])
    user.refresh_from_db()
    assert user.bio == "before"


@pytest.mark.django_db
def test_a_bio_of_300_characters_is_saved(api: APIClient, user: Any) -> None:
    response = api.patch("/api/v1/me", {"bio": "b" * 300}, format="json")
    assert response.status_code == 200
    assert response.json()["bio"] == "b" * 300
    user.refresh_from_db()
    assert user.bio == "b" * 300


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [({"display_name": "n" * 61}, "display_name"), ({"username": "someone_else"}, "username")],
)
def test_bad_profile_edits_are_400_and_change_nothing(
    api: APIClient, user: Any, payload: dict[str, Any], field: str
) -> None:
    handle = user.username
    response = api.patch("/api/v1/me", payload, format="json")
    assert response.status_code == 400
    assert response.json()["fields"][field]
    user.refresh_from_db()
    assert (user.username, user.display_name) == (handle, "")


@pytest.mark.django_db
def test_anonymous_profile_edit_is_rejected(anon_api: APIClient) -> None:
    assert anon_api.patch("/api/v1/me", {"bio": "hi"}, format="json").status_code in (401, 403)


# --- Avatars ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_png_avatar_is_stored_as_two_square_jpegs_and_never_as_uploaded(
    api: APIClient, user: Any, media_root: Path
) -> None:
    original = _png(300, 200, text="secret-camera-serial-1234")
    response = _upload(api, original)
    assert response.status_code == 200
    user.refresh_from_db()
    assert response.json()["avatar_url"] == public_storage().url(user.avatar)
    assert response.json()["avatar_small_url"] == public_storage().url(user.avatar_small)
    for name, side in ((user.avatar, 256), (user.avatar_small, 64)):
        with public_storage().open(name, "rb") as handle:
            data = handle.read()
        image = Image.open(io.BytesIO(data))
        assert (image.format, image.size) == ("JPEG", (side, side))
        assert b"secret-camera-serial-1234" not in data  # re-encoded: metadata dropped
    stored = _stored_files(media_root)
    assert len(stored) == 2
    assert all(path.read_bytes() != original for path in stored)


@pytest.mark.django_db
def test_changing_the_avatar_deletes_the_previous_files(
    api: APIClient, user: Any, media_root: Path
) -> None:
    _upload(api, _png(64, 64))
    user.refresh_from_db()
    old = [user.avatar, user.avatar_small]
    assert _upload(api, _png(80, 80)).status_code == 200
    user.refresh_from_db()
    assert not any(public_storage().exists(name) for name in old)
    assert public_storage().exists(user.avatar) and public_storage().exists(user.avatar_small)
    assert len(_stored_files(media_root)) == 2


@pytest.mark.django_db
def test_a_text_file_is_not_an_avatar(api: APIClient, user: Any, media_root: Path) -> None:
    response = _upload(api, b"just some words\n" * 20, name="me.png")
    _assert_refused(response, user, media_root, "not an image")


@pytest.mark.django_db
def test_an_image_in_another_format_is_refused(api: APIClient, user: Any, media_root: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(buffer, "BMP")
    response = _upload(api, buffer.getvalue(), name="me.bmp", content_type="image/bmp")
    _assert_refused(response, user, media_root, "JPEG, PNG, WebP or GIF")


@pytest.mark.django_db
def test_a_file_over_5_mb_is_refused(api: APIClient, user: Any, media_root: Path) -> None:
    data = _png(16, 16) + b"\x00" * (5 * 1024 * 1024)
    response = _upload(api, data)
    _assert_refused(response, user, media_root, "at most 5 MB")


@pytest.mark.django_db
def test_an_image_larger_than_4096_pixels_is_refused(
    api: APIClient, user: Any, media_root: Path
) -> None:
    response = _upload(api, _png(5000, 10, mode="L"))
    _assert_refused(response, user, media_root, "at most 4096×4096 pixels")


@pytest.mark.django_db
def test_a_decompression_bomb_is_refused(api: APIClient, user: Any, media_root: Path) -> None:
    bomb = _png_bomb(20000, 20000)
    assert len(bomb) < 200_000  # 400 megapixels in a small file
    response = _upload(api, bomb)
    _assert_refused(response, user, media_root, "too large to decode safely")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "side",
    [
        100,  # 10,000 pixels: over twice the limit, Pillow raises
        40,  # 1,600 pixels: between once and twice the limit, Pillow only warns
    ],
)
def test_the_decompression_bomb_guard_works_below_the_size_limit(
    api: APIClient, user: Any, media_root: Path, monkeypatch: pytest.MonkeyPatch, side: int
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    response = _upload(api, _png(side, side))
    _assert_refused(response, user, media_root, "too large to decode safely")


@pytest.mark.django_db
def test_an_avatar_upload_without_a_file_is_400(
    api: APIClient, user: Any, media_root: Path
) -> None:
    response = api.post(AVATAR_URL, {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"]["avatar"]
    assert _stored_files(media_root) == []


@pytest.mark.django_db
def test_anonymous_avatar_upload_is_rejected(anon_api: APIClient, media_root: Path) -> None:
    upload = SimpleUploadedFile("me.png", _png(8, 8), content_type="image/png")
    response = anon_api.post(AVATAR_URL, {"avatar": upload}, format="multipart")
    assert response.status_code in (401, 403)
    assert _stored_files(media_root) == []


# --- The profile page and API ----------------------------------------------------------------


def _creator_with_counts() -> Any:
    """2 visible clips with 3 + 4 likes (a hidden one doesn't count), 2 followers, 1 followed."""
    creator = UserFactory(username="maker", display_name="The Maker")
    VideoFactory(creator=creator, like_count=3)
    VideoFactory(creator=creator, like_count=4)
    VideoFactory(creator=creator, like_count=100, status=VideoStatus.HIDDEN)
    FollowFactory(followee=creator)
    FollowFactory(followee=creator)
    FollowFactory(follower=creator)
    return creator


@pytest.mark.django_db
def test_the_profile_page_shows_the_counts_and_a_follow_button(client: Client, user: Any) -> None:
    _creator_with_counts()
    client.force_login(user)
    html = client.get("/@maker/").content.decode()
    assert '<strong id="followers-count">2</strong> followers' in html
    assert "<strong>1</strong> following" in html
    assert "<strong>2</strong> clips" in html
    assert "<strong>7</strong> likes" in html
    assert 'id="follow" data-url="/api/v1/users/maker/follow" data-following="0">Follow<' in html


@pytest.mark.django_db
def test_the_profile_page_shows_following_to_a_follower(client: Client, user: Any) -> None:
    creator = _creator_with_counts()
    FollowFactory(follower=user, followee=creator)
    client.force_login(user)
    html = client.get("/@Maker/").content.decode()  # handles are case-insensitive
    assert '<strong id="followers-count">3</strong> followers' in html
    assert 'data-following="1">Following<' in html


@pytest.mark.django_db
def test_your_own_profile_page_offers_edit_instead_of_follow(client: Client) -> None:
    creator = _creator_with_counts()
    client.force_login(creator)
    html = client.get("/@maker/").content.decode()
    assert "Edit profile" in html and 'id="follow"' not in html


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_log_in_to_follow(client: Client) -> None:
    _creator_with_counts()
    html = client.get("/@maker/").content.decode()
    assert 'href="/accounts/login/?next=/%40maker/">Follow</a>' in html


@pytest.mark.django_db
def test_an_unknown_profile_is_404(client: Client, anon_api: APIClient) -> None:
    assert client.get("/@nobody_here/").status_code == 404
    response = anon_api.get("/api/v1/users/nobody_here")
    assert response.status_code == 404
    assert response.json()["detail"]


def _counts(body: dict[str, Any]) -> tuple[int, int, int, int]:
    return body["followers"], body["following"], body["clips"], body["likes_received"]


@pytest.mark.django_db
def test_the_profile_api_returns_counts_and_follow_state(api: APIClient, user: Any) -> None:
    creator = _creator_with_counts()
    body = api.get("/api/v1/users/MAKER").json()
    assert body["handle"] == "maker" and body["display_name"] == "The Maker"
    assert _counts(body) == (2, 1, 2, 7)
    assert body["is_following"] is False
    FollowFactory(follower=user, followee=creator)
    body = api.get("/api/v1/users/maker").json()
    assert body["is_following"] is True and body["followers"] == 3


@pytest.mark.django_db
def test_a_profile_without_clips_or_follows_has_zero_counts(anon_api: APIClient) -> None:
    UserFactory(username="newbie")
    body = anon_api.get("/api/v1/users/newbie").json()
    assert _counts(body) == (0, 0, 0, 0)
    assert body["is_following"] is False


@pytest.mark.django_db
def test_a_bio_is_escaped_on_the_profile_page(client: Client) -> None:
    UserFactory(username="maker", bio="<script>alert(1)</script> <img src=x onerror=alert(1)>")
    html = client.get("/@maker/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x onerror=alert(1)>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
