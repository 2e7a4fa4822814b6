"""Cameo liveness: the numbers read aloud are heard offline, in order, while the face is in the
picture. Recordings are made here: a synthetic voice (flite, or espeak-ng) reading numbers,
mixed over a faint microphone hiss, muxed with PyAV under the synthetic head-turn frames."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from likeness import speech
from likeness.verification import Challenge, CheckReport, check_clip
from tests import verification_clips as clips

pytestmark = pytest.mark.skipif(
    not clips.voice_available(),
    reason="no speech synthesiser: apt-get install flite (or espeak-ng); CI installs both",
)

W, H, FPS, SECONDS = 640, 360, 10, 8.0
CHALLENGE = Challenge(numbers=(12, 47, 83), turns=("left", "right"))
ISSUED = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def words(*numbers: int) -> str:
    return ", ".join(speech.number_words(n) for n in numbers)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("liveness")


@pytest.fixture(scope="module")
def record(workdir: Path) -> Callable[..., Path]:
    """record(name, spoken text or None for hiss only, frames=…, audio=True, **write_clip)."""
    made: dict[str, Path] = {}

    def build(
        name: str,
        text: str | None,
        *,
        frames: Callable[[], Iterator[np.ndarray]] | None = None,
        audio: bool = True,
        at: float = 0.5,
        **options: object,
    ) -> Path:
        if name not in made:
            parts = [(at, clips.speech(text, workdir))] if text else []
            track = clips.soundtrack(SECONDS, *parts) if audio else None
            frames = frames or (
                lambda: clips.head_frames(
                    W, H, SECONDS, FPS, clips.turn_yaw(CHALLENGE.turns, start=4.0), sway_px=2
                )
            )
            made[name] = clips.write_clip(workdir / name, frames(), fps=FPS, audio=track, **options)
        return made[name]

    return build


def check(path: Path, **options: object) -> CheckReport:
    return check_clip(path, challenge=CHALLENGE, kind="person", **options)  # type: ignore[arg-type]


def verdicts(report: CheckReport) -> dict[str, str]:
    return {c.name: c.verdict for c in report.checks}


# --- The recogniser on its own --------------------------------------------------------------


def test_number_words_and_the_grammar() -> None:
    assert [speech.number_words(n) for n in (0, 7, 13, 40, 42, 99)] == [
        "zero", "seven", "thirteen", "forty", "forty two", "ninety nine",
    ]  # fmt: skip
    grammar = speech.numbers_grammar()
    assert grammar.startswith("#JSGF V1.0;") and "<tens> [<digit>]" in grammar
    with pytest.raises(ValueError):
        speech.number_words(100)


def test_words_group_into_numbers() -> None:
    heard = speech._group(
        [("forty", 0.0, 0.4, 0.9), ("two", 0.4, 0.7, 0.8), ("seventeen", 1.0, 1.5, 0.7),
         ("eighty", 2.0, 2.3, 0.6), ("ninety", 2.5, 2.8, 0.5), ("one", 3.0, 3.2, 0.4)]
    )  # fmt: skip
    assert [(n.value, n.start, n.end, n.confidence) for n in heard] == [
        (42, 0.0, 0.7, 0.8), (17, 1.0, 1.5, 0.7), (80, 2.0, 2.3, 0.6), (91, 2.5, 3.2, 0.4),
    ]  # fmt: skip


def test_compare_finds_the_asked_numbers_in_order() -> None:
    def heard(*values: int) -> tuple[speech.HeardNumber, ...]:
        return tuple(speech.HeardNumber(v, i, i + 0.5, 0.5) for i, v in enumerate(values))

    def got(*values: int) -> list[int | None]:
        return [m.value if m else None for m in speech.compare((42, 17, 81), heard(*values))]

    assert got(42, 17, 81) == [42, 17, 81]
    assert got(17, 81) == [None, 17, 81]  # the last two, not nothing
    assert got(42, 5, 17, 81) == [42, 17, 81]  # an extra word in between is harmless
    assert sum(v is not None for v in got(81, 17, 42)) == 1  # out of order: one in order
    assert got() == [None, None, None]


def test_the_recogniser_hears_spoken_numbers(workdir: Path) -> None:
    track = clips.soundtrack(4.0, (0.5, clips.speech(words(26, 53, 88), workdir)))
    heard = speech.recognise(track)
    assert [n.value for n in heard] == [26, 53, 88]
    assert all(0.5 <= n.start < n.end <= 4.0 for n in heard)
    assert heard[0].end <= heard[1].start and heard[1].end <= heard[2].start
    assert all(0 < n.confidence <= 1 for n in heard)
    assert speech.recognise(clips.soundtrack(2.0)) == []  # hiss alone: nothing to decode


# --- Verdicts on recordings -------------------------------------------------------------------


def test_the_right_numbers_pass(record: Callable[..., Path]) -> None:
    report = check(record("right.mp4", words(*CHALLENGE.numbers)), issued_at=ISSUED)
    assert report.verdict == "pass", report.reasons
    assert report.passed and not report.severe
    numbers = report.check("numbers_heard")
    assert numbers.detail == "We heard 12, 47, 83, as asked." and numbers.value == 3
    assert report.check("spoken_while_visible").passed
    summary = json.loads(json.dumps(report.as_dict()))
    assert summary["verdict"] == "pass"
    evidence = summary["evidence"]
    assert evidence["audio"] == "sound"
    assert [n["value"] for n in evidence["numbers"]] == [12, 47, 83]
    assert 0.3 <= evidence["numbers"][0]["start"] < 1.5  # spoken from 0.5 s
    timeline = evidence["timeline"]
    assert len(timeline) == summary["frames_sampled"]
    assert all(face == 1 for _, face, _ in timeline)
    assert {"l", "r", "c"} <= {state for _, _, state in timeline}  # the head-turn track


def test_the_right_numbers_pass_in_a_browser_style_webm_with_opus(
    record: Callable[..., Path],
) -> None:
    report = check(record("right.webm", words(*CHALLENGE.numbers), live=True))
    assert report.verdict == "pass", report.reasons


def test_wrong_numbers_fail(record: Callable[..., Path]) -> None:
    report = check(record("wrong.mp4", words(38, 65, 14)))
    assert verdicts(report)["numbers_heard"] == "fail"
    assert report.verdict == "fail" and report.severe
    assert report.check("numbers_heard").detail == (
        "We heard 38, 65, 14, not 12, 47, 83: read the three numbers on the screen aloud, in "
        "English, in that order."
    )
    assert "spoken_while_visible" not in verdicts(report)  # nothing of the challenge to time


def test_two_of_three_is_uncertain(record: Callable[..., Path]) -> None:
    report = check(record("two.mp4", words(12, 47)))
    assert verdicts(report)["numbers_heard"] == "uncertain"
    assert report.verdict == "uncertain" and not report.severe
    assert report.check("numbers_heard").detail == (
        "We heard 12, 47 — not 83: please read all three numbers clearly."
    )


def test_silence_fails(record: Callable[..., Path]) -> None:
    report = check(record("silent.mp4", None))
    numbers = report.check("numbers_heard")
    assert numbers.verdict == "fail" and numbers.severe
    assert numbers.detail.startswith("The recording is silent")
    assert report.evidence["audio"] == "silent" and report.evidence["numbers"] == []


def test_no_audio_track_fails(record: Callable[..., Path]) -> None:
    report = check(record("mute.mp4", None, audio=False))
    numbers = report.check("numbers_heard")
    assert numbers.verdict == "fail" and numbers.severe
    assert numbers.detail.startswith("The recording has no sound")
    assert report.evidence["audio"] == "none"


def test_numbers_read_while_no_face_is_visible_fail(record: Callable[..., Path]) -> None:
    def frames() -> Iterator[np.ndarray]:
        empty = clips.background(W, H)
        for _ in range(round(4.0 * FPS)):  # nobody in the picture while the numbers are read
            yield empty
        yield from clips.head_frames(
            W, H, SECONDS - 4.0, FPS, clips.turn_yaw(CHALLENGE.turns, start=0.3, each=1.4)
        )

    report = check(record("hidden.mp4", words(*CHALLENGE.numbers), frames=frames))
    assert report.check("numbers_heard").passed  # the voice is fine…
    timing = report.check("spoken_while_visible")
    assert timing.verdict == "fail" and timing.severe and timing.value == 0
    assert timing.detail == (
        "No face was in the picture while you read 12, 47, 83: keep your face in view while "
        "you read the numbers."
    )
    assert report.verdict == "fail"
    first = report.evidence["timeline"][0]
    assert first[1] == 0  # the moderator sees when the face was missing


def test_a_file_made_before_the_challenge_fails(record: Callable[..., Path]) -> None:
    made = (ISSUED - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    path = record("old.mp4", words(*CHALLENGE.numbers), creation_time=made)
    late = check(path, issued_at=ISSUED)
    early = late.check("recorded_after_challenge")
    assert early.verdict == "fail" and early.severe
    assert early.detail.startswith("The file was made 60 minutes before the challenge")
    fresh = check(path, issued_at=ISSUED - timedelta(hours=2))
    assert fresh.check("recorded_after_challenge").passed
    assert "recorded_after_challenge" not in verdicts(check(path))  # no issue time known
