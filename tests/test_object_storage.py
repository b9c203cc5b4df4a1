"""The features whose files one request writes and another reads, with the object store as storage
(a real S3 server, moto's): materials (Range, ETag, de-duplication, packs), export jobs and import
uploads. Nothing of theirs lands in the data folder."""

from __future__ import annotations

import hashlib
import io
import zipfile

import openpyxl
import pytest

from portal.core.storage import make_storage
from portal.trainings.tables import MaterialVersion
from tests.helpers import job_finished, with_s3
from tests.trainings.uploads import pdf_bytes

pytestmark = pytest.mark.anyio
CONTENT = pdf_bytes(300_001)


@pytest.fixture
async def settings(settings, s3_server):
    """Every test here stores its files in a fresh bucket."""
    return await with_s3(settings, s3_server)


@pytest.fixture
async def bucket(settings):
    """The test's storage, to look inside the bucket."""
    storage = make_storage(settings)
    yield storage
    await storage.close()


async def _keys(storage, prefix: str) -> list[str]:
    return sorted([item.key async for item in storage.list(prefix)])


def _local_files(settings) -> list[str]:
    return sorted(str(p.relative_to(settings.data_dir)) for p in settings.data_dir.rglob("*")
                  if p.is_file() and p.name != "portal.sqlite3" and not p.name.startswith("portal.sqlite3-"))


@pytest.fixture
async def course_id(staff_client):
    response = await staff_client.post("/manage/courses", data={"title": "Reintegration"})
    return int(response.headers["location"].rsplit("/", 1)[1])


async def _upload(client, course_id: int, content: bytes, title: str = "Manual"):
    return await client.post(f"/manage/courses/{course_id}/materials",
                             data={"title": title, "audience": "trainers", "language": "en"},
                             files={"file": ("manual.pdf", content, "application/pdf")})


async def test_a_material_is_stored_once_by_hash_and_resumes_with_ranges(staff_client, course_id, bucket, settings):
    assert (await _upload(staff_client, course_id, CONTENT)).status_code == 303
    assert (await _upload(staff_client, course_id, CONTENT, title="Same bytes again")).status_code == 303
    digest = hashlib.sha256(CONTENT).hexdigest()
    assert await _keys(bucket, "materials") == [f"materials/{digest[:2]}/{digest}"]  # de-duplicated
    assert _local_files(settings) == []  # the temporary upload went, nothing stayed on this machine
    version = await MaterialVersion.select().first()
    url = f"/materials/versions/{version['id']}"
    cut = 200_003
    first = await staff_client.get(url, headers={"Range": f"bytes=0-{cut - 1}"})
    assert first.status_code == 206 and first.headers["content-range"] == f"bytes 0-{cut - 1}/{len(CONTENT)}"
    rest = await staff_client.get(url, headers={"Range": f"bytes={cut}-", "If-Range": first.headers["etag"]})
    assert rest.status_code == 206 and first.content + rest.content == CONTENT
    assert (await staff_client.get(url, headers={"If-None-Match": f'"{digest}"'})).status_code == 304
    pack = await staff_client.get(f"/courses/{course_id}/pack")
    assert pack.status_code == 200
    with zipfile.ZipFile(io.BytesIO(pack.content)) as archive:
        assert [archive.read(name) for name in archive.namelist()] == [CONTENT, CONTENT]


async def test_an_export_job_puts_its_file_in_the_store(staff_client, bucket, settings):
    answer = await staff_client.post("/manage/reports/jobs", data={"format": "xlsx", "shape": "long"})
    assert "Ready: 0 rows" in await job_finished(staff_client, answer.headers["location"])
    job_id = int(answer.headers["location"].rstrip("/").rsplit("/", 1)[1])
    assert await _keys(bucket, "exports") == [f"exports/job-{job_id}.xlsx"]
    assert _local_files(settings) == []  # written on this machine's disk, then moved into the store
    download = await staff_client.get(f"/manage/reports/jobs/{job_id}/download")
    assert download.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(download.content)).active.max_row == 1  # the header row


async def test_an_import_upload_is_kept_in_the_store_until_the_commit(staff_client, bucket, settings, create_user):
    created = await staff_client.post("/manage/events", data={
        "kind": "district_workshop", "title": "Workshop", "district": "khulna", "start_date": "2026-12-20",
        "end_date": "2026-12-20", "venue": "Hall", "capacity": "30", "completion_percent": "100"})
    assert created.status_code == 303, created.text
    event_id = int(created.headers["location"].rstrip("/").rsplit("/", 1)[1])
    csv = b"Name,Phone\nRahima Begum,01711234567\n"
    preview = await staff_client.post(f"/manage/events/{event_id}/import/",
                                      files={"file": ("people.csv", csv, "text/csv")})
    assert preview.status_code == 200, preview.text
    [key] = await _keys(bucket, "imports")
    assert key.startswith(f"imports/{event_id}-") and _local_files(settings) == []
    upload_id = key.removeprefix(f"imports/{event_id}-").removesuffix(".json")
    commit = await staff_client.post(f"/manage/events/{event_id}/import/{upload_id}/commit",
                                     data={"map_name": "0", "map_phone": "1"})
    assert commit.status_code == 303, commit.text
    assert await _keys(bucket, "imports") == []
