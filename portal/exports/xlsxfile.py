"""XLSX renderer: xlsxwriter in constant-memory mode, written to a temporary file and streamed from it.

Text goes into text cells (write_string) exactly as it is: an XLSX text cell is never a formula, so
the CSV apostrophe escape does not apply (it would show as data: "'+8801711234567").

The same rows give the same bytes: xlsxwriter dates the zip entries 1980-01-31 by itself, and the
document's created and modified dates (docProps/core.xml, the export time by default) are fixed too.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import NamedTuple

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from portal.exports.disposition import CONTENT_TYPES, safe_filename
from portal.exports.table import (
    DHAKA,
    Cell,
    Column,
    Export,
    Row,
    clean_text,
    guarded,
    normalised_rows,
)

MAX_ROWS = 1_048_576  # Excel's row limit, header included; more rows continue on a new sheet
READ_CHUNK = 64 * 1024
MAX_SHEET_NAME = 31  # counted in UTF-16 units, as Excel does
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]+")
_RESERVED_SHEET_NAMES = {"history"}  # Excel keeps "History" for change tracking
# The workbook's created and modified dates. Not the time of the export: the same filter must give
# the same file, so a download can be compared with an earlier one (or its checksum with another's).
DOCUMENT_DATE = datetime(1980, 1, 1, tzinfo=UTC)


class Sheet(NamedTuple):
    """One sheet of a workbook: its name, columns and rows."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Row]


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, limit: int) -> str:
    while _utf16_len(text) > limit:
        text = text[:-1]
    return text.rstrip(" '")  # a name may not end with an apostrophe


def sheet_name(name: str, taken: Collection[str] = ()) -> str:
    """A valid Excel sheet name from any text: at most 31 characters, none of []:*?/\\, unique."""
    base = " ".join(_SHEET_FORBIDDEN.sub(" ", unicodedata.normalize("NFC", name)).split()).strip("'")
    base = _fit(base, MAX_SHEET_NAME).lstrip("'") or "Sheet"
    used = {t.lower() for t in taken} | _RESERVED_SHEET_NAMES
    candidate, number = base, 1
    while candidate.lower() in used:  # Excel compares sheet names without case
        number += 1
        suffix = f" ({number})"
        candidate = _fit(base, MAX_SHEET_NAME - len(suffix)) + suffix
    return candidate


class _Writer:
    """Writes sheets into one open workbook; owns its formats and the names already used."""

    def __init__(self, workbook: xlsxwriter.Workbook, tz: tzinfo | None) -> None:
        self.workbook = workbook
        self.tz = tz
        self.names: list[str] = []
        self.header = workbook.add_format({"bold": True})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.numbers: dict[str, Format] = {}

    def _number_format(self, column: Column) -> Format | None:
        if not column.num_format:
            return None
        if column.num_format not in self.numbers:
            self.numbers[column.num_format] = self.workbook.add_format({"num_format": column.num_format})
        return self.numbers[column.num_format]

    def _start(self, name: str, columns: Sequence[Column]) -> Worksheet:
        worksheet = self.workbook.add_worksheet(sheet_name(name, self.names))
        self.names.append(worksheet.name)
        for index, column in enumerate(columns):
            worksheet.set_column(index, index, column.display_width)
            worksheet.write_string(0, index, clean_text(column.header), self.header)
        worksheet.freeze_panes(1, 0)
        return worksheet

    @staticmethod
    def _finish(worksheet: Worksheet, last_row: int, width: int) -> None:
        worksheet.autofilter(0, 0, last_row, width - 1)

    def sheet(self, sheet: Sheet) -> None:
        name, columns, rows = sheet
        if not columns:
            raise ValueError(f"sheet {name!r} has no columns")
        numbers = [self._number_format(c) for c in columns]
        worksheet, row_index, part = self._start(name, columns), 1, 1
        # Text is written as text cells (write_string), never formulas: no CSV apostrophe escape here.
        for cells in normalised_rows(columns, rows, self.tz, escape=False):
            if row_index == MAX_ROWS:
                self._finish(worksheet, row_index - 1, len(columns))
                part += 1
                worksheet, row_index = self._start(f"{name} ({part})", columns), 1
            self._row(worksheet, row_index, cells, numbers)
            row_index += 1
        self._finish(worksheet, row_index - 1, len(columns))

    def _row(self, ws: Worksheet, r: int, cells: Sequence[Cell], numbers: list[Format | None]) -> None:
        for c, cell in enumerate(cells):
            # Checked in this order because bool is an int and datetime is a date.
            if cell is None:
                continue
            if isinstance(cell, str):
                ws.write_string(r, c, cell)  # never write(): it would turn "=..." into a formula
            elif isinstance(cell, bool):
                ws.write_boolean(r, c, cell)
            elif isinstance(cell, int | float):
                ws.write_number(r, c, cell, numbers[c])
            elif isinstance(cell, datetime):
                ws.write_datetime(r, c, cell, self.datetime)
            elif isinstance(cell, date):
                ws.write_datetime(r, c, cell, self.date)


def _body(sheets: Iterable[Sheet], tz: tzinfo | None, tmp_dir: str | None) -> Iterator[bytes]:
    # Runs on the first read of the body, so an export that is never downloaded costs nothing and a
    # client that disconnects (generator closed) still gets the file deleted.
    fd, path = tempfile.mkstemp(prefix="export-", suffix=".xlsx", dir=tmp_dir)
    os.close(fd)
    try:
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": tmp_dir})
        workbook.set_properties({"created": DOCUMENT_DATE})
        try:
            writer = _Writer(workbook, tz)
            for sheet in sheets:
                writer.sheet(Sheet(*sheet))
        finally:
            workbook.close()  # also on error: it releases the per-sheet temporary files
        with open(path, "rb") as file:
            while chunk := file.read(READ_CHUNK):
                yield chunk
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def render_workbook(
    filename: str,
    sheets: Iterable[Sheet | tuple[str, Sequence[Column], Iterable[Row]]],
    *,
    tz: tzinfo | None = DHAKA,
    tmp_dir: str | None = None,
) -> Export:
    """Render several (name, columns, rows) sheets as one XLSX workbook, streamed from a temporary file."""
    return Export(
        filename=safe_filename(filename, ".xlsx"),
        content_type=CONTENT_TYPES["xlsx"],
        body=guarded(_body(sheets, tz, tmp_dir)),
    )


def render_xlsx(
    filename: str,
    columns: Sequence[Column],
    rows: Iterable[Row],
    *,
    sheet: str = "Data",
    tz: tzinfo | None = DHAKA,
    tmp_dir: str | None = None,
) -> Export:
    """Render one table as an XLSX workbook with a bold, frozen, filterable header row."""
    return render_workbook(filename, [Sheet(sheet, columns, rows)], tz=tz, tmp_dir=tmp_dir)
