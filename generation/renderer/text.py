"""Caption band and moving watermark, rendered once as premultiplied layers, inside the safe area.

Text is drawn with DejaVu Sans Bold, shipped in ``fonts/`` (so output does not depend on the fonts
installed on the machine): Latin, Greek and Cyrillic with their accents. A caption holding
anything the font lacks (emoji, CJK) is not burned in at all — the feed's captions track carries
the prompt as typed — rather than shown with holes. The watermark, whose text we choose, keeps
the fold-or-drop fallback.

The safe area: the feed fills a phone's screen with ``object-fit: cover``, so a 9:16 clip on a
9:21 phone loses 5/42 of its width on each side; the tabs cover the top, the creator's name and
the bottom tab bar the lowest ~16 %, and the like/comment/share rail the right edge of the lower
half. Text goes where none of them reach.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from generation.renderer.planes import Layer, layer_from_rgba

_REPLACEMENTS = {"\u2014": "-", "\u2013": "-", "\u2026": "...", "\u00a0": " "}


FONT_PATH = Path(__file__).resolve().parent / "fonts" / "DejaVuSans-Bold.ttf"
# The narrowest screen the feed is designed for (tall phones: 9:19.5 to 9:21) and how much of it
# the feed's own controls cover, as fractions of the clip's height (see static/css/app.css:
# tabs on top, creator line and tab bar at the bottom, the action rail on the right).
NARROWEST_SCREEN = 9 / 21
TOP_COVERED = 0.07
BOTTOM_COVERED = 0.16
RAIL_WIDTH = 0.072  # the rail: 8 px + 46 px buttons on a ~750 px tall clip area
RAIL_TOP = 0.38


@dataclass(frozen=True)
class SafeArea:
    """Where text stays visible and uncovered, in frame pixels.

    ``left``..``right`` and ``top``..``bottom`` bound everything; below ``rail_top`` the right
    edge is ``rail_left`` instead, so nothing sits under the action rail.
    """

    left: int
    top: int
    right: int
    bottom: int
    rail_left: int
    rail_top: int

    def right_at(self, y_bottom: int) -> int:
        """The rightmost x for something whose lowest row is ``y_bottom``."""
        return self.rail_left if y_bottom > self.rail_top else self.right


def safe_area(width: int, height: int) -> SafeArea:
    """The safe area of a ``width``×``height`` frame (see the module docstring)."""
    visible = min(1.0, NARROWEST_SCREEN / (width / height)) if width < height else 1.0
    crop = math.ceil(width * (1 - visible) / 2)
    pad = max(8, round(min(width, height) / 60))
    right = width - crop - pad
    return SafeArea(
        left=crop + pad,
        top=round(height * TOP_COVERED) + pad,
        right=right,
        bottom=round(height * (1 - BOTTOM_COVERED)),
        rail_left=right - math.ceil(height * RAIL_WIDTH),
        rail_top=round(height * RAIL_TOP),
    )


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(str(FONT_PATH), size=size)
    except OSError:  # a trimmed install without the font: Pillow's own (ASCII only)
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


def drawable(text: str, size: int) -> bool:
    """Whether the font draws every character of ``text`` as typed (accents included)."""
    return all(ch.isspace() or ch in _REPLACEMENTS or _has_glyph(size, ch) for ch in text)


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


def caption_size(width: int, height: int) -> int:
    return max(14, round(min(width, height) / 26))  # by the short side: landscape isn't louder


def caption_layer(caption: str, width: int, height: int) -> tuple[Layer | None, int]:
    """A translucent dark band with the wrapped caption, and the y where it goes.

    The band runs the frame's width (cropped sides only lose background); the text is
    left-aligned inside the safe area, clear of the action rail, two lines at most. ``None``
    when the caption is empty or holds characters the font can't draw: then the captions track
    alone shows the prompt, unmangled.
    """
    size = caption_size(width, height)
    text = " ".join(caption.split())
    if not text or not drawable(text, size):
        return None, 0
    text = "".join(_REPLACEMENTS.get(ch, ch) for ch in text)
    safe = safe_area(width, height)
    pad = size // 2
    lines = wrap(text, size, safe.rail_left - safe.left, 2)
    line_h = round(size * 1.3)
    band_h = line_h * len(lines) + 2 * pad
    band_h += band_h & 1
    img = Image.new("RGBA", (width, band_h), (10, 10, 16, 118))
    draw = ImageDraw.Draw(img)
    f = font(size)
    for i, line in enumerate(lines):
        x = safe.left
        y = pad + i * line_h
        draw.text((x + 1, y + 2), line, font=f, fill=(0, 0, 0, 160))
        draw.text((x, y), line, font=f, fill=(255, 255, 255, 245))
    y0 = (safe.bottom - band_h) & ~1
    return layer_from_rgba(np.asarray(img), crop=False), y0


def watermark_text(handle: str) -> str:
    handle = handle.strip().lstrip("@")
    return f"AI-generated · @{handle}" if handle else "AI-generated"


def watermark_image(handle: str, unit: int) -> Image.Image:
    """Semi-transparent-ready white text with a dark outline, legible on any background.

    ``unit`` is the frame's short side. A long handle gets a smaller font, so the stamp fits
    beside the action rail (58 % of the short side) and stays whole on every phone.
    """
    size = max(12, round(unit / 30))
    max_width = unit * 0.58
    while True:
        text = printable(watermark_text(handle), size)
        f = font(size)
        stroke = max(1, size // 10)
        left, top, right, bottom = f.getbbox(text, stroke_width=stroke)
        if right - left + 4 <= max_width or size <= 9:
            break
        size -= 1
    w, h = right - left + 4, bottom - top + 4
    img = Image.new("RGBA", (w + (w & 1), h + (h & 1)), (0, 0, 0, 0))
    ImageDraw.Draw(img).text(
        (2 - left, 2 - top), text, font=f, fill=(255, 255, 255, 255), stroke_width=stroke,
        stroke_fill=(0, 0, 0, 255),
    )  # fmt: skip
    return img


def watermark_layer(handle: str, unit: int) -> Layer:
    """The watermark as a premultiplied layer at 78 % opacity."""
    layer = layer_from_rgba(np.asarray(watermark_image(handle, unit)), crop=False, opacity=0.78)
    assert layer is not None
    return layer


def watermark_position(
    t: float, *, frame: tuple[int, int], size: tuple[int, int], bottom_limit: int, start: int
) -> tuple[int, int]:
    """Where the watermark is at time ``t``: it rests in a corner of the safe area, then glides
    to the next. A watermark that moves can't be covered by one static crop or blur box.

    ``bottom_limit`` is the lowest row it may use (the caption band's top, or the safe area's
    bottom); the lower corners keep clear of the action rail.
    """
    fw, fh = frame
    w, h = size
    safe = safe_area(fw, fh)
    bottom = min(bottom_limit, safe.bottom)
    wobble_room = max(2, fw // 100)
    left = safe.left + wobble_room
    top_right = max(left, safe.right - w - wobble_room)
    low_right = max(left, safe.right_at(bottom) - w - wobble_room)
    low_y = max(safe.top, bottom - h - wobble_room)
    corners = [(left, safe.top), (top_right, safe.top), (low_right, low_y), (left, low_y)]
    period = 3.0  # seconds per corner: 1.8 s at rest (slow drift), 1.2 s gliding
    k = t / period
    i = (int(k) + start) % 4
    phase = k - int(k)
    a, b = corners[i], corners[(i + 1) % 4]
    s = 0.0 if phase < 0.6 else (phase - 0.6) / 0.4
    s = s * s * (3 - 2 * s)
    wobble = math.sin(t * 1.7) * wobble_room
    x = a[0] + (b[0] - a[0]) * s + wobble
    y = a[1] + (b[1] - a[1]) * s
    # Gliding from a top-right corner down to a low one passes the rail's top: stay left of it.
    if y + h > safe.rail_top:
        x = min(x, safe.rail_left - w)
    return int(round(x)), int(round(y))
