"""YUV 4:2:0 planes and premultiplied layers: the renderer composes frames directly in the
encoder's pixel format, so no per-frame RGB→YUV conversion is ever needed.

Colours are BT.709, limited ("TV") range, which is what the stream is tagged with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# BT.709 luma weights; limited range puts Y in 16..235 and chroma in 16..240.
_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB


def rgb_to_yuv(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Float Y, Cb, Cr (limited range, not yet rounded) of an RGB array with values 0..255."""
    rgb = rgb.astype(np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = _KR * r + _KG * g + _KB * b
    cb = (b - y) / (2.0 * (1.0 - _KB))
    cr = (r - y) / (2.0 * (1.0 - _KR))
    return 16.0 + y * (219.0 / 255.0), 128.0 + cb * (224.0 / 255.0), 128.0 + cr * (224.0 / 255.0)


def yuv_color(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """One RGB colour as integer (Y, Cb, Cr)."""
    y, u, v = rgb_to_yuv(np.array(rgb, dtype=np.float32))
    return round(float(y)), round(float(u)), round(float(v))


def yuv_to_rgb(y: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Full-size RGB uint8 from 4:2:0 planes (used once per clip, for the poster)."""
    u = np.repeat(np.repeat(u, 2, axis=0), 2, axis=1)[: y.shape[0], : y.shape[1]]
    v = np.repeat(np.repeat(v, 2, axis=0), 2, axis=1)[: y.shape[0], : y.shape[1]]
    yf = (y.astype(np.float32) - 16.0) * (255.0 / 219.0)
    cb = (u.astype(np.float32) - 128.0) * (255.0 / 224.0)
    cr = (v.astype(np.float32) - 128.0) * (255.0 / 224.0)
    r = yf + 2.0 * (1.0 - _KR) * cr
    b = yf + 2.0 * (1.0 - _KB) * cb
    g = (yf - _KR * r - _KB * b) / _KG
    return np.clip(np.stack([r, g, b], axis=-1) + 0.5, 0, 255).astype(np.uint8)


@dataclass
class Planes:
    """Writable views of one 4:2:0 picture (full-size Y, half-size U and V)."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray

    @classmethod
    def empty(cls, width: int, height: int) -> Planes:
        return cls(
            np.empty((height, width), np.uint8),
            np.empty((height // 2, width // 2), np.uint8),
            np.empty((height // 2, width // 2), np.uint8),
        )

    def rows(self, r0: int, r1: int) -> Planes:
        """Views of luma rows [r0, r1) and the matching chroma rows (even bounds)."""
        return Planes(self.y[r0:r1], self.u[r0 // 2 : r1 // 2], self.v[r0 // 2 : r1 // 2])

    def copy_from(self, other: Planes, x: int = 0, y: int = 0) -> None:
        """Fill these planes with the window of ``other`` whose top-left corner is (x, y)."""
        h, w = self.y.shape
        self.y[:] = other.y[y : y + h, x : x + w]
        hc, wc = self.u.shape
        self.u[:] = other.u[y // 2 : y // 2 + hc, x // 2 : x // 2 + wc]
        self.v[:] = other.v[y // 2 : y // 2 + hc, x // 2 : x // 2 + wc]


def _pool2(a: np.ndarray) -> np.ndarray:
    """Sum of each 2×2 block (first two axes; even sizes), as float32."""
    a = a.astype(np.float32, copy=False)
    out = a[0::2, 0::2] + a[1::2, 0::2]
    out += a[0::2, 1::2]
    out += a[1::2, 1::2]
    return out


def _chroma(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Float Cb, Cr of RGB (any shape ending in 3); chroma is affine in RGB."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = _KR * r + _KG * g + _KB * b
    cb = (b - y) * (224.0 / 255.0 / (2.0 * (1.0 - _KB))) + 128.0
    cr = (r - y) * (224.0 / 255.0 / (2.0 * (1.0 - _KR))) + 128.0
    return cb, cr


def _luma(rgb: np.ndarray) -> np.ndarray:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    k = 219.0 / 255.0
    y = (_KR * k) * r.astype(np.float32)
    y += (_KG * k) * g.astype(np.float32)
    y += (_KB * k) * b.astype(np.float32)
    y += 16.0
    return y


def _to_u8(p: np.ndarray) -> np.ndarray:
    p += 0.5
    return np.clip(p, 0, 255, out=p).astype(np.uint8)


def planes_from_rgb(rgb: np.ndarray) -> Planes:
    """Opaque RGB (even width and height) → 4:2:0 planes; chroma is the 2×2 average.

    Chroma is affine in RGB, so it is computed once per 2×2 block from the block's mean colour
    (the same as averaging per-pixel chroma, at a quarter of the work).
    """
    u, v = _chroma(_pool2(rgb) * 0.25)
    return Planes(_to_u8(_luma(rgb)), _to_u8(u), _to_u8(v))


@dataclass
class Layer:
    """A premultiplied RGBA picture in 4:2:0, ready to be blended many times at any position.

    Alpha is scaled to 0..256 so ``(dst * (256 - a) + src * a) >> 8`` is exact and fits uint16.
    """

    y: np.ndarray  # uint16, Y * a
    ya: np.ndarray  # uint16, 256 - a
    u: np.ndarray  # uint16, Cb * a (half size)
    v: np.ndarray
    uva: np.ndarray  # uint16, 256 - a (half size)
    x0: int = 0  # where the layer's top-left sits in the coordinates it was drawn in
    y0: int = 0
    # Rows [solid_top, solid_bottom) are fully opaque (the body of a hill, a building block):
    # they are copied, not blended, which is several times cheaper. Even bounds (chroma grid).
    solid_top: int = 0
    solid_bottom: int = 0
    solid: Planes | None = None

    @property
    def width(self) -> int:
        return self.y.shape[1]

    @property
    def height(self) -> int:
        return self.y.shape[0]


def layer_from_rgba(rgba: np.ndarray, *, crop: bool = True, opacity: float = 1.0) -> Layer | None:
    """Convert an RGBA uint8 picture; with ``crop`` keep only the bounding box of its alpha.

    Returns None when the picture is fully transparent (nothing to blend).
    """
    alpha = rgba[..., 3]
    x0 = y0 = 0
    if crop:
        rows = np.flatnonzero(alpha.any(axis=1))
        cols = np.flatnonzero(alpha.any(axis=0))
        if rows.size == 0:
            return None
        # Even bounds keep luma and chroma of the layer on the same 2×2 grid.
        y0, x0 = int(rows[0]) & ~1, int(cols[0]) & ~1
        y1, x1 = int(rows[-1]) + 1, int(cols[-1]) + 1
        y1 += y1 & 1
        x1 += x1 & 1
        rgba = rgba[y0:y1, x0:x1]
    h, w = rgba.shape[:2]
    if h % 2 or w % 2:
        rgba = np.pad(rgba, ((0, h % 2), (0, w % 2), (0, 0)))
        h, w = rgba.shape[:2]
    a = rgba[..., 3].astype(np.float32)
    a *= 256.0 * opacity / 255.0
    yf = _luma(rgba)
    # Chroma: alpha-weighted 2×2 average, so edges don't bleed the colour of transparent pixels.
    # Chroma is affine in RGB, so that is the chroma of the alpha-weighted mean RGB of the block.
    asum = _pool2(a)
    weighted = _pool2(rgba[..., :3] * a[..., None])
    weighted /= np.maximum(asum, 1e-6)[..., None]
    uc, vc = _chroma(weighted)
    ai = np.round(a)
    aci = np.round(asum * 0.25)
    layer = Layer(
        y=np.round(yf * ai).astype(np.uint16),
        ya=(256 - ai).astype(np.uint16),
        u=np.round(uc * aci).astype(np.uint16),
        v=np.round(vc * aci).astype(np.uint16),
        uva=(256 - aci).astype(np.uint16),
        x0=x0,
        y0=y0,
    )
    top, bottom = _longest_opaque_run(ai)
    if bottom - top >= 16:
        layer.solid_top, layer.solid_bottom = top, bottom
        layer.solid = Planes(
            np.clip(yf[top:bottom] + 0.5, 0, 255).astype(np.uint8),
            np.clip(uc[top // 2 : bottom // 2] + 0.5, 0, 255).astype(np.uint8),
            np.clip(vc[top // 2 : bottom // 2] + 0.5, 0, 255).astype(np.uint8),
        )
    return layer


def _longest_opaque_run(alpha: np.ndarray) -> tuple[int, int]:
    """The longest run of fully opaque rows, shrunk to even bounds."""
    full = np.all(alpha >= 256, axis=1)
    best, start = (0, 0), None
    for i, ok in enumerate([*full.tolist(), False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    top, bottom = best
    return top + (top & 1), bottom - (bottom & 1)


def _blend_plane(dst: np.ndarray, pre: np.ndarray, inv: np.ndarray, x: int, y: int) -> None:
    h, w = pre.shape
    H, W = dst.shape
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, W), min(y + h, H)
    if x0 >= x1 or y0 >= y1:
        return
    region = dst[y0:y1, x0:x1]
    sub = (slice(y0 - y, y1 - y), slice(x0 - x, x1 - x))
    acc = np.multiply(region, inv[sub], dtype=np.uint16)
    acc += pre[sub]
    acc >>= 8
    np.copyto(region, acc, casting="unsafe")


def _copy_plane(dst: np.ndarray, src: np.ndarray, x: int, y: int) -> None:
    h, w = src.shape
    H, W = dst.shape
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, W), min(y + h, H)
    if x0 < x1 and y0 < y1:
        dst[y0:y1, x0:x1] = src[y0 - y : y1 - y, x0 - x : x1 - x]


def _blend_rows(planes: Planes, layer: Layer, x: int, y: int, r0: int, r1: int) -> None:
    """Blend rows [r0, r1) of the layer (even bounds)."""
    if r1 <= r0:
        return
    _blend_plane(planes.y, layer.y[r0:r1], layer.ya[r0:r1], x, y + r0)
    # Chroma sits on the 2×2 grid; an odd offset is off by half a chroma pixel, which is invisible.
    cx, cy = x >> 1, (y >> 1) + r0 // 2
    c0, c1 = r0 // 2, r1 // 2
    _blend_plane(planes.u, layer.u[c0:c1], layer.uva[c0:c1], cx, cy)
    _blend_plane(planes.v, layer.v[c0:c1], layer.uva[c0:c1], cx, cy)


def blend(planes: Planes, layer: Layer, x: int, y: int) -> None:
    """Blend ``layer`` over ``planes`` with its top-left at luma pixel (x, y); clips at edges."""
    solid = layer.solid
    if solid is None:
        _blend_rows(planes, layer, x, y, 0, layer.height)
        return
    top, bottom = layer.solid_top, layer.solid_bottom
    _blend_rows(planes, layer, x, y, 0, top)
    _copy_plane(planes.y, solid.y, x, y + top)
    _copy_plane(planes.u, solid.u, x >> 1, (y >> 1) + top // 2)
    _copy_plane(planes.v, solid.v, x >> 1, (y >> 1) + top // 2)
    _blend_rows(planes, layer, x, y, bottom, layer.height)
