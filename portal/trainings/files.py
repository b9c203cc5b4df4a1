"""Material files on disk: what a file really is (by its bytes), and atomic content-addressed storage.

No third-party sniffer: `filetype` and `puremagic` both guess Office files from the first bytes
(or not at all), while a .docx is only a .docx if its ZIP holds word/document.xml. Reading the
ZIP's member list with the standard library is exact and short, so the checks live here.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import anyio

from portal.core.files import private_dir
from portal.core.i18n import gettext as _
from portal.core.storage import LocalStorage, Storage
from portal.core.validation import clean_text

CHUNK = 64 * 1024
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Office formats (doc, xls, ppt)

# Extension -> content type, for the types we accept. The extension must agree with the bytes.
TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "zip": "application/zip",
}
OFFICE_ZIP = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}


class FileRefused(ValueError):
    """The upload is not a file we accept; `code` is stable, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _head_kind(head: bytes) -> str | None:
    """The family the first bytes announce (zip and ole are refined by the caller)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(OLE):
        return "ole"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    return None


# Which detected family each extension may carry.
FAMILY = {"jpg": "jpeg", "jpeg": "jpeg", "m4a": "mp4", "doc": "ole", "xls": "ole", "ppt": "ole",
          "docx": "zip", "xlsx": "zip", "pptx": "zip"}


def extension(name: str) -> str:
    """The lower-case extension of a display name ('' when there is none)."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def check_type(path: Path, name: str) -> str:
    """The content type for the file at `path` named `name`; FileRefused when the bytes disagree."""
    ext = extension(name)
    if ext not in TYPES:
        allowed = ", ".join(sorted(TYPES))
        raise FileRefused("type_not_allowed", f"Files ending .{ext or '(none)'} are not accepted. Allowed: {allowed}.")
    with path.open("rb") as handle:
        head = handle.read(64)
    kind = _head_kind(head)
    if kind != FAMILY.get(ext, ext):
        raise FileRefused("type_mismatch", f"This file is not really a .{ext} file (its content says otherwise).")
    if ext in OFFICE_ZIP or ext == "zip":
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            raise FileRefused("type_mismatch", f"This .{ext} file is damaged (not a readable ZIP).") from None
        if ext in OFFICE_ZIP and (OFFICE_ZIP[ext] not in names or "[Content_Types].xml" not in names):
            raise FileRefused("type_mismatch", f"This file is not really a .{ext} document.")
    return TYPES[ext]


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def display_name(raw: str) -> str:
    """A file name fit to show and to put in Content-Disposition: no directories, no control or bidi
    characters; Bangla and other letters kept (NFC-normalised)."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = clean_text(_UNSAFE.sub("_", name)).strip(" ._")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name


@dataclass(frozen=True)
class Stored:
    """A file written into the store."""

    sha256: str
    size: int
    key: str


class Store:
    """Content-addressed material files: received into a temporary file on this machine (hashed and
    checked there), then put into the shared storage (portal/core/storage.py) under
    `materials/ab/<sha256>`; the same bytes uploaded twice are stored once."""

    def __init__(self, storage: Storage, scratch: Path) -> None:
        self.storage = storage
        self.scratch = scratch

    @classmethod
    def for_settings(cls, settings: Any, storage: Storage | None = None) -> Store:
        """The store of these settings (the data folder unless `storage` is given)."""
        return cls(storage or LocalStorage(settings.data_dir), settings.materials_dir / "tmp")

    @staticmethod
    def key_for(sha256: str) -> str:
        """Where the bytes with this hash live (the hash is checked: no key can come from outside)."""
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a sha256 hex digest")
        return f"materials/{sha256[:2]}/{sha256}"

    def receive(self, source: BinaryIO, max_bytes: int) -> tuple[Path, str, int]:
        """Copy `source` to a temporary file, hashing it; FileRefused past `max_bytes` or when empty.
        Returns (temp path, sha256, size); the caller commits or discards it. (Blocking: call it in a
        worker thread.)"""
        tmp_dir = private_dir(self.scratch)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileRefused("too_large", f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if size == 0:
                raise FileRefused("empty", _("The file is empty."))
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return Path(name), digest.hexdigest(), size

    async def commit(self, tmp: Path, sha256: str, size: int) -> Stored:
        """Put a received file into the storage under its hash, unless the same bytes are there already."""
        key = self.key_for(sha256)
        if await self.storage.size(key) == size:
            await anyio.Path(tmp).unlink(missing_ok=True)
        else:
            await self.storage.put_file(key, tmp)
        return Stored(sha256=sha256, size=size, key=key)
