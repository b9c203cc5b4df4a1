"""Serving stored files over HTTP: strong ETag (the SHA-256), 304, single-range requests (206/416)
with If-Range, streamed from the storage (the data folder or the object store, which is asked for
the range only); and offline packs streamed as one ZIP."""

from __future__ import annotations

import re
import zipfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

from litestar import Request, Response
from litestar.response import Stream

from portal.core.storage import Storage
from portal.exports import content_disposition
from portal.trainings.files import Store

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def store(request: Request) -> Store:
    """The material store in this app's storage."""
    # Kept on the request: it needs app.state.storage too (no dependency provides it yet).
    return Store.for_settings(request.app.state.settings, request.app.state.storage)


@dataclass(frozen=True)
class Plan:
    """What to send: status, first and last byte (inclusive)."""

    status: int
    start: int = 0
    end: int = -1


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in candidates or etag in candidates


def plan(headers: dict | object, size: int, etag: str) -> Plan:
    """Decide the response for a GET of a `size`-byte file with this strong `etag`."""
    get = headers.get  # type: ignore[attr-defined]
    if_none_match = get("if-none-match")
    if if_none_match and _etag_matches(if_none_match, etag):
        return Plan(304)
    full = Plan(200, 0, size - 1)
    raw = (get("range") or "").strip()
    if not raw:
        return full
    if_range = (get("if-range") or "").strip()
    if if_range and if_range != etag:  # a changed file (or a date validator): send it whole
        return full
    match = _RANGE.match(raw.replace(" ", ""))
    if not match or match.groups() == ("", ""):
        return full  # several ranges or a syntax we do not serve: the whole file is a valid answer
    first, last = match.groups()
    if first == "":  # the last n bytes
        length = int(last)
        if length == 0:
            return Plan(416)
        return Plan(206, max(0, size - length), size - 1)
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return Plan(416)
    return Plan(206, start, end)


def file_response(
    request: Request, storage: Storage, key: str, *, size: int, sha256: str, content_type: str, file_name: str,
    inline: bool = False,
) -> tuple[Response, Plan]:
    """The response for a stored file (and the plan, so the caller can log what was sent)."""
    etag = f'"{sha256}"'
    decided = plan(request.headers, size, etag)
    common = {"ETag": etag, "Accept-Ranges": "bytes", "Cache-Control": "private, no-cache"}
    if decided.status == 304:
        return Response(b"", status_code=304, headers=common), decided
    if decided.status == 416:
        return Response(b"", status_code=416, headers={**common, "Content-Range": f"bytes */{size}"}), decided
    headers = {
        **common,
        "Content-Disposition": content_disposition(file_name, "inline" if inline else "attachment"),
        "Content-Length": str(decided.end - decided.start + 1),
    }
    if decided.status == 206:
        headers["Content-Range"] = f"bytes {decided.start}-{decided.end}/{size}"
    response = Stream(storage.read(key, decided.start, decided.end), status_code=decided.status,
                      media_type=content_type, headers=headers)
    return response, decided


class _Sink:
    """A write-only file object for zipfile; what it receives is drained chunk by chunk."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the generator drains `parts`."""

    def drain(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


async def zip_stream(storage: Storage, entries: Iterable[tuple[str, str, int]]) -> AsyncIterator[bytes]:
    """A ZIP of (name in archive, storage key, size) entries, produced while it is sent (stored, not
    compressed: PDFs, Office files and media are compressed already, and a phone unpacks it faster)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:  # type: ignore[arg-type]
        for name, key, size in entries:
            with archive.open(name, mode="w", force_zip64=size > 2**31) as member:
                async for chunk in storage.read(key):
                    member.write(chunk)
                    data = sink.drain()
                    if data:
                        yield data
            data = sink.drain()
            if data:
                yield data
    data = sink.drain()
    if data:
        yield data
