"""Particles and weather (rain, snow, fireflies, confetti, sparkles, bubbles, leaves, petals,
twinkling stars), drawn vectorised: per frame, every particle of a group is one small stamp and
all stamps of the group are blended with a single fancy-indexed numpy operation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from generation.renderer.planes import Planes, yuv_color
from generation.renderer.scene import RGB, parse_hex
from generation.renderer.seeding import rng_for


def _disc_stamp(radius: float, soft: float = 1.0) -> np.ndarray:
    r = math.ceil(radius + soft)
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    d = np.hypot(xx, yy)
    return np.clip((radius - d) / soft + 0.5, 0, 1)


def _glow_stamp(radius: float) -> np.ndarray:
    r = math.ceil(radius * 2)
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    d2 = (xx * xx + yy * yy) / (radius * radius)
    return np.clip(np.exp(-d2 * 1.5) * 1.2, 0, 1)


def _ring_stamp(radius: float) -> np.ndarray:
    r = math.ceil(radius + 1)
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    d = np.hypot(xx, yy)
    ring = np.clip(1.2 - np.abs(d - radius) / 1.1, 0, 1)
    hx, hy = -radius * 0.4, -radius * 0.4
    spot = np.clip(radius * 0.22 - np.hypot(xx - hx, yy - hy) + 0.5, 0, 1)
    return np.maximum(ring * 0.9, spot) + 0.12 * (d < radius)


def _line_stamp(length: float, angle: float, width: float = 1.2) -> np.ndarray:
    dx, dy = math.sin(angle) * length, math.cos(angle) * length
    w, h = math.ceil(abs(dx)) + 3, math.ceil(abs(dy)) + 3
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    x0 = 1.0 if dx >= 0 else w - 2.0
    ax, ay = x0, 1.0
    t = np.clip(((xx - ax) * dx + (yy - ay) * dy) / (length * length), 0, 1)
    dist = np.hypot(xx - (ax + t * dx), yy - (ay + t * dy))
    return np.clip(width - dist, 0, 1) * (0.35 + 0.65 * t)  # a streak, brighter at its head


def _rect_stamp(w: float, h: float, angle: float) -> np.ndarray:
    r = math.ceil(math.hypot(w, h) / 2 + 1)
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float32)
    c, s = math.cos(angle), math.sin(angle)
    u, v = xx * c + yy * s, -xx * s + yy * c
    return np.clip(w / 2 - np.abs(u) + 0.5, 0, 1) * np.clip(h / 2 - np.abs(v) + 0.5, 0, 1)


def _leaf_stamp(length: float, angle: float) -> np.ndarray:
    r = math.ceil(length / 2 + 1)
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float32)
    c, s = math.cos(angle), math.sin(angle)
    u, v = xx * c + yy * s, -xx * s + yy * c
    e = (u / (length / 2)) ** 2 + (v / (length / 4.5)) ** 2
    return np.clip((1.0 - e) * 3.0, 0, 1)


def _sparkle_stamp(size: float) -> np.ndarray:
    r = math.ceil(size)
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float32)
    arms = np.exp(-np.abs(xx) * 1.6) * np.clip(1 - np.abs(yy) / size, 0, 1)
    arms = np.maximum(arms, np.exp(-np.abs(yy) * 1.6) * np.clip(1 - np.abs(xx) / size, 0, 1))
    core = np.exp(-(xx * xx + yy * yy) / (size * 0.12 + 1))
    return np.clip(arms + core, 0, 1)


@dataclass
class Group:
    """Particles sharing one stamp and colour: positions are computed for all at once."""

    stamp: np.ndarray  # int16 alpha 0..256, luma resolution
    color: tuple[int, int, int]  # Y, Cb, Cr
    x: np.ndarray  # start positions (px) and velocities (px/s), float32
    y: np.ndarray
    vx: np.ndarray
    vy: np.ndarray
    sway: np.ndarray  # horizontal sway amplitude (px)
    phase: np.ndarray
    freq: np.ndarray  # sway / twinkle frequency (Hz)
    alpha: np.ndarray  # base opacity 0..1
    twinkle: float = 0.0  # 0 = steady, 1 = fully pulsing
    chroma: bool = True  # also tint chroma (coloured particles)
    parallax: float = 0.8  # how much the camera movement shifts them
    region: tuple[float, float] = (0.0, 1.0)  # vertical band (fraction of frame) they live in
    frames: list[np.ndarray] | None = None  # alternative stamps cycled over time (flutter)

    def __post_init__(self) -> None:
        self._prepare(self.stamp)

    def _prepare(self, stamp: np.ndarray) -> None:
        h, w = stamp.shape
        yy, xx = np.mgrid[0:h, 0:w]
        keep = stamp.ravel() > 8
        self._dy = (yy.ravel()[keep] - h // 2).astype(np.intp)
        self._dx = (xx.ravel()[keep] - w // 2).astype(np.intp)
        self._a = stamp.ravel()[keep].astype(np.int32)
        self._h, self._w = h, w


def _to_int(stamp: np.ndarray) -> np.ndarray:
    return np.round(np.clip(stamp, 0, 1) * 256).astype(np.int16)


class ParticleSystem:
    def __init__(self, kinds: list[str], scene: dict, seed: int, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.groups: list[Group] = []
        unit = min(width, height)
        accents = [parse_hex(a) for a in scene["palette"]["colors"]["accents"]]
        for kind in kinds:
            self._add(kind, rng_for(seed, "particles", kind), unit, accents, scene)
        # Stars twinkle in every night sky: a handful of sparkles above the horizon.
        if any(s["kind"] == "stars" for s in scene["subjects"]) and "sparkles" not in kinds:
            rng = rng_for(seed, "particles", "twinkle")
            for size in (3.0, 4.5):
                self._group(
                    rng,
                    12,
                    _sparkle_stamp(size),
                    (255, 250, 230),
                    unit,
                    speed=(0, 0),
                    sway=0,
                    twinkle=1.0,
                    alpha=(0.6, 1.0),
                    chroma=False,
                    parallax=0.15,
                    region=(0.0, 0.45),
                    freq=(0.3, 0.8),
                )

    def _group(
        self,
        rng: np.random.Generator,
        n: int,
        stamp: np.ndarray,
        color: RGB,
        unit: int,
        *,
        speed: tuple[float, float],
        sway: float,
        alpha: tuple[float, float] = (0.7, 1.0),
        twinkle: float = 0.0,
        chroma: bool = True,
        parallax: float = 0.8,
        region: tuple[float, float] = (0.0, 1.0),
        freq: tuple[float, float] = (0.2, 0.6),
        jitter: float = 0.25,
        frames: list[np.ndarray] | None = None,
    ) -> None:
        f = np.float32
        vx = (speed[0] * unit * (1 + rng.uniform(-jitter, jitter, n))).astype(f)
        vy = (speed[1] * unit * (1 + rng.uniform(-jitter, jitter, n))).astype(f)
        self.groups.append(
            Group(
                stamp=_to_int(stamp),
                color=yuv_color(color),
                x=rng.uniform(0, self.width, n).astype(f),
                y=rng.uniform(0, self.height, n).astype(f),
                vx=vx,
                vy=vy,
                sway=(sway * unit * rng.uniform(0.5, 1.0, n)).astype(f),
                phase=rng.uniform(0, 2 * math.pi, n).astype(f),
                freq=rng.uniform(*freq, n).astype(f),
                alpha=rng.uniform(*alpha, n).astype(f),
                twinkle=twinkle,
                chroma=chroma,
                parallax=parallax,
                region=region,
                frames=[_to_int(s) for s in frames] if frames else None,
            )
        )

    def _add(
        self, kind: str, rng: np.random.Generator, unit: int, accents: list[RGB], scene: dict
    ) -> None:
        area = self.width * self.height / (720 * 1280)  # particle counts scale with frame area
        if kind == "rain":
            angle = rng.uniform(-0.25, 0.25)
            for length, n, a in ((unit * 0.035, 100, (0.2, 0.4)), (unit * 0.06, 50, (0.3, 0.55))):
                sp = length / (unit * 0.035)
                self._group(
                    rng,
                    int(n * area),
                    _line_stamp(length, angle),
                    (210, 220, 235),
                    unit,
                    speed=(math.sin(angle) * 1.6 * sp, math.cos(angle) * 1.6 * sp),
                    sway=0,
                    alpha=a,
                    chroma=False,
                    parallax=0.9,
                    jitter=0.1,
                )
        elif kind == "snow":
            for r, n, v in ((1.6, 110, 0.07), (2.6, 70, 0.11), (4.0, 30, 0.16)):
                self._group(
                    rng,
                    int(n * area),
                    _disc_stamp(r * unit / 720, 1.2),
                    (255, 255, 255),
                    unit,
                    speed=(0.01, v),
                    sway=0.02,
                    alpha=(0.7, 1.0),
                    chroma=False,
                    parallax=0.5 + v * 3,
                )
        elif kind == "fireflies":
            for r, n in ((5.0, 25), (8.0, 14)):
                self._group(
                    rng,
                    int(n * area),
                    _glow_stamp(r * unit / 720),
                    (225, 255, 110),
                    unit,
                    speed=(0.0, -0.004),
                    sway=0.05,
                    alpha=(0.7, 1.0),
                    twinkle=0.85,
                    region=(0.35, 1.0),
                    freq=(0.15, 0.5),
                )
        elif kind == "confetti":
            for i, col in enumerate(accents):
                frames = [
                    _rect_stamp(5 * unit / 720, 11 * unit / 720, a)
                    for a in np.linspace(0, math.pi, 6, endpoint=False)
                ]
                self._group(
                    rng,
                    int(40 * area),
                    frames[i % 6],
                    col,
                    unit,
                    speed=(0.0, 0.12),
                    sway=0.03,
                    freq=(0.4, 1.0),
                    frames=frames,
                )
        elif kind == "sparkles":
            for size, n in ((5.0, 30), (8.0, 16)):
                self._group(
                    rng,
                    int(n * area),
                    _sparkle_stamp(size * unit / 720),
                    (255, 248, 220),
                    unit,
                    speed=(0.0, -0.01),
                    sway=0.01,
                    twinkle=1.0,
                    chroma=False,
                    freq=(0.3, 0.9),
                )
        elif kind == "bubbles":
            for r, n in ((4.0, 25), (7.0, 18), (11.0, 8)):
                self._group(
                    rng,
                    int(n * area),
                    _ring_stamp(r * unit / 720),
                    (235, 250, 255),
                    unit,
                    speed=(0.0, -0.06 - r * 0.006),
                    sway=0.012,
                    alpha=(0.5, 0.85),
                    chroma=False,
                    freq=(0.5, 1.2),
                )
        elif kind in ("leaves", "petals"):
            cols = [(214, 84, 0), (230, 126, 34), (192, 57, 43), (241, 196, 15)]
            length = 16.0
            if kind == "petals":
                cols, length = (
                    [(255, 200, 221), (255, 175, 204), (255, 240, 245), (250, 190, 210)],
                    11.0,
                )
            frames = [
                _leaf_stamp(length * unit / 720, a)
                for a in np.linspace(0, math.pi, 6, endpoint=False)
            ]
            for i, col in enumerate(cols):
                self._group(
                    rng,
                    int(14 * area),
                    frames[i],
                    col,
                    unit,
                    speed=(0.03, 0.07),
                    sway=0.06,
                    freq=(0.15, 0.35),
                    frames=frames,
                )

    def draw(self, planes: Planes, t: float, camera: tuple[float, float]) -> None:
        for group in self.groups:
            self._draw_group(planes, group, t, camera)

    def _draw_group(self, planes: Planes, g: Group, t: float, camera: tuple[float, float]) -> None:
        W, H = self.width, self.height
        top, bottom = g.region[0] * H, g.region[1] * H
        span_y = bottom - top
        margin = 24.0
        # Wrap around a slightly larger box so particles leave and re-enter off-screen.
        x = (
            g.x
            + g.vx * t
            + g.sway * np.sin(g.phase + t * g.freq * 2 * math.pi)
            - camera[0] * g.parallax
        )
        y = g.y * (span_y / H) + g.vy * t - camera[1] * g.parallax
        x = np.mod(x + margin, W + 2 * margin) - margin
        y = np.mod(y - top + margin, span_y + 2 * margin) - margin + top
        alpha = g.alpha
        if g.twinkle:
            pulse = 0.5 + 0.5 * np.sin(g.phase * 3 + t * g.freq * 2 * math.pi)
            alpha = alpha * (1 - g.twinkle + g.twinkle * pulse * pulse)
        if g.frames:
            index = int(t * 6) % len(g.frames)
            g._prepare(g.frames[index])
        xi = x.astype(np.intp)
        yi = y.astype(np.intp)
        ys = (yi[:, None] + g._dy[None, :]).ravel()
        xs = (xi[:, None] + g._dx[None, :]).ravel()
        a = (alpha[:, None] * g._a[None, :]).astype(np.int32).ravel()
        inside = (ys >= 0) & (ys < H) & (xs >= 0) & (xs < W)
        ys, xs, a = ys[inside], xs[inside], a[inside]
        if ys.size == 0:
            return
        cy, cu, cv = g.color
        cur = planes.y[ys, xs].astype(np.int32)
        planes.y[ys, xs] = cur + (((cy - cur) * a) >> 8)
        if g.chroma:
            # Chroma at half resolution: the top-left pixel of each 2×2 block carries it.
            sel = ((ys & 1) == 0) & ((xs & 1) == 0)
            ys2, xs2, a2 = ys[sel] >> 1, xs[sel] >> 1, a[sel]
            for plane, target in ((planes.u, cu), (planes.v, cv)):
                cur = plane[ys2, xs2].astype(np.int32)
                plane[ys2, xs2] = cur + (((target - cur) * a2) >> 8)
