"""The file rules without HTTP: display names, Range planning, atomic storage."""

import io

import pytest

from portal.core.storage import LocalStorage
from portal.trainings.files import FileRefused, Store, display_name
from portal.trainings.serving import Plan, plan

SIZE, ETAG = 1000, '"abc"'


@pytest.mark.parametrize(("raw", "shown"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\manual.pdf", "manual.pdf"),
    ("সহায়িকা.pdf", "সহায়িকা.pdf"),
    ("..", ""),
    ("name\x00.pdf", "name_.pdf"),
    ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
])
def test_display_name(raw, shown):
    assert display_name(raw) == shown


@pytest.mark.parametrize(("headers", "expected"), [
    ({}, Plan(200, 0, 999)),
    ({"range": "bytes=0-499"}, Plan(206, 0, 499)),
    ({"range": "bytes=500-"}, Plan(206, 500, 999)),
    ({"range": "bytes=900-5000"}, Plan(206, 900, 999)),
    ({"range": "bytes=-10"}, Plan(206, 990, 999)),
    ({"range": "bytes=1000-"}, Plan(416)),
    ({"range": "bytes=5-1", "if-range": ETAG}, Plan(416)),
    ({"range": "bytes=5-", "if-range": '"other"'}, Plan(200, 0, 999)),
    ({"if-none-match": ETAG, "range": "bytes=0-1"}, Plan(304)),
    ({"if-none-match": f'"x", W/{ETAG}'}, Plan(304)),
])
def test_plan(headers, expected):
    assert plan(headers, SIZE, ETAG) == expected


def test_store_refuses_oversize_and_leaves_no_temp_file(tmp_path):
    store = Store(LocalStorage(tmp_path), tmp_path / "tmp")
    with pytest.raises(FileRefused) as excinfo:
        store.receive(io.BytesIO(b"x" * 2000), max_bytes=1000)
    assert excinfo.value.code == "too_large"
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.anyio
async def test_store_names_files_by_hash_only(tmp_path):
    store = Store(LocalStorage(tmp_path), tmp_path / "tmp")
    tmp, digest, size = store.receive(io.BytesIO(b"hello"), max_bytes=1000)
    stored = await store.commit(tmp, digest, size)
    path = tmp_path / "materials" / digest[:2] / digest
    assert stored.key == f"materials/{digest[:2]}/{digest}" and path.read_bytes() == b"hello"
    assert list((tmp_path / "tmp").iterdir()) == []
    with pytest.raises(ValueError):
        store.key_for("../../etc/passwd")
