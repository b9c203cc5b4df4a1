"""Programme settings printed on every certificate: name, logo, up to three signatories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.auth.services import CurrentUser
from portal.certificates.render import Signatory as SignatoryFacts
from portal.certificates.tables import ProgrammeSettings, Signatory
from portal.core import audit, clock
from portal.core.errors import ValidationFailed
from portal.core.i18n import gettext as _
from portal.db import write_transaction
from portal.pdf import check_image

MAX_IMAGE_BYTES = 1024 * 1024
POSITIONS = (1, 2, 3)
DEFAULT_NAME = "Migration Governance Programme"
# Who issues the certificates of a step-down training (ProgrammeSettings.step_down_issuer).
STEP_DOWN_ISSUERS = ("organizer", "trainer")


@dataclass(frozen=True)
class Programme:
    """What the renderer needs from the settings."""

    name: str
    logo: bytes | None
    signatories: tuple[SignatoryFacts, ...]
    step_down_issuer: str = "organizer"


async def load() -> Programme:
    """The current settings (defaults when nobody has saved any)."""
    row = await ProgrammeSettings.select().order_by(ProgrammeSettings.id).first()
    people = await Signatory.select().order_by(Signatory.position)
    return Programme(
        name=row["programme_name"] if row else DEFAULT_NAME,
        logo=bytes(row["logo"]) if row and row["logo"] else None,
        signatories=tuple(SignatoryFacts(p["name"], p["title"], bytes(p["signature"]) if p["signature"] else None)
                          for p in people),
        step_down_issuer=row["step_down_issuer"] if row else "organizer",
    )


def _image(data: bytes | None, field: str, what: str, errors: dict[str, str]) -> bytes | None:
    if not data:
        return None
    if len(data) > MAX_IMAGE_BYTES:
        errors[field] = (_("The logo is larger than 1 MB; use a smaller PNG or JPEG.") if what == "logo" else
                         _("The signature is larger than 1 MB; use a smaller PNG or JPEG."))
        return None
    try:
        check_image(data, what)
    except ValueError:
        errors[field] = (_("The logo must be a PNG or JPEG image.") if what == "logo" else
                         _("The signature must be a PNG or JPEG image."))
        return None
    return data


async def save(user: CurrentUser, form: dict[str, Any], uploads: dict[str, bytes], ip: str = "") -> None:
    """Validate and save the settings form; nothing is saved when any field is wrong."""
    errors: dict[str, str] = {}
    name = str(form.get("programme_name", "")).strip()
    if not name:
        errors["programme_name"] = _("Enter the programme's name.")
    elif len(name) > 200:
        errors["programme_name"] = _("Keep the name under 200 characters.")
    logo = _image(uploads.get("logo"), "logo", "logo", errors)
    issuer = str(form.get("step_down_issuer", "organizer"))
    if issuer not in STEP_DOWN_ISSUERS:
        errors["step_down_issuer"] = "Choose who issues the certificates of step-down trainings."
    people = []
    for n in POSITIONS:
        person_name = str(form.get(f"signatory{n}_name", "")).strip()
        title = str(form.get(f"signatory{n}_title", "")).strip()
        image = _image(uploads.get(f"signatory{n}_signature"), f"signatory{n}_signature", "signature", errors)
        if len(person_name) > 200 or len(title) > 200:
            errors[f"signatory{n}_name"] = _("Keep names and titles under 200 characters.")
        if (title or image) and not person_name:
            errors[f"signatory{n}_name"] = _("Enter the signatory's name, or clear the title.")
        people.append((n, person_name, title, image, form.get(f"signatory{n}_clear") == "on"))
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction(ProgrammeSettings._meta.db):
        row = await ProgrammeSettings.select(ProgrammeSettings.id).order_by(ProgrammeSettings.id).first()
        values: dict[Any, Any] = {ProgrammeSettings.programme_name: name, ProgrammeSettings.updated_at: clock.now(),
                                   ProgrammeSettings.step_down_issuer: issuer}
        if logo:
            values[ProgrammeSettings.logo] = logo
        if form.get("logo_clear") == "on":
            values[ProgrammeSettings.logo] = None
        if row:
            await ProgrammeSettings.update(values).where(ProgrammeSettings.id == row["id"])
        else:
            await ProgrammeSettings.insert(ProgrammeSettings(**{c._meta.name: v for c, v in values.items()}))
        for n, person_name, title, image, clear in people:
            old = await Signatory.select(Signatory.signature).where(Signatory.position == n).first()
            await Signatory.delete().where(Signatory.position == n)
            if person_name:
                keep = None if clear else (old["signature"] if old else None)
                await Signatory.insert(Signatory(position=n, name=person_name, title=title,
                                                 signature=image or keep))
        await audit.record(user.actor(ip), "certificate.settings", "certificate_settings", 1,
                           after={"programme_name": name, "logo": bool(logo), "step_down_issuer": issuer,
                                  "signatories": [p[1] for p in people if p[1]]})


async def form_values() -> dict[str, Any]:
    """Current values for the settings form."""
    row = await ProgrammeSettings.select(ProgrammeSettings.programme_name, ProgrammeSettings.logo,
                                         ProgrammeSettings.step_down_issuer).order_by(ProgrammeSettings.id).first()
    values: dict[str, Any] = {"programme_name": row["programme_name"] if row else DEFAULT_NAME,
                              "has_logo": bool(row and row["logo"]),
                              "step_down_issuer": row["step_down_issuer"] if row else "organizer"}
    for person in await Signatory.select().order_by(Signatory.position):
        n = person["position"]
        values.update({f"signatory{n}_name": person["name"], f"signatory{n}_title": person["title"],
                       f"signatory{n}_has_signature": bool(person["signature"])})
    return values
