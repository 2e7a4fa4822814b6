"""Synthetic recordings for the cameo verification tests, built from skimage's astronaut photo.

A head turn is simulated in 3-D, not faked in 2-D: the face is a plane that rotates about a
vertical axis behind it (the neck), seen by a pinhole camera. Turning towards the person's
own left therefore moves the face towards image right (the camera faces the person), makes
the cheek that turns away narrower than the one that comes closer, and slides the features
sideways, which is what a webcam records. Clips are "as the camera sees", not mirrored like
a selfie preview. A flat photo has no real profile, so these clips exercise the face-position
cue; the profile cascade's direction is tested on skimage's cameraman photo instead.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import wave
from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from functools import cache
from pathlib import Path

import av
import cv2
import numpy as np
from skimage import data

# Where the astronaut's face sits in her 512 x 512 photo (frontal cascade: x, y, w, h).
_FACE_IN_PHOTO = (177, 67, 93, 93)

Yaw = Callable[[float], float]  # seconds -> degrees, positive = towards the person's left


@cache
def head_photo() -> np.ndarray:
    """The astronaut's head and shoulders, square, RGB."""
    photo = data.astronaut()
    x, y, w, h = _FACE_IN_PHOTO
    cx, cy, half = x + w // 2, y + h // 2 + 20, int(1.5 * w)
    top, left = max(0, cy - half), max(0, cx - half)
    return np.ascontiguousarray(photo[top : top + 2 * half, left : left + 2 * half])


def background(width: int, height: int) -> np.ndarray:
    """A plain wall with a soft vertical gradient (RGB)."""
    ramp = np.linspace(150, 110, height, dtype=np.float32)[:, None, None]
    tint = np.array([1.0, 0.97, 0.9], dtype=np.float32)[None, None, :]
    return np.broadcast_to(ramp * tint, (height, width, 3)).astype(np.uint8)


def render_head(
    canvas: np.ndarray, yaw_deg: float, *, centre_x: float, scale: float, shift_x: float = 0.0
) -> np.ndarray:
    """Draw the head onto `canvas` turned by `yaw_deg` (positive = the person's left)."""
    head = head_photo()
    side = head.shape[0]
    height = canvas.shape[0]
    face_px = _FACE_IN_PHOTO[2] * scale
    # Camera about 4 face-widths away; the neck axis 0.7 face-widths behind the face plane.
    distance, radius = 4.0 * face_px, 0.7 * face_px
    theta = math.radians(yaw_deg)
    corners_src, corners_dst = [], []
    for u, v in ((0, 0), (side, 0), (side, side), (0, side)):
        x = (u - side / 2) * scale
        y = (v - side / 2) * scale
        # Rotate the point (x, y, -radius) about the pivot, then project (focal = distance).
        rx = x * math.cos(theta) + radius * math.sin(theta)
        rz = distance + radius + x * math.sin(theta) - radius * math.cos(theta)
        corners_src.append((u, v))
        corners_dst.append(
            (centre_x + shift_x + distance * rx / rz, height / 2 + distance * y / rz)
        )
    matrix = cv2.getPerspectiveTransform(np.float32(corners_src), np.float32(corners_dst))
    out = canvas.copy()
    cv2.warpPerspective(
        head,
        matrix,
        (canvas.shape[1], canvas.shape[0]),
        dst=out,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_TRANSPARENT,
    )
    return out


def turn_yaw(
    turns: tuple[str, ...], *, start: float = 2.5, each: float = 1.6, peak: float = 40.0
) -> Yaw:
    """A yaw curve: frontal until `start`, then each turn ramps out to `peak` degrees, holds
    and comes back, with a short frontal pause between turns."""

    def yaw(t: float) -> float:
        for index, turn in enumerate(turns):
            begin = start + index * (each + 0.5)
            phase = (t - begin) / each
            if 0 <= phase <= 1:
                # Smooth out-hold-back profile: sin ramps with a flat top.
                amount = min(1.0, math.sin(math.pi * phase) * 1.6)
                return peak * amount * (1 if turn == "left" else -1)
        return 0.0

    return yaw


def head_frames(
    width: int,
    height: int,
    seconds: float,
    fps: int,
    yaw: Yaw,
    *,
    heads: int = 1,
    sway_px: float = 0.0,
) -> Iterator[np.ndarray]:
    """Frames of one head (or several, side by side) turning along `yaw`."""
    canvas = background(width, height)
    scale = 0.82 * height / head_photo().shape[0] if heads == 1 else 0.95 * width / heads / 300
    for i in range(round(seconds * fps)):
        t = i / fps
        frame = canvas
        for k in range(heads):
            centre = width * (k + 0.5) / heads
            shift = sway_px * math.sin(2 * math.pi * 0.3 * t)
            frame = render_head(frame, yaw(t), centre_x=centre, scale=scale, shift_x=shift)
        yield frame


def landscape_frames(width: int, height: int, seconds: float, fps: int) -> Iterator[np.ndarray]:
    """A slow pan over skimage's rocket photo: lots of detail, nobody in it."""
    photo = cv2.resize(data.rocket(), (int(height * 1.5 * 640 / 427) + width, int(height * 1.5)))
    count = round(seconds * fps)
    span = photo.shape[1] - width
    for i in range(count):
        x = int(span * i / max(1, count - 1))
        yield np.ascontiguousarray(photo[:height, x : x + width])


def object_frames(width: int, height: int, seconds: float, fps: int) -> Iterator[np.ndarray]:
    """A striped, colourful ball (a toy) rolling across a wooden-looking table."""
    rng = np.random.default_rng(7)
    grain = cv2.GaussianBlur(rng.normal(0, 1, (height, width)).astype(np.float32), (0, 0), 3)
    table = np.stack([150 + 25 * grain, 100 + 18 * grain, 60 + 10 * grain], axis=-1)
    table = np.clip(table, 0, 255).astype(np.uint8)
    radius = height // 4
    count = round(seconds * fps)
    for i in range(count):
        t = i / max(1, count - 1)
        cx = int(width * (0.3 + 0.4 * t))
        cy = int(height * 0.55)
        frame = table.copy()
        angle = 360 * t
        for k, colour in enumerate([(220, 40, 40), (250, 210, 30), (40, 90, 220), (30, 170, 70)]):
            cv2.ellipse(frame, (cx, cy), (radius, radius), angle, k * 90, k * 90 + 90, colour, -1)
        cv2.circle(frame, (cx, cy), radius // 3, (250, 250, 250), -1)
        cv2.circle(frame, (cx, cy), radius, (20, 20, 20), 3)
        yield frame


def noise_frames(width: int, height: int, seconds: float, fps: int) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(3)
    for _ in range(round(seconds * fps)):
        yield rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def darken(frames: Iterable[np.ndarray], factor: float) -> Iterator[np.ndarray]:
    for frame in frames:
        yield (frame.astype(np.float32) * factor).astype(np.uint8)


def blur(frames: Iterable[np.ndarray], sigma: float) -> Iterator[np.ndarray]:
    for frame in frames:
        yield cv2.GaussianBlur(frame, (0, 0), sigma)


# --- Voices ------------------------------------------------------------------------------
#
# flite's "kal16" voice (CMU, like pocketsphinx's model) is what the recogniser hears best:
# measured on random challenges, it heard 9 of 10 triples in full, against 1 of 8 for
# espeak-ng's en-us voice (its formant synthesis drops words such as "two"). espeak-ng is
# the fallback where flite is not installed.
VOICE = shutil.which("flite") or shutil.which("espeak-ng")
VOICE_SAMPLE_RATE = 16_000


def voice_available() -> bool:
    return VOICE is not None


def say(text: str, path: Path) -> Path:
    """Speak `text` into a WAV file with the synthetic voice."""
    if VOICE is None:
        raise RuntimeError("no speech synthesiser: apt-get install flite (or espeak-ng)")
    if VOICE.endswith("flite"):
        subprocess.run([VOICE, "-voice", "kal16", "-t", text, "-o", str(path)], check=True)
    else:
        subprocess.run([VOICE, "-v", "en-us", "-s", "150", "-w", str(path), text], check=True)
    return path


def speech(text: str, workdir: Path) -> np.ndarray:
    """`text` spoken, as 16 kHz mono int16 samples."""
    wav = say(text, workdir / "voice.wav")
    with av.open(str(wav)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=VOICE_SAMPLE_RATE)
        chunks = [
            out.to_ndarray().reshape(-1)
            for frame in container.decode(audio=0)
            for out in resampler.resample(frame)
        ]
    return np.concatenate(chunks).astype(np.int16)


def soundtrack(seconds: float, *parts: tuple[float, np.ndarray], hiss: float = 25.0) -> np.ndarray:
    """A 16 kHz mono track of `seconds`: a faint microphone hiss (a real microphone is never
    digitally silent) with each (start second, samples) part mixed in."""
    rng = np.random.default_rng(11)
    track = rng.normal(0, hiss, round(seconds * VOICE_SAMPLE_RATE))
    for start, samples in parts:
        at = round(start * VOICE_SAMPLE_RATE)
        piece = samples[: max(0, track.size - at)]
        track[at : at + piece.size] += piece
    return np.clip(track, -32768, 32767).astype(np.int16)


def write_wav(path: Path, samples: np.ndarray, rate: int = VOICE_SAMPLE_RATE) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype("<i2").tobytes())
    return path


def write_clip(
    path: Path,
    frames: Iterable[np.ndarray],
    *,
    fps: int,
    codec: str | None = None,
    live: bool = False,
    audio: np.ndarray | None = None,
    creation_time: str | None = None,
) -> Path:
    """Encode RGB frames with PyAV: .mp4 as H.264, .webm as VP8 (or VP9 with codec="libvpx-vp9").

    `live=True` writes WebM the way a browser's MediaRecorder does: as a stream, without a
    duration in the header and without a seek index (cues). `audio` (16 kHz mono int16) adds
    a sound track: AAC in MP4, Opus in WebM, as phones and browsers record them.
    """
    webm = path.suffix == ".webm"
    codec = codec or ("libvpx" if webm else "libx264")
    options = {"live": "1"} if live else {}
    with av.open(str(path), mode="w", format="webm" if webm else "mp4", options=options) as out:
        if creation_time:
            out.metadata["creation_time"] = creation_time
        stream = out.add_stream(codec, rate=fps)
        sound = None if audio is None else out.add_stream("libopus" if webm else "aac", rate=48_000)
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, 1000) if webm else Fraction(1, fps * 1000)
        if webm:
            stream.bit_rate = 2_500_000
            stream.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
        else:
            stream.options = {"preset": "ultrafast", "crf": "20"}
        first = True
        for i, rgb in enumerate(frames):
            if first:
                stream.height, stream.width = rgb.shape[:2]
                first = False
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = round(i / fps / stream.time_base)
            frame.time_base = stream.time_base
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
        if sound is not None and audio is not None:
            _write_audio(out, sound, audio)
    return path


def _write_audio(
    out: av.container.OutputContainer, sound: av.AudioStream, samples: np.ndarray
) -> None:
    resampler = av.AudioResampler(format=sound.format.name, layout="mono", rate=sound.rate)
    step = VOICE_SAMPLE_RATE // 10
    for offset in range(0, samples.size, step):
        chunk = samples[offset : offset + step].reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout="mono")
        frame.sample_rate = VOICE_SAMPLE_RATE
        frame.pts = offset
        for resampled in resampler.resample(frame):
            out.mux(sound.encode(resampled))
    for resampled in resampler.resample(None):
        out.mux(sound.encode(resampled))
    out.mux(sound.encode(None))
