"""Test set-up: a fresh database per test, on SQLite by default or PostgreSQL with PORTAL_TEST_DB=postgres.

`make test` runs the suite once per database. PostgreSQL is found at PORTAL_TEST_DATABASE_URL
(default postgresql://postgres@127.0.0.1:5432/test); when it is not reachable the PostgreSQL
run is skipped with a reason, unless PORTAL_REQUIRE_POSTGRES=1 (CI), which makes it fail.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from piccolo.table import sort_table_classes

# The environment must be set before anything imports portal.piccolo_conf.
SESSION_DIR = Path(tempfile.mkdtemp(prefix="portal-tests-"))  # one per pytest process
BACKEND = os.environ.get("PORTAL_TEST_DB", "sqlite")
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
os.environ["PICCOLO_CONF"] = "portal.piccolo_conf"
os.environ["PORTAL_DATA_DIR"] = str(SESSION_DIR / "template")
if BACKEND == "postgres":
    os.environ["DATABASE_URL"] = PG_URL
else:
    os.environ.pop("DATABASE_URL", None)

import httpx  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402

from portal.app import create_app  # noqa: E402
from portal.auth import services as auth_services  # noqa: E402
from portal.auth.services import CurrentUser  # noqa: E402
from portal.core import clock as portal_clock  # noqa: E402
from portal.core import jobs as portal_jobs  # noqa: E402
from portal.db import all_tables, bind_engine, is_sqlite, make_engine, start_engine, stop_engine  # noqa: E402
from portal.settings import Settings  # noqa: E402
from tests import factories  # noqa: E402
from tests.helpers import PASSWORD, TEST_NOW, free_port  # noqa: E402

# argon2's defaults take ~50 ms a hash; the suite creates hundreds of users.
auth_services.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run only in the SQLite pass: the UI does not depend on the database, and
    one browser run keeps CI short. They also run last: sync Playwright keeps an event loop of its
    own running while its session fixture lives, and async tests cannot start one beside it.
    (Async test modules set `pytestmark = pytest.mark.anyio`.)"""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    for item in items:
        if BACKEND == "postgres" and item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason="browser tests run in the SQLite pass"))


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _own_job_queue() -> Iterator[None]:
    """No test inherits another's job queue (its tasks, locks and settings)."""
    yield
    portal_jobs.unbind(portal_jobs.current())


@pytest.fixture(autouse=True)
def clock() -> Iterator[portal_clock.TravelClock]:
    """The portal's clock for this test (`clock.move_to(...)` to run at another time)."""
    with portal_clock.use(portal_clock.TravelClock(TEST_NOW)) as test_clock:
        yield test_clock


def _postgres_reachable() -> str:
    import asyncpg

    async def probe() -> None:
        connection = await asyncpg.connect(PG_URL, timeout=3)
        await connection.close()

    try:
        asyncio.run(probe())
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(exc).__name__}: {exc}"
    return ""


async def _reset_postgres_schema() -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


async def _migrate() -> None:
    from portal.__main__ import migrate

    await migrate()


@pytest.fixture(scope="session")
def migrated_database() -> Path | str:
    """Run the real migrations once: into a template SQLite file, or into the PostgreSQL database."""
    if BACKEND == "postgres":
        problem = _postgres_reachable()
        if problem:
            if os.environ.get("PORTAL_REQUIRE_POSTGRES") == "1":
                pytest.fail(f"PostgreSQL is required (PORTAL_REQUIRE_POSTGRES=1) but not reachable: {problem}")
            pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {problem}")
        asyncio.run(_reset_postgres_schema())
        asyncio.run(_migrate())
        return PG_URL
    asyncio.run(_migrate())
    template = SESSION_DIR / "template" / "portal.sqlite3"
    assert template.exists()
    return template


@functools.cache
def _emptying_sql() -> str:
    """Delete every row, children before parents, and restart the ids. TRUNCATE of the ~30 tables
    cost ~0.2 s a test (it replaces each table's files); deleting a test's few rows, milliseconds."""
    tables = [table._meta.tablename for table in reversed(sort_table_classes(all_tables()))]
    return "; ".join([f'DELETE FROM "{name}"' for name in tables] + [  # noqa: S608 - our own table names
        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), 1, false)" for name in tables])


async def _empty_postgres(engine: Any) -> None:
    async with engine.pool.acquire() as connection:  # asyncpg: several statements in one simple query
        await connection.execute(_emptying_sql())


@pytest.fixture
def settings(migrated_database: Path | str, tmp_path: Path) -> Settings:
    """Settings for one test: its own data directory and a fresh copy of the database."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if BACKEND == "sqlite":
        shutil.copyfile(migrated_database, data_dir / "portal.sqlite3")
    return _settings_for(data_dir)


def _settings_for(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir, database_url=PG_URL if BACKEND == "postgres" else "", secret_key="test-secret-key" * 3,
        base_url="http://testserver.local", timezone="Asia/Dhaka",
    )


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Any]:
    """The engine of this test's database, bound to every table (for service tests)."""
    engine = make_engine(settings.database_url, settings.sqlite_path)
    bind_engine(engine)
    await start_engine(engine)
    if BACKEND == "postgres":
        await _empty_postgres(engine)
    yield engine
    await stop_engine(engine)


@pytest.fixture(scope="session")
def built_app(migrated_database: Path | str) -> Any:
    """The portal, built once: Litestar takes ~0.15 s to build it, over a second of CPU per ten
    tests. Each test gives it its own settings and database (`app`); the app reads both from its
    state, and everything else create_app wires (templates, CSRF secret, base URL, time zone) is
    the same for every test's settings. A test needing other wiring calls create_app itself."""
    return create_app(_settings_for(SESSION_DIR / "built-app"))


@pytest.fixture
async def app(built_app: Any, settings: Settings, db: Any) -> AsyncIterator[Any]:
    """The portal for this test's settings and database; its state is reset afterwards."""
    original = dict(built_app.state)
    engine = make_engine(settings.database_url, settings.sqlite_path)
    bind_engine(engine)
    built_app.state.update({"settings": settings, "engine": engine})
    try:
        yield built_app
    finally:
        if is_sqlite(engine):
            await engine.close_shared()
        built_app.state.clear()
        built_app.state.update(original)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An anonymous browser. The app's lifespan runs in the test's own event loop (Litestar's
    AsyncTestClient runs it in a second loop, where a PostgreSQL pool cannot serve the first)."""
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
            yield test_client


@pytest.fixture
def create_user(db: Any) -> Callable[..., Awaitable[CurrentUser]]:
    """Factory: a staff user with the given role (and districts for organizers: Khulna unless given, since
    an organizer has at least one)."""
    counter = iter(range(1, 10_000))

    async def make(role: str = "admin", districts: tuple[str, ...] = (), name: str = "") -> CurrentUser:
        n = next(counter)
        if role == "organizer" and not districts:
            districts = ("khulna",)
        email = f"{role}{n}@example.org"
        user_id = await auth_services.create_user(
            {"name": name or f"{role.title()} {n}", "email": email, "role": role, "password": PASSWORD,
             "districts": list(districts)},
            auth_services.Actor.system("tests"),
        )
        return CurrentUser(id=user_id, name=name or f"{role.title()} {n}", role=role, email=email,
                           districts=tuple(sorted(districts)))

    return make


# Rows written straight into the tables (tests/factories.py), as fixtures that wait for the database.
@pytest.fixture
def create_event(db: Any) -> Callable[..., Awaitable[int]]:
    """`await create_event(**columns)` -> event id (tests.factories.make_event)."""
    return factories.make_event


@pytest.fixture
def create_event_with_sessions(db: Any) -> Callable[..., Awaitable[tuple[int, list[int]]]]:
    """`await create_event_with_sessions(days=3, **columns)` -> (event id, session ids), one session a day."""
    return factories.make_event_with_sessions


@pytest.fixture
def create_session(db: Any) -> Callable[..., Awaitable[int]]:
    """`await create_session(event_id, day, title)` -> session id."""
    return factories.make_session


@pytest.fixture
def create_person(db: Any) -> Callable[..., Awaitable[int]]:
    """`await create_person(**columns)` -> participant id."""
    return factories.make_person


@pytest.fixture
def create_registration(db: Any) -> Callable[..., Awaitable[int]]:
    """`await create_registration(event_id, participant_id=None, attend=[session ids], **columns)` -> id."""
    return factories.make_registration


@pytest.fixture
def create_checkin(db: Any) -> Callable[..., Awaitable[int]]:
    """`await create_checkin(registration_id, session_id, at=None)` -> check-in id."""
    return factories.make_checkin


@pytest.fixture
def create_certificate(db: Any) -> Callable[..., Awaitable[int]]:
    """`await create_certificate(registration_id, kind="participation", **columns)` -> certificate id."""
    return factories.make_certificate


@pytest.fixture
def create_pool_member(db: Any) -> Callable[..., Awaitable[int]]:
    """`await create_pool_member(participant_id, district="dhaka", status="active")` -> pool member id."""
    return factories.make_pool_member


async def csrf_token(client: httpx.AsyncClient) -> str:
    """Get the CSRF cookie (a GET sets it) and return the token to send back."""
    if "csrftoken" not in client.cookies:
        await client.get("/login")
    return client.cookies["csrftoken"]


async def log_in(client: httpx.AsyncClient, user: CurrentUser, password: str = PASSWORD) -> httpx.AsyncClient:
    """Log `user` in through the real form and make the client send the CSRF header."""
    token = await csrf_token(client)
    response = await client.post("/login", data={"identifier": user.email, "password": password,
                                                 "_csrf_token": token})
    assert response.status_code == 303, response.text
    client.headers["x-csrftoken"] = token
    return client


@pytest.fixture
def login() -> Callable[[httpx.AsyncClient, CurrentUser], Awaitable[httpx.AsyncClient]]:
    """`await login(client, user)`."""
    return log_in


@pytest.fixture
async def staff_client(client: httpx.AsyncClient, create_user: Any) -> httpx.AsyncClient:
    """A browser with a coordinator logged in."""
    return await log_in(client, await create_user("coordinator"))


# ---------------------------------------------------------------------------------------------
# An S3-compatible object store: moto's standalone server, one per pytest process.




@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """The endpoint URL of a real S3 server process (moto's), started for this test run."""
    import subprocess
    import sys
    import time

    port = free_port()
    log = (SESSION_DIR / "moto.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],  # noqa: S603
                               stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{endpoint}/moto-api/", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto's S3 server did not start: {(SESSION_DIR / 'moto.log').read_text()[-2000:]}")
            time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
async def s3_settings(settings: Settings, s3_server: str) -> Settings:
    """This test's settings with the object store as storage: a fresh bucket on the S3 server."""
    from tests.helpers import with_s3

    return await with_s3(settings, s3_server)
