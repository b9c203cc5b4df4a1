"""Files that one request writes and another reads (materials, finished exports, import uploads)
go through one interface, so that features never know where the bytes live.

Two backends, chosen by `PORTAL_STORAGE_URL` (README, "Configuration"):
- `LocalStorage` (the default): the data folder, laid out as before (`materials/ab/<sha256>`,
  `exports/job-7.xlsx`, `imports/...`), files 0600 in folders 0700, written by atomic rename.
  One machine only: another machine cannot see these files.
- `S3Storage` (`s3://bucket/prefix`, portal/core/storage_s3.py): any S3-compatible object store,
  which every app server and worker shares.

Keys are relative paths with `/` separators; only plain characters are accepted, so no key can
leave the data folder. Reads stream in chunks and writes come from a file on local disk, so a
large file is never held in memory.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread

from portal.core.files import FILE_MODE, private_dir

# Chunk size for reading a stored file: large enough that a thread hand-over per chunk costs
# little, small enough that a slow phone on a range request holds little memory.
CHUNK = 256 * 1024
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")


class StorageError(RuntimeError):
    """The store could not be reached or refused the operation; the message says which."""


@dataclass(frozen=True)
class StoredObject:
    """One file in the store, as a listing gives it."""

    key: str
    size: int
    modified: dt.datetime


def check_key(key: str) -> str:
    """The key itself; ValueError for one that could address anything outside the store."""
    if not _KEY.fullmatch(key) or ".." in key.split("/"):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Storage(ABC):
    """Where shared files live. Every method is async; reads stream."""

    #: "local" or "s3": shown by `portal backup`, which copies only the local kind.
    kind: str = ""
    #: True when every machine sees the same files (object storage); False for one data folder.
    shared: bool = False

    @abstractmethod
    async def put_file(self, key: str, source: Path) -> None:
        """Store the local file `source` under `key`, replacing what was there; `source` is consumed
        (moved or uploaded, then deleted)."""

    @abstractmethod
    async def put_bytes(self, key: str, data: bytes, modified: dt.datetime | None = None) -> None:
        """Store small `data` under `key`. `modified` (the portal's clock) dates a local file; an object
        store dates its objects itself."""

    @abstractmethod
    async def size(self, key: str) -> int | None:
        """The stored size in bytes, or None when there is no such file."""

    async def exists(self, key: str) -> bool:
        """True when a file is stored under `key`."""
        return await self.size(key) is not None

    @abstractmethod
    def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Bytes start..end (inclusive; None: to the end) in chunks; FileNotFoundError when absent."""

    async def read_bytes(self, key: str) -> bytes:
        """A whole small file; FileNotFoundError when absent."""
        return b"".join([chunk async for chunk in self.read(key)])

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Delete the file if it exists."""

    @abstractmethod
    def list(self, prefix: str) -> AsyncIterator[StoredObject]:
        """Every file whose key starts with `prefix/`."""

    async def close(self) -> None:  # noqa: B027 - most backends hold no connection
        """Release connections (at shutdown)."""

    def describe(self) -> str:
        """Where the files are, for people (no credentials)."""
        return self.kind


class LocalStorage(Storage):
    """Files under one folder of this machine (PORTAL_DATA_DIR)."""

    kind = "local"
    shared = False

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """The file behind a key."""
        return self.root / check_key(key)

    def describe(self) -> str:
        """The folder."""
        return f"the data folder {self.root}"

    def _folders(self, target: Path) -> None:
        """Create the folders from the root down to the target's, each 0700."""
        folder = self.root
        for part in target.parent.relative_to(self.root).parts:
            folder = private_dir(folder / part)

    def _place(self, source: Path, target: Path) -> None:
        self._folders(target)
        try:
            os.replace(source, target)  # the same bytes may already be there (materials): harmless
        except OSError:  # another file system: copy, then remove the source
            shutil.copyfile(source, target)
            os.chmod(target, FILE_MODE)
            source.unlink(missing_ok=True)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    async def put_file(self, key: str, source: Path) -> None:
        """Move the file into place (atomic rename, folder fsynced)."""
        target = self.path(key)
        if source != target:
            await anyio.to_thread.run_sync(self._place, source, target)

    async def put_bytes(self, key: str, data: bytes, modified: dt.datetime | None = None) -> None:
        """Write a temporary file beside the target, then rename it into place."""
        target = self.path(key)

        def write() -> None:
            self._folders(target)
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            if modified is not None:
                stamp = modified.timestamp()
                os.utime(name, (stamp, stamp))
            os.replace(name, target)

        await anyio.to_thread.run_sync(write)

    async def size(self, key: str) -> int | None:
        """The file's size, or None."""
        try:
            return (await anyio.Path(self.path(key)).stat()).st_size
        except (FileNotFoundError, NotADirectoryError):
            return None

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Read in a worker thread, chunk by chunk: the event loop never waits on the disk."""
        path = self.path(key)
        handle = await anyio.to_thread.run_sync(path.open, "rb")
        try:
            await anyio.to_thread.run_sync(handle.seek, start)
            remaining = None if end is None else end - start + 1
            while remaining is None or remaining > 0:
                size = CHUNK if remaining is None else min(CHUNK, remaining)
                chunk = await anyio.to_thread.run_sync(handle.read, size)
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        """Remove the file (nothing if it is gone)."""
        await anyio.Path(self.path(key)).unlink(missing_ok=True)

    async def list(self, prefix: str) -> AsyncIterator[StoredObject]:
        """Files under the folder `prefix` (temporary files of writers left out)."""
        folder = self.path(prefix)

        def walk() -> list[StoredObject]:
            found = []
            if not folder.is_dir():
                return found
            for path in folder.rglob("*"):
                try:
                    stat = path.stat()
                except OSError:
                    continue  # gone meanwhile
                if path.is_file() and not path.name.startswith(".tmp-"):
                    found.append(StoredObject(path.relative_to(self.root).as_posix(), stat.st_size,
                                              dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)))
            return found

        for item in await anyio.to_thread.run_sync(walk):
            yield item


def make_storage(settings: object) -> Storage:
    """The storage the settings name: the data folder, or the object store of PORTAL_STORAGE_URL."""
    url = getattr(settings, "storage_url", "")
    if not url:
        return LocalStorage(settings.data_dir)  # type: ignore[attr-defined]
    from portal.core.storage_s3 import S3Storage

    return S3Storage.from_settings(settings)
