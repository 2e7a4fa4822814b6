"""More subjects for the local renderer: the animals, buildings, vehicles, food and things
people ask for most, each a recognisable flat shape (facing right, like ``sprites``).

Four-legged animals share one body plan and differ by what tells them apart at a glance: the
elephant's trunk, the rabbit's ears, the sheep's wool, the cow's patches, the lion's mane.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PIL import ImageDraw

from generation.renderer.scene import RGB

Draw = ImageDraw.ImageDraw
WHITE, BLACK = (250, 250, 250, 255), (25, 25, 28, 255)


def _shade(color: RGB, k: float) -> tuple[int, int, int, int]:
    return (*(int(max(0, min(255, round(v * k)))) for v in color), 255)  # type: ignore[return-value]


@dataclass(frozen=True)
class Quadruped:
    leg: float = 0.35  # leg length, fraction of height
    body: float = 0.3  # body thickness
    neck: float = 0.0  # head raised on a neck (horse, deer)
    ears: str = "point"  # point, round, long, none
    tail: str = "thin"  # thin, bushy, none, curl
    extra: str = ""  # trunk, wool, spots, mane, antlers, snout, stripes
    colour: RGB | None = None  # the animal's own colour (None: the scene's accent)


ANIMALS: dict[str, Quadruped] = {
    "horse": Quadruped(leg=0.45, body=0.26, neck=0.3, ears="point", extra="mane"),
    "cow": Quadruped(leg=0.34, body=0.34, ears="round", extra="spots", colour=(245, 245, 240)),
    "sheep": Quadruped(
        leg=0.28, body=0.4, ears="round", tail="none", extra="wool", colour=(240, 238, 230)
    ),
    "pig": Quadruped(
        leg=0.22, body=0.42, ears="point", tail="curl", extra="snout", colour=(246, 170, 185)
    ),
    "bear": Quadruped(leg=0.3, body=0.42, ears="round", tail="none", colour=(110, 72, 44)),
    "fox": Quadruped(leg=0.26, body=0.28, ears="point", tail="bushy", colour=(226, 110, 40)),
    "rabbit": Quadruped(leg=0.18, body=0.4, ears="long", tail="none", colour=(200, 190, 180)),
    "elephant": Quadruped(leg=0.38, body=0.46, ears="round", extra="trunk", colour=(150, 150, 160)),
    "lion": Quadruped(leg=0.32, body=0.3, ears="round", extra="mane", colour=(222, 170, 80)),
    "deer": Quadruped(
        leg=0.48,
        body=0.24,
        neck=0.26,
        ears="point",
        tail="none",
        extra="antlers",
        colour=(170, 110, 60),
    ),
    "tiger": Quadruped(leg=0.3, body=0.3, ears="round", extra="stripes", colour=(240, 140, 30)),
}


def _quadruped(spec: Quadruped) -> Callable[[Draw, float, float, RGB, int], None]:
    def draw(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
        colour = spec.colour or c
        body, dark = _shade(colour, 1.0), _shade(colour, 0.72)
        top = h * (1 - spec.leg - spec.body)
        belly = h * (1 - spec.leg)
        lift = 0.05 * h * (1 if pose else -1)
        for lx, dl in ((0.18, lift), (0.28, -lift), (0.6, -lift), (0.7, lift)):
            d.rectangle((w * lx, belly - h * 0.05 + dl, w * (lx + 0.07), h * 0.99), fill=dark)
        if spec.tail == "thin":
            d.line([(w * 0.14, top + h * 0.05), (w * 0.03, belly)], fill=dark, width=int(w * 0.03))
        elif spec.tail == "bushy":
            d.ellipse((w * -0.02, top, w * 0.2, belly), fill=body)
            d.ellipse((w * -0.02, belly - h * 0.08, w * 0.06, belly), fill=WHITE)
        elif spec.tail == "curl":
            d.arc((w * 0.04, top, w * 0.16, top + h * 0.12), 0, 300, fill=dark, width=3)
        if spec.extra == "wool":
            for i in range(6):
                x = w * (0.12 + 0.1 * i)
                d.ellipse((x, top - h * 0.04, x + w * 0.18, belly + h * 0.04), fill=body)
        else:
            d.rounded_rectangle((w * 0.1, top, w * 0.8, belly), radius=h * spec.body / 2, fill=body)
        if spec.extra == "spots":
            for sx, sy in ((0.25, 0.2), (0.5, 0.5), (0.62, 0.15)):
                y = top + (belly - top) * sy
                d.ellipse((w * sx, y, w * (sx + 0.1), y + (belly - top) * 0.35), fill=BLACK)
        if spec.extra == "stripes":
            for sx in (0.3, 0.42, 0.54, 0.66):
                d.line([(w * sx, top), (w * (sx - 0.04), belly)], fill=BLACK, width=int(w * 0.02))
        # Head: on a neck for tall grazers, at the shoulder otherwise.
        head_h = h * max(0.2, spec.body * 0.8)
        hx0, hy0 = w * 0.72, top - h * spec.neck - head_h * 0.25
        if spec.neck:
            d.polygon(
                [
                    (w * 0.68, top + h * 0.1),
                    (w * 0.78, hy0 + head_h * 0.4),
                    (w * 0.88, hy0 + head_h * 0.4),
                    (w * 0.8, top + h * 0.12),
                ],
                fill=body,
            )
        if spec.extra == "mane":
            d.ellipse(
                (hx0 - w * 0.08, hy0 - head_h * 0.3, hx0 + w * 0.22, hy0 + head_h * 1.3),
                fill=_shade(colour, 0.55),
            )
        d.ellipse((hx0, hy0, hx0 + w * 0.22, hy0 + head_h), fill=body)
        if spec.extra in ("snout", "trunk") or spec.neck:
            d.ellipse(
                (hx0 + w * 0.15, hy0 + head_h * 0.35, hx0 + w * 0.28, hy0 + head_h * 0.9),
                fill=_shade(colour, 0.9),
            )
        if spec.extra == "trunk":
            d.line(
                [
                    (hx0 + w * 0.2, hy0 + head_h * 0.6),
                    (hx0 + w * 0.26, h * 0.8),
                    (hx0 + w * 0.22, h * 0.92),
                ],
                fill=body,
                width=int(w * 0.05),
                joint="curve",
            )
            d.ellipse((hx0 - w * 0.06, hy0, hx0 + w * 0.1, hy0 + head_h * 1.1), fill=dark)
        if spec.ears == "point":
            d.polygon(
                [
                    (hx0 + w * 0.03, hy0 + head_h * 0.2),
                    (hx0 + w * 0.06, hy0 - head_h * 0.35),
                    (hx0 + w * 0.11, hy0 + head_h * 0.1),
                ],
                fill=dark,
            )
        elif spec.ears == "round":
            d.ellipse((hx0, hy0 - head_h * 0.15, hx0 + w * 0.07, hy0 + head_h * 0.3), fill=dark)
        elif spec.ears == "long":
            for ex in (0.03, 0.09):
                d.ellipse(
                    (hx0 + w * ex, hy0 - head_h * 1.3, hx0 + w * (ex + 0.06), hy0 + head_h * 0.3),
                    fill=body,
                )
        if spec.extra == "antlers":
            x0, y0 = hx0 + w * 0.08, hy0
            d.line(
                [(x0, y0), (x0 - w * 0.04, y0 - head_h), (x0 - w * 0.1, y0 - head_h * 1.4)],
                fill=(120, 85, 50, 255),
                width=3,
            )
            d.line(
                [(x0 - w * 0.04, y0 - head_h), (x0 + w * 0.03, y0 - head_h * 1.5)],
                fill=(120, 85, 50, 255),
                width=3,
            )
        ex, ey = hx0 + w * 0.14, hy0 + head_h * 0.3
        d.ellipse((ex, ey, ex + w * 0.03, ey + head_h * 0.15), fill=BLACK)

    return draw


def _house(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    d.rectangle((w * 0.1, h * 0.45, w * 0.9, h), fill=_shade(c, 1.0))
    d.polygon(
        [(w * 0.0, h * 0.48), (w * 0.5, h * 0.05), (w * 1.0, h * 0.48)], fill=(150, 50, 40, 255)
    )
    d.rectangle((w * 0.42, h * 0.68, w * 0.58, h), fill=(90, 55, 35, 255))
    for x in (0.18, 0.68):
        d.rectangle((w * x, h * 0.56, w * (x + 0.14), h * 0.72), fill=(255, 230, 140, 255))
    d.rectangle((w * 0.7, h * 0.1, w * 0.8, h * 0.3), fill=(120, 60, 50, 255))


def _lighthouse(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    d.polygon([(w * 0.3, h), (w * 0.38, h * 0.25), (w * 0.62, h * 0.25), (w * 0.7, h)], fill=WHITE)
    for y in (0.4, 0.65, 0.88):
        top, bottom = h * y, h * (y + 0.1)
        inset = 0.08 * (1 - y)
        d.rectangle((w * (0.32 + inset), top, w * (0.68 - inset), bottom), fill=(210, 40, 45, 255))
    d.rectangle((w * 0.36, h * 0.12, w * 0.64, h * 0.25), fill=(255, 236, 120, 255))
    d.polygon(
        [(w * 0.32, h * 0.12), (w * 0.5, h * 0.0), (w * 0.68, h * 0.12)], fill=(60, 60, 70, 255)
    )
    beam = (255, 245, 170, 110 if pose else 60)
    d.polygon([(w * 0.64, h * 0.15), (w * 1.0, h * 0.05), (w * 1.0, h * 0.28)], fill=beam)
    d.polygon([(w * 0.36, h * 0.15), (w * 0.0, h * 0.05), (w * 0.0, h * 0.28)], fill=beam)


def _castle(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    stone, dark = (170, 165, 160, 255), (120, 115, 112, 255)
    d.rectangle((w * 0.15, h * 0.4, w * 0.85, h), fill=stone)
    for x in (0.0, 0.72):
        d.rectangle((w * x, h * 0.2, w * (x + 0.28), h), fill=dark)
        d.polygon(
            [(w * x, h * 0.2), (w * (x + 0.14), h * 0.0), (w * (x + 0.28), h * 0.2)],
            fill=_shade(c, 1.0),
        )
    for i in range(5):
        d.rectangle((w * (0.3 + 0.09 * i), h * 0.34, w * (0.35 + 0.09 * i), h * 0.4), fill=stone)
    d.chord((w * 0.4, h * 0.62, w * 0.6, h * 1.1), 180, 360, fill=(70, 45, 30, 255))
    d.rectangle((w * 0.4, h * 0.86, w * 0.6, h), fill=(70, 45, 30, 255))


def _windmill(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    d.polygon(
        [(w * 0.35, h), (w * 0.42, h * 0.35), (w * 0.58, h * 0.35), (w * 0.65, h)], fill=WHITE
    )
    d.rectangle((w * 0.46, h * 0.8, w * 0.54, h), fill=(90, 60, 40, 255))
    cx, cy = w * 0.5, h * 0.35
    arms = (
        [(1, 0), (0, 1), (-1, 0), (0, -1)]
        if pose
        else [(0.7, 0.7), (-0.7, 0.7), (-0.7, -0.7), (0.7, -0.7)]
    )
    for ax, ay in arms:
        d.line(
            [(cx, cy), (cx + ax * w * 0.45, cy + ay * h * 0.3)],
            fill=_shade(c, 0.8),
            width=int(w * 0.06),
        )
    d.ellipse((cx - w * 0.04, cy - w * 0.04, cx + w * 0.04, cy + w * 0.04), fill=BLACK)


def _tent(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    d.polygon([(w * 0.0, h), (w * 0.5, h * 0.05), (w * 1.0, h)], fill=_shade(c, 1.0))
    d.polygon([(w * 0.38, h), (w * 0.5, h * 0.45), (w * 0.62, h)], fill=(40, 30, 30, 255))


def _flower(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    d.line([(w * 0.5, h * 0.4), (w * 0.5, h)], fill=(60, 140, 60, 255), width=int(w * 0.08))
    d.ellipse((w * 0.5, h * 0.6, w * 0.85, h * 0.75), fill=(70, 160, 70, 255))
    for ox, oy in (
        (0, -1),
        (1, 0),
        (0, 1),
        (-1, 0),
        (0.7, 0.7),
        (-0.7, -0.7),
        (0.7, -0.7),
        (-0.7, 0.7),
    ):
        x, y = w * 0.5 + ox * w * 0.25, h * 0.25 + oy * w * 0.25
        d.ellipse((x - w * 0.16, y - w * 0.16, x + w * 0.16, y + w * 0.16), fill=_shade(c, 1.0))
    d.ellipse(
        (w * 0.35, h * 0.25 - w * 0.15, w * 0.65, h * 0.25 + w * 0.15), fill=(250, 210, 60, 255)
    )


def _snowman(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    d.ellipse((w * 0.1, h * 0.5, w * 0.9, h), fill=WHITE)
    d.ellipse((w * 0.2, h * 0.25, w * 0.8, h * 0.62), fill=WHITE)
    d.ellipse((w * 0.3, h * 0.05, w * 0.7, h * 0.32), fill=WHITE)
    d.rectangle((w * 0.3, h * 0.0, w * 0.7, h * 0.08), fill=BLACK)
    d.polygon(
        [(w * 0.5, h * 0.18), (w * 0.75, h * 0.2), (w * 0.5, h * 0.22)], fill=(240, 130, 30, 255)
    )
    d.rectangle((w * 0.25, h * 0.3, w * 0.75, h * 0.35), fill=_shade(c, 1.0))
    for y in (0.42, 0.5, 0.7):
        d.ellipse((w * 0.47, h * y, w * 0.53, h * (y + 0.03)), fill=BLACK)


def _robot(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    metal, dark = _shade(c, 1.0), _shade(c, 0.6)
    swing = 0.1 * w * (1 if pose else -1)
    d.rectangle((w * 0.3 + swing, h * 0.7, w * 0.45 + swing, h), fill=dark)
    d.rectangle((w * 0.55 - swing, h * 0.7, w * 0.7 - swing, h), fill=dark)
    d.rectangle((w * 0.2, h * 0.32, w * 0.8, h * 0.72), fill=metal)
    d.rectangle((w * 0.05, h * 0.35, w * 0.18, h * 0.62), fill=dark)
    d.rectangle((w * 0.82, h * 0.35, w * 0.95, h * 0.62), fill=dark)
    d.rectangle((w * 0.28, h * 0.08, w * 0.72, h * 0.3), fill=metal)
    for x in (0.36, 0.56):
        d.ellipse((w * x, h * 0.14, w * (x + 0.1), h * 0.22), fill=(120, 230, 255, 255))
    d.line([(w * 0.5, h * 0.08), (w * 0.5, h * 0.0)], fill=dark, width=3)
    d.ellipse((w * 0.45, h * 0.42, w * 0.55, h * 0.5), fill=(255, 80, 80, 255))


def _butterfly(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    open_ = (0.05, 0.25, 0.45)[pose]
    for sign in (-1, 1):
        x = w * 0.5 + sign * w * (0.45 - open_ * 0.4)
        d.ellipse((min(w * 0.5, x), h * 0.05, max(w * 0.5, x), h * 0.55), fill=_shade(c, 1.0))
        d.ellipse((min(w * 0.5, x), h * 0.45, max(w * 0.5, x), h * 0.9), fill=_shade(c, 0.8))
    d.ellipse((w * 0.46, h * 0.1, w * 0.54, h * 0.9), fill=BLACK)


def _airplane(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    d.polygon(
        [(w * 0.35, h * 0.5), (w * 0.55, h * 0.5), (w * 0.3, h * 1.0), (w * 0.2, h * 1.0)],
        fill=_shade(c, 0.8),
    )
    d.rounded_rectangle((w * 0.02, h * 0.38, w * 0.98, h * 0.62), radius=h * 0.12, fill=WHITE)
    d.polygon(
        [(w * 0.02, h * 0.5), (w * 0.05, h * 0.0), (w * 0.16, h * 0.0), (w * 0.2, h * 0.4)],
        fill=_shade(c, 1.0),
    )
    for i in range(6):
        d.ellipse(
            (w * (0.3 + 0.08 * i), h * 0.43, w * (0.34 + 0.08 * i), h * 0.5),
            fill=(90, 150, 210, 255),
        )
    d.polygon([(w * 0.35, h * 0.5), (w * 0.55, h * 0.5), (w * 0.4, h * 0.2)], fill=_shade(c, 0.9))


def _train(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    for i, x in enumerate((0.0, 0.36, 0.68)):
        d.rectangle((w * x, h * 0.3, w * (x + 0.3), h * 0.82), fill=_shade(c, 1.0 - 0.1 * i))
        d.rectangle((w * (x + 0.04), h * 0.38, w * (x + 0.26), h * 0.55), fill=(200, 230, 250, 255))
        for wx in (0.06, 0.2):
            d.ellipse((w * (x + wx), h * 0.76, w * (x + wx + 0.08), h * 0.98), fill=BLACK)
    d.rectangle((w * 0.88, h * 0.1, w * 0.94, h * 0.3), fill=BLACK)
    if pose:
        d.ellipse((w * 0.84, h * 0.0, w * 0.98, h * 0.12), fill=(230, 230, 230, 200))


def _bus(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    d.rounded_rectangle((w * 0.0, h * 0.05, w * 1.0, h * 0.82), radius=h * 0.1, fill=_shade(c, 1.0))
    for i in range(5):
        d.rectangle(
            (w * (0.05 + 0.18 * i), h * 0.15, w * (0.19 + 0.18 * i), h * 0.45),
            fill=(200, 230, 250, 255),
        )
    for x in (0.15, 0.75):
        d.ellipse((w * x, h * 0.68, w * (x + 0.13), h * 1.0), fill=BLACK)


def _bicycle(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    rim = max(2, int(w * 0.03))
    for x in (0.0, 0.6):
        d.ellipse((w * x, h * 0.5, w * (x + 0.4), h * 1.0), outline=BLACK, width=rim)
    frame = _shade(c, 1.0)
    pts = [
        (w * 0.2, h * 0.75),
        (w * 0.45, h * 0.75),
        (w * 0.8, h * 0.75),
        (w * 0.7, h * 0.45),
        (w * 0.38, h * 0.45),
        (w * 0.2, h * 0.75),
    ]
    d.line(pts, fill=frame, width=rim + 1)
    d.line([(w * 0.38, h * 0.45), (w * 0.45, h * 0.75)], fill=frame, width=rim + 1)
    d.line([(w * 0.7, h * 0.45), (w * 0.72, h * 0.3), (w * 0.8, h * 0.3)], fill=BLACK, width=rim)
    d.rectangle((w * 0.3, h * 0.38, w * 0.45, h * 0.43), fill=BLACK)


def _dragon(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    body, dark = _shade(c, 1.0), _shade(c, 0.65)
    tip = (0.0, 0.35, 0.7)[pose]
    d.polygon([(w * 0.35, h * 0.45), (w * 0.6, h * 0.45), (w * 0.3, h * tip)], fill=dark)
    d.line(
        [(w * 0.3, h * 0.6), (w * 0.12, h * 0.7), (w * 0.0, h * 0.55)],
        fill=body,
        width=int(h * 0.1),
        joint="curve",
    )
    d.polygon([(w * 0.0, h * 0.55), (w * 0.06, h * 0.42), (w * 0.08, h * 0.6)], fill=dark)
    d.ellipse((w * 0.25, h * 0.45, w * 0.72, h * 0.78), fill=body)
    d.line([(w * 0.65, h * 0.55), (w * 0.8, h * 0.3)], fill=body, width=int(h * 0.12))
    d.ellipse((w * 0.74, h * 0.18, w * 0.96, h * 0.4), fill=body)
    d.polygon([(w * 0.78, h * 0.2), (w * 0.8, h * 0.05), (w * 0.85, h * 0.19)], fill=dark)
    d.ellipse((w * 0.86, h * 0.24, w * 0.9, h * 0.29), fill=(255, 220, 40, 255))
    if pose == 1:
        d.polygon(
            [(w * 0.95, h * 0.32), (w * 1.0, h * 0.25), (w * 1.0, h * 0.4)],
            fill=(255, 140, 20, 255),
        )


def _heart(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    red = _shade(c if c[0] > 150 else (230, 50, 80), 1.0)
    d.ellipse((w * 0.0, h * 0.0, w * 0.55, h * 0.55), fill=red)
    d.ellipse((w * 0.45, h * 0.0, w * 1.0, h * 0.55), fill=red)
    d.polygon([(w * 0.03, h * 0.38), (w * 0.97, h * 0.38), (w * 0.5, h * 1.0)], fill=red)
    d.ellipse((w * 0.14, h * 0.1, w * 0.3, h * 0.26), fill=(255, 255, 255, 170))  # the shine


def _cake(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    d.rectangle((w * 0.1, h * 0.45, w * 0.9, h), fill=(240, 200, 150, 255))
    d.rectangle((w * 0.1, h * 0.45, w * 0.9, h * 0.58), fill=_shade(c, 1.0))
    d.rectangle((w * 0.1, h * 0.72, w * 0.9, h * 0.78), fill=_shade(c, 1.0))
    for x in (0.3, 0.5, 0.7):
        d.rectangle((w * (x - 0.02), h * 0.25, w * (x + 0.02), h * 0.45), fill=WHITE)
        flame = h * (0.12 if pose else 0.15)
        d.ellipse((w * (x - 0.03), flame, w * (x + 0.03), h * 0.25), fill=(255, 190, 40, 255))


def _pizza(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    d.polygon(
        [(w * 0.05, h * 0.1), (w * 0.95, h * 0.1), (w * 0.5, h * 1.0)], fill=(245, 200, 80, 255)
    )
    d.rounded_rectangle(
        (w * 0.02, h * 0.0, w * 0.98, h * 0.16), radius=h * 0.06, fill=(200, 130, 60, 255)
    )
    for x, y in ((0.35, 0.3), (0.6, 0.35), (0.48, 0.6), (0.5, 0.45)):
        d.ellipse(
            (w * (x - 0.08), h * (y - 0.06), w * (x + 0.08), h * (y + 0.06)),
            fill=(190, 40, 40, 255),
        )


def _sun_umbrella(d: Draw, w: float, h: float, c: RGB, pose: int) -> None:
    d.line([(w * 0.5, h * 0.2), (w * 0.5, h)], fill=(90, 70, 50, 255), width=int(w * 0.04))
    d.chord((w * 0.0, h * 0.0, w * 1.0, h * 0.5), 180, 360, fill=_shade(c, 1.0))


DRAW: dict[str, Callable[[Draw, float, float, RGB, int], None]] = {
    **{name: _quadruped(spec) for name, spec in ANIMALS.items()},
    "house": _house,
    "lighthouse": _lighthouse,
    "castle": _castle,
    "windmill": _windmill,
    "tent": _tent,
    "flower": _flower,
    "snowman": _snowman,
    "robot": _robot,
    "butterfly": _butterfly,
    "airplane": _airplane,
    "train": _train,
    "bus": _bus,
    "bicycle": _bicycle,
    "dragon": _dragon,
    "heart": _heart,
    "cake": _cake,
    "pizza": _pizza,
    "umbrella": _sun_umbrella,
}
# (width, height) in units of the frame's short side.
SIZES: dict[str, tuple[float, float]] = {
    **{name: (0.32, 0.24) for name in ANIMALS},
    "horse": (0.36, 0.34),
    "deer": (0.32, 0.34),
    "elephant": (0.44, 0.36),
    "rabbit": (0.18, 0.2),
    "house": (0.4, 0.36),
    "lighthouse": (0.3, 0.62),
    "castle": (0.5, 0.42),
    "windmill": (0.34, 0.5),
    "tent": (0.3, 0.22),
    "flower": (0.12, 0.22),
    "snowman": (0.2, 0.34),
    "robot": (0.18, 0.32),
    "butterfly": (0.12, 0.1),
    "airplane": (0.4, 0.14),
    "train": (0.8, 0.2),
    "bus": (0.5, 0.22),
    "bicycle": (0.28, 0.18),
    "dragon": (0.4, 0.28),
    "heart": (0.14, 0.13),
    "cake": (0.2, 0.2),
    "pizza": (0.2, 0.2),
    "umbrella": (0.26, 0.3),
}
POSES: dict[str, int] = {
    **{name: 2 for name in ANIMALS},
    "lighthouse": 2,
    "windmill": 2,
    "robot": 2,
    "butterfly": 3,
    "train": 2,
    "dragon": 3,
    "cake": 2,
}
NATURAL_MOTION: dict[str, str] = {
    **{name: "walk" for name in ANIMALS},
    "rabbit": "bounce",
    **{
        name: "stand"
        for name in (
            "house",
            "lighthouse",
            "castle",
            "windmill",
            "tent",
            "flower",
            "snowman",
            "cake",
            "pizza",
            "umbrella",
        )
    },
    "robot": "walk",
    "butterfly": "fly",
    "airplane": "fly",
    "dragon": "fly",
    "train": "run",
    "bus": "run",
    "bicycle": "run",
    "heart": "drift",
}
WALKERS = frozenset({*ANIMALS, "robot", "train", "bus", "bicycle"})
