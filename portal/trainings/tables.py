"""Tables of the trainings feature: courses, their ordered modules, materials, versions and downloads."""

from piccolo.columns import BigInt, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.auth.tables import User


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


class Material(Table, tablename="material"):
    """A file people of a course need (manual, slides, handout); its content lives in versions."""

    course = ForeignKey(references=Course, on_delete=OnDelete.restrict, index=True)
    # Set when the material belongs to one module of the course; null for course-wide files.
    module = ForeignKey(references=Module, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=200)
    description = Text(default="")
    audience = Varchar(length=20, default="trainers", index=True)  # trainers, participants, public
    language = Varchar(length=5, default="en")  # en, bn
    created_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class MaterialVersion(Table, tablename="material_version"):
    """One uploaded file of a material. Never deleted: earlier versions stay openable.
    The bytes live at PORTAL_DATA_DIR/materials/<sha256[:2]>/<sha256>, never under the user's name."""

    material = ForeignKey(references=Material, on_delete=OnDelete.restrict, index=True)
    number = Integer()  # 1, 2, ... per material; unique per (material, number) by an index
    file_name = Varchar(length=255)  # the display name as uploaded (Bangla kept), never a path
    content_type = Varchar(length=120)
    size = BigInt()
    sha256 = Varchar(length=64, index=True)
    uploaded_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    uploaded_at = Timestamptz(default=TimestamptzNow(), index=True)


class Download(Table, tablename="material_download"):
    """One served download: who (a staff user or a ticket token), which version, when."""

    version = ForeignKey(references=MaterialVersion, on_delete=OnDelete.restrict, index=True)
    material = ForeignKey(references=Material, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    ticket_token = Varchar(length=32, default="")
    via = Varchar(length=10, default="direct")  # direct, pack, ticket, public
    # First byte served: a resumed download (Range from byte n > 0) is logged but not counted again.
    range_start = BigInt(default=0)
    at = Timestamptz(default=TimestamptzNow(), index=True)
