"""One assignment per (session, person): the database's guarantee for session facilitators."""

from portal.db import index_migration

ID = "2026-12-06T02:35:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique session facilitator"

CREATE = ["CREATE UNIQUE INDEX session_facilitator_session_participant ON session_facilitator (session, participant)"]
DROP = ["DROP INDEX session_facilitator_session_participant"]


async def forwards():
    return index_migration(ID, "events", DESCRIPTION, CREATE, DROP)
