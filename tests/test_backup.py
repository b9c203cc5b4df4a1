import tarfile

import pytest

from portal.backup import BackupError, backup, restore
from portal.db import stop_engine
from portal.events.tables import Participant

pytestmark = pytest.mark.anyio


async def test_backup_and_restore_round_trip_with_uploaded_files(settings, db):
    await Participant.insert(Participant(name="Rahima Begum", name_bn="রহিমা বেগম", phone="+8801711234567"))
    uploads = settings.data_dir / "materials" / "ab"
    uploads.mkdir(parents=True)
    (uploads / "abcdef").write_bytes(b"manual v1")
    archive = backup(settings)
    assert archive.name.startswith("portal-backup-") and archive.suffixes[-2:] == [".tar", ".gz"]

    await Participant.delete(force=True)
    await Participant.insert(Participant(name="Added after the backup"))
    (uploads / "abcdef").unlink()
    await stop_engine(db)  # the server is stopped for a restore

    restore(settings, archive)
    names = [row["name"] for row in await Participant.select(Participant.name)]
    assert names == ["Rahima Begum"]
    assert (uploads / "abcdef").read_bytes() == b"manual v1"


async def test_backup_skips_its_own_folder_and_the_live_database_files(settings, db):
    first = backup(settings)
    second = backup(settings)
    with tarfile.open(second) as tar:
        names = tar.getnames()
    assert not any("backups" in name for name in names)
    assert not any(name.endswith(("-wal", "-shm")) for name in names)
    assert first != second or first.exists()


def test_restore_refuses_unsafe_archives(settings, tmp_path):
    evil = tmp_path / "evil.tar.gz"
    payload = tmp_path / "payload"
    payload.write_text("x")
    with tarfile.open(evil, "w:gz") as tar:
        tar.add(payload, arcname="../../etc/cron.d/evil")
    with pytest.raises(BackupError, match="unsafe"):
        restore(settings, evil)


def test_restore_refuses_an_archive_without_a_database(settings, tmp_path):
    empty = tmp_path / "empty.tar.gz"
    with tarfile.open(empty, "w:gz"):
        pass
    with pytest.raises(BackupError, match="no database"):
        restore(settings, empty)


def test_restore_of_a_missing_file_is_a_clear_error(settings, tmp_path):
    with pytest.raises(BackupError, match="No such archive"):
        restore(settings, tmp_path / "nope.tar.gz")


async def test_with_an_object_store_the_archive_and_the_commands_say_where_the_files_are(settings, db, capsys,
                                                                                          monkeypatch):
    import dataclasses

    from portal.__main__ import main

    archive = backup(dataclasses.replace(settings, storage_url="s3://portal-files/prod"))
    with tarfile.open(archive) as tar:
        note = tar.extractfile("OBJECT-STORE.txt").read().decode()
    assert "s3://portal-files/prod, not in this archive" in note and "store's own tools" in note
    with tarfile.open(backup(settings)) as tar:
        assert "OBJECT-STORE.txt" not in tar.getnames()
    await stop_engine(db)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("PORTAL_STORAGE_URL", "s3://portal-files/prod")
    main(["backup"])
    assert "not in this archive: back the bucket up" in capsys.readouterr().out
