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
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
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
#
# Every term list of every rule goes into one index keyed by a term's first word, so a text is
# scanned once (a few dictionary look-ups per word) whatever the number of rules, and building
# the index is fast enough to redo whenever a moderator saves a rule.

Span = tuple[int, int]  # first and last word of a match
Piece = tuple[str, bool]  # a word of a term, and whether it takes any ending ("word*")
PLURAL_ENDINGS = ("", "s", "es", "x")
# Inflections read as one stem, English and French ("tabasser", "tabassent", "tabassait",
# "tabassée" → "tabass"; "strangle", "strangled", "strangling" → "strangl"), longest first.
# Only stems of five letters or more count, so short words keep their exact meaning.
INFLECTIONS = ("aient", "erent", "eront", "erait", "ait", "ais", "ant", "ent", "ons", "ees",
               "ing", "ers", "ez", "ee", "es", "er", "ed", "e", "s")  # fmt: skip
MIN_STEM = 5


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A word without its inflection ending, when at least MIN_STEM letters remain."""
    for ending in INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=65536)
def _term_pieces(line: str) -> tuple[Piece, ...]:
    pieces: list[Piece] = []
    for raw in line.split():
        star = raw.endswith("*")
        words = normalise(raw.rstrip("*")).split()
        for index, word in enumerate(words):
            pieces.append((word, star and index == len(words) - 1))
    return tuple(pieces)


def _piece_matches(piece: Piece, word: str) -> bool:
    text, star = piece
    if star:
        return word.startswith(text)
    if word.startswith(text) and word[len(text) :] in PLURAL_ENDINGS:
        return True
    return len(text) >= MIN_STEM and stem(word) == stem(text) and len(stem(text)) >= MIN_STEM


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class Lexicon:
    """All term lists, indexed for one pass over a text's words."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.exact: dict[str, list[tuple[int, tuple[Piece, ...]]]] = {}
        self.stemmed: dict[str, list[tuple[int, tuple[Piece, ...]]]] = {}
        self.prefix: dict[str, list[tuple[int, tuple[Piece, ...]]]] = {}
        self.short_prefix: list[tuple[int, tuple[Piece, ...]]] = []
        self.regexes: list[tuple[int, re.Pattern[str]]] = []

    def add(self, lines: Sequence[str], *, inflect: bool = True) -> int | None:
        """The id of a term list (the same lines share one id), None when empty. `inflect`:
        words also match their other inflections (not for names: "Transformers" is not
        "transforming")."""
        lines = [line for line in lines if line and not line.startswith("#")]
        if not lines:
            return None
        key = ("" if inflect else "names:") + "\n".join(lines)
        if key in self.ids:
            return self.ids[key]
        list_id = self.ids[key] = len(self.ids)
        for line in lines:
            if line.startswith("re:"):
                self.add_regex(list_id, line[3:])
                continue
            pieces = _term_pieces(line)
            if not pieces:
                continue
            self._index(list_id, pieces, inflect=inflect)
            if len(pieces) > 1:  # "blow job" also as "blowjob"
                joined = ("".join(word for word, _ in pieces), pieces[-1][1])
                self._index(list_id, (joined,), inflect=inflect)
        return list_id

    def add_regex(self, list_id: int, pattern: str) -> None:
        try:
            self.regexes.append((list_id, re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])")))
        except re.error:
            # A broken line typed in the admin must not take checks down: it is skipped.
            logger.warning("Policy term ignored, not a valid regular expression: %r", pattern)

    def new_id(self) -> int:
        list_id = len(self.ids)
        self.ids[f"#regex{list_id}"] = list_id
        return list_id

    def _index(self, list_id: int, pieces: tuple[Piece, ...], *, inflect: bool = True) -> None:
        first, star = pieces[0]
        if not star:
            self.exact.setdefault(first, []).append((list_id, pieces))
            if inflect and len(stem(first)) >= MIN_STEM:
                self.stemmed.setdefault(stem(first), []).append((list_id, pieces))
        elif len(first) >= 3:
            self.prefix.setdefault(first[:3], []).append((list_id, pieces))
        else:
            self.short_prefix.append((list_id, pieces))

    def scan(self, reading: _Text) -> dict[int, list[Span]]:
        """Every list's matches in the text."""
        words = reading.words
        hits: dict[int, list[Span]] = {}
        for i, word in enumerate(words):
            stems = {word}
            for ending in PLURAL_ENDINGS[1:]:
                if word.endswith(ending) and len(word) > len(ending):
                    stems.add(word[: -len(ending)])
            candidates = [entry for base in stems for entry in self.exact.get(base, ())]
            if len(word) >= MIN_STEM:
                candidates += self.stemmed.get(stem(word), ())
            candidates += [
                entry
                for entry in (*self.prefix.get(word[:3], ()), *self.short_prefix)
                if word.startswith(entry[1][0][0])
            ]
            for list_id, pieces in dict.fromkeys(candidates):
                last = i + len(pieces) - 1
                if last >= len(words):
                    continue
                if all(_piece_matches(p, words[i + k]) for k, p in enumerate(pieces) if k):
                    hits.setdefault(list_id, []).append((i, last))
        for list_id, pattern in self.regexes:
            hits.setdefault(list_id, []).extend(reading.spans(pattern))
        return hits


@dataclass(frozen=True)
class CompiledRule:
    key: str
    category: str
    kind: str
    reason: str
    terms: int | None
    near: int | None
    unless: int | None
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
    names: int | None
    unless: int | None


class _Text:
    """A normalised reading of a text: its words, and the word index of every character."""

    def __init__(self, normalised: str) -> None:
        self.text = normalised
        self.words = normalised.split(" ") if normalised else []
        self.starts = [0] + [m.end() for m in re.finditer(" ", normalised)]

    def spans(self, pattern: re.Pattern[str]) -> list[Span]:
        return [
            (
                bisect.bisect_right(self.starts, m.start()) - 1,
                bisect.bisect_right(self.starts, max(m.end() - 1, m.start())) - 1,
            )
            for m in pattern.finditer(self.text)
        ]


def _gap(a: Span, b: Span) -> int:
    """Words between two spans; -1 when they overlap."""
    if a[1] < b[0]:
        return b[0] - a[1] - 1
    if b[1] < a[0]:
        return a[0] - b[1] - 1
    return -1


def _excepted(span: Span, exceptions: list[Span], window: int) -> bool:
    return any(_gap(span, other) <= window for other in exceptions)


def rule_hit(rule: CompiledRule, reading: _Text, hits: dict[int, list[Span]]) -> str | None:
    """The matched words when the rule applies to the reading, else None."""
    spans = hits.get(rule.terms, []) if rule.terms is not None else []
    if not spans:
        return None
    exceptions = hits.get(rule.unless, []) if rule.unless is not None else []
    words = reading.words
    if rule.kind == PolicyTerm.Kind.NEAR:
        others = hits.get(rule.near, []) if rule.near is not None else []
        for span in spans:
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
    for span in spans:
        if not _excepted(span, exceptions, rule.window):
            return " ".join(words[span[0] : span[1] + 1])
    return None


# -- the compiled policy, per process ----------------------------------------------------------


@dataclass
class _Compiled:
    version: tuple[object, ...] = ()
    lexicon: Lexicon = field(default_factory=Lexicon)
    rules: list[CompiledRule] = field(default_factory=list)
    holders: list[CompiledHolder] = field(default_factory=list)


_compiled = _Compiled()
_compile_lock = threading.Lock()


def _policy_version() -> tuple[object, ...]:
    """Changes whenever a policy row is added, saved, switched or deleted: one small query
    (a switch by a bulk update, which leaves `updated_at` alone, changes the active count)."""
    sql = " UNION ALL ".join(
        f"SELECT COUNT(*), SUM(CASE WHEN active THEN 1 ELSE 0 END), MAX(updated_at) "
        f"FROM {connection.ops.quote_name(model._meta.db_table)}"
        for model in (PolicyCategory, PolicyTerm, RightsHolder)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchall())


def _compile(version: tuple[object, ...]) -> _Compiled:
    lexicon = Lexicon()
    rules = []
    for term in (
        PolicyTerm.objects.filter(active=True, category__active=True)
        .select_related("category")
        .order_by("category__position", "category_id", "pk")
    ):
        if term.kind == PolicyTerm.Kind.REGEX:
            terms: int | None = lexicon.new_id()
            lexicon.add_regex(terms, term.pattern.strip())  # type: ignore[arg-type]
        else:
            # A real person's name is a name, not a word with inflections.
            terms = lexicon.add(_lines(term.pattern), inflect=not term.category.waived_by_own_cameo)
        rules.append(
            CompiledRule(
                key=term.key or f"#{term.pk}",
                category=term.category_id,
                kind=term.kind,
                reason=term.reason or term.category.reason,
                terms=terms,
                near=lexicon.add(_lines(term.near)) if term.kind == PolicyTerm.Kind.NEAR else None,
                unless=lexicon.add(_lines(term.unless)),
                window=term.window,
                waived_by_own_cameo=term.category.waived_by_own_cameo,
                check_comments=term.category.check_comments,
            )
        )
    holders = [
        CompiledHolder(
            pk=holder.pk,
            name=holder.name,
            holder=holder.holder,
            policy=holder.policy,
            share_percent=str(holder.revenue_share_percent),
            names=lexicon.add([name.strip() for name in holder.names()], inflect=False),
            unless=lexicon.add(_lines(holder.unless), inflect=False),
        )
        for holder in RightsHolder.objects.filter(active=True).order_by("pk")
    ]
    return _Compiled(version=version, lexicon=lexicon, rules=rules, holders=holders)


def compiled_policy() -> _Compiled:
    global _compiled
    version = _policy_version()
    if _compiled.version != version:
        with _compile_lock:
            if _compiled.version != version:
                _compiled = _compile(version)
    return _compiled


# -- verdicts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyVerdict:
    allowed: bool
    code: str = ""
    reason: str = ""
    licensed: list[dict[str, object]] = field(default_factory=list)
    matched: str = ""  # the words that matched, for moderators


def _waived(rule: CompiledRule, policy: _Compiled, cameo_names: Sequence[str]) -> bool:
    """A real person's rule doesn't apply to a prompt that uses that person's own cameo."""
    if not rule.waived_by_own_cameo or rule.terms is None:
        return False
    return any(
        policy.lexicon.scan(_Text(normalise(name))).get(rule.terms)
        for name in cameo_names
        if name.strip()
    )


def local_check(
    text: str, *, cameo_names: Sequence[str] = (), comments: bool = False, rights: bool = True
) -> PolicyVerdict:
    """The local policy's verdict on a text. `comments` limits the rules to the categories that
    also apply to comments; `rights` includes the rights-holder registry."""
    policy = compiled_policy()
    readings = [_Text(variant) for variant in normalise_variants(text)]
    scans = [policy.lexicon.scan(reading) for reading in readings]
    for rule in policy.rules:
        if comments and not rule.check_comments:
            continue
        for reading, hits in zip(readings, scans, strict=True):
            matched = rule_hit(rule, reading, hits)
            if matched is not None and not _waived(rule, policy, cameo_names):
                return PolicyVerdict(
                    allowed=False,
                    code=f"policy:{rule.category}",
                    reason=_(rule.reason),
                    matched=matched,
                )
    if not rights:
        return PolicyVerdict(allowed=True)
    licensed: list[dict[str, object]] = []
    for holder in policy.holders:
        if holder.names is None:
            continue
        named = False
        for hits in scans:
            exceptions = hits.get(holder.unless, []) if holder.unless is not None else []
            if any(not _excepted(span, exceptions, 6) for span in hits.get(holder.names, [])):
                named = True
        if not named:
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
        return PolicyVerdict(allowed=False, code=refusal.reason_code, reason=refusal.reason)
    return verdict


def caption_check(caption: str) -> PolicyVerdict:
    """A published clip's caption: every category (a caption can spread fake news or name a
    real person as much as a prompt can) and the rights holders' blocked names."""
    return local_check(caption)


def comment_check(body: str) -> PolicyVerdict:
    """A comment: the categories marked for comments (naming a person or a character is fine)."""
    return local_check(body, comments=True, rights=False)
