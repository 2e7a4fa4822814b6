"""Output moderation: the real NudeNet model on real frames, frames sampled at least once a
second (first and last included), a job held end to end on a real detection (credits released,
creator told, file never served), and the flagged-output queue (release, confirm)."""

from __future__ import annotations

import io
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image
from rest_framework.test import APIClient
from skimage import data

from accounts.models import Notification, NotificationKind
from config.storage import private_storage
from credits.services import balance_for, credits_adjust
from generation import attempts, tasks
from generation import services as generation_services
from generation.backends import reset_backend_instances
from generation.models import GenerationJob, JobStatus
from generation.renderer import RenderSpec, render_clip
from generation.routing import routing_snapshot_invalidate
from likeness.models import Cameo
from moderation import detector, services
from moderation.checks import output_moderation_settings
from moderation.models import FlaggedOutput, FlagStatus
from tests.factories import UserFactory
from tests.fakes import replicate as fake_module
from tests.fakes.replicate import REPLICATE_TEST_TOKEN, FakeReplicate

URL = "/api/v1/generations"
# What the astronaut photo's face (a real photo shipped with scikit-image) gives the model.
FACE = "FACE_FEMALE"


def face_crop() -> np.ndarray:
    return data.astronaut()[0:300, 100:400]


# ---------------------------------------------------------------------------------------------
# The detector
# ---------------------------------------------------------------------------------------------


def test_the_real_model_finds_the_astronauts_face_as_nudenet_does() -> None:
    from nudenet import NudeDetector

    ours = detector.detect(data.astronaut())
    assert [d.label for d in ours] == [FACE]
    assert 0.6 < ours[0].score <= 1.0
    x, y, w, h = ours[0].box
    assert 150 < x < 200 and 60 < y < 110 and 80 < w < 130 and 80 < h < 130  # where the face is
    # NudeNet's own API on the same photo (it takes any array as given) agrees with us.
    theirs = NudeDetector().detect(np.ascontiguousarray(data.astronaut()))
    assert [d["class"] for d in theirs] == [FACE]
    assert abs(theirs[0]["score"] - ours[0].score) < 0.05
    assert detector.session() is detector.session()  # loaded once per process


def test_a_blank_frame_has_no_findings() -> None:
    assert detector.detect(np.full((1280, 720, 3), 128, np.uint8)) == []


def _encode(path: Path, frames: int, fps: int, keyint: int) -> None:
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 360, 640, "yuv420p"
        stream.codec_context.options = {"preset": "ultrafast", "x264-params": f"keyint={keyint}"}
        for i in range(frames):
            image = np.full((640, 360, 3), (i * 7) % 255, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


@pytest.mark.parametrize("keyint", [30, 250])  # keyframes only + the last second / every frame
def test_frames_are_sampled_every_second_with_the_first_and_last(
    tmp_path: Path, keyint: int
) -> None:
    clip = tmp_path / "clip.mp4"
    _encode(clip, frames=95, fps=30, keyint=keyint)  # 3.17 s
    frames = detector.sample_frames(clip)
    times = [f.at_seconds for f in frames]
    assert times[0] == 0 and times[-1] == pytest.approx(94 / 30, abs=0.01)
    assert max(np.diff(times)) <= 1.0 + 1e-3
    assert times == pytest.approx([0, 1, 2, 3, 94 / 30], abs=0.01)
    assert frames[0].image.shape == (320, 180, 3)  # straight to the model's size
    # The frame content is the frame at that time (its grey level encodes its index).
    assert abs(int(frames[1].image.mean()) - (30 * 7) % 255) <= 3


def test_an_undecodable_file_fails_closed(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video" * 100)
    with pytest.raises(detector.ModerationUnavailable):
        detector.scan_clip(junk)


def test_a_rendered_clip_with_a_face_shows_the_face_and_no_blocking_class(tmp_path: Path) -> None:
    spec = RenderSpec(prompt="@ada dancing on a beach", seconds=2, seed=7, aspect="9:16", fps=30,
                      creator_handle="t", portrait=face_crop())  # fmt: skip
    render_clip(spec, video_path=tmp_path / "c.mp4", poster_path=tmp_path / "c.jpg", threads=1)
    verdict = services.clip_judge(path=tmp_path / "c.mp4")
    assert len(verdict.frames) == 3 and not verdict.flagged  # default classes: nudity only
    assert any(d.label == FACE for f in verdict.frames for d in f.detections)


def test_blocking_classes_and_thresholds_come_from_settings(settings: Any) -> None:
    settings.OUTPUT_MODERATION_BLOCK_CLASSES = ["face_female:0.3", "ANUS_EXPOSED"]
    settings.OUTPUT_MODERATION_THRESHOLD = 0.7
    assert services.blocking_rules() == {"FACE_FEMALE": 0.3, "ANUS_EXPOSED": 0.7}
    assert output_moderation_settings() == []
    settings.OUTPUT_MODERATION_BLOCK_CLASSES = ["NOT_A_CLASS", "ANUS_EXPOSED:0.01"]
    with pytest.raises(services.DomainError):
        services.blocking_rules()
    assert [e.id for e in output_moderation_settings()] == ["moderation.E002", "moderation.E003"]


# ---------------------------------------------------------------------------------------------
# End to end: a job held on a real detection, and the moderators' queue
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def moderator(db: None) -> Any:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def faces_block(settings: Any) -> None:
    # A class the rendered frames really produce (the cameo's face), so the block is a real
    # detection by the real model, not a stub.
    settings.OUTPUT_MODERATION_BLOCK_CLASSES = [f"{FACE}:0.3"]


def _held_job(creator: Any) -> GenerationJob:
    owner = UserFactory()
    portrait = io.BytesIO()
    Image.fromarray(face_crop()).save(portrait, "JPEG")
    name = private_storage().save(f"portraits/{owner.pk}.jpg", io.BytesIO(portrait.getvalue()))
    Cameo.objects.create(owner=owner, handle=owner.username, status="approved",
                         permission="everyone", portrait=name)  # fmt: skip
    api = APIClient()
    api.force_authenticate(creator)
    response = api.post(URL, {"prompt": f"@{owner.username} dancing", "seconds": 2}, format="json")
    assert response.status_code == 201, response.content
    return GenerationJob.objects.get(pk=response.json()["id"])


@pytest.mark.django_db
def test_a_flagged_clip_is_held_released_and_never_served(
    faces_block: None, moderator: Any, media_dirs: dict[str, Path]
) -> None:
    creator = UserFactory()
    before = balance_for(user=creator).available
    job = _held_job(creator)
    assert balance_for(user=creator).available < before  # the hold
    # Twice: a redelivered task changes nothing.
    assert tasks.run_job.apply(args=[str(job.pk)]).get() == JobStatus.BLOCKED
    assert tasks.run_job.apply(args=[str(job.pk)]).get() == JobStatus.BLOCKED
    job.refresh_from_db()
    assert job.status == JobStatus.BLOCKED and job.blocked_reason_code == "output_flagged"
    assert "a face" in job.error and "not charged" in job.error  # told why, without the clip
    assert not job.video_file and not job.poster_file
    assert balance_for(user=creator).available == before and job.charged_credits == 0

    flagged = FlaggedOutput.objects.get(job=job)
    assert flagged.status == FlagStatus.PENDING and flagged.top_label == FACE
    assert flagged.frames_sampled == 3 and flagged.frames.filter(blocking=True).exists()
    assert private_storage().exists(flagged.video_file.name)

    # The creator can't reach the file: no URL in the API, the draft URL is a 404.
    owner_api = APIClient()
    owner_api.force_authenticate(creator)
    body = owner_api.get(f"{URL}/{job.pk}").json()
    assert body["status"] == "blocked" and body["video_url"] is None and "a face" in body["error"]
    page = Client()
    page.force_login(creator)
    assert page.get(f"/drafts/{job.pk}/clip.mp4").status_code == 404
    drafts = page.get("/drafts/").content.decode()
    # The why, not the clip: no media URL of that job (its delete form is fine).
    assert "a face" in drafts
    assert not re.search(rf"/drafts/{job.pk}/(?!delete/)", drafts)
    frame = flagged.frames.first()
    file_url = f"/admin/moderation/flaggedoutput/{flagged.pk}/file/frame-{frame.pk}"
    assert page.get(file_url).status_code in (302, 404)  # not staff: to the admin log-in

    # The moderators' queue: the row, its frames (small JPEGs), the clip.
    desk = Client()
    desk.force_login(moderator)
    queue = desk.get("/admin/moderation/flaggedoutput/").content.decode()
    assert "dancing" in queue and f"frame-{frame.pk}" in queue and 'style="' not in queue
    image = desk.get(file_url)
    assert image.status_code == 200
    thumb = Image.open(io.BytesIO(b"".join(image.streaming_content)))
    assert max(thumb.size) == 320
    assert desk.get(f"/admin/moderation/flaggedoutput/{flagged.pk}/change/").status_code == 200
    assert desk.get(f"/admin/moderation/flaggedoutput/{flagged.pk}/file/clip").status_code == 200

    # Release: the draft appears (free), the creator is told.
    response = desk.post(
        "/admin/moderation/flaggedoutput/",
        {"action": "release", "_selected_action": [flagged.pk], "reason": "A face is fine."},
    )
    assert response.status_code == 302
    flagged.refresh_from_db()
    job.refresh_from_db()
    assert flagged.status == FlagStatus.RELEASED and flagged.decided_by == moderator
    assert job.status == JobStatus.SUCCEEDED and job.error == "" and job.charged_credits == 0
    assert job.width == 720 and job.duration == 2.0
    assert page.get(f"/drafts/{job.pk}/clip.mp4").status_code == 200
    assert balance_for(user=creator).available == before
    told = Notification.objects.get(recipient=creator, kind=NotificationKind.MODERATION)
    assert "released" in told.text
    # Releasing twice does nothing more.
    services.flagged_output_release(flagged_id=flagged.pk, moderator=moderator)
    assert Notification.objects.filter(recipient=creator).count() == 1


@pytest.mark.django_db
def test_a_confirmed_clip_stays_blocked_with_its_files_kept(
    faces_block: None, moderator: Any
) -> None:
    creator = UserFactory()
    job = _held_job(creator)
    assert tasks.run_job.apply(args=[str(job.pk)]).get() == JobStatus.BLOCKED
    flagged = FlaggedOutput.objects.get(job=job)
    desk = Client()
    desk.force_login(moderator)
    # A confirmation needs a reason.
    queue = "/admin/moderation/flaggedoutput/"
    desk.post(queue, {"action": "confirm", "_selected_action": [flagged.pk], "reason": ""})
    flagged.refresh_from_db()
    assert flagged.status == FlagStatus.PENDING
    desk.post(queue, {"action": "confirm", "_selected_action": [flagged.pk], "reason": "Nudity."})
    flagged.refresh_from_db()
    job.refresh_from_db()
    assert flagged.status == FlagStatus.CONFIRMED and job.status == JobStatus.BLOCKED
    assert private_storage().exists(flagged.video_file.name)  # kept for the record
    told = Notification.objects.get(recipient=creator, kind=NotificationKind.MODERATION)
    assert "Nudity." in told.text
    # Decided: it can't be released any more, and staff outside the group can't act.
    with pytest.raises(services.Conflict):
        services.flagged_output_release(flagged_id=flagged.pk, moderator=moderator)
    staff = UserFactory(is_staff=True)
    with pytest.raises(services.DomainError):
        services.flagged_output_confirm(flagged_id=flagged.pk, moderator=staff, reason="x")


@pytest.mark.django_db
def test_clean_clips_pass_through_untouched() -> None:
    creator = UserFactory()
    api = APIClient()
    api.force_authenticate(creator)
    response = api.post(URL, {"prompt": "a fox in the snow", "seconds": 1}, format="json")
    job_id = response.json()["id"]
    assert tasks.run_job.apply(args=[job_id]).get() == JobStatus.SUCCEEDED
    assert not FlaggedOutput.objects.exists()


def _face_mp4(seconds: int = 4, fps: int = 24) -> bytes:
    """What a provider might send back: a clip whose frames show the astronaut's face."""
    buffer = io.BytesIO()
    face = np.asarray(Image.fromarray(face_crop()).resize((300, 300)))
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 360, 640, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for index in range(seconds * fps):
            image = np.full((640, 360, 3), 40, np.uint8)
            top = 100 + index % 50
            image[top : top + 300, 30:330] = face
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_providers_clip_is_judged_too(
    faces_block: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.setattr(fake_module, "sample_mp4", _face_mp4)  # the provider's clip has a face
    with FakeReplicate() as fake:
        monkeypatch.setenv("REPLICATE_API_TOKEN", REPLICATE_TEST_TOKEN)
        monkeypatch.setenv("REPLICATE_BASE_URL", fake.url)
        settings.GENERATION_BACKENDS = [
            "generation.backends.local.LocalRendererBackend",
            "generation.backends.replicate.ReplicateBackend",
        ]
        reset_backend_instances()
        routing_snapshot_invalidate()
        try:
            creator = UserFactory()
            credits_adjust(user=creator, amount=5000, reason="test budget", actor=None)
            before = balance_for(user=creator).available
            request = generation_services.JobRequest(
                prompt="a portrait", seconds=4, policy="pinned:replicate"
            )
            job = generation_services.job_create(owner=creator, request=request)[0]
            generation_services.job_run(job_id=job.pk)
            attempt = job.backend_attempts.get()
            for _ in range(20):
                attempts.attempt_poll(attempt_id=attempt.pk, token=None)
                job.refresh_from_db()
                if job.is_final:
                    break
        finally:
            reset_backend_instances()
    assert job.status == JobStatus.BLOCKED and job.blocked_reason_code == "output_flagged"
    assert not job.video_file and balance_for(user=creator).available == before
    flagged = FlaggedOutput.objects.get(job=job)
    assert flagged.clip_info["backend"] == "replicate" and flagged.frames_sampled == 5


@pytest.mark.django_db
def test_the_flagged_queue_costs_the_same_queries_for_one_and_twenty(moderator: Any) -> None:
    desk = Client()
    desk.force_login(moderator)

    def flag() -> None:
        job = GenerationJob.objects.create(owner=UserFactory(), prompt="p", seconds=1, seed=1,
                                           status=JobStatus.BLOCKED)  # fmt: skip
        flagged = FlaggedOutput.objects.create(job=job, top_label=FACE, top_score=0.9,
                                               top_at_seconds=0, frames_sampled=2)  # fmt: skip
        for index in range(2):
            flagged.frames.create(index=index, at_seconds=index, image=f"f/{job.pk}/{index}.jpg",
                                  detections=[{"label": FACE, "score": 0.9, "box": [0, 0, 1, 1]}],
                                  blocking=bool(index))  # fmt: skip

    def page_queries() -> int:
        desk.get("/admin/moderation/flaggedoutput/")
        with CaptureQueriesContext(connection) as queries:
            assert desk.get("/admin/moderation/flaggedoutput/").status_code == 200
        return len(queries)

    flag()
    one = page_queries()
    for _ in range(19):
        flag()
    assert page_queries() == one
