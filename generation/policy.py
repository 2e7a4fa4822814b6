"""Prompt policy: blocked terms (editable in the admin) and the rights-holder registry.

Matching works on a normalised prompt so that case, accents, punctuation, letter spacing
("k i l l", "k.i.l.l") and leetspeak ("k1ll", "s3x") don't slip through, while whole-word
matching keeps "skill" from matching "kill". Pure functions, apart from reading the active terms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from generation.models import PolicyCategory, PolicyTerm, RightsHolder

LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                      "@": "a", "$": "s", "!": "i", "|": "l", "+": "t"})  # fmt: skip


def normalise(text: str) -> str:
    """Lowercase words separated by single spaces, accents stripped, leetspeak undone, and runs
    of single letters ("k i l l") joined into words."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    # Leetspeak only inside words: "4 cats" stays "4 cats", "k1ll" becomes "kill".
    # Sentence punctuation at a word's ends is punctuation, not leetspeak ("noob!" ≠ "noobi").
    text = " ".join(_unleet(chunk.strip(".,;:!?\"'()[]")) for chunk in text.split())
    tokens = re.findall(r"[a-z0-9]+", text)
    joined: list[str] = []
    run: list[str] = []
    for token in tokens:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if run:
            joined.append("".join(run) if len(run) > 1 else run[0])
            run = []
        joined.append(token)
    if run:
        joined.append("".join(run) if len(run) > 1 else run[0])
    return " ".join(joined)


def _unleet(word: str) -> str:
    return word.translate(LEET) if re.search(r"[a-z]", word) else word


def _contains_phrase(normalised_prompt: str, phrase: str) -> bool:
    needle = normalise(phrase)
    if not needle:
        return False
    return (
        re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", normalised_prompt) is not None
    )


@dataclass(frozen=True)
class PolicyVerdict:
    allowed: bool
    code: str = ""
    reason: str = ""
    licensed: list[dict[str, object]] = field(default_factory=list)


def prompt_check(prompt: str) -> PolicyVerdict:
    """Decide whether a prompt may be generated, and which licensed characters it uses."""
    text = normalise(prompt)
    for term in PolicyTerm.objects.filter(active=True).only(
        "category", "kind", "pattern", "reason"
    ):
        if term.kind == PolicyTerm.Kind.REGEX:
            try:
                hit = re.search(term.pattern, text) is not None
            except re.error:
                continue  # a broken pattern in the admin must not take generation down
        else:
            hit = _contains_phrase(text, term.pattern)
        if hit:
            category = PolicyCategory(term.category)
            reason = term.reason or f"This prompt breaks our policy on {category.label.lower()}."
            return PolicyVerdict(allowed=False, code=f"policy:{term.category}", reason=reason)
    licensed: list[dict[str, object]] = []
    for holder in RightsHolder.objects.filter(active=True):
        if not any(_contains_phrase(text, name) for name in holder.names()):
            continue
        if holder.policy == RightsHolder.Policy.BLOCK:
            return PolicyVerdict(
                allowed=False,
                code=f"rights:{holder.pk}",
                reason=f"{holder.holder} does not allow clips of {holder.name}.",
            )
        licensed.append(
            {
                "id": holder.pk,
                "name": holder.name,
                "holder": holder.holder,
                "share_percent": str(holder.revenue_share_percent),
            }
        )
    return PolicyVerdict(allowed=True, licensed=licensed)
