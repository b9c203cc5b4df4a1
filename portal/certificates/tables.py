"""Tables of the certificates feature: certificates and the master-trainer pool."""

from piccolo.columns import Boolean, Bytea, Date, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
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


class PoolTrainerLink(Table, tablename="pool_trainer_link"):
    """The trainer account a pool member was invited as (one per member)."""

    member = ForeignKey(references=PoolMember, on_delete=OnDelete.restrict, unique=True)
    user = ForeignKey(references=User, on_delete=OnDelete.restrict)
    invited_at = Timestamptz(default=TimestamptzNow())
    invited_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)


class EligibilityOverride(Table, tablename="eligibility_override"):
    """An organizer's decision that overrides the attendance rule for one registration."""

    registration = ForeignKey(references=Registration, on_delete=OnDelete.restrict, unique=True)
    eligible = Boolean(default=True)
    reason = Varchar(length=500)
    decided_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    decided_at = Timestamptz(default=TimestamptzNow())


class CertificateHistory(Table, tablename="certificate_history"):
    """What happened to a certificate: issued, revoked, reinstated (also in the audit log)."""

    certificate = ForeignKey(references=Certificate, on_delete=OnDelete.restrict, index=True)
    action = Varchar(length=20)
    reason = Varchar(length=500, default="")
    at = Timestamptz(default=TimestamptzNow())
    by_user = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)


class SerialCounter(Table, tablename="certificate_serial_counter"):
    """The last sequence number used for a serial prefix such as TOT-2026."""

    prefix = Varchar(length=20, unique=True)
    last = Integer(default=0)


class IssueJob(Table, tablename="certificate_issue_job"):
    """Issuing all eligible certificates of an event: progress lives here, so a reload or a
    restart loses nothing. `heartbeat_at` tells a live runner from one a restart interrupted."""

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=20, default="queued", index=True)  # queued, running, done, failed
    total = Integer(default=0)
    done = Integer(default=0)
    issued = Integer(default=0)
    error = Varchar(length=500, default="")
    created_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    heartbeat_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class ProgrammeSettings(Table, tablename="certificate_settings"):
    """What every certificate prints besides its own facts (one row)."""

    programme_name = Varchar(length=200, default="Migration Governance Programme")
    logo = Bytea(null=True, default=None)
    # Who issues the certificates of a step-down training: "trainer" (the master trainer who runs it) or
    # "organizer" (a district organizer or coordinator approves them by issuing; the trainer sees who is eligible).
    step_down_issuer = Varchar(length=20, default="organizer")
    updated_at = Timestamptz(default=TimestamptzNow())


class Signatory(Table, tablename="certificate_signatory"):
    """One of up to three people who sign certificates, in `position` order (1-3)."""

    position = Integer(unique=True)
    name = Varchar(length=200)
    title = Varchar(length=200, default="")
    signature = Bytea(null=True, default=None)


class VerifyHit(Table, tablename="certificate_verify_hit"):
    """A look-up on the public verify page, counted per address for rate limiting."""

    ip = Varchar(length=64, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
