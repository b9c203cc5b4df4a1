"""English words left on a page that is meant to be in Bangla, apart from data people typed.

`visible_words(html)` reads what a person sees or hears: text, and the placeholder, aria-label, title and
alt attributes, leaving out <script>, <style>, <code> (field names, codes) and any element marked as
being in another language (`lang="en"`: the portal marks data written in English, such as a name, and
the language switch). `typed_words()` is the allow-list: every word of every text column of the
database (and every key and string inside its JSON columns), i.e. the demo data (names, emails, titles,
venues, organisations, questions), plus the few
abbreviations written in Latin letters in Bangla too (PDF, CSV, QR...). It is built from the data, never
from the pages, so a UI string left in English cannot hide in it unless the same word is in the data.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from piccolo.columns import JSON, Text, Varchar

from portal.db import all_tables

WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
ADDRESS = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+")  # a link or an email address shown as text
# Code, not words: an environment variable's name (PORTAL_SMTP_HOST), a message wording's {placeholder}.
SETTING = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\{[a-z_]+\}")
# Written in Latin letters in Bangla text as well (file formats, codes, programme names).
ABBREVIATIONS = {"pdf", "csv", "xlsx", "zip", "qr", "api", "json", "sms", "tot", "cso", "ngo", "sha", "mb", "url",
                 "png", "jpeg", "utf", "word", "excel", "powerpoint", "id", "yyyy", "mm", "dd", "hh", "xxxx", "e", "g",
                 "ok", "http", "https", "www", "a", "i", "smtp", "gsm", "ucs"}
_SKIP = {"script", "style", "code"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is its text left out?
        self.words: list[str] = []

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        other_language = values.get("lang") not in (None, "bn")
        skip = self._skipping() or tag in _SKIP or other_language
        if not skip:
            for name in ("placeholder", "aria-label", "title", "alt"):
                if values.get(name):
                    self.words += WORD.findall(values[name] or "")
        if tag not in _VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.words += WORD.findall(SETTING.sub(" ", ADDRESS.sub(" ", data)))


def visible_words(html: str) -> list[str]:
    """The Latin-letter words a person sees on the page (see the module's docstring)."""
    parser = _Visible()
    parser.feed(html)
    return parser.words


async def typed_words() -> set[str]:
    """Every word (lower case) of every text column in the database, and the abbreviations."""
    words = set(ABBREVIATIONS)
    for table in all_tables():
        columns = [c for c in table._meta.columns if isinstance(c, Varchar | Text | JSON)]
        if not columns:
            continue
        for row in await table.select(*columns):
            for value in row.values():
                if value:
                    words.update(w.lower() for w in WORD.findall(str(value)))
    return words


def english_left(words: list[str], allowed: set[str]) -> list[str]:
    """The words that are neither data nor an abbreviation."""
    return [w for w in words if w.lower() not in allowed]
