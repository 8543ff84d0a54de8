"""`flask --app app backup DIR` and `flask --app app restore DIR [--force] [--check]` (issue 12, item 7); the work
is in data_access/admin/backup.py."""
from __future__ import annotations

import subprocess
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.exc import OperationalError

from data_access import audit
from data_access.admin.backup import check_backup, create_backup, restore_backup
from data_access.admin.backup_files import BackupRefused
from data_access.schema import ensure_presets, upgrade_schema

ROOT = Path(__file__).resolve().parents[1]


def app_version() -> str:
    """The code's version: `git describe` of the checkout when it is one, else 'unknown'."""
    try:
        done = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--tags"],
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"


def _os_user() -> str:
    import getpass
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB" if n >= 1 << 20 else f"{n / 1024:.0f} kB"


def _audit(action: str, key: str, after: dict) -> None:
    """Record the backup or restore in the app's audit log; a busy database only costs a warning."""
    ext = current_app.extensions["baoxue"]
    try:
        with audit.acting_as(None, f"cli:{action} ({_os_user()})"), ext.session_factory() as s, s.begin():
            audit.record(s, action, "backup", key[:100], after=after, area=None)
    except OperationalError as exc:
        click.echo(f"warning: the {action} was not written to the audit log ({exc.orig})", err=True)


def register_backup_cli(server: Flask) -> None:
    """Attach the backup and restore commands."""
    @server.cli.command("backup")
    @click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
    def backup_cmd(directory: Path) -> None:
        """Back up the database and the evidence files into DIRECTORY (new or empty), with a manifest of
        checksums. Safe while the app is running."""
        ext = current_app.extensions["baoxue"]
        evidence = Path(current_app.config["EVIDENCE_DIR"])
        try:
            manifest = create_backup(ext.engine, evidence, directory, app_version())
        except BackupRefused as exc:
            raise click.ClickException(f"no backup was written: {exc}") from exc
        files = manifest["files"]
        total = sum(int(f["size"]) for f in files)
        click.echo(f"backup written to {directory.absolute()}: {manifest['database']} database at schema revision "
                   f"{manifest['schema_revision']}, {len(files) - 1} evidence file(s), {_size(total)} in all")
        if manifest["evidence_missing"]:
            click.echo(f"warning: {len(manifest['evidence_missing'])} evidence file(s) named in the database were "
                       f"not in {evidence} (listed in the manifest as evidence_missing)", err=True)
        _audit("backup", str(directory.absolute()), {"created_at": manifest["created_at"],
                                                     "schema_revision": manifest["schema_revision"]})

    @server.cli.command("restore")
    @click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--force", is_flag=True,
                  help="overwrite a database and evidence folder that already hold data")
    @click.option("--check", "check_only", is_flag=True,
                  help="only verify the backup (checksums, schema revision, database kind); change nothing")
    def restore_cmd(directory: Path, force: bool, check_only: bool) -> None:
        """Restore the backup in DIRECTORY: checksums first, then the database and evidence files, then the
        migrations up to this version's schema. Stop the app and its workers first."""
        ext = current_app.extensions["baoxue"]
        evidence = Path(current_app.config["EVIDENCE_DIR"])
        try:
            if check_only:
                manifest = check_backup(ext.engine, directory)
                click.echo(f"{directory}: the backup is complete and intact ({len(manifest['files'])} file(s) "
                           f"checked); {manifest['database']} database at schema revision "
                           f"{manifest['schema_revision']}, made {manifest['created_at']}")
                return

            def upgrade() -> None:
                upgrade_schema(ext.engine)
                with ext.session_factory() as s, s.begin():
                    ensure_presets(s)
            manifest = restore_backup(ext.engine, evidence, directory, force=force, upgrade=upgrade)
        except BackupRefused as exc:
            raise click.ClickException(f"nothing was restored: {exc}") from exc
        click.echo(f"restored the backup made {manifest['created_at']} ({manifest['database']} database at schema "
                   f"revision {manifest['schema_revision']}, {len(manifest['files']) - 1} evidence file(s)); "
                   f"the schema is upgraded to this version's")
        _audit("restore", manifest["created_at"], {"from": str(directory.absolute()),
                                                   "schema_revision": manifest["schema_revision"]})
