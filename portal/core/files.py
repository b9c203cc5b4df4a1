"""Files the portal writes hold personal data (the database, uploads, imports, exports, backups): they
are created readable by the portal's own user only, files 0600 and folders 0700.

Explicit modes where the portal creates its data files, and a umask of 077 in the `portal` command
and the ASGI factory, so that what libraries create (SQLite's database and journal files, a
pg_dump, temporary files) is private too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

FILE_MODE = 0o600
DIR_MODE = 0o700
UMASK = 0o077


def restrict_umask() -> None:
    """Make everything this process creates from now on private to its user."""
    os.umask(UMASK)


def private_dir(path: Path) -> Path:
    """Create the folder (and missing parents) if needed, and make it 0700; returns it."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != DIR_MODE:  # mkdir's mode is masked by the umask; old folders keep theirs
        os.chmod(path, DIR_MODE)
    return path


def open_private(path: Path | str, mode: str = "wb", **kwargs: Any) -> IO[Any]:
    """Open a file for writing, created (or truncated) with mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # an existing file keeps its mode through O_CREAT
    return os.fdopen(fd, mode, **kwargs)
