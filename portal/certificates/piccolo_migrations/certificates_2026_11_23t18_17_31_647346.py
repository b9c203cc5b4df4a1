"""Composite unique indexes: the database's own guarantee of "exactly once".

Piccolo has no declarative composite unique constraint, so they are created here by hand.
"""

from portal.db import index_migration

ID = "2026-11-23T18:17:31:647346"
VERSION = "1.38.0"
DESCRIPTION = "unique certificate per registration and kind"

CREATE = [
    "CREATE UNIQUE INDEX certificate_registration_kind ON certificate (registration, kind)",
]
DROP = [
    "DROP INDEX certificate_registration_kind",
]

async def forwards():
    return index_migration(ID, "certificates", DESCRIPTION, CREATE, DROP)
