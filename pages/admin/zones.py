"""Zones and teams (administrators): a county's inspection zones (片区) with their townships, and each
zone's team with its leader (组长) and members (成员)."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Input, Output, State, callback, ctx, dcc, html, no_update
from flask_babel import gettext as _
from components.controls import dropdown

from components.inspection.visit import saved_mark
from components.inspection.lists import (ZONE_DELETE, ZONE_LEADER, ZONE_MEMBERS, ZONE_MSG, ZONE_NAME, ZONE_SAVE,
                                         ZONE_TEAM, ZONE_TOWNS, zone_card)
from components.shell import SHELL_URL
from data_access.inspection.access import VisitRefused
from data_access.admin.zones import (add_zone, counties, delete_zone, inspector_options, save_zone,
                                          township_options, zones_of_county)
from pages.inspection.common import require_role, save
from web.context import AreaRefused, db
from wording.i18n import N_
from web.saves import saves

dash.register_page(__name__, path="/zones", name="Zones", label=N_("Zones"), icon="diagram-3", roles=("admin",),
                   order=11)

ZONES_COUNTY = "zones-county"
ZONES_LIST = "zones-list"
ZONES_NEW_NAME = "zones-new-name"
ZONES_ADD = "zones-add"
ZONES_ADD_MSG = "zones-add-msg"
ZONES_REFRESH = "zones-refresh"


def layout(**_query: str) -> html.Div:
    """Page frame: county, a new zone, and one card per zone (filled by callbacks)."""
    return html.Div([
        dcc.Store(id=ZONES_REFRESH, data=0),
        html.H2(_("Inspection zones and teams"), className="h4 mb-2"),
        dbc.Row([
            dbc.Col([dbc.Label(_("County"), html_for=ZONES_COUNTY, className="small text-muted mb-0"),
                     dropdown(id=ZONES_COUNTY, clearable=False)], xs=12, md=4),
            dbc.Col([dbc.Label(_("New zone"), html_for=ZONES_NEW_NAME, className="small text-muted mb-0"),
                     dbc.InputGroup([dbc.Input(id=ZONES_NEW_NAME, placeholder=_("Name, e.g. 第四片区"), maxLength=50),
                                     dbc.Button([html.I(className="bi bi-plus-lg me-1"), _("Add zone")], id=ZONES_ADD,
                                                color="primary")])], xs=12, md=5),
            dbc.Col(html.Div(id=ZONES_ADD_MSG, className="small"), xs=12, md=3, className="align-self-end"),
        ], className="g-2 mb-3"),
        html.P(_("Each township belongs to at most one zone and each inspector to at most one team; an inspector "
                 "sees and inspects the townships of their team's zone."), className="small text-muted"),
        dcc.Loading(html.Div(id=ZONES_LIST), type="dot"),
    ])


@callback(Output(ZONES_COUNTY, "options"), Output(ZONES_COUNTY, "value"), Input(SHELL_URL, "pathname"))
def fill_counties(_path: str | None) -> tuple:
    """The counties the administrator may organise."""
    actor = require_role("admin")
    rows = counties(db(), actor)
    return [{"label": n, "value": c} for c, n in rows], rows[0][0] if rows else None


@callback(Output(ZONES_LIST, "children"), Input(ZONES_COUNTY, "value"), Input(ZONES_REFRESH, "data"))
def show_zones(county: str | None, _refresh: int) -> object:
    """A card per zone of the county."""
    actor = require_role("admin")
    if not county:
        return html.P(_("No county yet: import the areas first."), className="text-muted")
    session = db()
    try:
        zones = zones_of_county(session, actor, county)
    except VisitRefused as exc:  # a county outside the admin's area
        raise AreaRefused() from exc
    towns, people = township_options(session, county), inspector_options(session, county)
    if not zones:
        return html.P(_("No zones yet."), className="text-muted")
    return [zone_card(z, towns, people) for z in zones]


@callback(Output(ZONES_REFRESH, "data"), Output(ZONES_ADD_MSG, "children"), Output(ZONES_NEW_NAME, "value"),
          Input(ZONES_ADD, "n_clicks"), Input({"type": ZONE_DELETE, "zone": ALL}, "n_clicks"),
          State(ZONES_COUNTY, "value"), State(ZONES_NEW_NAME, "value"), State(ZONES_REFRESH, "data"),
          prevent_initial_call=True)
@saves
def add_or_delete(add: int | None, _dels: list, county: str | None, name: str | None, refresh: int | None) -> tuple:
    """Add a zone (with its team), or delete one without visits."""
    require_role("admin")
    trigger = ctx.triggered_id
    value = ctx.triggered[0]["value"] if ctx.triggered else None
    if trigger == ZONES_ADD and add:
        done = save(lambda s, a: add_zone(s, a, county, name), page_wide=False)
    elif isinstance(trigger, dict) and value:
        done = save(lambda s, a: delete_zone(s, a, trigger.get("zone")), page_wide=False)
    else:
        return no_update, no_update, no_update
    if not done.ok:
        return no_update, saved_mark(done.error or "", error=True), no_update
    return (refresh or 0) + 1, saved_mark(_("Saved")), "" if trigger == ZONES_ADD else no_update


@callback(Output({"type": ZONE_MSG, "zone": MATCH}, "children"), Input({"type": ZONE_SAVE, "zone": MATCH}, "n_clicks"),
          State({"type": ZONE_NAME, "zone": MATCH}, "value"), State({"type": ZONE_TOWNS, "zone": MATCH}, "value"),
          State({"type": ZONE_TEAM, "zone": MATCH}, "value"), State({"type": ZONE_LEADER, "zone": MATCH}, "value"),
          State({"type": ZONE_MEMBERS, "zone": MATCH}, "value"), prevent_initial_call=True)
@saves
def save_zone_card(clicks: int | None, name: str | None, towns: list | None, team: str | None, leader: int | None,
                   members: list | None) -> object:
    """Save a zone's name, townships and team."""
    require_role("admin")
    if not clicks:
        return no_update
    zone_id = ctx.triggered_id["zone"] if isinstance(ctx.triggered_id, dict) else None
    done = save(lambda s, a: save_zone(s, a, zone_id, name, towns, team, leader, members), page_wide=False)
    return saved_mark(_("Saved")) if done.ok else saved_mark(done.error or "", error=True)
