"""Constants and helpers the tests share (import these, never the conftest module)."""

import asyncio
import datetime as dt
import os
import time
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
