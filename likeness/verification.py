"""Automatic checks of a cameo verification recording (pure functions, no Django models).

Flow: the page shows a fresh `Challenge` (three numbers to read aloud, then head turns), the
browser records a 3-20 s clip, the upload view calls `probe_upload` (which really decodes the
file and rejects it with `UploadRejected` before anything is stored), and a worker runs
`check_clip`, which returns a JSON-serialisable `CheckReport` plus a reference portrait.

Direction convention: "left" is always the PERSON's own left. Browsers record the camera
image as the camera sees it (the mirrored preview is only a CSS transform), so a person
facing the camera has their left on the image's right: turning to their left moves the face
towards image right and points the nose to image right. Pass `mirrored=True` to
`check_clip` for a recording that was flipped before encoding.

Head-turn heuristic (liveness): every sampled frame gets a state, "centre", "left" or
"right". While the frontal cascade still finds the face, the state comes from how far the
face centre has moved sideways from the clip's median frontal position, in face widths (a
real turn swings the face about the neck, so it moves as well as turning). When the face has
turned too far for the frontal cascade, OpenCV's profile cascade takes over, searched only
around where the face was: it only knows faces whose nose points to image left, so it runs
on that area and on its mirror image. A short gap with no face at all right next to a turned
frame continues that turn. The requested turns must then appear in order, each in at least
two sampled frames; a face that never moves fails.

Liveness (people): the sound track is listened to offline (`likeness.speech`): the three
numbers must be heard in order (all three: pass; two: uncertain; fewer, silence or no sound:
fail), and while a face is in the picture (each heard number's time span against the sampled
frames where the face check found one). The numbers are random per challenge, so a recording
made before the challenge was shown cannot contain them; a creation time written in the
container earlier than the challenge fails as well.

Limits: the head turns are a heuristic against still photos and replays that ignore the
challenge, not a proof of liveness (a photo slid sideways imitates the frontal cue); a replay
with the right numbers dubbed over a live-looking face is left to the moderator.
"""

from __future__ import annotations

import heapq
import os
import random
import statistics
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import cv2
import numpy as np
from django.utils.translation import gettext as _

from config.uploads import MAX_VIDEO_SIDE, VIDEO_DECODER_OPTIONS, video_size_refusal
from likeness import speech

Kind = Literal["person", "character"]
Turn = Literal["left", "right"]
State = Literal["centre", "left", "right"]

MAX_BYTES = 50 * 1024**2
MIN_SECONDS = 3.0
MAX_SECONDS = 20.0
MAX_SIDE = MAX_VIDEO_SIDE  # larger frames are not a webcam recording, and cost too much to decode
MAX_PACKETS = 20_000  # a 20 s clip at 240 fps is 4,800; more is a crafted file

# Sampling and detection.
MIN_SAMPLES, MAX_SAMPLES, SAMPLES_PER_SECOND = 24, 40, 3.0
DETECT_LONG_SIDE = 320  # cascades run on a small copy: fast, and faces fill a selfie
MIN_FACE_FRACTION = 0.12  # of the short side: smaller "faces" are background false positives

# Thresholds (see the report for what each check measured).
FACE_PRESENT_MIN = 0.70  # share of sampled frames with a face
FACE_PRESENT_SEVERE = 0.30  # below this, approving needs a moderator's typed reason
EXTRA_PEOPLE_MAX = 0.10  # share of frames that may show a second face (false positives)
SECOND_FACE_MIN_SIZE = 0.5  # a second face counts when at least half as wide as the first
TURN_OFFSET = 0.20  # sideways move of the face centre, in face widths, that counts as a turn
MIN_TURN_FRAMES = 2  # sampled frames a turn must show in, so one stray detection is no turn
SPOKEN_FACE_MARGIN = 0.2  # seconds around a heard number in which a sampled frame counts
CREATED_BEFORE_TOLERANCE = timedelta(minutes=2)  # clock drift between a phone and the server
MAX_LOST_TURN_SECONDS = 2.5  # a face lost next to a turned frame for this long is still turned
SHARPNESS_MIN_FACE = 20.0  # variance of the Laplacian of the face scaled to 128 x 128
SHARPNESS_MIN_SCENE = 30.0  # same, on the sharpest ninth of the frame scaled to 384 wide
BRIGHTNESS_RANGE = (40.0, 220.0)  # mean grey level of the face (or scene), 0-255
SUBJECT_MIN_STD = 8.0  # grey-level spread of a frame that is not blank
SUBJECT_MIN_EDGES = 0.004  # share of edge pixels of a frame that shows something

FACE_CROP = 128  # sharpness is measured at a fixed face size, so it does not depend on zoom
PORTRAIT_PAD = 0.4  # padding around the face box, per side, as a share of its width
PORTRAIT_MAX = 512
PORTRAIT_CANDIDATES = 6

NOT_A_VIDEO = "That file is not a video we can read."


class UploadRejected(Exception):
    """The upload is unusable; `message` is safe to show to the person who sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class VideoInfo:
    duration: float  # seconds, measured from the frames' timestamps when possible
    width: int
    height: int
    frame_count: int  # video packets in the file: exact for MP4/WebM, an estimate otherwise
    codec: str
    has_video: bool = True
    container: str = ""
    start: float = 0.0  # timestamp of the first frame, seconds
    created_at: datetime | None = None  # the container's creation_time tag, when it has one


# --- Uploads -------------------------------------------------------------------------------


def _sniff_format(path: Path) -> str | None:
    """The demuxer to use, from the file's magic bytes: only WebM/Matroska and MP4/MOV.

    Letting FFmpeg guess would also accept playlists (HLS, concat: they can open other files
    or URLs), images and "tty" text rendering, none of which is a recording.
    """
    with open(path, "rb") as handle:
        head = handle.read(12)
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    if len(head) >= 8 and head[4:8] in {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"}:
        return "mov"
    return None


def _open(path: Path) -> av.container.InputContainer:
    fmt = _sniff_format(path)
    if fmt is None:
        raise UploadRejected(NOT_A_VIDEO)
    try:
        # The decoder options also bound the frames FFmpeg decodes while probing the streams.
        return av.open(
            os.fspath(path),
            format=fmt,
            metadata_errors="ignore",
            stream_options=[VIDEO_DECODER_OPTIONS] * 8,
        )
    except (av.FFmpegError, ValueError, UnicodeDecodeError) as exc:
        raise UploadRejected(NOT_A_VIDEO) from exc


def _seconds(value: int | None, time_base: Fraction | None) -> float | None:
    if value is None or time_base is None:
        return None
    return float(value * time_base)


def _scan(path: Path) -> VideoInfo:
    """Open, demux every video packet (cheap: no decoding) and decode the first frame."""
    container = _open(path)
    try:
        if not container.streams.video:
            raise UploadRejected(NOT_A_VIDEO)
        stream = container.streams.video[0]
        # The header's frame size, before anything is decoded; the decoder refuses larger frames
        # than the header claimed (VIDEO_DECODER_OPTIONS), so a lying header gains nothing.
        width, height = stream.codec_context.width, stream.codec_context.height
        if not (width and height):
            # Probing could not size a frame within the decoder's pixel limit.
            raise UploadRejected(
                _("That video's frames are unreadable or over %(side)s pixels a side.")
                % {"side": MAX_SIDE}
            )
        refusal = video_size_refusal(width=width, height=height)
        if refusal:
            raise UploadRejected(refusal)
        stream.codec_context.options = dict(VIDEO_DECODER_OPTIONS)
        pts: list[int] = []
        ends: list[int] = []
        first_frame: av.VideoFrame | None = None
        count = 0
        try:
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                count += 1
                if count > MAX_PACKETS:
                    raise UploadRejected("That video has far too many frames for its length.")
                if packet.pts is not None:
                    pts.append(packet.pts)
                    ends.append(packet.pts + (packet.duration or 0))
                # Decoding until one frame comes out proves the stream is really a video.
                if first_frame is None:
                    for frame in packet.decode():
                        first_frame = frame
                        break
            if first_frame is None:
                for frame in stream.codec_context.decode(None):  # flush a delayed decoder
                    first_frame = frame
                    break
        except av.FFmpegError as exc:
            raise UploadRejected(NOT_A_VIDEO) from exc
        if first_frame is None or count < 2:
            raise UploadRejected(NOT_A_VIDEO)
        width, height = first_frame.width, first_frame.height
        refusal = video_size_refusal(width=width, height=height)
        if refusal:
            raise UploadRejected(refusal)
        duration, start = _duration(container, stream, pts, ends)
        return VideoInfo(
            created_at=_creation_time(container),
            duration=duration,
            width=width,
            height=height,
            frame_count=count,
            codec=stream.codec_context.name,
            container=container.format.name,
            start=start,
        )
    finally:
        container.close()


def _duration(
    container: av.container.InputContainer, stream: av.VideoStream, pts: list[int], ends: list[int]
) -> tuple[float, float]:
    """Duration and start, from the packets' timestamps when there are any.

    MediaRecorder's WebM has no duration in its header (it is written while recording), and
    a header can lie; the span of the frames' timestamps is what will actually play.
    """
    time_base = stream.time_base
    if pts and time_base is not None:
        first, last = min(pts), max(pts)
        ordered = sorted(set(pts))
        steps = [b - a for a, b in zip(ordered, ordered[1:], strict=False) if b > a]
        step = statistics.median(steps) if steps else 0
        # The last frame is shown for its own duration: the packet's, or a typical step.
        end = max(max(ends), last + step)
        return float((end - first) * time_base), float(first * time_base)
    header = _seconds(stream.duration, time_base)
    if header is None and container.duration is not None:
        header = container.duration / av.time_base
    if header is None:
        raise UploadRejected(NOT_A_VIDEO)
    return header, 0.0


def _creation_time(container: av.container.InputContainer) -> datetime | None:
    """The creation_time tag (MP4/MOV from phones and editors; browsers' WebM has none)."""
    tags = [container.metadata, *(s.metadata for s in container.streams)]
    for tag in tags:
        value = (tag or {}).get("creation_time")
        if not value:
            continue
        try:
            created = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        if created.year > 1970:  # an unset MP4 date is written as 1904 or 1970
            return created
    return None


def probe_upload(
    path: str | Path,
    *,
    max_bytes: int = MAX_BYTES,
    min_seconds: float = MIN_SECONDS,
    max_seconds: float = MAX_SECONDS,
) -> VideoInfo:
    """Validate an uploaded recording by really decoding it; raise `UploadRejected` if unusable.

    Accepts WebM (VP8/VP9, as browsers' MediaRecorder writes it, with or without a duration
    in the header) and MP4/MOV (H.264 and friends).
    """
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise UploadRejected(
            f"The file is {size / 1024**2:.0f} MB; the limit is {max_bytes / 1024**2:.0f} MB."
        )
    if size == 0:
        raise UploadRejected(NOT_A_VIDEO)
    info = _scan(path)
    # Round as shown, so "3.0 s" is never refused for being 2.996 s.
    shown = round(info.duration, 1)
    if not (min_seconds <= shown <= max_seconds):
        raise UploadRejected(
            f"The clip is {shown:.1f} s long; record {min_seconds:g} to {max_seconds:g} seconds."
        )
    return info


# --- Challenges ----------------------------------------------------------------------------

TURN_SEQUENCES: tuple[tuple[Turn, ...], ...] = (("left", "right"), ("right", "left"))


@dataclass(frozen=True)
class Challenge:
    numbers: tuple[int, int, int]
    turns: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"numbers": list(self.numbers), "turns": list(self.turns)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Challenge:
        a, b, c = (int(n) for n in data["numbers"])
        return cls(numbers=(a, b, c), turns=tuple(str(t) for t in data["turns"]))


def new_challenge(rng: random.Random | None = None) -> Challenge:
    """Three distinct two-digit numbers and a turn order, unpredictable by default."""
    rng = rng or random.SystemRandom()
    a, b, c = rng.sample(range(10, 100), 3)
    return Challenge(numbers=(a, b, c), turns=rng.choice(TURN_SEQUENCES))


def challenge_text(challenge: Challenge) -> str:
    numbers = ", ".join(str(n) for n in challenge.numbers)
    turns = ", then ".join(f"to your {turn}" for turn in challenge.turns)
    return (
        f"Look at the camera and read these numbers aloud: {numbers}. "
        f"Then turn your head {turns}, and back to the camera."
    )


# --- Reports -------------------------------------------------------------------------------


Verdict = Literal["pass", "uncertain", "fail"]


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    value: float
    detail: str
    uncertain: bool = False  # not passed, but not failed either: the moderator decides
    severe: bool = False  # failed badly: approving anyway needs a moderator's typed reason

    @property
    def verdict(self) -> Verdict:
        return "pass" if self.passed else "uncertain" if self.uncertain else "fail"

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "verdict": self.verdict,
            "severe": self.severe,
            "value": round(self.value, 3),
            "detail": self.detail,
        }


@dataclass
class CheckReport:
    kind: Kind
    checks: list[Check]
    duration: float
    frames_sampled: int
    turns_seen: tuple[str, ...] = ()
    portrait_jpeg: bytes | None = field(default=None, repr=False)
    # For the moderator: numbers heard, face presence and head position over time.
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def verdict(self) -> Verdict:
        if not self.checks or any(c.verdict == "fail" for c in self.checks):
            return "fail"
        return "uncertain" if any(c.verdict == "uncertain" for c in self.checks) else "pass"

    @property
    def severe(self) -> bool:
        return any(check.severe for check in self.checks)

    def check(self, name: str) -> Check:
        return next(check for check in self.checks if check.name == name)

    @property
    def reasons(self) -> list[str]:
        """What went wrong, in words for the person who recorded the clip."""
        return [check.detail for check in self.checks if not check.passed]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "passed": self.passed,
            "verdict": self.verdict,
            "severe": self.severe,
            "duration": round(self.duration, 2),
            "frames_sampled": self.frames_sampled,
            "turns_seen": list(self.turns_seen),
            "has_portrait": self.portrait_jpeg is not None,
            "checks": {check.name: check.as_dict() for check in self.checks},
            "evidence": self.evidence,
        }


# --- Frame analysis ------------------------------------------------------------------------

Box = tuple[int, int, int, int]  # x, y, w, h in full-resolution pixels

_local = threading.local()  # cascades are not safe to share between threads


def _cascades() -> tuple[cv2.CascadeClassifier, cv2.CascadeClassifier]:
    if not hasattr(_local, "cascades"):
        base = Path(cv2.data.haarcascades)
        frontal = cv2.CascadeClassifier(str(base / "haarcascade_frontalface_default.xml"))
        profile = cv2.CascadeClassifier(str(base / "haarcascade_profileface.xml"))
        if frontal.empty() or profile.empty():
            raise RuntimeError("OpenCV's Haar cascades are missing (opencv-python 4.x has them).")
        _local.cascades = (frontal, profile)
    return _local.cascades


@dataclass
class _Sample:
    """What one sampled frame showed."""

    index: int
    time: float
    faces: list[Box]  # frontal detections, largest first
    brightness: float  # of the face, or of the whole frame without one
    sharpness: float  # of the face, or of the sharpest tile without one
    std: float
    edges: float
    small: np.ndarray | None = field(default=None, repr=False)  # equalised, for the 2nd pass
    scale: float = 1.0  # small / full resolution
    profile: State | None = None  # from the profile cascade, on frames without a frontal face
    state: State | None = None


def _detect(
    small: np.ndarray,
    scale: float,
    cascade: cv2.CascadeClassifier,
    *,
    sizes: tuple[int, int] | None = None,
) -> list[Box]:
    """Faces found in `small`, scaled back to full-resolution pixels, largest first."""
    short = min(small.shape)
    low, high = sizes or (max(20, int(short * MIN_FACE_FRACTION)), short)
    high = min(high, short)
    if low > high:
        return []
    found = cascade.detectMultiScale(
        small, scaleFactor=1.15, minNeighbors=5, minSize=(low, low), maxSize=(high, high)
    )
    boxes: list[Box] = [
        (round(x / scale), round(y / scale), round(w / scale), round(h / scale))
        for x, y, w, h in found
    ]
    return sorted(boxes, key=lambda box: -box[2])


def _laplacian_var(gray: np.ndarray) -> float:
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


def _face_crop(gray: np.ndarray, box: Box) -> np.ndarray:
    x, y, w, h = box
    crop = gray[max(0, y) : y + h, max(0, x) : x + w]
    interpolation = cv2.INTER_AREA if w > FACE_CROP else cv2.INTER_LINEAR
    return cv2.resize(crop, (FACE_CROP, FACE_CROP), interpolation=interpolation)


def _sharpest_tile(gray: np.ndarray) -> float:
    """Focus measure of the most detailed part of the frame: where the subject is."""
    h, w = gray.shape
    width = 384
    small = cv2.resize(gray, (width, max(3, round(h * width / w))), interpolation=cv2.INTER_AREA)
    th, tw = small.shape[0] // 3, width // 3
    return max(
        _laplacian_var(small[r * th : (r + 1) * th, c * tw : (c + 1) * tw])
        for r in range(3)
        for c in range(3)
    )


def _oriented(frame: av.VideoFrame, image: np.ndarray, mirrored: bool) -> np.ndarray:
    """Apply the container's display rotation (phones record sideways) and un-mirror."""
    rotation = getattr(frame, "rotation", 0) or 0
    if rotation % 90 == 0 and rotation % 360:
        image = np.rot90(image, k=(rotation // 90) % 4)  # both counter-clockwise
    if mirrored:
        image = image[:, ::-1]
    return np.ascontiguousarray(image)


def _analyse(gray: np.ndarray, index: int, time: float, kind: Kind) -> _Sample:
    """First pass over one frame: frontal faces (people only), light, focus, content."""
    h, w = gray.shape
    scale = DETECT_LONG_SIDE / max(h, w)
    small = cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    std = float(small.std())
    edges = float(np.count_nonzero(cv2.Canny(small, 50, 150))) / small.size
    if kind != "person":
        return _Sample(index, time, [], float(small.mean()), _sharpest_tile(gray), std, edges)
    # Equalising lets the cascades find a face in a dim room; brightness is judged apart.
    equalised = cv2.equalizeHist(small)
    faces = _detect(equalised, scale, _cascades()[0])
    if faces:
        x, y, fw, fh = faces[0]
        brightness = float(gray[max(0, y) : y + fh, max(0, x) : x + fw].mean())
        sharpness = _laplacian_var(_face_crop(gray, faces[0]))
    else:
        brightness, sharpness = float(small.mean()), _sharpest_tile(gray)
    sample = _Sample(index, time, faces, brightness, sharpness, std, edges, equalised, scale)
    return sample


def _find_profiles(samples: list[_Sample]) -> None:
    """Second pass: look for a turned head where the frontal cascade lost the face.

    Only near where the frontal face usually is and at about its size: a turned head stays
    on its neck, and the narrow search keeps both the cost and false positives down. The
    profile cascade knows only faces whose nose points to image left (a person turned to
    THEIR right, unmirrored); its run on the mirrored crop catches turns to their left.
    """
    frontal = [s.faces[0] for s in samples if s.faces]
    if not frontal:
        return  # nobody to follow; a clip of profiles alone is no verification anyway
    cx = statistics.median(x + w / 2 for x, _, w, _ in frontal)
    cy = statistics.median(y + h / 2 for _, y, _, h in frontal)
    size = statistics.median(w for _, _, w, _ in frontal)
    profile = _cascades()[1]
    for sample in samples:
        if sample.faces or sample.small is None:
            continue
        s = sample.scale
        height, width = sample.small.shape
        left = max(0, int((cx - 2.0 * size) * s))
        right = min(width, int((cx + 2.0 * size) * s))
        top = max(0, int((cy - 1.5 * size) * s))
        bottom = min(height, int((cy + 1.5 * size) * s))
        roi = sample.small[top:bottom, left:right]
        if roi.size == 0:
            continue
        sizes = (max(20, int(0.6 * size * s)), int(1.5 * size * s))
        nose_left = _profile_support(roi, profile, sizes)
        nose_right = _profile_support(np.ascontiguousarray(roi[:, ::-1]), profile, sizes)
        # Image left is the person's right in an unmirrored recording. A tie says nothing.
        if nose_left > nose_right:
            sample.profile = "right"
        elif nose_right > nose_left:
            sample.profile = "left"


def _profile_support(
    image: np.ndarray, cascade: cv2.CascadeClassifier, sizes: tuple[int, int]
) -> int:
    """How many overlapping windows back the best profile face in `image` (0: none).

    Finer scale steps than for frontal faces, as the profile cascade is fragile; the small
    search area keeps that cheap. The count tells a real profile from a stray hit on the
    mirrored side.
    """
    low, high = sizes[0], min(sizes[1], *image.shape)
    if low > high:
        return 0
    _, counts = cascade.detectMultiScale2(
        image, scaleFactor=1.05, minNeighbors=4, minSize=(low, low), maxSize=(high, high)
    )
    return int(max(counts, default=0))


def _sample_frames(
    path: Path, info: VideoInfo, count: int, mirrored: bool
) -> Iterator[tuple[av.VideoFrame, np.ndarray, float]]:
    """Decode once, front to back, yielding the frames nearest `count` evenly spaced times.

    Seeking would skip work, but MediaRecorder's WebM has no seek index and few keyframes;
    decoding every frame of a clip of at most 20 s at webcam size takes well under a second.
    """
    step = info.duration / count
    targets = [info.start + (i + 0.5) * step for i in range(count)]
    fps_guess = info.frame_count / info.duration if info.duration > 0 else 30.0
    container = _open(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # frame threads: decoding is a large share of the time
        next_target = 0
        try:
            for decoded, frame in enumerate(container.decode(stream)):
                time = frame.time if frame.time is not None else decoded / fps_guess
                if time + 0.5 / fps_guess < targets[next_target]:
                    continue
                gray = _oriented(frame, frame.to_ndarray(format="gray"), mirrored)
                yield frame, gray, time
                while next_target < count and targets[next_target] <= time + 0.5 / fps_guess:
                    next_target += 1
                if next_target >= count or decoded > MAX_PACKETS:
                    break
        except av.FFmpegError as exc:
            raise UploadRejected(NOT_A_VIDEO) from exc
    finally:
        container.close()


def _portrait(frame: av.VideoFrame, box: Box | None, mirrored: bool) -> bytes | None:
    """A square JPEG around `box` (padded), or the frame's centre square without one."""
    rgb = _oriented(frame, frame.to_ndarray(format="rgb24"), mirrored)
    h, w = rgb.shape[:2]
    if box is None:
        side = min(h, w)
        cx, cy = w / 2, h / 2
    else:
        x, y, bw, bh = box
        side = min(round(bw * (1 + 2 * PORTRAIT_PAD)), h, w)
        cx, cy = x + bw / 2, y + bh / 2
    # Shift the square inside the frame rather than cut the face off at an edge.
    left = int(min(max(0, cx - side / 2), w - side))
    top = int(min(max(0, cy - side / 2), h - side))
    crop = rgb[top : top + side, left : left + side]
    if side > PORTRAIT_MAX:
        crop = cv2.resize(crop, (PORTRAIT_MAX, PORTRAIT_MAX), interpolation=cv2.INTER_AREA)
    ok, jpeg = cv2.imencode(
        ".jpg", cv2.cvtColor(crop, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90]
    )
    return jpeg.tobytes() if ok else None


# --- The checks ----------------------------------------------------------------------------


def _separate(a: Box, b: Box) -> bool:
    """Two boxes that do not overlap at all: two faces, not one detected twice."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay


def _assign_states(samples: list[_Sample]) -> None:
    """Label each sample centre/left/right (the person's left/right), or None without a face."""
    with_face = [s for s in samples if s.faces]
    if with_face:
        base_x = statistics.median(s.faces[0][0] + s.faces[0][2] / 2 for s in with_face)
        base_w = statistics.median(s.faces[0][2] for s in with_face)
    for sample in samples:
        if sample.faces:
            x, _, w, _ = sample.faces[0]
            # Image right is the person's left in an unmirrored recording.
            offset = (x + w / 2 - base_x) / base_w
            if offset >= TURN_OFFSET:
                sample.state = "left"
            elif offset <= -TURN_OFFSET:
                sample.state = "right"
            else:
                sample.state = "centre"
        else:
            sample.state = sample.profile
    _fill_lost_turns(samples)


def _fill_lost_turns(samples: list[_Sample]) -> None:
    """A face lost right after (or just before) a sideways move has most likely turned past
    what the frontal cascade sees: such a gap, if short, continues that turn.

    Without this a quick, wide turn that the profile cascade also misses leaves only one
    turned frame on each side of the gap, which is too few to count.
    """
    i = 0
    while i < len(samples):
        if samples[i].state is not None:
            i += 1
            continue
        j = i
        while j < len(samples) and samples[j].state is None:
            j += 1
        before = samples[i - 1] if i > 0 else None
        after = samples[j] if j < len(samples) else None
        sides = {s.state for s in (before, after) if s is not None} & {"left", "right"}
        start = before.time if before else samples[i].time
        end = after.time if after else samples[j - 1].time
        if len(sides) == 1 and end - start <= MAX_LOST_TURN_SECONDS:
            (side,) = sides
            for sample in samples[i:j]:
                sample.state = side  # type: ignore[assignment]
        i = j


def _turns_seen(samples: list[_Sample]) -> tuple[str, ...]:
    """The turns shown, in order: runs of at least MIN_TURN_FRAMES samples in one direction
    (samples without a face are skipped, so a turn the cascades briefly lost still counts)."""
    runs: list[list[Any]] = []
    for sample in samples:
        if sample.state is None:
            continue
        if runs and runs[-1][0] == sample.state:
            runs[-1][1] += 1
        else:
            runs.append([sample.state, 1])
    seen: list[str] = []
    for state, length in runs:
        if state != "centre" and length >= MIN_TURN_FRAMES and (not seen or seen[-1] != state):
            seen.append(state)
    return tuple(seen)


def _matched(asked: tuple[str, ...], seen: tuple[str, ...]) -> int:
    """How many of the asked turns appear in `seen`, in order."""
    done = 0
    for turn in seen:
        if done < len(asked) and turn == asked[done]:
            done += 1
    return done


def _describe(turns: tuple[str, ...]) -> str:
    return ", then ".join(f"to your {turn}" for turn in turns) if turns else "no head turn"


def _percent(value: float) -> str:
    return f"{100 * value:.0f} %"


def _sharpness_check(values: list[float], minimum: float, where: str) -> Check:
    value = statistics.median(values) if values else 0.0
    if value >= minimum:
        return Check("sharpness", True, value, f"The {where} is sharp enough ({value:.0f}).")
    return Check(
        "sharpness",
        False,
        value,
        f"The {where} is too blurry (sharpness {value:.0f}, needs {minimum:.0f}): hold the "
        "camera still, wipe the lens and record in more light.",
    )


def _lighting_check(values: list[float], where: str) -> Check:
    low, high = BRIGHTNESS_RANGE
    value = statistics.median(values) if values else 0.0
    if value < low:
        detail = (
            f"The {where} is too dark (brightness {value:.0f} of 255, needs {low:.0f}): "
            "face a window or a lamp."
        )
    elif value > high:
        detail = (
            f"The {where} is too bright (brightness {value:.0f} of 255, at most {high:.0f}): "
            "move away from the strong light."
        )
    else:
        detail = f"The {where} is well lit (brightness {value:.0f} of 255)."
    return Check("lighting", low <= value <= high, value, detail)


def _person_checks(
    samples: list[_Sample], challenge: Challenge
) -> tuple[list[Check], tuple[str, ...]]:
    total = len(samples)
    with_face = [s for s in samples if s.faces or s.profile]
    present = len(with_face) / total
    checks = [
        Check(
            "face_present",
            present >= FACE_PRESENT_MIN,
            present,
            f"A face was visible in {_percent(present)} of the clip."
            if present >= FACE_PRESENT_MIN
            else f"A face was visible in only {_percent(present)} of the clip (needs "
            f"{_percent(FACE_PRESENT_MIN)}): keep your whole face in the picture, facing the "
            "camera.",
            severe=present < FACE_PRESENT_SEVERE,
        )
    ]

    crowded = sum(
        1
        for s in samples
        if any(
            other[2] >= SECOND_FACE_MIN_SIZE * s.faces[0][2] and _separate(s.faces[0], other)
            for other in s.faces[1:]
        )
    )
    share = crowded / total
    checks.append(
        Check(
            "one_person",
            share <= EXTRA_PEOPLE_MAX,
            share,
            "Only one person is in the clip."
            if share <= EXTRA_PEOPLE_MAX
            else f"More than one face was visible in {_percent(share)} of the clip: record alone.",
        )
    )

    _assign_states(samples)
    seen = _turns_seen(samples)
    done = _matched(challenge.turns, seen)
    asked = _describe(challenge.turns)
    if done == len(challenge.turns):
        detail = f"You turned your head {asked}, as asked."
    elif not any(s.faces for s in samples):
        detail = "No face was found, so the head turns could not be checked."
    elif not seen:
        detail = (
            f"Your face stayed still: turn your head {asked} when the page asks, far enough "
            "that your face moves."
        )
    else:
        detail = (
            f"The clip shows a turn {_describe(seen)}, but the challenge asked for a turn {asked}."
        )
    checks.append(Check("head_turns", done == len(challenge.turns), float(done), detail))

    frontal = [s for s in samples if s.faces]
    if frontal:
        checks.append(_sharpness_check([s.sharpness for s in frontal], SHARPNESS_MIN_FACE, "face"))
        checks.append(_lighting_check([s.brightness for s in frontal], "face"))
    else:
        checks.append(
            _sharpness_check([s.sharpness for s in samples], SHARPNESS_MIN_SCENE, "video")
        )
        checks.append(_lighting_check([s.brightness for s in samples], "video"))
    return checks, seen


def _listing(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _numbers_check(challenge: Challenge, hearing: speech.Hearing) -> Check:
    """All three numbers heard in order: pass; two: uncertain; fewer: fail."""
    asked = list(challenge.numbers)
    if not hearing.has_audio:
        detail = _(
            "The recording has no sound: allow the microphone (or choose a file with sound) "
            "and read the three numbers aloud."
        )
        return Check("numbers_heard", False, 0.0, detail, severe=True)
    if hearing.silent:
        detail = _(
            "The recording is silent: check that the microphone is on and not muted, then "
            "read the three numbers aloud."
        )
        return Check("numbers_heard", False, 0.0, detail, severe=True)
    matched = speech.compare(challenge.numbers, hearing.numbers)
    got = [n for n, m in zip(asked, matched, strict=True) if m is not None]
    missing = [n for n, m in zip(asked, matched, strict=True) if m is None]
    heard = [n.value for n in hearing.numbers]
    values = {"heard": _listing(got), "missing": _listing(missing), "asked": _listing(asked)}
    if len(got) == len(asked):
        return Check("numbers_heard", True, 3.0, _("We heard %(heard)s, as asked.") % values)
    if len(got) == len(asked) - 1:
        detail = _("We heard %(heard)s — not %(missing)s: please read all three numbers clearly.")
        return Check("numbers_heard", False, 2.0, detail % values, uncertain=True)
    if heard:
        values["heard"] = _listing(heard[:6])
        detail = _(
            "We heard %(heard)s, not %(asked)s: read the three numbers on the screen aloud, "
            "in English, in that order."
        )
    else:
        detail = _(
            "We heard sound but no numbers: read the three numbers on the screen aloud, in "
            "English, clearly and not too fast."
        )
    return Check("numbers_heard", False, float(len(got)), detail % values, severe=not got)


def _face_near(samples: list[_Sample], start: float, end: float) -> bool:
    """Whether the face check passed in the sampled frames around [start, end]."""
    inside = [
        s for s in samples if start - SPOKEN_FACE_MARGIN <= s.time <= end + SPOKEN_FACE_MARGIN
    ]
    if not inside:  # between two samples: the nearest one
        middle = (start + end) / 2
        inside = [min(samples, key=lambda s: abs(s.time - middle))]
    return any(s.faces or s.profile for s in inside)


def _liveness_checks(
    samples: list[_Sample],
    challenge: Challenge,
    hearing: speech.Hearing,
    info: VideoInfo,
    issued_at: datetime | None,
) -> list[Check]:
    checks = [_numbers_check(challenge, hearing)]
    matched = [m for m in speech.compare(challenge.numbers, hearing.numbers) if m is not None]
    if matched:
        seen = [m for m in matched if _face_near(samples, m.start, m.end)]
        values = {
            "seen": len(seen),
            "heard": len(matched),
            "unseen": _listing([m.value for m in matched if m not in seen]),
        }
        if len(seen) == len(matched):
            detail = _("Your face was in the picture while you read the numbers.")
        else:
            detail = _(
                "No face was in the picture while you read %(unseen)s: keep your face in view "
                "while you read the numbers."
            )
        checks.append(
            Check(
                "spoken_while_visible",
                len(seen) == len(matched),
                len(seen) / len(matched),
                detail % values,
                severe=not seen,
            )
        )
    if issued_at is not None and info.created_at is not None:
        early = (issued_at - info.created_at).total_seconds()
        before = info.created_at < issued_at - CREATED_BEFORE_TOLERANCE
        values = {"minutes": max(1, round(early / 60))}
        detail = (
            _(
                "The file was made %(minutes)s minutes before the challenge was shown: record "
                "a new clip with the numbers on the screen now."
            )
            if before
            else _("The file was made after the challenge was shown.")
        )
        checks.append(
            Check("recorded_after_challenge", not before, early, detail % values, severe=before)
        )
    return checks


def _evidence(samples: list[_Sample], hearing: speech.Hearing) -> dict[str, Any]:
    """What the moderator looks at: the numbers heard, and per sampled frame whether a face
    was found and where the head pointed (c: centre, l/r: the person's left/right)."""
    return {
        "audio": "none" if not hearing.has_audio else "silent" if hearing.silent else "sound",
        "audio_level_dbfs": round(hearing.level_dbfs, 1),
        "numbers": [n.as_dict() for n in hearing.numbers],
        "timeline": [
            [round(s.time, 2), 1 if (s.faces or s.profile) else 0, (s.state or "-")[0]]
            for s in samples
        ],
    }


def _character_checks(samples: list[_Sample]) -> list[Check]:
    shown = sum(1 for s in samples if s.std >= SUBJECT_MIN_STD and s.edges >= SUBJECT_MIN_EDGES)
    share = shown / len(samples)
    return [
        Check(
            "subject_present",
            share >= FACE_PRESENT_MIN,
            share,
            f"Something is in the picture in {_percent(share)} of the clip."
            if share >= FACE_PRESENT_MIN
            else f"The picture is blank or featureless in {_percent(1 - share)} of the clip: "
            "show your character clearly.",
        ),
        _sharpness_check([s.sharpness for s in samples], SHARPNESS_MIN_SCENE, "video"),
        _lighting_check([s.brightness for s in samples], "video"),
    ]


def check_clip(
    path: str | Path,
    *,
    challenge: Challenge,
    kind: Kind,
    mirrored: bool = False,
    issued_at: datetime | None = None,
) -> CheckReport:
    """Run the automatic checks on a recording already accepted by `probe_upload`.

    People: face_present, one_person, head_turns, sharpness, lighting, numbers_heard,
    spoken_while_visible (when a challenge number was heard) and recorded_after_challenge
    (when `issued_at` is given and the file has a creation time); characters (pets,
    objects, invented characters): subject_present, sharpness, lighting. The report also
    carries the reference portrait (JPEG): the largest, sharpest frontal face, padded and
    square; for a character the centre square of the sharpest frame.
    """
    if kind not in ("person", "character"):
        raise ValueError(f"unknown cameo kind {kind!r}")
    path = Path(path)
    info = _scan(path)
    count = min(MAX_SAMPLES, max(MIN_SAMPLES, round(info.duration * SAMPLES_PER_SECOND)))
    samples: list[_Sample] = []
    # Best portrait candidates so far: (score, index, frame, box); a small heap, so only a
    # few decoded frames are kept alive.
    candidates: list[tuple[float, int, av.VideoFrame, Box | None]] = []
    for frame, gray, time in _sample_frames(path, info, count, mirrored):
        sample = _analyse(gray, len(samples), time, kind)
        samples.append(sample)
        if kind == "person" and not sample.faces:
            continue
        box = sample.faces[0] if sample.faces else None
        score = sample.sharpness * (box[2] if box else 1)
        entry = (score, sample.index, frame, box)
        if len(candidates) < PORTRAIT_CANDIDATES:
            heapq.heappush(candidates, entry)  # type: ignore[misc]
        elif score > candidates[0][0]:
            heapq.heapreplace(candidates, entry)  # type: ignore[misc]
    if not samples:
        raise UploadRejected(NOT_A_VIDEO)

    evidence: dict[str, Any] = {}
    if kind == "person":
        _find_profiles(samples)
        checks, seen = _person_checks(samples, challenge)
        hearing = speech.hear(path, fmt=_sniff_format(path))
        checks += _liveness_checks(samples, challenge, hearing, info, issued_at)
        evidence = _evidence(samples, hearing)
    else:
        checks, seen = _character_checks(samples), ()

    portrait = None
    if candidates:
        ranked = sorted(candidates, key=lambda c: -c[0])
        # Prefer a frame looking straight at the camera over a turned one.
        straight = [c for c in ranked if samples[c[1]].state in (None, "centre")]
        _, _, frame, box = (straight or ranked)[0]
        portrait = _portrait(frame, box, mirrored)
    return CheckReport(
        kind=kind,
        checks=checks,
        duration=info.duration,
        frames_sampled=len(samples),
        turns_seen=seen,
        portrait_jpeg=portrait,
        evidence=evidence,
    )
