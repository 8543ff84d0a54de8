"""The `flask --app app …` commands of contract.md."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from data_access import audit
from data_access.analytics.report import load_report
from data_access.imports.serial import ImportBusy
from data_access.models import Area
from data_access.schema import ensure_presets, has_schema, upgrade_schema
from data_access.scope import Scope
from domain.areas import code_range
from domain.dashboard.indicators import INDICATORS
from domain.dashboard.report import Report
from domain.imports.results import ImportResult
from web.cli_admin import register_admin_cli
from web.cli_output import emit_rows
from web.cli_warning import register_attendance_cli, register_warning_cli
from web.cli_backup import register_backup_cli
from web.cli_targets import register_targets_cli
from web.cli_calendar import register_calendar_cli
from web.cli_duties import register_duty_cli
from web.cli_schedule import register_schedule_cli
from web.cli_publish import register_publish_cli
from web.cli_documents import register_documents_cli
from web.downloads import BULLETIN, LEVEL_DEPTH, RANKING, ExportRefused, check_term, export_file
from wording.dashboard import reason_text, unit_tier_name


def _ext():  # noqa: ANN202 - the Baoxue extension
    return current_app.extensions["baoxue"]


def _ready_schema() -> None:
    upgrade_schema(_ext().engine)
    with _ext().session_factory() as s, s.begin():
        ensure_presets(s)


def _disable_demo(server: Flask) -> int:
    """Deactivate the demo's accounts (audit-logged); how many there were."""
    from data_access.admin.users import disable_demo_accounts
    with audit.acting_as(None, "cli:demo-off"), server.extensions["baoxue"].session_factory() as s, s.begin():
        n = disable_demo_accounts(s)
        if n:
            audit.record(s, "demo_disabled", "app_user", "demo", after={"count": n})
    return n


def prepare_first_run(server: Flask) -> None:
    """Create the schema if needed; on an empty database load the county demo and its accounts — unless
    BAOXUE_DEMO=0 (real data): then no demo is loaded and any demo account is disabled."""
    from data_access.demo.build import seed_demo
    from data_access.models import Area
    from sqlalchemy import select
    ext = server.extensions["baoxue"]
    new = not has_schema(ext.engine)
    _ready_schema()
    with ext.session_factory() as s:
        empty = s.scalar(select(Area.code).limit(1)) is None
    if not server.config["DEMO"]:
        _disable_demo(server)
        if empty:
            print("BAOXUE_DEMO=0 and an empty database: create an admin with "
                  "`BAOXUE_NEW_PASSWORD=… flask --app app create-user NAME --role admin`, then import.", flush=True)
        return
    if new or empty:
        print("Empty database: loading the county demo (about a minute) …", flush=True)
        with audit.acting_as(None, "first-run"):
            summary = seed_demo(ext.session_factory, scale="county", seed=1, progress=print)
        print(f"Demo loaded: {summary}", flush=True)


def _run_import(label: str, importer: str, path: str, **kwargs: object) -> ImportResult:
    """Run one importer of data_access.imports.files in one transaction; print its summary or its report (exit 1).
    A preview (nothing written: asked for, or the file removes more pupils than allowed) is rolled back and
    returned unprinted."""
    from data_access.imports import files as imports
    from data_access.warning.refresh import run_pending, set_scheduler
    fn: Callable = getattr(imports, importer)
    file = Path(path)
    if not file.is_file():
        raise click.ClickException(f"{path}: no such file")
    _ready_schema()
    actor = f"cli:{label} ({_os_user()})"           # who tried, also for a refused or failed import
    term = {k: v for k, v in kwargs.items() if k == "term"}
    # risk scores of the schools it changed: recomputed right after the import's commit, in transactions of their
    # own, not inside the import's (on SQLite that held every user's save for the scoring's duration)
    def score_now(factory: Any) -> None:
        try:
            run_pending(factory)
        except Exception as exc:  # noqa: BLE001 - the import is committed; its schools stay pending
            click.echo(f"warning: the risk scores could not be refreshed now ({type(exc).__name__}); the schools "
                       "stay pending and are scored by the next refresh (flask --app app risk-score)", err=True)
    set_scheduler(score_now)
    try:
        return _import_in_transaction(fn, file, label, actor, term, kwargs)
    finally:
        set_scheduler(None)


def _import_in_transaction(fn: Callable, file: Path, label: str, actor: str, term: dict[str, object],
                           kwargs: dict[str, object]) -> ImportResult:
    """_run_import's work: the import in one transaction (a large SQLite roster: in batches), its summary."""
    from data_access.imports import files as imports
    from data_access.imports.batches import recover_interrupted
    importer = fn.__name__
    with audit.acting_as(None, actor), _ext().session_factory() as s:
        s.begin()
        try:
            result = fn(s, file, **kwargs)
            if result.ok and not result.preview:
                s.commit()
        except BaseException as exc:
            if importer == "import_roster":      # a batched SQLite import that failed at its last commit
                s.close()
                recover_interrupted(_ext().session_factory)
            if not isinstance(exc, (ImportBusy, OperationalError)):
                raise
            s.rollback()
            with s.begin():
                audit.record(s, "import_failed", label.removeprefix("import-"), file.name,
                             after={"error": type(exc).__name__, **term})
            if isinstance(exc, OperationalError) and "locked" not in str(exc.orig).lower():
                raise
            raise click.ClickException(f"{file.name}: another import of the same data is still running (or the "
                                       "database is busy); nothing was written. Run the command again once it "
                                       "has finished.") from exc
        if result.ok and result.preview:
            s.rollback()
            return result
        if not result.ok:
            s.rollback()
            with s.begin():
                imports.record_refusal(s, result, file.name, **term)
    if not result.ok:
        click.echo(f"{file.name}: refused, nothing was written. Problems:", err=True)
        click.echo(result.report(), err=True)
        if any("--confirm-renames" in p.reason for p in result.problems):
            click.echo("The file renames, moves or retires area codes listed above: check them, then run the "
                       "command again with --confirm-renames to apply them.", err=True)
        sys.exit(1)
    click.echo(f"{file.name}: {result.summary()}")
    if result.missing_count:
        click.echo(result.missing_report())
    if result.import_id is not None:
        click.echo(f"import record {result.import_id} (undo within the window: flask --app app undo-import "
                   f"{result.import_id})" if result.kind == "roster" else f"import record {result.import_id}")
    return result


UNDO_REASONS = {
    "window": "it is older than the undo window (BAOXUE_IMPORT_UNDO_HOURS)",
    "later import": "a later import of the same school and term came after it (undo that one first)",
    "withdrawn": "its term was withdrawn after it",
    "undone": "it was undone already",
    "not undoable": "only roster imports can be undone",
}


def _terminal() -> bool:
    """Whether someone at a terminal can answer a question (stdin is a terminal)."""
    return sys.stdin.isatty()


def roster_with_confirmation(file: str, term: str, dry_run: bool, allow_removals: int | None) -> None:
    """import-roster: --dry-run prints the preview; a file that removes pupils is written only with
    --allow-removals N (N at least their number) or a yes at a terminal; without one it is refused, naming the
    flag. A file that only adds or changes rows is written without a question."""
    if dry_run:
        result = _run_import("import-roster", "import_roster", file, term=term, preview=True)
        click.echo(result.preview_report())
        return
    expect: str | None = None
    allowed = allow_removals or 0
    while True:
        result = _run_import("import-roster", "import_roster", file, term=term, allow_removals=allowed,
                             **({"expect": expect} if expect else {}))
        if not result.preview:
            return
        name = Path(file).name
        if result.stale:
            click.echo(f"{name}: the roster changed since the preview; here is what the file would do now.",
                       err=True)
        if allow_removals is not None:
            click.echo(result.preview_report(), err=True)
            raise click.ClickException(
                f"{name}: would remove {result.removed:,} pupil(s) from the roster of {term}, more than "
                f"--allow-removals {allow_removals}; nothing was written.")
        if not _terminal():
            click.echo(result.preview_report(), err=True)
            raise click.ClickException(
                f"{name}: would remove {result.removed:,} pupil(s) from the roster of {term} (their schools' pupils "
                f"missing from the file); nothing was written. Check the list (--dry-run), then run again with "
                f"--allow-removals {result.removed} to confirm.")
        click.echo(result.preview_report())
        if not click.confirm(f"Remove {result.removed:,} pupil(s) from the roster of {term}?", default=False):
            raise click.ClickException(f"{name}: nothing was written.")
        expect, allowed = result.digest, result.removed


def _os_user() -> str:
    """The operating-system account running the command (for the audit log)."""
    import getpass
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


def _simple_import_command(kind: str) -> click.Command:
    """`import-KIND FILE` for the imports that take only a file."""
    @click.command(f"import-{kind}",
                   help=f"Import the {kind} file (.xlsx, .xls, .csv or tab-separated text, recognised by content).")
    @click.argument("file")
    def run(file: str) -> None:
        _run_import(f"import-{kind}", f"import_{kind.replace('-', '_')}", file)
    return run


def register_cli(server: Flask) -> None:
    """Attach the commands to the Flask CLI."""
    @server.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the schema (Alembic); with BAOXUE_DEMO=0 also disable the demo's accounts."""
        _ready_schema()
        click.echo("schema is up to date")
        if not server.config["DEMO"]:
            n = _disable_demo(server)
            click.echo(f"BAOXUE_DEMO=0: {n} demo account(s) disabled" if n else "BAOXUE_DEMO=0: no demo accounts")

    @server.cli.command("seed-demo")
    @click.option("--scale", type=click.Choice(["county", "province"]), default="county")
    @click.option("--seed", type=int, default=1)
    def seed_demo_cmd(scale: str, seed: int) -> None:
        """Load a generated demo (county or province scale) into an empty database."""
        from data_access.demo.build import seed_demo
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
        from data_access.admin.users import create_user
        password = os.environ.get("BAOXUE_NEW_PASSWORD") or click.prompt(
            "Password", hide_input=True, confirmation_prompt=True)
        _ready_schema()
        try:
            with audit.acting_as(None, "cli:create-user"), _ext().session_factory() as s, s.begin():
                user = create_user(s, name, password, role, area)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"created user {user.username} ({role}, scope {user.area_code or 'all'})")

    @server.cli.command("set-password")
    @click.argument("name")
    def set_password_cmd(name: str) -> None:
        """Set a user's password (BAOXUE_NEW_PASSWORD or a prompt) and end all of their sessions."""
        from data_access.admin.users import set_password
        password = os.environ.get("BAOXUE_NEW_PASSWORD") or click.prompt(
            "Password", hide_input=True, confirmation_prompt=True)
        _ready_schema()
        try:
            with audit.acting_as(None, "cli:set-password"), _ext().session_factory() as s, s.begin():
                set_password(s, name, password)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"password of {name} set; their sessions have ended")

    for kind in ("schools", "population", "enrollment-history"):
        server.cli.add_command(_simple_import_command(kind))

    @server.cli.command("import-areas")
    @click.argument("file")
    @click.option("--confirm-renames", is_flag=True,
                  help="apply the renamed, moved and retired codes the file brings (listed when refused without it)")
    def import_areas_cmd(file: str, confirm_renames: bool) -> None:
        """Import the areas file (.xlsx or .csv); renamed, moved and retired codes need --confirm-renames."""
        _run_import("import-areas", "import_areas", file, confirm_renames=confirm_renames)

    @server.cli.command("import-roster")
    @click.argument("file")
    @click.option("--term", required=True, help="term code, e.g. 2024-1")
    @click.option("--dry-run", is_flag=True, help="print what the import would do (new / changed / unchanged / "
                  "removed rows, the pupils who would leave the roster) and write nothing")
    @click.option("--allow-removals", type=click.IntRange(min=0), default=None, metavar="N",
                  help="confirm that the file may remove up to N pupils from the roster of its schools")
    def import_roster_cmd(file: str, term: str, dry_run: bool, allow_removals: int | None) -> None:
        """Import one term's roster (.xlsx or .csv). A file that removes pupils from the roster of its schools
        needs --allow-removals N (N at least the number removed) or, at a terminal, a yes to the question."""
        from domain.terms import parse_term
        try:
            parse_term(term)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        roster_with_confirmation(file, term, dry_run, allow_removals)

    @server.cli.command("undo-import")
    @click.argument("import_id", type=int)
    def undo_import_cmd(import_id: int) -> None:
        """Undo a roster import (its record number is printed by import-roster and shown on the data status
        page) within BAOXUE_IMPORT_UNDO_HOURS: the roster of its schools and term is restored as it was."""
        from config import import_undo_hours
        from data_access.imports.undo import UndoInvalid, UndoRefused, undo_import
        _ready_schema()
        with audit.acting_as(None, f"cli:undo-import ({_os_user()})"), _ext().session_factory() as s, s.begin():
            try:
                done = undo_import(s, "admin", _admin_scope(), import_id, import_undo_hours())
            except UndoRefused as exc:
                raise click.ClickException(f"import {import_id}: no such import") from exc
            except UndoInvalid as exc:
                raise click.ClickException(f"import {import_id}: {UNDO_REASONS[str(exc)]}; nothing was changed") \
                    from exc
        click.echo(f"import {import_id} undone: the {done.term} roster of its schools is back as it was "
                   f"({done.restored} records restored, {done.deleted} taken out); the figures are recomputed")

    @server.cli.command("import-poverty")
    @click.argument("file")
    @click.option("--term", required=True, help="term code the list holds for, e.g. 2026-1")
    def import_poverty_cmd(file: str, term: str) -> None:
        """Import the poverty list (脱贫户 / 监测户 members, .xlsx or .csv) of one term; flags matching pupils."""
        from domain.terms import parse_term
        try:
            parse_term(term)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        _run_import("import-poverty", "import_poverty", file, term=term)

    @server.cli.command("import-boundaries")
    @click.argument("file")
    @click.option("--code-property", default="code", help="feature property holding the division code (6, 9 or 12 "
                                                          "digits; a number or text)")
    @click.option("--name-property", default="name", help="feature property with the area's name, matched when a "
                                                          "feature has no code")
    @click.option("--coordinates", type=click.Choice(["wgs84", "gcj02"]), default="wgs84",
                  help="the file's datum: wgs84 (GPS) or gcj02 (Chinese map services; converted to wgs84)")
    def import_boundaries_cmd(file: str, code_property: str, name_property: str, coordinates: str) -> None:
        """Import township or village polygons (GeoJSON FeatureCollection)."""
        _run_import("import-boundaries", "import_boundaries", file, code_property=code_property,
                    name_property=name_property, datum=coordinates)

    register_report_cli(server)
    register_calendar_cli(server)
    register_publish_cli(server)
    register_duty_cli(server)
    register_schedule_cli(server)
    register_documents_cli(server)
    register_admin_cli(server)
    register_warning_cli(server)
    register_attendance_cli(server)
    register_backup_cli(server)
    register_targets_cli(server)


RATE_COLUMNS = ("area_code", "area_name", "term", "indicator", "numerator", "denominator", "value", "target",
                "compliant")
TIER_COLUMNS = ("area_code", "area_name", "period", "tier", "tier_name", "reasons")
# Reports are taken under the area whose targets judge the units, as the pages do: a county for its own
# figures and its townships (the county ranking), a township for its schools (the township ranking).
PARENT_LEVEL = {"county": "county", "township": "county", "school": "township"}
_COMPLIANT = {"pass": True, "warning": True, "fail": False}


def _admin_scope() -> Scope:
    """The CLI sees everything."""
    return Scope("admin", unrestricted=True)


def _report_parents(session: Session, area: str | None, level: str) -> list[str]:
    """The areas to report under (PARENT_LEVEL) inside `area`, or inside every root area."""
    if area:
        found = session.scalar(select(Area.level).where(Area.code == area))
        if found is None:
            raise click.ClickException(f"unknown area {area}")
        if LEVEL_DEPTH[level] < LEVEL_DEPTH[found]:
            raise click.ClickException(f"area {area} is a {found}: it holds no {level} units")
        tops = [(area, found)]
    else:
        tops = session.execute(select(Area.code, Area.level).where(Area.parent_code.is_(None))).all()
    parents: set[str] = set()
    for code, lvl in tops:
        target = PARENT_LEVEL[level]
        if LEVEL_DEPTH[level] < LEVEL_DEPTH[lvl]:
            continue  # a root below the level asked for holds none of its units
        if LEVEL_DEPTH[lvl] >= LEVEL_DEPTH[target]:
            parents.add(code)
        else:
            parents.update(session.scalars(select(Area.code).where(
                Area.level == target, Area.code.between(*code_range(code, lvl)))))
    return sorted(parents)


def _reports(term: str, level: str, area: str | None) -> list[Report]:
    """The compliance reports (load_report, unrestricted) covering the units asked for."""
    if not has_schema(_ext().engine):
        raise click.ClickException("the database has no schema yet: run init-db")
    with _ext().session_factory() as s:
        try:
            check_term(s, term)
        except ExportRefused as exc:
            raise click.ClickException(str(exc)) from exc
        return [load_report(s, _admin_scope(), parent, level, term) for parent in _report_parents(s, area, level)]


def rate_rows(reports: list[Report]) -> list[dict[str, object]]:
    """One row per unit and indicator: numerator, denominator, value (percent or count), target, compliant."""
    units = sorted({u.code: (r, u) for r in reports for u in r.units}.values(), key=lambda ru: ru[1].code)
    rows = []
    for report, u in units:
        for ind in INDICATORS:
            v, ev = u.values[ind.key], u.evaluations[ind.key]
            value = None if ev.value is None else (ev.value if ind.is_rate else int(ev.value))  # as published
            target = f"{ev.target.op} {ev.target.bound:g}" if ev.target else None
            rows.append({"area_code": u.code, "area_name": u.name, "term": report.term, "indicator": ind.key,
                         "numerator": v.numerator, "denominator": v.denominator, "value": value, "target": target,
                         "compliant": _COMPLIANT.get(ev.status)})
    return rows


def tier_rows(reports: list[Report]) -> list[dict[str, object]]:
    """One row per unit: its tier (empty without data), the tier's name and the reasons joined with "；"."""
    units = sorted({u.code: (r, u) for r in reports for u in r.units}.values(), key=lambda ru: ru[1].code)
    return [{"area_code": u.code, "area_name": u.name, "period": r.term, "tier": u.tier.tier,
             "tier_name": unit_tier_name(u, r.policy), "reasons": "；".join(
                 [reason_text(x) for x in u.tier.reasons]
                 + ([_("Not reported in %(terms)s", terms="、".join(u.unreported))] if u.unreported else []))}
            for r, u in units]


def _write_export(kind: str, term: str, area: str | None, out: str, level: str | None = None) -> None:
    """Write the ranking workbook or bulletin draft the download routes send, and audit it."""
    if not has_schema(_ext().engine):
        raise click.ClickException("the database has no schema yet: run init-db")
    with _ext().session_factory() as s:
        if not area:
            counties = s.scalars(select(Area.code).where(Area.level == "county").limit(2)).all()
            if len(counties) != 1:
                raise click.ClickException("--area is required unless the database holds exactly one county")
            area = counties[0]
        try:
            data, filename, _mimetype = export_file(s, _admin_scope(), kind, area, term, level)
        except ExportRefused as exc:
            raise click.ClickException(str(exc)) from exc
    try:
        Path(out).write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"{out}: {exc.strerror}") from exc
    with audit.acting_as(None, f"cli:export-{kind}"), _ext().session_factory() as s, s.begin():
        audit.record(s, "export", kind, f"{area}:{term}")
    click.echo(f"wrote {out} ({filename})")


def _issue_bulletin(term: str, area: str | None, out: str, issue: bool) -> None:
    """The bulletin as PDF (a draft), or issued: numbered in the register, stored, written as issued."""
    import dataclasses
    from data_access.documents.register import issue as issue_document, issuer_settings
    from documents.exports import bulletin_document, bulletin_layout
    from documents.pdf import PdfFontMissing, official_pdf
    from domain.localtime import local_today
    from web.downloads import bulletin_for
    if not has_schema(_ext().engine):
        raise click.ClickException("the database has no schema yet: run init-db")
    pdf_out = out.lower().endswith(".pdf")
    with _ext().session_factory() as s:
        if not area:
            counties = s.scalars(select(Area.code).where(Area.level == "county").limit(2)).all()
            if len(counties) != 1:
                raise click.ClickException("--area is required unless the database holds exactly one county")
            area = counties[0]
        try:
            data = bulletin_for(s, _admin_scope(), area, term, local_today())
        except ExportRefused as exc:
            raise click.ClickException(str(exc)) from exc
    try:
        if not issue:
            body = official_pdf(bulletin_layout(data))
        else:
            final = dataclasses.replace(data, draft_mark="")
            with audit.acting_as(None, "cli:export-bulletin"), _ext().session_factory() as s, s.begin():
                settings = issuer_settings(s, area)
                subject = f"bulletin:{area}:{term}"

                def build(number: str) -> tuple[bytes, bytes | None]:
                    numbered = dataclasses.replace(final, number=number)
                    try:
                        pdf = official_pdf(bulletin_layout(numbered))
                    except PdfFontMissing:
                        pdf = None
                    return bulletin_document(numbered), pdf
                doc = issue_document(s, area_code=area, issuer=settings.issuer, abbreviation=settings.abbreviation,
                                     kind="bulletin", subject=subject, version=subject, title=data.heading,
                                     issued_on=final.issued or local_today(), user_id=None, user_name=_os_user(),
                                     build=build)
                body = doc.pdf if pdf_out else doc.docx
                number = doc.number
            if body is None:
                raise click.ClickException("no CJK font for the PDF: install fonts-noto-cjk")
            click.echo(f"issued {number}")
    except PdfFontMissing as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        Path(out).write_bytes(body)
    except OSError as exc:
        raise click.ClickException(f"{out}: {exc.strerror}") from exc
    click.echo(f"wrote {out}")


def register_report_cli(server: Flask) -> None:
    """The read-only report commands: rates, tiers, export-ranking, export-bulletin."""
    term_opt = click.option("--term", required=True, help="term code, e.g. 2024-1")
    fmt_opt = click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
    area_opt = click.option("--area", default=None, help="12-digit area code to restrict to")

    @server.cli.command("rates")
    @term_opt
    @click.option("--level", type=click.Choice(["county", "township", "school"]), default="township")
    @area_opt
    @fmt_opt
    def rates_cmd(term: str, level: str, area: str | None, fmt: str) -> None:
        """Indicator table: one row per unit and indicator, units with no data included."""
        emit_rows(rate_rows(_reports(term, level, area)), RATE_COLUMNS, fmt)

    @server.cli.command("tiers")
    @term_opt
    @click.option("--level", type=click.Choice(["township", "school"]), default="township")
    @area_opt
    @fmt_opt
    def tiers_cmd(term: str, level: str, area: str | None, fmt: str) -> None:
        """Notification tiers with their reasons, one row per unit."""
        emit_rows(tier_rows(_reports(term, level, area)), TIER_COLUMNS, fmt)

    @server.cli.command("export-ranking")
    @term_opt
    @click.option("--level", type=click.Choice(["township", "school", "village"]), default=None,
                  help="units to rank (default: the level below the area; villages under a township)")
    @click.option("--area", default=None, help="parent area (default: the only county)")
    @click.option("--out", required=True, help="the .xlsx file to write")
    def export_ranking_cmd(term: str, level: str | None, area: str | None, out: str) -> None:
        """Write the ranking workbook for a notification meeting."""
        _write_export(RANKING, term, area, out, level)

    @server.cli.command("export-bulletin")
    @term_opt
    @click.option("--area", default=None, help="parent area (default: the only county)")
    @click.option("--out", required=True, help="the .docx file to write")
    @click.option("--issue", is_flag=True, help="number it in the county's register (发文字号) and store it as issued; "
                  "without it a draft for comments is written")
    def export_bulletin_cmd(term: str, area: str | None, out: str, issue: bool) -> None:
        """Write the notification bulletin (通报): a draft, or with --issue the numbered document (.docx, or .pdf
        when --out ends in .pdf)."""
        if not issue and not out.lower().endswith(".pdf"):
            _write_export(BULLETIN, term, area, out)
            return
        _issue_bulletin(term, area, out, issue)
