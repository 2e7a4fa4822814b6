"""Hear the numbers read aloud in a cameo verification recording, offline.

Flow: PyAV decodes the recording's first audio track and resamples it to 16 kHz mono →
`audio_level` tells silence from speech → pocketsphinx (the English acoustic model and
dictionary shipped in its wheel) searches a JSGF grammar, built here, that only knows English
numbers from 0 to 99, so whatever is said comes out as numbers or nothing → the words are
grouped into numbers ("forty" "two" → 42), each with its time span and the recogniser's
posterior confidence → `compare` matches them with the challenge, in order.

The grammar knows every number, not only the challenge's: a person who reads other numbers is
heard reading those, never pulled towards the right answer.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
from pocketsphinx import Config, Decoder

SAMPLE_RATE = 16_000
FRAME_RATE = 100  # pocketsphinx's frames per second (its -frate)
MAX_AUDIO_SECONDS = 25.0  # uploads are at most 20 s; more is never decoded

# Silence: the loudest 30 ms windows must rise this far above the quietest, and above an
# absolute floor (a microphone's hiss is about -60 dBFS; speech a metre away -35 to -20).
SPEECH_ABOVE_FLOOR_DB = 12.0
SPEECH_MIN_DBFS = -50.0
SPEECH_MIN_SECONDS = 0.25
WINDOW = SAMPLE_RATE * 30 // 1000  # samples in a 30 ms loudness window
PAD = SAMPLE_RATE * 4 // 10  # samples of context kept around sound when decoding

ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")  # fmt: skip
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number_words(number: int) -> str:
    """How a number from 0 to 99 is read in English: 42 → "forty two"."""
    if not 0 <= number <= 99:
        raise ValueError(f"{number} is outside 0-99")
    if number < 10:
        return ONES[number]
    if number < 20:
        return TEENS[number - 10]
    tens, ones = divmod(number, 10)
    return TENS[tens] + (f" {ONES[ones]}" if ones else "")


def numbers_grammar() -> str:
    """A JSGF grammar of one or more English numbers from 0 to 99 (no other words)."""
    return (
        "#JSGF V1.0;\n"
        "grammar numbers;\n"
        "public <numbers> = <number>+;\n"
        "<number> = <tens> [<digit>] | <teen> | <digit>;\n"
        f"<tens> = {' | '.join(TENS[2:])};\n"
        f"<teen> = {' | '.join(TEENS)};\n"
        f"<digit> = {' | '.join(ONES)};\n"
    )


@dataclass(frozen=True)
class HeardNumber:
    value: int
    start: float  # seconds from the start of the audio
    end: float
    confidence: float  # the recogniser's posterior probability of its words, 0-1

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "confidence": round(self.confidence, 2),
        }


@dataclass(frozen=True)
class Hearing:
    """What the recording's sound track said."""

    has_audio: bool
    speech_seconds: float = 0.0  # time above the silence threshold
    level_dbfs: float = -120.0  # loudness of the loudest windows
    numbers: tuple[HeardNumber, ...] = ()
    start: float = 0.0  # the audio track's first timestamp, seconds

    @property
    def silent(self) -> bool:
        return self.has_audio and self.speech_seconds < SPEECH_MIN_SECONDS


def audio_pcm(path: str | Path, *, fmt: str | None = None) -> tuple[np.ndarray, float] | None:
    """The first audio track as 16 kHz mono int16 samples and its start time, or None when
    the file has no audio track (or one that does not decode). `fmt` names the demuxer, so
    that FFmpeg does not guess (an upload is only ever WebM/Matroska or MP4/MOV)."""
    with av.open(os.fspath(path), format=fmt, metadata_errors="ignore") as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        chunks: list[np.ndarray] = []
        total = 0
        start: float | None = None
        limit = int(MAX_AUDIO_SECONDS * SAMPLE_RATE)
        try:
            for frame in container.decode(stream):
                if start is None and frame.time is not None:
                    start = float(frame.time)
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += chunk.size
                if total >= limit:
                    break
            else:
                for out in resampler.resample(None):
                    chunks.append(out.to_ndarray().reshape(-1))
        except av.FFmpegError:
            if not chunks:
                return None
    if not chunks:
        return None
    return np.concatenate(chunks)[:limit].astype(np.int16, copy=False), start or 0.0


def _window_levels(pcm: np.ndarray) -> np.ndarray:
    """Loudness (dBFS) of each 30 ms window."""
    count = pcm.size // WINDOW
    frames = pcm[: count * WINDOW].astype(np.float32).reshape(count, WINDOW) / 32768.0
    return 20 * np.log10(np.sqrt((frames**2).mean(axis=1)) + 1e-6)


def _active(levels: np.ndarray) -> np.ndarray:
    """Which windows are louder than the silence threshold."""
    floor = float(np.percentile(levels, 10))
    return levels >= max(SPEECH_MIN_DBFS, floor + SPEECH_ABOVE_FLOOR_DB)


def audio_level(pcm: np.ndarray) -> tuple[float, float]:
    """(seconds of sound above the silence threshold, dBFS of the loudest windows)."""
    if pcm.size < WINDOW:
        return 0.0, -120.0
    levels = _window_levels(pcm)
    active = int(np.count_nonzero(_active(levels)))
    return active * WINDOW / SAMPLE_RATE, float(np.percentile(levels, 98))


def speech_regions(pcm: np.ndarray) -> list[tuple[int, int]]:
    """Sample ranges with sound in them, padded and merged: the only parts worth decoding
    (a verification clip is mostly head turns in silence, and decoding costs per second)."""
    if pcm.size < WINDOW:
        return []
    active = np.flatnonzero(_active(_window_levels(pcm)))
    regions: list[list[int]] = []
    for index in active:
        start, end = max(0, index * WINDOW - PAD), min(pcm.size, (index + 1) * WINDOW + PAD)
        if regions and start <= regions[-1][1]:
            regions[-1][1] = end
        else:
            regions.append([start, end])
    return [(a, b) for a, b in regions]


_local = threading.local()  # a decoder is not safe to share between threads


def _decoder() -> Decoder:
    """One pocketsphinx decoder per thread, loaded once (~0.2 s) and reused."""
    if not hasattr(_local, "decoder"):
        decoder = Decoder(Config(lm=None, loglevel="FATAL"))
        decoder.add_jsgf_string("numbers", numbers_grammar())
        decoder.activate_search("numbers")
        _local.decoder = decoder
    return _local.decoder


def _group(words: list[tuple[str, float, float, float]]) -> list[HeardNumber]:
    """Words → numbers: a tens word followed by a digit is one number ("forty two" → 42)."""
    numbers: list[HeardNumber] = []
    pending: tuple[int, float, float, float] | None = None  # tens value, start, end, confidence

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            numbers.append(HeardNumber(*pending))
            pending = None

    for word, start, end, confidence in words:
        if word in TENS[2:]:
            flush()
            pending = (TENS.index(word) * 10, start, end, confidence)
        elif word in ONES and pending is not None:
            value, first, _, tens_confidence = pending
            numbers.append(
                HeardNumber(value + ONES.index(word), first, end, min(tens_confidence, confidence))
            )
            pending = None
        elif word in ONES:
            numbers.append(HeardNumber(ONES.index(word), start, end, confidence))
        elif word in TEENS:
            flush()
            numbers.append(HeardNumber(10 + TEENS.index(word), start, end, confidence))
    flush()
    return numbers


def recognise(pcm: np.ndarray) -> list[HeardNumber]:
    """The numbers spoken in 16 kHz mono int16 audio, with times relative to its start.

    Only the parts with sound are decoded, joined into one utterance (so the cepstral mean is
    taken over all the speech); times are mapped back to the original audio.
    """
    regions = speech_regions(pcm)
    if not regions:
        return []
    joined = np.concatenate([pcm[a:b] for a, b in regions])
    # offsets[i]: where region i starts in `joined`, to map a decoded time back.
    offsets = np.cumsum([0] + [b - a for a, b in regions])

    def original(frame: int) -> float:
        at = frame * SAMPLE_RATE // FRAME_RATE
        i = max(0, int(np.searchsorted(offsets, at, side="right")) - 1)
        i = min(i, len(regions) - 1)
        return float(regions[i][0] + at - offsets[i]) / SAMPLE_RATE

    decoder = _decoder()
    decoder.start_utt()
    decoder.process_raw(joined.tobytes(), full_utt=True)
    decoder.end_utt()
    words: list[tuple[str, float, float, float]] = []
    for segment in decoder.seg() or ():
        word = segment.word.split("(")[0]  # "two(2)" is the dictionary's second pronunciation
        if word.startswith(("<", "+", "[")):
            continue  # silence and noise fillers
        confidence = float(min(1.0, max(0.0, segment.prob)))
        words.append(
            (word, original(segment.start_frame), original(segment.end_frame + 1), confidence)
        )
    return _group(words)


def hear(path: str | Path, *, fmt: str | None = None) -> Hearing:
    """Listen to a recording: no audio track, silence, or the numbers read aloud."""
    decoded = audio_pcm(path, fmt=fmt)
    if decoded is None:
        return Hearing(has_audio=False)
    pcm, start = decoded
    speech, level = audio_level(pcm)
    if speech < SPEECH_MIN_SECONDS:
        return Hearing(has_audio=True, speech_seconds=speech, level_dbfs=level, start=start)
    heard = tuple(
        HeardNumber(n.value, n.start + start, n.end + start, n.confidence) for n in recognise(pcm)
    )
    return Hearing(
        has_audio=True, speech_seconds=speech, level_dbfs=level, numbers=heard, start=start
    )


def compare(asked: tuple[int, ...], heard: tuple[HeardNumber, ...]) -> list[HeardNumber | None]:
    """For each asked number, the heard number matched to it, in order (None: not heard).

    The longest common subsequence: "42, 17" matches the first two of 42, 17, 81, and "17,
    81" the last two, while numbers said out of order count once at most.
    """
    n, m = len(asked), len(heard)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            if asked[i] == heard[j].value:
                best[i][j] = 1 + best[i + 1][j + 1]
            else:
                best[i][j] = max(best[i + 1][j], best[i][j + 1])
    matched: list[HeardNumber | None] = [None] * n
    i = j = 0
    while i < n and j < m:
        if asked[i] == heard[j].value and best[i][j] == 1 + best[i + 1][j + 1]:
            matched[i] = heard[j]
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return matched
