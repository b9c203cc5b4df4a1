"""Real servers for the message tests: an SMTP server process (aiosmtpd) and an HTTP SMS gateway."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import free_port

HERE = Path(__file__).resolve().parent
REFUSED_SUFFIX = "99999999"


@pytest.fixture(autouse=True)
def _links_base() -> Iterator[None]:
    """Tests that set the base of message links put it back."""
    from portal.messages import outbox

    before = outbox._base_url[0]
    yield
    outbox.configure(before)


@dataclass
class SmtpServer:
    """A running SMTP server process and the folder its messages arrive in."""

    port: int
    folder: Path
    process: subprocess.Popen
    log: Any = None

    def stop(self) -> None:
        """End the server process."""
        self.process.terminate()
        self.process.wait(timeout=10)
        if self.log is not None:
            self.log.close()

    def received(self) -> list[tuple[email.message.EmailMessage, dict]]:
        """Every message that arrived, oldest first, with its envelope."""
        result = []
        for path in sorted(self.folder.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            result.append((message, json.loads(path.with_suffix(".json").read_text())))
        return result


def start_smtp(folder: Path, *args: str) -> SmtpServer:
    port = free_port()
    log = (folder.parent / f"{folder.name}.log").open("w")
    process = subprocess.Popen([sys.executable, str(HERE / "smtp_server.py"), str(folder), str(port), *args],
                               stdout=log, stderr=subprocess.STDOUT)
    server = SmtpServer(port, folder, process, log)
    deadline = time.monotonic() + 20
    while not (folder / "ready").exists():
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError("the SMTP server did not start: " + (folder.parent / f"{folder.name}.log").read_text())
        time.sleep(0.05)
    return server


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    """A plain SMTP server process (no TLS, no login)."""
    server = start_smtp(tmp_path / "mail")
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Gateway:
    """A local HTTP SMS gateway: records every request; answers `fail_first` of them with 503, numbers ending in
    REFUSED_SUFFIX with 400 (no test factory makes such a number), and the others with "1701|<id>" (the way
    many Bangladeshi gateways answer)."""

    url: str = ""
    requests: list[dict] = field(default_factory=list)
    fail_first: int = 0
    answer: str = "1701|{id}"
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            split = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(split.query or body, keep_blank_values=True).items()}
            with state.lock:
                state.requests.append({"method": self.command, "path": split.path, "params": params,
                                       "headers": dict(self.headers)})
                n = len(state.requests)
                failing = n <= state.fail_first
            to = next((v for k, v in params.items() if k in ("to", "msisdn", "number")), "")
            if failing:
                status, text = 503, "Service busy"
            elif to.endswith(REFUSED_SUFFIX):
                status, text = 400, "1003|Invalid mobile number"
            else:
                status, text = 200, state.answer.format(id=f"G{n:05d}")
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _handle  # noqa: N815 - http.server's names
        do_POST = _handle  # noqa: N815

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/api/sms/send"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
