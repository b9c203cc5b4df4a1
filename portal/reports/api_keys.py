"""API keys: created and revoked by admins, stored as SHA-256, shown once."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from portal.core import audit, clock
from portal.core.errors import NotFound, ValidationFailed
from portal.core.i18n import gettext as _
from portal.reports.tables import ApiKey

KEY_PREFIX = "pk_"
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)  # a key used in a burst is written once, not per request


def digest(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


async def create_key(values: dict[str, Any], actor: audit.Actor) -> tuple[int, str]:
    """A new key for a named system; returns its id and the key itself (never stored, never shown again)."""
    name = " ".join(str(values.get("name", "")).split())
    if not name or len(name) > 100:
        raise ValidationFailed({"name": "Give the key a name of up to 100 characters (who uses it)."})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, prefix=key[:10], key_hash=digest(key), personal_data=bool(values.get("personal_data")),
                 created_by=actor.id)
    await row.save()
    await audit.record(actor, "api_key.create", "api_key", row.id,
                       after={"name": name, "personal_data": row.personal_data})
    return row.id, key


async def revoke_key(key_id: int, actor: audit.Actor) -> None:
    """Revoke a key at once; a revoked key is kept (the audit trail names it) but never works again."""
    row = await ApiKey.select(ApiKey.id, ApiKey.revoked_at).where(ApiKey.id == key_id).first()
    if row is None:
        raise NotFound(_("No such API key."))
    if row["revoked_at"] is None:
        now = clock.now()
        await ApiKey.update({ApiKey.revoked_at: now}).where(ApiKey.id == key_id)
        await audit.record(actor, "api_key.revoke", "api_key", key_id, after={"revoked_at": now})


async def list_keys() -> list[dict[str, Any]]:
    """Every key, newest first (no hashes)."""
    return await ApiKey.select(
        ApiKey.id, ApiKey.name, ApiKey.prefix, ApiKey.personal_data, ApiKey.created_at, ApiKey.last_used_at,
        ApiKey.revoked_at, ApiKey.created_by.name.as_alias("created_by"),
    ).order_by(ApiKey.id, ascending=False)


async def authenticate(key: str) -> dict[str, Any] | None:
    """The live key behind a bearer token, or None."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    row = await ApiKey.select(ApiKey.id, ApiKey.name, ApiKey.personal_data, ApiKey.last_used_at).where(
        ApiKey.key_hash == digest(key), ApiKey.revoked_at.is_null()).first()
    if row is None:
        return None
    now = clock.now()
    if row["last_used_at"] is None or now - row["last_used_at"] > LAST_USED_RESOLUTION:
        await ApiKey.update({ApiKey.last_used_at: now}).where(ApiKey.id == row["id"])
    return row
