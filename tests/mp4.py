"""Helpers to inspect MP4 files in tests: top-level boxes and decoded frames."""

from __future__ import annotations

import struct
from pathlib import Path

import av
import numpy as np


def top_level_boxes(path: Path | str) -> list[str]:
    boxes: list[str] = []
    with open(path, "rb") as handle:
        while header := handle.read(8):
            if len(header) < 8:
                break
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", handle.read(8))[0]
                handle.seek(size - 16, 1)
            elif size == 0:
                boxes.append(kind.decode("latin-1"))
                break
            else:
                handle.seek(size - 8, 1)
            boxes.append(kind.decode("latin-1"))
    return boxes


def frames(path: Path | str, count: int = 5) -> list[np.ndarray]:
    """The first `count` decoded frames as RGB arrays."""
    out: list[np.ndarray] = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            out.append(frame.to_ndarray(format="rgb24"))
            if len(out) >= count:
                break
    return out


def mean_abs_diff(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    diffs = [np.abs(x.astype(int) - y.astype(int)).mean() for x, y in zip(a, b, strict=True)]
    return float(np.mean(diffs))
