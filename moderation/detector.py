"""Output moderation's eyes: frames sampled from a finished clip (PyAV) run through NudeNet's
bundled detector (its `320n.onnx` model, on onnxruntime's CPU provider).

The model is loaded once per process. Two departures from `nudenet.NudeDetector.detect`, both
for speed on one core (bench/moderation.py): a frame is scaled so its long side is the model's
320 px and padded only to the next multiple of 32 (the model takes any such shape; a portrait
frame costs 320×192 instead of a 320×320 letterbox), and the post-processing is vectorised.
Classes, score floor (0.2) and non-maximum suppression (0.25 / 0.45) are NudeNet's own.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

MODEL_SIDE = 320
STRIDE = 32
SCORE_FLOOR = 0.2  # NudeNet's: weaker candidates are dropped before NMS
NMS_SCORE, NMS_IOU = 0.25, 0.45
EPSILON = 1e-3  # seconds: timestamps are rounded to the stream's time base

# The labels in the model's output order (nudenet/nudenet.py, 3.4).
LABELS: tuple[str, ...] = (
    "FEMALE_GENITALIA_COVERED",
    "FACE_FEMALE",
    "BUTTOCKS_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_BREAST_EXPOSED",
    "ANUS_EXPOSED",
    "FEET_EXPOSED",
    "BELLY_COVERED",
    "FEET_COVERED",
    "ARMPITS_COVERED",
    "ARMPITS_EXPOSED",
    "FACE_MALE",
    "BELLY_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "ANUS_COVERED",
    "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)


class ModerationUnavailable(RuntimeError):
    """The clip could not be decoded or the model could not run: fail closed, never publish."""


@dataclass(frozen=True)
class Detection:
    label: str
    score: float
    box: tuple[int, int, int, int]  # x, y, width, height in the sampled frame's pixels

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "score": round(self.score, 4), "box": list(self.box)}


@dataclass
class SampledFrame:
    index: int  # decode order in the clip
    at_seconds: float
    image: np.ndarray  # RGB, long side MODEL_SIDE px
    detections: list[Detection] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------

_session: Any = None
_session_lock = threading.Lock()


def model_path() -> Path:
    import nudenet

    return Path(nudenet.__file__).resolve().parent / "320n.onnx"


def _check_labels() -> None:
    """Our label table must be the installed NudeNet's (a new release could reorder it)."""
    import nudenet.nudenet as nn

    theirs = tuple(getattr(nn, "__labels", LABELS))
    if theirs != LABELS:
        raise ModerationUnavailable("The installed NudeNet's labels differ from ours.")


def session(*, threads: int | None = None) -> Any:
    """The process's one inference session (thread-safe: onnxruntime sessions may be shared)."""
    global _session
    if _session is None:
        with _session_lock:
            if _session is None:
                import onnxruntime as ort
                from django.conf import settings

                _check_labels()
                options = ort.SessionOptions()
                count = settings.OUTPUT_MODERATION_THREADS if threads is None else threads
                if count:
                    options.intra_op_num_threads = count
                    options.inter_op_num_threads = 1
                _session = ort.InferenceSession(
                    str(model_path()), options, providers=["CPUExecutionProvider"]
                )
    return _session


def detect(image: np.ndarray) -> list[Detection]:
    """NudeNet's detections in one RGB image (any size; scaled to the model's 320 px)."""
    height, width = image.shape[:2]
    scale = MODEL_SIDE / max(height, width)
    if scale != 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return _detect_scaled(image, back=1.0 / scale)


def _detect_scaled(image: np.ndarray, *, back: float = 1.0) -> list[Detection]:
    """Detections in an RGB image whose long side is at most MODEL_SIDE; boxes × `back`."""
    height, width = image.shape[:2]
    padded_h = math.ceil(height / STRIDE) * STRIDE
    padded_w = math.ceil(width / STRIDE) * STRIDE
    blob = np.zeros((1, 3, padded_h, padded_w), np.float32)
    blob[0, :, :height, :width] = image.transpose(2, 0, 1) * np.float32(1 / 255)
    sess = session()
    output = sess.run(None, {sess.get_inputs()[0].name: blob})[0][0].T  # (candidates, 4 + classes)
    scores = output[:, 4:]
    best = scores.argmax(axis=1)
    confidence = scores[np.arange(len(best)), best]
    keep = confidence >= SCORE_FLOOR
    if not keep.any():
        return []
    boxes_cxcywh, best, confidence = output[keep, :4], best[keep], confidence[keep]
    boxes = np.empty_like(boxes_cxcywh)
    boxes[:, 0] = boxes_cxcywh[:, 0] - boxes_cxcywh[:, 2] / 2
    boxes[:, 1] = boxes_cxcywh[:, 1] - boxes_cxcywh[:, 3] / 2
    boxes[:, 2:] = boxes_cxcywh[:, 2:]
    chosen = cv2.dnn.NMSBoxes(boxes.tolist(), confidence.tolist(), NMS_SCORE, NMS_IOU)
    detections = []
    for i in np.asarray(chosen).reshape(-1):
        x, y, w, h = (float(v) for v in boxes[i])
        x, y = max(0.0, min(x, width)), max(0.0, min(y, height))
        w, h = min(w, width - x), min(h, height - y)
        detections.append(
            Detection(
                label=LABELS[int(best[i])],
                score=float(confidence[i]),
                box=(round(x * back), round(y * back), round(w * back), round(h * back)),
            )
        )
    return detections


# ---------------------------------------------------------------------------------------------
# Sampling a clip
# ---------------------------------------------------------------------------------------------


def sample_frames(path: str | os.PathLike[str], *, per_second: float = 1.0) -> list[SampledFrame]:
    """At least `per_second` frames for every second of the clip, plus its first and last.

    Only the frames kept are converted, each straight to the model's size by swscale. When the
    clip has a keyframe at least every 1/`per_second` s (Reverie's encoder puts one every
    second), only keyframes and the last group of pictures are decoded at all."""
    interval = 1.0 / per_second
    try:
        with av.open(os.fspath(path)) as container:
            stream = container.streams.video[0]
            stream.codec_context.thread_count = 1
            time_base = float(stream.time_base or 0) or 1 / 90000
            packets = [p for p in container.demux(stream) if p.size and p.pts is not None]
            if not packets:
                raise ModerationUnavailable("The clip has no video frames.")
            frames = _decode_samples(stream, packets, time_base, interval)
    except av.FFmpegError as exc:
        raise ModerationUnavailable(f"The clip could not be decoded: {exc}") from exc
    return frames


def _decode_samples(
    stream: Any, packets: list[Any], time_base: float, interval: float
) -> list[SampledFrame]:
    start = min(p.pts for p in packets) * time_base
    keys = [i for i, p in enumerate(packets) if p.is_keyframe]
    key_times = sorted(packets[i].pts * time_base - start for i in keys)
    end = max(p.pts for p in packets) * time_base - start
    gaps = np.diff([*key_times, end]) if key_times else np.array([math.inf])
    dense = bool(key_times) and key_times[0] <= EPSILON and float(gaps.max()) <= interval + EPSILON
    # Keyframes decode alone; the last one starts the run of frames that ends the clip.
    wanted = sorted({*keys, *range(keys[-1], len(packets))}) if dense else range(len(packets))

    def decoded() -> Any:
        for i in wanted:
            yield from stream.codec_context.decode(packets[i])
        yield from stream.codec_context.decode(None)

    return _pick(((frame.time - start, frame) for frame in decoded()), interval)


def _pick(frames: Any, interval: float) -> list[SampledFrame]:
    """The first frame, then the latest frame at or before each `interval` mark after the last
    pick (so picks are never more than `interval` apart), then the last frame. Holds one
    undecided frame at a time, never the whole clip."""
    chosen: list[SampledFrame] = []
    previous: tuple[int, float, Any] | None = None
    target = 0.0

    def take(index: int, at: float, frame: Any) -> None:
        nonlocal target
        scale = MODEL_SIDE / max(frame.width, frame.height)
        width = max(1, round(frame.width * scale))
        height = max(1, round(frame.height * scale))
        image = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
        chosen.append(SampledFrame(index=index, at_seconds=round(at, 3), image=image))
        target = at + interval

    for index, (at, frame) in enumerate(frames):
        if previous is None:
            take(index, at, frame)
        elif at > target + EPSILON:
            if chosen[-1].index != previous[0]:
                take(*previous)
            if at > target + EPSILON:  # frames further apart than the interval: take this one
                take(index, at, frame)
        previous = (index, at, frame)
    if previous is not None and chosen[-1].index != previous[0]:
        take(*previous)
    return chosen


def scan_clip(path: str | os.PathLike[str], *, per_second: float = 1.0) -> list[SampledFrame]:
    """Sample the clip and run the detector on every sampled frame."""
    frames = sample_frames(path, per_second=per_second)
    try:
        for frame in frames:
            frame.detections = _detect_scaled(frame.image)
    except ModerationUnavailable:
        raise
    except Exception as exc:  # onnxruntime's own errors
        raise ModerationUnavailable(f"The detector failed: {exc}") from exc
    return frames
