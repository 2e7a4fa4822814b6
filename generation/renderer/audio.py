"""The soundtrack: a pad chord progression, an arpeggio and light drums, synthesised with numpy.

Tempo, key, mode and how much drums come from the scene (i.e. from the prompt's mood words);
the progression, pattern and timbre details from the seed. Oscillators read from small
wavetables through fixed-point phase accumulators (one gather per sample instead of a sum of
sines), and bars on the same chord and repeated arpeggio notes are synthesised once, so 10 s of
stereo costs ~15 ms.
"""

from __future__ import annotations

import math

import numpy as np

from generation.renderer.scene import NOTE_NAMES
from generation.renderer.seeding import rng_for

SAMPLE_RATE = 48_000
_TABLE = 4096
_SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}
# Progressions as scale degrees (0 = tonic): the classic pop and minor-epic loops.
_PROGRESSIONS = {
    "major": ((0, 4, 5, 3), (0, 5, 3, 4), (0, 3, 4, 3), (3, 4, 0, 5)),
    "minor": ((0, 5, 2, 6), (0, 3, 4, 0), (0, 6, 5, 6), (0, 5, 3, 4)),
}


def _table(harmonics: list[float]) -> np.ndarray:
    phase = np.arange(_TABLE, dtype=np.float64) / _TABLE * 2 * math.pi
    wave = sum(a * np.sin((k + 1) * phase) for k, a in enumerate(harmonics))
    return (wave / np.max(np.abs(wave))).astype(np.float32)


_PAD = _table([1.0, 0.5, 0.3, 0.18, 0.1, 0.06, 0.035])
_PLUCK = _table([1.0, 0.35, 0.12, 0.05])
_BASS = _table([1.0, 0.25, 0.06])


_PHASE_BITS = 32
_INDEX_SHIFT = _PHASE_BITS - 12  # 4096-entry tables: the top 12 bits of the phase


def _osc(table: np.ndarray, cycles: float, count: int, phase: float = 0.0) -> np.ndarray:
    """``count`` samples of ``table`` advancing ``cycles`` periods per sample, from ``phase``.

    A 32-bit fixed-point phase accumulator (wrapping uint32 arithmetic): three integer passes
    and one gather instead of float64 time × frequency, modulo and conversion.
    """
    step = np.uint32(round(cycles * 2.0**_PHASE_BITS) % 2**_PHASE_BITS)
    start = np.uint32(round(phase % 1.0 * 2.0**_PHASE_BITS) % 2**_PHASE_BITS)
    acc = np.arange(count, dtype=np.uint32)
    acc *= step
    acc += start
    acc >>= _INDEX_SHIFT
    return table[acc]


def _midi_hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69) / 12.0)


def _chord(root: int, scale: tuple[int, ...], degree: int) -> list[int]:
    """Triad on ``degree`` of the scale, as MIDI notes above ``root``."""
    notes = []
    for step in (0, 2, 4):
        i = degree + step
        notes.append(root + scale[i % 7] + 12 * (i // 7))
    return notes


def synthesize(
    scene: dict, seed: int, seconds: float, sample_rate: int = SAMPLE_RATE
) -> np.ndarray:
    """Stereo float32 audio, shape (2, seconds * sample_rate), peak just below full scale."""
    rng = rng_for(seed, "music")
    sr = float(sample_rate)
    n = int(round(seconds * sample_rate))
    out = np.zeros((2, n), np.float32)
    name, mode = scene["key"].split()
    root = 48 + NOTE_NAMES.index(name)  # around C3: pads sit low, arpeggio an octave or two up
    scale = _SCALES[mode]
    bpm = float(scene["tempo_bpm"])
    beat = 60.0 / bpm
    bar = 4 * beat
    progression = _PROGRESSIONS[mode][int(rng.integers(0, 4))]
    drums = float(scene.get("drums", 0.5))

    # Pad and bass: one chord per bar, with overlapping attack/release so changes are smooth.
    # Every bar restarts its oscillators, so bars on the same chord are identical: each distinct
    # chord is synthesised once (at full bar length) and reused.
    bars = math.ceil(seconds / bar) + 1
    full = int((bar + 0.4) * sr) + 1
    seg = np.arange(full, dtype=np.float32) / np.float32(sr)
    bar_env = np.minimum(1.0, seg / 0.25) * np.clip((bar + 0.4 - seg) / 0.4, 0, 1)
    bar_env = bar_env.astype(np.float32)
    chords: dict[int, np.ndarray] = {}
    for b in range(bars):
        start = b * bar
        i0 = int(start * sr)
        if i0 >= n:
            break
        i1 = min(n, int((start + bar + 0.4) * sr))
        degree = progression[b % 4]
        if degree not in chords:
            notes = _chord(root, scale, degree)
            sound = np.zeros((2, full), np.float32)
            for j, note in enumerate(notes):
                f = _midi_hz(note) / sr
                # Two detuned copies, one per side: a wide, slowly beating pad.
                sound[0] += _osc(_PAD, f * 1.003, full, j * 0.13)
                sound[1] += _osc(_PAD, f * 0.997, full, j * 0.29)
            sound *= 0.16
            sound += _osc(_BASS, _midi_hz(notes[0] - 12) / sr, full) * np.float32(0.3)
            sound *= bar_env
            chords[degree] = sound
        out[:, i0:i1] += chords[degree][:, : i1 - i0]

    # Arpeggio: chord tones an octave up, eighths (sixteenths when energetic), panned around.
    # A note always sounds the same (only its level and pan change): one buffer per pitch.
    step = beat / (4 if bpm >= 120 else 2)
    pattern = rng.permutation([0, 1, 2, 3])
    decay = 0.18 if bpm >= 120 else 0.35
    length = int(decay * 4 * sr)
    pluck_env = np.exp(-np.arange(length, dtype=np.float32) / np.float32(decay * sr))
    tones: dict[int, np.ndarray] = {}
    k = 0
    at = 0.0
    while at < seconds:
        chord = _chord(root + 12, scale, progression[int(at // bar) % 4])
        pitches = [*chord, chord[0] + 12]
        note = pitches[int(pattern[k % 4])]
        if rng.random() > 0.12:  # a few rests keep it from sounding mechanical
            i0 = int(at * sr)
            tone = tones.get(note)
            if tone is None:
                tone = tones[note] = _osc(_PLUCK, _midi_hz(note) / sr, length) * pluck_env
            pan = 0.5 + 0.35 * math.sin(k * 0.9)
            level = 0.22 * (1.0 if k % 2 == 0 else 0.8)
            _add(out, tone, i0, level, pan)
        k += 1
        at += step

    # Drums: kick, clap and hats, scaled by the mood's appetite for percussion.
    if drums > 0.05:
        noise = rng.standard_normal(int(0.25 * sr)).astype(np.float32)
        kick_t = np.arange(int(0.35 * sr)) / sr
        kick = np.sin(2 * math.pi * (50 * kick_t + 90 * (1 - np.exp(-kick_t * 30)) / 30)).astype(
            np.float32
        )
        kick *= np.exp(-kick_t * 9).astype(np.float32)
        hat = np.diff(noise[: int(0.05 * sr) + 1]) * np.exp(
            -np.arange(int(0.05 * sr)) / (0.012 * sr)
        ).astype(np.float32)
        clap_t = np.arange(int(0.2 * sr)) / sr
        clap = (noise[: clap_t.size] - np.roll(noise[: clap_t.size], 3)) * np.exp(
            -clap_t * 25
        ).astype(np.float32)
        four_on_floor = bpm >= 118
        beat_i = 0
        at = 0.0
        while at < seconds:
            i0 = int(at * sr)
            if four_on_floor or beat_i % 4 in (0, 2):
                _add(out, kick, i0, 0.55 * drums, 0.5)
            if beat_i % 4 in (1, 3) and drums >= 0.4:
                _add(out, clap, i0, 0.16 * drums, 0.45)
            for half in (0.0, 0.5):
                _add(out, hat, int((at + half * beat) * sr), 0.12 * drums, 0.65 if half else 0.35)
            beat_i += 1
            at += beat

    # Fades and peak normalisation (to about -1 dBFS, never clipping): the fades only touch
    # their own ends of the clip.
    fade_in = max(1, int(min(0.3, seconds / 6) * sr))
    fade_out = max(1, int(min(0.8, seconds / 4) * sr))
    fade_in, fade_out = min(fade_in, n), min(fade_out, n)
    out[:, :fade_in] *= np.arange(fade_in, dtype=np.float32) / np.float32(fade_in)
    out[:, n - fade_out :] *= np.arange(fade_out, 0, -1, dtype=np.float32) / np.float32(fade_out)
    peak = max(float(out.max(initial=0.0)), -float(out.min(initial=0.0)))
    if peak > 0:
        out *= np.float32(0.89 / peak)
    return out


def _add(out: np.ndarray, sound: np.ndarray, i0: int, gain: float, pan: float) -> None:
    """Mix ``sound`` into ``out`` from sample ``i0``, panned (0 = left, 1 = right)."""
    n = out.shape[1]
    if i0 >= n:
        return
    i1 = min(n, i0 + sound.size)
    piece = sound[: i1 - i0]
    out[0, i0:i1] += piece * np.float32(gain * math.sqrt(1 - pan))
    out[1, i0:i1] += piece * np.float32(gain * math.sqrt(pan))
