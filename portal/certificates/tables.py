"""Tables of the certificates feature: certificates and the master-trainer pool."""

from piccolo.columns import Date, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.auth.tables import User
from portal.events.tables import Event, Participant, Registration


class Certificate(Table, tablename="certificate"):
    """A certificate earned by a registration. Unique per (registration, kind) by an index in
    the migrations. Revoked, never deleted; the PDF is rendered from these facts."""

    serial = Varchar(length=40, unique=True)  # e.g. TOT-2026-0042
    code = Varchar(length=40, unique=True)  # unguessable verification code
    kind = Varchar(length=20)  # participation, completion, master_trainer
    registration = ForeignKey(references=Registration, on_delete=OnDelete.restrict, index=True)
    issued_at = Timestamptz(default=TimestamptzNow(), index=True)
    issued_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    revoked_reason = Varchar(length=500, default="")


class PoolMember(Table, tablename="pool_member"):
    """A certified master trainer: who the programme draws on to staff district trainings."""

    participant = ForeignKey(references=Participant, on_delete=OnDelete.restrict, unique=True)
    certificate = ForeignKey(references=Certificate, null=True, default=None, on_delete=OnDelete.restrict)
    source_event = ForeignKey(references=Event, null=True, default=None, on_delete=OnDelete.restrict)
    district = Varchar(length=40, default="", index=True)
    organisation = Varchar(length=200, default="")
    certified_on = Date(null=True, default=None)
    status = Varchar(length=20, default="active", index=True)  # active, inactive
