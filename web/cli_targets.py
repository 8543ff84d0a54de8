"""`flask --app app set-targets`: set an area's target policy from a term, from a seed preset, another policy or a
file (.json, .csv, .xlsx: one row per indicator), through the same checks as the Targets page; and `targets` to
list the policies. A refused policy prints every refused field and writes nothing (exit 1)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.orm import Session

from data_access import audit
from data_access.admin.targets import (PolicyView, TargetsRefused, list_policies, preset_by_name, read_policy,
                                       rows_of, save_policy, version_at)
from data_access.scope import Scope
from domain.admin.targets import PolicyInvalid, TargetRow, check_term, rows_from_records
from wording.targets import policy_problem_text
from web.cli_output import emit_rows

LIST_COLUMNS = ("id", "name", "area_code", "area_name", "effective_from", "active", "preset", "precision",
                "indicator", "op", "bound", "margin", "margin_relative", "judged")


def read_policy_file(path: str) -> tuple[dict[str, object], list[TargetRow]]:
    """(name, precision from a JSON file; empty otherwise) and the target rows of a .json, .csv or .xlsx file."""
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix == ".json":
        try:
            data = json.loads(file.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            raise click.ClickException(f"{path}: not a readable JSON file ({exc})") from None
        if isinstance(data, list):
            data = {"targets": data}
        if not isinstance(data, dict):
            raise click.ClickException(f"{path}: a JSON policy is an object with \"targets\" (a list of rows)")
        targets = data.get("targets") or []
        if isinstance(targets, dict):  # {"junior_dropout_rate": {"op": "<=", "bound": 1.8}, …}
            targets = [{"indicator": k, **(v if isinstance(v, dict) else {})} for k, v in targets.items()]
        if not isinstance(targets, list) or not all(isinstance(t, dict) for t in targets):
            raise click.ClickException(f"{path}: \"targets\" must be a list of objects, one per indicator")
        return {k: data[k] for k in ("name", "precision") if k in data}, rows_from_records(targets)
    if suffix == ".csv":
        raw = file.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise click.ClickException(f"{path}: not UTF-8 or GB18030 text")
        return {}, rows_from_records(csv.DictReader(io.StringIO(text)))
    if suffix == ".xlsx":
        from openpyxl import load_workbook
        sheet = load_workbook(file, read_only=True, data_only=True).worksheets[0]
        lines = list(sheet.iter_rows(values_only=True))
        if not lines:
            return {}, []
        header = [str(h or "").strip() for h in lines[0]]
        return {}, rows_from_records(dict(zip(header, line)) for line in lines[1:])
    raise click.ClickException(f"{path}: a policy file is .json, .csv or .xlsx")


def _print_policy(view: PolicyView) -> None:
    click.echo(f"policy #{view.id} {view.name} — area {view.area_code} ({view.area_name or '?'}), "
               f"from {view.effective_from or 'the first term'}, precision {view.precision}")
    for t in view.targets:
        margin = "default" if t.margin is None else f"{t.margin:g}{'% of the bound' if t.relative else ' points'}"
        click.echo(f"  {t.indicator} {t.op} {t.bound:g} (warning margin {margin})")


def _emit(views: list[PolicyView], fmt: str) -> None:
    rows = [{"id": v.id, "name": v.name, "area_code": v.area_code, "area_name": v.area_name,
             "effective_from": v.effective_from, "active": v.active, "preset": v.is_preset,
             "precision": v.precision, "indicator": t.indicator, "op": t.op, "bound": t.bound, "margin": t.margin,
             "margin_relative": t.relative, "judged": " ".join(v.judged)} for v in views for t in v.targets]
    emit_rows(rows, LIST_COLUMNS, fmt)


def register_targets_cli(server: Flask) -> None:
    """Add `set-targets` and `targets` to the server's CLI."""

    @server.cli.command("set-targets")
    @click.option("--area", required=True, help="12-digit code of the area the policy applies to")
    @click.option("--from-term", "from_term", default=None,
                  help="term it takes effect from (YYYY-1 autumn, YYYY-2 spring); empty: from the first term")
    @click.option("--preset", default=None, help="start from this seed preset (e.g. 勐海县 2019)")
    @click.option("--copy", "copy_id", type=int, default=None, help="start from the policy with this id")
    @click.option("--file", "path", default=None, help=".json, .csv or .xlsx with one row per indicator "
                  "(indicator, op, bound, margin, margin_relative)")
    @click.option("--name", default=None, help="the policy's name (default: the preset's, copied policy's or file's)")
    @click.option("--precision", default=None, help="decimals rates are published and judged at (0–4)")
    def set_targets_cmd(area: str, from_term: str | None, preset: str | None, copy_id: int | None,
                        path: str | None, name: str | None, precision: str | None) -> None:
        """Set the target policy of AREA from a term: a new version when the one in force has judged earlier terms."""
        if sum(x is not None for x in (preset, copy_id, path)) != 1:
            raise click.UsageError("give exactly one of --preset, --copy and --file")
        scope = Scope("admin", unrestricted=True)
        try:
            with audit.acting_as(None, "cli:set-targets"), \
                    current_app.extensions["baoxue"].session_factory() as s, s.begin():
                base_name, base_precision, rows, source = _starting_point(s, scope, preset, copy_id, path)
                term, problem = check_term(from_term)
                current = version_at(s, area, term) if problem is None else None
                saved = save_policy(s, scope, area_code=area, name=name or base_name,
                                    precision=precision if precision is not None else base_precision,
                                    effective_from=from_term, rows=rows,
                                    edits=current.id if current is not None else None, source=source)
                view = read_policy(s, scope, saved.policy_id)
        except PolicyInvalid as exc:
            for found in exc.problems:
                click.echo(f"refused: {policy_problem_text(found)}", err=True)
            raise click.ClickException("the policy was refused; nothing was written") from None
        what = ("new version of policy #%s" % saved.previous_id if saved.created and current is not None
                else "new policy" if saved.created else "updated (it had judged no term yet)")
        click.echo(f"{what}:")
        _print_policy(view)

    @server.cli.command("targets")
    @click.option("--area", default=None, help="only the policies of this area (12 digits)")
    @click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
    def targets_cmd(area: str | None, fmt: str) -> None:
        """Every target policy (one row per indicator), presets included; `judged` lists the terms it judged."""
        with current_app.extensions["baoxue"].session_factory() as s:
            views = list_policies(s, Scope("admin", unrestricted=True))
        _emit([v for v in views if area is None or v.area_code == area], fmt)


def _starting_point(s: Session, scope: Scope, preset: str | None, copy_id: int | None, path: str | None
                    ) -> tuple[object, object, list[TargetRow], str]:
    """(name, precision, target rows, source) of the preset, the copied policy or the file."""
    if preset is not None:
        found = preset_by_name(s, preset)
        if found is None:
            names = ", ".join(v.name for v in list_policies(s, scope) if v.is_preset)
            raise click.ClickException(f"--preset: no preset named {preset!r} (presets: {names})")
        view = read_policy(s, scope, found.id)
        return view.name, view.precision, rows_of(view), f"preset {view.name}"
    if copy_id is not None:
        try:
            view = read_policy(s, scope, copy_id)
        except TargetsRefused:
            raise click.ClickException(f"--copy: no policy #{copy_id}") from None
        return view.name, view.precision, rows_of(view), f"copy of policy #{view.id}"
    meta, rows = read_policy_file(path or "")
    return meta.get("name"), meta.get("precision", 2), rows, f"file {Path(path or '').name}"
