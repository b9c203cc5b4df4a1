"""A person's phone numbers: the primary one in `Participant.phone` (what check-in, messages and exports read,
without a join) and the others in `participant_phone`. A number belongs to one person, whichever of the two
places holds it; every lookup by phone goes through here so that all numbers count."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from portal.core.phone import PhoneError, normalise_phone
from portal.db import icontains
from portal.events.tables import Participant, ParticipantPhone

MAX_NUMBERS = 10


def has_number(person: Any, phone: str) -> Any:
    """A condition: this exact E.164 number is the person's (`person`: the Participant table or a foreign key to
    it, such as Registration.participant), as the primary or another number."""
    ids = ParticipantPhone.select(ParticipantPhone.participant).where(ParticipantPhone.phone == phone)
    return (person.phone == phone) | _id(person).is_in(ids)


def number_contains(person: Any, fragment: str) -> Any:
    """A condition: one of the person's numbers contains `fragment` (the person search's phone part)."""
    ids = ParticipantPhone.select(ParticipantPhone.participant).where(icontains(ParticipantPhone.phone, fragment))
    return icontains(person.phone, fragment) | _id(person).is_in(ids)


def _id(person: Any) -> Any:
    # The Participant table's id, or the foreign key column itself (its value is the participant's id).
    return person.id if person is Participant else person


async def owner(phone: str | None, exclude_id: int | None = None) -> dict[str, Any] | None:
    """The person one of whose numbers is `phone` (other than `exclude_id`), or None."""
    if not phone:
        return None
    query = Participant.select().where(has_number(Participant, phone))
    if exclude_id is not None:
        query = query.where(Participant.id != exclude_id)
    return await query.first()


async def others(participant_id: int) -> list[str]:
    """The person's other numbers, oldest first."""
    rows = await ParticipantPhone.select(ParticipantPhone.phone).where(
        ParticipantPhone.participant == participant_id).order_by(ParticipantPhone.id)
    return [row["phone"] for row in rows]


async def others_of(ids: Iterable[int]) -> dict[int, list[str]]:
    """Other numbers of several people at once."""
    wanted = list(ids)
    found: dict[int, list[str]] = {}
    if wanted:
        rows = await ParticipantPhone.select(ParticipantPhone.participant, ParticipantPhone.phone).where(
            ParticipantPhone.participant.is_in(wanted)).order_by(ParticipantPhone.id)
        for row in rows:
            found.setdefault(row["participant"], []).append(row["phone"])
    return found


async def set_others(participant_id: int, numbers: Iterable[str]) -> tuple[list[str], list[str]]:
    """Make `numbers` the person's other numbers (inside the caller's transaction; the caller checked that no one
    else has them); returns (added, removed)."""
    wanted = list(dict.fromkeys(numbers))
    current = await others(participant_id)
    removed = [n for n in current if n not in wanted]
    added = [n for n in wanted if n not in current]
    if removed:
        await ParticipantPhone.delete().where(
            (ParticipantPhone.participant == participant_id) & ParticipantPhone.phone.is_in(removed))
    if added:
        await ParticipantPhone.insert(*[ParticipantPhone(participant=participant_id, phone=n) for n in added])
    return added, removed


async def add_unowned(numbers_by_person: dict[int, list[str]]) -> int:
    """Give each person those of their `numbers` that no one has yet (an import's cells with several numbers:
    the first became the primary, these the others); numbers someone already has are left out. Inside the
    caller's transaction; how many were added."""
    wanted = {n for numbers in numbers_by_person.values() for n in numbers}
    if not wanted:
        return 0
    taken: set[str] = set()
    chunks = sorted(wanted)
    for start in range(0, len(chunks), 500):
        chunk = chunks[start:start + 500]
        taken |= {r["phone"] for r in await Participant.select(Participant.phone).where(Participant.phone.is_in(chunk))}
        taken |= {r["phone"] for r in await ParticipantPhone.select(ParticipantPhone.phone).where(
            ParticipantPhone.phone.is_in(chunk))}
    rows = []
    for person_id, numbers in numbers_by_person.items():
        for number in dict.fromkeys(numbers):
            if number not in taken:
                taken.add(number)
                rows.append(ParticipantPhone(participant=person_id, phone=number))
    for start in range(0, len(rows), 500):
        await ParticipantPhone.insert(*rows[start:start + 500])
    return len(rows)


async def owners(numbers: Iterable[str]) -> dict[str, int]:
    """Who has each of these numbers as another number (not the primary): number -> person id."""
    wanted = sorted(set(numbers))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        rows = await ParticipantPhone.select(ParticipantPhone.phone, ParticipantPhone.participant).where(
            ParticipantPhone.phone.is_in(wanted[start:start + 500]))
        found.update({r["phone"]: r["participant"] for r in rows})
    return found


def usable(texts: Iterable[str]) -> tuple[list[str], list[str]]:
    """Numbers as typed -> (those that are phone numbers, in E.164 without repeats; those that are not)."""
    kept: list[str] = []
    bad: list[str] = []
    for text in texts:
        try:
            number = normalise_phone(text)
        except PhoneError:
            bad.append(text)
            continue
        if number and number not in kept:
            kept.append(number)
    return kept, bad
