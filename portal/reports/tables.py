"""Tables of the reports feature: API keys for other systems, and export jobs."""

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.auth.tables import User


class ApiKey(Table, tablename="api_key"):
    """A bearer key for the read-only JSON API. Only its SHA-256 is stored; the key is shown once."""

    name = Varchar(length=100)
    prefix = Varchar(length=12)  # the first characters, so an admin can tell keys apart
    key_hash = Varchar(length=64, unique=True)
    personal_data = Boolean(default=False)  # may read names, phones and emails
    created_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class ExportJob(Table, tablename="export_job"):
    """A big export written in the background: its filter, progress and the file once done.

    `worker` (host:pid:boot) and `heartbeat_at` tell a job whose process is alive from one a
    restart or a crash left behind; the file is deleted after the retention and the job expires."""

    user = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    shape = Varchar(length=10)  # long, wide
    fmt = Varchar(length=10)  # xlsx, csv
    query = Text()  # the filter as a query string, so the job can be re-read and repeated
    status = Varchar(length=10, default="queued")  # queued, running, done, failed, expired
    rows_done = Integer(default=0)
    rows_total = Integer(default=0)
    filename = Varchar(length=200, default="")
    path = Varchar(length=500, default="")
    error = Varchar(length=500, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    worker = Varchar(length=100, default="")
    heartbeat_at = Timestamptz(null=True, default=None)
