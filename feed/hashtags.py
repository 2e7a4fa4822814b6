"""#tags: the one place a tag is found in text and put in its normal form, and the one place
text becomes HTML with tags as links (captions and prompts on every page)."""

from __future__ import annotations

import re
import unicodedata

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from feed.models import HASHTAG_MAX_CHARS

MAX_TAGS_PER_CLIP = 20
# A tag starts after a space or punctuation (not inside a word, a URL fragment or an HTML entity),
# holds letters of any script, digits, "_" and inner "-", and has at least one letter.
HASHTAG_RE = re.compile(r"(?<![\w#&/])#(\w(?:[\w-]*\w)?)")


def hashtag_normal(raw: str) -> str | None:
    """The stored form of a tag: NFC, casefolded (so "Été", "ÉTÉ" and a decomposed "été" are
    one tag); None when it is no tag at all (only digits, too long)."""
    name = unicodedata.normalize("NFC", raw).casefold()
    name = unicodedata.normalize("NFC", name)  # casefolding can decompose ("ß" stays, "İ" not)
    if not any(char.isalpha() for char in name) or len(name) > HASHTAG_MAX_CHARS:
        return None
    return name


def hashtags_in(*texts: str) -> list[str]:
    """Every #tag in these texts, normalized, in order of appearance, once each (at most
    MAX_TAGS_PER_CLIP)."""
    found: dict[str, None] = {}
    for text in texts:
        for match in HASHTAG_RE.finditer(unicodedata.normalize("NFC", text or "")):
            name = hashtag_normal(match.group(1))
            if name is not None:
                found.setdefault(name, None)
    return list(found)[:MAX_TAGS_PER_CLIP]


def linkify_hashtags(text: str) -> SafeString:
    """The text, HTML-escaped, with each #tag a link to its tag page."""
    text = unicodedata.normalize("NFC", text or "")
    parts: list[str] = []
    last = 0
    for match in HASHTAG_RE.finditer(text):
        name = hashtag_normal(match.group(1))
        if name is None:
            continue
        parts.append(escape(text[last : match.start()]))
        url = reverse("feed:tag", args=[name])
        parts.append(f'<a class="hashtag" href="{escape(url)}">{escape(match.group(0))}</a>')
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped
