"""Look-alike @handles (reads): a new handle that reads the same as an existing one is refused,
and an @mention that imitates a handle is an error, never a silent render.

Two handles look alike when their skeletons are equal (config/unicode_text.py: TR39 look-alike
letters, invisible characters, accents and case folded). Handles are stored as ASCII, so the
handles sharing a skeleton are found with one regular expression over the handle column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import DomainError
from config.unicode_text import handle_skeleton, skeleton_regex

# An @ and what follows up to a space or sentence punctuation, in any script: "@аlice" (with a
# Cyrillic а) must be seen to be refused.
MENTION_TOKEN = re.compile(r"(?<![\w@])@([^\s@,;:!?()\[\]{}<>\"'«»]{1,60})")
HANDLE_FORM = re.compile(r"^[a-z0-9_.]{3,30}$")

# (queryset, handle column) pairs to compare against; users by default.
HandleSources = Sequence[tuple[QuerySet[Any], str]]


def _sources(sources: HandleSources | None) -> HandleSources:
    return sources if sources is not None else [(User.objects.all(), "username")]


def handles_looking_like(*, handle: str, sources: HandleSources | None = None) -> list[str]:
    """Existing handles with the same skeleton as `handle` (itself included if it exists)."""
    skeleton = handle_skeleton(handle)
    if not skeleton or not HANDLE_FORM.match(skeleton.replace("-", "_")):
        return []
    pattern = skeleton_regex(skeleton)
    found: list[str] = []
    for queryset, column in _sources(sources):
        values = queryset.filter(**{f"{column}__iregex": pattern}).values_list(column, flat=True)
        found += [value.lower() for value in values[:5]]
    return sorted(set(found))


def handle_lookalike_of(
    *, handle: str, exclude: Sequence[str] = (), sources: HandleSources | None = None
) -> str | None:
    """An existing handle a reader couldn't tell from `handle` (other than itself), or None."""
    handle = handle.strip().lstrip("@").lower()
    skip = {handle, *(h.lower() for h in exclude)}
    others = [h for h in handles_looking_like(handle=handle, sources=sources) if h not in skip]
    return others[0] if others else None


def mention_lookalikes(*, text: str, sources: HandleSources | None = None) -> list[tuple[str, str]]:
    """(as written, the handle it imitates) for each @mention in `text` that is not a handle
    but reads like one: other scripts' look-alike letters, invisible characters, "1" for "l"."""
    lookalikes: list[tuple[str, str]] = []
    for written in dict.fromkeys(MENTION_TOKEN.findall(text)):
        written = written.rstrip(".")
        plain = written.lower()
        if HANDLE_FORM.match(plain) and _handle_exists(plain, sources):
            continue  # a real handle: resolved as usual
        imitated = handle_lookalike_of(handle=written, sources=sources)
        if imitated and imitated != plain:
            lookalikes.append((written, imitated))
    return lookalikes


def _handle_exists(handle: str, sources: HandleSources | None) -> bool:
    return any(
        queryset.filter(**{f"{column}__iexact": handle}).exists()
        for queryset, column in _sources(sources)
    )


def mention_lookalikes_refuse(
    *, text: str, field: str, sources: HandleSources | None = None
) -> None:
    """A 422 naming the first look-alike @mention in `text`, so it is never silently posted or
    rendered as if it were someone else."""
    found = mention_lookalikes(text=text, sources=sources)
    if not found:
        return
    written, imitated = found[0]
    message = _(
        "“@%(written)s” looks like @%(handle)s but is not that handle (it has look-alike or "
        "invisible characters). Type the handle again."
    ) % {"written": written, "handle": imitated}
    raise DomainError(message, code="lookalike_mention", fields={field: [message]})
