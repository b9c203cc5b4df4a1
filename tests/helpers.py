"""Constants and helpers the tests share (import these, never the conftest module)."""

import asyncio
import datetime as dt
import os
import socket
import time
from typing import Any
from zoneinfo import ZoneInfo

PASSWORD = "correct horse battery"

# The suite's "now": in every test the portal's clock starts here and runs at real speed (the
# `clock` fixture). Fixed, so the suite passes on any date; set PORTAL_TEST_NOW (ISO 8601 with an
# offset) to run it at another instant and flush out code that reads the wall clock.
PORTAL_TZ = ZoneInfo("Asia/Dhaka")  # the test settings' PORTAL_TIMEZONE
TEST_NOW = dt.datetime.fromisoformat(os.environ.get("PORTAL_TEST_NOW") or "2026-12-05T04:00:00+00:00")


async def next_second() -> None:
    """Wait until the clock shows the next second (at most a second), so that a file stamped with
    the time of its making would come out different (XLSX document dates are in whole seconds)."""
    await asyncio.sleep(1.01 - time.time() % 1)


async def job_finished(client, url: str) -> str:
    """Poll a background job's self-replacing component (as htmx does) until it stops polling; its HTML."""
    for _ in range(100):
        text = (await client.get(url, headers={"HX-Request": "true"})).text
        if "every 1s" not in text:
            return text
        await asyncio.sleep(0.05)
    raise AssertionError("the job did not finish")


def session_around_now(tz: ZoneInfo = PORTAL_TZ, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """A session's start and end that put `now` (by default the portal's clock) inside it, within its local
    day (so the session stays on the event's date): check-in to it is inside its window."""
    from portal.core import clock

    now = now or clock.now()
    midnight = dt.datetime.combine(now.astimezone(tz).date(), dt.time(), tz)
    starts = max(now - dt.timedelta(minutes=30), midnight)
    return starts, min(starts + dt.timedelta(hours=8), midnight + dt.timedelta(hours=23, minutes=59))


async def with_s3(settings: Any, s3_server: str) -> Any:
    """`settings` with a fresh bucket on the S3 server as storage."""
    import dataclasses
    import uuid

    from portal.core.storage_s3 import S3Storage

    s3 = dataclasses.replace(settings, storage_url=f"s3://portal-{uuid.uuid4().hex[:12]}/files",
                             s3_endpoint_url=s3_server, s3_region="us-east-1", s3_access_key_id="test",
                             s3_secret_access_key="test")
    storage = S3Storage.from_settings(s3)
    try:
        assert await storage.ensure_bucket()
    finally:
        await storage.close()
    return s3


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
