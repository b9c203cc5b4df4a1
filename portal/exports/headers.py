"""Export headers in the requester's language (issue 18), with a stable English option.

Columns and sheets are declared with English headers marked N_(...); `in_language` gives them in the language
asked for, once, when the export is built (a background job is told the language: the worker has no request).
`headers=en` in an export's query asks for English whatever the page's language: for a program that reads the
file by its headers. The participant import reads the headers of both (portal/events/imports HINTS and
KEYWORDS), so a list exported in Bangla can be imported again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from portal.core.i18n import LANGUAGES, current_language, translate
from portal.exports.table import Column
from portal.exports.xlsxfile import Sheet

HEADERS_PARAM = "headers"


def header_language(query: Any) -> str:
    """The language an export's headers are asked in: `headers=en|bn` in the query, else the requester's."""
    asked = str((query.get(HEADERS_PARAM) if query is not None else "") or "").strip()
    return asked if asked in LANGUAGES else current_language.get()


def in_language(columns: Sequence[Column], lang: str) -> list[Column]:
    """The columns with their headers in `lang` (a header the catalogue does not know stays as it is)."""
    return [replace(column, header=translate(column.header, lang)) for column in columns]


def sheets_in_language(sheets: Iterable[Sheet], lang: str) -> list[Sheet]:
    """Each sheet with its name and headers in `lang`."""
    return [Sheet(translate(sheet.name, lang), in_language(sheet.columns, lang), sheet.rows) for sheet in sheets]
