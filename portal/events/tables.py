"""Tables of the events feature.

Foreign keys that history hangs on use RESTRICT: attendance and certificates must never
vanish because a parent row was deleted (Piccolo cascades by default).
"""

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.auth.tables import User


class Participant(Table, tablename="participant"):
    """One person, one row: matched on phone or email before a new row is created."""

    name = Varchar(length=200, index=True)
    name_bn = Varchar(length=200, default="")
    gender = Varchar(length=20, default="undisclosed")
    organisation = Varchar(length=200, default="")
    stakeholder_type = Varchar(length=30, default="other", index=True)
    designation = Varchar(length=200, default="")
    district = Varchar(length=40, default="", index=True)
    phone = Varchar(length=20, null=True, default=None, unique=True)
    email = Varchar(length=254, null=True, default=None, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Event(Table, tablename="event"):
    """A district workshop, ToT, CSO meeting, consultation or other gathering."""

    kind = Varchar(length=30, index=True)
    title = Varchar(length=200)
    description = Text(default="")
    district = Varchar(length=40, index=True)
    venue = Varchar(length=200, default="")
    start_date = Date(index=True)
    end_date = Date()
    capacity = Integer(null=True, default=None)
    status = Varchar(length=20, default="draft", index=True)
    organizer = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    # Percentage of sessions a participant must attend to earn a certificate.
    completion_percent = Integer(default=100)
    walk_ins = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Session(Table, tablename="event_session"):
    """One sitting of an event (a day or a half day). Attendance is recorded per session."""

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=100)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
