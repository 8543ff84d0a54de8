"""Early-warning commands (issue 20): `flask --app app risk-backtest [--area CODE] [--format text|csv|json]`
prints the back-test; `flask --app app risk-score --term T` recomputes and stores a term's scores;
`flask --app app risk-setting --county CODE --factor F --weight W --threshold T` sets a county's factor."""
from __future__ import annotations

import json

import click
from flask import Flask, current_app

from sqlalchemy import select

from data_access.models import Area, School
from data_access.scope import Scope
from data_access.warning.backtest import run_backtest
from data_access.warning.model import model_comparison, model_switched_on
from data_access.warning.lists import list_basis
from data_access.warning.scoring import refresh_scores, set_factor, terms_in_order
from domain.areas import code_range, county_of
from domain.terms import parse_term


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.1f}"


def _model_rows(cmp: object, switched_on: bool) -> dict:
    curve = [{"threshold": p.threshold, "listed": p.rule.listed, "dropouts": p.rule.dropouts,
              "list_share": _pct(p.rule.list_share), "rule_caught": p.rule.caught, "model_caught": p.model.caught,
              "rule_recall": _pct(p.rule.recall), "rule_precision": _pct(p.rule.precision),
              "model_recall": _pct(p.model.recall), "model_precision": _pct(p.model.precision)} for p in cmp.curve]
    return {"trained_on": list(cmp.trained_on), "held_out": list(cmp.held_out), "model_better": cmp.model_better,
            "switched_on": switched_on, "in_use": switched_on and cmp.model_better, "curve": curve}


def register_warning_cli(server: Flask) -> None:
    """Add the early-warning commands to the server's CLI."""

    @server.cli.command("risk-backtest")
    @click.option("--area", default=None, help="county or township code (default: the first county)")
    @click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text")
    def risk_backtest_cmd(area: str | None, fmt: str) -> None:
        """Recall, precision and list share of the risk list on the stored history, per term and as a curve."""
        with current_app.extensions["baoxue"].session_factory() as s:
            if area is None:
                area = s.query(Area.code).filter(Area.level == "county").order_by(Area.code).limit(1).scalar()
            found = s.get(Area, area) if area else None
            if found is None:
                raise click.BadParameter(f"area {area} is not imported", param_hint="--area")
            scope = Scope("admin", areas=((found.code, found.level),))
            bt = run_backtest(s, scope, county_of(found.code))
            cmp = model_comparison(s, scope, county_of(found.code))
            switched_on = model_switched_on(s, county_of(found.code))
        model = _model_rows(cmp, switched_on)
        rows = [{"term": t.term, "next_term": t.next_term, "threshold": bt.threshold, "pupils": t.result.pupils,
                 "listed": t.result.listed, "dropouts": t.result.dropouts, "caught": t.result.caught,
                 "recall": _pct(t.result.recall), "precision": _pct(t.result.precision),
                 "list_share": _pct(t.result.list_share)} for t in bt.terms]
        p = bt.pooled
        curve = [{"threshold": m.threshold, "listed": m.listed, "caught": m.caught, "dropouts": m.dropouts,
                  "recall": _pct(m.recall), "precision": _pct(m.precision), "list_share": _pct(m.list_share)}
                 for m in bt.curve]
        if fmt == "json":
            click.echo(json.dumps({"area": area, "threshold": bt.threshold, "terms": rows, "curve": curve,
                                   "model": model},
                                  ensure_ascii=False, indent=1))
            return
        if fmt == "csv":
            click.echo("term,next_term,threshold,pupils,listed,dropouts,caught,recall_pct,precision_pct,list_share_pct")
            for r in rows + [{"term": "all", "next_term": "", "threshold": bt.threshold, "pupils": p.pupils,
                              "listed": p.listed, "dropouts": p.dropouts, "caught": p.caught, "recall": _pct(p.recall),
                              "precision": _pct(p.precision), "list_share": _pct(p.list_share)}]:
                click.echo(",".join(str(v) for v in r.values()))
            return
        click.echo(f"Back-test of area {area}, list threshold {bt.threshold}")
        click.echo(f"{'term':>8} {'next':>8} {'pupils':>7} {'listed':>7} {'dropouts':>8} {'caught':>6} "
                   f"{'recall%':>8} {'prec%':>6} {'list%':>6}")
        for r in rows + [{"term": "all", "next_term": "", "threshold": "", "pupils": p.pupils, "listed": p.listed,
                          "dropouts": p.dropouts, "caught": p.caught, "recall": _pct(p.recall),
                          "precision": _pct(p.precision), "list_share": _pct(p.list_share)}]:
            click.echo(f"{r['term']:>8} {r['next_term']:>8} {r['pupils']:>7} {r['listed']:>7} {r['dropouts']:>8} "
                       f"{r['caught']:>6} {r['recall']:>8} {r['precision']:>6} {r['list_share']:>6}")
        click.echo("Curve (all terms pooled):")
        for m in curve:
            click.echo(f"  threshold {m['threshold']:>2}: recall {m['recall']:>5}%  precision {m['precision']:>5}%  "
                       f"list {m['list_share']:>5}%")
        click.echo(f"Model (logistic regression) against the rule on held-out terms {', '.join(cmp.held_out) or '-'}, "
                   f"trained on {', '.join(cmp.trained_on) or '-'}, same list size:")
        if not model["curve"]:
            click.echo("  not enough history to train and hold out terms (needs both outcomes); the rule is used")
            return
        for m in model["curve"]:
            click.echo(f"  threshold {m['threshold']:>2}: list {m['list_share']:>5}%  rule recall {m['rule_recall']:>5}% "
                       f"precision {m['rule_precision']:>5}%  model recall {m['model_recall']:>5}% "
                       f"precision {m['model_precision']:>5}%")
        click.echo(f"  model better on held-out terms: {'yes' if model['model_better'] else 'no'}; "
                   f"county setting model: {'on' if switched_on else 'off'}; "
                   f"list uses: {'model' if model['in_use'] else 'rule'}")

    @server.cli.command("risk-score")
    @click.option("--term", required=True, help="term code, e.g. 2026-1")
    def risk_score_cmd(term: str) -> None:
        """Recompute and store the term's risk scores (roster imports do this by themselves)."""
        try:
            code = parse_term(term).code
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--term") from exc
        with current_app.extensions["baoxue"].session_factory() as s, s.begin():
            n = refresh_scores(s, code)
        click.echo(f"scored {n} pupils of {code}")

    @server.cli.command("risk-setting")
    @click.option("--county", required=True, help="12-digit county code")
    @click.option("--factor", required=True, help="factor code (README §10), or list / case_days / model (1 on, 0 off)")
    @click.option("--weight", type=int, default=0, help="points the factor adds (0 switches it off)")
    @click.option("--threshold", type=int, required=True, help="value from which the factor fires")
    def risk_setting_cmd(county: str, factor: str, weight: int, threshold: int) -> None:
        """Set a county's weight and threshold of one factor (or the list threshold / case days)."""
        with current_app.extensions["baoxue"].session_factory() as s, s.begin():
            if s.get(Area, county) is None or s.get(Area, county).level != "county":
                raise click.BadParameter(f"{county} is not an imported county", param_hint="--county")
            try:
                set_factor(s, county, factor, weight, threshold)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--factor") from exc
        click.echo(f"{county}: {factor} weight {weight} threshold {threshold}")
        if factor == "model":   # the latest term's list follows at once (the model is trained if need be)
            _rescore_latest(county)


def _rescore_latest(county: str) -> None:
    """Rescore the county's latest term and say which method now draws its list."""
    factory = current_app.extensions["baoxue"].session_factory
    with factory() as s, s.begin():
        terms = terms_in_order(s)
        if not terms:
            return
        lo, hi = code_range(county, "county")
        schools = list(s.scalars(select(School.id).where(School.township_code.between(lo, hi))))
        refresh_scores(s, terms[-1], schools)
    with factory() as s:
        method = list_basis(s, Scope("admin", areas=((county, "county"),)), terms[-1]).method
    click.echo(f"{terms[-1]}: scores refreshed; the list is drawn by the {method}")


def register_attendance_cli(server: Flask) -> None:
    """`flask --app app import-attendance FILE`: absence reports from an attendance export (README §10)."""

    @server.cli.command("import-attendance")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    def import_attendance_cmd(file: str) -> None:
        """Unexcused absences (学籍号, 日期, 状态) as one-day absence reports; a refused file writes nothing."""
        from data_access.warning.attendance import import_attendance
        with current_app.extensions["baoxue"].session_factory() as s, s.begin():
            result = import_attendance(s, file, Scope("admin", unrestricted=True))
            if not result.ok:
                for p in result.problems:
                    click.echo(f"row {p.row}, {p.column}: {p.value!r}: {p.reason}", err=True)
                raise click.ClickException(f"{file}: refused, {len(result.problems)} problem(s); nothing was written")
        click.echo(f"{file}: {result.written} absence day(s) written, {result.skipped} row(s) skipped")
