"""Scheduled clean-ups: the verify page's hit log and finished export files do not grow forever."""

import datetime as dt

import pytest

from portal import app as app_module
from portal.certificates import verify
from portal.certificates.tables import VerifyHit
from portal.core import clock as portal_clock
from portal.reports.tables import ExportJob

pytestmark = pytest.mark.anyio


async def _hits() -> list[str]:
    return sorted(row["ip"] for row in await VerifyHit.select(VerifyHit.ip))


async def _add_hits() -> None:
    now = portal_clock.now()
    await VerifyHit.insert(VerifyHit(ip="10.0.0.1", at=now - verify.WINDOW * 3),  # never came back
                           VerifyHit(ip="10.0.0.2", at=now))


async def test_start_up_purges_expired_verification_hits(app):
    await _add_hits()
    async with app.lifespan():
        assert await _hits() == ["10.0.0.2"]


async def test_each_purge_round_cleans_hits_and_export_files(settings, create_user, monkeypatch):
    await _add_hits()
    user = await create_user("coordinator")
    settings.exports_dir.mkdir()
    old_file = settings.exports_dir / "job-1.xlsx"
    old_file.write_bytes(b"PK")
    job = ExportJob(user=user.id, shape="long", fmt="xlsx", query="", status="done", path=str(old_file),
                    finished_at=portal_clock.now() - dt.timedelta(hours=25))
    await job.save()

    async def broken() -> None:
        raise OSError("disk gone")

    # One failing clean-up does not stop the others.
    monkeypatch.setattr(app_module.auth_services, "purge_expired", broken)
    await app_module.purge_once(settings)
    assert await _hits() == ["10.0.0.2"]
    assert (await ExportJob.select(ExportJob.status).first())["status"] == "expired" and not old_file.exists()
