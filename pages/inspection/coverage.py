"""Coverage of the term: per zone, which townships and schools have been inspected and which not, by
when they should be (term start + N working days), and the term's findings. Leaders see every zone of
their area, an inspector their team's."""
from __future__ import annotations


import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html
from flask import current_app
from flask_babel import gettext as _

from components.controls import county_picker
from components.inspection.lists import county_coverage_table, coverage_cards, term_findings_table
from components.shell import SHELL_TERM
from data_access.inspection.findings import term_findings
from data_access.inspection.lists import coverage, term_start, visible_zones
from data_access.names import scope_counties
from domain.localtime import local_today
from domain.inspection.rules import DEFAULT_DUE_WORKING_DAYS
from domain.inspection.views import county_coverage
from domain.workdays import add_working_days
from pages.inspection.common import require_role
from web.context import current_scope, db, require_term
from wording.i18n import N_
from wording.dashboard import term_name

# Not in the navigation bar (it would not fit a tablet's width): the visit list links here. The callback
# admits leaders, inspectors and admins only.
dash.register_page(__name__, pickers=("term",), path="/inspection/coverage", name="Coverage", label=N_("Coverage"),
                   icon="clipboard-data", roles=(), order=8,
                   see_roles=("county_leader", "inspector", "admin"))

COVERAGE_TITLE = "coverage-title"
COVERAGE_ZONES = "coverage-zones"
COVERAGE_FINDINGS = "coverage-findings"
COVERAGE_COUNTY = "coverage-county"
HIDDEN = {"display": "none"}


def layout(county: str | None = None, **_query: str) -> html.Div:
    """Page frame; the coverage arrives through the callback for the term picked above. A user whose area spans
    counties first sees each county's figures and picks a county (?county=…) for its zones and findings."""
    counties = scope_counties(db(), current_scope()) or {}
    picker = dbc.Col(county_picker(COVERAGE_COUNTY, counties, county), xs=12, md=4,
                     style=None if counties else HIDDEN)
    return html.Div([
        dbc.Row([dbc.Col(html.H2(_("Inspection coverage"), className="h4 mb-0")), picker,
                 dbc.Col(dcc.Link([html.I(className="bi bi-list-ul me-1"), _("All visits")], href="/inspection",
                                  className="btn btn-sm btn-outline-primary"), width="auto")],
                className="align-items-center mb-1 g-2"),
        html.Div(id=COVERAGE_TITLE, className="text-muted small mb-2"),
        dcc.Loading(html.Div(id=COVERAGE_ZONES), type="dot"),
        html.H3(_("Findings of the term"), className="h5 mt-3"),
        dcc.Loading(html.Div(id=COVERAGE_FINDINGS), type="dot"),
    ])


def due_days() -> int:
    """Working days after term start by which every township should be inspected (configurable)."""
    return int(current_app.config.get("INSPECTION_DUE_WORKING_DAYS", DEFAULT_DUE_WORKING_DAYS))


@callback(Output(COVERAGE_ZONES, "children"), Output(COVERAGE_FINDINGS, "children"), Output(COVERAGE_TITLE, "children"),
          Input(SHELL_TERM, "value"), Input(COVERAGE_COUNTY, "value"))
def show_coverage(term: str | None, county: str | None = None) -> tuple:
    """The zones the user may see, their townships' state and the term's findings; where the user's area spans
    counties, each county's figures until a county is picked (a province's 336 zones' cards and every finding were
    6.4 MB and ~2 s to build)."""
    actor = require_role("county_leader", "inspector", "admin")
    session = db()
    start = term_start(session, require_term(term)) if term else None
    if start is None:
        return html.P(_("No term yet: import a roster or load the demo."), className="text-muted"), None, None
    due = add_working_days(start, due_days())
    today = local_today()
    counties = scope_counties(session, actor.scope)
    if counties and county not in counties:
        summary = county_coverage(coverage(session, actor, term, due, today, with_schools=False), counties)
        return (county_coverage_table(summary),
                html.P(_("Pick a county above to list its findings."), className="text-muted"), term_name(term))
    picked = county if counties else None
    zones = coverage(session, actor, term, due, today, county=picked)
    zone_names = {z.id: z.name for z in zones} if picked else dict(visible_zones(session, actor))
    findings = term_findings(session, actor.scope, term, list(zone_names))
    due_text = _("Every township should be inspected by %(due)s (%(n)s working days after the term began on "
                 "%(start)s).", due=due.isoformat(), n=due_days(), start=start.isoformat())
    title = term_name(term) if picked is None else f"{counties[picked]} · {term_name(term)}"
    return coverage_cards(zones, due_text), term_findings_table(findings, zone_names), title
