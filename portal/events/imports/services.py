"""Import participants into an event from a CSV or XLSX file (the programme's old Excel lists).

Files come as district offices keep them, so the import takes them as they are:
1. `read_upload` reads every sheet (XLSX) or the CSV (UTF-8 with or without BOM, or Windows-1252)
   once, as text with Excel's row numbers (portal/core/spreadsheets.py).
2. `locate` finds the table in a sheet: the header row under title rows, logos and blank rows
   (English and Bangla header words), or the row chosen by hand; rows of totals, subtotals,
   signatures, notes and repeated headers are skipped with a reason, never imported as people.
3. `preview` maps the columns (guessed from the headers, or chosen), turns the values people write
   (`F`, `মহিলা`, `Govt.`, `Chittagong`, an upazila) into the portal's codes (values.py), asks once per
   distinct value it does not know (remembered in ImportValueMapping for the next file), cleans phone
   cells as Excel stores them, and checks every row: which field, which value, the same phone or
   email as an earlier row, the person already in the directory.
4. `commit` writes every valid row in one transaction or nothing; rows with errors are left out and
   listed. People already in the directory (same phone or email) are linked, not created twice.
Every message names the row number Excel shows.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from portal.core import audit, clock
from portal.core.errors import DomainError, ValidationFailed
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.core.phone import PhoneError, normalise_phone
from portal.core.spreadsheets import Limits, Sheet, SpreadsheetRefused, read_csv_rows, read_workbook
from portal.core.tables import AuditEntry
from portal.db import write_transaction
from portal.events.forms import parse_participant
from portal.events.imports import bulk, paper
from portal.events.imports import values as vals
from portal.events.imports.tables import ImportValueMapping
from portal.events.participants import phones as person_phones
from portal.events.registrations.services import ROLES, SEATED, lock_event, new_token
from portal.events.tables import Participant, Registration

MAX_ROWS = 25_000  # issue 15: a list of 20,000 people imports whole, with its title, total and blank rows
MAX_BYTES = 20 * 1024 * 1024
HEADER_SEARCH = 30  # rows from the top where the header row is looked for
FIELDS = {
    "name": N_("Name (English)"), "name_bn": N_("Name (Bangla)"), "organisation": N_("Organisation"),
    "designation": N_("Designation"), "district": N_("District"), "phone": N_("Phone"), "email": N_("Email"),
    "gender": N_("Gender"), "stakeholder_type": N_("Stakeholder type"), "role": N_("Role"),
}
# Whole header texts (after values.norm) that name each field in the lists people keep.
HINTS = {
    "name": ("name", "full name", "participant", "participant name", "name english", "name en", "name of participant",
             "participants name", "participant s name", "name of the participant", "নাম", "নাম ইংরেজি",
             "নাম english", "অংশগ্রহণকারীর নাম", "পূর্ণ নাম"),
    "name_bn": ("name bangla", "bangla name", "name bn", "name in bangla", "name bengali", "নাম বাংলা",
                "বাংলায় নাম", "নাম বাংলায়"),
    "organisation": ("organisation", "organization", "org", "office", "institution", "organisation name",
                     "name of organisation", "name of organization", "organization institution", "agency",
                     "প্রতিষ্ঠান", "প্রতিষ্ঠানের নাম", "সংস্থা", "সংস্থার নাম", "অফিস", "দপ্তর"),
    "designation": ("designation", "position", "title", "post", "job title", "পদবি", "পদবী", "পদ"),
    "district": ("district", "zila", "jela", "zilla", "district name", "জেলা", "জেলার নাম"),
    "phone": ("phone", "mobile", "mobile no", "mobile number", "phone number", "phone no", "cell", "cell no",
              "contact", "contact no", "contact number", "mobile phone", "মোবাইল", "মোবাইল নম্বর", "মোবাইল নং",
              "ফোন", "ফোন নম্বর", "মোবাইল নাম্বার"),
    "email": ("email", "e mail", "mail", "email address", "ইমেইল", "ই মেইল", "ইমেইল ঠিকানা"),
    "gender": ("gender", "sex", "m f", "male female", "লিঙ্গ", "লিংগ", "জেন্ডার", "নারী পুরুষ"),
    "stakeholder_type": ("stakeholder", "stakeholder type", "category", "type", "participant type",
                         "stakeholder category", "অংশীজন", "অংশীজনের ধরন", "ধরন", "ক্যাটাগরি", "শ্রেণি"),
    "role": ("role", "ভূমিকা"),
}
# Words inside a longer header: checked in this order, so "Name of organisation" is an organisation.
KEYWORDS = (
    ("email", ("email", "e mail", "ইমেইল", "ই মেইল")),
    ("phone", ("mobile", "phone", "contact", "cell", "মোবাইল", "ফোন")),
    ("district", ("district", "zila", "জেলা")),
    ("gender", ("gender", "sex", "লিঙ্গ")),
    ("designation", ("designation", "position", "পদবি", "পদবী")),
    ("organisation", ("organisation", "organization", "institution", "office", "প্রতিষ্ঠান", "সংস্থা")),
    ("stakeholder_type", ("stakeholder", "category", "অংশীজন")),
    ("name_bn", ("bangla", "bengali", "বাংলা")),
    ("name", ("name", "নাম")),
)
_HINTS = {vals.norm(hint): name for name, hints in HINTS.items() for hint in hints}
# The first cell of a row that is not a person.
TOTAL_WORDS = ("total", "grand total", "sub total", "subtotal", "sum", "মোট", "সর্বমোট", "উপমোট", "সর্ব মোট")
SIGNATURE_WORDS = ("signature", "sign", "prepared by", "approved by", "verified by", "checked by", "submitted by",
                   "name and signature", "name signature", "seal", "স্বাক্ষর", "প্রস্তুতকারী", "প্রস্তুতকারক",
                   "অনুমোদনকারী", "যাচাইকারী", "সিল")


class ImportRefused(DomainError):
    """The file cannot be read (codes bad_file, protected, too_big, too_many_rows) or has nothing to
    import (empty)."""

    status_code = 422


# 20,000 rows of about ten cells: room for long names and organisations in the text and the XML.
LIMITS = Limits(rows=MAX_ROWS, total_chars=12_000_000, uncompressed_bytes=120 * 1024 * 1024,
                shared_strings_bytes=40 * 1024 * 1024)


# 1. Reading --------------------------------------------------------------------------------------------

def read_upload(filename: str, data: bytes) -> list[Sheet]:
    """Every sheet of an XLSX (or the one of a CSV) as text rows with Excel's row numbers, blank rows
    left out, read within LIMITS. Synchronous and CPU-bound: call it in a worker thread."""
    if len(data) > MAX_BYTES:
        raise ImportRefused("too_big", _("The file is larger than 20 MB. Split the list into smaller files."))
    if not data.strip():
        raise ImportRefused("empty", _("The file is empty."))
    name = filename.lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            sheets = read_workbook(data, LIMITS)
        elif name.endswith((".csv", ".txt")):
            sheets = [Sheet(filename, read_csv_rows(data, LIMITS))]
        elif name.endswith(".xls"):
            raise ImportRefused("bad_file", _("This is an old Excel 97-2003 (.xls) file. Open it in Excel, "
                                              "save it as Excel Workbook (.xlsx), and upload that."))
        else:
            raise ImportRefused("bad_file", _("Upload a .csv or .xlsx file."))
    except SpreadsheetRefused as exc:
        raise ImportRefused(exc.code, exc.message) from None
    sheets = [Sheet(s.name, [(n, cells) for n, cells in s.rows if any(cells)]) for s in sheets]
    if not any(len(s.rows) >= 2 for s in sheets):
        raise ImportRefused("empty", _("The file has no rows under its header row."))
    return sheets


def read_table(filename: str, data: bytes) -> Table:
    """The table of the best sheet of a file, found as `locate` finds it (for scripts and tests)."""
    sheets = read_upload(filename, data)
    return locate(sheets[best_sheet(sheets)].rows)


# 2. Finding the table ----------------------------------------------------------------------------------

def header_field(header: str) -> str | None:
    """The field a header names ("মোবাইল নম্বর" -> phone), or None."""
    key = vals.norm(header)
    if not key:
        return None
    if key in _HINTS:
        return _HINTS[key]
    for name, words in KEYWORDS:
        if any(re.search(rf"(^|\s){re.escape(word)}($|\s)", key) or (" " not in word and word in key.split())
               for word in words):
            return name
    return None


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """field -> column index, from the header names (whole names first, then words in them)."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):  # exact names win over words inside a longer header
        name = _HINTS.get(vals.norm(header))
        if name and name not in mapping:
            mapping[name] = index
    for index, header in enumerate(headers):
        name = header_field(header)
        if name and name not in mapping and index not in mapping.values():
            mapping[name] = index
    return mapping


def _header_score(cells: list[str]) -> int:
    return len(guess_mapping(cells)) if sum(1 for c in cells if c) >= 2 else 0


def find_header(rows: list[tuple[int, list[str]]]) -> int | None:
    """The Excel row number of the header: the row near the top naming most fields (at least two)."""
    best, best_score = None, 1
    for number, cells in rows[:HEADER_SEARCH]:
        score = _header_score(cells)
        if score > best_score:
            best, best_score = number, score
    return best


def best_sheet(sheets: list[Sheet]) -> int:
    """The sheet most likely to hold the list: the best header, then the most rows."""
    scores = []
    for index, sheet in enumerate(sheets):
        header = find_header(sheet.rows)
        score = max((_header_score(c) for n, c in sheet.rows if n == header), default=0)
        scores.append((score, len(sheet.rows), -index))
    return -max(scores)[2]


@dataclass
class Table:
    """A sheet's table: its header row (Excel number), headers, data rows with their numbers, and the
    rows skipped with a reason."""

    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # row, reason, first text


def _first_text(cells: list[str]) -> str:
    return next((c for c in cells if c), "")


@functools.cache
def _normed(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(vals.norm(w) for w in words)


def _starts_with(text: str, words: tuple[str, ...]) -> bool:
    key = vals.norm(text)
    # The words normalised once: normalising them again for each of 20,000 rows took seconds (bench/imports_20k.py).
    return any(key == w or key.startswith(w + " ") for w in _normed(words))


def skip_reason(cells: list[str], headers: list[str], name_column: int | None) -> str | None:
    """Why a row under the header is not a person (None when it may be one)."""
    filled = [c for c in cells if c]
    if not filled:
        return _("blank row")
    first = filled[0]
    if _starts_with(first, TOTAL_WORDS) or re.match(r"^\s*(total|মোট)\s*[:=]", first, re.IGNORECASE):
        return _("a total or subtotal")
    if _starts_with(first, SIGNATURE_WORDS):
        return _("a signature or approval line")
    if (headers and cells and vals.norm(cells[0]) == vals.norm(headers[0])
            and [vals.norm(c) for c in cells[: len(headers)]] == [vals.norm(h) for h in headers[: len(cells)]]):
        return _("the header row again")
    name = cells[name_column] if name_column is not None and name_column < len(cells) else ""
    if not name and all(re.fullmatch(r"[\d.,\s০-৯]{1,6}", c) for c in filled):
        return _("numbers without a name (a total)")
    if not name and len(filled) == 1:
        return _("a note, not a person")
    return None


def locate(rows: list[tuple[int, list[str]]], header_row: int | None = None) -> Table:
    """The table in a sheet's rows, under `header_row` (Excel's number) or the header found."""
    numbers = [n for n, _cells in rows]
    if header_row not in numbers:
        header_row = find_header(rows) or (numbers[0] if numbers else 1)
    at = numbers.index(header_row) if header_row in numbers else 0
    headers = [c.strip() for c in rows[at][1]] if rows else []
    name_column = guess_mapping(headers).get("name")
    table = Table(header_row, headers, [])
    width = len(headers)
    for number, cells in rows[at + 1:]:
        reason = skip_reason(cells, headers, name_column)
        if reason:
            table.skipped.append((number, reason, _first_text(cells)[:80]))
        else:
            table.rows.append((number, (cells + [""] * width)[:width] if width else cells))
    return table


# 3. Values ---------------------------------------------------------------------------------------------

def value_key(field_name: str, text: str) -> str:
    """The remembered mapping's key for a value, and (hashed) its form field's name."""
    return f"{field_name}:{vals.norm(text)}"


def value_field(field_name: str, text: str) -> str:
    """The form field of the value-mapping step for one distinct value."""
    return "vmap_" + hashlib.sha256(value_key(field_name, text).encode()).hexdigest()[:12]


async def remembered() -> dict[str, str]:
    """key -> code of every value chosen in an earlier import."""
    return {r["key"]: r["code"] for r in await ImportValueMapping.select(ImportValueMapping.key,
                                                                          ImportValueMapping.code)}


@dataclass
class UnknownValue:
    """A value the import does not know yet, with how many rows have it and what was chosen."""

    field: str
    text: str
    rows: int
    form_field: str
    chosen: str = ""
    first_row: int = 0


def _clean_phone(text: str) -> tuple[str, list[str]]:
    """A phone cell as Excel keeps it -> (the first number, the others); Bangla digits, `8.8017E+12`,
    `+880 1711-234567`, several numbers separated by `,` `/` `;` or a new line."""
    text = vals.bangla_to_ascii_digits(text).strip()
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", text):  # 8.8017E+12 typed out of a cell shown in that format
        text = str(int(float(text)))
    parts = [p.strip() for p in re.split(r"[,;/\n|]|\s{2,}|\bor\b|\band\b", text) if p.strip()]
    if not parts:
        return "", []
    numbers = []
    for part in parts:
        digits = re.sub(r"\D", "", part)
        if part.startswith("+") or part.startswith("00"):
            numbers.append(part)
        elif len(digits) == 13 and digits.startswith("880"):
            numbers.append("+" + digits)
        else:
            numbers.append(part)
    return numbers[0], numbers[1:]


# 4. Preview and commit ---------------------------------------------------------------------------------

@dataclass
class RowResult:
    """One row of the file as it would be imported."""

    line: int
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    match: dict[str, Any] | None = None  # the person already in the directory
    parsed: Any = None
    registered: bool = False  # that person is already registered for the event
    notes: list[str] = field(default_factory=list)
    present: list[int] = field(default_factory=list)  # sessions ticked present (attendance from paper)

    @property
    def ok(self) -> bool:
        """True when the row will be imported."""
        return not self.errors


@dataclass
class Preview:
    """Every row of the table with its result, and the values the import asks about."""

    results: list[RowResult]
    unknown: list[UnknownValue]

    @property
    def valid(self) -> int:
        """How many rows will be imported."""
        return sum(r.ok for r in self.results)


def _label(field_name: str) -> str:
    return _(FIELDS[field_name]) if field_name in FIELDS else _("Attendance")


async def _directory(phones: set[str], emails: set[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """The people already in the directory with any of these phones or emails, in a few queries."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for column, wanted in (("phone", sorted(phones)), ("email", sorted(emails))):
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for row in await Participant.select().where(getattr(Participant, column).is_in(chunk)):
                found[(column, row[column])] = row
    others = await person_phones.owners(phones)  # a person's other numbers match too
    if others:
        people = {r["id"]: r for r in await Participant.select().where(
            Participant.id.is_in(sorted(set(others.values()))))}
        found.update({("phone", number): people[person_id] for number, person_id in others.items()})
    return found


Progress = Callable[[str, int], Awaitable[None]]
PROGRESS_EVERY = 2000  # rows between two progress reports


async def preview(event_id: int | None, table: Table, mapping: dict[str, int],
                  choices: dict[str, Any] | None = None, sessions: dict[int, int] | None = None,
                  progress: Progress | None = None) -> Preview:
    """Every row with its errors, the person it matches, and whether they are registered already;
    `choices` are the value-mapping step's answers (form field -> code), `sessions` the attendance columns
    (column -> session id, paper.py), `progress` is told every PROGRESS_EVERY rows checked."""
    choices = choices or {}
    sessions = sessions or {}
    known = await remembered()
    unknown: dict[str, UnknownValue] = {}
    codes: dict[str, set[str]] = {f: set(vals.choices(f)) for f in vals.VALUE_FIELDS}

    def code_for(field_name: str, text: str, line: int) -> str | None:
        built_in = vals.resolve(field_name, text)
        if built_in is not None:
            return built_in
        key = value_key(field_name, text)
        if key in known:
            return known[key]
        form_field = value_field(field_name, text)
        chosen = str(choices.get(form_field, "")).strip()
        item = unknown.setdefault(key, UnknownValue(field_name, text, 0, form_field, first_row=line))
        item.rows += 1
        if chosen in codes[field_name]:
            item.chosen = chosen
            return chosen
        return None

    registered: set[int] = set()
    if event_id is not None:
        registered = {r["participant"] for r in await Registration.select(Registration.participant).where(
            Registration.event == event_id)}
    results: list[RowResult] = []
    for count, (line, row) in enumerate(table.rows):
        if progress is not None and count and count % PROGRESS_EVERY == 0:
            await progress("checking", count)
        values = {name: row[index] if index < len(row) else "" for name, index in mapping.items()}
        result = RowResult(line=line, values=values)
        form = {k: v for k, v in values.items() if k != "role"}
        for name in vals.VALUE_FIELDS:
            if name in values:
                code = code_for(name, values[name], line)
                if code is None:
                    result.errors[name] = _("%(field)s “%(value)s” is not one of the list: say what it means "
                                            "under “Values to check” above.") % {
                        "field": _label(name), "value": values[name]}
                    form.pop(name)
                else:
                    form[name] = code
        if "phone" in values:
            first, others = _clean_phone(values["phone"])
            form["phone"] = first
            kept, bad = person_phones.usable(others)
            form["other_phones"] = "\n".join(kept)
            if kept:
                result.notes.append(_("The first number is the primary; also kept: %(numbers)s.")
                                    % {"numbers": ", ".join(kept)})
            if bad:
                result.notes.append(_("Not kept (not a phone number): %(numbers)s.") % {"numbers": ", ".join(bad)})
        role = vals.norm(values.get("role", "")) or "participant"
        if role not in ROLES:
            result.errors["role"] = _("Role “%(value)s” is not participant, facilitator, trainer or guest.") % {
                "value": values.get("role", "")}
        values["role"] = role
        if sessions:
            result.present, problems = paper.read_marks(row, sessions, table.headers)
            if problems:
                result.errors["attendance"] = " ".join(problems)
        try:
            if not result.errors:
                result.parsed = parse_participant(form)
            else:
                parse_participant(form)
        except ValidationFailed as exc:
            for key, message in exc.errors.items():
                shown = values.get(key, "")
                result.errors.setdefault(key, _("%(field)s “%(value)s”: %(message)s") % {
                    "field": _label(key), "value": shown, "message": _(message)} if shown else
                    _("%(field)s: %(message)s") % {"field": _label(key), "message": _(message)})
            result.parsed = None
        results.append(result)
    if progress is not None and table.rows:
        await progress("checking", len(table.rows))
    seen: dict[tuple[str, str], int] = {}
    for result in results:
        if result.parsed is None:
            continue
        for key in ("phone", "email"):
            value = getattr(result.parsed, key)
            if value and (key, value) in seen:
                result.errors[key] = _("The same %(field)s as row %(row)s.") % {
                    "field": _label(key).lower(), "row": seen[(key, value)]}
            elif value:
                seen[(key, value)] = result.line
        if result.errors:
            result.parsed = None
    people = await _directory({v for (k, v) in seen if k == "phone"}, {v for (k, v) in seen if k == "email"})
    for result in results:
        if result.parsed is not None:
            result.match = people.get(("phone", result.parsed.phone)) or people.get(("email", result.parsed.email))
            result.registered = bool(result.match and result.match["id"] in registered)
    return Preview(results, sorted(unknown.values(), key=lambda u: (u.field, u.first_row)))


def parse_mapping(form: dict[str, Any], width: int) -> dict[str, int]:
    """The mapping chosen on the form (map_FIELD = column number); a name column is required."""
    mapping: dict[str, int] = {}
    for name in FIELDS:
        raw = str(form.get(f"map_{name}", "")).strip()
        if raw.isdigit() and int(raw) < width and int(raw) not in mapping.values():
            mapping[name] = int(raw)
    if "name" not in mapping:
        raise ValidationFailed({"map_name": _("Choose the column that holds the names.")})
    return mapping


async def remember(unknown: list[UnknownValue], actor: audit.Actor) -> int:
    """Keep the values chosen in this import for the next file (inside the commit's transaction)."""
    saved = 0
    for item in unknown:
        if not item.chosen:
            continue
        key = value_key(item.field, item.text)
        if await ImportValueMapping.exists().where(ImportValueMapping.key == key):
            await ImportValueMapping.update({ImportValueMapping.code: item.chosen,
                                             ImportValueMapping.chosen_by: actor.id,
                                             ImportValueMapping.updated_at: clock.now()}).where(
                ImportValueMapping.key == key)
        else:
            await ImportValueMapping(key=key, field=item.field, value=item.text[:250], code=item.chosen,
                                     chosen_by=actor.id, updated_at=clock.now()).save()
        saved += 1
        await audit.record(actor, "import.value_mapping", "import_value_mapping", key,
                           after={"value": item.text, "code": item.chosen})
    return saved


PEOPLE_COLUMNS = ("name", "name_bn", "gender", "organisation", "stakeholder_type", "designation", "district",
                  "phone", "email", "created_at", "updated_at")
AUDIT_COLUMNS = ("at", "actor_id", "actor", "action", "record_type", "record_id", "before", "after", "note", "ip")


def _audit_rows(actor: audit.Actor, action: str, record_type: str,
                entries: list[tuple[Any, dict[str, Any]]]) -> list[tuple[Any, ...]]:
    now = clock.now()
    return [(now, actor.id, actor.label[:200], action, record_type, str(record_id), None,
             json.dumps(audit._plain(after), ensure_ascii=False), "import", actor.ip[:64])
            for record_id, after in entries]


async def _audit(actor: audit.Actor, action: str, record_type: str, entries: list[tuple[Any, dict[str, Any]]]
                 ) -> None:
    await bulk.insert(AuditEntry, AUDIT_COLUMNS, _audit_rows(actor, action, record_type, entries), returning=())


async def commit(event_id: int | None, table: Table, mapping: dict[str, int], actor: audit.Actor,
                 choices: dict[str, Any] | None = None, sessions: dict[int, int] | None = None,
                 progress: Progress | None = None,
                 finish: Callable[[dict[str, int]], Awaitable[None]] | None = None) -> dict[str, int]:
    """Import every valid row in one transaction (or nothing); returns the counts.

    `event_id` None imports into the directory alone (people only). `sessions` (column -> session id) turns
    the ticked columns into paper check-ins. `progress` hears ("checking", rows) while rows are checked,
    then ("saving", rows) as they are written; `finish(counts)` runs last inside the transaction (a job
    marks itself done there, so it is done exactly when the rows are saved)."""
    checked = await preview(event_id, table, mapping, choices, sessions, progress)
    results = checked.results
    valid = [r for r in results if r.ok]
    if not valid:
        raise ImportRefused("nothing_valid", _("No row can be imported: correct the file and upload it again."))
    counts = {"created": 0, "linked": 0, "registered": 0, "waitlisted": 0, "already": 0,
              "skipped": len(results) - len(valid), "checkins": 0, "checkins_already": 0}

    # Saving reports how much of its writing is done, as a share of the file's rows: people, then registrations.
    units = len(valid) * (1 + (event_id is not None) + bool(sessions))
    written = 0

    async def report(count: int) -> None:
        nonlocal written
        written += count
        if progress is not None:
            await progress("saving", min(len(results), written * len(results) // max(units, 1)))

    async with write_transaction(Participant._meta.db):
        await remember(checked.unknown, actor)
        # Re-read inside the transaction: someone may have added one of these people meanwhile.
        people = await _directory({r.parsed.phone for r in valid if r.parsed.phone},
                                  {r.parsed.email for r in valid if r.parsed.email})
        # New people in multi-row inserts (one by one, 5,000 rows took 19 s; Piccolo row objects, 7 s for 20,000).
        new = [r for r in valid if not (people.get(("phone", r.parsed.phone)) or people.get(("email", r.parsed.email)))]
        now = clock.now()
        await report(len(valid) - len(new))  # people already in the directory need no row
        ids = await bulk.insert_ids(Participant, PEOPLE_COLUMNS, on_chunk=report, rows=[
            tuple(r.parsed.as_row()[c] for c in PEOPLE_COLUMNS[:-2]) + (now, now) for r in new])
        await _audit(actor, "participant.create", "participant",
                     [(person_id, r.parsed.as_row()) for person_id, r in zip(ids, new, strict=True)])
        created = {id(r): person_id for person_id, r in zip(ids, new, strict=True)}
        counts["created"] = len(new)
        person_of: dict[int, int] = {}
        for result in valid:
            if id(result) in created:
                person_of[id(result)] = created[id(result)]
            else:
                match = people.get(("phone", result.parsed.phone)) or people.get(("email", result.parsed.email))
                person_of[id(result)] = match["id"]
                counts["linked"] += 1
        # Every number of a cell that held several: the first is the person's phone, the others are theirs too.
        await person_phones.add_unowned({person_of[id(r)]: list(r.parsed.other_phones) for r in valid
                                         if r.parsed.other_phones})
        if event_id is not None:
            await _register(event_id, valid, person_of, actor, counts, sessions or {}, report)
        if finish is not None:
            await finish(counts)
    return counts


async def _register(event_id: int, valid: list[RowResult], person_of: dict[int, int], actor: audit.Actor,
                    counts: dict[str, int], sessions: dict[int, int],
                    report: Callable[[int], Awaitable[None]] | None = None) -> None:
    """Register the imported people for the event (inside commit's transaction) and write their paper
    check-ins. A person ticked present at a session is registered even when the event is full: they came."""
    event = await lock_event(event_id)  # seats are counted once, so no one else may take one meanwhile
    taken = await Registration.count().where(
        (Registration.event == event_id) & Registration.status.is_in(list(SEATED)))
    existing = {r["participant"]: r for r in await Registration.select(
        Registration.id, Registration.participant, Registration.status).where(Registration.event == event_id)}
    rows: list[tuple[Any, ...]] = []
    afters: list[dict[str, Any]] = []
    attended: list[tuple[int, list[int]]] = []  # person, sessions ticked
    now = clock.now()
    for result in valid:
        person_id = person_of[id(result)]
        if result.present:
            attended.append((person_id, result.present))
        if person_id in existing:
            counts["already"] += 1
            continue
        existing[person_id] = {"id": None, "participant": person_id, "status": ""}
        full = event["capacity"] is not None and taken >= event["capacity"] and not result.present
        status = "waitlisted" if full else "registered"
        taken += 0 if full else 1
        rows.append((event_id, person_id, result.values["role"], status, new_token(), now, now))
        afters.append({"event": event_id, "participant": person_id, "role": result.values["role"], "status": status})
        counts[status] += 1
    if report is not None:
        await report(len(valid) - len(rows))  # registered already: nothing to write
    ids = await bulk.insert_ids(Registration, ("event", "participant", "role", "status", "ticket_token",
                                               "created_at", "updated_at"), rows, on_chunk=report)
    await _audit(actor, "registration.create", "registration", list(zip(ids, afters, strict=True)))
    for registration_id, after in zip(ids, afters, strict=True):
        existing[after["participant"]]["id"] = registration_id
    if not attended:
        return
    starts = {s["id"]: s["starts_at"] for s in await paper.event_sessions(event_id)}
    pairs = [(existing[person]["id"], session) for person, ticked in attended
             if existing[person]["status"] != "cancelled" for session in ticked if session in starts]
    inserted = await paper.write(pairs, starts, actor.id)
    if report is not None:
        await report(len(valid))
    counts["checkins"] = len(inserted)
    counts["checkins_already"] = len(pairs) - len(inserted)
    await _audit(actor, "checkin.create", "check_in", [
        (row["id"], {"registration": row["registration"], "session": row["session"], "method": paper.METHOD,
                     "at": starts[row["session"]]}) for row in inserted])


__all__ = ["FIELDS", "ImportRefused", "PhoneError", "Preview", "RowResult", "Table", "UnknownValue", "best_sheet",
           "commit", "find_header", "guess_mapping", "locate", "normalise_phone", "parse_mapping", "preview",
           "read_table", "read_upload"]


# 5. Files to fix and to start from ---------------------------------------------------------------------

def _xlsx(rows: list[list[str]], widths: list[int]) -> bytes:
    """A one-sheet XLSX where every cell is text (a name like `=HYPERLINK(...)` stays inert text)."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet(_("Participants")[:31])
    bold = book.add_format({"bold": True})
    text = book.add_format({"num_format": "@"})
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width, text)
    for number, row in enumerate(rows):
        for column, value in enumerate(row):
            sheet.write_string(number, column, value, bold if number == 0 else text)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def errors_workbook(table: Table, checked: Preview) -> bytes:
    """The rows with errors as they were in the file, with an errors column (and the file's row number):
    fix them in Excel and upload this file again."""
    by_line = {line: cells for line, cells in table.rows}
    rows = [[*table.headers, _("Errors"), _("Row in the first file")]]
    for result in checked.results:
        if not result.ok:
            rows.append([*by_line[result.line], " ".join(result.errors.values()), str(result.line)])
    return _xlsx(rows, [18] * len(table.headers) + [60, 12])


TEMPLATE_HEADERS = ("name", "name_bn", "gender", "organisation", "designation", "stakeholder_type", "district",
                    "phone", "email", "role")


def template_workbook() -> bytes:
    """An empty list to start from: the columns the import knows, and one example row."""
    example = ["Rahima Begum", "রহিমা বেগম", "Female", "WARBE Development Foundation", "Field officer", "NGO",
               "Jashore", "01711-234567", "rahima@example.org", "participant"]
    return _xlsx([[_(FIELDS[name]) for name in TEMPLATE_HEADERS], example], [22] * len(TEMPLATE_HEADERS))
