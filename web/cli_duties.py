"""`flask --app app set-duty`: a county's reporting duty (issue 18.2) — who reports, how often, by when."""
from __future__ import annotations

import datetime as dt

import click
from flask import Flask

from data_access import audit
from data_access.inbox.duties import DutyRefused, set_duty
from domain.inbox.duties import CADENCES, REPORTERS
from web.context import transaction


def register_duty_cli(server: Flask) -> None:
    """Add the duty command to the server's CLI."""

    @server.cli.command("set-duty")
    @click.argument("county")
    @click.argument("name")
    @click.option("--reporter", type=click.Choice(REPORTERS), required=True, help="the units that report")
    @click.option("--cadence", type=click.Choice(CADENCES), required=True)
    @click.option("--due-days", type=int, default=0,
                  help="working days after the term's start (term_start) or the period's end (monthly, quarterly)")
    @click.option("--due-date", "due_month_day", default=None, help="MM-DD, for yearly duties (e.g. 04-30)")
    @click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="ask for the periods due from this day on (default: a new duty from today)")
    @click.option("--inactive", is_flag=True, help="stop the duty (its reports are kept)")
    def set_duty_cmd(county: str, name: str, reporter: str, cadence: str, due_days: int, due_month_day: str | None,
                     since: dt.datetime | None, inactive: bool) -> None:
        """Create or change COUNTY's reporting duty NAME."""
        try:
            with audit.acting_as(None, "cli:set-duty"), transaction() as session:
                set_duty(session, county, name, reporter, cadence, due_days, due_month_day, active=not inactive,
                         since=since.date() if since else None)
        except DutyRefused as exc:
            raise click.ClickException(f"{exc.code}: {', '.join(exc.fields)}") from exc
        click.echo(f"{county}: {name} ({reporter}, {cadence}) {'stopped' if inactive else 'set'}")
