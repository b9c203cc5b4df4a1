"""CSV renderer: UTF-8 with a byte-order mark, CRLF rows, streamed in chunks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, tzinfo

from portal.exports.disposition import CONTENT_TYPES, safe_filename
from portal.exports.table import (
    DHAKA,
    Cell,
    Column,
    Export,
    Row,
    clean_text,
    guarded,
    neutralise,
    normalised_rows,
)

# Excel only reads a CSV as UTF-8 (and so shows Bangla) when the file starts with a BOM.
BOM = "\ufeff"
CHUNK_SIZE = 64 * 1024


def _text(cell: Cell) -> str:
    # Order matters: bool is an int, datetime is a date.
    if cell is None:
        return ""
    if type(cell) is str:
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")  # "2024-05-01 10:02:00": ISO 8601, and Excel reads it as a date
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)  # int or float (repr-exact, so "-3" and "0.1" round-trip)


def _chunks(
    columns: Sequence[Column], rows: Iterable[Row], tz: tzinfo | None, chunk_size: int
) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the "excel" dialect: CRLF line ends, quotes only where needed
    writer.writerow([neutralise(clean_text(c.header)) for c in columns])
    # The header goes out at once, so a browser shows the download starting before the first query row.
    yield (BOM + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    cells: Iterable[Sequence[Cell]] = normalised_rows(columns, rows, tz)
    # The writer itself writes normalised cells as _text would (None as empty, str() of numbers,
    # dates and the naive datetimes), except booleans, which it would write as "True".
    if any(c.type == "bool" for c in columns):
        cells = ([_text(cell) for cell in row] for row in cells)
    for row in cells:
        writer.writerow(row)
        if buffer.tell() >= chunk_size:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def render_csv(
    filename: str,
    columns: Sequence[Column],
    rows: Iterable[Row],
    *,
    tz: tzinfo | None = DHAKA,
    chunk_size: int = CHUNK_SIZE,
) -> Export:
    """Render rows as a streamed CSV; rows are pulled lazily, a chunk at a time, as the body is read."""
    return Export(
        filename=safe_filename(filename, ".csv"),
        content_type=CONTENT_TYPES["csv"],
        body=guarded(_chunks(columns, rows, tz, chunk_size)),
    )
