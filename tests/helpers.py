"""Constants and helpers the tests share (import these, never the conftest module)."""

import asyncio
import time

PASSWORD = "correct horse battery"


async def next_second() -> None:
    """Wait until the clock shows the next second (at most a second), so that a file stamped with
    the time of its making would come out different (XLSX document dates are in whole seconds)."""
    await asyncio.sleep(1.01 - time.time() % 1)
