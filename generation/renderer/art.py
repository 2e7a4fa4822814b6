"""Static artwork, drawn once per clip: the sky plate, scenery layers and character sprites.

Everything here runs before the first frame; the per-frame code only moves and blends what this
module returns. Heightfield scenery (mountains, hills, dunes) is rasterised with numpy using
fractional coverage so its edges are anti-aliased without supersampling; small shapes (trees,
characters) are drawn with Pillow at 2× and reduced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from generation.renderer.planes import Layer, Planes, layer_from_rgba, planes_from_rgb
from generation.renderer.scene import RGB, parse_hex
from generation.renderer.seeding import rng_for

SS = 2  # supersampling factor for Pillow-drawn shapes (Pillow draws polygons without AA)


def _rgb(value: str) -> RGB:
    return parse_hex(value)


def _shade(color: RGB, k: float) -> RGB:
    return tuple(int(max(0, min(255, round(c * k)))) for c in color)  # type: ignore[return-value]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


@dataclass
class Stage:
    """Geometry shared by all artwork: the oversized world the camera moves over."""

    width: int  # stage size = frame size + camera margins
    height: int
    frame_w: int
    frame_h: int
    horizon: int  # y of the horizon on the stage
    ground: int  # y where walking characters stand on the stage
    unit: int  # min(frame_w, frame_h): sizes of things scale with it


@dataclass
class SceneryLayer:
    """A layer of the world with its parallax factors (1.0 moves with the camera)."""

    layer: Layer
    parallax: tuple[float, float]
    wrap: int = 0  # > 0: horizontally periodic with this period, scrolled over time
    speed: float = 0.0  # px/s of its own horizontal movement (waves, clouds)


@dataclass
class Artwork:
    sky: Planes  # opaque, stage-sized
    sky_parallax: tuple[float, float]
    layers: list[SceneryLayer] = field(default_factory=list)
    sun: tuple[int, int] | None = None  # stage position of the sun or moon, for zoom focus


# ----------------------------------------------------------------------------- sky plate


def _vertical_gradient(h: int, w: int, stops: list[tuple[float, RGB]]) -> np.ndarray:
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)
    pos = np.array([p for p, _ in stops], dtype=np.float32)
    cols = np.array([c for _, c in stops], dtype=np.float32)
    column = np.stack([np.interp(ys, pos, cols[:, i]) for i in range(3)], axis=-1)
    return np.broadcast_to(column[:, None, :], (h, w, 3)).copy()


def _glow(
    img: np.ndarray, cx: float, cy: float, radius: float, color: RGB, strength: float
) -> None:
    """Additive soft light around a point (sun, moon, neon horizon)."""
    h, w = img.shape[:2]
    y0, y1 = max(0, int(cy - radius * 3)), min(h, int(cy + radius * 3))
    x0, x1 = max(0, int(cx - radius * 3)), min(w, int(cx + radius * 3))
    if y0 >= y1 or x0 >= x1:
        return
    yy, xx = np.ogrid[y0:y1, x0:x1]
    d2 = ((xx - cx) ** 2 + (yy - cy) ** 2) / (radius * radius)
    k = (np.exp(-d2 * 0.7) * strength).astype(np.float32)[..., None]
    region = img[y0:y1, x0:x1]
    region += (np.array(color, np.float32) - region) * k


def _disc(img: np.ndarray, cx: float, cy: float, r: float, color: RGB, alpha: float = 1.0) -> None:
    """Anti-aliased filled circle, painted into a float RGB image."""
    h, w = img.shape[:2]
    y0, y1 = max(0, int(cy - r - 2)), min(h, int(cy + r + 2))
    x0, x1 = max(0, int(cx - r - 2)), min(w, int(cx + r + 2))
    if y0 >= y1 or x0 >= x1:
        return
    yy, xx = np.ogrid[y0:y1, x0:x1]
    d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
    k = (np.clip(r - d + 0.5, 0.0, 1.0) * alpha).astype(np.float32)[..., None]
    region = img[y0:y1, x0:x1]
    region += (np.array(color, np.float32) - region) * k


def _star_field(
    img: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    radii: np.ndarray,
    alphas: np.ndarray,
    color: RGB,
) -> None:
    """Many small ``_disc``s of one colour at once (radii < 2.5 px).

    Painting discs of one colour one after another multiplies the distance to that colour by
    (1 - k) per disc, whatever the order: so the factors of all stars are multiplied into one
    transmittance map and applied in a single pass.
    """
    h, w = img.shape[:2]
    if xs.size == 0:
        return
    off = np.arange(-3, 4)
    cy = np.floor(ys).astype(np.intp)[:, None, None] + off[None, :, None]
    cx = np.floor(xs).astype(np.intp)[:, None, None] + off[None, None, :]
    d = np.sqrt((cx - xs[:, None, None]) ** 2 + (cy - ys[:, None, None]) ** 2)
    k = np.clip(radii[:, None, None] - d + 0.5, 0.0, 1.0) * alphas[:, None, None]
    cy, cx = np.broadcast_arrays(cy, cx)
    keep = (k > 0) & (cy >= 0) & (cy < h) & (cx >= 0) & (cx < w)
    pixels, where = np.unique(cy[keep] * w + cx[keep], return_inverse=True)
    transmit = np.ones(pixels.size, np.float64)
    np.multiply.at(transmit, where, 1.0 - k[keep])
    at = (pixels // w, pixels % w)
    colour = np.array(color, np.float32)
    img[at] = colour + (img[at] - colour) * transmit.astype(np.float32)[:, None]


def build_sky(scene: dict, stage: Stage, seed: int) -> tuple[np.ndarray, tuple[int, int] | None]:
    """The sky (and, for sea scenes, the water body) as a float RGB stage-sized image."""
    colours = scene["palette"]["colors"]
    top, horizon = _rgb(colours["sky_top"]), _rgb(colours["sky_horizon"])
    kinds = {s["kind"] for s in scene["subjects"]}
    tod = scene["time_of_day"]
    h, w, hz = stage.height, stage.width, stage.horizon
    rng = rng_for(seed, "sky")
    if scene["underwater"]:
        water = _rgb(colours["water"])
        img = _vertical_gradient(
            h,
            w,
            [(0.0, _mix(water, (220, 250, 255), 0.55)), (0.45, water), (1.0, _shade(water, 0.35))],
        )
        # Shafts of light from the surface.
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        rays = np.zeros((h, w), np.float32)
        for _ in range(5):
            x0, slant, width = (
                rng.uniform(0, w),
                rng.uniform(-0.35, 0.1),
                rng.uniform(0.02, 0.06) * w,
            )
            rays += np.clip(1.0 - np.abs(xx - (x0 + yy * slant)) / width, 0, 1)
        rays *= np.clip(1.0 - yy / (h * 0.8), 0, 1) * 0.18
        img += (255.0 - img) * np.clip(rays, 0, 0.5)[..., None]
    else:
        mid = _mix(top, horizon, 0.55)
        img = _vertical_gradient(
            h, w, [(0.0, top), (hz / h * 0.6, mid), (hz / h, horizon), (1.0, horizon)]
        )

    if tod in ("night", "dusk") or "stars" in kinds:
        n = int(stage.width * stage.height / (2600 if tod == "night" else 6000))
        sx = rng.uniform(0, w, n)
        sy = rng.uniform(0, hz * 0.95, n) ** 1.0
        bright = rng.uniform(0.3, 1.0, n) * (1.0 - sy / hz) ** 0.5
        _star_field(img, sx, sy, 0.7 + 1.1 * bright * rng.random(n), bright, (255, 250, 235))

    if "rainbow" in kinds:
        cx, cy, r0 = w * rng.uniform(0.35, 0.65), hz + stage.unit * 0.15, stage.unit * 0.75
        yy, xx = np.ogrid[0:h, 0:w]
        d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
        bands = [
            (228, 3, 3),
            (255, 140, 0),
            (255, 237, 0),
            (0, 128, 38),
            (0, 77, 255),
            (117, 7, 135),
        ]
        bw = stage.unit * 0.03
        for i, col in enumerate(bands):
            k = np.clip(1.0 - np.abs(d - (r0 - i * bw)) / (bw * 0.6), 0, 1) * 0.55
            img += (np.array(col, np.float32) - img) * k[..., None].astype(np.float32)

    light_pos: tuple[int, int] | None = None
    px = w * (0.3 + 0.4 * rng.random())
    if "sun" in kinds:
        low = tod in ("sunset", "dawn")
        r = stage.unit * (0.13 if low else 0.085)
        cy = hz - r * 0.55 if low else h * (0.16 + 0.08 * rng.random())
        core = (255, 196, 110) if low else (255, 246, 214)
        if scene["palette"]["name"] in ("neon", "spooky"):
            core = _rgb(colours["accents"][2])
        _glow(img, px, cy, r * 2.6, _mix(core, horizon, 0.3), 0.75)
        _disc(img, px, cy, r, core)
        if low and scene["palette"]["name"] == "neon":
            # Retro sun: horizontal slits in its lower half.
            for i in range(5):
                y = cy + r * (0.15 + i * 0.18)
                img[int(y) : int(y + 2 + i * 1.5), int(px - r) : int(px + r)] = np.array(
                    horizon, np.float32
                )
        light_pos = (int(px), int(cy))
    elif "moon" in kinds:
        r = stage.unit * 0.07
        cy = h * (0.14 + 0.1 * rng.random())
        _glow(img, px, cy, r * 2.8, _mix((220, 230, 255), top, 0.4), 0.55)
        _disc(img, px, cy, r, (242, 240, 226))
        for _ in range(5):
            a, d = rng.uniform(0, 2 * math.pi), rng.uniform(0, r * 0.6)
            _disc(
                img,
                px + d * math.cos(a),
                cy + d * math.sin(a),
                r * rng.uniform(0.1, 0.22),
                (214, 212, 198),
            )
        light_pos = (int(px), int(cy))

    if "planets" in kinds:
        acc = [_rgb(a) for a in colours["accents"]]
        cx, cy, r = (
            w * (0.25 + 0.5 * rng.random()),
            h * (0.22 + 0.1 * rng.random()),
            stage.unit * 0.16,
        )
        _glow(img, cx, cy, r * 1.6, acc[1], 0.35)
        _disc(img, cx, cy, r, acc[2])
        for i in range(4):  # banding
            _disc(
                img,
                cx - r * 0.2,
                cy - r * (0.6 - i * 0.35),
                r * 0.35,
                _mix(acc[2], acc[0], 0.35),
                0.25,
            )
        _ring(img, cx, cy, r * 1.7, r * 0.45, _mix(acc[1], (255, 255, 255), 0.3))
        _disc(img, w * rng.uniform(0.1, 0.9), h * rng.uniform(0.05, 0.45), r * 0.35, acc[3])
        light_pos = light_pos or (int(cx), int(cy))

    if tod in ("night", "dusk") and scene["palette"]["name"] in ("neon", "spooky", "fire"):
        _glow(img, w / 2, hz, stage.unit * 0.9, horizon, 0.5)

    if "sea" in kinds and not scene["underwater"]:
        _paint_sea(img, scene, stage, light_pos, rng)
    return img, light_pos


def _ring(img: np.ndarray, cx: float, cy: float, rx: float, ry: float, color: RGB) -> None:
    """A planet's ring: an anti-aliased ellipse outline, thicker at the front."""
    h, w = img.shape[:2]
    y0, y1 = max(0, int(cy - ry - 6)), min(h, int(cy + ry + 6))
    x0, x1 = max(0, int(cx - rx - 6)), min(w, int(cx + rx + 6))
    yy, xx = np.ogrid[y0:y1, x0:x1]
    e = np.sqrt(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2)
    thickness = 0.06 + 0.04 * (yy > cy)
    k = np.clip(1.0 - np.abs(e - 1.0) / thickness, 0, 1).astype(np.float32)[..., None] * 0.9
    region = img[y0:y1, x0:x1]
    region += (np.array(color, np.float32) - region) * k


def _paint_sea(
    img: np.ndarray,
    scene: dict,
    stage: Stage,
    light: tuple[int, int] | None,
    rng: np.random.Generator,
) -> None:
    colours = scene["palette"]["colors"]
    water = _rgb(colours["water"])
    horizon = _rgb(colours["sky_horizon"])
    hz, h, w = stage.horizon, stage.height, stage.width
    band = _vertical_gradient(
        h - hz, w, [(0.0, _mix(water, horizon, 0.45)), (1.0, _shade(water, 0.55))]
    )
    img[hz:] = band
    if light is not None:
        # The light's reflection: a column of short bright streaks, wider towards the viewer.
        glint = _mix(horizon, (255, 240, 200), 0.6)
        lx = light[0]
        y = hz + 2
        while y < h:
            depth = (y - hz) / (h - hz)
            half = stage.unit * (0.03 + 0.12 * depth) * rng.uniform(0.4, 1.0)
            thick = 1 + int(4 * depth)
            jitter = rng.normal(0, stage.unit * 0.01)
            x0, x1 = int(max(0, lx + jitter - half)), int(min(w, lx + jitter + half))
            alpha = 0.55 * (1.0 - depth * 0.6)
            seg = img[y : y + thick, x0:x1]
            seg += (np.array(glint, np.float32) - seg) * alpha
            y += thick + 2 + int(10 * depth * rng.random())
    img[hz : hz + 2] = np.array(_mix(horizon, water, 0.3), np.float32)


# ----------------------------------------------------------------------------- scenery


def _coverage_layer(
    ridge: np.ndarray, top_color: RGB, bottom_color: RGB, h: int, bottom: int, opacity: float = 1.0
) -> np.ndarray:
    """RGBA of the area under a heightfield ``ridge`` (y per column), anti-aliased on its edge."""
    w = ridge.shape[0]
    top = max(0, int(ridge.min()) - 2)
    rows = np.arange(top, bottom, dtype=np.float32)[:, None]
    alpha = np.clip(rows - ridge[None, :] + 0.5, 0.0, 1.0) * opacity
    t = np.clip((rows - ridge.min()) / max(1.0, bottom - ridge.min()), 0, 1)
    rgb = (
        np.array(top_color, np.float32)
        + (np.array(bottom_color, np.float32) - np.array(top_color, np.float32)) * t[..., None]
    )
    out = np.zeros((h, w, 4), np.uint8)
    out[top:bottom, :, :3] = np.clip(np.broadcast_to(rgb, (bottom - top, w, 3)), 0, 255)
    out[top:bottom, :, 3] = np.round(alpha * 255)
    return out


def _ridge_mountains(
    w: int, base: float, height: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A range of triangular peaks: the ridge (y per column), each column's peak x and peak y."""
    n = max(3, int(w / (height * 0.9)))
    px = (np.arange(n) + rng.uniform(0.1, 0.9, n)) * (w / n)
    py = base - height * rng.uniform(0.45, 1.0, n)
    slope = rng.uniform(0.7, 1.2, n)
    xs = np.arange(w, dtype=np.float32)
    heights = py[:, None] + np.abs(xs[None, :] - px[:, None]) * slope[:, None]
    owner = np.argmin(heights, axis=0)
    ridge = heights[owner, np.arange(w)]
    detail = np.zeros(w, np.float32)
    for octave in range(2, 6):  # small rocky bumps along the edges
        k = 2**octave
        detail += np.interp(
            xs, np.linspace(0, w, k + 2), rng.normal(0, height * 0.03 / octave, k + 2)
        )
    return (
        (ridge + detail).astype(np.float32),
        px[owner].astype(np.float32),
        py[owner].astype(np.float32),
    )


def _ridge_smooth(
    w: int, base: float, amp: float, rng: np.random.Generator, sharp: bool = False
) -> np.ndarray:
    xs = np.arange(w, dtype=np.float32) / w
    y = np.zeros(w, np.float32)
    for f in (1.3, 2.7, 5.1):
        phase = rng.uniform(0, 2 * math.pi)
        wave = np.sin(2 * math.pi * f * xs + phase)
        if sharp:
            wave = 1.0 - 2.0 * np.abs(np.sin(math.pi * f * xs + phase))
        y += wave * amp / f
    return (base - y).astype(np.float32)


def _mountains(scene: dict, stage: Stage, rng: np.random.Generator) -> np.ndarray:
    c = scene["palette"]["colors"]
    far, horizon = _rgb(c["far"]), _rgb(c["sky_horizon"])
    w, hz = stage.width, stage.horizon
    ridge, peak_x, peak_y = _ridge_mountains(w, hz + 4, stage.unit * 0.5, rng)
    bottom = hz + stage.unit // 8
    img = _coverage_layer(ridge, _shade(far, 1.05), _mix(far, horizon, 0.4), stage.height, bottom)
    top = max(0, int(ridge.min()) - 2)
    seg = img[top:bottom, :, :3].astype(np.float32)
    # Two-tone faces: the side of each peak facing the light is lighter.
    lit = (np.arange(w) < peak_x)[None, :, None]
    seg *= np.where(lit, 1.12, 0.9).astype(np.float32)
    if scene["time_of_day"] != "night" or scene["palette"]["name"] == "ice":
        rows = np.arange(top, bottom, dtype=np.float32)[:, None]
        cap = peak_y + stage.unit * rng.uniform(0.06, 0.1) + 6 * np.sin(np.arange(w) / 7.0)
        k = np.clip((cap[None, :] - rows) / 2.0, 0, 1)[..., None] * (0.5 + 0.45 * c["light"])
        snow = np.where(lit, 1.0, 0.88).astype(np.float32) * np.array((250, 250, 255), np.float32)
        seg += (snow - seg) * k
    img[top:bottom, :, :3] = np.clip(seg, 0, 255)
    return img


def _hills(
    scene: dict, stage: Stage, rng: np.random.Generator, near: bool, flat: bool = False
) -> np.ndarray:
    c = scene["palette"]["colors"]
    desert = any(s["kind"] == "desert" for s in scene["subjects"])
    if near:
        col = _rgb(c["ground"])
        base = stage.ground - stage.unit * 0.02
        ridge = _ridge_smooth(stage.width, base, stage.unit * 0.06, rng, sharp=desert)
        return _coverage_layer(
            ridge, _shade(col, 1.05), _shade(col, 0.6), stage.height, stage.height
        )
    col = _mix(_rgb(c["mid"]), _rgb(c["ground"]), 0.3) if not desert else _rgb(c["far"])
    amp = stage.unit * (0.03 if flat else 0.12)  # flat: a tree line stands on it
    ridge = _ridge_smooth(stage.width, stage.horizon - stage.unit * 0.02, amp, rng)
    return _coverage_layer(
        ridge, col, _shade(col, 0.75), stage.height, stage.ground + stage.unit // 10
    )


def _city(scene: dict, stage: Stage, rng: np.random.Generator, near: bool) -> np.ndarray:
    c = scene["palette"]["colors"]
    tod = scene["time_of_day"]
    neon = scene["palette"]["name"] in ("neon", "spooky")
    base_col = _rgb(c["mid"] if near else c["far"])
    img = Image.new("RGBA", (stage.width, stage.height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    lit_share = {"night": 0.5, "dusk": 0.4, "sunset": 0.2}.get(tod, 0.0)
    accents = [_rgb(a) for a in c["accents"]]
    warm = (255, 214, 130)
    u = stage.unit
    base = stage.horizon + (u * 0.1 if near else u * 0.02)
    # A continuous base under the buildings: the rows below it are opaque and cheap to composite.
    draw.rectangle(
        (0, int(base - u * 0.1), stage.width, stage.height), fill=(*_shade(base_col, 0.9), 255)
    )
    x = -rng.uniform(0, u * 0.1)
    while x < stage.width:
        bw = u * rng.uniform(0.09, 0.2) * (1.3 if near else 0.85)
        bh = u * rng.uniform(0.15, 0.6) * (1.25 if near else 0.8)
        col = _shade(base_col, rng.uniform(0.85, 1.12))
        x0, y0, x1 = int(x), int(base - bh), int(x + bw)
        draw.rectangle((x0, y0, x1, stage.height), fill=(*col, 255))
        if rng.random() < 0.3:  # roof detail: antenna or stepped top
            ax = int(x0 + bw * rng.uniform(0.3, 0.7))
            draw.rectangle((ax, int(y0 - u * 0.06), ax + 2, y0), fill=(*col, 255))
        elif rng.random() < 0.3:
            draw.rectangle(
                (int(x0 + bw * 0.2), int(y0 - u * 0.03), int(x1 - bw * 0.2), y0), fill=(*col, 255)
            )
        win = max(3, int(u * (0.012 if near else 0.008)))
        gap = win * 2
        for wy in range(y0 + gap, int(base + u * 0.3), gap + win):
            for wx in range(x0 + gap // 2, x1 - win, gap):
                if lit_share and rng.random() < lit_share:
                    wc = accents[int(rng.integers(0, 4))] if neon and rng.random() < 0.5 else warm
                    draw.rectangle((wx, wy, wx + win - 1, wy + win), fill=(*wc, 255))
                elif not lit_share:
                    draw.rectangle((wx, wy, wx + win - 1, wy + win), fill=(*_shade(col, 1.18), 255))
        if neon and near and rng.random() < 0.35:  # a neon sign outline
            nc = accents[int(rng.integers(0, 4))]
            sy = int(y0 + bh * rng.uniform(0.15, 0.4))
            draw.rectangle((x0 + 4, sy, x1 - 4, sy + int(u * 0.04)), outline=(*nc, 255), width=3)
        x += bw + u * rng.uniform(0.0, 0.04)
    return np.asarray(img)


def _pine(height: int, color: RGB) -> Image.Image:
    w, h = int(height * 0.55) * SS, height * SS
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rectangle(
        (w // 2 - w // 16, int(h * 0.8), w // 2 + w // 16, h), fill=(*_shade(color, 0.6), 255)
    )
    for i in range(3):
        top = h * (0.0 + i * 0.22)
        bottom = h * (0.42 + i * 0.2)
        half = w * (0.28 + i * 0.1)
        d.polygon(
            [(w / 2, top), (w / 2 - half, bottom), (w / 2 + half, bottom)],
            fill=(*_shade(color, 1 - i * 0.07), 255),
        )
    return img.reduce(SS)


def _round_tree(height: int, color: RGB) -> Image.Image:
    w, h = int(height * 0.7) * SS, height * SS
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rectangle(
        (w // 2 - w // 14, int(h * 0.5), w // 2 + w // 14, h), fill=(*_shade(color, 0.55), 255)
    )
    for ox, oy, r in ((0.5, 0.32, 0.32), (0.32, 0.45, 0.22), (0.68, 0.45, 0.22)):
        d.ellipse(
            (w * (ox - r), h * (oy - r * 0.8), w * (ox + r), h * (oy + r * 0.8)), fill=(*color, 255)
        )
    return img.reduce(SS)


def _trees(scene: dict, stage: Stage, rng: np.random.Generator, near: bool) -> np.ndarray:
    c = scene["palette"]["colors"]
    col = _rgb(c["near"] if near else c["mid"])
    img = Image.new("RGBA", (stage.width, stage.height), (0, 0, 0, 0))
    u = stage.unit
    if near:
        base_y, size, step = stage.height + u * 0.05, (0.45, 0.7), (0.25, 0.6)
    else:
        base_y, size, step = stage.horizon + u * 0.03, (0.14, 0.26), (0.03, 0.07)
    palm_ish = scene["palette"]["name"] in ("tropical", "candy", "pastel")
    variants = [
        (_round_tree if (palm_ish or i % 3 == 2) else _pine)(int(u * s), _shade(col, k))
        for i, (s, k) in enumerate(zip(np.linspace(*size, 4), (0.9, 1.0, 1.1, 0.95), strict=True))
    ]
    x = -u * 0.1
    while x < stage.width:
        tree = variants[int(rng.integers(0, len(variants)))]
        if not near or rng.random() < 0.6:  # near row: leave gaps to see the scene through
            img.alpha_composite(
                tree, (int(x), int(base_y - tree.height + rng.uniform(0, u * 0.04)))
            )
        x += u * rng.uniform(*step)
    return np.asarray(img)


def _beach(scene: dict, stage: Stage, rng: np.random.Generator) -> np.ndarray:
    c = scene["palette"]["colors"]
    sand = (
        _mix(_rgb(c["ground"]), (230, 200, 150), 0.5)
        if scene["palette"]["name"] != "noir"
        else _rgb(c["ground"])
    )
    sand = _shade(sand, 0.45 + 0.55 * c["light"])
    ridge = _ridge_smooth(stage.width, stage.ground - stage.unit * 0.01, stage.unit * 0.03, rng)
    return _coverage_layer(ridge, sand, _shade(sand, 0.75), stage.height, stage.height)


def _seabed(scene: dict, stage: Stage, rng: np.random.Generator) -> np.ndarray:
    """Sand at the bottom of the sea, with swaying-looking strands of seaweed."""
    sand = (214, 190, 140)
    ridge = _ridge_smooth(stage.width, stage.height - stage.unit * 0.28, stage.unit * 0.05, rng)
    img = Image.fromarray(
        _coverage_layer(ridge, sand, _shade(sand, 0.7), stage.height, stage.height)
    )
    draw = ImageDraw.Draw(img)
    u = stage.unit
    for _ in range(int(stage.width / (u * 0.12))):
        x = rng.uniform(0, stage.width)
        base = float(np.interp(x, np.arange(stage.width), ridge)) + u * 0.03
        height = u * rng.uniform(0.15, 0.4)
        green = _shade((46, 139, 87), rng.uniform(0.7, 1.1))
        points = [(x + math.sin(i * 0.9) * u * 0.02, base - height * i / 8) for i in range(9)]
        draw.line(points, fill=(*green, 255), width=max(3, int(u * 0.014)), joint="curve")
    return np.asarray(img)


def _waves(scene: dict, stage: Stage, rng: np.random.Generator, period: int) -> np.ndarray:
    """Short light strokes on the water, horizontally periodic so they can scroll forever."""
    c = scene["palette"]["colors"]
    crest = _mix(_rgb(c["water"]), (255, 255, 255), 0.55)
    w = stage.width + period
    img = Image.new("RGBA", (period * SS, (stage.height - stage.horizon) * SS), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    hz = stage.horizon
    for _ in range(int(period * (stage.height - hz) / 1800)):
        depth = rng.random() ** 1.6
        y = depth * (stage.height - hz)
        length = stage.unit * (0.02 + 0.1 * depth)
        x = rng.uniform(0, period)
        alpha = int(90 + 120 * depth)
        thick = max(1, int(1 + 3 * depth)) * SS
        for shift in (-period, 0, period):  # draw wrapped copies so the tile is seamless
            x0 = (x + shift) * SS
            d.line((x0, y * SS, x0 + length * SS, y * SS), fill=(*crest, alpha), width=thick)
    tile = np.asarray(img.reduce(SS))
    reps = math.ceil(w / period)
    band = np.concatenate([tile] * reps, axis=1)[:, :w]
    out = np.zeros((stage.height, w, 4), np.uint8)
    out[hz + 3 :] = band[: stage.height - hz - 3]
    return out


def _clouds(scene: dict, stage: Stage, rng: np.random.Generator, extra: int) -> np.ndarray:
    c = scene["palette"]["colors"]
    tod = scene["time_of_day"]
    rainy = "rain" in scene["particles"]
    base = (245, 245, 250) if tod == "day" else _mix(_rgb(c["sky_horizon"]), (255, 255, 255), 0.35)
    if rainy:
        base = _mix(base, (120, 125, 135), 0.5)
    shadow = _mix(base, _rgb(c["sky_top"]), 0.3)
    w = stage.width + extra
    img = Image.new("RGBA", (w // SS * SS, int(stage.horizon * 0.8)), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    u = stage.unit
    for _ in range(int(w / (u * 0.45)) + (3 if rainy else 0)):
        cx, cy = rng.uniform(0, w), rng.uniform(u * 0.1, stage.horizon * 0.6)
        size = u * rng.uniform(0.1, 0.2)
        d.ellipse(
            (cx - size * 1.6, cy - size * 0.3, cx + size * 1.6, cy + size * 0.45),
            fill=(*shadow, 235),
        )
        for _ in range(4):
            ox, oy = rng.uniform(-1.2, 1.2) * size, rng.uniform(-0.6, 0.1) * size
            r = size * rng.uniform(0.45, 0.8)
            d.ellipse((cx + ox - r, cy + oy - r, cx + ox + r, cy + oy + r * 0.8), fill=(*base, 235))
    img = img.filter(ImageFilter.GaussianBlur(2))
    out = np.zeros((stage.height, w, 4), np.uint8)
    out[: img.height] = (
        np.asarray(img)[:, :w]
        if img.width >= w
        else np.pad(np.asarray(img), ((0, 0), (0, w - img.width), (0, 0)))
    )
    return out


def _fog(scene: dict, stage: Stage, rng: np.random.Generator, extra: int) -> np.ndarray:
    c = scene["palette"]["colors"]
    col = _mix(_rgb(c["sky_horizon"]), (235, 238, 242), 0.5)
    w = stage.width + extra
    h = int(stage.unit * 0.5)
    small = rng.random((6, max(4, w // 120)))
    noise = (
        np.asarray(
            Image.fromarray((small * 255).astype(np.uint8)).resize((w, h), Image.BICUBIC),
            np.float32,
        )
        / 255
    )
    falloff = np.clip(np.sin(np.linspace(0, math.pi, h, dtype=np.float32)), 0, 1)[:, None] ** 1.5
    alpha = np.clip((0.35 + 0.5 * noise) * falloff, 0, 1)
    out = np.zeros((stage.height, w, 4), np.uint8)
    y0 = int(stage.horizon - h * 0.45)
    out[y0 : y0 + h, :, :3] = col
    out[y0 : y0 + h, :, 3] = np.round(alpha * 200)
    return out


def build_artwork(scene: dict, stage: Stage, seed: int, pan_extra: int, duration: float) -> Artwork:
    """All static layers of the clip, back to front."""
    kinds = {s["kind"] for s in scene["subjects"]}
    sky_rgb, light = build_sky(scene, stage, seed)
    art = Artwork(sky=planes_from_rgb(sky_rgb), sky_parallax=(0.15, 0.3), sun=light)
    stack: list[tuple[np.ndarray, tuple[float, float], int, float]] = []
    if "clouds" in kinds:
        drift = int(stage.unit * 0.02 * duration) + 2
        speed = stage.unit * 0.02 * (1 if rng_for(seed, "wind").random() < 0.5 else -1)
        stack.append(
            (_clouds(scene, stage, rng_for(seed, "clouds-art"), drift), (0.2, 0.3), 0, speed)
        )
    if "mountains" in kinds:
        stack.append((_mountains(scene, stage, rng_for(seed, "mountains")), (0.3, 0.3), 0, 0.0))
    if "city" in kinds:
        stack.append(
            (_city(scene, stage, rng_for(seed, "city-far"), near=False), (0.35, 0.3), 0, 0.0)
        )
    sea = "sea" in kinds and not scene["underwater"]
    space = not any(s["role"] == "terrain" for s in scene["subjects"])
    if not sea and not space and not scene["underwater"]:  # ground between horizon and foreground
        hills = _hills(scene, stage, rng_for(seed, "hills-far"), near=False, flat="trees" in kinds)
        stack.append((hills, (0.5, 0.5), 0, 0.0))
    if "trees" in kinds:
        stack.append(
            (_trees(scene, stage, rng_for(seed, "trees-far"), near=False), (0.5, 0.5), 0, 0.0)
        )
    if "city" in kinds and not sea:
        stack.append(
            (_city(scene, stage, rng_for(seed, "city-near"), near=True), (0.7, 0.7), 0, 0.0)
        )
    if sea:
        period = stage.frame_w
        speed = stage.unit * 0.05
        stack.append(
            (_waves(scene, stage, rng_for(seed, "waves"), period), (0.6, 0.3), period, speed)
        )
        walkers = any(s["kind"] in ("cat", "dog", "person", "car") for s in scene["subjects"])
        if walkers:
            stack.append((_beach(scene, stage, rng_for(seed, "beach")), (1.0, 1.0), 0, 0.0))
    elif scene["underwater"]:
        stack.append((_seabed(scene, stage, rng_for(seed, "ground")), (1.0, 1.0), 0, 0.0))
    elif not space:
        stack.append((_hills(scene, stage, rng_for(seed, "ground"), near=True), (1.0, 1.0), 0, 0.0))
    if "fog" in scene["particles"]:
        extra = int(stage.unit * 0.04 * duration) + 2
        stack.append(
            (_fog(scene, stage, rng_for(seed, "fog"), extra), (0.8, 0.8), 0, stage.unit * 0.04)
        )
    if "trees" in kinds and not sea:
        stack.append(
            (_trees(scene, stage, rng_for(seed, "trees-near"), near=True), (1.15, 1.0), 0, 0.0)
        )
    for rgba, parallax, wrap, speed in stack:
        layer = layer_from_rgba(rgba)
        if layer is not None:
            art.layers.append(SceneryLayer(layer, parallax, wrap, speed))
    return art
