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

# Chosen by measuring 10 s 720×1280 30 fps renders on one core (bench/render.py; one core, one
# encoder thread). "ultrafast" is the only x264 preset that keeps a busy scene under 4 s:
# superfast took ~40 % and veryfast ~80 % longer, for files 1.5-2.5× smaller. On top of it,
# CABAC (the one slow-preset feature ultrafast turns off that pays most) cuts files by ~17 % for
# ~5 % more time, and makes the stream Main profile, which every browser plays. crf 23 is x264's
# default; flat gradients show no banding at it. Typical 10 s clip: 1-2 MB; rain: ~5 MB.
PRESET = "ultrafast"
CRF = 23
X264_PARAMS = "cabac=1"
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
) -> Output:
    """Open ``path`` for writing with the renderer's codec settings.

    ``threads`` = 0 lets x264 pick (all cores); any fixed count gives byte-identical output from
    run to run (x264 is deterministic unless told otherwise), which the tests rely on.
    """
    container = av.open(os.fspath(path), mode="w", format="mp4", options={"movflags": "+faststart"})
    video = container.add_stream("libx264", rate=fps)
    video.width, video.height = width, height
    video.pix_fmt = "yuv420p"
    ctx = video.codec_context
    ctx.thread_count = threads
    ctx.thread_type = "FRAME"
    # Frames are composed in BT.709 limited range; say so, so players don't guess BT.601.
    ctx.colorspace = 1
    ctx.color_primaries = 1
    ctx.color_trc = 1
    ctx.color_range = 1
    # A keyframe every second: output moderation (moderation/detector.py) then decodes only
    # keyframes and the last second to sample a frame per second, and players seek faster.
    ctx.options = {"preset": PRESET, "crf": str(CRF), "x264-params": f"{X264_PARAMS}:keyint={fps}"}
    astream = None
    if audio:
        astream = container.add_stream("aac", rate=AUDIO_RATE)
        astream.layout = "stereo"
        astream.codec_context.bit_rate = 128_000
        # The "fast" coder takes a third of the default's time; synthetic music doesn't need more.
        astream.codec_context.options = {"aac_coder": "fast"}
    return Output(container, video, astream, width, height, fps)
