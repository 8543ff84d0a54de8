"""`flask --app app set-teaching-period`: a county's teaching period of a term (school-day clocks skip the rest)."""
from __future__ import annotations

import datetime as dt

import click
from flask import Flask

from data_access.calendar import set_teaching_period
from domain.schooldays import default_teaching_span
from domain.terms import parse_term
from web.context import transaction


def register_calendar_cli(server: Flask) -> None:
    """Add the calendar command to the server's CLI."""

    @server.cli.command("set-teaching-period")
    @click.argument("county")
    @click.argument("term")
    @click.argument("start")
    @click.argument("end")
    def set_teaching_period_cmd(county: str, term: str, start: str, end: str) -> None:
        """Set COUNTY's teaching period of TERM: first and last teaching day, YYYY-MM-DD (the default is
        1 Sept–15 Jan for autumn terms and 1 Mar–5 Jul for spring terms)."""
        try:
            code = parse_term(term)
            first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
            with transaction() as session:
                set_teaching_period(session, county, code.code, first, last)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        default = default_teaching_span(code)
        click.echo(f"{county} {code.code}: teaching {first} – {last} (default {default[0]} – {default[1]})")
