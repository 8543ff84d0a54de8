"""`flask --app app data-status --term T [--area CODE] [--format csv|json]`: which schools have imported the
term's roster (rows, when, by whom) and which have not, as the Terms and data status page shows it."""
from __future__ import annotations

import csv
import io
import json

import click
from flask import Flask, current_app

from data_access.admin.data_status import school_status
from data_access.models import Area
from data_access.scope import Scope
from domain.admin.views import SchoolImport
from domain.terms import parse_term

STATUS_COLUMNS = ("school_code", "school_name", "township_code", "township_name", "term", "status", "rows",
                  "imported_at", "imported_by", "file")


def status_rows(rows: list[SchoolImport], term: str) -> list[dict[str, object]]:
    """One plain row per school: `imported` with its rows and last import, or `missing`."""
    return [{"school_code": r.school_code, "school_name": r.school_name, "township_code": r.township_code,
             "township_name": r.township_name, "term": term, "status": "imported" if r.loaded else "missing",
             "rows": r.rows, "imported_at": r.imported_at.isoformat(timespec="seconds") if r.imported_at else None,
             "imported_by": r.imported_by, "file": r.file_name} for r in rows]


def _emit(rows: list[dict[str, object]], fmt: str) -> None:
    """Print rows as CSV or as a JSON list."""
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STATUS_COLUMNS)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in STATUS_COLUMNS])
    click.echo(out.getvalue(), nl=False)


def register_admin_cli(server: Flask) -> None:
    """Add the administration commands to the server's CLI."""

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
            _emit(status_rows(school_status(s, scope, code), code), fmt)
