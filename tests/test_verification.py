"""Cameo verification checks on real encoded clips (H.264 MP4, VP8/VP9 WebM) made from
skimage's astronaut photo; see tests/verification_clips.py for how head turns are simulated."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from skimage import data

from likeness.verification import (
    NOT_A_VIDEO,
    Challenge,
    CheckReport,
    UploadRejected,
    _analyse,
    _find_profiles,
    _Sample,
    challenge_text,
    check_clip,
    new_challenge,
    probe_upload,
)
from tests import verification_clips as clips

W, H, FPS = 640, 360, 10
LEFT_RIGHT = Challenge(numbers=(12, 47, 83), turns=("left", "right"))
RIGHT_LEFT = Challenge(numbers=(31, 58, 90), turns=("right", "left"))


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("verification-clips")


@pytest.fixture(scope="module")
def make(clip_dir: Path) -> Callable[..., Path]:
    """Encode a clip once per module: make(name, frames, **write_clip options)."""
    made: dict[str, Path] = {}

    def build(name: str, frames: Callable[[], Iterator[np.ndarray]], **options: object) -> Path:
        if name not in made:
            made[name] = clips.write_clip(clip_dir / name, frames(), fps=FPS, **options)
        return made[name]

    return build


def turning(challenge: Challenge, seconds: float = 7.0, **options: object) -> Callable:
    return lambda: clips.head_frames(
        W, H, seconds, FPS, clips.turn_yaw(challenge.turns), sway_px=2, **options
    )


def still_vp9(make: Callable[..., Path]) -> Path:
    """The face never moves: 4 s of VP9 WebM, as Chromium records with codecs=vp9."""
    frames = lambda: clips.head_frames(W, H, 4, FPS, lambda t: 0.0)  # noqa: E731
    return make("still.webm", frames, codec="libvpx-vp9", live=True)


# These clips are silent on purpose: they test the picture. The sound track's checks (the
# numbers heard, and when) are tested on clips with a voice in tests/test_liveness.py.
SOUND_CHECKS = {"numbers_heard"}


def failed(report: CheckReport) -> set[str]:
    return {check.name for check in report.checks if not check.passed} - SOUND_CHECKS


def has_face(jpeg: bytes) -> bool:
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    return len(cascade.detectMultiScale(cv2.equalizeHist(image), 1.1, 5)) > 0


# --- Challenges ----------------------------------------------------------------------------


def test_new_challenge_is_random_two_digit_numbers_and_a_turn_order() -> None:
    seen_orders = set()
    for seed in range(20):
        challenge = new_challenge(random.Random(seed))
        assert challenge == new_challenge(random.Random(seed))
        assert len(set(challenge.numbers)) == 3
        assert all(10 <= n <= 99 for n in challenge.numbers)
        assert challenge.turns in {("left", "right"), ("right", "left")}
        seen_orders.add(challenge.turns)
    assert len(seen_orders) == 2
    assert new_challenge() != new_challenge()  # SystemRandom by default


def test_challenge_text_and_round_trip() -> None:
    text = challenge_text(LEFT_RIGHT)
    assert "12, 47, 83" in text
    assert "turn your head to your left, then to your right" in text
    stored = json.loads(json.dumps(LEFT_RIGHT.as_dict()))
    assert Challenge.from_dict(stored) == LEFT_RIGHT


# --- Uploads -------------------------------------------------------------------------------


def test_mp4_h264_probe(make: Callable[..., Path]) -> None:
    info = probe_upload(make("good.mp4", turning(LEFT_RIGHT)))
    assert info.codec == "h264" and info.has_video
    assert (info.width, info.height) == (W, H)
    assert info.duration == pytest.approx(7.0, abs=0.05)
    assert info.frame_count == 70


def test_mediarecorder_style_webm_without_duration_gets_the_right_one(
    make: Callable[..., Path],
) -> None:
    path = make("good.webm", turning(RIGHT_LEFT), live=True)
    with av.open(str(path)) as container:  # what a browser's MediaRecorder writes, too
        assert container.duration is None
        assert container.streams.video[0].duration is None
    info = probe_upload(path)
    assert info.codec == "vp8"
    assert info.duration == pytest.approx(7.0, abs=0.05)


def test_vp9_webm_probe(make: Callable[..., Path]) -> None:
    path = still_vp9(make)
    info = probe_upload(path)
    assert info.codec == "vp9"
    assert info.duration == pytest.approx(4.0, abs=0.05)


@pytest.mark.parametrize(("seconds", "accepted"), [(2, False), (3, True), (20, True), (25, False)])
def test_probe_checks_the_length(clip_dir: Path, seconds: int, accepted: bool) -> None:
    frames = clips.object_frames(160, 96, seconds, 5)
    path = clips.write_clip(clip_dir / f"{seconds}s.mp4", frames, fps=5)
    if accepted:
        assert probe_upload(path).duration == pytest.approx(seconds, abs=0.05)
    else:
        with pytest.raises(UploadRejected) as rejected:
            probe_upload(path)
        assert rejected.value.message == (
            f"The clip is {seconds:.1f} s long; record 3 to 20 seconds."
        )


def _audio_only(path: Path) -> None:
    with av.open(str(path), mode="w", format="webm") as out:
        stream = out.add_stream("libopus", rate=48000)
        for i in range(50):
            frame = av.AudioFrame.from_ndarray(
                np.zeros((1, 960), dtype=np.float32), format="flt", layout="mono"
            )
            frame.sample_rate, frame.pts = 48000, i * 960
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


@pytest.mark.parametrize(
    "content",
    [
        "text",
        "random",
        "ebml-garbage",
        "png",
        "playlist",
        "empty",
        "audio-only",
    ],
)
def test_not_a_video_is_rejected(tmp_path: Path, content: str) -> None:
    path = tmp_path / "upload.webm"
    rng = np.random.default_rng(1)
    if content == "text":
        path.write_text("Hello, this is my cameo!\n" * 200)
    elif content == "random":
        path.write_bytes(rng.bytes(200_000))
    elif content == "ebml-garbage":
        path.write_bytes(b"\x1a\x45\xdf\xa3" + rng.bytes(200_000))
    elif content == "png":
        path.write_bytes(cv2.imencode(".png", data.astronaut())[1].tobytes())
    elif content == "playlist":  # an HLS playlist would make FFmpeg fetch other files
        path.write_text("#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n")
    elif content == "empty":
        path.write_bytes(b"")
    else:
        _audio_only(path)
    with pytest.raises(UploadRejected) as rejected:
        probe_upload(path)
    assert rejected.value.message == NOT_A_VIDEO


def test_too_big_is_rejected_before_reading(tmp_path: Path, make: Callable[..., Path]) -> None:
    big = tmp_path / "big.mp4"
    with open(big, "wb") as handle:
        handle.truncate(51 * 1024**2)  # sparse: nothing to write
    with pytest.raises(UploadRejected, match=r"The file is 51 MB; the limit is 50 MB\."):
        probe_upload(big)
    with pytest.raises(UploadRejected, match="limit"):
        probe_upload(make("good.mp4", turning(LEFT_RIGHT)), max_bytes=1024)


# --- People --------------------------------------------------------------------------------


def test_good_mp4_passes_with_a_portrait(make: Callable[..., Path]) -> None:
    report = check_clip(make("good.mp4", turning(LEFT_RIGHT)), challenge=LEFT_RIGHT, kind="person")
    assert not failed(report), report.reasons
    assert report.turns_seen == ("left", "right")
    assert 24 <= report.frames_sampled <= 40
    summary = json.loads(json.dumps(report.as_dict()))
    assert summary["has_portrait"] is True
    assert set(summary["checks"]) == {
        "face_present",
        "one_person",
        "head_turns",
        "sharpness",
        "lighting",
        "numbers_heard",
    }
    assert summary["checks"]["numbers_heard"]["verdict"] == "fail"  # no sound track
    assert summary["checks"]["face_present"]["value"] >= 0.7
    assert "portrait" not in json.dumps(summary["checks"])
    assert report.portrait_jpeg is not None and report.portrait_jpeg[:2] == b"\xff\xd8"
    portrait = cv2.imdecode(np.frombuffer(report.portrait_jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert portrait.shape[0] == portrait.shape[1] >= 100
    assert has_face(report.portrait_jpeg)


def test_good_webm_passes(make: Callable[..., Path]) -> None:
    path = make("good.webm", turning(RIGHT_LEFT), live=True)
    report = check_clip(path, challenge=RIGHT_LEFT, kind="person")
    assert not failed(report), report.reasons
    assert report.turns_seen == ("right", "left")
    assert report.portrait_jpeg is not None and has_face(report.portrait_jpeg)


def test_turns_in_the_wrong_order_fail(make: Callable[..., Path]) -> None:
    path = make("good.mp4", turning(LEFT_RIGHT))
    report = check_clip(path, challenge=RIGHT_LEFT, kind="person")
    assert failed(report) == {"head_turns"}
    assert report.check("head_turns").detail == (
        "The clip shows a turn to your left, then to your right, but the challenge asked for "
        "a turn to your right, then to your left."
    )
    # A recording flipped before encoding (like a selfie preview) swaps left and right.
    assert not failed(check_clip(path, challenge=RIGHT_LEFT, kind="person", mirrored=True))


def test_still_face_fails_head_turns(make: Callable[..., Path]) -> None:
    path = still_vp9(make)
    report = check_clip(path, challenge=LEFT_RIGHT, kind="person")
    assert failed(report) == {"head_turns"}
    check = report.check("head_turns")
    assert check.value == 0
    assert check.detail.startswith("Your face stayed still")
    assert report.portrait_jpeg is not None


def test_no_face_fails_face_present(make: Callable[..., Path]) -> None:
    path = make("landscape.mp4", lambda: clips.landscape_frames(W, H, 4, FPS))
    report = check_clip(path, challenge=LEFT_RIGHT, kind="person")
    face = report.check("face_present")
    assert not face.passed and face.value < 0.7
    assert "A face was visible in only" in face.detail
    assert "head_turns" in failed(report)
    assert report.portrait_jpeg is None


def test_two_people_fail_one_person(make: Callable[..., Path]) -> None:
    path = make("two.mp4", turning(LEFT_RIGHT, heads=2))
    report = check_clip(path, challenge=LEFT_RIGHT, kind="person")
    assert "one_person" in failed(report)
    assert report.check("one_person").value > 0.1
    assert "record alone" in report.check("one_person").detail
    assert report.check("face_present").passed


def test_dark_clip_fails_lighting(make: Callable[..., Path]) -> None:
    path = make("dark.mp4", lambda: clips.darken(turning(LEFT_RIGHT)(), 0.15))
    report = check_clip(path, challenge=LEFT_RIGHT, kind="person")
    lighting = report.check("lighting")
    assert not lighting.passed and lighting.value < 40
    assert "too dark" in lighting.detail
    assert report.check("face_present").passed  # found in the dark, then judged too dark


def test_blurred_clip_fails_sharpness(make: Callable[..., Path]) -> None:
    path = make("blurred.mp4", lambda: clips.blur(turning(LEFT_RIGHT)(), 3.0))
    report = check_clip(path, challenge=LEFT_RIGHT, kind="person")
    assert failed(report) == {"sharpness"}
    assert "too blurry" in report.check("sharpness").detail


def test_wide_turns_past_the_frontal_cascade_still_count(make: Callable[..., Path]) -> None:
    """Turned 75 degrees, the face is lost at the peak of each turn; the frames on either
    side of the gap show which way it went."""
    yaw = clips.turn_yaw(RIGHT_LEFT.turns, peak=75.0)
    path = make("wide.mp4", lambda: clips.head_frames(W, H, 7, FPS, yaw))
    report = check_clip(path, challenge=RIGHT_LEFT, kind="person")
    assert report.check("head_turns").passed, report.reasons
    assert report.turns_seen == ("right", "left")
    assert report.check("face_present").value < 1.0  # the peaks really were lost


def test_profile_cascade_direction_on_a_real_profile() -> None:
    """skimage's cameraman looks towards image right: seen by the camera, that is a person
    turned to THEIR left; the mirror image is a turn to their right."""
    photo = data.camera()
    for image, expected in ((photo, "left"), (np.ascontiguousarray(photo[:, ::-1]), "right")):
        head = _Sample(0, 0.0, [(185, 111, 82, 82)], 100.0, 100.0, 50.0, 0.1)  # where he was
        turned = _analyse(image, 1, 0.5, "person")
        assert turned.faces == []  # too far turned for the frontal cascade
        _find_profiles([head, turned])
        assert turned.profile == expected


# --- Characters ----------------------------------------------------------------------------


def test_character_clip_passes_as_character_but_not_as_person(make: Callable[..., Path]) -> None:
    path = make("ball.webm", lambda: clips.object_frames(W, H, 4, FPS))
    report = check_clip(path, challenge=LEFT_RIGHT, kind="character")
    assert report.passed, report.reasons
    assert [check.name for check in report.checks] == ["subject_present", "sharpness", "lighting"]
    assert report.portrait_jpeg is not None
    portrait = cv2.imdecode(np.frombuffer(report.portrait_jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert portrait.shape[:2] == (H, H)  # the centre square of the sharpest frame

    as_person = check_clip(path, challenge=LEFT_RIGHT, kind="person")
    assert failed(as_person)
    assert {"face_present", "head_turns"} <= failed(as_person)


def test_blank_character_clip_fails(make: Callable[..., Path]) -> None:
    path = make("black.mp4", lambda: (np.zeros((H, W, 3), np.uint8) for _ in range(40)))
    report = check_clip(path, challenge=LEFT_RIGHT, kind="character")
    assert {"subject_present", "lighting"} <= failed(report)


def test_unknown_kind(make: Callable[..., Path]) -> None:
    with pytest.raises(ValueError, match="kind"):
        check_clip(make("good.mp4", turning(LEFT_RIGHT)), challenge=LEFT_RIGHT, kind="pet")  # type: ignore[arg-type]
