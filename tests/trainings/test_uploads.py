"""Uploads: types by content, size limit, empty files, odd names, versions, storage by hash."""

import dataclasses
import hashlib

import httpx
import pytest

from portal.app import create_app
from portal.core.tables import AuditEntry
from portal.trainings.tables import Material, MaterialVersion, Module
from tests.trainings.uploads import latest_version, office_bytes, pdf_bytes, zip_bytes

pytestmark = pytest.mark.anyio

FIELDS = {"title": "Facilitator manual", "audience": "trainers", "language": "en"}


async def post_file(client, course_id, name, content, content_type="application/octet-stream", **fields):
    return await client.post(f"/manage/courses/{course_id}/materials", data={**FIELDS, **fields},
                             files={"file": (name, content, content_type)})


@pytest.fixture
async def course_id(staff_client):
    response = await staff_client.post("/manage/courses", data={"title": "Reintegration"})
    return int(response.headers["location"].rsplit("/", 1)[1])


@pytest.mark.parametrize(("name", "content"), [
    ("manual.pdf", pdf_bytes(2000)),
    ("slides.pptx", office_bytes("pptx")),
    ("sheet.xlsx", office_bytes("xlsx")),
    ("letter.docx", office_bytes("docx")),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(100)),
    ("photo.JPG", b"\xff\xd8\xff\xe0" + bytes(100)),
    ("talk.mp3", b"ID3\x04" + bytes(100)),
    ("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(100)),
    ("pack.zip", zip_bytes()),
])
async def test_accepted_types(staff_client, course_id, name, content):
    response = await post_file(staff_client, course_id, name, content)
    assert response.status_code == 303, response.text
    version = await MaterialVersion.select().first()
    assert (version["file_name"], version["size"]) == (name, len(content))


@pytest.mark.parametrize(("name", "content", "message"), [
    ("manual.pdf", b"MZ\x90\x00 this is a Windows program" + bytes(100), "not really a .pdf file"),
    ("manual.pdf", b"<html><script>alert(1)</script></html>", "not really a .pdf file"),
    ("report.docx", zip_bytes(), "not really a .docx document"),  # a ZIP, but not a Word document
    ("report.docx", pdf_bytes(500), "not really a .docx file"),
    ("tool.exe", b"MZ" + bytes(100), "Files ending .exe are not accepted"),
    ("noextension", pdf_bytes(500), "Files ending .(none) are not accepted"),
    ("broken.zip", b"PK\x03\x04 truncated", "damaged"),
])
async def test_refused_types_get_a_clear_422_and_nothing_is_saved(staff_client, course_id, settings, name, content,
                                                                  message):
    response = await post_file(staff_client, course_id, name, content)
    assert response.status_code == 422
    assert 'id="file-error"' in response.text and message in response.text
    assert await Material.count() == 0
    stored = [p for p in settings.materials_dir.rglob("*") if p.is_file()] if settings.materials_dir.exists() else []
    assert stored == []


async def test_empty_file_is_refused(staff_client, course_id):
    response = await post_file(staff_client, course_id, "manual.pdf", b"")
    assert response.status_code == 422 and "The file is empty." in response.text


async def test_missing_file_is_refused(staff_client, course_id):
    response = await staff_client.post(f"/manage/courses/{course_id}/materials", data=FIELDS)
    assert response.status_code == 422 and "Choose a file to upload." in response.text


async def test_bad_fields_are_reported_and_nothing_is_stored(staff_client, course_id, settings):
    response = await post_file(staff_client, course_id, "manual.pdf", pdf_bytes(500), audience="everyone", title="")
    assert response.status_code == 422
    assert 'id="audience-error"' in response.text and 'id="title-error"' in response.text
    assert not settings.materials_dir.exists() or not any(settings.materials_dir.rglob("*.pdf"))
    assert await Material.count() == 0


@pytest.fixture
async def small_limit_client(settings, db, login, create_user):
    """A portal whose upload limit is 1 MB."""
    app = create_app(dataclasses.replace(settings, max_upload_mb=1))
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            yield await login(client, await create_user("coordinator"))


async def test_oversize_file_gets_413_with_the_limit(small_limit_client):
    client = small_limit_client
    course = await client.post("/manage/courses", data={"title": "Reintegration"})
    course_id = int(course.headers["location"].rsplit("/", 1)[1])
    just_over = pdf_bytes(1024 * 1024 + 1)
    response = await post_file(client, course_id, "manual.pdf", just_over)
    assert response.status_code == 413
    assert "The file is larger than 1 MB." in response.text
    assert await Material.count() == 0


async def test_a_body_far_over_the_limit_is_refused_before_it_is_read(small_limit_client):
    client = small_limit_client
    course = await client.post("/manage/courses", data={"title": "Reintegration"})
    course_id = int(course.headers["location"].rsplit("/", 1)[1])
    response = await post_file(client, course_id, "manual.pdf", pdf_bytes(3 * 1024 * 1024))
    assert response.status_code == 413 and "The file is larger than 1 MB." in response.text


@pytest.mark.parametrize(("name", "shown"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\system.pdf", "system.pdf"),
    ("প্রশিক্ষক সহায়িকা.pdf", "প্রশিক্ষক সহায়িকা.pdf"),
    ('a"b<c>|d.pdf', "a_b_c_d.pdf"),
])
async def test_odd_names_are_kept_for_display_only(staff_client, course_id, settings, name, shown):
    content = pdf_bytes(3000)
    response = await post_file(staff_client, course_id, name, content)
    assert response.status_code == 303, response.text
    version = await MaterialVersion.select().first()
    assert version["file_name"] == shown
    digest = hashlib.sha256(content).hexdigest()
    assert version["sha256"] == digest
    files = [p for p in settings.materials_dir.rglob("*") if p.is_file()]
    assert files == [settings.materials_dir / digest[:2] / digest]  # stored by hash, nothing else written
    download = await staff_client.get(f"/materials/versions/{version['id']}")
    assert download.content == content


async def test_bangla_name_in_content_disposition(staff_client, course_id):
    await post_file(staff_client, course_id, "প্রশিক্ষক সহায়িকা.pdf", pdf_bytes(3000))
    version = await MaterialVersion.select().first()
    response = await staff_client.get(f"/materials/versions/{version['id']}")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "filename*=UTF-8''%E0%A6%AA" in disposition  # প, percent-encoded


async def test_new_version_keeps_history_and_latest_comes_first(staff_client, course_id):
    first, second = pdf_bytes(4000, b"v1"), pdf_bytes(5000, b"v2")
    location = (await post_file(staff_client, course_id, "manual.pdf", first)).headers["location"]
    material_id = int(location.rsplit("/", 1)[1])
    response = await staff_client.post(f"/manage/materials/{material_id}/versions",
                                       files={"file": ("manual-2026.pdf", second, "application/pdf")})
    assert response.status_code == 303
    versions = await MaterialVersion.select().order_by(MaterialVersion.number)
    assert [(v["number"], v["size"], v["sha256"]) for v in versions] == [
        (1, 4000, hashlib.sha256(first).hexdigest()), (2, 5000, hashlib.sha256(second).hexdigest())]
    page = await staff_client.get(f"/materials/{material_id}")
    assert page.text.index("manual-2026.pdf") < page.text.index("manual.pdf")
    old = await staff_client.get(f"/materials/versions/{versions[0]['id']}")
    assert old.content == first
    assert (await latest_version(material_id))["number"] == 2
    assert await AuditEntry.count().where(AuditEntry.action == "material.version") == 1


async def test_refused_new_version_keeps_the_current_one(staff_client, course_id):
    location = (await post_file(staff_client, course_id, "manual.pdf", pdf_bytes(4000))).headers["location"]
    material_id = int(location.rsplit("/", 1)[1])
    response = await staff_client.post(f"/manage/materials/{material_id}/versions",
                                       files={"file": ("manual.pdf", b"not a pdf at all", "application/pdf")})
    assert response.status_code == 422 and "not really a .pdf file" in response.text
    assert await MaterialVersion.count() == 1


async def test_module_must_belong_to_the_course(staff_client, course_id):
    other = await staff_client.post("/manage/courses", data={"title": "Other"})
    other_id = int(other.headers["location"].rsplit("/", 1)[1])
    await staff_client.post(f"/manage/courses/{other_id}/modules", data={"title": "Elsewhere"})
    module_id = (await Module.select().first())["id"]
    response = await post_file(staff_client, course_id, "manual.pdf", pdf_bytes(500), module=str(module_id))
    assert response.status_code == 422 and 'id="module-error"' in response.text
