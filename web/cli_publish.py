"""`flask --app app publish-period` / `withdraw-publication`: freeze an area's results of a term as published,
or withdraw that (issue 18.3). The commands act as the CLI (recorded as such in the audit log)."""
from __future__ import annotations

import click
from flask import Flask

from data_access import audit
from data_access.analytics.publish import PublishRefused, publish_period, withdraw_publication
from data_access.analytics.report import policy_for
from web.context import transaction
from wording.dashboard import PUBLISH_REFUSED


def register_publish_cli(server: Flask) -> None:
    """Add the publish commands to the server's CLI."""

    @server.cli.command("publish-period")
    @click.option("--area", required=True, help="12-digit area code whose results are published (e.g. the county)")
    @click.option("--term", required=True, help="term code, e.g. 2026-1")
    def publish_cmd(area: str, term: str) -> None:
        """Publish AREA's results of TERM: its figures, tiers, ranking and bulletin no longer change."""
        try:
            with audit.acting_as(None, "cli:publish-period"), transaction() as session:
                pub = publish_period(session, area, term, None, policy_for(session, area, term))
                pub_id = pub.id
        except PublishRefused as exc:
            raise click.ClickException(PUBLISH_REFUSED.get(exc.code, exc.code)) from exc
        click.echo(f"published {area} {term} (publication {pub_id})")

    @server.cli.command("withdraw-publication")
    @click.option("--area", required=True, help="12-digit area code")
    @click.option("--term", required=True, help="term code, e.g. 2026-1")
    @click.option("--reason", required=True, help="why the publication is withdrawn (kept in the audit log)")
    def withdraw_cmd(area: str, term: str, reason: str) -> None:
        """Withdraw AREA's publication of TERM: the period shows the live figures again."""
        try:
            with audit.acting_as(None, "cli:withdraw-publication"), transaction() as session:
                withdraw_publication(session, area, term, None, reason)
        except PublishRefused as exc:
            raise click.ClickException(PUBLISH_REFUSED.get(exc.code, exc.code)) from exc
        click.echo(f"withdrew the publication of {area} {term}")
