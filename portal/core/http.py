"""ASGI middleware for every request: a request id, one structured log line, and cache headers
for static files (fingerprinted URLs are cached for a year; others are revalidated, and answered
304 Not Modified when the browser's copy is current)."""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import logging
import random
import re
import time
from typing import Any

from litestar.exceptions import ClientException
from litestar.file_system import BaseLocalFileSystem
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from portal.core.paths import REPO_ROOT

log = logging.getLogger("portal.requests")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
YEAR = 365 * 24 * 3600
STATIC_ROOT = (REPO_ROOT / "static").resolve()


@functools.lru_cache(maxsize=1024)
def static_fingerprint(file_path: str) -> str:
    """A short content hash of a file under static/ ("" when there is no such file there)."""
    try:
        path = (STATIC_ROOT / file_path).resolve()
        if not path.is_relative_to(STATIC_ROOT) or not path.is_file():
            return ""
    except (OSError, ValueError):  # a name too long for the file system, or one it cannot hold: no such file
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy to grep, easy for a log shipper."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record and any `extra` fields as JSON."""
        data: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
            "logger": record.name, "message": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}))
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class StaticFileSystem(BaseLocalFileSystem):
    """The static folder as the static files router reads it: a name no file can have (too long, a file
    used as a folder) is not found (404), where the plain file system raised an OSError (500)."""

    NOT_A_NAME = (errno.ENAMETOOLONG, errno.ENOTDIR, errno.ELOOP, errno.EINVAL)

    async def info(self, path: Any, **kwargs: Any) -> Any:
        """The file's details, or FileNotFoundError."""
        try:
            return await super().info(path, **kwargs)
        except OSError as exc:
            if exc.errno in self.NOT_A_NAME:
                raise FileNotFoundError(exc.errno, "no such file") from exc
            raise


def request_id(scope: Scope) -> str:
    """The id of the request being served (for log lines written by handlers)."""
    return scope.get("state", {}).get("request_id", "")


# Paths whose last part opens a staff account (a one-time password link): never written to a log.
_SECRET_PATH = re.compile(r"^(/link/)[^/]+")


def loggable_path(path: str) -> str:
    """The path as the request log writes it: a one-time link's token left out."""
    return _SECRET_PATH.sub(r"\1-", path)


class RefuseNulMiddleware:
    """No page takes a NUL, and PostgreSQL refuses it in any text: refused here, once, with a 400."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"")
            if "\x00" in scope["path"] or b"%00" in query or b"\x00" in query:
                raise ClientException("the address contains a character that is not allowed")
        await self.app(scope, receive, send)


class RequestMiddleware:
    """Adds X-Request-ID, logs method/path/status/duration, and sets static cache headers.

    It wraps the application's whole handler (`wrap_app`), outside Litestar's exception handling, so
    that it logs the status actually sent: a refusal raised inside a middleware (CSRF's 403) is answered
    by the exception handler after the route's middleware has returned, and a path no route matches
    never enters a route's middleware at all."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = dict(scope["headers"])
        incoming = request_headers.get(b"x-request-id", b"").decode("latin-1")
        # A request id only has to be unique, not secret: uuid4 reads os.urandom, ~50 us a call here.
        rid = incoming if REQUEST_ID_RE.match(incoming) else f"{random.getrandbits(128):032x}"
        scope.setdefault("state", {})["request_id"] = rid
        path, query = scope["path"], scope.get("query_string", b"")
        started = time.perf_counter()
        status = 500
        etag = b""
        if path.startswith("/static/") and scope["method"] in {"GET", "HEAD"}:
            # Files without a fingerprinted URL (modules a script imports by relative path) are
            # revalidated on each visit: a 304 keeps that to a round trip instead of the file.
            fingerprint = static_fingerprint(path.removeprefix("/static/"))
            etag = f'"{fingerprint}"'.encode() if fingerprint else b""
            if etag and etag in request_headers.get(b"if-none-match", b"").split(b", "):
                await send({"type": "http.response.start", "status": 304, "headers": [
                    (b"etag", etag), (b"cache-control", b"no-cache"), (b"x-request-id", rid.encode())]})
                await send({"type": "http.response.body", "body": b""})
                return

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"
                           or not path.startswith("/static/")]
                headers.append((b"x-request-id", rid.encode()))
                if etag and status == 200:
                    headers = [(k, v) for k, v in headers if k.lower() != b"etag"]
                    headers.append((b"etag", etag))
                if path.startswith("/static/"):
                    fingerprinted = b"v=" in query
                    value = f"public, max-age={YEAR}, immutable" if fingerprinted else "no-cache"
                    headers.append((b"cache-control", value.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if not path.startswith("/static/") and path != "/healthz":
                log.info("request", extra={"fields": {
                    "request_id": rid, "method": scope["method"], "path": loggable_path(path), "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                }})


def wrap_app(app: Any) -> None:
    """Put RequestMiddleware around a Litestar app's whole handler, exception handling included (as
    Litestar's own OpenTelemetry plugin does), so every answer is logged with the status it went out with."""
    app.asgi_handler = RequestMiddleware(app.asgi_handler)
