"""The one way the browser tests start the portal: `python -m tests.e2e.serve_at` (the portal's clock at the
suite's "now") on a free port, on a copy of the migrated SQLite database, stopped when the block ends."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.org", "admin password 2026"




@contextlib.contextmanager
def running_portal(migrated_database: Path, data_dir: Path,
                   prepare: Callable[[Path, dict[str, str]], None] | None = None) -> Iterator[str]:
    """The portal's URL while it runs; `prepare(data_dir, env)` seeds the database before it starts."""
    shutil.copyfile(migrated_database, data_dir / "portal.sqlite3")
    port = free_port()
    env = {**os.environ, "PORTAL_DATA_DIR": str(data_dir), "PORTAL_PORT": str(port),
           "PORTAL_ADMIN_EMAIL": ADMIN_EMAIL, "PORTAL_ADMIN_PASSWORD": ADMIN_PASSWORD,
           "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    env.pop("DATABASE_URL", None)
    if prepare is not None:
        prepare(data_dir, env)
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen([sys.executable, "-m", "tests.e2e.serve_at"], env=env, stdout=log, stderr=log,
                               cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"server did not start: {(data_dir / 'server.log').read_text()}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
