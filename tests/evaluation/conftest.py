"""Fixtures of the evaluation tests."""

from __future__ import annotations

import pytest

from tests.evaluation import worlds


@pytest.fixture
async def world(db):
    """A course bank, a test, and an event of the course giving it as pre- and post-test (both open)."""
    return await worlds.make_world()
