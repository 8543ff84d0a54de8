"""`flask --app app run-schedule` (cron-friendly scheduled drafts and e-mail digests, issue 18.6) and
`flask --app app monthly-report` (the county's 控辍保学 monthly report as a draft, or issued and numbered)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from data_access import audit
from data_access.models import Area


def _county(session, county: str | None) -> str:  # noqa: ANN001
    if county:
        return county
    found = session.scalars(select(Area.code).where(Area.level == "county").limit(2)).all()
    if len(found) != 1:
        raise click.ClickException("--county is required unless the database holds exactly one county")
    return found[0]


def register_schedule_cli(server: Flask) -> None:
    """Add the schedule commands to the server's CLI."""

    @server.cli.command("run-schedule")
    @click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="run as on this day (default: today in BAOXUE_TIMEZONE)")
    @click.option("--no-mail", is_flag=True, help="make the drafts only, send no digest")
    def run_schedule_cmd(day: dt.datetime | None, no_mail: bool) -> None:
        """Make this period's monthly report and bulletin drafts of every county (once) and send the digests."""
        from web.schedule import run_schedule
        run = run_schedule(day.date() if day else None, mail=not no_mail)
        for label in run.made:
            click.echo(f"made {label}")
        for label in run.kept:
            click.echo(f"already made {label}")
        for label in run.skipped:
            click.echo(f"skipped {label} (no data)")
        click.echo(f"digests sent: {run.mailed}")

    @server.cli.command("monthly-report")
    @click.option("--county", default=None, help="12-digit county code (default: the only county)")
    @click.option("--month", default=None, help="YYYY-MM (default: last month)")
    @click.option("--out", required=True, help="the file to write (.docx or .pdf)")
    @click.option("--issue", is_flag=True, help="issue it: number it in the 发文字号 register and store it")
    def monthly_report_cmd(county: str | None, month: str | None, out: str, issue: bool) -> None:
        """Write the county's 控辍保学 monthly report (a draft unless --issue)."""
        from flask_babel import force_locale

        from data_access.inbox.monthly import monthly_report
        from domain.inbox.monthly import month_bounds, previous_month
        from domain.localtime import local_today
        from web.monthly_report import issue_monthly, monthly_files
        today = local_today()
        month = month or previous_month(today)
        try:
            month_bounds(month)
        except ValueError as exc:
            raise click.BadParameter("YYYY-MM", param_hint="--month") from exc
        pdf_out = out.lower().endswith(".pdf")
        ext = current_app.extensions["baoxue"]
        with force_locale(current_app.config["LANGUAGE"]):
            if issue:
                with audit.acting_as(None, "cli:monthly-report"), ext.session_factory() as s, s.begin():
                    county = _county(s, county)
                    doc = issue_monthly(s, county, month, today, None, "cli")
                    body, number = (doc.pdf if pdf_out else doc.docx), doc.number
                if body is None:
                    raise click.ClickException("no CJK font on this server: the PDF was not made (the .docx was)")
            else:
                with ext.session_factory() as s:
                    county = _county(s, county)
                    docx, pdf = monthly_files(monthly_report(s, county, month, today))
                body, number = (pdf if pdf_out else docx), ""
                if body is None:
                    raise click.ClickException("no CJK font on this server: write a .docx instead")
        Path(out).write_bytes(body)
        click.echo(f"wrote {out}" + (f" ({number})" if number else " (draft)"))
