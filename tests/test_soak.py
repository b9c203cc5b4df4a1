"""The short soak: `scripts/soak.py --quick` on this run's backend (real server, SIGKILLs, duplicate scans).

SQLite runs in this test's temporary directory. PostgreSQL cannot share the suite's database (the
soak drops its `public` schema), so it runs in a database of its own: PORTAL_SOAK_DATABASE_URL when
set, else the test database's name plus `_soak` (created when missing; "test" -> "test_soak").
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
BACKEND = os.environ.get("PORTAL_TEST_DB", "sqlite")
TEST_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def soak_database_url(test_url: str) -> str:
    """The test database's URL with `_soak` added to the database name."""
    parts = urlsplit(test_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_soak"))


def test_soak_database_url_keeps_everything_but_the_name() -> None:
    assert soak_database_url("postgresql://postgres:pw@127.0.0.1:5432/test") == \
        "postgresql://postgres:pw@127.0.0.1:5432/test_soak"
    assert soak_database_url("postgresql://u@h/db?sslmode=disable") == "postgresql://u@h/db_soak?sslmode=disable"


async def _ensure_database(soak_url: str) -> None:
    """Connect to the soak database; create it (from a connection to the test database) if missing."""
    import asyncpg

    try:
        connection = await asyncpg.connect(soak_url, timeout=3)
    except asyncpg.InvalidCatalogNameError:
        name = urlsplit(soak_url).path.lstrip("/")
        if not re.fullmatch(r"\w+", name):
            raise ValueError(f"will not create a database named {name!r}") from None
        connection = await asyncpg.connect(TEST_URL, timeout=3)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        except asyncpg.DuplicateDatabaseError:
            pass  # created meanwhile by another run
        finally:
            await connection.close()
        connection = await asyncpg.connect(soak_url, timeout=3)
    await connection.close()


def _postgres_soak_url() -> str:
    url = os.environ.get("PORTAL_SOAK_DATABASE_URL", "").strip() or soak_database_url(TEST_URL)
    try:
        asyncio.run(_ensure_database(url))
    except Exception as exc:  # noqa: BLE001 - any failure means "no database to soak"
        reason = f"no PostgreSQL database for the soak at {url}: {type(exc).__name__}: {exc}"
        if os.environ.get("PORTAL_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.mark.parametrize("servers", [1, 2], ids=["one-server", "two-servers"])
def test_quick_soak_loses_and_duplicates_no_check_in(tmp_path: Path, servers: int) -> None:
    """Every acknowledged scan is stored once, across SIGKILLs of the server (figures in the output); in
    two-server mode, of either of two servers on one database."""
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    command = [sys.executable, str(ROOT / "scripts" / "soak.py"), "--quick", "--backend", BACKEND,
               "--servers", str(servers)]
    if BACKEND == "postgres":
        env["PORTAL_SOAK_DATABASE_URL"] = _postgres_soak_url()
        command.append("--require-postgres")
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=110)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "result: PASS" in result.stdout
    assert f"{servers} server(s)" in result.stdout
