"""Dates in PORTAL_TIMEZONE (an evening in UTC is the next morning in Dhaka), a revoked certificate's PDF
saying so on its face, and master-trainer certificates before the ToT's last session has ended."""

import csv
import dataclasses
import datetime as dt
import io

import pypdf
import pytest

from portal.certificates import issue, jobs
from portal.certificates.tables import Certificate, PoolMember
from portal.core.tables import AuditEntry
from portal.events.tables import CheckIn
from tests.helpers import PORTAL_TZ

pytestmark = pytest.mark.anyio
# 22:02 UTC on 5 December is 04:02 on 6 December in Dhaka.
EVENING_UTC = dt.datetime(2026, 12, 5, 22, 2, tzinfo=dt.UTC)


@pytest.fixture
async def coordinator(create_user):
    return await create_user("coordinator")


@pytest.fixture
async def past_tot(create_event_with_sessions, create_registration, create_person):
    """A 3-day ToT held in November 2026; Nasrin attended every day."""
    event_id, sessions = await create_event_with_sessions(kind="tot", days=3, title="Cumilla ToT")
    person = await create_person("Nasrin Akter")
    return event_id, await create_registration(event_id, person, attend=sessions)


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


# Defect 8: every date shown, printed or exported is in PORTAL_TIMEZONE.

async def test_pool_list_csv_and_pdf_give_the_dhaka_date_of_an_evening_utc_issue(staff_client, clock, coordinator,
                                                                                 past_tot):
    event_id, registration = past_tot
    clock.move_to(EVENING_UTC)
    row, _ = await issue.issue_one(coordinator, event_id, registration, tz=PORTAL_TZ)
    assert row["issued_at"] - EVENING_UTC < dt.timedelta(minutes=1)  # from the portal's clock, not the wall
    assert (await PoolMember.select(PoolMember.certified_on).first())["certified_on"] == dt.date(2026, 12, 6)
    page = (await staff_client.get("/manage/pool")).text
    assert "certified 06 Dec 2026" in page and "05 Dec 2026" not in page
    rows = list(csv.DictReader(io.StringIO((await staff_client.get("/manage/pool/export")).content.decode(
        "utf-8-sig"))))
    assert rows[0]["Certified on"] == "2026-12-06"
    detail = (await staff_client.get(f"/manage/certificates/{row['id']}")).text
    assert "06 Dec 2026 04:02" in detail
    pdf = (await staff_client.get(f"/manage/certificates/{row['id']}/pdf")).content
    assert "Issued on 6 December 2026" in _text(pdf)


async def test_a_pool_entry_stored_with_the_utc_date_is_shown_with_the_dhaka_date(staff_client, clock,
                                                                                 coordinator, past_tot):
    # Entries made before the fix hold the UTC date; the list reads the certificate's time instead.
    event_id, registration = past_tot
    clock.move_to(EVENING_UTC)
    await issue.issue_one(coordinator, event_id, registration)  # no time zone: the UTC date is stored
    assert (await PoolMember.select(PoolMember.certified_on).first())["certified_on"] == dt.date(2026, 12, 5)
    assert "certified 06 Dec 2026" in (await staff_client.get("/manage/pool")).text


async def test_exports_and_the_summary_follow_portal_timezone_not_dhaka(staff_client, app, clock, past_tot):
    # The portal set to another zone: the attendance export writes times there.
    event_id, registration = past_tot
    await CheckIn.update({CheckIn.at: EVENING_UTC}).where(CheckIn.registration == registration)
    app.state.settings = dataclasses.replace(app.state.settings, timezone="Asia/Kathmandu")  # UTC+05:45
    response = await staff_client.get(f"/manage/reports/attendance/export?event={event_id}&format=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["Checked in at"] == "2026-12-06 03:47:00"


# Defect 9: a revoked certificate's PDF says so on its face, with the date.

async def test_a_revoked_certificates_pdf_says_revoked_with_the_date(staff_client, clock, coordinator, past_tot):
    event_id, registration = past_tot
    row, _ = await issue.issue_one(coordinator, event_id, registration, tz=PORTAL_TZ)
    valid = (await staff_client.get(f"/manage/certificates/{row['id']}/pdf")).content
    assert "REVOKED" not in _text(valid)
    clock.move_to(EVENING_UTC)
    await issue.revoke(coordinator, row["id"], "Attendance was falsified")
    revoked = (await staff_client.get(f"/manage/certificates/{row['id']}/pdf")).content
    assert revoked != valid
    text = _text(revoked)
    assert "REVOKED" in text and "revoked on 6 December 2026" in text  # the day in Dhaka
    assert "REVOKED on 6 December 2026" in pypdf.PdfReader(io.BytesIO(revoked)).metadata.subject


# Defect 10: master-trainer certificates before the ToT's last session has ended.

@pytest.fixture
async def running_tot(create_event_with_sessions, create_registration, create_person, clock):
    """A 3-day ToT that started yesterday (Dhaka): its last session ends tomorrow. Nasrin attended all."""
    start = clock.now().astimezone(PORTAL_TZ).date() - dt.timedelta(days=1)
    event_id, sessions = await create_event_with_sessions(kind="tot", days=3, title="Running ToT", start=start)
    return event_id, await create_registration(event_id, await create_person("Nasrin Akter"), attend=sessions)


async def test_a_master_trainer_certificate_before_the_tot_ends_needs_a_reason(coordinator, running_tot):
    event_id, registration = running_tot
    with pytest.raises(issue.EarlyIssue) as excinfo:
        await issue.issue_one(coordinator, event_id, registration, tz=PORTAL_TZ)
    assert excinfo.value.code == "tot_not_finished"
    assert await Certificate.count() == 0 and await PoolMember.count() == 0


async def test_an_early_certificate_with_a_reason_is_issued_and_audited(coordinator, running_tot):
    event_id, registration = running_tot
    row, created = await issue.issue_one(coordinator, event_id, registration, tz=PORTAL_TZ,
                                         early_reason="Leaves for a posting abroad tomorrow")
    assert created and row["kind"] == "master_trainer" and await PoolMember.count() == 1
    entry = await AuditEntry.select().where(AuditEntry.action == "certificate.issue").output(load_json=True).first()
    assert entry["after"]["before_end"] is True and entry["after"]["reason"] == "Leaves for a posting abroad tomorrow"
    assert "Leaves for a posting abroad tomorrow" in entry["note"]
    pool = await AuditEntry.select().where(AuditEntry.action == "pool.add").first()
    assert "Leaves for a posting abroad tomorrow" in pool["note"]


async def test_bulk_issue_skips_master_trainers_until_the_tot_ends(coordinator, clock, running_tot):
    event_id, _ = running_tot
    job_id = await jobs.start(coordinator, event_id, tz=PORTAL_TZ)
    await jobs.wait(job_id)
    assert await Certificate.count() == 0 and await PoolMember.count() == 0
    clock.advance(dt.timedelta(days=3))  # the ToT is over
    await jobs.wait(await jobs.start(coordinator, event_id, tz=PORTAL_TZ))
    assert await Certificate.count() == 1 and await PoolMember.count() == 1


async def test_the_certificates_page_asks_for_a_reason_before_the_tot_ends(staff_client, running_tot):
    event_id, registration = running_tot
    page = (await staff_client.get(f"/manage/events/{event_id}/certificates")).text
    assert "Issue before the ToT ends" in page and 'name="early_reason"' in page
    response = await staff_client.post(f"/manage/events/{event_id}/certificates/{registration}/issue")
    assert response.status_code == 303 and await Certificate.count() == 0
    response = await staff_client.post(f"/manage/events/{event_id}/certificates/{registration}/issue",
                                       data={"early_reason": "Posting abroad"})
    assert response.status_code == 303 and await Certificate.count() == 1

