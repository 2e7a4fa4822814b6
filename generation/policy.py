"""Content policy: the rules (editable in the admin, a default shipped by a migration), the
rights-holder registry, and the matching that evasions don't get past.

    text ─▶ normalise: NFKC · drop format characters (zero-width, soft hyphen, bidi controls)
            · drop accents · fold look-alike letters (Unicode TR39 data) · lowercase
            · French elision ("l'éponge" → "éponge") · leetspeak · "k.i.l.l" / "k i l l" → "kill"
         ─▶ rules in category order: any term · a term near another · a regex; exceptions
            within the window cancel a hit ─▶ the first hit's reason
         ─▶ rights holders: blocked names refuse, licensed names are recorded
         ─▶ (prompts only) the optional external moderation endpoint (generation/moderation.py)

Rules are compiled once per process and recompiled when any policy row changes. Matching is on
whole words, with plural endings, so "skill" never matches "kill" and "Sussex" never "sex".
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from config.unicode_text import canonical_characters
from generation.external_moderation import external_moderation_check
from generation.models import PolicyCategory, PolicyTerm, RightsHolder

logger = logging.getLogger(__name__)

LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                      "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e"})  # fmt: skip
ELISION = re.compile(r"(?<![a-z0-9])(?:[lcdjmnst]|qu|jusqu|lorsqu|puisqu) ?' ?(?=[a-z0-9@$])")
# The same, spelled out: "l.'.a.m.o.u.r".
SPELLED_ELISION = re.compile(r"^(?:[lcdjmnst]|qu)[.\-_*~]*'[.\-_*~]*(?=[a-z])")
# Between these, a chunk is two words; other punctuation inside a word is an evasion ("k.i.l.l").
SEPARATORS = re.compile(r"[\s,;:?()\[\]{}\"/\\<>=&#…]+")
EDGE_PUNCTUATION = ".,;:!?\"'()[]{}*-_~"


LEET_RUN = re.compile(r"[013457 8@$!|+€]+".replace(" ", ""))
MENTION = re.compile(r"^@[a-z0-9_.]{3,30}$")


def _unleet(word: str) -> str:
    """Leetspeak inside words only: "k1ll", "nud3", "$ex", "4nal" are words, while "4 cats",
    "12yo", "3d", "4k" and "90s" keep their numbers."""
    if not re.search(r"[a-z]", word):
        return word
    out: list[str] = []
    position = 0
    for run in LEET_RUN.finditer(word):
        start, end = run.span()
        before = word[start - 1] if start else ""
        letters_after = len(re.match(r"[a-z]*", word[end:]).group())  # type: ignore[union-attr]
        if before.isalpha() or (not before.isdigit() and letters_after >= 2):
            out.append(word[position:start] + run.group().translate(LEET))
        else:
            out.append(word[position:end])
        position = end
    out.append(word[position:])
    return "".join(out)


def normalise(text: str) -> str:
    """Words separated by single spaces, as the rules see them: see the module docstring."""
    return normalise_variants(text)[0]


def normalise_variants(text: str) -> list[str]:
    """The normalised text, then other readings: when spelled-out letters may have swallowed a
    one-letter word ("mort aux a r a b e s" also reads "rabes", "e x p l o s i o n à" also
    "explosion"), and with letters repeated three times or more read once ("seeeexy")."""
    text = ELISION.sub("", canonical_characters(text))
    words: list[str] = []
    for chunk in text.split():
        chunk = SPELLED_ELISION.sub("", chunk.strip(EDGE_PUNCTUATION))
        if MENTION.match(chunk):
            # An @mention is a person (or a cameo) in the scene: "@sam naked" reads as
            # "someone sam naked", so context rules see a person there.
            words.append("someone")
            chunk = chunk[1:]
        chunk = _unleet(chunk)
        for piece in SEPARATORS.split(chunk):
            parts = [p for p in re.split(r"[^a-z0-9]+", piece) if p]
            if not parts:
                continue
            if len(parts) > 1 and all(len(p) == 1 for p in parts):
                words.append("".join(parts))  # "s.e.x", "k-i-l-l"
            else:
                words.extend(parts)  # "blood-soaked" → "blood soaked"
    tokens: list[str] = []
    trimmed: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if run:
            joined = "".join(run)
            tokens.append(joined)
            # "a n u d e woman": the article may not be part of the spelled-out word.
            if len(joined) >= 5 and joined[0] in "aiy":
                joined = joined[1:]
            if len(joined) >= 5 and joined[-1] in "aiy":
                joined = joined[:-1]
            trimmed.append(joined)
            run = []
        if word:
            tokens.append(word)
            trimmed.append(word)
    readings = [" ".join(tokens), " ".join(trimmed)]
    # "seeeexy", "nakeeed": three or more of a letter read as one.
    readings += [re.sub(r"([a-z])\1{2,}", r"\1", reading) for reading in readings]
    return list(dict.fromkeys(readings))


# -- compiling rules ---------------------------------------------------------------------------

PLURAL = "(?:s|es|x)?"


def _term_alternatives(line: str) -> list[str]:
    """Regex alternatives for one term line: words with plural endings, `word*` for any
    ending, multi-word phrases also written as one word, or `re:<regex>` as is."""
    line = line.strip()
    if not line or line.startswith("#"):
        return []
    if line.startswith("re:"):
        return [f"(?:{line[3:]})"]
    pieces: list[tuple[str, bool]] = []  # (word, any ending)
    for raw in line.split():
        star = raw.endswith("*")
        words = normalise(raw.rstrip("*")).split()
        for index, word in enumerate(words):
            pieces.append((word, star and index == len(words) - 1))
    if not pieces:
        return []

    def ending(star: bool) -> str:
        return "[a-z0-9]*" if star else PLURAL

    spaced = " ".join(re.escape(word) + ending(star) for word, star in pieces)
    alternatives = [spaced]
    if len(pieces) > 1:
        joined = "".join(re.escape(word) for word, _star in pieces)
        alternatives.append(joined + ending(pieces[-1][1]))
    return alternatives


def compile_terms(lines: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = [alt for line in lines for alt in _term_alternatives(line)]
    if not alternatives:
        return None
    try:
        return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(alternatives)})(?![a-z0-9])")
    except re.error:
        # One broken line typed in the admin must not take generation down: compile the rest.
        valid = []
        for alternative in alternatives:
            try:
                re.compile(alternative)
            except re.error:
                logger.warning("Policy term ignored, not a valid pattern: %r", alternative)
                continue
            valid.append(alternative)
        if not valid:
            return None
        return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(valid)})(?![a-z0-9])")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class CompiledRule:
    key: str
    category: str
    kind: str
    reason: str
    terms: re.Pattern[str] | None
    near: re.Pattern[str] | None
    unless: re.Pattern[str] | None
    window: int
    waived_by_own_cameo: bool
    check_comments: bool


@dataclass(frozen=True)
class CompiledHolder:
    pk: int
    name: str
    holder: str
    policy: str
    share_percent: str
    names: re.Pattern[str] | None
    unless: re.Pattern[str] | None


class _Text:
    """A normalised text and the word index of every character offset."""

    def __init__(self, normalised: str) -> None:
        self.text = normalised
        self.starts = [0] + [m.end() for m in re.finditer(" ", self.text)]

    def spans(self, pattern: re.Pattern[str] | None) -> list[tuple[int, int]]:
        """(first word, last word) of every match."""
        if pattern is None:
            return []
        return [
            (
                bisect.bisect_right(self.starts, m.start()) - 1,
                bisect.bisect_right(self.starts, max(m.end() - 1, m.start())) - 1,
            )
            for m in pattern.finditer(self.text)
        ]


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Words between two spans; -1 when they overlap."""
    if a[1] < b[0]:
        return b[0] - a[1] - 1
    if b[1] < a[0]:
        return a[0] - b[1] - 1
    return -1


def _excepted(span: tuple[int, int], exceptions: list[tuple[int, int]], window: int) -> bool:
    return any(_gap(span, other) <= window for other in exceptions)


def rule_hit(rule: CompiledRule, text: _Text) -> str | None:
    """The matched words when the rule applies to the text, else None."""
    words = text.text.split(" ")
    exceptions = text.spans(rule.unless)
    if rule.kind == PolicyTerm.Kind.NEAR:
        others = text.spans(rule.near)
        if not others:
            return None
        for span in text.spans(rule.terms):
            for other in others:
                gap = _gap(span, other)
                if gap < 0 or gap > rule.window:
                    continue
                if _excepted(span, exceptions, rule.window) or _excepted(
                    other, exceptions, rule.window
                ):
                    continue
                first, last = min(span[0], other[0]), max(span[1], other[1])
                return " ".join(words[first : last + 1])
        return None
    for span in text.spans(rule.terms):
        if not _excepted(span, exceptions, rule.window):
            return " ".join(words[span[0] : span[1] + 1])
    return None


# -- the compiled policy, per process ----------------------------------------------------------


@dataclass
class _Compiled:
    version: tuple[object, ...] = ()
    rules: list[CompiledRule] = field(default_factory=list)
    holders: list[CompiledHolder] = field(default_factory=list)


_compiled = _Compiled()
_compile_lock = threading.Lock()


def _policy_version() -> tuple[object, ...]:
    """Changes whenever a policy row is added, saved, switched or deleted (one small query per
    table; a switch by a bulk update, which leaves `updated_at` alone, changes the count)."""
    version: list[object] = []
    for model in (PolicyCategory, PolicyTerm, RightsHolder):
        row = model.objects.aggregate(
            n=Count("pk"), on=Count("pk", filter=Q(active=True)), t=Max("updated_at")
        )
        version += [row["n"], row["on"], row["t"]]
    return tuple(version)


def compiled_policy() -> _Compiled:
    global _compiled
    version = _policy_version()
    if _compiled.version == version:
        return _compiled
    with _compile_lock:
        if _compiled.version == version:
            return _compiled
        rules = [
            CompiledRule(
                key=term.key or f"#{term.pk}",
                category=term.category_id,
                kind=term.kind,
                reason=term.reason or term.category.reason,
                terms=_compile_rule_terms(term),
                near=compile_terms(_lines(term.near))
                if term.kind == PolicyTerm.Kind.NEAR
                else None,
                unless=compile_terms(_lines(term.unless)),
                window=term.window,
                waived_by_own_cameo=term.category.waived_by_own_cameo,
                check_comments=term.category.check_comments,
            )
            for term in PolicyTerm.objects.filter(active=True, category__active=True)
            .select_related("category")
            .order_by("category__position", "category_id", "pk")
        ]
        holders = [
            CompiledHolder(
                pk=holder.pk,
                name=holder.name,
                holder=holder.holder,
                policy=holder.policy,
                share_percent=str(holder.revenue_share_percent),
                names=compile_terms(holder.names()),
                unless=compile_terms(_lines(holder.unless)),
            )
            for holder in RightsHolder.objects.filter(active=True).order_by("pk")
        ]
        _compiled = _Compiled(version=version, rules=rules, holders=holders)
        return _compiled


def _compile_rule_terms(term: PolicyTerm) -> re.Pattern[str] | None:
    if term.kind != PolicyTerm.Kind.REGEX:
        return compile_terms(_lines(term.pattern))
    try:
        return re.compile(term.pattern.strip())
    except re.error:
        logger.warning("Policy rule %s ignored: not a valid regular expression", term.pk)
        return None


# -- verdicts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyVerdict:
    allowed: bool
    code: str = ""
    reason: str = ""
    licensed: list[dict[str, object]] = field(default_factory=list)
    matched: str = ""  # the words that matched, for moderators


def _waived(rule: CompiledRule, cameo_names: Sequence[str]) -> bool:
    """A real person's rule doesn't apply to a prompt that uses that person's own cameo."""
    if not rule.waived_by_own_cameo or rule.terms is None:
        return False
    return any(rule.terms.search(normalise(name)) for name in cameo_names if name.strip())


def _names_hit(holder: CompiledHolder, reading: _Text) -> bool:
    spans = reading.spans(holder.names)
    exceptions = reading.spans(holder.unless)
    return any(not _excepted(span, exceptions, 6) for span in spans)


def local_check(
    text: str, *, cameo_names: Sequence[str] = (), comments: bool = False, rights: bool = True
) -> PolicyVerdict:
    """The local policy's verdict on a text. `comments` limits the rules to the categories that
    also apply to comments; `rights` includes the rights-holder registry."""
    policy = compiled_policy()
    readings = [_Text(variant) for variant in normalise_variants(text)]
    for rule in policy.rules:
        if comments and not rule.check_comments:
            continue
        for reading in readings:
            matched = rule_hit(rule, reading)
            if matched is not None and not _waived(rule, cameo_names):
                return PolicyVerdict(
                    allowed=False,
                    code=f"policy:{rule.category}",
                    reason=_(rule.reason),
                    matched=matched,
                )
    licensed: list[dict[str, object]] = []
    if not rights:
        return PolicyVerdict(allowed=True)
    for holder in policy.holders:
        if not any(_names_hit(holder, reading) for reading in readings):
            continue
        if holder.policy == RightsHolder.Policy.BLOCK:
            return PolicyVerdict(
                allowed=False,
                code=f"rights:{holder.pk}",
                reason=_("%(holder)s does not allow clips of %(name)s.")
                % {"holder": holder.holder, "name": holder.name},
                matched=holder.name,
            )
        licensed.append(
            {"id": holder.pk, "name": holder.name, "holder": holder.holder,
             "share_percent": holder.share_percent}
        )  # fmt: skip
    return PolicyVerdict(allowed=True, licensed=licensed)


def prompt_check(prompt: str, *, cameo_names: Sequence[str] = ()) -> PolicyVerdict:
    """Decide whether a prompt may be generated, and which licensed characters it uses: the
    local policy, then the external moderation endpoint when one is configured."""
    verdict = local_check(prompt, cameo_names=cameo_names)
    if not verdict.allowed:
        return verdict
    refusal = external_moderation_check(prompt)
    if refusal is not None:
        return PolicyVerdict(allowed=False, code=refusal.code, reason=refusal.reason)
    return verdict


def caption_check(caption: str) -> PolicyVerdict:
    """A published clip's caption: every category (a caption can spread fake news or name a
    real person as much as a prompt can) and the rights holders' blocked names."""
    return local_check(caption)


def comment_check(body: str) -> PolicyVerdict:
    """A comment: the categories marked for comments (naming a person or a character is fine)."""
    return local_check(body, comments=True, rights=False)
