"""Backup and restore of the whole system: the database and the evidence files (issue 12, item 7).

A backup is a folder: the database (SQLite: a copy made with SQLite's online backup API, consistent while the app
writes; PostgreSQL: a pg_dump custom-format archive taken in one snapshot), the evidence folder's files, and
manifest.json (format, app version, schema revision, database kind, creation time, row counts per table at the
backup's moment, and every file with its size and SHA-256). It is written into a hidden folder and renamed into
place when complete (backup_files.building).

A restore checks every checksum, the schema revision (a backup of a newer schema is refused) and the database kind
before it changes anything, refuses a database that holds data unless forced, then replaces the database and the
evidence folder and upgrades the schema to this version's head."""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from data_access.admin import pg_tools
from data_access.admin.backup_files import (EVIDENCE, FORMAT, FORMAT_VERSION, BackupRefused, building, copy_tree,
                                            file_entry, read_manifest, replace_tree, verify_files, write_manifest)
from data_access.schema import alembic_config

SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
DATABASE_FILES = {"sqlite": SQLITE_FILE, "postgresql": PG_FILE}
# (table, folder under the evidence folder) of the rows that name an evidence file
EVIDENCE_TABLES = (("evidence_file", ""), ("order_evidence", "orders/"))
# what `init-db` itself writes: a database holding only these (and the target presets) counts as empty
SCHEMA_ONLY = {"alembic_version"}

Query = Callable[[str], list[tuple]]


def database_kind(engine: Engine) -> str:
    """'sqlite' or 'postgresql'."""
    kind = engine.dialect.name
    if kind not in DATABASE_FILES:
        raise BackupRefused(f"backups of a {kind} database are not supported (SQLite and PostgreSQL are)")
    return kind


def _facts(query: Query, tables: list[str]) -> dict:
    """The schema revision, the row count of every table and the evidence files the rows name."""
    revision = None
    if "alembic_version" in tables:
        rows = query("SELECT version_num FROM alembic_version")
        revision = rows[0][0] if rows else None
    counts = {t: int(query(f'SELECT COUNT(*) FROM "{t}"')[0][0]) for t in sorted(tables)}
    named = sorted(f"{folder}{name}" for table, folder in EVIDENCE_TABLES if table in tables
                   for (name,) in query(f"SELECT stored_name FROM {table}"))
    return {"schema_revision": revision, "tables": counts, "evidence_named": named}


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%'")]


def _sqlite_snapshot(engine: Engine, target: Path) -> dict:
    """Copy the live SQLite database into `target` with the online backup API in one step (one read transaction:
    a consistent copy of the last commit; in WAL mode writers go on meanwhile); its facts."""
    raw = engine.raw_connection()
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))     # personal data: owner only
    try:
        copy = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")      # one self-contained file
            check = copy.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupRefused(f"the copy of the database failed SQLite's check: {check}")
            return _facts(lambda sql: copy.execute(sql).fetchall(), _sqlite_tables(copy))
        finally:
            copy.close()
    finally:
        raw.close()


def _pg_facts(conn: Connection) -> dict:
    tables = inspect(conn).get_table_names()
    return _facts(lambda sql: conn.execute(text(sql)).all(), tables)


def create_backup(engine: Engine, evidence_dir: Path, dest: Path, app_version: str) -> dict:
    """Write a complete backup folder `dest` (it must not exist, or be empty); its manifest."""
    kind = database_kind(engine)
    dest = dest.absolute()
    with building(dest) as tmp:
        db_file = tmp / DATABASE_FILES[kind]
        if kind == "sqlite":
            try:
                facts = _sqlite_snapshot(engine, db_file)
            except sqlite3.Error as exc:
                raise BackupRefused(f"the database could not be copied: {exc}") from exc
        else:
            try:
                facts = pg_tools.dump(engine, db_file, _pg_facts)
            except pg_tools.ToolFailed as exc:
                raise BackupRefused(str(exc)) from exc
        if facts["schema_revision"] is None:
            raise BackupRefused("the database has no schema yet (no alembic_version): run init-db first")
        created = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        evidence = copy_tree(evidence_dir, tmp / EVIDENCE, EVIDENCE)
        copied = {str(e["path"]).removeprefix(f"{EVIDENCE}/") for e in evidence}
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "app_version": app_version,
            "schema_revision": facts["schema_revision"], "database": kind, "database_file": db_file.name,
            "created_at": created.isoformat().replace("+00:00", "Z"), "evidence_dir": str(evidence_dir),
            "tables": facts["tables"],
            # files the database names that were not on disk (deleted after the database was copied, or lost)
            "evidence_missing": [n for n in facts["evidence_named"] if n not in copied],
            "files": [file_entry(db_file, db_file.name), *evidence],
        }
        write_manifest(tmp, manifest)
    return manifest


def known_revision(engine: Engine, revision: str | None) -> None:
    """Refuse a schema revision this version of the app does not know (a newer one) or a backup without one."""
    from alembic.script import ScriptDirectory     # only when needed: CLI commands start faster without Alembic
    script = ScriptDirectory.from_config(alembic_config(engine))
    head = script.get_current_head()
    if not revision:
        raise BackupRefused("the backup's database has no schema revision (alembic_version): it was not made "
                            "by `init-db`, and cannot be upgraded safely")
    try:
        found = script.get_revision(revision)
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown revision
        found = None
    if found is None:
        raise BackupRefused(f"the backup's schema revision {revision} is newer than this version of Baoxue knows "
                            f"(its newest is {head}): restore it with the version that made it "
                            f"or a newer one")


def check_backup(engine: Engine, folder: Path) -> dict:
    """Everything a restore checks before it changes anything: the manifest, every file's size and SHA-256, the
    database kind and the schema revision; the manifest."""
    manifest = read_manifest(folder)
    verify_files(folder, manifest)
    kind = database_kind(engine)
    if manifest.get("database") != kind or manifest.get("database_file") != DATABASE_FILES[kind]:
        raise BackupRefused(f"{folder} is a backup of a {manifest.get('database')} database; this app uses "
                            f"{kind} (BAOXUE_DATABASE_URL). Restore it into a {manifest.get('database')} database, "
                            f"or move the data with the imports")
    if not any(e["path"] == manifest["database_file"] for e in manifest["files"]):
        raise BackupRefused(f"{folder}: the manifest does not list the database file {manifest['database_file']}")
    if kind == "sqlite":
        file = folder / SQLITE_FILE
        with sqlite3.connect(f"{file.absolute().as_uri()}?mode=ro&immutable=1", uri=True) as conn:
            tables = _sqlite_tables(conn)
            stored = (conn.execute("SELECT version_num FROM alembic_version").fetchone()
                      if "alembic_version" in tables else None)
        conn.close()
        if (stored[0] if stored else None) != manifest.get("schema_revision"):
            raise BackupRefused(f"{file}: its schema revision differs from the manifest's: the backup is damaged")
    known_revision(engine, manifest.get("schema_revision"))
    return manifest


def existing_data(engine: Engine, evidence_dir: Path) -> list[str]:
    """What a restore would overwrite: the tables holding rows (apart from the schema's own and the target presets
    `init-db` adds) and the evidence folder when it holds files."""
    found = []
    tables = set(inspect(engine).get_table_names()) - SCHEMA_ONLY
    with engine.connect() as conn:
        if {"target_policy", "target"} <= tables and not conn.scalar(
                text("SELECT COUNT(*) FROM target_policy WHERE NOT is_preset")):
            tables -= {"target_policy", "target"}                    # the presets, and their audit entries
            if "audit_log" in tables and not conn.scalar(text(
                    "SELECT COUNT(*) FROM audit_log WHERE entity NOT IN ('target_policy', 'target')")):
                tables.discard("audit_log")
        quote = engine.dialect.identifier_preparer.quote
        for table in sorted(tables):
            if conn.scalar(text(f"SELECT COUNT(*) FROM (SELECT 1 FROM {quote(table)} LIMIT 1) AS x")):
                found.append(table)
    if evidence_dir.is_dir() and any(p.is_file() for p in evidence_dir.rglob("*")):
        found.append(f"evidence files in {evidence_dir}")
    return found


def _restore_sqlite(engine: Engine, file: Path) -> None:
    """Replace the app's SQLite database with the backup's, page by page with the online backup API (a live
    database's WAL stays consistent; the engine's connections are dropped first)."""
    engine.dispose()
    raw = engine.raw_connection()
    try:
        with sqlite3.connect(f"{file.absolute().as_uri()}?mode=ro&immutable=1", uri=True) as source:
            source.backup(raw.driver_connection)
        source.close()
    finally:
        raw.close()
    engine.dispose()


def restore_backup(engine: Engine, evidence_dir: Path, folder: Path, *, force: bool = False,
                   upgrade: Callable[[], None] | None = None) -> dict:
    """Restore the backup `folder` into the engine's database and `evidence_dir`, after check_backup; refuses a
    database or evidence folder holding data unless `force`. Then `upgrade()` (migrations to head). The manifest."""
    folder = folder.absolute()
    manifest = check_backup(engine, folder)
    kind = manifest["database"]
    if not force:
        found = existing_data(engine, evidence_dir)
        if found:
            raise BackupRefused("the database is not empty (it holds " + ", ".join(found[:8])
                                + (f" and {len(found) - 8} more" if len(found) > 8 else "")
                                + "): a restore replaces everything in it and in the evidence folder. "
                                  "Run the restore again with --force to overwrite them")
    evidence = [e for e in manifest["files"] if str(e["path"]).startswith(f"{EVIDENCE}/")]
    if kind == "sqlite":
        try:
            _restore_sqlite(engine, folder / SQLITE_FILE)
        except sqlite3.Error as exc:                    # the copy is one transaction: the database is unchanged
            raise BackupRefused(f"the database could not be replaced ({exc}); it is unchanged. If it is busy, "
                                f"stop the app's web processes and workers first") from exc
    else:
        try:
            pg_tools.find_tool("pg_restore")
            pg_tools.clear_schema(engine)
            pg_tools.restore(engine, folder / PG_FILE)
        except pg_tools.ToolFailed as exc:
            raise BackupRefused(str(exc)) from exc
    replace_tree(folder, evidence, evidence_dir)
    if upgrade is not None:
        upgrade()
    return manifest
