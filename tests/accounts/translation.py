"""Reading the Spanish catalogue and the visible text of rendered pages."""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

BASE_DIR = Path(__file__).resolve().parents[2]
PO_FILE = BASE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

# Attributes whose values people read (or hear, through a screen reader).
READABLE_ATTRIBUTES = ("alt", "aria-label", "placeholder", "title")
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}
# Pieces of text that separate values on one line ("Caseworker · Asociación Prueba").
SEPARATORS = re.compile(r"\s*[·|←→]\s*")
EDGE_PUNCTUATION = " \t\n,.:;!?()[]«»\"'—–-"


@cache
def catalogue() -> dict:
    """``{msgid: msgstr}`` of the Spanish catalogue; plural entries keyed by every form."""
    with PO_FILE.open("rb") as handle:
        po = read_po(handle)
    entries = {}
    for message in po:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated = "" if message.fuzzy else strings[0]
        for msgid in ids:
            entries[msgid] = translated
    return entries


def spelled_the_same() -> set[str]:
    """Source strings whose Spanish translation is, on purpose, the same text."""
    return {msgid for msgid, msgstr in catalogue().items() if msgstr == msgid}


def still_english() -> set[str]:
    """Source strings that have a different Spanish translation."""
    return {msgid for msgid, msgstr in catalogue().items() if msgstr and msgstr != msgid}


class _VisibleText(HTMLParser):
    """Text nodes and readable attributes, except in parts marked as another language or
    as not to be translated (``translate="no"``: codes, keys)."""

    def __init__(self, page_language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_language = page_language
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []
        self.in_script = False

    @property
    def excluded(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        language = values.get("lang")
        excluded = (
            self.excluded
            or values.get("translate") == "no"
            or (tag != "html" and language is not None and language != self.page_language)
        )
        if not excluded:
            for name in READABLE_ATTRIBUTES:
                if values.get(name):
                    self.texts.append(values[name])
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, excluded or tag in ("script", "style")))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self.excluded:
            text = " ".join(data.split())
            if text:
                self.texts.append(text)


def visible_pieces(html: str, page_language: str, data: set[str]) -> set[str]:
    """The pieces of readable text of a page, with people's and places' names removed."""
    parser = _VisibleText(page_language)
    parser.feed(html)
    pieces = set()
    names = [
        re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
        for name in sorted(data, key=len, reverse=True)
        if name
    ]
    for text in parser.texts:
        for name in names:
            text = name.sub(" ", text)
        for piece in SEPARATORS.split(text):
            piece = " ".join(piece.split()).strip(EDGE_PUNCTUATION)
            if re.search(r"[^\W\d_]{2,}", piece):  # at least one word
                pieces.add(piece)
    return pieces


def page_language(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    return match.group(1) if match else ""
