"""Uploaded videos are sized from their header before any frame is decoded, and the decoder
refuses frames larger than the header admitted: an oversized MJPEG costs no frame buffer."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PIL import Image

from likeness.verification import UploadRejected, probe_upload

ROOT = Path(__file__).resolve().parent.parent
SIDE = 8000


def _mjpeg_mov(path: Path, *, frame_side: int, header_side: int, frames: int = 4) -> Path:
    """A MOV of `frames` grey JPEG frames of frame_side², whose header claims header_side²."""
    buffer = io.BytesIO()
    Image.new("L", (frame_side, frame_side), 128).save(buffer, "JPEG", quality=30)
    jpeg = buffer.getvalue()
    container = av.open(str(path), "w", format="mov")
    stream = container.add_stream("mjpeg", rate=1)
    stream.width = stream.height = header_side
    stream.pix_fmt = "yuvj420p"
    stream.time_base = Fraction(1, 1)
    for index in range(frames):
        packet = av.Packet(jpeg)
        packet.stream = stream
        packet.pts = packet.dts = index
        packet.duration = 1
        packet.time_base = Fraction(1, 1)
        container.mux(packet)
    container.close()
    return path


@pytest.fixture(scope="module")
def oversized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("videos")
    return {
        "honest": _mjpeg_mov(base / "honest.mov", frame_side=SIDE, header_side=SIDE),
        "lying": _mjpeg_mov(base / "lying.mov", frame_side=SIDE, header_side=64),
        "fine": _mjpeg_mov(base / "fine.mov", frame_side=64, header_side=64),
    }


@pytest.mark.parametrize("kind", ["honest", "lying"])
def test_oversized_frames_are_refused(oversized: dict[str, Path], kind: str) -> None:
    with pytest.raises(UploadRejected, match="4096"):
        probe_upload(oversized[kind], min_seconds=0)


def test_a_small_mjpeg_still_passes(oversized: dict[str, Path]) -> None:
    info = probe_upload(oversized["fine"], min_seconds=0)
    assert (info.width, info.height) == (64, 64)


MEASURE = """
import json, sys
import django
django.setup()
from likeness.verification import UploadRejected, probe_upload

def rss_kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])

with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # reset the peak (VmHWM) to the current size: imports don't count
before = rss_kb("VmRSS:")
try:
    probe_upload(sys.argv[1], min_seconds=0)
    outcome = "accepted"
except UploadRejected:
    outcome = "rejected"
print(json.dumps({"outcome": outcome, "grew_mb": (rss_kb("VmHWM:") - before) / 1024}))
"""


@pytest.mark.parametrize("kind", ["honest", "lying"])
def test_refusing_costs_no_frame_buffer(oversized: dict[str, Path], kind: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(oversized[kind])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["outcome"] == "rejected"
    assert measured["grew_mb"] < 30, measured  # decoding one such frame cost ~65 MB
