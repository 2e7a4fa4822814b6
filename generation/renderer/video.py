"""Per-frame composition: camera, characters, particles, caption and watermark.

Everything expensive is built in ``Animator.__init__``; ``Animator.render`` only copies a window
of the sky plate, blends a few premultiplied layers at new offsets and stamps particles, all in
YUV 4:2:0, straight into the encoder's frame buffer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from generation.renderer.art import Stage, build_artwork
from generation.renderer.particles import ParticleSystem
from generation.renderer.planes import Layer, Planes, blend
from generation.renderer.scene import parse_hex
from generation.renderer.seeding import rng_for
from generation.renderer.sprites import (
    NATURAL_MOTION,
    WALKERS,
    SpriteSet,
    build_portrait,
    build_sprite,
)
from generation.renderer.text import caption_layer, watermark_layer, watermark_position


def _ease(u: float) -> float:
    u = min(1.0, max(0.0, u))
    return 0.5 - 0.5 * math.cos(math.pi * u)


def _union(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    """Rows covered by both bands; when they are disjoint, the larger one (a safe subset)."""
    if a is None or b is None:
        return a or b
    if a[0] <= b[1] and b[0] <= a[1]:
        return min(a[0], b[0]), max(a[1], b[1])
    return a if a[1] - a[0] >= b[1] - b[0] else b


def _outside(band: tuple[int, int] | None, height: int) -> list[tuple[int, int]]:
    """The row ranges of [0, height) outside ``band`` (all bounds even)."""
    if band is None:
        return [(0, height)]
    return [(r0, r1) for r0, r1 in ((0, band[0]), (band[1], height)) if r1 > r0]


@dataclass
class Actor:
    """One character instance: its sprites and the seeded parameters of its path."""

    sprite: SpriteSet
    motion: str
    params: np.ndarray  # 8 uniforms in [0, 1): the same draws whatever the kind, for remixes
    spread: float  # horizontal offset between instances of the same kind


class Animator:
    def __init__(
        self,
        scene: dict,
        *,
        width: int,
        height: int,
        fps: int,
        seconds: int,
        seed: int,
        handle: str,
        portrait: np.ndarray | None,
    ) -> None:
        self.scene = scene
        self.w, self.h, self.fps, self.duration = width, height, fps, float(seconds)
        self.seed = seed
        unit = min(width, height)
        self.camera_mode = scene["motion"]["camera"]
        cam_rng = rng_for(seed, "camera-path")
        self.cam_params = cam_rng.random(6)
        if self.camera_mode == "pan":
            mx, my = int(width * min(0.3, 0.06 + 0.03 * seconds)), int(height * 0.02)
        elif self.camera_mode == "drift":
            mx, my = int(width * 0.1), int(height * 0.04)
        else:
            mx, my = int(width * 0.02), int(height * 0.01)
        self.margin = (mx, my)
        layout = rng_for(seed, "layout")
        horizon_frac = 0.12 if scene["underwater"] else layout.uniform(0.56, 0.64)
        stage_w = (width + int(mx * 1.2) + 4) & ~1  # even: 4:2:0 chroma needs 2×2 blocks
        stage_h = (height + int(my * 1.2) + 4) & ~1
        horizon = int(stage_h * horizon_frac)
        # Where walkers stand: high enough that the caption band never hides them.
        ground = int(horizon + (stage_h - horizon) * 0.32)
        if scene["underwater"]:
            ground = int(stage_h - unit * 0.25)
        self.stage = Stage(stage_w, stage_h, width, height, horizon, ground, unit)
        self.art = build_artwork(scene, self.stage, seed, mx, self.duration)

        light = float(scene["palette"]["colors"]["light"])
        accents = [parse_hex(a) for a in scene["palette"]["colors"]["accents"]]
        spin = scene["motion"]["subjects"] == "spin"
        self.actors: list[Actor] = []
        slot = 0
        for subject in scene["subjects"]:
            if subject["role"] != "character":
                continue
            kind = subject["kind"]
            colour = (
                parse_hex(subject["color"]) if subject["color"] else accents[slot % len(accents)]
            )
            if kind in ("boat", "rocket") and not subject["color"]:
                colour = accents[0]
            sprite = build_sprite(kind, colour, unit, light, spin=spin)
            motion = scene["motion"]["subjects"] or NATURAL_MOTION[kind]
            if NATURAL_MOTION[kind] == "stand":
                motion = "stand"  # a dancing cat doesn't make the house dance
            if motion == "swim" and kind not in ("fish",):
                motion = "walk"
            for j in range(subject["count"]):
                params = rng_for(seed, "slot", slot, j).random(8)
                self.actors.append(
                    Actor(sprite, motion, params, spread=j / max(1, subject["count"]))
                )
            slot += 1
        if portrait is not None:
            ring = accents[1]
            sprite = build_portrait(portrait, unit, ring, spin=spin)
            motion = "spin" if spin else "drift"
            self.actors.append(
                Actor(sprite, motion, rng_for(seed, "portrait").random(8), spread=0.0)
            )

        self.particles = ParticleSystem(scene["particles"], scene, seed, width, height)
        self.caption, self.caption_y = caption_layer(scene["caption"], width, height)
        self.watermark = watermark_layer(handle, unit)
        self.watermark_start = int(rng_for(seed, "watermark").integers(0, 4))
        self.focus = self._zoom_focus()
        self._scratch = Planes.empty(width, height) if self.camera_mode == "zoom" else None

    # ----------------------------------------------------------------- camera

    def camera(self, t: float) -> tuple[float, float, float]:
        """Camera offset on the stage (x, y) and zoom factor at time ``t``."""
        mx, my = self.margin
        p = self.cam_params
        u = t / self.duration
        if self.camera_mode == "pan":
            x = mx * (_ease(u) if p[0] < 0.5 else 1.0 - _ease(u))
            y = my * (0.5 + 0.5 * math.sin(2 * math.pi * t / 7.0 + p[1] * 6))
            return x, y, 1.0
        if self.camera_mode == "drift":
            x = mx * (0.5 + 0.5 * math.sin(2 * math.pi * t / (9 + 5 * p[0]) + p[1] * 6))
            y = my * (0.5 + 0.5 * math.sin(2 * math.pi * t / (7 + 4 * p[2]) + p[3] * 6))
            return x, y, 1.0
        breathe_x = mx * (0.5 + 0.5 * math.sin(2 * math.pi * t / 8.0 + p[1] * 6))
        breathe_y = my * (0.5 + 0.5 * math.sin(2 * math.pi * t / 6.0 + p[2] * 6))
        zoom = 1.0 + 0.22 * _ease(u) if self.camera_mode == "zoom" else 1.0
        return breathe_x, breathe_y, zoom

    def _zoom_focus(self) -> tuple[float, float]:
        if self.actors:
            x, y, _ = self._actor_box(self.actors[0], self.duration * 0.75, (0.0, 0.0))
            return (
                min(max(x + self.actors[0].sprite.width / 2, 0), self.w),
                min(max(y + self.actors[0].sprite.height / 2, 0), self.h),
            )
        if self.art.sun is not None:
            return min(max(self.art.sun[0], 0), self.w), min(max(self.art.sun[1], 0), self.h)
        return self.w / 2, self.h * 0.45

    # ----------------------------------------------------------------- characters

    def _actor_box(
        self, actor: Actor, t: float, cam: tuple[float, float]
    ) -> tuple[float, float, float]:
        """Top-left of the actor's sprite on screen and its rotation angle (degrees)."""
        W, H, T = self.w, self.h, self.duration
        p = actor.params
        sw, sh = actor.sprite.width, actor.sprite.height
        kind = actor.sprite.kind
        direction = 1.0 if p[0] < 0.5 else -1.0
        horizon = self.stage.horizon - cam[1] * 0.3
        ground = self.stage.ground - cam[1]
        phase = p[5] * 2 * math.pi
        angle = 0.0
        motion = actor.motion
        if motion in ("walk", "run", "bounce"):
            speed = {"walk": 0.06, "run": 0.16, "bounce": 0.03}[motion] * W * (0.8 + 0.4 * p[1])
            if kind == "car":
                speed *= 1.8
            cx = W * (0.3 + 0.4 * p[2] + 0.5 * actor.spread) + direction * speed * (t - T / 2)
            cx = (cx + sw) % (W + 2 * sw) - sw
            if kind in WALKERS or motion == "bounce":
                # Stand inside the foreground band, whatever the shape of its ridge.
                base = ground + (0.04 + 0.03 * p[3]) * self.stage.unit
            else:  # a walking bird or balloon keeps its own altitude band
                base = H * (0.3 + 0.25 * p[3])
            if motion == "bounce":
                hop = abs(math.sin(math.pi * t * (1.4 + 0.6 * p[4]) + phase))
                base -= hop * 0.22 * self.stage.unit
            elif kind != "car":
                base -= abs(math.sin(2 * math.pi * t * 1.8 + phase)) * sh * 0.05
            return cx - sw / 2, base - sh, angle
        if motion == "fly":
            speed = 0.12 * W * (0.8 + 0.4 * p[1])
            if kind == "rocket":
                cx = W * (0.2 + 0.6 * p[2]) + direction * 0.04 * W * t
                cy = H * (0.8 - 0.5 * p[3]) - 0.09 * H * t
                cy = (cy + sh) % (H + 2 * sh) - sh
                return cx - sw / 2, cy - sh / 2, direction * -12.0
            cx = W * (0.3 + 0.4 * p[2] + 0.45 * actor.spread) + direction * speed * (t - T / 2)
            cx = (cx + sw) % (W + 2 * sw) - sw
            cy = (
                H * (0.14 + 0.28 * p[3])
                + math.sin(2 * math.pi * t / (2.5 + p[4]) + phase) * 0.04 * H
            )
            return cx - sw / 2, cy - sh / 2, angle
        if motion == "swim":
            speed = 0.08 * W * (0.8 + 0.4 * p[1])
            cx = W * (0.3 + 0.4 * p[2] + 0.5 * actor.spread) + direction * speed * (t - T / 2)
            cx = (cx + sw) % (W + 2 * sw) - sw
            top = H * 0.2 if self.scene["underwater"] else horizon + sh * 0.6
            cy = (
                top
                + (H * 0.88 - top) * (0.15 + 0.7 * p[3])
                + math.sin(2 * math.pi * t / 3 + phase) * 0.02 * H
            )
            return cx - sw / 2, cy - sh / 2, angle
        if motion == "bob":
            cx = W * (0.3 + 0.4 * p[2] + 0.3 * actor.spread) + direction * 0.025 * W * t
            base = (
                horizon
                + (H - horizon) * (0.22 + 0.3 * p[3])
                + math.sin(2 * math.pi * t / 2.6 + phase) * 0.006 * H
            )
            angle = 4.5 * math.sin(2 * math.pi * t / 3.1 + phase)
            return cx - sw / 2, base - sh * 0.85, angle
        if motion == "stand":  # buildings, plants, food: planted on the ground, in parallax
            cx = W * (0.18 + 0.64 * ((p[2] + actor.spread) % 1.0)) - cam[0] * 0.5
            base = ground + (0.02 + 0.03 * p[3]) * self.stage.unit
            if kind == "lighthouse" or kind == "castle":
                base = min(base, horizon + sh * 0.35)
            return cx - sw / 2, base - sh, angle
        # drift and spin: a slow Lissajous wander; balloons also rise.
        cx = W * (0.2 + 0.6 * p[2]) + math.sin(2 * math.pi * t / (8 + 4 * p[1]) + phase) * 0.12 * W
        cy0 = H * (0.32 + 0.12 * p[3] if kind == "portrait" else 0.2 + 0.35 * p[3])
        cy = cy0 + math.sin(2 * math.pi * t / (5 + 3 * p[4]) + phase * 1.7) * 0.05 * H
        if kind == "balloon":
            cy -= 0.02 * H * (t - T / 2)
        if motion == "spin":
            angle = direction * 120.0 * t
        return cx - sw / 2, cy - sh / 2, angle

    def _draw_actors(self, planes: Planes, t: float, cam: tuple[float, float]) -> None:
        placed = []
        for actor in self.actors:
            x, y, angle = self._actor_box(actor, t, cam)
            placed.append((y + actor.sprite.height, x, y, angle, actor))
        placed.sort(key=lambda item: item[0])  # lower on screen = nearer = drawn later
        for _, x, y, angle, actor in placed:
            sprite = actor.sprite
            if sprite.rotations and (actor.motion == "spin" or sprite.kind == "boat"):
                span = sprite.rotation_span
                count = len(sprite.rotations)
                if span >= 360:
                    index = int(round((angle % 360.0) / 360.0 * count)) % count
                else:
                    index = int(round((angle + span / 2) / span * (count - 1)))
                    index = min(max(index, 0), count - 1)
                layer = sprite.rotations[index]
                # Rotations sit on a larger square canvas: keep the same centre.
                ox = x + sprite.width / 2 - layer.width / 2
                oy = y + sprite.height / 2 - layer.height / 2
                blend(planes, layer, int(round(ox)), int(round(oy)))
                continue
            poses = sprite.right if actor.params[0] < 0.5 else sprite.left
            if sprite.kind == "bird":
                pose = (0, 1, 2, 1)[int(t * 9 + actor.params[6] * 4) % 4]
            else:
                pose = int(t * 4 + actor.params[6] * 2) % len(poses)
            blend(planes, poses[pose], int(round(x)), int(round(y)))

    # ----------------------------------------------------------------- frames

    def render(self, index: int, out: Planes) -> None:
        """Compose frame ``index`` into ``out`` (the encoder frame's planes)."""
        t = index / self.fps
        cx, cy, zoom = self.camera(t)
        target = self._scratch if zoom != 1.0 and self._scratch is not None else out
        spx, spy = self.art.sky_parallax
        sky_x, sky_y = int(round(cx * spx)), int(round(cy * spy))
        placed = []
        for item in self.art.layers:
            px, py = item.parallax
            layer = item.layer
            y = layer.y0 - int(round(cy * py))
            if item.wrap:
                x = layer.x0 - int(round((cx * px + t * item.speed) % item.wrap))
            elif item.speed:
                shift = t * item.speed - (self._extra(item) if item.speed > 0 else 0)
                x = layer.x0 - int(round(cx * px)) + int(round(shift))
            else:
                x = layer.x0 - int(round(cx * px))
            placed.append((layer, x, y))
        # Occlusion: rows that the opaque body of a later full-width layer (a hill, the ground)
        # will overwrite are not drawn at all for the sky and the layers behind it.
        hidden: list[tuple[int, int] | None] = [None] * len(placed)
        cover = None
        for i in range(len(placed) - 1, -1, -1):
            hidden[i] = cover
            cover = _union(cover, self._solid_rows(*placed[i]))
        for r0, r1 in _outside(cover, self.h):
            target.rows(r0, r1).copy_from(self.art.sky, sky_x, sky_y + r0)
        for (layer, x, y), skip in zip(placed, hidden, strict=True):
            for r0, r1 in _outside(skip, self.h):
                blend(target.rows(r0, r1), layer, x, y - r0)
        self._draw_actors(target, t, (cx, cy))
        if target is not out:
            self._zoom(target, out, zoom)
        self.particles.draw(out, t, (cx, cy))
        if self.caption is not None:
            blend(out, self.caption, 0, self.caption_y)
        bottom = self.caption_y if self.caption is not None else self.h
        wx, wy = watermark_position(
            t,
            frame=(self.w, self.h),
            size=(self.watermark.width, self.watermark.height),
            bottom_limit=bottom,
            start=self.watermark_start,
        )
        blend(out, self.watermark, wx, wy)

    def _solid_rows(self, layer: Layer, x: int, y: int) -> tuple[int, int] | None:
        """Frame rows (even bounds) fully covered, luma and chroma, by the layer's solid body."""
        if layer.solid is None or x > 0 or x + layer.width < self.w + 1:
            return None
        lo = max(0, y + layer.solid_top)
        hi = min(self.h, (y & ~1) + layer.solid_bottom)  # chroma rows sit at y >> 1
        lo, hi = lo + (lo & 1), hi - (hi & 1)
        return (lo, hi) if hi > lo else None

    def _extra(self, item: object) -> int:
        # Moving layers were drawn wider than the stage by their travel over the clip.
        speed = abs(getattr(item, "speed", 0.0))
        return int(speed * self.duration) + 2

    def _zoom(self, src: Planes, dst: Planes, zoom: float) -> None:
        """Nearest-neighbour zoom towards the focus point: two gathers per plane (~1.5 ms)."""
        fx, fy = self.focus
        left, top = fx * (1 - 1 / zoom), fy * (1 - 1 / zoom)
        ys = (top + np.arange(self.h) / zoom).astype(np.intp)
        xs = (left + np.arange(self.w) / zoom).astype(np.intp)
        np.take(np.take(src.y, ys, axis=0), xs, axis=1, out=dst.y, mode="clip")
        ysc = (top / 2 + np.arange(self.h // 2) / zoom).astype(np.intp)
        xsc = (left / 2 + np.arange(self.w // 2) / zoom).astype(np.intp)
        np.take(np.take(src.u, ysc, axis=0), xsc, axis=1, out=dst.u, mode="clip")
        np.take(np.take(src.v, ysc, axis=0), xsc, axis=1, out=dst.v, mode="clip")
