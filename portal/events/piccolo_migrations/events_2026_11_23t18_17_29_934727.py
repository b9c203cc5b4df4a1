"""Composite unique indexes: the database's own guarantee of "exactly once".

Piccolo has no declarative composite unique constraint, so they are created here by hand.
"""

from portal.db import index_migration

ID = "2026-11-23T18:17:29:934727"
VERSION = "1.38.0"
DESCRIPTION = "unique registration and check-in"

CREATE = [
    "CREATE UNIQUE INDEX registration_event_participant ON registration (event, participant)",
    "CREATE UNIQUE INDEX check_in_registration_session ON check_in (registration, session)",
]
DROP = [
    "DROP INDEX registration_event_participant",
    "DROP INDEX check_in_registration_session",
]

async def forwards():
    return index_migration(ID, "events", DESCRIPTION, CREATE, DROP)
