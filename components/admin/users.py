"""The users page's parts (pure builders from domain.admin.views.UserRow): the users grid, those who have not
signed in for long first, the create/edit form and the one-time password shown once."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import gettext as _

from components.admin.status import stamp
from components.controls import dropdown, grid
from domain.admin.views import UserRow

USR_GRID = "users-grid"
USR_EMAIL = "users-email"
USR_FORM_ID, USR_NAME, USR_DISPLAY, USR_ROLE, USR_CODE, USR_TEAM = (
    "users-form-id", "users-name", "users-display", "users-role", "users-code", "users-team")
USR_CREATE, USR_SAVE, USR_TOGGLE, USR_RESET, USR_MSG, USR_NEW = (
    "users-create", "users-save", "users-toggle", "users-reset", "users-msg", "users-new")
STALE_DAYS = 90


def _days(last: dt.datetime | None, now: dt.datetime) -> int | None:
    return None if last is None else max((now - last).days, 0)


def user_grid(rows: list[UserRow], role: Callable[[str], str], now: dt.datetime, selectable: bool) -> object:
    """Every user of the scope, those who never signed in or not for longest first; stale ones flagged."""
    if not rows:
        return html.P(_("No user matches."), className="text-muted", id="users-empty")
    data = []
    # the words of the cells looked up once, not once a row (flask-babel ~20 µs a call: a province's 1,028 users
    # took ~75 ms of lookups)
    everything, active, disabled, never, change = (_("Everything"), _("Active"), _("Disabled"), _("Never"),
                                                   _("Must change password"))
    roles: dict[str, str] = {}
    for r in rows:
        days = _days(r.last_login_at, now)
        place = f"{r.school_name} ({r.school_code})" if r.school_code else (
            f"{r.area_name} ({r.area_code})" if r.area_code else everything)
        data.append({
            "id": r.id, "username": r.username, "name": r.display_name,
            "role": roles[r.role] if r.role in roles else roles.setdefault(r.role, role(r.role)), "place": place,
            "team": r.team or "—", "active": active if r.active else disabled,
            "last": stamp(r.last_login_at) if r.last_login_at else never,
            "days": days, "stale": days is None or days >= STALE_DAYS,
            "change": change if r.must_change_password else "",
        })
    columns = [
        {"field": "username", "headerName": _("User name"), "minWidth": 150},
        {"field": "name", "headerName": _("Name")}, {"field": "role", "headerName": _("Role")},
        {"field": "place", "headerName": _("Area or school"), "minWidth": 200}, {"field": "team", "headerName": _("Team")},
        {"field": "active", "headerName": _("Status")},
        {"field": "last", "headerName": _("Last sign-in"), "cellClassRules": {"text-danger fw-bold": "params.data.stale"}},
        {"field": "days", "headerName": _("Days since"), "type": "numericColumn"},
        {"field": "change", "headerName": _("Password")},
    ]
    stale = sum(1 for d in data if d["stale"])
    note = html.P(_("%(n)s of %(total)s users have not signed in for %(days)s days or never (listed first).",
                    n=stale, total=len(data), days=STALE_DAYS), className="small text-muted mb-1", id="users-stale")
    return html.Div([note, grid(paginate=True, id=USR_GRID, rowData=data, columnDefs=columns, getRowId="params.data.id",
                                options={"rowSelection": "single"} if selectable else {},
                                className="bx-grid bx-grid-pick" if selectable else "bx-grid")])


def user_form(roles: list[dict], teams: list[dict]) -> object:
    """Create a user, or edit the one chosen in the grid (disable/enable, reset the password)."""
    def field(label: str, control: object, md: int = 4) -> dbc.Col:
        return dbc.Col([dbc.Label(label, className="small text-muted mb-0"), control], xs=12, md=md)
    return dbc.Card(dbc.CardBody([
        html.H3(_("Create or edit a user"), className="h6"),
        html.P(_("Click a user in the list to edit them; leave the list unselected to create one. A new user gets a "
                 "one-time password, shown once here, to change at their first sign-in."), className="small text-muted"),
        dcc.Store(id=USR_FORM_ID),
        dbc.Row([
            field(_("User name"), dbc.Input(id=USR_NAME, maxLength=64)),
            field(_("Name"), dbc.Input(id=USR_DISPLAY, maxLength=64)),
            field(_("Role"), dropdown(id=USR_ROLE, options=roles, clearable=False)),
            field(_("Area or school code"), dbc.Input(id=USR_CODE, maxLength=12,
                                                      placeholder=_("12-digit area or 10-digit school code"))),
            field(_("Team"), dropdown(id=USR_TEAM, options=teams)),
            field(_("E-mail (inbox digests)"), dbc.Input(id=USR_EMAIL, type="email", maxLength=200,
                                                        placeholder=_("optional"))),
        ], className="g-2 mb-2"),
        html.Div([
            dbc.Button([html.I(className="bi bi-person-plus me-1"), _("Create user")], id=USR_CREATE, color="primary",
                       size="sm"),
            dbc.Button([html.I(className="bi bi-save me-1"), _("Save changes")], id=USR_SAVE, color="primary",
                       outline=True, size="sm"),
            dbc.Button([html.I(className="bi bi-person-slash me-1"), _("Disable or enable")], id=USR_TOGGLE,
                       color="secondary", outline=True, size="sm"),
            dbc.Button([html.I(className="bi bi-key me-1"), _("Reset password")], id=USR_RESET, color="danger",
                       outline=True, size="sm"),
        ], className="d-flex flex-wrap gap-2 mb-2"),
        html.Div(id=USR_MSG, className="small"),
        html.Div(id=USR_NEW),
    ]), className="mb-3")


def one_time_panel(username: str, password: str) -> object:
    """The one-time password of a new or reset user, shown once."""
    return dbc.Alert([
        html.Div(_("One-time password of %(user)s (shown only now; the user must change it at the next sign-in):",
                   user=username)),
        html.Code(password, className="fs-5 user-select-all", id="users-otp"),
    ], color="warning", className="mt-2 mb-0")
