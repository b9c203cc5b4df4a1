"""Reading the spreadsheets people upload (XLSX, CSV) without letting a hostile file hurt the server.

An XLSX is a ZIP of XML files, and a small one can be a bomb: a 1.5 KB file whose sheet claims the
range A1:XFD5001 made openpyxl pad 82 million empty cells (4 s of a blocked event loop, 774 MB), and a
63 KB file held one 60 MB string. So, before openpyxl parses anything, `check_xlsx` looks at the
archive: how many members, their declared uncompressed sizes (Python's zipfile never inflates a member
past its declared size), their compression ratio, no DTD in the XML parts, and the first sheet's
declared dimension. `read_xlsx` then reads the first sheet with the declared size ignored, at most
`Limits.rows` rows of `Limits.columns` columns, and refuses a cell longer than `Limits.cell_chars` or a
table of more than `Limits.total_chars`. Every cell is cleaned (`clean_text`) and comes back as text.

Both readers are synchronous and CPU-bound: call them in a worker thread (`anyio.to_thread.run_sync`).
Refusals are `SpreadsheetRefused(code, message)`; the message is for the person who uploaded the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from portal.core.i18n import format_number
from portal.core.i18n import gettext as _
from portal.core.validation import clean_text


@dataclass(frozen=True)
class Limits:
    """How much of a spreadsheet is read at most."""

    rows: int = 5000  # rows under the header
    columns: int = 100
    cell_chars: int = 1000
    total_chars: int = 3_000_000
    declared_rows: int = 100_000  # a sheet's <dimension>; formatting can make it larger than the data
    members: int = 500
    uncompressed_bytes: int = 30 * 1024 * 1024
    shared_strings_bytes: int = 10 * 1024 * 1024
    ratio: int = 100  # uncompressed / compressed, for members over RATIO_FROM bytes


RATIO_FROM = 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted .xlsx, or an .xls, is an OLE file, not a ZIP
HEAD_BYTES = 64 * 1024
MAX_SHEETS = 20
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?"')
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\b\w+:id="([^"]+)"')
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')


class SpreadsheetRefused(ValueError):
    """The file is not read: `code` (bad_file, too_big, too_many_rows) and a message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


def _first_sheet(archive: zipfile.ZipFile) -> str:
    """The path of the workbook's first sheet (the one imports read)."""
    try:
        workbook = archive.open("xl/workbook.xml").read(HEAD_BYTES * 4)
        rels = archive.open("xl/_rels/workbook.xml.rels").read(HEAD_BYTES * 4)
    except KeyError:
        return "xl/worksheets/sheet1.xml"
    sheet = _SHEET.search(workbook)
    for element in _RELATIONSHIP.findall(rels):
        attributes = dict(_ATTRIBUTE.findall(element))
        if sheet and attributes.get(b"Id") == sheet.group(1) and attributes.get(b"Target"):
            target = attributes[b"Target"].decode("utf-8", "replace")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return "xl/worksheets/sheet1.xml"


def _too_big() -> SpreadsheetRefused:
    return SpreadsheetRefused("too_big", _("This spreadsheet unpacks to far more data than a list of "
                                           "participants holds. Copy the list into a new file and upload that."))


def check_xlsx(data: bytes, limits: Limits = Limits()) -> None:
    """Refuse an XLSX that is not a readable ZIP, or whose archive or first sheet is larger than `limits`."""
    if data.startswith(OLE_MAGIC):
        raise SpreadsheetRefused("protected", _(
            "This file is protected with a password, or is an old Excel 97-2003 (.xls) file. Open it in Excel, "
            "remove the password (File, Info, Protect workbook) or save it as .xlsx, and upload it again."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        raise SpreadsheetRefused("bad_file", _("This is not an Excel (.xlsx) file we can read.")) from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.members or sum(m.file_size for m in members) > limits.uncompressed_bytes:
            raise _too_big()
        for member in members:
            if member.file_size > RATIO_FROM and member.file_size > limits.ratio * max(member.compress_size, 1):
                raise _too_big()
            if member.filename.endswith("sharedStrings.xml") and member.file_size > limits.shared_strings_bytes:
                raise _too_big()
        try:
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    head = archive.open(member).read(HEAD_BYTES)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:  # Office never writes a DTD
                        raise SpreadsheetRefused("bad_file", _("This is not an Excel (.xlsx) file we can read."))
            paths = _sheet_paths(archive)[:MAX_SHEETS] or [_first_sheet(archive)]
            names = set(archive.namelist())
            heads = [archive.open(path).read(HEAD_BYTES) for path in paths if path in names]
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            raise SpreadsheetRefused("bad_file", _("This is not an Excel (.xlsx) file we can read.")) from None
    for number, head in enumerate(heads):
        dimension = _DIMENSION.search(head)
        if not dimension:
            continue
        first_col, first_row, last_col, last_row = dimension.groups()
        columns = _column_number(last_col or first_col) - _column_number(first_col) + 1
        rows = int(last_row or first_row) - int(first_row) + 1
        if columns > limits.columns or rows > limits.declared_rows:
            message = (_("The first sheet says it is %(rows)s rows by %(columns)s columns: a list of participants "
                         "is at most %(max_rows)s rows and %(max_columns)s columns. Copy the list into a new file "
                         "and upload that.") if number == 0 else
                       _("Sheet %(sheet)s says it is %(rows)s rows by %(columns)s columns: a list of participants "
                         "is at most %(max_rows)s rows and %(max_columns)s columns. Copy the list into a new file "
                         "and upload that."))
            raise SpreadsheetRefused("too_big", message % {
                "rows": format_number(rows), "columns": format_number(columns), "sheet": format_number(number + 1),
                "max_rows": format_number(limits.rows), "max_columns": format_number(limits.columns)})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 1711234567 as 1711234567.0, and 8801711234567 as 8.8017E+12
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean_text(str(value)).strip()


EXCEL_ERRORS = {"#NAME?", "#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NULL!", "#NUM!", "#SPILL!", "#CALC!"}
_FORMULA_WITHOUT_VALUE = re.compile(
    rb"(</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>)\s*(<(?:\w+:)?v>\s*</(?:\w+:)?v>|<(?:\w+:)?v\s*/>)?\s*</(?:\w+:)?c>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Za-z]{1,3})(\d{1,7}):([A-Za-z]{1,3})(\d{1,7})"')


@dataclass
class Sheet:
    """One sheet as text: its name and its rows, each with the row number Excel shows (1-based)."""

    name: str
    rows: list[tuple[int, list[str]]]


class _Budget:
    """Counts what has been read and refuses past the limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits, self.total, self.rows = limits, 0, 0

    def row(self, cells: list[str]) -> list[str]:
        while cells and not cells[-1]:
            cells.pop()  # trailing empty cells: rows are padded to the header's width later
        if cells:
            self.rows += 1
            if self.rows > self.limits.rows + 1:  # the header, then the rows
                raise SpreadsheetRefused("too_many_rows", _("The file has more than %(rows)s rows; split it.")
                                         % {"rows": format_number(self.limits.rows)})
        for number, cell in enumerate(cells, start=1):
            if len(cell) > self.limits.cell_chars:
                raise SpreadsheetRefused("too_big", _(
                    "Row %(row)s, column %(column)s holds more than %(chars)s characters: no field of a participant "
                    "is that long.") % {"row": format_number(self.rows), "column": format_number(number),
                                         "chars": format_number(self.limits.cell_chars)})
            self.total += len(cell)
        if self.total > self.limits.total_chars:
            raise _too_big()
        return cells


def _sheet_paths(archive: zipfile.ZipFile) -> list[str]:
    """The archive paths of the worksheets, in the workbook's order."""
    try:
        workbook = archive.open("xl/workbook.xml").read(HEAD_BYTES * 4)
        rels = archive.open("xl/_rels/workbook.xml.rels").read(HEAD_BYTES * 4)
    except KeyError:
        return []
    targets = {}
    for element in _RELATIONSHIP.findall(rels):
        attributes = dict(_ATTRIBUTE.findall(element))
        if attributes.get(b"Id") and attributes.get(b"Target"):
            target = attributes[b"Target"].decode("utf-8", "replace")
            targets[attributes[b"Id"]] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return [targets.get(rid, "") for rid in _SHEET.findall(workbook)]


def _structure(data: bytes) -> tuple[dict[str, list[tuple[int, int, int, int]]], bool]:
    """Per worksheet path: its merged ranges (first column, first row, last column, last row); and whether
    any sheet holds a formula. Read from the XML, which openpyxl's read-only mode does not expose."""
    merges: dict[str, list[tuple[int, int, int, int]]] = {}
    formulas = False
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for path in _sheet_paths(archive):
            if path not in archive.namelist():
                continue
            xml = archive.read(path)
            # Formulas need a second read only where a formula has no cached value (files written by a
            # program, not by Excel) or an error value (#NAME? for a name typed as "=Rahima").
            formulas = formulas or bool(_FORMULA_WITHOUT_VALUE.search(xml)) or b't="e"' in xml
            merges[path] = [(_column_number(a), int(b), _column_number(c), int(d))
                            for a, b, c, d in _MERGE.findall(xml)[:10_000]]
    return merges, formulas


def read_workbook(data: bytes, limits: Limits = Limits()) -> list[Sheet]:
    """Every worksheet's rows as text (at most `limits.columns` cells, MAX_SHEETS sheets), after `check_xlsx`.

    Row numbers are Excel's. A formula cell gives its cached value when the file has one (Excel saves
    them), else its formula as inert text (`=HYPERLINK(...)`), never an empty cell. A value merged down
    over several rows (a district written once for a block of people) is repeated in each row.
    """
    from openpyxl import load_workbook

    check_xlsx(data, limits)
    unreadable = SpreadsheetRefused("bad_file", _("This is not an Excel (.xlsx) file we can read."))
    try:
        merges, has_formulas = _structure(data)
        paths = list(merges)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False) if has_formulas else None
    except SpreadsheetRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a damaged or hostile file makes openpyxl raise
        raise unreadable from exc
    try:
        if not book.worksheets:
            raise unreadable
        budget = _Budget(limits)
        sheets = []
        for index, sheet in enumerate(book.worksheets[:MAX_SHEETS]):
            budget.rows = 0
            sheet.reset_dimensions()  # never pad rows to the size the sheet claims
            # Blank rows are skipped, but not without end: at most twice as many rows as may hold data.
            rows = sheet.iter_rows(values_only=True, max_col=limits.columns, max_row=2 * limits.rows + 2)
            values = [[_cell(v) for v in row] for row in rows]
            if formulas is not None:
                raw = formulas.worksheets[index]
                raw.reset_dimensions()
                for number, row in enumerate(raw.iter_rows(values_only=True, max_col=limits.columns,
                                                          max_row=len(values)), start=1):
                    cells = values[number - 1]
                    for column, formula in enumerate(row):
                        if isinstance(formula, str) and formula.startswith("=") and column < len(cells) and (
                                not cells[column] or cells[column] in EXCEL_ERRORS):
                            cells[column] = clean_text(formula).strip()
            path = paths[index] if index < len(paths) else ""
            for first_col, first_row, _last_col, last_row in merges.get(path, []):
                if first_row - 1 < len(values) and len(values[first_row - 1]) >= first_col:
                    value = values[first_row - 1][first_col - 1]
                    for number in range(first_row + 1, min(last_row, len(values)) + 1):
                        cells = values[number - 1]
                        cells.extend([""] * (first_col - len(cells)))
                        if not cells[first_col - 1]:
                            cells[first_col - 1] = value
            numbered = [(number, budget.row(cells)) for number, cells in enumerate(values, start=1)]
            sheets.append(Sheet(sheet.title, numbered))
        return sheets
    except SpreadsheetRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - a sheet that breaks the parser half-way is not readable either
        raise unreadable from exc
    finally:
        book.close()
        if formulas is not None:
            formulas.close()


def read_xlsx(data: bytes, limits: Limits = Limits()) -> list[list[str]]:
    """The first sheet's rows as text (at most `limits.columns` cells each), after `check_xlsx`."""
    return [cells for _number, cells in read_workbook(data, limits)[0].rows]


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:  # UTF-16 ("Unicode text") or not text at all
        raise UnicodeDecodeError("utf-16", data[:1], 0, 1, "not UTF-8")
    return data.decode("cp1252")  # Excel's "CSV (Comma delimited)" on Windows in English


def read_csv_rows(data: bytes, limits: Limits = Limits()) -> list[tuple[int, list[str]]]:
    """Rows of a CSV (UTF-8 with or without BOM, or Windows-1252; comma, semicolon or tab), numbered
    as Excel numbers them when it opens the file."""
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        raise SpreadsheetRefused("bad_file", _("Save the CSV as UTF-8 (in Excel: CSV UTF-8).")) from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count) if any(d in first for d in ",;\t") else ","
    budget = _Budget(limits)
    try:
        return [(number, budget.row([clean_text(cell).strip() for cell in row[: limits.columns]]))
                for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)]
    except csv.Error as exc:
        raise SpreadsheetRefused("bad_file", _("The CSV cannot be read: %(reason)s.") % {"reason": exc}) from None


def read_csv(data: bytes, limits: Limits = Limits()) -> list[list[str]]:
    """Rows of a CSV as text (see `read_csv_rows`)."""
    return [cells for _number, cells in read_csv_rows(data, limits)]
