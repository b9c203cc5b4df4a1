"""`portal serve` stopped with SIGTERM (what systemd, Docker and `kill` send) finishes the requests it is
serving before it exits, and takes no new ones meanwhile.

The real server runs in a child process on this test's database and data directory. A large public
file is downloaded by a client that has read only its first bytes when the server is told to stop, so
the server is still sending it (the rest is more than any socket buffer holds).
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest

from portal.trainings.tables import MaterialVersion
from tests.helpers import free_port
from tests.trainings.uploads import upload

pytestmark = pytest.mark.anyio
FILE_SIZE = 24 * 1024 * 1024  # well past the loopback socket buffers (a few MiB at most)




def wait_until_serving(server: subprocess.Popen, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read() if server.stdout else "the server exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                if connection.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail("the server did not start")


def read_head(connection: socket.socket) -> tuple[dict[str, str], bytes]:
    """The response's headers, and the body bytes that came with them."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    assert status.startswith("HTTP/1.1 200"), status
    return {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}, rest


@pytest.fixture
async def public_file(settings, create_user) -> dict:
    """A large public file in the test's data directory."""
    content = b"%PDF-1.4\n" + os.urandom(FILE_SIZE - 15) + b"%%EOF\n"
    from portal.trainings import services

    coordinator = await create_user("coordinator")
    course_id = await services.create_course({"title": "Course"}, coordinator.actor())
    material_id = await upload(settings, course_id, coordinator, content=content, audience="public",
                               file_name="handbook.pdf")
    version = await MaterialVersion.select().where(MaterialVersion.material == material_id).first()
    return {"url": f"/materials/versions/{version['id']}", "sha256": hashlib.sha256(content).hexdigest()}


@pytest.fixture
def server(settings, public_file):
    """`python -m portal serve` on a free port, on this test's database and data directory."""
    port = free_port()
    env = {**os.environ, "PORTAL_DATA_DIR": str(settings.data_dir), "PORTAL_PORT": str(port),
           "PORTAL_HOST": "127.0.0.1", "PORTAL_SECRET_KEY": settings.secret_key, "PORTAL_WORKERS": "1",
           "PORTAL_BASE_URL": f"http://127.0.0.1:{port}"}
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    process = subprocess.Popen([sys.executable, "-m", "portal", "serve"], env=env, cwd=Path(__file__).parents[1],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(process, port)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        process.stdout.close()


async def test_sigterm_lets_a_download_in_flight_finish(server, public_file):
    process, port = server
    connection = socket.create_connection(("127.0.0.1", port), timeout=30)
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    connection.sendall(f"GET {public_file['url']} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    headers, body = read_head(connection)
    length = int(headers["content-length"])
    assert length == FILE_SIZE and len(body) < length

    process.send_signal(signal.SIGTERM)
    await anyio.sleep(0.5)  # the server has begun to shut down: it takes no new connection...
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert process.poll() is None  # ...and waits for the download
    digest = hashlib.sha256(body)
    received = len(body)
    while received < length:  # ...but sends the rest of the file in flight
        chunk = connection.recv(1024 * 1024)
        if not chunk:
            break
        digest.update(chunk)
        received += len(chunk)
    connection.close()
    assert received == length, f"the download was cut at {received} of {length} bytes"
    assert digest.hexdigest() == public_file["sha256"]
    # Then it exits. uvicorn re-raises the signal it caught once it is done, so the status says SIGTERM.
    assert process.wait(timeout=20) in (0, -signal.SIGTERM)
    log = process.stdout.read().decode(errors="replace")
    assert "Finished server process" in log and "Traceback" not in log, log[-2000:]
