"""A clip's prompt as a WebVTT captions track: the text the renderer could not (or only partly)
burn into the picture, readable by screen readers and in any script or language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from feed.models import Video

CUE_MAX_CHARS = 80


def caption_track_label() -> str:
    return _("Prompt (captions)")


def _timestamp(seconds: float) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _lines(text: str) -> list[str]:
    """Short lines, cut at spaces, so a cue never overflows a phone screen."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > CUE_MAX_CHARS // 2:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines


def _escape(line: str) -> str:
    # WebVTT cue text is markup: "<", "&" and the "-->" arrow must not be read as syntax.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def prompt_vtt(*, video: Video) -> str:
    """The prompt (and caption, if any) shown for the clip's whole length, two lines at a time."""
    text = " ".join(part for part in (video.caption, video.prompt) if part)
    lines = [_escape(line) for line in _lines(text)] or [""]
    duration = max(float(video.duration or 0), 0.5)
    pairs = [lines[i : i + 2] for i in range(0, len(lines), 2)]
    step = duration / len(pairs)
    cues = ["WEBVTT", ""]
    for index, pair in enumerate(pairs):
        start, end = index * step, duration if index == len(pairs) - 1 else (index + 1) * step
        cues += [str(index + 1), f"{_timestamp(start)} --> {_timestamp(end)}", *pair, ""]
    return "\n".join(cues)
