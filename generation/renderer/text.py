"""Caption band and moving watermark, rendered once as premultiplied layers.

Uses the scalable font embedded in Pillow (``ImageFont.load_default(size=...)``), so output does
not depend on the fonts installed on the machine. Characters the font lacks are folded to ASCII
where possible (é → e) and dropped otherwise, instead of showing as boxes.
"""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from generation.renderer.planes import Layer, layer_from_rgba

_REPLACEMENTS = {"\u2014": "-", "\u2013": "-", "\u2026": "...", "\u00a0": " "}


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=1024)
def _has_glyph(size: int, ch: str) -> bool:
    f = font(size)
    missing = f.getmask("\ue000")
    mask = f.getmask(ch)
    return not (mask.size == missing.size and bytes(mask) == bytes(missing))


def printable(text: str, size: int) -> str:
    """``text`` restricted to what the embedded font can draw."""
    out = []
    for ch in text:
        ch = _REPLACEMENTS.get(ch, ch)
        if len(ch) == 1 and not ch.isspace() and not _has_glyph(size, ch):
            folded = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            ch = folded if folded and all(_has_glyph(size, c) for c in folded) else ""
        out.append(" " if ch.isspace() else ch)
    return " ".join("".join(out).split())


def wrap(text: str, size: int, max_width: int, max_lines: int) -> list[str]:
    """Greedy word wrap to ``max_lines``; the last line ends with an ellipsis if text remains."""
    f = font(size)
    words = text.split()
    lines: list[str] = []
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while f.getlength(line) > max_width and len(line) > 1:  # one very long word
            cut = len(line) - 1
            while cut > 1 and f.getlength(line[:cut]) > max_width:
                cut -= 1
            words.insert(0, line[cut:])
            line = line[:cut]
        while words and f.getlength(f"{line} {words[0]}") <= max_width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words and lines:
        last = lines[-1]
        while last and f.getlength(last + "…") > max_width:
            last = last[:-1].rstrip()
        lines[-1] = last + ("…" if _has_glyph(size, "…") else "...")
    return lines


def caption_layer(caption: str, width: int, height: int) -> tuple[Layer | None, int]:
    """A translucent dark band with the wrapped caption, and the y where it goes.

    The text fades at the band's edges so the band reads as an overlay, not a box.
    """
    size = max(14, round(min(width, height) / 26))  # by the short side: landscape isn't louder
    text = printable(caption, size)
    if not text:
        return None, 0
    pad = size // 2
    lines = wrap(text, size, width - 4 * pad, 2)
    line_h = round(size * 1.3)
    band_h = line_h * len(lines) + 2 * pad
    band_h += band_h & 1
    img = Image.new("RGBA", (width, band_h), (10, 10, 16, 118))
    draw = ImageDraw.Draw(img)
    f = font(size)
    for i, line in enumerate(lines):
        x = (width - f.getlength(line)) / 2
        y = pad + i * line_h
        draw.text((x + 1, y + 2), line, font=f, fill=(0, 0, 0, 160))
        draw.text((x, y), line, font=f, fill=(255, 255, 255, 245))
    # Bottom edge at 84 %: the feed overlays the creator and buttons on the lowest ~14 %.
    y0 = int(height * 0.84 - band_h)
    return layer_from_rgba(np.asarray(img), crop=False), y0 & ~1


def watermark_text(handle: str) -> str:
    handle = handle.strip().lstrip("@")
    return f"AI-generated · @{handle}" if handle else "AI-generated"


def watermark_layer(handle: str, unit: int) -> Layer:
    """Semi-opaque white text with a dark outline, legible on any background.

    ``unit`` is the frame's short side.
    """
    size = max(12, round(unit / 30))
    text = printable(watermark_text(handle), size)
    f = font(size)
    stroke = max(1, size // 10)
    left, top, right, bottom = f.getbbox(text, stroke_width=stroke)
    w, h = right - left + 4, bottom - top + 4
    img = Image.new("RGBA", (w + (w & 1), h + (h & 1)), (0, 0, 0, 0))
    ImageDraw.Draw(img).text(
        (2 - left, 2 - top), text, font=f, fill=(255, 255, 255, 255), stroke_width=stroke,
        stroke_fill=(0, 0, 0, 255),
    )  # fmt: skip
    layer = layer_from_rgba(np.asarray(img), crop=False, opacity=0.78)
    assert layer is not None
    return layer


def watermark_position(
    t: float, *, frame: tuple[int, int], size: tuple[int, int], bottom_limit: int, start: int
) -> tuple[int, int]:
    """Where the watermark is at time ``t``: it rests in a corner, then glides to the next.

    A watermark that moves can't be covered by one static crop or blur box.
    """
    fw, fh = frame
    w, h = size
    margin = max(8, fw // 30)
    corners = [
        (margin, margin + fh // 40),
        (fw - w - margin, margin + fh // 40),
        (fw - w - margin, bottom_limit - h - margin),
        (margin, bottom_limit - h - margin),
    ]
    period = 3.0  # seconds per corner: 1.8 s at rest (slow drift), 1.2 s gliding
    k = t / period
    i = (int(k) + start) % 4
    phase = k - int(k)
    a, b = corners[i], corners[(i + 1) % 4]
    s = 0.0 if phase < 0.6 else (phase - 0.6) / 0.4
    s = s * s * (3 - 2 * s)
    wobble = math.sin(t * 1.7) * margin * 0.3
    x = a[0] + (b[0] - a[0]) * s + wobble
    y = a[1] + (b[1] - a[1]) * s
    return int(round(x)), int(round(y))
