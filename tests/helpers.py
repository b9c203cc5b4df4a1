"""Constants and helpers the tests share (import these, never the conftest module)."""

import asyncio
import time

PASSWORD = "correct horse battery"


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
