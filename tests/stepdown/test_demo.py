"""The demo's master trainer runs step-down trainings: a newcomer (and the crawl) meets them."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.auth.tables import User
from portal.core import clock
from portal.demo import load_demo
from portal.events.tables import CheckIn, Event, SessionFacilitator
from portal.reports import cascade

pytestmark = pytest.mark.anyio


async def test_the_demo_trainer_runs_step_down_trainings(db, settings, monkeypatch):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(settings.data_dir))
    await load_demo()
    trainer = await User.select(User.id).where(User.email == "trainer@demo.example").first()
    runs = await Event.select(Event.id, Event.status, Event.district).where(
        (Event.kind == "step_down") & (Event.organizer == trainer["id"])).order_by(Event.start_date)
    assert [(r["status"], r["district"]) for r in runs] == [("completed", "khulna"), ("published", "khulna")]
    assert await CheckIn.count().where(CheckIn.registration.event == runs[0]["id"]) > 20
    assert await SessionFacilitator.count().where(SessionFacilitator.session.event == runs[0]["id"]) == 3
    today = clock.today(settings.tz)
    result = await cascade.cascade(today - dt.timedelta(days=365), today)
    assert result.trainings == 1 and result.trainers[0].name == "Master Trainer Demo"
    assert result.people > 10 and result.certificates > 0
