"""`python -m tests.run_at serve|worker ...`: a `portal` command with the portal's clock starting at the
suite's "now" (tests.helpers.TEST_NOW), so that servers and workers started by a test see the same date
as the test's own rows, whatever the date the suite runs on (as tests/e2e/serve_at.py does for serve)."""

import sys

from portal.__main__ import main
from portal.core import clock
from tests.helpers import TEST_NOW

if __name__ == "__main__":
    with clock.use(clock.TravelClock(TEST_NOW)):
        main(sys.argv[1:])
