"""Tell a person their certificate is ready (through the outbox, in the issuing transaction): the link to
their ticket page, where it downloads, and the public verification link anyone can check it at."""

from __future__ import annotations

from portal.events.tables import Registration
from portal.messages import outbox

CONSENT = "registered by staff"


async def certificate_ready(registration_id: int, code: str) -> list[int]:
    """Queue the "certificate ready" message of a just-issued certificate."""
    row = await Registration.select(
        Registration.ticket_token, Registration.event, Registration.participant.name.as_alias("name"),
        Registration.participant.name_bn.as_alias("name_bn"), Registration.participant.phone.as_alias("phone"),
        Registration.participant.email.as_alias("email"), Registration.event.title.as_alias("title"),
    ).where(Registration.id == registration_id).first()
    if row is None:
        return []
    default = "bn" if row["name_bn"] else "en"
    language = ""
    for address in (row["phone"], row["email"]):
        if address and not language:
            language = await outbox.contact_language(address)
    name = row["name_bn"] if (language or default) == "bn" and row["name_bn"] else row["name"]
    return await outbox.notify(
        "certificate", phone=row["phone"], email=row["email"], default_language=default, to_name=row["name"],
        values={"name": name, "event": row["title"], "link": outbox.link(f"/t/{row['ticket_token']}"),
                "verify": outbox.link(f"/verify/{code}")},
        consent_source=CONSENT, record_type="registration", record_id=registration_id, event_id=row["event"],
        dedupe=f"certificate:{code}")
