"""Bangla and English: the language of a request, translated strings, and dates and numbers
formatted for the language (Bangla digits in Bangla).

Catalogues live in portal/translations/<lang>/LC_MESSAGES/messages.po (`make i18n-extract`
updates them from the code and templates). They are read at start-up straight from the .po
files, so a new translation needs no compile step to show; `make i18n-compile` still builds
.mo files for tools that want them.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import re
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.pofile import read_po

LANGUAGES = {"en": "English", "bn": "বাংলা"}
_BANGLA_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "lang"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"

current_language: contextvars.ContextVar[str] = contextvars.ContextVar("current_language", default="en")


@contextlib.contextmanager
def speaking(lang: str):
    """Translate and format in `lang` inside the block (a PDF in its reader's language, whatever the page's)."""
    token = current_language.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        current_language.reset(token)


def bangla_digits(value: object) -> str:
    """Return str(value) with the digits 0-9 replaced by ০-৯."""
    return str(value).translate(_BANGLA_DIGITS)


@functools.cache
def catalogue(lang: str) -> dict[str, str | tuple[str, ...]]:
    """msgid -> translation for one language (untranslated and fuzzy entries left out)."""
    path = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=lang)
    result: dict[str, str | tuple[str, ...]] = {}
    for message in po:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not message.id or message.fuzzy or not all(strings):
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        result[key] = tuple(message.string) if isinstance(message.string, tuple) else message.string
    return result


def gettext(message: str) -> str:
    """`message` in the current request's language."""
    translated = catalogue(current_language.get()).get(message)
    return translated if isinstance(translated, str) else message


def translate(message: str, lang: str) -> str:
    """`message` in `lang`, whatever the current request's language (exports built for someone else)."""
    translated = catalogue(lang).get(message) if lang in LANGUAGES and lang != DEFAULT_LANGUAGE else None
    return translated if isinstance(translated, str) else message


def N_(message: str) -> str:  # noqa: N802 - the conventional name that `make i18n-extract` looks for
    """Mark a label for extraction without translating it yet (vocabularies defined at import time);
    templates and code translate it where it is shown, with gettext/_()."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """Singular or plural form in the current language (Bangla uses one form for both)."""
    translated = catalogue(current_language.get()).get(singular)
    if isinstance(translated, tuple) and translated:
        return translated[0 if n == 1 or len(translated) == 1 else 1]
    return singular if n == 1 else plural


_BENGALI = re.compile(r"[\u0980-\u09FF]")
_LATIN = re.compile(r"[A-Za-z]")


def script_language(text: str | None) -> str | None:
    """The language a piece of free text is written in, as far as its script tells: "bn" for Bengali
    script, "en" for Latin letters, None for text with neither (numbers, punctuation, nothing)."""
    if not text:
        return None
    if _BENGALI.search(text):
        return "bn"
    return "en" if _LATIN.search(text) else None


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    """The remembered choice, else the browser's first supported preference, else English."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower().split("-")[0]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


_STRFTIME_TO_CLDR = {"%a": "EEE", "%A": "EEEE", "%d": "dd", "%e": "d", "%b": "MMM", "%B": "MMMM", "%Y": "y",
                     "%H": "HH", "%M": "mm", "%I": "hh", "%p": "a", "%m": "MM", "%y": "yy"}
_DIRECTIVE = re.compile(r"%[a-zA-Z]")
_BANGLA_DIRECTIVES = {"%b": "%B", "%d": "%e"}


def _cldr_pattern(strftime: str, lang: str) -> str:
    parts, last = [], 0
    for match in _DIRECTIVE.finditer(strftime):
        literal = strftime[last:match.start()]
        if literal:
            parts.append("'" + literal.replace("'", "''") + "'")
        # Bangladeshi readers expect the full month name ("নভেম্বর"), not CLDR's "নভে", and the day
        # without a leading zero ("১ ডিসেম্বর", not "০১ ডিসেম্বর").
        directive = _BANGLA_DIRECTIVES.get(match.group(), match.group()) if lang == "bn" else match.group()
        parts.append(_STRFTIME_TO_CLDR.get(directive, ""))
        last = match.end()
    if strftime[last:]:
        parts.append("'" + strftime[last:].replace("'", "''") + "'")
    return "".join(parts)


# The parts of the day as people say a time in Bangla ("সকাল ৯টা", "দুপুর ২:৩০", "রাত ৯টা"): the hour each
# part starts at. From midnight to 4 a.m. is still রাত (night); ভোর is the dawn before সকাল.
DAY_PARTS_BN = ((0, "রাত"), (4, "ভোর"), (6, "সকাল"), (12, "দুপুর"), (15, "বিকেল"), (18, "সন্ধ্যা"), (20, "রাত"))
CLOCK = "%H:%M"  # the one way a time of day is asked for; Bangla pages say it as format_time does


def bangla_time(value: dt.time | dt.datetime) -> str:
    """A time of day the way it is said in Bangla: part of the day, then the hour on a 12-hour clock, with
    "টা" on the hour ("সকাল ৯টা", "রাত ১২টা") and the minutes after a colon otherwise ("দুপুর ২:৩০")."""
    part = next(name for start, name in reversed(DAY_PARTS_BN) if value.hour >= start)
    hour = value.hour % 12 or 12
    clock = f"{hour}টা" if value.minute == 0 else f"{hour}:{value.minute:02d}"
    return f"{part} {bangla_digits(clock)}"


def format_time(value: dt.time | dt.datetime, lang: str | None = None) -> str:
    """A time of day in the language: 14:30 in English, "দুপুর ২:৩০" in Bangla (the one function for both)."""
    lang = lang or current_language.get()
    return bangla_time(value) if lang == "bn" else value.strftime(CLOCK)


def format_when(value: dt.date | dt.datetime, strftime: str, lang: str | None = None) -> str:
    """A date or time in the language: strftime in English, CLDR names and Bangla digits in Bangla; the time of
    day (%H:%M) as format_time says it, so every page, PDF and message gives a Bangla time the same way."""
    lang = lang or current_language.get()
    if lang == "en":
        return value.strftime(strftime)
    if CLOCK in strftime and isinstance(value, dt.datetime):
        said = format_time(value, lang)
        return said.join(format_when(value, part, lang) if part else "" for part in strftime.split(CLOCK))
    moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
    text = format_datetime(moment, _cldr_pattern(strftime, lang), tzinfo=moment.tzinfo, locale=Locale.parse(lang))
    return bangla_digits(text) if lang == "bn" else text


def format_number(value: int | float, lang: str | None = None) -> str:
    """A number with the language's digits."""
    lang = lang or current_language.get()
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
    return bangla_digits(text) if lang == "bn" else text


class LanguageMiddleware:
    """Sets the request's language (cookie, else Accept-Language) for gettext and formatting."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        cookie = None
        for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
            name, _, value = part.strip().partition("=")
            if name == LANG_COOKIE:
                cookie = value
        token = current_language.set(choose_language(cookie, headers.get(b"accept-language", b"").decode("latin-1")))
        try:
            await self.app(scope, receive, send)
        finally:
            current_language.reset(token)
