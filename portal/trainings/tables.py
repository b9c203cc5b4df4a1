"""Tables of the trainings feature: courses and their ordered modules."""

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Course(Table, tablename="course"):
    """A course the programme teaches, e.g. "Integrated Approach to Sustainable Reintegration"."""

    title = Varchar(length=200)
    summary = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Module(Table, tablename="course_module"):
    """One part of a course, shown in `position` order."""

    course = ForeignKey(references=Course, on_delete=OnDelete.restrict, index=True)
    position = Integer(default=0)
    title = Varchar(length=200)
    description = Text(default="")
