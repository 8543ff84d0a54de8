"""`flask backup DIR` / `flask restore DIR` (issue 12, item 7): a backup taken while the app writes restores to a
working system with every evidence file; damaged backups, newer schemas and databases holding data are refused
before anything is touched; a backup cut short leaves nothing that looks complete."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, inspect, select, text
from sqlalchemy.engine import make_url

from data_access import audit
from data_access.admin import backup as backup_mod
from data_access.admin import pg_tools
from data_access.admin.backup import create_backup, restore_backup
from data_access.admin.backup_files import BackupRefused, file_entry
from data_access.db import make_engine, make_sessionmaker
from data_access.imports.files import import_areas, import_roster, import_schools
from data_access.models import AuditLog
from data_access.schema import ensure_presets, upgrade_schema
from data_access.scope import Scope
from tests.conftest import PG_URL, WebUser
from tests import factories as f
from tests.imports.test_imports import DATA, TERM, run

PAIRS = 5_000          # audit rows the filler writes, two per transaction like the writer: the count stays even


def _fill(engine: Engine, evidence: Path) -> None:
    """A small county (areas, schools, a roster), a user, padding rows and evidence files."""
    upgrade_schema(engine)
    factory = make_sessionmaker(engine)
    with audit.acting_as(None, "test"):
        with factory() as s, s.begin():
            ensure_presets(s)                                          # as init-db does
        assert run(factory, import_areas, DATA / "areas.csv").ok
        assert run(factory, import_schools, DATA / "schools.csv").ok
        assert run(factory, lambda s, *a: import_roster(s, *a, scope=Scope("admin", unrestricted=True)),
                   DATA / "roster.csv", TERM).ok
        with factory() as s, s.begin():
            f.user.create(s, username="keeper", role="admin", area_code=None)
    with engine.begin() as conn:
        conn.execute(insert(AuditLog), [{"at": dt.datetime.now(), "actor": "filler",
                                         "action": "fill", "entity": "test", "entity_key": str(i)}
                                        for i in range(2 * PAIRS)])
        n = conn.scalar(select(func.count()).select_from(AuditLog))
        if n % 2:
            conn.execute(insert(AuditLog), [{"at": dt.datetime.now(), "actor": "filler",
                                             "action": "fill", "entity": "test", "entity_key": "odd"}])
    (evidence / "orders").mkdir(parents=True)
    (evidence / "3f2a.pdf").write_bytes(b"%PDF-1.4 visit evidence " + os.urandom(300_000))
    (evidence / "orders" / "9c1d.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(150_000))


class Writer(threading.Thread):
    """The app writing meanwhile: two audit entries per transaction, as fast as it can."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(daemon=True)
        self.factory, self.stop, self.commits = make_sessionmaker(engine), threading.Event(), 0

    def run(self) -> None:
        with audit.acting_as(None, "writer"):
            while not self.stop.is_set():
                with self.factory() as s, s.begin():
                    for part in ("a", "b"):
                        audit.record(s, "write", "test", f"{self.commits}{part}", area=None)
                self.commits += 1


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.scalar(text(f'SELECT COUNT(*) FROM "{t}"')) for t in inspect(conn).get_table_names()}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def live(tmp_path: Path, dash_app, monkeypatch):  # noqa: ANN001, ANN201
    """The app's server on a SQLite file with data and evidence; a function to point it at another database."""
    srv = dash_app.server

    def use(name: str) -> tuple[Engine, Path]:
        engine = make_engine(f"sqlite:///{tmp_path / name / 'baoxue.db'}")
        srv.extensions["baoxue"].use_engine(engine)
        monkeypatch.setitem(srv.config, "EVIDENCE_DIR", str(tmp_path / name / "evidence"))
        return engine, tmp_path / name / "evidence"

    engine, evidence = use("live")
    _fill(engine, evidence)
    yield srv, use, engine, evidence
    engine.dispose()


def _cli(srv, *args: str):  # noqa: ANN001, ANN202
    return srv.test_cli_runner().invoke(args=list(args))


def test_round_trip_while_the_app_writes(live, tmp_path: Path) -> None:  # noqa: ANN001
    srv, use, engine, evidence = live
    writer = Writer(engine)
    writer.start()
    try:
        while writer.commits < 20:
            time.sleep(0.01)
        before = writer.commits
        result = _cli(srv, "backup", str(tmp_path / "backups" / "b1"))
        after_backup = writer.commits
        while writer.commits < after_backup + 20:      # the app goes on writing after the backup
            time.sleep(0.01)
    finally:
        writer.stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "backup written to" in result.output
    folder = tmp_path / "backups" / "b1"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"] == "sqlite" and manifest["schema_revision"] == _head()
    assert {e["path"] for e in manifest["files"]} == {"database.sqlite3", "evidence/3f2a.pdf",
                                                      "evidence/orders/9c1d.png"}
    assert all(e["sha256"] == file_entry(folder / e["path"], "")["sha256"] for e in manifest["files"])
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]     # no temporary folder left
    writes = manifest["tables"]["audit_log"]
    assert writes % 2 == 0, "a transaction of the writer was copied half"
    assert before * 2 < writes < _counts(engine)["audit_log"]          # the backup's moment, not the end

    restored, restored_evidence = use("restored")
    result = _cli(srv, "restore", str(folder))
    assert result.exit_code == 0, result.output
    counts = _counts(restored)
    assert counts.pop("audit_log") == writes + 1                       # + the restore's own audit entry
    assert counts == {t: n for t, n in manifest["tables"].items() if t != "audit_log"}
    assert _files(restored_evidence) == _files(evidence)
    assert sqlite3.connect(tmp_path / "restored" / "baoxue.db").execute("PRAGMA integrity_check").fetchone() == ("ok",)
    keeper = WebUser(srv, "keeper")                                    # the restored system works: sign in, a page
    assert keeper.client.get("/").status_code == 200
    restored.dispose()


def test_damaged_backup_is_refused_before_anything_is_touched(live, tmp_path: Path) -> None:  # noqa: ANN001
    srv, use, _engine, _evidence = live
    folder = tmp_path / "b"
    assert _cli(srv, "backup", str(folder)).exit_code == 0
    target, target_evidence = use("target")
    damaged = folder / "evidence" / "orders" / "9c1d.png"
    data = bytearray(damaged.read_bytes())
    data[100] ^= 0xFF
    damaged.write_bytes(bytes(data))
    result = _cli(srv, "restore", str(folder))
    assert result.exit_code == 1
    assert "nothing was restored" in result.output and "9c1d.png" in result.output and "SHA-256" in result.output
    assert "--check" not in result.output and not inspect(target).get_table_names()
    assert not target_evidence.exists()
    assert "SHA-256" in _cli(srv, "restore", "--check", str(folder)).output
    damaged.write_bytes(bytes(data[:-10]))                             # shortened: the size says so
    assert "the manifest says" in _cli(srv, "restore", str(folder)).output
    target.dispose()


def test_a_database_holding_data_needs_force(live, tmp_path: Path) -> None:  # noqa: ANN001
    srv, use, engine, evidence = live
    assert _cli(srv, "backup", str(tmp_path / "b")).exit_code == 0
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM roster_record"))
    (evidence / "later.pdf").write_bytes(b"%PDF later")
    result = _cli(srv, "restore", str(tmp_path / "b"))
    assert result.exit_code == 1
    assert "not empty" in result.output and "--force" in result.output and "area" in result.output
    assert _counts(engine)["roster_record"] == 0 and (evidence / "later.pdf").exists()   # untouched
    result = _cli(srv, "restore", "--force", str(tmp_path / "b"))
    assert result.exit_code == 0, result.output
    assert _counts(engine)["roster_record"] > 0
    assert not (evidence / "later.pdf").exists() and (evidence / "3f2a.pdf").exists()
    assert not [p for p in evidence.parent.iterdir() if p.name.startswith(".")]


def test_a_fresh_database_after_init_db_counts_as_empty(live, tmp_path: Path) -> None:  # noqa: ANN001
    srv, use, _engine, _evidence = live
    assert _cli(srv, "backup", str(tmp_path / "b")).exit_code == 0
    target, _ = use("fresh")
    assert _cli(srv, "init-db").exit_code == 0                         # schema and target presets
    result = _cli(srv, "restore", str(tmp_path / "b"))
    assert result.exit_code == 0, result.output
    target.dispose()


def _rewrite_revision(folder: Path, revision: str) -> None:
    """Make a consistent backup of a schema revision this code does not know."""
    db = folder / "database.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.close()
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["schema_revision"] = revision
    manifest["files"][0] = file_entry(db, "database.sqlite3")
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_a_backup_of_a_newer_schema_is_refused(live, tmp_path: Path) -> None:  # noqa: ANN001
    srv, use, _engine, _evidence = live
    assert _cli(srv, "backup", str(tmp_path / "b")).exit_code == 0
    _rewrite_revision(tmp_path / "b", "0099")
    target, _ = use("target")
    result = _cli(srv, "restore", str(tmp_path / "b"))
    assert result.exit_code == 1 and "0099 is newer" in result.output, result.output
    assert not inspect(target).get_table_names()
    target.dispose()


def test_a_backup_cut_short_leaves_nothing_that_looks_complete(live, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    srv, _use, _engine, _evidence = live

    def cut(*_args: object) -> list:
        raise KeyboardInterrupt                                        # the process is stopped while copying
    monkeypatch.setattr(backup_mod, "copy_tree", cut)
    with pytest.raises(KeyboardInterrupt):
        create_backup(srv.extensions["baoxue"].engine, Path(srv.config["EVIDENCE_DIR"]), tmp_path / "out" / "b",
                      "test")
    assert list((tmp_path / "out").iterdir()) == []
    # a process killed outright leaves its hidden folder: it has no manifest, and a restore says so
    half = tmp_path / "out" / ".b.incomplete-x"
    half.mkdir()
    (half / "database.sqlite3").write_bytes(b"SQLite format 3\x00")
    result = _cli(srv, "restore", str(half))
    assert result.exit_code == 1 and "did not finish" in result.output
    assert "not empty" in _cli(srv, "backup", str(half)).output


def test_the_url_becomes_libpq_settings(monkeypatch) -> None:  # noqa: ANN001
    env = pg_tools.libpq_env("postgresql+psycopg://baoxue:p%40ss@db.example:5433/county?sslmode=require")
    assert env == {"PGHOST": "db.example", "PGPORT": "5433", "PGUSER": "baoxue", "PGPASSWORD": "p@ss",
                   "PGDATABASE": "county", "PGSSLMODE": "require"}
    assert pg_tools.libpq_env("postgresql://baoxue@/county?host=/var/run/postgresql") == {
        "PGHOST": "/var/run/postgresql", "PGUSER": "baoxue", "PGDATABASE": "county"}
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(pg_tools.ToolFailed, match="pg_dump was not found on PATH"):
        pg_tools.find_tool("pg_dump")


# ---- PostgreSQL: pg_dump / pg_restore into a database of the test's own ----

def _pg_admin() -> Engine:
    return make_engine(PG_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture
def pg_pair():  # noqa: ANN201
    """Two scratch databases beside the test database: the source and the restore target (dropped after)."""
    if not PG_URL or not PG_URL.startswith("postgresql"):
        pytest.skip("PostgreSQL round trip: set BAOXUE_TEST_DATABASE_URL to a PostgreSQL database")
    for tool in ("pg_dump", "pg_restore"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (PostgreSQL client tools)")
    base = make_url(PG_URL)
    names = [f"{base.database}_bk_src", f"{base.database}_bk_dst"]
    admin = _pg_admin()
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engines = [make_engine(base.set(database=n).render_as_string(hide_password=False)) for n in names]
    yield engines
    for e in engines:
        e.dispose()
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgresql_round_trip_while_the_app_writes(pg_pair, tmp_path: Path) -> None:  # noqa: ANN001
    source, target = pg_pair
    evidence = tmp_path / "evidence"
    _fill(source, evidence)
    writer = Writer(source)
    writer.start()
    try:
        while writer.commits < 20:
            time.sleep(0.01)
        manifest = create_backup(source, evidence, tmp_path / "b", "test")
        mark = writer.commits
        while writer.commits < mark + 20:
            time.sleep(0.01)
    finally:
        writer.stop.set()
        writer.join()
    assert manifest["database"] == "postgresql" and manifest["files"][0]["path"] == "database.pgdump"
    assert manifest["tables"]["audit_log"] % 2 == 0
    assert manifest["tables"]["audit_log"] < _counts(source)["audit_log"]
    with pytest.raises(BackupRefused, match="--force"):
        restore_backup(source, evidence, tmp_path / "b")
    restored_evidence = tmp_path / "restored-evidence"
    upgraded = []
    restore_backup(target, restored_evidence, tmp_path / "b", upgrade=lambda: upgraded.append(upgrade_schema(target)))
    assert upgraded and _counts(target) == manifest["tables"]
    assert _files(restored_evidence) == _files(evidence)
    with target.begin() as conn:                                       # the sequences came along: new rows fit
        conn.execute(insert(AuditLog), [{"at": dt.datetime.now(), "actor": "t", "action": "x",
                                         "entity": "test", "entity_key": "after"}])
    # --force onto a database holding data: the old rows go, the backup's come
    restore_backup(target, restored_evidence, tmp_path / "b", force=True)
    assert _counts(target) == manifest["tables"]


def test_a_database_without_schema_is_not_backed_up(live, tmp_path: Path) -> None:  # noqa: ANN001
    srv, use, _engine, _evidence = live
    empty, _ = use("empty")
    result = _cli(srv, "backup", str(tmp_path / "b"))
    assert result.exit_code == 1 and "run init-db" in result.output and not (tmp_path / "b").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".b.")]
    empty.dispose()


def test_commits_still_in_the_wal_are_in_the_backup(live, tmp_path: Path) -> None:  # noqa: ANN001
    """The issue's failure: a plain copy of baoxue.db misses commits SQLite keeps in baoxue.db-wal."""
    srv, _use, engine, _evidence = live
    with engine.begin() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    with engine.begin() as conn:                  # a small commit: it stays in the WAL until the next checkpoint
        conn.execute(text("UPDATE app_user SET display_name = 'committed just now' WHERE username = 'keeper'"))
    live_file = Path(engine.url.database)
    shutil.copy(live_file, tmp_path / "plain-copy.db")
    plain = sqlite3.connect(tmp_path / "plain-copy.db")
    assert plain.execute("SELECT display_name FROM app_user WHERE username = 'keeper'").fetchone() != (
        "committed just now",)
    plain.close()
    assert _cli(srv, "backup", str(tmp_path / "b")).exit_code == 0
    copy = sqlite3.connect(tmp_path / "b" / "database.sqlite3")
    assert copy.execute("SELECT display_name FROM app_user WHERE username = 'keeper'").fetchone() == (
        "committed just now",)
    copy.close()


def _head() -> str:
    """The newest migration (what a backup of a database made by init-db records)."""
    from alembic.script import ScriptDirectory
    from data_access.schema import alembic_config
    from data_access.db import make_engine
    return ScriptDirectory.from_config(alembic_config(make_engine("sqlite://"))).get_current_head()
