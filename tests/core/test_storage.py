"""The storage interface behaves the same in the data folder and in a real S3 server (moto's)."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from portal.core.storage import LocalStorage, StorageError, make_storage
from portal.core.storage_s3 import PART_SIZE, S3Storage, parse_url
from portal.settings import Settings, SettingsError
from tests.helpers import with_s3

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["local", "s3"])
async def storage(request, tmp_path, settings, s3_server):
    if request.param == "local":
        yield LocalStorage(tmp_path / "data")
        return
    store = make_storage(await with_s3(settings, s3_server))
    assert isinstance(store, S3Storage)
    yield store
    await store.close()


async def _read(storage, key, start=0, end=None) -> bytes:
    return b"".join([chunk async for chunk in storage.read(key, start, end)])


async def test_bytes_round_trip_with_ranges_and_delete(storage, tmp_path):
    await storage.put_bytes("imports/1-abc.json", b'{"rows": []}')
    assert await storage.size("imports/1-abc.json") == 12 and await storage.exists("imports/1-abc.json")
    assert await storage.read_bytes("imports/1-abc.json") == b'{"rows": []}'
    assert await _read(storage, "imports/1-abc.json", 2, 5) == b"rows"
    assert await _read(storage, "imports/1-abc.json", 10) == b"]}"
    await storage.delete("imports/1-abc.json")
    await storage.delete("imports/1-abc.json")  # gone already: no error
    assert await storage.size("imports/1-abc.json") is None
    with pytest.raises(FileNotFoundError):
        await storage.read_bytes("imports/1-abc.json")


async def test_a_large_file_goes_up_in_parts_and_comes_back_in_chunks(storage, tmp_path):
    source = tmp_path / "big.bin"
    data = os.urandom(PART_SIZE + 123_457)  # more than one part of a multipart upload
    source.write_bytes(data)
    await storage.put_file("exports/job-1.xlsx", source)
    assert not source.exists()  # consumed
    assert await storage.size("exports/job-1.xlsx") == len(data)
    chunks = [chunk async for chunk in storage.read("exports/job-1.xlsx")]
    assert len(chunks) > 1 and max(map(len, chunks)) <= 256 * 1024 and b"".join(chunks) == data
    middle = await _read(storage, "exports/job-1.xlsx", PART_SIZE - 10, PART_SIZE + 9)
    assert middle == data[PART_SIZE - 10:PART_SIZE + 10]


async def test_listing_gives_keys_sizes_and_dates_under_a_prefix(storage, clock):
    await storage.put_bytes("imports/1-a.json", b"1", modified=clock.now())
    await storage.put_bytes("imports/2-b.json", b"22", modified=clock.now())
    await storage.put_bytes("exports/job-1.csv", b"333")
    found = {item.key: item for item in [item async for item in storage.list("imports")]}
    assert {key: item.size for key, item in found.items()} == {"imports/1-a.json": 1, "imports/2-b.json": 2}
    assert all(isinstance(item.modified, dt.datetime) and item.modified.tzinfo for item in found.values())
    assert [item async for item in storage.list("nothing-here")] == []


@pytest.mark.parametrize("key", ["../secret_key", "materials/../../etc/passwd", "/etc/passwd", "a//b", ""])
async def test_keys_cannot_leave_the_store(storage, key):
    with pytest.raises(ValueError):
        await storage.put_bytes(key, b"x")


async def test_local_files_are_private_and_dated_by_the_portal_clock(tmp_path, clock):
    storage = LocalStorage(tmp_path / "data")
    when = clock.now() - dt.timedelta(hours=5)
    await storage.put_bytes("imports/1-a.json", b"x", modified=when)
    path = tmp_path / "data" / "imports" / "1-a.json"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "data" / "imports").stat().st_mode & 0o777) == "0o700"
    assert [item.modified async for item in storage.list("imports")] == [when.astimezone(dt.UTC)]


async def test_objects_live_under_the_urls_prefix(s3_settings):
    storage = make_storage(s3_settings)
    try:
        await storage.put_bytes("materials/ab/abc", b"x")
        client = await storage.client()
        listed = await client.list_objects_v2(Bucket=storage.bucket)
        assert [item["Key"] for item in listed["Contents"]] == ["files/materials/ab/abc"]
        assert "test" not in storage.describe() and storage.describe().startswith("the object store s3://portal-")
    finally:
        await storage.close()


async def test_a_store_that_refuses_says_so(s3_settings):
    import dataclasses

    storage = make_storage(dataclasses.replace(s3_settings, storage_url="s3://no-such-bucket-here"))
    try:
        with pytest.raises(StorageError, match="Writing materials/x to the object store failed"):
            await storage.put_bytes("materials/x", b"x")
    finally:
        await storage.close()


def test_storage_settings_come_from_the_environment(tmp_path):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "k" * 40, "PORTAL_STORAGE_URL": "s3://bucket/portal",
           "PORTAL_S3_ENDPOINT_URL": "http://127.0.0.1:9000", "PORTAL_S3_REGION": "eu-west-1",
           "PORTAL_S3_ACCESS_KEY_ID": "id", "PORTAL_S3_SECRET_ACCESS_KEY": "secret"}
    settings = Settings.from_env(env)
    assert (settings.storage_url, settings.s3_endpoint_url, settings.s3_region) == (
        "s3://bucket/portal", "http://127.0.0.1:9000", "eu-west-1")
    assert parse_url(settings.storage_url) == ("bucket", "portal")
    assert isinstance(make_storage(Settings.from_env({**env, "PORTAL_STORAGE_URL": ""})), LocalStorage)
    for bad in ("http://bucket", "s3://", "/srv/files"):
        with pytest.raises(SettingsError, match="PORTAL_STORAGE_URL"):
            Settings.from_env({**env, "PORTAL_STORAGE_URL": bad})
