"""Unicode canonicalisation shared by the content policy and the handle look-alike checks.

`canonical_characters` is what both compare: NFKC, no format characters (zero-width space and
joiner, soft hyphen, bidi controls), no accents, every non-ASCII letter folded to its ASCII
look-alike by the Unicode TR39 confusables data (the `confusable-homoglyphs` package), lowercase.
`handle_skeleton` goes one step further for @handles: the ASCII look-alikes TR39 lists ("1"/"l",
"0"/"o", "rn"/"m") are one letter, so "@a1ice" and "@аlice" (Cyrillic а) are both "alice".
"""

from __future__ import annotations

import unicodedata
from collections import deque
from collections.abc import Callable
from functools import lru_cache

from confusable_homoglyphs.confusables import confusables_data

# Not look-alikes but single letters written as two in English and French words.
LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "ı": "i", "ĸ": "k",
             # Cyrillic lowercase letters read as Latin ones in italic and handwriting, which
             # TR39 (print forms) does not list.
             "п": "n", "и": "u", "ш": "w"}  # fmt: skip
APOSTROPHES = "'’‘ʼ`´"


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    """One non-ASCII character → its ASCII look-alike by the Unicode TR39 confusables data
    (confusable-homoglyphs), or the character itself. Cyrillic "а" → "a", Greek "ο" → "o";
    a lowercase letter with no Latin look-alike tries its capital ("к" → "К" → "K")."""
    if char in LIGATURES:
        return LIGATURES[char]
    # A capital prefers a capital look-alike (Greek "Ν" is "N", not "v" like its small "ν").
    candidates = (char, char.lower()) if char.isupper() else (char, char.upper())
    for wanted in (str.isupper if char.isupper() else str.islower, None):
        for candidate in candidates:
            found = _confusable_ascii(candidate, wanted)
            if found:
                return found.lower()
    return char


def _confusable_ascii(char: str, wanted: Callable[[str], bool] | None) -> str | None:
    # The data links each character to its confusables both ways; a short breadth-first walk
    # finds the nearest plain ASCII letter or digit (of the wanted case, if one is asked for).
    seen = {char}
    queue: deque[tuple[str, int]] = deque([(char, 0)])
    while queue:
        current, depth = queue.popleft()
        if (
            current != char
            and len(current) == 1
            and current.isascii()
            and current.isalnum()
            and (wanted is None or wanted(current) or current.isdigit())
        ):
            return current
        if depth >= 3:
            continue
        for entry in confusables_data.get(current, ()):
            glyph = entry["c"].strip("\u200e")
            if glyph not in seen:
                seen.add(glyph)
                queue.append((glyph, depth + 1))
    return None


def canonical_characters(text: str) -> str:
    """NFKC, no format characters, no accents, look-alike letters folded, lowercase."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        ch for ch in text if unicodedata.category(ch) not in {"Cf", "Cc"} or ch in "\n\t"
    )
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Mn", "Me"})
    out = []
    for ch in text:
        if ch in APOSTROPHES:
            out.append("'")
        elif ch.isascii() or unicodedata.category(ch).startswith("Z"):
            out.append(ch if ch.isascii() else " ")
        else:
            out.append(_fold(ch))
    return "".join(out).lower()


def _ascii_lookalikes() -> list[tuple[str, str]]:
    """(look-alike, letter) pairs among lowercase ASCII letters and digits, from TR39 data."""
    pairs = []
    for key, entries in confusables_data.items():
        for entry in entries:
            glyph = entry["c"].lower()
            if key.isascii() and key.isalnum() and glyph.isascii() and glyph.isalpha():
                source = key.lower()
                if source != glyph and (len(source) > 1 or source.isdigit()):
                    pairs.append((source, glyph))  # "1" → "l", "0" → "o", "rn" → "m"
    return sorted(set(pairs), key=lambda pair: -len(pair[0]))


ASCII_LOOKALIKES = _ascii_lookalikes()


def handle_skeleton(handle: str) -> str:
    """What a handle looks like: equal skeletons are handles a reader can't tell apart."""
    text = canonical_characters(handle).strip().lstrip("@")
    for source, letter in ASCII_LOOKALIKES:
        text = text.replace(source, letter)
    return text


def skeleton_regex(skeleton: str) -> str:
    """A regular expression matching every ASCII handle with this skeleton."""
    by_letter: dict[str, list[str]] = {}
    for source, letter in ASCII_LOOKALIKES:
        by_letter.setdefault(letter, [letter]).append(source)
    parts = []
    for char in skeleton:
        options = by_letter.get(char)
        if options:
            parts.append("(" + "|".join(sorted(options, key=len, reverse=True)) + ")")
        elif char.isalnum() or char in "_":
            parts.append(char)
        else:
            parts.append("\\" + char if char in ".^$*+?()[]{}|\\" else char)
    return "^" + "".join(parts) + "$"
