"""Backup and restore (`make backup` / `make restore`): a real pg_dump of the test database and its
attachments, restored into a fresh database and folder, compared; a damaged archive refused.

PostgreSQL only, like the feature: CI (`.ci/run`) runs the suite on PostgreSQL, so these run there.
"""

import json
import secrets
import tarfile
from pathlib import Path

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from cases import services
from cases.models import Attachment, Case, Child
from config import backup as backup_module
from tests import factories as f

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="backup and restore are PostgreSQL-only"),
]

PDF = b"%PDF-1.4\n% synthetic attachment for the backup test\n" + secrets.token_bytes(2048)


def _server_params() -> dict:
    params = backup_module.database_params(connection.settings_dict)
    params["dbname"] = "postgres"
    return params


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped afterwards."""
    name = f"sigap_restore_{secrets.token_hex(4)}"
    admin = backup_module._connect(_server_params())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url_db = dict(connection.settings_dict, NAME=name)
    yield url_db
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def seeded(transactional_db, settings, tmp_path):
    """Committed data (pg_dump sees only what is committed) and two attachments on disk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    bob = f.PetugasFactory(username="bob")
    case = f.make_case(actor=bob)
    f.make_case(actor=bob, risk="tinggi")
    for name in ("surat.pdf", "visum.pdf"):
        services.case_add_attachment(
            actor=bob,
            case=case,
            upload=SimpleUploadedFile(name, PDF + name.encode()),
            kind=Attachment.Kind.DOCUMENT,
            content_type="application/pdf",
        )
    return {"case": case, "media": settings.MEDIA_ROOT}


def _count(db: dict, table: str) -> int:
    conn = psycopg2.connect(**{k: v for k, v in backup_module.database_params(db).items() if v})
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - the test's own names
            return cursor.fetchone()[0]
    finally:
        conn.close()


def test_a_backup_restores_into_a_fresh_database_and_folder_with_the_same_rows_and_files(
    seeded, fresh_database, tmp_path, capsys
):
    archive = tmp_path / "backup.tar"
    call_command("sigap_backup", output=str(archive))
    assert archive.stat().st_mode & 0o777 == 0o600  # children's data: the owner alone may read it

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database"]["tables"]["public.cases_case"] == 2
    assert manifest["database"]["tables"]["public.cases_attachment"] == 2
    assert "cases.0001_initial" in manifest["database"]["migrations"]
    assert len(manifest["media"]["files"]) == 2

    restored_media = tmp_path / "restored-media"
    url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
        **{k: fresh_database.get(k) or "" for k in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
    ).replace(":@", "@")
    call_command("sigap_restore", str(archive), database_url=url, media_root=str(restored_media))
    out = capsys.readouterr().out
    assert "Restore verified" in out

    # Compared here too, not only by the command's own check.
    assert _count(fresh_database, "cases_case") == Case.objects.count() == 2
    assert _count(fresh_database, "cases_child") == Child.objects.count()
    assert _count(fresh_database, "accounts_auditevent") > 0
    for attachment in Attachment.objects.all():
        original = Path(seeded["media"]) / attachment.file.name
        copy = restored_media / attachment.file.name
        assert copy.read_bytes() == original.read_bytes()


def test_a_restore_refuses_a_database_that_is_not_empty(seeded, tmp_path):
    archive = tmp_path / "backup.tar"
    call_command("sigap_backup", output=str(archive))
    with pytest.raises(CommandError, match="is not empty"):
        # The test database itself: full of tables.
        call_command("sigap_restore", str(archive), media_root=str(tmp_path / "empty"))
    assert Case.objects.count() == 2


def test_a_restore_refuses_a_folder_that_is_not_empty(seeded, fresh_database, tmp_path):
    archive = tmp_path / "backup.tar"
    call_command("sigap_backup", output=str(archive))
    with pytest.raises(backup_module.BackupError, match="target folder .* is not empty"):
        backup_module.restore(
            archive=archive, db=fresh_database, media_root=seeded["media"], say=lambda _: None
        )
    assert _count(fresh_database, "pg_catalog.pg_tables WHERE schemaname = 'public'") == 0


def _corrupt(archive: Path, member: str) -> None:
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member).offset_data
    with archive.open("r+b") as handle:
        handle.seek(offset + 100)
        byte = handle.read(1)
        handle.seek(offset + 100)
        handle.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.parametrize("member", ["database.dump", "media"])
def test_a_damaged_archive_is_refused_with_a_clear_message_and_nothing_restored(
    seeded, fresh_database, tmp_path, member
):
    archive = tmp_path / "backup.tar"
    call_command("sigap_backup", output=str(archive))
    if member == "media":
        with tarfile.open(archive) as tar:
            member = next(m.name for m in tar.getmembers() if m.name.startswith("media/"))
    _corrupt(archive, member)

    with pytest.raises(
        CommandError, match=rf"damaged: {member}: does not match its SHA-256.*Nothing was restored"
    ):
        call_command("sigap_restore", str(archive), "--check")
    with pytest.raises(backup_module.BackupError, match="Nothing was restored"):
        backup_module.restore(
            archive=archive, db=fresh_database, media_root=tmp_path / "restored", say=lambda _: None
        )
    assert _count(fresh_database, "pg_catalog.pg_tables WHERE schemaname = 'public'") == 0
    assert not (tmp_path / "restored").exists()


def test_a_truncated_archive_is_refused(seeded, tmp_path):
    archive = tmp_path / "backup.tar"
    call_command("sigap_backup", output=str(archive))
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(CommandError, match="damaged"):
        call_command("sigap_restore", str(archive), "--check")


def test_an_unrelated_file_is_not_taken_for_an_archive(tmp_path, db):
    archive = tmp_path / "notes.tar"
    archive.write_bytes(b"this is not an archive at all" * 100)
    with pytest.raises(CommandError, match="not a SIGAP backup"):
        call_command("sigap_restore", str(archive), "--check")


def test_backup_says_clearly_that_sqlite_is_not_supported(tmp_path):
    with pytest.raises(backup_module.BackupError, match="PostgreSQL only"):
        backup_module.backup(
            db={"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"},
            media_root=tmp_path,
            output=tmp_path / "x.tar",
        )
