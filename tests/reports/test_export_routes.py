"""Routes of the attendance export: the form, downloads, district scope and the background job."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from portal.reports import controllers
from tests.helpers import job_finished, next_second

pytestmark = pytest.mark.anyio


async def test_form_page_shows_the_row_count(staff_client, attendance_world):
    response = await staff_client.get("/manage/reports/attendance?district=dhaka")
    assert response.status_code == 200
    assert "4 rows" in response.text and "<form" in response.text


async def test_form_fragment_is_the_summary_alone(staff_client, attendance_world):
    response = await staff_client.get("/manage/reports/attendance?district=dhaka", headers={"HX-Request": "true"})
    assert "4 rows" in response.text and "<html" not in response.text


async def test_bad_filter_is_a_400_with_the_field_marked(staff_client):
    response = await staff_client.get("/manage/reports/attendance/export?district=atlantis")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text


async def test_csv_download_is_an_attachment_named_for_its_filter(staff_client, attendance_world):
    response = await staff_client.get("/manage/reports/attendance/export?district=dhaka&format=csv")
    assert response.headers["content-disposition"] == 'attachment; filename="attendance-long_dhaka.csv"'
    assert len(list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))) == 4


async def test_xlsx_download_reads_back(staff_client, attendance_world):
    response = await staff_client.get("/manage/reports/attendance/export?format=xlsx&shape=wide")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1 + 4


async def test_the_same_filter_downloads_the_same_file(staff_client, attendance_world):
    urls = [f"/manage/reports/attendance/export?district=dhaka&format={fmt}" for fmt in ("csv", "xlsx")]
    first = [await staff_client.get(url) for url in urls]
    await next_second()
    for url, earlier in zip(urls, first, strict=True):
        again = await staff_client.get(url)
        assert again.status_code == earlier.status_code == 200
        assert again.headers["content-disposition"] == earlier.headers["content-disposition"]
        assert again.content == earlier.content


async def test_organizer_export_is_limited_to_their_districts(client, login, create_user, attendance_world):
    await login(client, await create_user("organizer", districts=("sylhet",)))
    response = await client.get("/manage/reports/attendance/export")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["Event district"] for r in rows} == {"Sylhet"}


async def test_organizer_cannot_export_an_event_outside_their_districts(client, login, create_user,
                                                                       attendance_world):
    await login(client, await create_user("organizer", districts=("sylhet",)))
    response = await client.get(f"/manage/reports/attendance/export?event={attendance_world['dhaka']}")
    assert response.status_code == 404


async def test_big_xlsx_is_refused_as_a_download(staff_client, attendance_world, monkeypatch):
    monkeypatch.setattr(controllers, "XLSX_DIRECT_LIMIT", 2)
    response = await staff_client.get("/manage/reports/attendance/export?format=xlsx")
    assert response.status_code == 409
    assert "Prepare the workbook" in response.text


async def test_job_writes_the_workbook_and_offers_the_download(staff_client, attendance_world):
    response = await staff_client.post("/manage/reports/jobs", data={"format": "xlsx", "district": "dhaka"})
    assert response.status_code == 303
    job_url = response.headers["location"]
    text = await job_finished(staff_client, job_url)
    assert "Ready: 4 rows" in text
    download = await staff_client.get(job_url + "/download")
    assert openpyxl.load_workbook(io.BytesIO(download.content)).active.max_row == 5
    assert "attendance-long_dhaka.xlsx" in download.headers["content-disposition"]


async def test_job_page_polls_while_it_runs(staff_client, attendance_world):
    response = await staff_client.post("/manage/reports/jobs", data={"format": "xlsx"})
    page = await staff_client.get(response.headers["location"])
    assert "<html" in page.text and 'id="job-' in page.text
    await job_finished(staff_client, response.headers["location"])


async def test_another_users_job_is_hidden(staff_client, client, attendance_world, login, create_user):
    response = await staff_client.post("/manage/reports/jobs", data={"format": "xlsx"})
    job_url = response.headers["location"]
    await job_finished(staff_client, job_url)
    await login(staff_client, await create_user("coordinator"))
    assert (await staff_client.get(job_url)).status_code == 404


async def test_csv_content_type_names_the_charset_once(staff_client, attendance_world):
    response = await staff_client.get("/manage/reports/attendance/export?district=dhaka&format=csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"


async def test_pool_csv_and_calendar_name_the_charset_once(staff_client, attendance_world):
    assert (await staff_client.get("/manage/pool/export")).headers["content-type"] == "text/csv; charset=utf-8"
    assert (await staff_client.get("/calendar.ics")).headers["content-type"] == "text/calendar; charset=utf-8"
