"""The verification flow through the API: a fresh challenge, an upload really decoded before
anything is stored (bad files are 400 and leave nothing), the checks, the moderator's decision,
and the cool-down after a rejection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import Notification
from config.errors import DomainError
from config.storage import private_storage
from likeness.models import Cameo, CameoStatus, VerificationAttempt
from likeness.services import verification_review, verification_run_checks
from tests import verification_clips as clips
from tests.factories import UserFactory
from tests.verification_clips import head_frames, turn_yaw, write_clip

# Numbers the synthetic voice is heard reading reliably (challenges are random; these tests fix
# one so that a pass is a pass).
NUMBERS = [12, 47, 83]
needs_voice = pytest.mark.skipif(
    not clips.voice_available(),
    reason="no speech synthesiser: apt-get install flite (or espeak-ng); CI installs both",
)


def _voiced_clip(path: Path, turns: tuple[str, ...], *, seconds: float = 7.0) -> Path:
    """A recording that answers the challenge: the numbers read aloud, then the head turns."""
    from likeness.speech import number_words

    voice = clips.speech(", ".join(number_words(n) for n in NUMBERS), path.parent)
    return write_clip(path, head_frames(640, 480, seconds, 15, turn_yaw(turns, start=3.5)),
                      fps=15, live=path.suffix == ".webm",
                      audio=clips.soundtrack(seconds, (0.4, voice)))  # fmt: skip


@pytest.fixture
def private_dir(settings: Any, tmp_path: Path, _isolated_media: None) -> Path:
    """A private folder of this test's own: SQLite reuses ids, so paths would collide."""
    private = tmp_path / "private"
    private.mkdir()
    settings.PRIVATE_MEDIA_ROOT = str(private)
    return private


def _private_files(private_dir: Path, cameo_id: int | None = None) -> list[Path]:
    base = private_dir / "cameos"
    base = base / str(cameo_id) if cameo_id is not None else base
    return sorted(p for p in base.rglob("*") if p.is_file())


@pytest.fixture
def owner_api(db: None) -> tuple[Any, APIClient]:
    user = UserFactory()
    client = APIClient()
    client.force_authenticate(user)
    return user, client


def _start(client: APIClient) -> tuple[int, dict[str, Any]]:
    cameo = client.post("/api/v1/cameos", {"kind": "person"}, format="json").json()
    attempt = client.post(f"/api/v1/cameos/{cameo['id']}/verification").json()
    return cameo["id"], attempt


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("clip.webm", b"this is not a video at all", "not a video"),
        ("clip.mp4", bytes(range(256)) * 40, "not a video"),
    ],
)
def test_bad_uploads_are_400_and_nothing_is_stored(
    owner_api: tuple[Any, APIClient], private_dir: Path, name: str, content: bytes,
    message: str,
) -> None:  # fmt: skip
    _, client = owner_api
    _, attempt = _start(client)
    before = _private_files(private_dir)
    upload = SimpleUploadedFile(name, content, content_type="video/webm")
    response = client.post(f"/api/v1/verifications/{attempt['id']}", {"clip": upload},
                           format="multipart")  # fmt: skip
    assert response.status_code == 400
    assert message in response.json()["fields"]["clip"][0]
    assert _private_files(private_dir) == before
    assert VerificationAttempt.objects.get(pk=attempt["id"]).status == "challenged"


def test_a_too_short_recording_is_400(
    owner_api: tuple[Any, APIClient], private_dir: Path, tmp_path: Path
) -> None:
    _, client = owner_api
    cameo_id, attempt = _start(client)
    short = write_clip(tmp_path / "short.mp4", head_frames(320, 240, 2.0, 15, turn_yaw(())),
                       fps=15)  # fmt: skip
    upload = SimpleUploadedFile("short.mp4", short.read_bytes(), content_type="video/mp4")
    response = client.post(f"/api/v1/verifications/{attempt['id']}", {"clip": upload},
                           format="multipart")  # fmt: skip
    assert response.status_code == 400
    assert "record 3 to 20 seconds" in response.json()["detail"]
    assert _private_files(private_dir, cameo_id) == []


@needs_voice
def test_upload_checks_review_and_cool_down(
    owner_api: tuple[Any, APIClient], private_dir: Path, tmp_path: Path,
    settings: Any,
) -> None:  # fmt: skip
    user, client = owner_api
    cameo_id, attempt = _start(client)
    turns = tuple(attempt["challenge"]["turns"])
    VerificationAttempt.objects.filter(pk=attempt["id"]).update(
        challenge={"numbers": NUMBERS, "turns": list(turns)}
    )
    clip = _voiced_clip(tmp_path / "me.webm", turns)
    upload = SimpleUploadedFile("me.webm", clip.read_bytes(), content_type="video/webm")
    response = client.post(f"/api/v1/verifications/{attempt['id']}", {"clip": upload},
                           format="multipart")  # fmt: skip
    assert response.status_code == 202 and response.json()["status"] == "checking"
    stored = VerificationAttempt.objects.get(pk=attempt["id"])
    assert private_storage().exists(stored.clip.name)

    assert verification_run_checks(attempt_id=stored.pk) == "pending_review"
    assert verification_run_checks(attempt_id=stored.pk) == "skipped"  # a redelivery is harmless
    stored.refresh_from_db()
    assert stored.checks_passed is True, stored.checks
    assert stored.verdict == "pass" and not stored.checks_severe
    assert stored.checks["checks"]["numbers_heard"]["detail"] == "We heard 12, 47, 83, as asked."
    cameo = Cameo.objects.get(pk=cameo_id)
    assert cameo.status == CameoStatus.PENDING_REVIEW and cameo.portrait
    assert Notification.objects.filter(recipient=user, text__contains="moderator").exists()

    verification_review(attempt=stored, moderator=UserFactory(is_staff=True), approve=False,
                        note="the face is too small")  # fmt: skip
    assert Cameo.objects.get(pk=cameo_id).status == CameoStatus.REJECTED
    again = client.post(f"/api/v1/cameos/{cameo_id}/verification")
    assert again.status_code == 429 and int(again["Retry-After"]) > 0
    settings.CAMEO_RETRY_COOLDOWN = settings.CAMEO_RETRY_COOLDOWN * 0
    assert client.post(f"/api/v1/cameos/{cameo_id}/verification").status_code == 201


def test_deleting_a_cameo_deletes_its_verification_data(
    owner_api: tuple[Any, APIClient],
    private_dir: Path,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _, client = owner_api
    cameo_id, attempt = _start(client)
    clip = write_clip(tmp_path / "me.mp4", head_frames(320, 240, 4.0, 15, turn_yaw(())), fps=15)
    upload = SimpleUploadedFile("me.mp4", clip.read_bytes())
    client.post(f"/api/v1/verifications/{attempt['id']}", {"clip": upload}, format="multipart")
    verification_run_checks(attempt_id=attempt["id"])
    assert len(_private_files(private_dir, cameo_id)) == 2  # the recording and the portrait
    with django_capture_on_commit_callbacks(execute=True):  # files go once the rows are gone
        assert client.delete(f"/api/v1/cameos/{cameo_id}").status_code == 204
    assert not Cameo.objects.filter(pk=cameo_id).exists()
    assert _private_files(private_dir, cameo_id) == []


def test_failed_checks_allow_a_retry_after_a_short_cool_down_and_need_a_reason_to_approve(
    owner_api: tuple[Any, APIClient], private_dir: Path, tmp_path: Path, settings: Any
) -> None:
    """A silent recording fails badly: the person sees why and may record again after the
    short cool-down (the failed one leaves the queue); a moderator approving it anyway must
    type a reason."""
    _, client = owner_api
    cameo_id, attempt = _start(client)
    turns = tuple(attempt["challenge"]["turns"])
    frames = head_frames(320, 240, 5.0, 15, turn_yaw(turns, start=1.0))
    clip = write_clip(tmp_path / "mute.mp4", frames, fps=15)
    upload = SimpleUploadedFile("mute.mp4", clip.read_bytes())
    client.post(f"/api/v1/verifications/{attempt['id']}", {"clip": upload}, format="multipart")
    verification_run_checks(attempt_id=attempt["id"])
    body = client.get(f"/api/v1/verifications/{attempt['id']}").json()
    assert body["verdict"] == "fail" and body["checks"]["severe"] is True
    assert body["checks"]["checks"]["numbers_heard"]["detail"].startswith(
        "The recording has no sound"
    )
    assert body["retry_in"] > 0  # the short cool-down, shown on the page as a countdown

    stored = VerificationAttempt.objects.get(pk=attempt["id"])
    moderator = UserFactory(is_staff=True)
    with pytest.raises(DomainError) as refused:
        verification_review(attempt=stored, moderator=moderator, approve=True, note="ok")
    assert refused.value.code == "reason_required"
    assert Cameo.objects.get(pk=cameo_id).status == CameoStatus.PENDING_REVIEW

    again = client.post(f"/api/v1/cameos/{cameo_id}/verification")
    assert again.status_code == 429 and int(again["Retry-After"]) > 0
    settings.CAMEO_RECHECK_COOLDOWN = settings.CAMEO_RECHECK_COOLDOWN * 0
    assert client.get(f"/api/v1/verifications/{attempt['id']}").json()["retry_in"] == 0
    fresh = client.post(f"/api/v1/cameos/{cameo_id}/verification")
    assert fresh.status_code == 201
    stored.refresh_from_db()
    assert stored.status == "rejected" and stored.review_note == "Replaced by a new recording."
    assert Cameo.objects.get(pk=cameo_id).status == CameoStatus.DRAFT

    # The same rule, a reason typed: approved.
    other_user, other = UserFactory(), APIClient()
    other.force_authenticate(other_user)
    other_cameo, other_attempt = _start(other)
    upload = SimpleUploadedFile("mute.mp4", clip.read_bytes())
    other.post(f"/api/v1/verifications/{other_attempt['id']}", {"clip": upload},
               format="multipart")  # fmt: skip
    verification_run_checks(attempt_id=other_attempt["id"])
    pending = VerificationAttempt.objects.get(pk=other_attempt["id"])
    verification_review(attempt=pending, moderator=moderator, approve=True,
                        note="Known person, microphone broken; checked by video call.")  # fmt: skip
    assert Cameo.objects.get(pk=other_cameo).status == CameoStatus.APPROVED
