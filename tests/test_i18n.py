"""English and French: no template holds an untranslated literal, the French catalogue is
complete and compiled, the language follows the browser and the switcher, and the JavaScript
catalogue is served."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.template.base import Lexer, TokenType
from django.test import Client
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale" / "fr" / "LC_MESSAGES"

# Text that stays the same in every language: the brand, standard names, units and symbols.
ALLOWED_WORDS = {"Reverie", "C2PA", "HTTP", "MP4", "USD", "htmx"}
# Attributes whose values people read (or hear from a screen reader).
READ_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description"}
# Elements whose content is not text for people.
SKIP_ELEMENTS = {"script", "style"}
# Template blocks that hold code (CSS classes), not text.
CODE_BLOCKS = {"body_class", "main_class"}
PLACEHOLDER = "\u2060"  # where a template tag or variable stood
TOKEN = re.compile(r"\w+")
LETTER = re.compile(r"[^\W\d_]")


def template_files() -> list[Path]:
    files = sorted((ROOT / "templates").rglob("*.html"))
    for app in ("accounts", "feed", "generation", "likeness", "credits", "config"):
        files += sorted((ROOT / app / "templates").rglob("*.html"))
    return files


def visible_source(source: str) -> str:
    """The template with every tag and variable replaced by a placeholder and every translated
    block (and comment) dropped: what is left is literal text."""
    out: list[str] = []
    skip_until: str | None = None
    for token in Lexer(source).tokenize():
        if skip_until:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == skip_until:
                skip_until = None
            continue
        if token.token_type == TokenType.TEXT:
            out.append(token.contents)
            continue
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if name in {"blocktranslate", "blocktrans"}:
                skip_until = "endblocktranslate" if name == "blocktranslate" else "endblocktrans"
            elif name == "comment":
                skip_until = "endcomment"
            elif name == "block" and token.contents.split()[1] in CODE_BLOCKS:
                skip_until = "endblock"
        out.append(PLACEHOLDER)
    return "".join(out)


class LiteralFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping = 0

    def _check(self, text: str) -> None:
        tokens = TOKEN.findall(text.replace(PLACEHOLDER, " "))
        words = [w for w in tokens if len(LETTER.findall(w)) >= 2 and w not in ALLOWED_WORDS]
        if words:
            self.found.append(text.strip().strip(PLACEHOLDER).replace(PLACEHOLDER, "{…}").strip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_ELEMENTS:
            self.skipping += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._check(value)
            if (
                tag == "meta"
                and name == "content"
                and value
                and dict(attrs).get("name") in {"description"}
            ):
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_ELEMENTS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._check(data)


def literals_in(source: str) -> list[str]:
    finder = LiteralFinder()
    finder.feed(visible_source(source))
    finder.close()
    return finder.found


def test_the_literal_finder_catches_what_it_should() -> None:
    assert literals_in("<p>Hello {{ name }}, welcome</p>") == ["Hello {…}, welcome"]
    assert literals_in('<input placeholder="Your name">') == ["Your name"]
    assert literals_in('<img alt="{% translate "A clip" %}">') == []
    assert literals_in("<p>{% blocktranslate %}Hi {{ n }}{% endblocktranslate %}</p>") == []
    assert literals_in("{% block title %}Log in · Reverie{% endblock %}") == ["Log in · Reverie"]
    assert literals_in("<p>{{ count }} × 9:16 · Reverie · C2PA 1%</p>") == []
    assert literals_in("<script>var words = 'not text';</script>") == []
    assert literals_in("{% comment %}a note{% endcomment %}") == []
    assert literals_in("{% block body_class %}feed-body{% endblock %}") == []


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_untranslated_literal_in_templates(path: Path) -> None:
    found = literals_in(path.read_text())
    assert found == [], f"{path.relative_to(ROOT)}: wrap these in {{% translate %}}: {found}"


def test_there_are_templates_to_check() -> None:
    assert len(template_files()) >= 20


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_french_catalogue_is_complete_and_compiled(domain: str) -> None:
    po = polib.pofile(str(LOCALE / f"{domain}.po"))
    assert len(po) > (100 if domain == "django" else 20)
    assert po.untranslated_entries() == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    # The committed .mo says what the .po says (run `make messages` after editing the .po).
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(
        str(LOCALE / f"{domain}.mo")
    )}  # fmt: skip
    for entry in po:
        if entry.obsolete:
            continue
        msgstr, plurals = compiled[(entry.msgctxt, entry.msgid)]
        if entry.msgid_plural:
            assert plurals == entry.msgstr_plural, entry.msgid
        else:
            assert msgstr == entry.msgstr, entry.msgid


def test_french_placeholders_match() -> None:
    pattern = re.compile(r"%\(\w+\)[sd]|%[sd]")
    for domain in ("django", "djangojs"):
        for entry in polib.pofile(str(LOCALE / f"{domain}.po")).translated_entries():
            if entry.msgid_plural:
                for translated in entry.msgstr_plural.values():
                    assert sorted(set(pattern.findall(translated))) <= sorted(
                        set(pattern.findall(entry.msgid_plural) + pattern.findall(entry.msgid))
                    ), entry.msgid
            else:
                assert sorted(pattern.findall(entry.msgstr)) == sorted(
                    pattern.findall(entry.msgid)
                ), entry.msgid


@pytest.mark.django_db
def test_pages_follow_the_browser_language() -> None:
    client = Client()
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="en">' in english.content.decode()
    assert "Log in" in english.content.decode()
    french = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    html = french.content.decode()
    assert '<html lang="fr">' in html
    assert "Se connecter" in html
    assert french["Content-Language"] == "fr"


@pytest.mark.django_db
def test_the_switcher_overrides_the_browser() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "Se connecter" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Log in" in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()


@pytest.mark.django_db
def test_javascript_catalogue_in_french() -> None:
    response = Client().get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Lien copi\\u00e9" in body or "Lien copié" in body
    assert "pluralidx" in body


def test_python_strings_translate() -> None:
    from feed.captions import caption_track_label

    with translation.override("fr"):
        assert caption_track_label() == "Prompt (sous-titres)"
    with translation.override("en"):
        assert caption_track_label() == "Prompt (captions)"
