"""Factory fixtures for certificate tests: events with sessions, people, registrations with check-ins."""

from __future__ import annotations

import pytest

from tests.certificates import factories


@pytest.fixture
def create_event(db):
    """`await create_event(kind=..., days=..., completion_percent=...)` -> (event id, session ids)."""
    return factories.make_event


@pytest.fixture
def create_person(db):
    """`await create_person(name=..., name_bn=...)` -> participant id."""
    return factories.make_person


@pytest.fixture
def create_registration(db):
    """`await create_registration(event_id, role=..., status=..., attend=[session ids])` -> registration id."""
    return factories.make_registration
