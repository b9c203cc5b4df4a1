"""The master-trainer pool: list, counts, export, status, invitations, trainings delivered."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from portal.auth import services as auth_services
from portal.auth.services import CurrentUser
from portal.certificates import merging as _registration_merge  # noqa: F401 (registers its hook)
from portal.certificates.tables import PoolMember, PoolTrainerLink
from portal.core import audit
from portal.core.districts import BY_CODE
from portal.core.errors import DomainError, NotFound, ValidationFailed
from portal.core.i18n import N_
from portal.core.i18n import gettext as _
from portal.core.vocab import Labels
from portal.db import is_unique_violation, write_transaction
from portal.events.participants.merge import MergeRefused, merge_hook, undo_hook
from portal.events.tables import CheckIn, Event, Registration
from portal.exports import Column, Export, in_language, render_csv

STATUSES = Labels({"active": N_("Active"), "inactive": N_("Inactive")})
DELIVERING_ROLES = ("facilitator", "trainer")


@dataclass(frozen=True)
class PoolFilter:
    """What the pool list is narrowed to."""

    district: str = ""
    status: str = ""
    course: int | None = None


def _columns() -> tuple:
    return (
        *PoolMember.all_columns(),
        PoolMember.participant.name.as_alias("name"), PoolMember.participant.name_bn.as_alias("name_bn"),
        PoolMember.participant.phone.as_alias("phone"), PoolMember.participant.email.as_alias("email"),
        PoolMember.source_event.title.as_alias("event_title"),
        PoolMember.source_event.course.title.as_alias("course_title"),
        PoolMember.certificate.serial.as_alias("serial"),
        PoolMember.certificate.issued_at.as_alias("issued_at"),
    )


def _where(query: Any, filters: PoolFilter) -> Any:
    if filters.district:
        query = query.where(PoolMember.district == filters.district)
    if filters.status:
        query = query.where(PoolMember.status == filters.status)
    if filters.course is not None:
        query = query.where(PoolMember.source_event.course == filters.course)
    return query


async def members(filters: PoolFilter) -> list[dict[str, Any]]:
    """Pool members matching the filters, by name."""
    return await _where(PoolMember.select(*_columns()), filters).order_by(PoolMember.participant.name)


async def counts_by_district(filters: PoolFilter) -> list[dict[str, Any]]:
    """[{district, name, active, total}] for the members matching the filters."""
    counts: dict[str, dict[str, Any]] = {}
    for row in await _where(PoolMember.select(PoolMember.district, PoolMember.status), filters):
        district = BY_CODE.get(row["district"])
        entry = counts.setdefault(row["district"], {"district": row["district"], "active": 0, "total": 0,
                                                    "name": district.name if district else row["district"] or "—"})
        entry["total"] += 1
        entry["active"] += row["status"] == "active"
    return sorted(counts.values(), key=lambda e: e["name"])


EXPORT_COLUMNS = (
    Column("name", N_("Name")), Column("name_bn", N_("Name (Bangla)")), Column("district", N_("District")),
    Column("organisation", N_("Organisation")), Column("status", N_("Status")),
    Column("certified_on", N_("Certified on"), "date"),
    Column("event_title", N_("ToT")), Column("course_title", N_("Course")), Column("serial", N_("Certificate")),
    Column("phone", N_("Phone")), Column("email", N_("Email")),
)


def certified_on(member: dict[str, Any], tz: dt.tzinfo) -> dt.date | None:
    """The day the member was certified in PORTAL_TIMEZONE: the certificate's issue time there (the stored
    date of entries made before this rule may be the UTC date)."""
    return member["issued_at"].astimezone(tz).date() if member.get("issued_at") else member["certified_on"]


async def export_csv(filters: PoolFilter, user: CurrentUser, tz: dt.tzinfo, lang: str = "en") -> Export:
    """The filtered pool as CSV (names are neutralised against formulas by the renderer).

    The rule for organizers limited to districts: the whole pool by name, as the pool page shows it,
    but phone and email only of the members in their districts (blank for the others)."""
    rows = await members(filters)

    def body() -> Iterator[dict[str, Any]]:
        for row in rows:
            district = BY_CODE.get(row["district"])
            contacts = {} if user.sees_district(row["district"]) else {"phone": "", "email": ""}
            yield {**row, "district": district.name if district else row["district"],
                   "certified_on": certified_on(row, tz), **contacts}

    return render_csv("master-trainer-pool", in_language(EXPORT_COLUMNS, lang), body(), tz=tz)


async def get_member(member_id: int) -> dict[str, Any]:
    """One member with the trainer account they were invited as."""
    row = await PoolMember.select(*_columns()).where(PoolMember.id == member_id).first()
    if row is None:
        raise NotFound(_("No such pool member."))
    link = await PoolTrainerLink.select(PoolTrainerLink.user, PoolTrainerLink.invited_at).where(
        PoolTrainerLink.member == member_id).first()
    return {**row, "trainer_user": link["user"] if link else None, "invited_at": link["invited_at"] if link else None}


async def set_status(user: CurrentUser, member_id: int, status: str, ip: str = "") -> None:
    """Active or inactive."""
    member = await get_member(member_id)
    if status not in STATUSES:
        raise DomainError("bad_status", _("Unknown status."))
    await PoolMember.update({PoolMember.status: status}).where(PoolMember.id == member_id)
    await audit.record(user.actor(ip), "pool.status", "pool_member", member_id,
                       before={"status": member["status"]}, after={"status": status})


async def invite(user: CurrentUser, member_id: int, ip: str = "") -> str:
    """Create a trainer account for the member and return a one-time link to choose a password."""
    member = await get_member(member_id)
    if member["trainer_user"]:
        raise DomainError("already_invited", _("This person already has a trainer account."))
    if not member["email"] and not member["phone"]:
        raise DomainError("no_contact", _("Add an email or phone number to the person first."))
    try:
        values, password_hash = await auth_services.prepare_user(
            {"name": member["name"], "email": member["email"] or "", "phone": member["phone"] or "",
             "role": "trainer", "password": secrets.token_urlsafe(24)})
    except ValidationFailed as exc:
        raise DomainError("account_exists", "A staff account already uses this person's email or phone: "
                          + "; ".join(exc.errors.values())) from exc
    # One transaction: of two invitations at once, the second meets the unique indexes (the member's
    # link, the account's email or phone) and is told so; neither leaves an account without its link.
    try:
        async with write_transaction(PoolTrainerLink._meta.db):
            user_id = await auth_services.insert_user(values, password_hash, user.actor(ip))
            await PoolTrainerLink.insert(PoolTrainerLink(member=member_id, user=user_id, invited_by=user.id))
            await audit.record(user.actor(ip), "pool.invite", "pool_member", member_id, after={"user": user_id})
            return await auth_services.create_link("reset", user_id, user.actor(ip))
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError("already_invited", _("This person already has a trainer account.")) from None
        raise


async def delivered(member_id: int) -> list[dict[str, Any]]:
    """Later events where the member was a facilitator or trainer, and the step-down trainings they ran with the
    account they were invited as, with how many people attended."""
    member = await get_member(member_id)
    ran = []
    if member["trainer_user"]:
        ran = await Event.select(Event.id.as_alias("event_id"), Event.title, Event.district, Event.start_date).where(
            (Event.organizer == member["trainer_user"]) & (Event.kind == "step_down")
            & (Event.status != "cancelled"))
    rows = await Registration.select(
        Registration.event.id.as_alias("event_id"), Registration.event.title.as_alias("title"),
        Registration.event.district.as_alias("district"), Registration.event.start_date.as_alias("start_date"),
        Registration.role,
    ).where(
        (Registration.participant == member["participant"]) & Registration.role.is_in(list(DELIVERING_ROLES))
        & (Registration.status != "cancelled")
    ).order_by(Registration.event.start_date)
    source = await Event.select(Event.start_date).where(Event.id == member["source_event"]).first()
    if source:
        rows = [r for r in rows if r["start_date"] >= source["start_date"] and r["event_id"] != member["source_event"]]
    listed = {r["event_id"] for r in rows}
    rows += [{**r, "role": "step-down trainer"} for r in ran if r["event_id"] not in listed]
    rows.sort(key=lambda r: (r["start_date"], r["event_id"]))
    for row in rows:
        attended = await CheckIn.select(CheckIn.registration).where(
            CheckIn.registration.is_in(Registration.select(Registration.id).where(
                (Registration.event == row["event_id"]) & (Registration.role == "participant")))
        ).distinct()
        row["attended"] = len(attended)
    return rows


@merge_hook("pool")
async def _move_pool_membership(keep_id: int, drop_id: int) -> dict[str, Any]:
    """When two people are merged, the dropped one's place in the pool moves to the kept one; both in the
    pool is refused (two memberships, each with its certificate, are for a person to sort out)."""
    dropped = await PoolMember.select(PoolMember.id).where(PoolMember.participant == drop_id).first()
    if dropped is None:
        return {}
    if await PoolMember.exists().where(PoolMember.participant == keep_id):
        raise MergeRefused("both_in_pool", "Both are in the master-trainer pool: set one inactive and ask the "
                                           "programme office which membership to keep.")
    await PoolMember.update({PoolMember.participant: keep_id}).where(PoolMember.id == dropped["id"])
    return {"member": dropped["id"]}


@undo_hook("pool")
async def _move_pool_membership_back(keep_id: int, drop_id: int, moved: dict[str, Any]) -> None:
    """Undoing a merge: the place in the pool that moved goes back, unless it has changed hands since."""
    if not moved.get("member"):
        return
    if not await PoolMember.exists().where((PoolMember.id == moved["member"]) & (PoolMember.participant == keep_id)):
        raise MergeRefused("undo_impossible", _("This merge can no longer be undone: the place in the trainer pool "
                                                "has changed since."))
    await PoolMember.update({PoolMember.participant: drop_id}).where(PoolMember.id == moved["member"])
