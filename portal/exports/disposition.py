"""Downloads: what each kind of file is sent as (the one content-type table), and its name, made safe
and sent in a Content-Disposition header (RFC 6266 and 5987)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# Path separators, characters Windows forbids in names, and control characters.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
# What the ASCII fallback keeps. RFC 6266 (appendix D) advises leaving "%" and "\" out of it,
# because some browsers decode them.
_NOT_FALLBACK = re.compile(r"[^A-Za-z0-9._()\- ]+")
# RFC 5987 attr-char, beyond letters and digits: everything else in filename* is percent-encoded.
_ATTR_CHARS = "!#$&+-.^_`|~"
MAX_NAME = 150

# The media type of every kind of file the portal sends, by extension. Litestar adds "; charset=utf-8"
# to text/* types: writing it here repeated it.
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "ics": "text/calendar",
}


def safe_filename(name: str, extension: str, default: str = "export") -> str:
    """Make a download name from user-facing text: no path parts, no control characters, right extension."""
    name = unicodedata.normalize("NFC", name)
    name = " ".join(_UNSAFE.sub("_", name).split()).strip(" .")
    if name.lower().endswith(extension.lower()):
        name = name[: -len(extension)].rstrip(" .")
    return (name[:MAX_NAME] or default) + extension


def ascii_fallback(filename: str, default: str = "download") -> str:
    """The file name reduced to plain ASCII, for browsers that ignore filename*."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[_\s]{2,}", "_", _NOT_FALLBACK.sub("_", plain)).strip(" ._-")
    ext = _NOT_FALLBACK.sub("", ext)
    # An all-Bangla name leaves nothing readable: fall back to a neutral word, not "_-_".
    if not re.search(r"[A-Za-z0-9]", plain):
        plain = default
    return f"{plain}.{ext}" if ext else plain


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """Content-Disposition value with an ASCII filename= and, when needed, a UTF-8 filename*=."""
    fallback = ascii_fallback(filename)
    value = f'{disposition}; filename="{fallback}"'
    if fallback != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe=_ATTR_CHARS)}"
    return value
