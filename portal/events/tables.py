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
from portal.trainings.tables import Course


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


class ParticipantPhone(Table, tablename="participant_phone"):
    """A person's other phone numbers (E.164); the primary one is `Participant.phone`, which check-in, messages
    and exports read without a join. A number belongs to one person: unique here, and the services refuse a
    number that is another person's primary (portal/events/participants/phones.py)."""

    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    phone = Varchar(length=20, unique=True)
    added_at = Timestamptz(default=TimestamptzNow())


class ParticipantMerge(Table, tablename="participant_merge"):
    """One merge of two people: the removed row as it was and the ids of every row that moved, so that the merge
    can be undone exactly (portal/events/participants/merge.py). `dropped_id` is a plain value: that row is gone."""

    kept = ForeignKey(references=Participant, on_delete=OnDelete.restrict, index=True)
    dropped_id = Integer(index=True)
    dropped = Text(default="{}")  # JSON: the removed participant row
    moved = Text(default="{}")  # JSON: registration ids, phone row ids, what later features moved
    filled = Text(default="{}")  # JSON: the kept person's empty fields filled from the removed one
    merged_at = Timestamptz(default=TimestamptzNow())
    merged_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    undone_at = Timestamptz(null=True, default=None)
    undone_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)


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
    # The course a ToT or district training teaches (optional).
    course = ForeignKey(references=Course, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    # Percentage of sessions a participant must attend to earn a certificate.
    completion_percent = Integer(default=100)
    walk_ins = Boolean(default=False)
    # The check-in window of each session: open this many minutes before it starts, closed this many
    # after it ends (portal.events.checkin.window). Staff can still check someone in outside it, on purpose.
    checkin_opens_before = Integer(default=60)
    checkin_closes_after = Integer(default=60)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Session(Table, tablename="event_session"):
    """One sitting of an event (a day or a half day). Attendance is recorded per session."""

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=100)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()


class Registration(Table, tablename="registration"):
    """A participant in an event. `ticket_token` (128 bits, URL-safe) is their personal link
    and QR ticket. One row per (event, participant): a unique index in the migrations."""

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, index=True)
    participant = ForeignKey(references=Participant, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=20, default="participant")  # participant, facilitator, trainer, guest
    status = Varchar(length=20, default="registered", index=True)  # invited, registered, waitlisted, cancelled
    ticket_token = Varchar(length=32, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class CheckIn(Table, tablename="check_in"):
    """A registration present at a session. Unique per (registration, session), enforced by a
    unique index in the migrations: a repeat scan is an answer, never a second row."""

    registration = ForeignKey(references=Registration, on_delete=OnDelete.restrict, index=True)
    session = ForeignKey(references=Session, on_delete=OnDelete.restrict, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    method = Varchar(length=20)  # ticket_scan, self_scan, manual, import, paper (a sign-in sheet's ticks, imported)
    by_user = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    # The id a scanner phone gave this scan while offline, so a resend is recognised.
    client_id = Varchar(length=64, null=True, default=None)
    # Entered by hand after check-in closed (issue 18): why (a code of checkin/corrections.py LATE_REASONS) and
    # in the person's words; `at` is then the time it really happened, the audit entry's the time it was entered.
    reason = Varchar(length=20, default="")
    reason_note = Varchar(length=300, default="")


class UndoneCheckIn(Table, tablename="check_in_undone"):
    """A check-in that staff undid, kept so that a late resend of the same offline scan (its client id)
    stays undone instead of checking the person in again."""

    registration = ForeignKey(references=Registration, on_delete=OnDelete.restrict, index=True)
    session = ForeignKey(references=Session, on_delete=OnDelete.restrict)
    client_id = Varchar(length=64, null=True, default=None)
    method = Varchar(length=20)
    at = Timestamptz()  # when the undone check-in was made
    undone_at = Timestamptz()
    undone_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    undone_by_name = Varchar(length=200, default="")
    # Why it was undone (a code of checkin/corrections.py UNDO_REASONS), in words, and when it really happened
    # (when the person left, say), if staff said (issue 18).
    reason = Varchar(length=20, default="")
    reason_note = Varchar(length=300, default="")
    happened_at = Timestamptz(null=True, default=None)


class SessionFacilitator(Table, tablename="session_facilitator"):
    """A person who leads a session: a trainer, a resource person or a guest speaker (issue 17). One row per
    (session, person), by a unique index in the migrations. Goes with its session when that is deleted."""

    session = ForeignKey(references=Session, on_delete=OnDelete.cascade, index=True)
    participant = ForeignKey(references=Participant, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=20, default="trainer")  # trainer, resource_person, guest_speaker
    topic = Varchar(length=200, default="")
    assigned_at = Timestamptz(default=TimestamptzNow())
    assigned_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)


class SelfCheckInFailure(Table, tablename="self_checkin_failure"):
    """An attempt at self check-in counted to limit guessing (portal/events/selfcheck/services.py, rule 3): a
    phone number that found nothing, a walk-in, or a wrong typed code (`kind`)."""

    session = ForeignKey(references=Session, on_delete=OnDelete.cascade, index=True)
    ip = Varchar(length=64, default="", index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    kind = Varchar(length=20, default="phone")


class PublicSignup(Table, tablename="public_signup"):
    """An event open for registration on its public page (/r/{event id}); a row per event, kept when the page
    is closed again (`open` false) so who opened it stays known."""

    event = ForeignKey(references=Event, on_delete=OnDelete.cascade, unique=True)
    open = Boolean(default=True)
    changed_at = Timestamptz(default=TimestamptzNow())
    changed_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)


class SignupAttempt(Table, tablename="public_signup_attempt"):
    """A submission of a public registration form, counted per address to limit floods."""

    event = ForeignKey(references=Event, on_delete=OnDelete.cascade, index=True)
    ip = Varchar(length=64, default="", index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
