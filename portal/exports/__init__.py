"""Export renderers: one table description (columns plus rows), several file formats.

A data function yields rows; a renderer turns them into an `Export` whose body streams::

    export = RENDERERS[fmt]("attendance-dhaka", COLUMNS, rows)
    return Stream(export.body, media_type=export.content_type, headers=export.headers)

Formula neutralisation: text cells that start with = + - @ tab or CR get a leading single quote
in CSV *and* XLSX. XLSX cells are written with write_string and could never run anyway, but the
same rule in both keeps the two exports identical, and an XLSX that a coordinator re-saves as CSV
stays safe when it is opened again. Number, date and bool columns are written as values, so a
negative number in an "int" column is still a number.

Time: aware datetimes are written as wall-clock time in `tz` (Asia/Dhaka unless told otherwise),
naive ones as they are; seconds are the finest unit. Text loses only the control characters no
XLSX file can hold, in both formats.
"""

from collections.abc import Callable

from portal.exports.csvfile import render_csv
from portal.exports.disposition import CONTENT_TYPES, ascii_fallback, content_disposition, safe_filename
from portal.exports.headers import HEADERS_PARAM, header_language, in_language, sheets_in_language
from portal.exports.privacy import pseudonymise
from portal.exports.table import (
    DHAKA,
    Column,
    ColumnType,
    Export,
    ExportError,
    clean_text,
    neutralise,
)
from portal.exports.xlsxfile import Sheet, render_workbook, render_xlsx, sheet_name

# Format name (as in ?format=csv) to renderer; every renderer takes (filename, columns, rows).
RENDERERS: dict[str, Callable[..., Export]] = {"csv": render_csv, "xlsx": render_xlsx}

__all__ = [
    "CONTENT_TYPES",
    "DHAKA",
    "RENDERERS",
    "Column",
    "ColumnType",
    "Export",
    "ExportError",
    "HEADERS_PARAM",
    "Sheet",
    "ascii_fallback",
    "clean_text",
    "content_disposition",
    "header_language",
    "in_language",
    "neutralise",
    "pseudonymise",
    "render_csv",
    "render_workbook",
    "render_xlsx",
    "safe_filename",
    "sheet_name",
    "sheets_in_language",
]
