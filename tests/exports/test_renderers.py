"""Export renderers, checked by reading the files back (csv module, openpyxl)."""

import csv
import io
import re
from datetime import UTC, date, datetime
from urllib.parse import unquote

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.exports import (
    Column,
    ExportError,
    Sheet,
    clean_text,
    content_disposition,
    neutralise,
    pseudonymise,
    render_csv,
    render_workbook,
    render_xlsx,
    safe_filename,
    sheet_name,
    xlsxfile,
)

COLUMNS = [
    Column("name", "Name / নাম", "text", width=30),
    Column("sessions", "Sessions", "int"),
    Column("share", "Share", "float", num_format="0%"),
    Column("day", "Date", "date"),
    Column("at", "Checked in", "datetime"),
    Column("certified", "Certified", "bool"),
]
ROWS = [
    ("রহিমা খাতুন", 3, 0.75, date(2024, 5, 1), datetime(2024, 5, 1, 4, 2, tzinfo=UTC), True),
    ('=HYPERLINK("http://x","click")', -2, -0.5, date(2024, 5, 2), datetime(2024, 5, 2, 10, 0), False),
    ("Md. Karim", None, None, None, None, None),
]
FORMULA_LIKE = ["=1+1", "+8801712345678", "-2+3", "@SUM(A1)", "\tx", "\rx", "＝1+1"]


def read_csv(export) -> tuple[bytes, list[list[str]]]:
    data = b"".join(export.body)
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(export) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(b"".join(export.body)))


def excel_unescape(text: str) -> str:
    # Excel stores control characters (and a literal "_x....") as _xHHHH_; Excel decodes them,
    # openpyxl leaves them as they are in inline strings.
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), text)


# CSV


def test_csv_starts_with_bom_and_ends_rows_with_crlf():
    data, _ = read_csv(render_csv("attendance", COLUMNS, ROWS))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == len(ROWS) + 1


def test_csv_round_trips_bangla_and_keeps_every_row():
    _, rows = read_csv(render_csv("attendance", COLUMNS, ROWS))
    assert rows[0][0] == "Name / নাম"
    assert rows[1][0] == "রহিমা খাতুন"
    assert len(rows) == len(ROWS) + 1


def test_csv_writes_iso_dates_and_dhaka_wall_clock_times():
    _, rows = read_csv(render_csv("attendance", COLUMNS, ROWS))
    assert rows[1][3:6] == ["2024-05-01", "2024-05-01 10:02:00", "TRUE"]  # 04:02 UTC is 10:02 in Dhaka
    assert rows[2][4] == "2024-05-02 10:00:00"  # naive datetimes are taken as already local


def test_csv_writes_missing_values_as_empty_cells():
    _, rows = read_csv(render_csv("attendance", COLUMNS, ROWS))
    assert rows[3] == ["Md. Karim", "", "", "", "", ""]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_csv_neutralises_formula_like_text(text):
    _, rows = read_csv(render_csv("x", [Column("name", "Name")], [(text,)]))
    assert rows[1][0] == "'" + text


def test_csv_keeps_negative_numbers_in_number_columns():
    _, rows = read_csv(render_csv("attendance", COLUMNS, ROWS))
    assert rows[2][1:3] == ["-2", "-0.5"]


def test_csv_shows_a_wrongly_typed_value_as_neutralised_text():
    _, rows = read_csv(render_csv("x", [Column("n", "N", "int")], [("-1+cmd",)]))
    assert rows[1][0] == "'-1+cmd"


def test_csv_accepts_dict_rows_by_column_key():
    _, rows = read_csv(render_csv("x", COLUMNS, [{"name": "Karim", "sessions": 2}]))
    assert rows[1] == ["Karim", "2", "", "", "", ""]


def test_csv_rejects_a_row_of_the_wrong_length():
    with pytest.raises(ExportError, match="expected 6"):
        b"".join(render_csv("x", COLUMNS, [("too", "short")]).body)


def test_export_error_is_not_a_value_error():
    # Litestar's sync-stream wrapper treats ValueError as the end of the stream: a bad row would
    # otherwise end the download quietly, as if the file were complete.
    assert not issubclass(ExportError, ValueError)
    assert ExportError.code == "export_failed"


@settings(database=None, max_examples=300)
@given(st.text())
def test_csv_reads_back_any_text_cleaned_and_neutralised(text):
    _, rows = read_csv(render_csv("x", [Column("name", "Name")], [(text,)]))
    assert rows[1] == [neutralise(clean_text(text))]


# Cells that need care (formula triggers, control characters), mixed into the text of other cells.
TRICKY_TEXT = st.text(alphabet="=+-@\t\r\n\x00\x07ab ব＝")


@settings(database=None, max_examples=200)
@given(st.lists(st.one_of(st.none(), st.integers(), st.text(), TRICKY_TEXT), max_size=250))
def test_csv_reads_back_many_rows_each_cell_by_the_same_rule(values):
    # Rows are normalised a batch at a time, a text column at once: a cell that needs care must be
    # found among many that do not, and nothing else in its batch may change.
    _, rows = read_csv(render_csv("x", [Column("name", "Name")], [(v,) for v in values]))
    assert [r[0] for r in rows[1:]] == ["" if v is None else neutralise(clean_text(str(v))) for v in values]


def test_a_formula_among_plain_cells_is_neutralised_and_nothing_else():
    names = [f"Person {i}" for i in range(250)]
    names[120] = "=1+1"
    names[7] = "Line one\n=line two"  # a trigger after a newline is inside the cell, not at its start
    _, rows = read_csv(render_csv("x", [Column("name", "Name")], [(n,) for n in names]))
    expected = [*names[:120], "'=1+1", *names[121:]]
    assert [r[0] for r in rows[1:]] == expected


def test_csv_yields_before_consuming_the_whole_input():
    pulled = 0

    def source():
        nonlocal pulled
        for i in range(1_000_000):
            pulled += 1
            yield (f"Person {i}", i, 0.5, date(2024, 1, 1), datetime(2024, 1, 1, 9), True)

    body = render_csv("big", COLUMNS, source(), chunk_size=4096).body
    assert pulled == 0  # nothing happens until the response reads the body
    next(body)  # BOM and header
    next(body)
    assert 0 < pulled < 200
    body.close()


def test_csv_chunks_stay_near_the_chunk_size():
    rows = ((f"Person {i}", i, 0.5, None, None, None) for i in range(20_000))
    chunks = list(render_csv("big", COLUMNS, rows, chunk_size=8192).body)
    assert len(chunks) > 10
    assert max(len(c) for c in chunks) < 8192 + 200  # one row over the limit at most


# XLSX


def test_xlsx_writes_typed_cells():
    ws = read_xlsx(render_xlsx("attendance", COLUMNS, ROWS)).active
    name, sessions, share, day, at, certified = (c.value for c in ws[2])
    assert (name, sessions, share, certified) == ("রহিমা খাতুন", 3, 0.75, True)
    assert day == datetime(2024, 5, 1)  # openpyxl reads Excel dates back as datetime
    assert at == datetime(2024, 5, 1, 10, 2)
    assert ws["D2"].is_date and ws["E2"].is_date
    assert ws["B2"].data_type == "n" and ws["A2"].data_type == "s"


def test_xlsx_header_is_bold_frozen_filtered_and_sized():
    ws = read_xlsx(render_xlsx("attendance", COLUMNS, ROWS)).active
    assert ws.freeze_panes == "A2"
    assert all(cell.font.b for cell in ws[1])
    assert ws.auto_filter.ref == "A1:F4"
    assert ws.column_dimensions["A"].width == pytest.approx(30, abs=1)


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_xlsx_formula_like_text_is_text_not_a_formula(text):
    # A text cell is never a formula: the text stays as it is, with no CSV apostrophe.
    ws = read_xlsx(render_xlsx("x", [Column("name", "Name")], [(text,)])).active
    assert ws["A2"].data_type == "s"
    assert excel_unescape(ws["A2"].value) == text


def test_xlsx_formula_like_header_and_wrongly_typed_cells_are_plain_text():
    ws = read_xlsx(render_xlsx("x", [Column("n", "=Count", "int"), Column("d", "+Day", "date")],
                               [("-1+cmd", "=today()")])).active
    assert [c.value for c in ws[1]] == ["=Count", "+Day"]
    assert [(c.data_type, c.value) for c in ws[2]] == [("s", "-1+cmd"), ("s", "=today()")]


def test_xlsx_keeps_negative_numbers_as_numbers():
    ws = read_xlsx(render_xlsx("attendance", COLUMNS, ROWS)).active
    assert (ws["B3"].value, ws["C3"].value) == (-2, -0.5)


def test_xlsx_drops_control_characters_that_would_corrupt_the_file():
    ws = read_xlsx(render_xlsx("x", [Column("name", "Name")], [("Ra\x07him\x00",)])).active
    assert ws["A2"].value == "Rahim"


def test_csv_and_xlsx_of_the_same_rows_read_the_same():
    _, csv_rows = read_csv(render_csv("a", COLUMNS, ROWS))
    ws = read_xlsx(render_xlsx("a", COLUMNS, ROWS)).active

    def as_csv_text(cell):
        value = cell.value
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(value).upper()
        if isinstance(value, datetime):
            return value.date().isoformat() if cell.number_format == "yyyy-mm-dd" else value.isoformat(" ")
        # Text gets the CSV apostrophe escape, which an XLSX text cell does not need.
        return neutralise(value) if isinstance(value, str) else str(value)

    assert [[as_csv_text(c) for c in row] for row in ws.iter_rows()] == csv_rows


def test_workbook_writes_each_sheet_under_a_valid_unique_name():
    sheets = [
        Sheet("By district: [all]", COLUMNS, ROWS),
        ("By district? (all)", COLUMNS, ROWS[:1]),
        ("জেলা অনুযায়ী উপস্থিতি ও সনদের পূর্ণ হিসাব", COLUMNS, []),
    ]
    wb = read_xlsx(render_workbook("report", sheets))
    assert wb.sheetnames == ["By district all", "By district (all)", "জেলা অনুযায়ী উপস্থিতি ও সনদের"]
    assert wb["By district (all)"].max_row == 2


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("a/b\\c*d?e:f[g]h", [], "a b c d e f g h"),
        ("'quoted'", [], "quoted"),
        ("", [], "Sheet"),
        ("History", [], "History (2)"),
        ("Data", ["data"], "Data (2)"),
        ("x" * 40, ["x" * 31], "x" * 27 + " (2)"),
    ],
)
def test_sheet_name_follows_excel_rules(name, taken, expected):
    assert sheet_name(name, taken) == expected


def test_xlsx_continues_on_a_new_sheet_past_the_row_limit(monkeypatch):
    monkeypatch.setattr(xlsxfile, "MAX_ROWS", 4)  # header plus three rows per sheet
    rows = [(f"P{i}", i, None, None, None, None) for i in range(7)]
    wb = read_xlsx(render_xlsx("big", COLUMNS, rows, sheet="Attendance"))
    assert wb.sheetnames == ["Attendance", "Attendance (2)", "Attendance (3)"]
    assert [ws.max_row for ws in wb] == [4, 4, 2]
    assert wb["Attendance (3)"]["A2"].value == "P6"


@settings(database=None, max_examples=60, deadline=None)
@given(st.text())
def test_xlsx_reads_back_any_text_cleaned_and_not_escaped(text):
    ws = read_xlsx(render_xlsx("x", [Column("name", "Name")], [(text,)])).active
    assert excel_unescape(ws["A2"].value or "") == clean_text(text)


def test_xlsx_bad_row_fails_the_export_and_leaves_no_file(tmp_path):
    export = render_xlsx("x", COLUMNS, [ROWS[0], ("short",)], tmp_dir=str(tmp_path))
    with pytest.raises(ExportError):
        b"".join(export.body)
    assert list(tmp_path.iterdir()) == []


def test_xlsx_temporary_file_is_deleted_after_streaming(tmp_path):
    export = render_xlsx("x", COLUMNS, ROWS, tmp_dir=str(tmp_path))
    assert list(tmp_path.iterdir()) == []  # nothing is built until the body is read
    next(export.body)
    assert len(list(tmp_path.iterdir())) == 1
    export.body.close()  # the client went away mid-download
    assert list(tmp_path.iterdir()) == []


# File names and pseudonyms


def test_content_disposition_carries_a_bangla_file_name():
    name = "উপস্থিতি ঢাকা 2024.xlsx"
    value = content_disposition(name)
    assert value.isascii()
    fallback, extended = re.fullmatch(
        r'attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S+)', value
    ).groups()
    assert fallback == "2024.xlsx"
    assert unquote(extended, errors="strict") == name


def test_content_disposition_of_an_all_bangla_name_falls_back_to_a_word():
    assert content_disposition("উপস্থিতি.csv").startswith('attachment; filename="download.csv"; filename*=')


def test_content_disposition_of_a_plain_name_has_no_extended_form():
    assert content_disposition("attendance-2024.csv") == 'attachment; filename="attendance-2024.csv"'


def test_export_headers_hold_the_content_disposition():
    export = render_csv("উপস্থিতি", COLUMNS, [])
    assert export.headers["Content-Disposition"] == content_disposition("উপস্থিতি.csv")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "_.._etc_passwd.csv"),
        ("report\r\nSet-Cookie: x", "report_Set-Cookie_ x.csv"),
        ("attendance.csv", "attendance.csv"),
        ("  ", "export.csv"),
    ],
)
def test_safe_filename_removes_path_and_control_characters(name, expected):
    assert safe_filename(name, ".csv") == expected


def test_pseudonym_is_stable_for_the_same_value_and_secret():
    assert pseudonymise("+8801712345678", "s3cret") == pseudonymise("+8801712345678", "s3cret")
    assert re.fullmatch(r"P-[0-9A-F]{12}", pseudonymise("+8801712345678", "s3cret"))


def test_pseudonym_changes_with_the_secret_and_the_value():
    base = pseudonymise("+8801712345678", "s3cret")
    assert pseudonymise("+8801712345678", "other") != base
    assert pseudonymise("+8801712345679", "s3cret") != base


def test_pseudonym_treats_equivalent_unicode_forms_as_one_value():
    assert pseudonymise("\u0995\u09cb", "k") == pseudonymise("\u0995\u09c7\u09be", "k")


def test_pseudonym_refuses_an_empty_secret():
    with pytest.raises(ValueError):
        pseudonymise("x", "")
