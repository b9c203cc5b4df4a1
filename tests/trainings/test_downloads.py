"""Serving files: content type, ETag/304, Range (206, resume, If-Range, 416), the download log."""

import hashlib
import io
import zipfile

import pytest

from portal.trainings import materials, services
from portal.trainings.files import Store
from portal.trainings.tables import Download
from tests.trainings.uploads import latest_version, pdf_bytes, upload

pytestmark = pytest.mark.anyio

CONTENT = pdf_bytes(200_001)  # odd size: 80% is not a chunk boundary


@pytest.fixture
async def version(create_user, settings):
    coordinator = await create_user("coordinator")
    course_id = await services.create_course({"title": "Reintegration"}, coordinator.actor())
    material_id = await upload(settings, course_id, coordinator, content=CONTENT, file_name="manual.pdf")
    return await latest_version(material_id)


@pytest.fixture
async def browser(client, login, create_user):
    return await login(client, await create_user("coordinator"))


def url(version):
    return f"/materials/versions/{version['id']}"


async def test_full_download_headers(browser, version):
    response = await browser.get(url(version))
    assert response.status_code == 200
    assert response.content == CONTENT
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["etag"] == f'"{hashlib.sha256(CONTENT).hexdigest()}"'
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-length"] == str(len(CONTENT))
    assert response.headers["content-disposition"] == 'attachment; filename="manual.pdf"'


async def test_if_none_match_gives_304_without_a_body(browser, version):
    etag = (await browser.get(url(version))).headers["etag"]
    response = await browser.get(url(version), headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""


async def test_a_different_etag_gets_the_file(browser, version):
    response = await browser.get(url(version), headers={"If-None-Match": '"something-else"'})
    assert response.status_code == 200 and response.content == CONTENT


async def test_resume_after_80_percent_gives_identical_bytes(browser, version):
    cut = int(len(CONTENT) * 0.8)
    first = await browser.get(url(version), headers={"Range": f"bytes=0-{cut - 1}"})
    assert first.status_code == 206
    assert first.headers["content-range"] == f"bytes 0-{cut - 1}/{len(CONTENT)}"
    etag = first.headers["etag"]
    rest = await browser.get(url(version), headers={"Range": f"bytes={cut}-", "If-Range": etag})
    assert rest.status_code == 206
    assert rest.headers["content-range"] == f"bytes {cut}-{len(CONTENT) - 1}/{len(CONTENT)}"
    assert rest.headers["content-length"] == str(len(CONTENT) - cut)
    assert first.content + rest.content == CONTENT


async def test_if_range_with_a_stale_etag_sends_the_whole_file(browser, version):
    response = await browser.get(url(version), headers={"Range": "bytes=100-", "If-Range": '"old-version"'})
    assert response.status_code == 200 and response.content == CONTENT


async def test_suffix_range(browser, version):
    response = await browser.get(url(version), headers={"Range": "bytes=-100"})
    assert response.status_code == 206 and response.content == CONTENT[-100:]


@pytest.mark.parametrize("header", [f"bytes={len(CONTENT)}-", f"bytes={len(CONTENT) + 5}-{len(CONTENT) + 10}",
                                    "bytes=-0", "bytes=50-10"])
async def test_unsatisfiable_range_is_416(browser, version, header):
    response = await browser.get(url(version), headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(CONTENT)}"


@pytest.mark.parametrize("header", ["bytes=0-10,20-30", "items=0-10", "bytes=abc"])
async def test_ranges_we_do_not_serve_get_the_whole_file(browser, version, header):
    response = await browser.get(url(version), headers={"Range": header})
    assert response.status_code == 200 and response.content == CONTENT


async def test_every_download_is_logged_with_who_and_which_version(browser, version):
    await browser.get(url(version))
    entries = await Download.select()
    assert len(entries) == 1
    entry = entries[0]
    assert (entry["version"], entry["material"], entry["via"], entry["range_start"]) == (
        version["id"], version["material"], "direct", 0)
    assert entry["user"] is not None and entry["at"] is not None


async def test_a_resumed_download_is_logged_but_counted_once(browser, version):
    cut = int(len(CONTENT) * 0.8)
    await browser.get(url(version), headers={"Range": f"bytes=0-{cut - 1}"})
    await browser.get(url(version), headers={"Range": f"bytes={cut}-"})
    assert [e["range_start"] for e in await Download.select().order_by(Download.id)] == [0, cut]
    page = await browser.get(f"/manage/materials/{version['material']}")
    assert "<dt>Downloads</dt><dd>1</dd>" in page.text


async def test_304_is_not_logged(browser, version):
    etag = (await browser.get(url(version))).headers["etag"]
    await browser.get(url(version), headers={"If-None-Match": etag})
    assert await Download.count() == 1


async def test_ticket_downloads_are_logged_with_the_token(course_world, client):
    token = course_world["tickets"]["ticket"]
    version_id = course_world["materials"]["participants"]["version"]
    response = await client.get(f"/t/{token}/materials/{version_id}", headers={"Range": "bytes=0-9"})
    assert response.status_code == 206
    entry = await Download.select().first()
    assert (entry["ticket_token"], entry["user"], entry["via"]) == (token, None, "ticket")


def _unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


async def test_pack_holds_the_latest_file_of_each_material_by_module(course_world, as_user, settings):
    coordinator = course_world["users"]["coordinator"]
    course_id = course_world["course_id"]
    extra = await upload(settings, course_id, coordinator, content=pdf_bytes(3000, b"old"), file_name="guide.pdf",
                         title="Course guide")
    newer = pdf_bytes(3500, b"new")
    await materials.add_version(Download._meta.db, extra, materials.Upload("guide.pdf", io.BytesIO(newer)),
                                Store.for_settings(settings), 10**7, coordinator.actor())
    client = await as_user(course_world["users"]["pool_trainer"])
    response = await client.get(f"/courses/{course_id}/pack")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    files = _unzip(response.content)
    assert sorted(files) == ["01 Reintegration basics/participants.pdf", "01 Reintegration basics/public.pdf",
                             "01 Reintegration basics/trainers.pdf", "Course/guide.pdf"]
    assert files["Course/guide.pdf"] == newer
    assert await Download.count().where(Download.via == "pack") == 4


async def test_module_pack_and_participant_view(course_world, as_user):
    client = await as_user(course_world["users"]["assigned_trainer"])
    url_ = f"/courses/{course_world['course_id']}/pack?module={course_world['module_id']}"
    files = _unzip((await client.get(url_)).content)
    assert len(files) == 3 and all(name.startswith("01 Reintegration basics/") for name in files)


@pytest.mark.parametrize("module", ["999999", "abc"])
async def test_pack_of_an_unknown_module_is_404(course_world, as_user, module):
    client = await as_user(course_world["users"]["coordinator"])
    response = await client.get(f"/courses/{course_world['course_id']}/pack?module={module}")
    assert response.status_code == 404


async def test_changed_badge_follows_the_trainers_downloads(course_world, as_user, settings):
    client = await as_user(course_world["users"]["pool_trainer"])
    page_url = f"/courses/{course_world['course_id']}"
    assert (await client.get(page_url)).text.count("New for you") == 3
    for audience in ("trainers", "participants", "public"):
        await client.get(f"/materials/versions/{course_world['materials'][audience]['version']}")
    page = await client.get(page_url)
    assert "New for you" not in page.text and "Updated since your download" not in page.text
    await materials.add_version(Download._meta.db, course_world["materials"]["trainers"]["material"],
                                materials.Upload("trainers-v2.pdf", io.BytesIO(pdf_bytes(900, b"v2"))),
                                Store.for_settings(settings), 10**7, course_world["users"]["coordinator"].actor())
    assert (await client.get(page_url)).text.count("Updated since your download") == 1
