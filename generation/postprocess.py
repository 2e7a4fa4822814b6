"""Turning any backend's file into a Reverie clip.

Providers return MP4s of their own sizes, rates and lengths (a 6 s clip for a 5 s request, 24 fps,
audio or none). Every clip in the feed is the same kind of file, so each one is re-made here:
trimmed to the requested seconds, scaled and centre-cropped to the aspect's size, resampled to
the job's frame rate, stamped with the moving "AI-generated · @creator" watermark (the same one the
local renderer draws, in the same safe area: whole on 9:16 to 9:21 screens, clear of the feed's
controls), given an AAC track (the provider's audio, or silence), encoded H.264 +AAC
faststart with the renderer's encoder settings, and a poster frame is saved. C2PA signing happens
after this, in the caller, so the manifest covers the final bytes.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
from PIL import Image

from generation.renderer.encode import AUDIO_RATE, open_output
from generation.renderer.spec import SIZES
from generation.renderer.text import watermark_image, watermark_position

MAX_SOURCE_PIXELS = 4096 * 4096  # a bigger frame is not a video we asked for


class PostprocessError(Exception):
    """The provider's file is not a usable video; the message is safe to show."""


@dataclass(frozen=True)
class ClipInfo:
    width: int
    height: int
    fps: int
    duration: float
    frame_count: int
    had_audio: bool


def finish_clip(
    source: str | os.PathLike[str],
    *,
    video_path: str | os.PathLike[str],
    poster_path: str | os.PathLike[str],
    seconds: int,
    aspect: str,
    fps: int,
    creator_handle: str,
    threads: int = 0,
) -> ClipInfo:
    """Re-make `source` as a Reverie clip at `video_path` (+ JPEG poster); see the module doc."""
    width, height = SIZES[aspect]
    try:
        container = av.open(os.fspath(source))
    except (av.FFmpegError, OSError) as exc:
        raise PostprocessError("The backend's file is not a video.") from exc
    with container:
        if not container.streams.video:
            raise PostprocessError("The backend's file has no video track.")
        vstream = container.streams.video[0]
        if (vstream.width or 0) * (vstream.height or 0) > MAX_SOURCE_PIXELS:
            raise PostprocessError("The backend's video frames are too large.")
        audio = _decoded_audio(os.fspath(source), seconds)
        output = open_output(video_path, width=width, height=height, fps=fps, threads=threads)
        stamp = _Watermark(creator_handle, width, height)
        frame_total = seconds * fps
        written = 0
        poster_index = frame_total // 3
        current: np.ndarray | None = None
        rate = float(vstream.average_rate or fps)
        shown_until = 0.0  # when the newest source frame stops being on screen
        try:
            frames = container.decode(video=0)
            pending = _next_frame(frames)
            while written < frame_total:
                t = written / fps
                # Take the newest source frame shown at time t (drops or repeats to match rates).
                while pending is not None and (pending.time or 0.0) <= t + 1e-6:
                    current = _cover(pending, width, height)
                    shown_until = (pending.time or 0.0) + 1.0 / rate
                    pending = _next_frame(frames)
                if current is None:
                    raise PostprocessError("The backend's video has no frames.")
                if pending is None and t >= shown_until - 1e-6:
                    break  # the source ran out: the clip is as long as what was delivered
                picture = stamp.apply(current, t)
                if written == poster_index:
                    Image.fromarray(picture).save(poster_path, format="JPEG", quality=88)
                frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
                frame.pts = written
                frame.time_base = Fraction(1, fps)
                output.encode_video(frame)
                written += 1
                output.encode_audio(audio, written * AUDIO_RATE // fps)
            if written == 0:
                raise PostprocessError("The backend's video has no frames.")
            if written <= poster_index:
                Image.fromarray(stamp.apply(current, 0.0)).save(poster_path, format="JPEG")
            output.encode_audio(audio, written * AUDIO_RATE // fps)
            output.finish()
        except av.FFmpegError as exc:
            raise PostprocessError(f"The backend's video could not be decoded: {exc}") from exc
    return ClipInfo(
        width=width,
        height=height,
        fps=fps,
        duration=round(written / fps, 3),
        frame_count=written,
        had_audio=bool(np.any(audio)),
    )


def _next_frame(frames: object) -> av.VideoFrame | None:
    return next(frames, None)  # type: ignore[call-overload]


def _cover(frame: av.VideoFrame, width: int, height: int) -> np.ndarray:
    """Scale to cover width×height, then crop the middle (no letterboxing in a vertical feed)."""
    scale = max(width / frame.width, height / frame.height)
    scaled_w = max(width, math.ceil(frame.width * scale))
    scaled_h = max(height, math.ceil(frame.height * scale))
    rgb = frame.reformat(width=scaled_w, height=scaled_h, format="rgb24").to_ndarray()
    top, left = (scaled_h - height) // 2, (scaled_w - width) // 2
    return np.ascontiguousarray(rgb[top : top + height, left : left + width])


def _decoded_audio(source: str, seconds: int) -> np.ndarray:
    """The source's audio as stereo float32 at 48 kHz, exactly `seconds` long (silence if none)."""
    total = seconds * AUDIO_RATE
    samples = np.zeros((2, total), dtype=np.float32)
    try:
        with av.open(source) as container:
            if not container.streams.audio:
                return samples
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
            position = 0
            for frame in container.decode(audio=0):
                for chunk in resampler.resample(frame):
                    data = chunk.to_ndarray()[:, : total - position]
                    samples[:, position : position + data.shape[1]] = data
                    position += data.shape[1]
                if position >= total:
                    break
    except av.FFmpegError:
        return np.zeros((2, total), dtype=np.float32)  # bad audio: keep the picture, drop sound
    return samples


class _Watermark:
    """The renderer's moving "AI-generated · @creator" stamp, for RGB frames."""

    def __init__(self, handle: str, width: int, height: int) -> None:
        image = watermark_image(handle, min(width, height))
        rgba = np.asarray(image).astype(np.float32)
        self.alpha = rgba[..., 3:4] / 255.0 * 0.78
        self.colour = rgba[..., :3]
        self.size = (image.width, image.height)
        self.frame = (width, height)
        self.bottom_limit = height  # no caption band here: the safe area's bottom applies

    def apply(self, picture: np.ndarray, t: float) -> np.ndarray:
        out = picture.copy()
        w, h = self.size
        x, y = watermark_position(
            t, frame=self.frame, size=self.size, bottom_limit=self.bottom_limit, start=0
        )
        x = min(max(0, x), self.frame[0] - w)
        y = min(max(0, y), self.frame[1] - h)
        region = out[y : y + h, x : x + w].astype(np.float32)
        out[y : y + h, x : x + w] = (region * (1 - self.alpha) + self.colour * self.alpha).astype(
            np.uint8
        )
        return out


def probe_duration(path: str | os.PathLike[str]) -> float:
    """A finished clip's duration in seconds (for tests and the admin)."""
    with av.open(os.fspath(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        return float(container.duration or 0) / av.time_base
