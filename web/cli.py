"""The `flask --app app …` commands of contract.md."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app

from data_access import audit
from data_access.schema import ensure_presets, has_schema, upgrade_schema


def _ext():  # noqa: ANN202 - the Baoxue extension
    return current_app.extensions["baoxue"]


def _ready_schema() -> None:
    upgrade_schema(_ext().engine)
    with _ext().session_factory() as s, s.begin():
        ensure_presets(s)


def prepare_first_run(server: Flask) -> None:
    """Create the schema if needed; on an empty database load the county demo and its accounts."""
    from data_access.demo import seed_demo
    from data_access.models import Area
    from sqlalchemy import select
    ext = server.extensions["baoxue"]
    new = not has_schema(ext.engine)
    _ready_schema()
    with ext.session_factory() as s:
        empty = s.scalar(select(Area.code).limit(1)) is None
    if new or empty:
        print("Empty database: loading the county demo (about a minute) …", flush=True)
        with audit.acting_as(None, "first-run"):
            summary = seed_demo(ext.session_factory, scale="county", seed=1, progress=print)
        print(f"Demo loaded: {summary}", flush=True)


def _run_import(label: str, importer: str, path: str, **kwargs: object) -> None:
    """Run one importer of data_access.imports in one transaction; print its summary or its report (exit 1)."""
    from data_access import imports
    fn: Callable = getattr(imports, importer)
    file = Path(path)
    if not file.is_file():
        raise click.ClickException(f"{path}: no such file")
    _ready_schema()
    with audit.acting_as(None, f"cli:{label}"), _ext().session_factory() as s:
        s.begin()
        result = fn(s, file, **kwargs)
        if result.ok:
            s.commit()
        else:
            s.rollback()
    if not result.ok:
        click.echo(f"{file.name}: refused, nothing was written. Problems:", err=True)
        click.echo(result.report(), err=True)
        sys.exit(1)
    click.echo(f"{file.name}: {result.summary()}")


def _simple_import_command(kind: str) -> click.Command:
    """`import-KIND FILE` for the imports that take only a file."""
    @click.command(f"import-{kind}", help=f"Import the {kind} file (.xlsx or .csv).")
    @click.argument("file")
    def run(file: str) -> None:
        _run_import(f"import-{kind}", f"import_{kind.replace('-', '_')}", file)
    return run


def register_cli(server: Flask) -> None:
    """Attach the commands to the Flask CLI."""
    @server.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the schema (Alembic)."""
        _ready_schema()
        click.echo("schema is up to date")

    @server.cli.command("seed-demo")
    @click.option("--scale", type=click.Choice(["county", "province"]), default="county")
    @click.option("--seed", type=int, default=1)
    def seed_demo_cmd(scale: str, seed: int) -> None:
        """Load a generated demo (county or province scale) into an empty database."""
        from data_access.demo import seed_demo
        _ready_schema()
        try:
            with audit.acting_as(None, "cli:seed-demo"):
                summary = seed_demo(_ext().session_factory, scale=scale, seed=seed, progress=click.echo)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"demo loaded: {summary}")

    @server.cli.command("create-user")
    @click.argument("name")
    @click.option("--role", required=True,
                  type=click.Choice(["county_leader", "inspector", "township_officer", "school_staff", "admin"]))
    @click.option("--area", "area", default=None, help="area code (12 digits), or school code for school_staff")
    def create_user_cmd(name: str, role: str, area: str | None) -> None:
        """Create a user; the password comes from BAOXUE_NEW_PASSWORD or a prompt."""
        from data_access.users import create_user
        password = os.environ.get("BAOXUE_NEW_PASSWORD") or click.prompt(
            "Password", hide_input=True, confirmation_prompt=True)
        _ready_schema()
        try:
            with audit.acting_as(None, "cli:create-user"), _ext().session_factory() as s, s.begin():
                user = create_user(s, name, password, role, area)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"created user {user.username} ({role}, scope {user.area_code or 'all'})")

    for kind in ("areas", "schools", "population", "enrollment-history"):
        server.cli.add_command(_simple_import_command(kind))

    @server.cli.command("import-roster")
    @click.argument("file")
    @click.option("--term", required=True, help="term code, e.g. 2024-1")
    def import_roster_cmd(file: str, term: str) -> None:
        """Import one term's roster (.xlsx or .csv)."""
        from domain.terms import parse_term
        try:
            parse_term(term)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        _run_import("import-roster", "import_roster", file, term=term)

    @server.cli.command("import-boundaries")
    @click.argument("file")
    @click.option("--code-property", default="code", help="feature property holding the 12-digit area code")
    def import_boundaries_cmd(file: str, code_property: str) -> None:
        """Import township or village polygons (GeoJSON FeatureCollection)."""
        _run_import("import-boundaries", "import_boundaries", file, code_property=code_property)
