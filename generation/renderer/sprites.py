"""Character sprites (cat, dog, person, bird, fish, balloon, car, boat, rocket, portrait).

Each kind is a few flat shapes drawn with Pillow at 2× and reduced, facing right, in one or
more poses (legs, wings, tail, flame). Sprites are converted to premultiplied 4:2:0 layers
once; the animator only picks a pose, a direction and a position per frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from generation.renderer import more_sprites
from generation.renderer.planes import Layer, layer_from_rgba
from generation.renderer.scene import RGB

SS = 2

# Natural motion of each kind when the prompt names none.
NATURAL_MOTION = {
    "cat": "walk", "dog": "walk", "person": "walk", "car": "run", "bird": "fly", "fish": "swim",
    "balloon": "drift", "boat": "bob", "rocket": "fly", "portrait": "drift",
    **more_sprites.NATURAL_MOTION,
}  # fmt: skip
# Size of each kind, as (width, height) in units of min(frame width, height).
SIZES = {
    "cat": (0.3, 0.2), "dog": (0.34, 0.24), "person": (0.16, 0.34), "car": (0.42, 0.19),
    "bird": (0.13, 0.09), "fish": (0.24, 0.13), "balloon": (0.17, 0.3), "boat": (0.34, 0.34),
    "rocket": (0.12, 0.3), **more_sprites.SIZES,
}  # fmt: skip
WALKERS = frozenset({"cat", "dog", "person", "car", *more_sprites.WALKERS})
POSES = {"cat": 2, "dog": 2, "person": 2, "bird": 3, "fish": 2, "rocket": 2, **more_sprites.POSES}


def _shade(color: RGB, k: float) -> tuple[int, int, int, int]:
    return (*(int(max(0, min(255, round(c * k)))) for c in color), 255)  # type: ignore[return-value]


def _cat(d: ImageDraw.ImageDraw, w: float, h: float, c: RGB, pose: int) -> None:
    body, dark = _shade(c, 1.0), _shade(c, 0.75)
    lift = 0.05 * h * (1 if pose else -1)
    for lx, dl in ((0.25, lift), (0.35, -lift), (0.62, -lift), (0.72, lift)):
        d.rounded_rectangle(
            (w * lx, h * 0.55 + dl, w * lx + w * 0.06, h * 0.98), radius=w * 0.02, fill=dark
        )
    d.line(
        [(w * 0.2, h * 0.55), (w * 0.08, h * 0.35), (w * 0.1, h * 0.1)],
        fill=body,
        width=int(w * 0.05),
        joint="curve",
    )
    d.ellipse((w * 0.15, h * 0.35, w * 0.8, h * 0.75), fill=body)
    d.ellipse((w * 0.66, h * 0.12, w * 0.96, h * 0.55), fill=body)
    d.polygon([(w * 0.68, h * 0.25), (w * 0.7, h * 0.0), (w * 0.8, h * 0.16)], fill=body)
    d.polygon([(w * 0.84, h * 0.16), (w * 0.93, h * 0.0), (w * 0.95, h * 0.26)], fill=body)
    d.ellipse((w * 0.83, h * 0.26, w * 0.89, h * 0.34), fill=(250, 240, 120, 255))
    d.ellipse((w * 0.855, h * 0.27, w * 0.875, h * 0.33), fill=(20, 20, 20, 255))
    d.polygon(
        [(w * 0.94, h * 0.36), (w * 0.97, h * 0.38), (w * 0.94, h * 0.4)], fill=(240, 130, 150, 255)
    )


def _dog(d: ImageDraw.ImageDraw, w: float, h: float, c: RGB, pose: int) -> None:
    body, dark = _shade(c, 1.0), _shade(c, 0.7)
    lift = 0.05 * h * (1 if pose else -1)
    for lx, dl in ((0.2, lift), (0.3, -lift), (0.58, -lift), (0.68, lift)):
        d.rounded_rectangle(
            (w * lx, h * 0.55 + dl, w * lx + w * 0.07, h * 0.98), radius=w * 0.02, fill=dark
        )
    d.line([(w * 0.16, h * 0.45), (w * 0.05, h * 0.22)], fill=body, width=int(w * 0.05))
    d.rounded_rectangle((w * 0.12, h * 0.35, w * 0.78, h * 0.72), radius=h * 0.17, fill=body)
    d.ellipse((w * 0.62, h * 0.08, w * 0.9, h * 0.5), fill=body)
    d.rounded_rectangle((w * 0.8, h * 0.28, w * 1.0, h * 0.46), radius=h * 0.08, fill=body)
    d.ellipse((w * 0.62, h * 0.1, w * 0.72, h * 0.42), fill=dark)
    d.ellipse((w * 0.95, h * 0.27, w * 1.0, h * 0.34), fill=(25, 25, 25, 255))
    d.ellipse((w * 0.78, h * 0.2, w * 0.83, h * 0.27), fill=(25, 25, 25, 255))


def _person(d: ImageDraw.ImageDraw, w: float, h: float, c: RGB, pose: int) -> None:
    skin, cloth, dark = (236, 188, 150, 255), _shade(c, 1.0), _shade(c, 0.6)
    lw = int(w * 0.16)
    swing = 0.18 * w * (1 if pose else -1)
    d.line([(w * 0.5, h * 0.62), (w * 0.5 + swing, h * 0.97)], fill=dark, width=lw)
    d.line([(w * 0.5, h * 0.62), (w * 0.5 - swing, h * 0.97)], fill=dark, width=lw)
    d.line([(w * 0.5, h * 0.3), (w * 0.5 - swing, h * 0.58)], fill=cloth, width=int(lw * 0.8))
    d.line([(w * 0.5, h * 0.3), (w * 0.5 + swing, h * 0.58)], fill=cloth, width=int(lw * 0.8))
    d.rounded_rectangle((w * 0.25, h * 0.24, w * 0.75, h * 0.66), radius=w * 0.15, fill=cloth)
    d.ellipse((w * 0.28, h * 0.02, w * 0.72, h * 0.24), fill=skin)
    d.chord((w * 0.26, h * 0.0, w * 0.74, h * 0.2), 180, 360, fill=(60, 40, 30, 255))
    d.ellipse((w * 0.58, h * 0.1, w * 0.63, h * 0.13), fill=(30, 30, 30, 255))


def _bird(d: ImageDraw.ImageDraw, w: float, h: float, c: RGB, pose: int) -> None:
    body, dark = _shade(c, 1.0), _shade(c, 0.7)
    tip = (h * 0.0, h * 0.45, h * 0.95)[pose]
    d.polygon([(w * 0.0, h * 0.55), (w * 0.2, h * 0.45), (w * 0.2, h * 0.62)], fill=dark)
    d.ellipse((w * 0.15, h * 0.4, w * 0.8, h * 0.72), fill=body)
    d.ellipse((w * 0.66, h * 0.3, w * 0.9, h * 0.58), fill=body)
    d.polygon(
        [(w * 0.88, h * 0.4), (w * 1.0, h * 0.46), (w * 0.88, h * 0.5)], fill=(250, 180, 40, 255)
    )
    d.polygon([(w * 0.35, h * 0.52), (w * 0.6, h * 0.52), (w * 0.3, tip)], fill=dark)


def _fish(d: ImageDraw.ImageDraw, w: float, h: float, c: RGB, pose: int) -> None:
    body, dark = _shade(c, 1.0), _shade(c, 0.72)
    wag = 0.12 * h * (1 if pose else -1)
    d.polygon([(w * 0.25, h * 0.5), (w * 0.0, h * 0.1 + wag), (w * 0.0, h * 0.9 + wag)], fill=dark)
    d.ellipse((w * 0.15, h * 0.1, w * 1.0, h * 0.9), fill=body)
    for sx in (0.45, 0.62):
        d.arc(
            (w * (sx - 0.1), h * 0.12, w * (sx + 0.05), h * 0.88),
            300,
            60,
            fill=(255, 255, 255, 200),
            width=int(w * 0.03),
        )
    d.polygon([(w * 0.45, h * 0.14), (w * 0.62, h * 0.0), (w * 0.7, h * 0.16)], fill=dark)
    d.ellipse((w * 0.78, h * 0.32, w * 0.88, h * 0.48), fill=(255, 255, 255, 255))
    d.ellipse((w * 0.81, h * 0.35, w * 0.86, h * 0.45), fill=(20, 20, 20, 255))


def _balloon(d: ImageDraw.ImageDraw, w: float, h: float, c: RGB, pose: int) -> None:
    body = _shade(c, 1.0)
    d.line(
        [(w * 0.5, h * 0.68), (w * 0.42, h * 0.8), (w * 0.55, h * 0.9), (w * 0.48, h * 1.0)],
        fill=(230, 230, 230, 255),
        width=max(2, int(w * 0.02)),
        joint="curve",
    )
    d.polygon([(w * 0.44, h * 0.7), (w * 0.56, h * 0.7), (w * 0.5, h * 0.64)], fill=_shade(c, 0.75))
    d.ellipse((w * 0.05, h * 0.0, w * 0.95, h * 0.68), fill=body)
    d.ellipse((w * 0.22, h * 0.08, w * 0.38, h * 0.24), fill=(255, 255, 255, 150))


def _car(d: ImageDraw.ImageDraw, w: float, h: float, c: RGB, pose: int) -> None:
    body = _shade(c, 1.0)
    d.polygon(
        [(w * 0.25, h * 0.42), (w * 0.35, h * 0.08), (w * 0.7, h * 0.08), (w * 0.82, h * 0.42)],
        fill=_shade(c, 0.85),
    )
    d.polygon(
        [(w * 0.32, h * 0.4), (w * 0.39, h * 0.15), (w * 0.51, h * 0.15), (w * 0.51, h * 0.4)],
        fill=(190, 225, 245, 255),
    )
    d.polygon(
        [(w * 0.55, h * 0.4), (w * 0.55, h * 0.15), (w * 0.67, h * 0.15), (w * 0.75, h * 0.4)],
        fill=(190, 225, 245, 255),
    )
    d.rounded_rectangle((w * 0.02, h * 0.38, w * 0.98, h * 0.78), radius=h * 0.12, fill=body)
    d.ellipse((w * 0.9, h * 0.45, w * 0.97, h * 0.58), fill=(255, 240, 170, 255))
    for wx in (0.22, 0.78):
        d.ellipse((w * (wx - 0.11), h * 0.56, w * (wx + 0.11), h * 1.0), fill=(25, 25, 28, 255))
        d.ellipse((w * (wx - 0.05), h * 0.68, w * (wx + 0.05), h * 0.88), fill=(170, 170, 180, 255))


def _boat(d: ImageDraw.ImageDraw, w: float, h: float, c: RGB, pose: int) -> None:
    d.line(
        [(w * 0.5, h * 0.05), (w * 0.5, h * 0.72)],
        fill=(90, 60, 40, 255),
        width=max(2, int(w * 0.025)),
    )
    d.polygon(
        [(w * 0.53, h * 0.08), (w * 0.53, h * 0.66), (w * 0.9, h * 0.66)], fill=(250, 248, 240, 255)
    )
    d.polygon(
        [(w * 0.47, h * 0.15), (w * 0.47, h * 0.66), (w * 0.18, h * 0.66)],
        fill=(235, 232, 225, 255),
    )
    d.polygon([(w * 0.5, h * 0.05), (w * 0.64, h * 0.09), (w * 0.5, h * 0.13)], fill=_shade(c, 1.0))
    d.polygon(
        [(w * 0.0, h * 0.72), (w * 1.0, h * 0.72), (w * 0.85, h * 0.92), (w * 0.12, h * 0.92)],
        fill=_shade(c, 0.8),
    )


def _rocket(d: ImageDraw.ImageDraw, w: float, h: float, c: RGB, pose: int) -> None:
    flame = h * (0.98 if pose else 0.9)
    d.polygon(
        [(w * 0.3, h * 0.78), (w * 0.7, h * 0.78), (w * 0.5, flame)], fill=(255, 150, 30, 255)
    )
    d.polygon(
        [(w * 0.4, h * 0.78), (w * 0.6, h * 0.78), (w * 0.5, flame - h * 0.06)],
        fill=(255, 236, 120, 255),
    )
    d.polygon([(w * 0.25, h * 0.5), (w * 0.0, h * 0.8), (w * 0.3, h * 0.75)], fill=_shade(c, 1.0))
    d.polygon([(w * 0.75, h * 0.5), (w * 1.0, h * 0.8), (w * 0.7, h * 0.75)], fill=_shade(c, 1.0))
    d.ellipse((w * 0.25, h * 0.02, w * 0.75, h * 0.8), fill=(238, 238, 242, 255))
    d.chord((w * 0.25, h * 0.02, w * 0.75, h * 0.5), 180, 360, fill=_shade(c, 1.0))
    d.ellipse((w * 0.38, h * 0.3, w * 0.62, h * 0.44), fill=(120, 190, 240, 255))


DRAW: dict[str, Callable[[ImageDraw.ImageDraw, float, float, RGB, int], None]] = {
    "cat": _cat, "dog": _dog, "person": _person, "bird": _bird, "fish": _fish,
    "balloon": _balloon, "car": _car, "boat": _boat, "rocket": _rocket, **more_sprites.DRAW,
}  # fmt: skip


def _light(img: Image.Image, light: float) -> Image.Image:
    """Characters are the subject: dim them with the scene's light, but only half as much."""
    k = 0.55 + 0.45 * light
    if k >= 0.999:
        return img
    arr = np.asarray(img).copy()
    arr[..., :3] = (arr[..., :3].astype(np.float32) * k).astype(np.uint8)
    return Image.fromarray(arr)


@dataclass
class SpriteSet:
    """Poses × (right-facing, left-facing) layers and, for spinning or rocking, rotations."""

    kind: str
    width: int
    height: int
    right: list[Layer]
    left: list[Layer]
    rotations: list[Layer]  # evenly spaced angles over ``rotation_span`` degrees
    rotation_span: float = 360.0


def _to_layers(images: list[Image.Image]) -> list[Layer]:
    out = []
    for img in images:
        layer = layer_from_rgba(np.asarray(img), crop=False)
        assert layer is not None
        out.append(layer)
    return out


def _rotations(img: Image.Image, count: int, span: float) -> list[Image.Image]:
    # Rotate on a square canvas so every angle has the same size and centre.
    side = int(math.hypot(img.width, img.height)) + 2
    side += side & 1
    base = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    base.paste(img, ((side - img.width) // 2, (side - img.height) // 2))
    start = -span / 2 if span < 360 else 0.0
    step = span / (count - 1) if span < 360 else 360.0 / count
    return [base.rotate(start + i * step, resample=Image.BICUBIC) for i in range(count)]


def build_sprite(kind: str, color: RGB, unit: int, light: float, *, spin: bool) -> SpriteSet:
    fw, fh = SIZES[kind]
    w, h = int(unit * fw) & ~1, int(unit * fh) & ~1
    poses = []
    for pose in range(POSES.get(kind, 1)):
        img = Image.new("RGBA", (w * SS, h * SS), (0, 0, 0, 0))
        DRAW[kind](ImageDraw.Draw(img), w * SS, h * SS, color, pose)
        poses.append(_light(img.reduce(SS), light))
    rotations: list[Layer] = []
    span = 360.0
    if spin:
        rotations = _to_layers(_rotations(poses[0], 16, 360.0))
    elif kind == "boat":
        span = 10.0
        rotations = _to_layers(_rotations(poses[0], 7, span))
    return SpriteSet(
        kind=kind,
        width=w,
        height=h,
        right=_to_layers(poses),
        left=_to_layers([p.transpose(Image.FLIP_LEFT_RIGHT) for p in poses]),
        rotations=rotations,
        rotation_span=span,
    )


def build_portrait(portrait: np.ndarray, unit: int, ring: RGB, *, spin: bool) -> SpriteSet:
    """An oval, soft-edged cut of the portrait (centre-cropped to 3:4) with a coloured ring."""
    img = Image.fromarray(np.ascontiguousarray(portrait[..., :3]))
    w, h = int(unit * 0.34) & ~1, int(unit * 0.44) & ~1
    src_w, src_h = img.size
    if src_w / src_h > 3 / 4:
        cw = int(src_h * 3 / 4)
        box = ((src_w - cw) // 2, 0, (src_w - cw) // 2 + cw, src_h)
    else:
        ch = int(src_w * 4 / 3)
        top = max(0, (src_h - ch) // 3)  # faces sit in the upper part of a portrait
        box = (0, top, src_w, min(src_h, top + ch))
    face = img.resize((w, h), Image.LANCZOS, box=box).convert("RGBA")
    border = max(3, unit // 90)
    mask = Image.new("L", (w * SS, h * SS), 0)
    ImageDraw.Draw(mask).ellipse(
        (border * SS, border * SS, (w - border) * SS, (h - border) * SS), fill=255
    )
    mask = mask.reduce(SS)
    out = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ringed = Image.new("L", (w * SS, h * SS), 0)
    ImageDraw.Draw(ringed).ellipse((0, 0, w * SS - 1, h * SS - 1), fill=255)
    out.paste(Image.new("RGBA", (w, h), (*ring, 255)), (0, 0), ringed.reduce(SS))
    out.paste(face, (0, 0), mask)
    shadow = Image.new("RGBA", (w + 24, h + 24), (0, 0, 0, 0))
    shadow.paste(Image.new("RGBA", (w, h), (0, 0, 0, 110)), (12, 18), ringed.reduce(SS))
    shadow = shadow.filter(ImageFilter.GaussianBlur(6))
    shadow.alpha_composite(out, (12, 12))
    rotations = _to_layers(_rotations(shadow, 16, 360.0)) if spin else []
    layers = _to_layers([shadow])
    return SpriteSet("portrait", shadow.width, shadow.height, layers, layers, rotations)
