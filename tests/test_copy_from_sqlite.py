"""`portal copy-from-sqlite`: a SQLite portal with the demo data moved onto PostgreSQL and a real S3 server
(moto's); then the old and the new portal, each a real server, answer the same pages the same and hand
out the same material files.

The PostgreSQL pass runs it (it needs the PostgreSQL database the suite empties for each test).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from portal.demo import DEMO_PASSWORD
from tests.helpers import TEST_NOW, free_port, with_s3

BACKEND = os.environ.get("PORTAL_TEST_DB", "sqlite")
ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.timeout(300),
    pytest.mark.skipif(BACKEND != "postgres", reason="the move's target is PostgreSQL: the PostgreSQL pass runs it"),
]
SKIPPED_LINKS = re.compile(r"logout|\.(pdf|xlsx|csv|zip|svg|png)(\?|$)|/download|/export|/static/|/scan$|/display")


def _portal(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.run_at", *command], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=240)


@contextlib.asynccontextmanager
async def _server(env: dict[str, str], log: Path):
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "tests.run_at", "serve"], cwd=ROOT,  # noqa: S603, ASYNC220
                                   env={**env, "PORTAL_PORT": str(port)}, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        async with httpx.AsyncClient() as probe:
            while True:
                assert process.poll() is None, log.read_text()[-3000:]  # noqa: ASYNC240
                with contextlib.suppress(httpx.HTTPError):
                    if (await probe.get(f"{base}/healthz", timeout=2)).status_code == 200:
                        break
                assert time.monotonic() < deadline, log.read_text()[-3000:]  # noqa: ASYNC240
                await asyncio.sleep(0.2)
        client = httpx.AsyncClient(base_url=base, timeout=60)
        await client.get("/login")
        token = client.cookies["csrftoken"]
        answer = await client.post("/login", data={"identifier": "coordinator@demo.example",
                                                   "password": DEMO_PASSWORD, "_csrf_token": token})
        assert answer.status_code == 303, answer.text
        client.follow_redirects = True
        try:
            yield client
        finally:
            await client.aclose()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _same_page(html: str) -> str:
    """A page without what differs between two servers by design: CSRF tokens, nonces, the port."""
    html = re.sub(r'(name="_csrf_token"[^>]*value=")[^"]*', r"\1", html)
    html = re.sub(r'(value=")[^"]*("[^>]*name="_csrf_token")', r"\1\2", html)
    html = re.sub(r'"x-csrftoken":\s*"[^"]*"', '"x-csrftoken": ""', html)
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    return re.sub(r"http://127\.0\.0\.1:\d+", "http://portal", html)


async def _table_counts(url: str) -> dict[str, int]:
    from portal.db import all_tables

    connection = await asyncpg.connect(url)
    try:
        return {t._meta.tablename: await connection.fetchval(f'SELECT count(*) FROM "{t._meta.tablename}"')  # noqa: S608
                for t in all_tables()}
    finally:
        await connection.close()


async def test_a_sqlite_portal_moves_to_postgresql_and_s3_and_answers_the_same(settings, db, s3_server, tmp_path):
    s3 = await with_s3(settings, s3_server)  # `db` has emptied the suite's PostgreSQL database
    base_env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "DATABASE_URL"))}
    base_env.update({"PORTAL_TEST_NOW": TEST_NOW.isoformat(), "PORTAL_TIMEZONE": settings.timezone,
                     "PICCOLO_CONF": "portal.piccolo_conf", "PORTAL_JOBS": "inline"})
    old = tmp_path / "old"
    old_env = {**base_env, "PORTAL_DATA_DIR": str(old)}  # its own secret key, in old/secret_key
    for command in (["migrate"], ["demo"]):
        done = _portal(command, old_env)
        assert done.returncode == 0, done.stdout + done.stderr
    files_before = sorted(p.relative_to(old) for p in (old / "materials").rglob("*") if p.is_file())
    assert files_before, "the demo data has material files to move"
    new_env = {**base_env, "PORTAL_DATA_DIR": str(tmp_path / "new"), "DATABASE_URL": s3.database_url,
               "PORTAL_STORAGE_URL": s3.storage_url, "PORTAL_S3_ENDPOINT_URL": s3.s3_endpoint_url,
               "PORTAL_S3_REGION": s3.s3_region, "PORTAL_S3_ACCESS_KEY_ID": s3.s3_access_key_id,
               "PORTAL_S3_SECRET_ACCESS_KEY": s3.s3_secret_access_key}

    # Another secret key would break every signed link and code: refused before anything is copied.
    refused = _portal(["copy-from-sqlite", str(old)], {**new_env, "PORTAL_SECRET_KEY": "another-key-" + "x" * 40})
    assert refused.returncode != 0 and "PORTAL_SECRET_KEY" in refused.stderr, refused.stdout + refused.stderr
    assert not any((await _table_counts(s3.database_url)).values())

    new_env["PORTAL_SECRET_KEY"] = (old / "secret_key").read_text().strip()
    moved = _portal(["copy-from-sqlite", str(old)], new_env)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert "Done:" in moved.stdout
    assert sorted(p.relative_to(old) for p in (old / "materials").rglob("*") if p.is_file()) == files_before, \
        "the old data folder keeps its files"
    counts = await _table_counts(s3.database_url)
    import sqlite3

    with sqlite3.connect(old / "portal.sqlite3") as source:
        for table, count in counts.items():
            assert count == source.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0], table  # noqa: S608
    assert counts["participant"] >= 100 and counts["event"] and counts["material_version"]

    # A second run finds the data there and refuses, changing nothing.
    again = _portal(["copy-from-sqlite", str(old)], new_env)
    assert again.returncode != 0 and "already holds portal data" in again.stderr
    assert await _table_counts(s3.database_url) == counts

    async with _server(old_env, tmp_path / "old.log") as before, _server(new_env, tmp_path / "new.log") as after:
        # Every staff page linked from the start page and from the pages it links to, up to 40.
        queue, seen, compared = ["/"], set(), 0
        while queue and compared < 40:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            old_page, new_page = await before.get(path), await after.get(path)
            assert new_page.status_code == old_page.status_code, path
            if old_page.status_code != 200 or "text/html" not in old_page.headers.get("content-type", ""):
                continue
            assert _same_page(new_page.text) == _same_page(old_page.text), path
            compared += 1
            for link in re.findall(r'href="(/[^"#]*)"', old_page.text):
                link = link.replace("&amp;", "&")
                if link not in seen and not SKIPPED_LINKS.search(link):
                    queue.append(link)
        assert compared >= 15, seen
        # Material files: the same bytes, now from the object store.
        with sqlite3.connect(old / "portal.sqlite3") as source:
            versions = [row[0] for row in source.execute("SELECT id FROM material_version")]
        for version in versions:
            old_file, new_file = await before.get(f"/materials/versions/{version}"), \
                await after.get(f"/materials/versions/{version}")
            assert old_file.status_code == new_file.status_code == 200, version
            assert new_file.content == old_file.content and len(new_file.content) > 100, version
            assert new_file.headers["etag"] == old_file.headers["etag"]
