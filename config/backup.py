"""Backup and restore of a SIGAP installation: the PostgreSQL database and the private media.

One archive (an uncompressed tar; the dump is compressed by pg_dump and the attachments are
PDFs and images already) holds:

* ``database.dump``: ``pg_dump --format=custom`` of the whole database;
* ``media/...``: every file under MEDIA_ROOT (the case attachments, exports);
* ``manifest.json``: what a restore must find again: the row count of every table (counted
  in the very snapshot pg_dump dumps, so a write during the backup cannot make them differ),
  the SHA-256 and size of the dump and of every file, SIGAP's version and the migrations
  applied.

A restore checks the whole archive against its manifest before it touches anything, refuses a
target database or folder that is not empty (unless told to replace it), restores the dump in
one transaction, copies the files, then counts and hashes again and reports.

PostgreSQL only: the demo's SQLite database (``make run``) is one file that is copied while
SIGAP is stopped. The archive holds children's data in clear: keep it only on encrypted
storage (README "Backup and restore").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import psycopg2
from django.conf import settings
from django.db.migrations.loader import MigrationLoader

FORMAT = "sigap-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Verification:
    """What a restore found against the manifest."""

    tables_checked: int = 0
    rows: int = 0
    files_checked: int = 0
    bytes: int = 0
    table_mismatches: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # {table: (want, got)}
    file_mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.table_mismatches and not self.file_mismatches


# --- connections ------------------------------------------------------------------------------


def database_params(db: dict) -> dict:
    """libpq parameters of a Django DATABASES entry (or of ``env.db_url`` of a URL)."""
    if db.get("ENGINE") != "django.db.backends.postgresql":
        raise BackupError(
            "Backup and restore work on PostgreSQL only (DATABASE_URL=postgres://...). "
            "The SQLite database of `make run` is the file db.sqlite3: stop SIGAP and copy it "
            "together with the private_media folder."
        )
    params = {
        "dbname": db.get("NAME") or "",
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
    }
    params["connect_timeout"] = str((db.get("OPTIONS") or {}).get("connect_timeout", 10))
    return params


def _connect(params: dict):
    return psycopg2.connect(**{k: v for k, v in params.items() if v})


def _pg_env(params: dict) -> dict:
    """The pg_dump/pg_restore environment: the password goes there, never on the command line."""
    names = {
        "dbname": "PGDATABASE",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "host": "PGHOST",
        "port": "PGPORT",
        "connect_timeout": "PGCONNECT_TIMEOUT",
    }
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    environment.update({names[k]: v for k, v in params.items() if v})
    return environment


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools (postgresql-client)."
        )
    return path


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
    )
    return [row[0] for row in cursor.fetchall()]


def _row_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor):
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - names from pg_tables, quoted
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations(cursor) -> list[str]:
    cursor.execute("SELECT to_regclass('public.django_migrations') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return []
    cursor.execute("SELECT app || '.' || name FROM django_migrations ORDER BY app, name")
    return [row[0] for row in cursor.fetchall()]


# --- files ------------------------------------------------------------------------------------


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _files_under(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def app_version() -> str:
    with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
        version = tomllib.load(handle)["project"]["version"]
    commit = os.environ.get("SIGAP_COMMIT", "")
    if not commit:
        try:
            commit = subprocess.run(  # noqa: S603 - a fixed command
                ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
        except OSError:
            commit = ""
    return f"{version}+{commit}" if commit else version


# --- backup -----------------------------------------------------------------------------------


def backup(*, db: dict, media_root: Path, output: Path, say: Callable[[str], None] = print) -> dict:
    """Write the archive to ``output`` (through a temporary name, so a half-written archive
    never carries the final name) and return its manifest."""
    params = database_params(db)
    pg_dump = _tool("pg_dump")
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} exists already; choose another file name.")
    output.parent.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="sigap-backup-") as work:
        dump_path = Path(work) / DUMP
        # Counts and dump from one snapshot: the transaction that exports it stays open until
        # pg_dump has finished.
        connection = _connect(params)
        try:
            connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                counts = _row_counts(cursor)
                migrations = _applied_migrations(cursor)
                say(f"Database {params['dbname']}: {len(counts)} tables, {sum(counts.values())} rows.")
                result = subprocess.run(  # noqa: S603 - fixed program, arguments are ours
                    [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump_path}"],
                    env=_pg_env(params),
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if result.returncode != 0:
                    raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
            connection.rollback()
        finally:
            connection.close()

        media_root = Path(media_root)
        files = {}
        for path in _files_under(media_root):
            files[path.relative_to(media_root).as_posix()] = {
                "sha256": _sha256_of(path),
                "size": path.stat().st_size,
            }
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "sigap_version": app_version(),
            "database": {
                "name": params["dbname"],
                "file": DUMP,
                "sha256": _sha256_of(dump_path),
                "size": dump_path.stat().st_size,
                "tables": counts,
                "migrations": migrations,
            },
            "media": {"files": files},
        }

        partial = output.with_name(output.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with (
                os.fdopen(fd, "wb") as raw,
                tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar,
            ):
                manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(manifest_bytes)
                info.mode = 0o600
                info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
                tar.addfile(info, io.BytesIO(manifest_bytes))
                tar.add(dump_path, arcname=DUMP, recursive=False)
                for name in files:
                    tar.add(media_root / name, arcname=MEDIA_PREFIX + name, recursive=False)
                raw.flush()
                os.fsync(raw.fileno())
            partial.rename(output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    say(f"Files under {media_root}: {len(files)} ({sum(f['size'] for f in files.values())} bytes).")
    say(f"Archive: {output} ({output.stat().st_size} bytes, SHA-256 {_sha256_of(output)}).")
    return manifest


# --- restore ----------------------------------------------------------------------------------


def read_archive(archive: Path) -> tuple[tarfile.TarFile, dict]:
    """Open an archive and check every member against the manifest; refuse a damaged one
    before anything is restored."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist.")
    try:
        tar = tarfile.open(archive, mode="r:")
        members = {m.name: m for m in tar.getmembers()}
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(
            f"{archive} is damaged or not a SIGAP backup (it cannot be read as an archive: {error}). "
            "Nothing was restored."
        ) from error
    try:
        manifest_member = members.get(MANIFEST)
        if manifest_member is None:
            raise BackupError(f"{archive} has no {MANIFEST}: it is not a SIGAP backup. Nothing was restored.")
        try:
            manifest = json.load(tar.extractfile(manifest_member))
        except (ValueError, tarfile.TarError, OSError) as error:
            raise BackupError(
                f"The manifest of {archive} is damaged ({error}). Nothing was restored."
            ) from error
        if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"{archive} is not a SIGAP backup of format {FORMAT_VERSION}. Nothing was restored."
            )
        expected = {DUMP: (manifest["database"]["sha256"], manifest["database"]["size"])}
        for name, meta in manifest["media"]["files"].items():
            expected[MEDIA_PREFIX + name] = (meta["sha256"], meta["size"])
        problems = []
        for name, (sha256, size) in expected.items():
            member = members.get(name)
            if member is None or not member.isfile():
                problems.append(f"{name}: missing")
                continue
            if member.size != size or _sha256_of_member(tar, member) != sha256:
                problems.append(f"{name}: does not match its SHA-256 in the manifest")
        for name, member in members.items():
            if name != MANIFEST and name not in expected:
                problems.append(f"{name}: not in the manifest")
            if not _safe_member_name(name) or not (member.isfile() or member.isdir()):
                problems.append(f"{name}: not a plain file inside the archive")
        if problems:
            shown = "; ".join(problems[:10]) + (
                f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
            )
            raise BackupError(f"The archive {archive} is damaged: {shown}. Nothing was restored.")
    except BaseException:
        tar.close()
        raise
    return tar, manifest


def _sha256_of_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    digest = hashlib.sha256()
    try:
        handle = tar.extractfile(member)
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    except (tarfile.TarError, OSError, EOFError):
        return ""
    return digest.hexdigest()


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def _database_is_empty(params: dict) -> int:
    """The number of tables in the target database (0: empty)."""
    connection = _connect(params)
    try:
        with connection.cursor() as cursor:
            return len(_tables(cursor))
    finally:
        connection.close()


def migration_notes(applied: list[str]) -> list[str]:
    """What to tell the operator when the archive's migrations and this code's differ."""
    known = {
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    notes = []
    newer = sorted(set(applied) - known)
    older = sorted(known - set(applied))
    if newer:
        notes.append(
            f"The archive comes from a newer SIGAP ({len(newer)} migrations this code does not know, "
            f"e.g. {newer[0]}): run the same or a newer version of SIGAP on it."
        )
    if older:
        notes.append(
            f"The archive lacks {len(older)} migrations of this code (e.g. {older[0]}): "
            "run `manage.py migrate` before starting SIGAP."
        )
    return notes


def restore(
    *,
    archive: Path,
    db: dict,
    media_root: Path,
    replace: bool = False,
    say: Callable[[str], None] = print,
) -> Verification:
    """Restore the archive into the database and folder and verify them; see the module."""
    params = database_params(db)
    pg_restore = _tool("pg_restore")
    media_root = Path(media_root)
    tar, manifest = read_archive(archive)
    with tar:
        say(
            f"Archive {archive}: made {manifest['created_at']} by SIGAP {manifest['sigap_version']}, "
            f"{len(manifest['database']['tables'])} tables, {len(manifest['media']['files'])} files; "
            "every hash matches its manifest."
        )
        try:
            tables = _database_is_empty(params)
        except psycopg2.Error as error:
            raise BackupError(
                f"Cannot connect to the target database {params['dbname']} ({str(error).strip()}). "
                "Create it first (createdb) and check DATABASE_URL."
            ) from error
        if tables and not replace:
            raise BackupError(
                f"The target database {params['dbname']} is not empty ({tables} tables). Restore only into "
                "an empty database (createdb a new one), or pass --force to replace its contents."
            )
        existing = _files_under(media_root)
        if existing and not replace:
            raise BackupError(
                f"The target folder {media_root} is not empty ({len(existing)} files). Restore only into an "
                "empty folder, or pass --force to replace its contents."
            )

        with tempfile.TemporaryDirectory(prefix="sigap-restore-") as work:
            dump_path = Path(work) / DUMP
            with tar.extractfile(DUMP) as source, dump_path.open("wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
            command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
            if replace:
                command += ["--clean", "--if-exists"]
            result = subprocess.run(  # noqa: S603 - fixed program, arguments are ours
                [*command, f"--dbname={params['dbname']}", str(dump_path)],
                env=_pg_env(params),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(
                    f"pg_restore failed; the database was left as it was: {result.stderr.strip()[-2000:]}"
                )
        say(f"Database {params['dbname']} restored.")

        if replace:
            for path in existing:
                path.unlink()
        media_root.mkdir(parents=True, exist_ok=True)
        for name in manifest["media"]["files"]:
            target = media_root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
            with tar.extractfile(MEDIA_PREFIX + name) as source, os.fdopen(fd, "wb") as handle:
                shutil.copyfileobj(source, handle, CHUNK)
        say(f"{len(manifest['media']['files'])} files restored under {media_root}.")

    result = verify(manifest=manifest, params=params, media_root=media_root)
    for note in migration_notes(manifest["database"]["migrations"]):
        say(note)
    return result


def verify(*, manifest: dict, params: dict, media_root: Path) -> Verification:
    """Count every table and hash every file again, against the manifest."""
    result = Verification()
    connection = _connect(params)
    try:
        with connection.cursor() as cursor:
            found = _row_counts(cursor)
    finally:
        connection.close()
    for table, want in manifest["database"]["tables"].items():
        got = found.get(table)
        result.tables_checked += 1
        result.rows += got or 0
        if got != want:
            result.table_mismatches[table] = (want, got)
    for name, meta in manifest["media"]["files"].items():
        path = Path(media_root) / name
        result.files_checked += 1
        if not path.is_file() or _sha256_of(path) != meta["sha256"]:
            result.file_mismatches.append(name)
        else:
            result.bytes += meta["size"]
    return result
