"""The MP4 output: H.264 (libx264) + AAC in a faststart MP4, with the one set of encoder
settings shared by the renderer and the benchmark's encode floor.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from generation.renderer.planes import Planes


@dataclass(frozen=True)
class VideoSettings:
    """One x264 configuration: a constant-quality target (crf) under a bitrate cap (VBV)."""

    preset: str
    crf: int
    maxrate_kbps: int | None = None  # None: quality alone decides the size
    x264_params: str = ""

    def options(self) -> dict[str, str]:
        params = self.x264_params
        if self.maxrate_kbps:
            # A one-second buffer: a bigger one lets a short clip overshoot the cap on average.
            vbv = f"vbv-maxrate={self.maxrate_kbps}:vbv-bufsize={self.maxrate_kbps}"
            params = f"{params}:{vbv}" if params else vbv
        options = {"preset": self.preset, "crf": str(self.crf)}
        if params:
            options["x264-params"] = params
        return options

    def label(self) -> str:
        cap = f" cap {self.maxrate_kbps} kb/s" if self.maxrate_kbps else ""
        extra = f" {self.x264_params}" if self.x264_params else ""
        return f"{self.preset} crf {self.crf}{cap}{extra}"


# The feed's encode, chosen with bench/encode.py (10 s 720×1280 30 fps, one core; figures in
# README). Only "ultrafast" keeps the whole render within 4 s on one core (superfast took ~2×,
# veryfast ~3× as long); CABAC on top (the one slow-preset feature ultrafast turns off that pays
# most) cuts files by ~17 % for ~5 % more time and makes the stream Main profile. crf 26 instead
# of x264's default 23 costs 0.002 SSIM on a typical scene (0.968) for 18 % fewer bits; the VBV
# cap holds busy scenes (rain, confetti: 3-4 Mb/s uncapped) to the phone budget of 1.5 Mb/s with
# the 96 kb/s soundtrack, trading quality there — rain streaks are new noise every frame, which
# no codec keeps at SSIM 0.95 under a few Mb/s.
FEED = VideoSettings(preset="ultrafast", crf=26, maxrate_kbps=1200, x264_params="cabac=1")
# The data-saver rendition: 480×852 at about half the feed's bits (SSIM 0.95 scaled back up to
# 720×1280 on a typical scene); "superfast", since ultrafast lost 0.02 SSIM at this size.
SAVER = VideoSettings(preset="superfast", crf=27, maxrate_kbps=600)
SAVER_SIZES: dict[str, tuple[int, int]] = {
    "9:16": (480, 852),
    "1:1": (480, 480),
    "16:9": (852, 480),
}
# What the renderer used before (fastest preset, no cap), kept for the benchmark's comparison.
FASTEST = VideoSettings(preset="ultrafast", crf=23, x264_params="cabac=1")
PRESET, CRF, X264_PARAMS = FEED.preset, FEED.crf, FEED.options().get("x264-params", "")
AUDIO_KBPS = 96
AUDIO_RATE = 48_000


@dataclass
class Output:
    container: av.container.OutputContainer
    video: av.video.stream.VideoStream
    audio: av.audio.stream.AudioStream | None
    width: int
    height: int
    fps: int
    audio_pts: int = 0
    # The newest frame is held back one call, so the clip's last frame can be made a keyframe.
    pending: av.VideoFrame | None = None

    def new_frame(self, index: int) -> tuple[av.VideoFrame, Planes]:
        """A fresh encoder frame and writable numpy views of its planes (no extra copy)."""
        frame = av.VideoFrame(self.width, self.height, "yuv420p")
        frame.pts = index
        frame.time_base = Fraction(1, self.fps)
        views = []
        for plane in frame.planes:
            buf = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
            views.append(buf[:, : plane.width])
        return frame, Planes(*views)

    def encode_video(self, frame: av.VideoFrame | None) -> None:
        held, self.pending = self.pending, frame
        if held is not None:
            self._encode(held)
        if frame is None:
            self._encode(None)

    def _encode(self, frame: av.VideoFrame | None) -> None:
        for packet in self.video.encode(frame):
            self.container.mux(packet)

    def encode_audio(self, samples: np.ndarray, upto: int) -> None:
        """Encode the audio from the last position up to sample ``upto`` (for interleaving).

        The span goes to the encoder as one frame; PyAV cuts it into AAC-sized frames itself,
        which costs far less than building one Python frame object per 1024 samples.
        """
        if self.audio is None:
            return
        upto = min(upto, samples.shape[1])
        if upto <= self.audio_pts:
            return
        chunk = np.ascontiguousarray(samples[:, self.audio_pts : upto])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self.audio_pts
        frame.time_base = Fraction(1, AUDIO_RATE)
        for packet in self.audio.encode(frame):
            self.container.mux(packet)
        self.audio_pts = upto

    def finish(self) -> None:
        if self.pending is not None:
            # A keyframe at the end too: output moderation samples the last frame by decoding
            # it alone rather than the second of frames before it.
            self.pending.pict_type = av.video.frame.PictureType.I
        self.encode_video(None)
        if self.audio is not None:
            for packet in self.audio.encode(None):
                self.container.mux(packet)
        self.container.close()


def open_output(
    path: str | os.PathLike[str],
    *,
    width: int,
    height: int,
    fps: int,
    threads: int,
    audio: bool = True,
    settings: VideoSettings = FEED,
) -> Output:
    """Open ``path`` for writing with the renderer's codec settings.

    ``threads`` = 0 lets x264 pick (all cores) for an uncapped encode; a capped one (VBV) uses one
    thread. Either way the output is byte-identical from run to run, which the tests rely on.
    """
    container = av.open(os.fspath(path), mode="w", format="mp4", options={"movflags": "+faststart"})
    video = container.add_stream("libx264", rate=fps)
    video.width, video.height = width, height
    video.pix_fmt = "yuv420p"
    ctx = video.codec_context
    # x264's frame threads make VBV (the bitrate cap) depend on thread timing, so the same seed
    # would not give the same file: a capped encode runs on one thread (ultrafast keeps up).
    ctx.thread_count = 1 if settings.maxrate_kbps else threads
    ctx.thread_type = "FRAME"
    # Frames are composed in BT.709 limited range; say so, so players don't guess BT.601.
    ctx.colorspace = 1
    ctx.color_primaries = 1
    ctx.color_trc = 1
    ctx.color_range = 1
    # A keyframe every second: output moderation (moderation/detector.py) then decodes only
    # keyframes and the last second to sample a frame per second, and players seek faster.
    options = settings.options()
    params = options.get("x264-params")
    options["x264-params"] = f"{params}:keyint={fps}" if params else f"keyint={fps}"
    ctx.options = options
    astream = None
    if audio:
        astream = container.add_stream("aac", rate=AUDIO_RATE)
        astream.layout = "stereo"
        astream.codec_context.bit_rate = AUDIO_KBPS * 1000
        # The "fast" coder takes a third of the default's time; synthetic music doesn't need more.
        astream.codec_context.options = {"aac_coder": "fast"}
    return Output(container, video, astream, width, height, fps)
