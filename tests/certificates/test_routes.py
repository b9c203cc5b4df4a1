"""Certificate pages and downloads through HTTP: page and fragment, PDFs parsed and their QR decoded."""

import csv
import io
import zipfile

import pypdf
import pytest
import zxingcpp
from PIL import Image

from portal.certificates import issue, jobs, verify
from portal.certificates.tables import Certificate
from portal.core import clock as portal_clock
from portal.pdf.testing import can_rasterize, rasterize
from tests.factories import ticket_token

pytestmark = pytest.mark.anyio
needs_pdftoppm = pytest.mark.skipif(not can_rasterize(), reason="pdftoppm (poppler-utils) is not installed")


@pytest.fixture
async def coordinator(create_user):
    return await create_user("coordinator")


@pytest.fixture
async def workshop(create_event_with_sessions, create_registration, create_person):
    """A 3-day Khulna workshop: Rahima attended all, Karim missed day 3, a trainer ran it."""
    event_id, sessions = await create_event_with_sessions(days=3, title="Safe migration workshop")
    rahima = await create_registration(event_id, await create_person("Rahima <Begum> & Co", "রহিমা বেগম"),
                                       attend=sessions)
    karim = await create_registration(event_id, await create_person("Karim Sheikh"), attend=sessions[:2])
    trainer = await create_registration(event_id, await create_person("Trainer Tania"), role="trainer",
                                        attend=sessions)
    return event_id, {"rahima": rahima, "karim": karim, "trainer": trainer}


@pytest.fixture
async def issued(coordinator, workshop):
    event_id, people = workshop
    row, _ = await issue.issue_one(coordinator, event_id, people["rahima"])
    return event_id, people, row


async def test_event_page_lists_status_and_missing_sessions(staff_client, workshop):
    event_id, _ = workshop
    response = await staff_client.get(f"/manage/events/{event_id}/certificates")
    assert response.status_code == 200
    assert "Rahima &lt;Begum&gt; &amp; Co" in response.text
    assert "Missed: Day 3" in response.text
    assert "Staff and guests are not certified" in response.text


async def test_issue_all_with_htmx_returns_the_polling_component(staff_client, workshop):
    event_id, _ = workshop
    response = await staff_client.post(f"/manage/events/{event_id}/certificates/issue-all",
                                       headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="issue-job"' in response.text
    job = await jobs.latest(event_id)
    await jobs.wait(job["id"])


async def test_finished_job_fragment_offers_downloads_and_stops_polling(staff_client, coordinator, workshop):
    event_id, _ = workshop
    job_id = await jobs.start(coordinator, event_id)
    await jobs.wait(job_id)
    response = await staff_client.get(f"/manage/events/{event_id}/certificates/jobs/{job_id}",
                                      headers={"HX-Request": "true"})
    assert "every 1s" not in response.text
    assert f"/manage/events/{event_id}/certificates/zip" in response.text


async def test_running_job_page_polls(staff_client, coordinator, workshop):
    event_id, _ = workshop
    from portal.certificates.tables import IssueJob

    # Its heartbeat from the portal's clock (the column default reads the wall clock): a heartbeat older
    # than the clock's "now" would be taken over, and its runner outlive the test.
    job = IssueJob(event=event_id, status="running", total=1, created_by=coordinator.id,
                   created_at=portal_clock.now(), heartbeat_at=portal_clock.now())
    await job.save()
    response = await staff_client.get(f"/manage/events/{event_id}/certificates/jobs/{job.id}")
    assert "<html" in response.text
    assert 'hx-trigger="every 1s"' in response.text


async def test_issue_all_without_htmx_redirects_to_the_job_page(staff_client, workshop):
    event_id, _ = workshop
    response = await staff_client.post(f"/manage/events/{event_id}/certificates/issue-all")
    job = await jobs.latest(event_id)
    await jobs.wait(job["id"])
    assert response.status_code == 303
    assert response.headers["location"] == f"/manage/events/{event_id}/certificates/jobs/{job['id']}"


async def test_issue_one_route_issues(staff_client, workshop):
    event_id, people = workshop
    response = await staff_client.post(f"/manage/events/{event_id}/certificates/{people['rahima']}/issue")
    assert response.status_code == 303
    assert await Certificate.count().where(Certificate.registration == people["rahima"]) == 1


async def test_override_route_makes_trainer_eligible(staff_client, workshop):
    event_id, people = workshop
    await staff_client.post(f"/manage/events/{event_id}/certificates/{people['trainer']}/override",
                            data={"choice": "yes", "reason": "Also took the course"})
    page = await staff_client.get(f"/manage/events/{event_id}/certificates")
    assert "“Also took the course”" in page.text


@needs_pdftoppm
async def test_pdf_has_serial_and_a_qr_to_the_verify_url(staff_client, issued, settings):
    _, _, row = issued
    response = await staff_client.get(f"/manage/certificates/{row['id']}/pdf")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    assert row["serial"] in reader.pages[0].extract_text()
    [code] = zxingcpp.read_barcodes(rasterize(response.content, dpi=150))
    assert code.text == f"{settings.base_url}/verify/{row['code']}"


async def test_zip_holds_one_pdf_per_valid_certificate(staff_client, coordinator, workshop):
    event_id, _ = workshop
    await jobs.wait(await jobs.start(coordinator, event_id))
    response = await staff_client.get(f"/manage/events/{event_id}/certificates/zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    serials = sorted(r["serial"] for r in await Certificate.select(Certificate.serial))
    assert sorted(archive.namelist()) == [f"{s}.pdf" for s in serials]
    assert all(len(pypdf.PdfReader(io.BytesIO(archive.read(n))).pages) == 1 for n in archive.namelist())


async def test_print_pdf_has_a_page_per_certificate(staff_client, coordinator, create_registration, workshop):
    event_id, people = workshop
    await issue.issue_one(coordinator, event_id, people["rahima"])
    from portal.certificates.eligibility import set_override

    await set_override(coordinator, event_id, people["karim"], "yes", "Sick on day 3")
    await issue.issue_one(coordinator, event_id, people["karim"])
    response = await staff_client.get(f"/manage/events/{event_id}/certificates/print")
    assert len(pypdf.PdfReader(io.BytesIO(response.content)).pages) == 2


async def test_ticket_download_serves_the_owner(client, issued):
    _, people, row = issued
    token = await ticket_token(people["rahima"])
    response = await client.get(f"/t/{token}/certificate/{row['serial']}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize("case", ["other_token", "revoked"])
async def test_ticket_download_refuses(client, coordinator, issued, case):
    _, people, row = issued
    token = await ticket_token(people["rahima"] if case == "revoked" else people["karim"])
    if case == "revoked":
        await issue.revoke(coordinator, row["id"], "Duplicate")
    response = await client.get(f"/t/{token}/certificate/{row['serial']}.pdf")
    assert response.status_code == 404


async def test_verify_valid_shows_name_event_and_issuer_only(client, issued):
    _, _, row = issued
    response = await client.get(f"/verify/{row['code']}")
    assert response.status_code == 200
    assert "Valid certificate" in response.text
    assert "Rahima &lt;Begum&gt; &amp; Co" in response.text
    assert "Safe migration workshop" in response.text
    assert "+8801711" not in response.text
    assert "<script" not in response.text


async def test_verify_revoked_says_when_and_why(client, coordinator, issued):
    _, _, row = issued
    await issue.revoke(coordinator, row["id"], "Attendance was falsified")
    response = await client.get(f"/verify/{row['code']}")
    assert "Revoked certificate" in response.text
    assert "Attendance was falsified" in response.text
    assert "Rahima" not in response.text


async def test_verify_unknown_code_is_not_found(client):
    response = await client.get("/verify/AAAA-BBBB-CCCC-DDDD")
    assert response.status_code == 404
    assert "No certificate has this code" in response.text


async def test_verify_form_accepts_a_typed_code_in_any_case(client, issued):
    _, _, row = issued
    response = await client.get("/verify", params={"code": row["code"].lower().replace("-", " ")})
    assert "Valid certificate" in response.text


async def test_verify_is_rate_limited_per_address(client, monkeypatch):
    monkeypatch.setattr(verify, "MAX_PER_WINDOW", 3)
    statuses = [(await client.get("/verify/AAAA-BBBB-CCCC-DDDD")).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


async def test_revoke_route_needs_a_reason(staff_client, issued):
    _, _, row = issued
    await staff_client.post(f"/manage/certificates/{row['id']}/revoke", data={"reason": ""})
    assert (await Certificate.select(Certificate.revoked_at).where(Certificate.id == row["id"]).first())[
        "revoked_at"] is None



async def test_reinstating_a_valid_certificate_goes_back_to_its_page_with_the_reason(staff_client, issued):
    _, _, row = issued
    url = f"/manage/certificates/{row['id']}"
    response = await staff_client.post(f"{url}/reinstate")
    assert response.status_code == 303 and response.headers["location"] == url
    assert "This certificate is not revoked." in (await staff_client.get(url)).text
    twice = [await staff_client.post(f"{url}/revoke", data={"reason": r}) for r in ("Forged", "Again")]
    assert [r.status_code for r in twice] == [303, 303]
    assert "This certificate is already revoked." in (await staff_client.get(url)).text
    assert (await staff_client.post("/manage/certificates/999999/reinstate")).status_code == 404

def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), "navy").save(out, "PNG")
    return out.getvalue()


async def test_settings_refuse_a_file_that_is_not_an_image(client, create_user, login):
    await login(client, await create_user("admin"))
    response = await client.post("/manage/certificate-settings", data={"programme_name": "P"},
                                 files={"logo": ("logo.png", b"<svg>not a png</svg>", "image/png")})
    assert response.status_code == 422
    assert "must be a PNG or JPEG" in response.text


async def test_settings_are_printed_on_certificates(client, create_user, login, issued):
    _, _, row = issued
    await login(client, await create_user("admin"))
    response = await client.post("/manage/certificate-settings",
                                 data={"programme_name": "Safe Migration Programme", "signatory1_name": "Dr. Rahman",
                                       "signatory1_title": "Director"},
                                 files={"logo": ("logo.png", _png(), "image/png"),
                                        "signatory1_signature": ("sig.png", _png(), "image/png")})
    assert response.status_code == 303
    pdf = await client.get(f"/manage/certificates/{row['id']}/pdf")
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Safe Migration Programme" in text
    assert "Dr. Rahman" in text


@pytest.fixture
async def pool_member(coordinator, create_event_with_sessions, create_registration, create_person):
    """Certified by a Khulna ToT, then trainer of a later workshop that two people attended."""
    tot_id, tot_sessions = await create_event_with_sessions(kind="tot", days=1, title="ToT Khulna")
    person = await create_person("Nasrin Akter", email="nasrin@example.org", organisation="=HYPERLINK()")
    await issue.issue_one(coordinator, tot_id, await create_registration(tot_id, person, attend=tot_sessions))
    import datetime as dt

    later, later_sessions = await create_event_with_sessions(days=1, title="Jashore workshop",
                                                             start=dt.date(2026, 12, 10))
    await create_registration(later, person, role="trainer", attend=later_sessions)
    for _ in range(2):
        await create_registration(later, attend=later_sessions)
    await create_registration(later)  # registered, never came
    from portal.certificates.tables import PoolMember

    return (await PoolMember.select(PoolMember.id).first())["id"]


async def test_pool_member_page_shows_trainings_delivered(staff_client, pool_member):
    response = await staff_client.get(f"/manage/pool/{pool_member}")
    assert "Jashore workshop" in response.text
    assert "2 participants attended" in response.text


@pytest.mark.parametrize(("query", "shown"), [("status=active", True), ("status=inactive", False),
                                              ("district=khulna", True), ("district=sylhet", False)])
async def test_pool_list_filters(staff_client, pool_member, query, shown):
    response = await staff_client.get(f"/manage/pool?{query}", headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert ("Nasrin Akter" in response.text) is shown


async def test_pool_csv_export_reads_back_with_formulas_neutralised(staff_client, pool_member):
    response = await staff_client.get("/manage/pool/export")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["Name"] == "Nasrin Akter"
    assert rows[0]["Organisation"] == "'=HYPERLINK()"


async def test_invite_creates_a_trainer_and_shows_a_one_time_link(staff_client, pool_member):
    from portal.auth.tables import User

    response = await staff_client.post(f"/manage/pool/{pool_member}/invite")
    assert response.status_code == 200
    assert "/link/" in response.text
    assert (await User.select(User.role).where(User.email == "nasrin@example.org").first())["role"] == "trainer"


async def test_status_change_is_saved(staff_client, pool_member):
    from portal.certificates.tables import PoolMember

    await staff_client.post(f"/manage/pool/{pool_member}/status", data={"status": "inactive"})
    assert (await PoolMember.select(PoolMember.status).first())["status"] == "inactive"
