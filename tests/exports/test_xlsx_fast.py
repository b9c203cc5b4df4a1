"""The XLSX writer's own row XML (portal.exports.xlsxfile._RowXml) against xlsxwriter's per-cell writer:
the same cells give the same worksheet XML, byte for byte, and the file opens with the same values."""

import io
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.exports import Column, render_workbook, xlsxfile
from portal.exports.table import normalised_rows

COLUMNS = [
    Column("name", "Name / নাম", "text", width=30),
    Column("sessions", "Sessions", "int"),
    Column("share", "Share", "float", num_format="0.0%"),
    Column("day", "Date", "date"),
    Column("at", "Checked in", "datetime"),
    Column("certified", "Certified", "bool"),
    Column("note", "Note", "text"),
]
AWKWARD_TEXT = [
    "রহিমা খাতুন", " leading space", "trailing space ", "a & b < c > d", 'quote " and apostrophe \'',
    "tab\there", "line\nbreak", "control \x07 bell", "_x0041_ literal escape", "=SUM(A1:A2)", "", "ok",
    "x" * 40_000, "ক" * 20_000,
]


def _rows() -> list[tuple]:
    rows = []
    for n in range(3000):
        rows.append((
            AWKWARD_TEXT[n % len(AWKWARD_TEXT)] if n % 17 else None,
            n - 1500 if n % 5 else None,
            (n % 101) / 100 if n % 7 else None,
            date(1900 + n % 200, 1 + n % 12, 1 + n % 28) if n % 3 else None,
            datetime(2024, 1 + n % 12, 1 + n % 28, n % 24, n % 60, n % 60, (n * 7919) % 1_000_000, tzinfo=UTC)
            if n % 4 else None,
            bool(n % 2) if n % 6 else None,
            None if n % 9 else "last",
        ))
    rows.append((None,) * len(COLUMNS))  # an empty row: no <row> element in either
    rows.append(("after the empty row", 1, 0.5, date(1900, 2, 28), datetime(1900, 3, 1, 12), False, ""))
    return rows


def _reference(columns: list[Column], rows: list[tuple]) -> bytes:
    """What the portal wrote before: xlsxwriter's write_* a cell at a time."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False})
    workbook.set_properties({"created": xlsxfile.DOCUMENT_DATE})
    writer = xlsxfile._Writer(workbook, xlsxfile.DHAKA)
    numbers = [writer._number_format(c) for c in columns]
    worksheet = writer._start("Data", columns)
    # The portal hands out style indexes in a fixed order (xlsxwriter: in the order the data uses them).
    for style in [writer.header, *numbers, writer.date, writer.datetime]:
        if style is not None:
            style._get_xf_index()
    r = 0
    for r, cells in enumerate(normalised_rows(columns, rows, xlsxfile.DHAKA, escape=False), start=1):
        for c, cell in enumerate(cells):
            if cell is None:
                continue
            if isinstance(cell, str):
                worksheet.write_string(r, c, cell)
            elif isinstance(cell, bool):
                worksheet.write_boolean(r, c, cell)
            elif isinstance(cell, int | float):
                worksheet.write_number(r, c, cell, numbers[c])
            elif isinstance(cell, datetime):
                worksheet.write_datetime(r, c, cell, writer.datetime)
            elif isinstance(cell, date):
                worksheet.write_datetime(r, c, cell, writer.date)
    writer._finish(worksheet, r, len(columns))
    workbook.close()
    return buffer.getvalue()


def _portal(columns: list[Column], rows: list[tuple]) -> bytes:
    return b"".join(render_workbook("x", [("Data", columns, rows)]).body)


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_same_worksheet_xml_as_xlsxwriter_cell_by_cell():
    rows = _rows()
    ours, theirs = _parts(_portal(COLUMNS, rows)), _parts(_reference(COLUMNS, rows))
    assert ours.keys() == theirs.keys()
    for name in theirs:
        assert ours[name] == theirs[name], name
    sheet = ours["xl/worksheets/sheet1.xml"].decode()
    assert "x" * 32767 + "<" in sheet and "x" * 32768 not in sheet  # long text truncated as xlsxwriter does
    assert "_x005F_x0041_" in sheet and "a &amp; b &lt; c &gt; d" in sheet  # control characters: cleaned before


def test_values_read_back():
    rows = _rows()
    sheet = openpyxl.load_workbook(io.BytesIO(_portal(COLUMNS, rows)), read_only=True).active
    read = list(sheet.iter_rows(values_only=True))
    assert read[0][0] == "Name / নাম"
    assert read[2][0] == " leading space" and read[2][1] == -1499 and read[2][2] == 0.01
    assert read[2][3] == datetime(1901, 2, 2)
    assert read[-1][0] == "after the empty row" and read[-1][4] == datetime(1900, 3, 1, 12)
    assert len(read) == len(rows) + 1 and set(read[-2]) == {None}  # the header, and the empty row left empty


def test_text_that_looks_like_rich_text_stays_text():
    # xlsxwriter would write "<r>...</r>" into the XML unescaped; the portal escapes every text.
    columns = [Column("name", "Name", "text")]
    data = _portal(columns, [("<r><t>injected</t></r>",)])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "<r><t>injected</t></r>"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=40), st.integers(-10**15, 10**15),
                          st.floats(allow_nan=False, allow_infinity=False, width=64)), max_size=30))
def test_any_text_and_numbers_match_xlsxwriter(rows):
    columns = [Column("t", "T", "text"), Column("i", "I", "int"), Column("f", "F", "float")]
    rows = [(t.replace("<r>", "<R>"), i, f) for t, i, f in rows]  # xlsxwriter's rich-text quirk aside
    assert _parts(_portal(columns, rows))["xl/worksheets/sheet1.xml"] == \
        _parts(_reference(columns, rows))["xl/worksheets/sheet1.xml"]
