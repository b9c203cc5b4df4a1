"""Tables shared by every feature: the audit log."""

from piccolo.columns import JSON, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    """Who did what to which record, when; before/after for changes.

    No foreign keys on purpose: history must outlive the records and users it mentions.
    """

    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_id = Integer(null=True, default=None)
    actor = Varchar(length=200, default="")
    action = Varchar(length=80, index=True)
    record_type = Varchar(length=80)
    record_id = Varchar(length=80, index=True)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    note = Varchar(length=500, default="")
    ip = Varchar(length=64, default="")
