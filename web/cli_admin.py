"""`flask --app app data-status --term T [--area CODE] [--format csv|json]`: which schools have imported the
term's roster (rows, when, by whom) and which have not, as the Terms and data status page shows it."""
from __future__ import annotations


import click
from flask import Flask, current_app

from data_access.admin.data_status import school_status
from data_access.models import Area
from data_access.scope import Scope
from domain.admin.views import SchoolImport
from domain.terms import parse_term
from web.cli_output import emit_rows

STATUS_COLUMNS = ("school_code", "school_name", "township_code", "township_name", "term", "status", "rows",
                  "imported_at", "imported_by", "file")


def status_rows(rows: list[SchoolImport], term: str) -> list[dict[str, object]]:
    """One plain row per school: `imported` with its rows and last import, or `missing`."""
    return [{"school_code": r.school_code, "school_name": r.school_name, "township_code": r.township_code,
             "township_name": r.township_name, "term": term, "status": "imported" if r.loaded else "missing",
             "rows": r.rows, "imported_at": r.imported_at.isoformat(timespec="seconds") if r.imported_at else None,
             "imported_by": r.imported_by, "file": r.file_name} for r in rows]


def password_sheet(passwords: list[tuple[str, str, str]]) -> bytes:
    """The one-time passwords of new users as an .xlsx (user name, name, one-time password)."""
    from flask_babel import gettext as _
    from documents.sheets import sheet_workbook
    from domain.admin.views import Sheet
    return sheet_workbook([Sheet(_("One-time passwords"), (_("User name"), _("Name"), _("One-time password")),
                                 list(passwords), (_("Hand each user their password; they must change it at their "
                                                     "first sign-in. Delete this file afterwards."),),
                                 (20, 16, 20), frozenset({0, 2}))])


def register_admin_cli(server: Flask) -> None:
    """Add the administration commands to the server's CLI."""

    @server.cli.command("import-users")
    @click.argument("file")
    @click.option("--passwords", "out", default=None,
                  help="where to write the new users' one-time passwords (.xlsx; default FILE-passwords.xlsx)")
    def import_users_cmd(file: str, out: str | None) -> None:
        """Create users from an .xlsx or .csv (用户名, 姓名, 角色, 区域代码或学校代码, 所属组), all or none; each gets a
        one-time password, written to the --passwords file (never printed), to change at the first sign-in."""
        import os
        from pathlib import Path

        from data_access import audit
        from data_access.admin.users_import import import_users
        from data_access.imports.core import record_refusal
        path = Path(file)
        if not path.is_file():
            raise click.ClickException(f"{file}: no such file")
        target = Path(out) if out else path.with_name(path.stem + "-passwords.xlsx")
        if target.exists():
            raise click.ClickException(f"{target}: exists already; move it away or name another with --passwords")
        with audit.acting_as(None, "cli:import-users"), current_app.extensions["baoxue"].session_factory() as s:
            s.begin()
            done = import_users(s, path, scope=Scope("admin", unrestricted=True))
            if done.result.ok:
                s.commit()
            else:
                s.rollback()
                with s.begin():
                    record_refusal(s, done.result, path.name)
        if not done.result.ok:
            click.echo(f"{path.name}: refused, nothing was written. Problems:", err=True)
            click.echo(done.result.report(), err=True)
            raise SystemExit(1)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(password_sheet(done.passwords))
        click.echo(f"{path.name}: {len(done.passwords)} user(s) created; their one-time passwords are in {target}")

    @server.cli.command("data-status")
    @click.option("--term", required=True, help="term code, e.g. 2026-1")
    @click.option("--area", default=None, help="12-digit area code to restrict to (default: everything)")
    @click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
    def data_status_cmd(term: str, area: str | None, fmt: str) -> None:
        """Per school of the term: imported (rows, when, by whom, file) or missing."""
        try:
            code = parse_term(term).code
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--term") from exc
        with current_app.extensions["baoxue"].session_factory() as s:
            scope = Scope("admin", unrestricted=True)
            if area:
                level = s.get(Area, area).level if s.get(Area, area) else None
                if level is None:
                    raise click.BadParameter(f"area {area} is not imported", param_hint="--area")
                scope = Scope("admin", areas=((area, level),))
            emit_rows(status_rows(school_status(s, scope, code), code), STATUS_COLUMNS, fmt)
