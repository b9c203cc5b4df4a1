"""`portal serve` with the portal's clock starting at the suite's "now" (tests.helpers.TEST_NOW), so the
browser tests see the same date as the rest of the suite, whatever the date they run on.

uvicorn runs one worker in this process, so the clock installed here is the one the app reads."""

from portal.__main__ import main
from portal.core import clock
from tests.helpers import TEST_NOW

if __name__ == "__main__":
    with clock.use(clock.TravelClock(TEST_NOW)):
        main(["serve"])
