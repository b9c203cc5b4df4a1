"""Import participants into an event from a CSV or XLSX file (the programme's old Excel lists).

Three steps: read the file, map its columns to fields and preview every row with its errors
(bad phone, unknown district, a duplicate of an earlier row), then commit. The commit writes
every valid row in one transaction or nothing; rows with errors are left out and listed.
People already in the directory (same phone or email) are linked, not created twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal.core import audit
from portal.core.errors import DomainError, ValidationFailed
from portal.core.i18n import gettext as _
from portal.core.spreadsheets import Limits, SpreadsheetRefused, read_csv, read_xlsx
from portal.db import write_transaction
from portal.events.forms import parse_participant
from portal.events.participants.services import find_match
from portal.events.registrations.services import ROLES, SEATED, lock_event, new_token
from portal.events.tables import Participant, Registration

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
FIELDS = {
    "name": "Name (English)", "name_bn": "Name (Bangla)", "organisation": "Organisation",
    "designation": "Designation", "district": "District", "phone": "Phone", "email": "Email",
    "gender": "Gender", "stakeholder_type": "Stakeholder type", "role": "Role",
}
# Header words that name each field in the lists people keep (lower case, without punctuation).
HINTS = {
    "name": ("name", "full name", "participant", "participant name", "name english", "name en"),
    "name_bn": ("name bangla", "bangla name", "name bn", "নাম"),
    "organisation": ("organisation", "organization", "org", "office", "institution"),
    "designation": ("designation", "position", "title", "post"),
    "district": ("district", "zila", "jela", "জেলা"),
    "phone": ("phone", "mobile", "mobile no", "phone number", "cell", "contact", "মোবাইল"),
    "email": ("email", "e-mail", "mail"),
    "gender": ("gender", "sex"),
    "stakeholder_type": ("stakeholder", "stakeholder type", "category", "type"),
    "role": ("role",),
}


class ImportRefused(DomainError):
    """The file cannot be read (codes bad_file, too_big, too_many_rows) or has nothing to import (empty)."""

    status_code = 422


LIMITS = Limits(rows=MAX_ROWS)


def read_table(filename: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the first sheet of an XLSX, or of a CSV (UTF-8, comma or semicolon), read
    within LIMITS (portal/core/spreadsheets.py). Synchronous and CPU-bound: call it in a worker thread."""
    if len(data) > MAX_BYTES:
        raise ImportRefused("bad_file", _("The file is larger than 5 MB."))
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            rows = read_xlsx(data, LIMITS)
        elif name.endswith((".csv", ".txt")):
            rows = read_csv(data, LIMITS)
        else:
            raise ImportRefused("bad_file", _("Upload a .csv or .xlsx file."))
    except SpreadsheetRefused as exc:
        raise ImportRefused(exc.code, exc.message) from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise ImportRefused("empty", _("The file has no rows under its header row."))
    if len(rows) - 1 > MAX_ROWS:
        raise ImportRefused("bad_file", f"The file has more than {MAX_ROWS} rows; split it.")
    headers = [cell.strip() for cell in rows[0]]
    width = len(headers)
    return headers, [(row + [""] * width)[:width] for row in rows[1:]]


def _norm(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """field -> column index, from the header names."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        norm = _norm(header)
        for name, hints in HINTS.items():
            if name not in mapping and norm in hints:
                mapping[name] = index
                break
    return mapping


def parse_mapping(form: dict[str, Any], width: int) -> dict[str, int]:
    """The mapping chosen on the form (map_FIELD = column number); a name column is required."""
    mapping: dict[str, int] = {}
    for name in FIELDS:
        raw = str(form.get(f"map_{name}", "")).strip()
        if raw.isdigit() and int(raw) < width:
            mapping[name] = int(raw)
    if "name" not in mapping:
        raise ValidationFailed({"map_name": "Choose the column that holds the names."})
    return mapping


@dataclass
class RowResult:
    """One row of the file as it would be imported."""

    line: int
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    match: dict[str, Any] | None = None  # the person already in the directory
    parsed: Any = None
    registered: bool = False  # that person is already registered for the event

    @property
    def ok(self) -> bool:
        """True when the row will be imported."""
        return not self.errors


async def preview(event_id: int, headers: list[str], rows: list[list[str]], mapping: dict[str, int]) -> list[RowResult]:
    """Every row with its errors, the person it matches, and whether they are registered already."""
    results: list[RowResult] = []
    seen: dict[str, int] = {}
    registered = {r["participant"] for r in await Registration.select(Registration.participant).where(
        Registration.event == event_id)}
    for offset, row in enumerate(rows):
        values = {name: row[index] for name, index in mapping.items()}
        result = RowResult(line=offset + 2, values=values)
        role = values.get("role", "").strip().lower() or "participant"
        if role not in ROLES:
            result.errors["role"] = _("Role must be participant, facilitator, trainer or guest.")
        values["role"] = role
        try:
            result.parsed = parse_participant({k: v for k, v in values.items() if k != "role"})
        except ValidationFailed as exc:
            result.errors.update(exc.errors)
        if result.parsed is not None:
            for key in ("phone", "email"):
                value = getattr(result.parsed, key)
                if value and value in seen:
                    result.errors[key] = (_("The same phone as row {row}.") if key == "phone" else
                                          _("The same email as row {row}.")).format(row=seen[value])
                elif value:
                    seen[value] = result.line
            result.match, _field = await find_match(result.parsed.phone, result.parsed.email)
            result.registered = bool(result.match and result.match["id"] in registered)
        results.append(result)
    return results


async def commit(event_id: int, headers: list[str], rows: list[list[str]], mapping: dict[str, int],
                 actor: audit.Actor) -> dict[str, int]:
    """Import every valid row in one transaction (or nothing); returns the counts."""
    results = await preview(event_id, headers, rows, mapping)
    valid = [r for r in results if r.ok]
    if not valid:
        raise ImportRefused("nothing_valid", _("No row can be imported: correct the file and upload it again."))
    counts = {"created": 0, "linked": 0, "registered": 0, "waitlisted": 0, "already": 0,
              "skipped": len(results) - len(valid)}
    async with write_transaction(Registration._meta.db):
        event = await lock_event(event_id)  # seats are counted once, so no one else may take one meanwhile
        taken = await Registration.count().where(
            (Registration.event == event_id) & Registration.status.is_in(list(SEATED)))
        for result in valid:
            if result.match:
                person_id = result.match["id"]
                counts["linked"] += 1
            else:
                # Re-check inside the transaction: someone may have added the person meanwhile.
                match, _field = await find_match(result.parsed.phone, result.parsed.email)
                if match:
                    person_id = match["id"]
                    counts["linked"] += 1
                else:
                    person = Participant(**result.parsed.as_row())
                    await person.save()
                    person_id = person.id
                    counts["created"] += 1
                    await audit.record(actor, "participant.create", "participant", person_id,
                                       after=result.parsed.as_row(), note="import")
            if await Registration.exists().where(
                    (Registration.event == event_id) & (Registration.participant == person_id)):
                counts["already"] += 1
                continue
            full = event["capacity"] is not None and taken >= event["capacity"]
            status = "waitlisted" if full else "registered"
            taken += 0 if full else 1
            registration = Registration(event=event_id, participant=person_id, role=result.values["role"],
                                        status=status, ticket_token=new_token())
            await registration.save()
            counts[status] += 1
            await audit.record(actor, "registration.create", "registration", registration.id, after={
                "event": event_id, "participant": person_id, "role": result.values["role"], "status": status},
                note="import")
    return counts
