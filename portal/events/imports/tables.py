"""What the import remembers between files: the values people chose for words it did not know."""

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class ImportValueMapping(Table, tablename="import_value_mapping"):
    """"Govt. officer" in a gender, stakeholder or district column means this code: chosen once in an
    import's preview, used for every later file. `key` is "field:normalised value" (values.norm)."""

    key = Varchar(length=300, unique=True)
    field = Varchar(length=40, index=True)
    value = Varchar(length=250)  # the text as first seen, for people
    code = Varchar(length=40)
    chosen_by = Integer(null=True, default=None)  # a staff user id; no foreign key, like the audit log
    updated_at = Timestamptz(default=TimestamptzNow())


class ImportJob(Table, tablename="import_job"):
    """A large import committed in the background (portal/events/imports/jobs.py): what to import (the
    upload's key and the choices of the preview, as JSON), progress, and the outcome. `event` is null for an
    import into the directory alone. The row is the truth every machine reads: the progress bar polls it,
    and "done" is written in the import's own transaction, so a job run twice never imports twice."""

    event = Integer(null=True, default=None, index=True)  # no foreign key: an event id, or null (directory)
    created_by = Integer(null=True, default=None)  # a staff user id, like the audit log
    upload_id = Varchar(length=40)
    filename = Varchar(length=200, default="")
    options = Text(default="{}")  # sheet, header row, column mapping, value choices, session columns
    status = Varchar(length=10, default="queued")  # queued, running, done, failed
    runner = Varchar(length=32, default="")  # the run that claimed it last: only that run may finish it
    phase = Varchar(length=10, default="")  # checking, saving
    rows_total = Integer(default=0)
    rows_done = Integer(default=0)
    counts = Text(default="{}")
    error = Varchar(length=500, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    heartbeat_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
