"""tests/probe_live.py against a real server (`python -m portal serve`) loaded with the demo data (issue 13):
every hole it tries must be closed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from tests.test_shutdown import free_port, wait_until_serving

pytestmark = pytest.mark.anyio
REPO = Path(__file__).parents[1]
ITEMS = {"1a", "1b", "2", "3", "4a", "4b", "4c", "5", "6", "7", "8", "9"}


@pytest.fixture
async def demo_server(settings, db):
    """The demo data loaded by `portal demo`, served by `portal serve` on a free port, on this test's database."""
    port = free_port()
    env = {**os.environ, "PORTAL_DATA_DIR": str(settings.data_dir), "PORTAL_PORT": str(port),
           "PORTAL_HOST": "127.0.0.1", "PORTAL_SECRET_KEY": settings.secret_key, "PORTAL_WORKERS": "1",
           "PORTAL_BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("DATABASE_URL", None)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    # The test made the data folder and copied the database; `portal migrate` would have made them private.
    settings.data_dir.chmod(0o700)
    for path in settings.data_dir.iterdir():
        path.chmod(0o600)
    demo = await anyio.run_process([sys.executable, "-m", "portal", "demo"], env=env, cwd=REPO, check=False)
    assert demo.returncode == 0, demo.stderr.decode()
    process = await anyio.to_thread.run_sync(lambda: subprocess.Popen(
        [sys.executable, "-m", "portal", "serve"], env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    try:
        await anyio.to_thread.run_sync(wait_until_serving, process, port)
        yield process, port
    finally:
        process.kill()
        process.wait(timeout=10)
        process.stdout.close()


async def test_the_probe_finds_every_hole_closed(demo_server, settings):
    process, port = demo_server
    done = await anyio.run_process(
        [sys.executable, "tests/probe_live.py", "--base", f"http://127.0.0.1:{port}", "--data-dir",
         str(settings.data_dir), "--pid", str(process.pid), "--guesses", "30", "--json"], cwd=REPO, check=False)
    assert done.stdout, done.stderr.decode()[-3000:]
    result = json.loads(done.stdout)
    figures = result["figures"]
    assert {item.split()[0] for item in figures} == ITEMS
    assert result["open"] == [], json.dumps(figures, indent=1, ensure_ascii=False)
    assert done.returncode == 0
