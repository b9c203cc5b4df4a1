"""What the import remembers between files: the values people chose for words it did not know."""

from piccolo.columns import Integer, Timestamptz, Varchar
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
