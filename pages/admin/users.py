"""Users (issue 15.1): everyone in the scope with role, area or school, team, status and last sign-in (those who
have not signed in for long first) for admins and — read-only — county leaders; admins create, edit, disable or
enable users, reset a password to a one-time password shown once, and import users from .xlsx (their one-time
passwords offered once as a download). Rules: data_access/admin/user_admin.py, the same as the CLI's."""
from __future__ import annotations

import base64
import datetime as dt
import tempfile
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from flask_babel import gettext as _
from flask_login import current_user

from components.admin.subnav import admin_subnav
from components.admin.users import (USR_CODE, USR_CREATE, USR_DISPLAY, USR_EMAIL, USR_FORM_ID, USR_GRID, USR_MSG,
                                    USR_NAME,
                                    USR_NEW, USR_RESET, USR_ROLE, USR_SAVE, USR_TEAM, USR_TOGGLE, one_time_panel,
                                    user_form, user_grid)
from components.imports.report import kind_label, problem_table
from components.inspection.visit import saved_mark
from data_access.admin import user_admin as ua
from data_access.admin.users import PasswordRefused
from data_access.admin.users_import import import_users
from data_access.imports.core import record_refusal
from domain.admin.users import ROLES
from web.cli_admin import password_sheet
from web.context import AreaRefused, current_scope, db, transaction
from web.saves import saves
from wording.admin import password_error
from wording.common import role_label
from wording.i18n import N_

dash.register_page(__name__, path="/admin/users", name="Users", label=N_("Users"), icon="people",
                   roles=(), see_roles=("admin", "county_leader"), order=14)

USR_SEARCH, USR_ACTIVE, USR_LIST, USR_REFRESH = "users-search", "users-active", "users-list", "users-refresh"
USR_UPLOAD, USR_IMPORT_MSG, USR_DOWNLOAD, USR_IMPORTED = ("users-upload", "users-import-msg", "users-download",
                                                          "users-imported")
MAX_UPLOAD = 2 * 1024 * 1024


def _import_card() -> object:
    return dbc.Card(dbc.CardBody([
        html.H3(_("Import users from a spreadsheet"), className="h6"),
        html.P(_("One row per user with the columns 用户名, 姓名, 角色, 区域代码或学校代码 and (optional) 所属组. The whole "
                 "file is checked first: with any problem nothing is created. Each new user gets a one-time password; "
                 "the passwords are downloaded once as an .xlsx."), className="small text-muted"),
        dcc.Upload(html.Div([html.I(className="bi bi-upload me-1"), _("Choose an .xlsx or .csv file")]),
                   id=USR_UPLOAD, className="bx-upload border rounded p-2 text-center small", max_size=MAX_UPLOAD),
        dcc.Loading(html.Div(id=USR_IMPORT_MSG, className="mt-2"), type="dot"),
        dcc.Download(id=USR_DOWNLOAD),
    ]), className="mb-3")


def layout(**_query: str) -> html.Div:
    """Page frame: search and list for readers; the form and the import for admins."""
    admin = current_user.role == "admin"
    teams = [{"label": n, "value": i} for i, n in ua.teams_in_scope(db(), current_scope())] if admin else []
    return html.Div([
        dcc.Store(id=USR_REFRESH, data=0), dcc.Store(id=USR_IMPORTED, data=0),
        admin_subnav(current_user.role, "/admin/users"),
        html.H2(_("Users"), className="h4 mb-2"),
        user_form([{"label": role_label(r), "value": r} for r in ROLES], teams) if admin else
        html.P(_("Read-only: the users of your area and when they last signed in."), className="small text-muted"),
        dbc.Row([
            dbc.Col(dbc.Input(id=USR_SEARCH, type="search", debounce=True, maxLength=50,
                              placeholder=_("Search by user name, name, area or school")), xs=12, md=6),
            dbc.Col(dbc.Checkbox(id=USR_ACTIVE, value=False, label=_("Active users only")), xs=12, md=3,
                    className="align-self-center"),
        ], className="g-2 mb-2"),
        dcc.Loading(html.Div(id=USR_LIST), type="dot"),
        _import_card() if admin else "",
    ])


def _reader() -> None:
    try:
        ua.check_reader(current_user.role)
    except ua.UserRefused as exc:
        raise AreaRefused() from exc


def _manager() -> None:
    try:
        ua.check_manager(current_user.role)
    except ua.UserRefused as exc:
        raise AreaRefused() from exc


@callback(Output(USR_LIST, "children"), Input(USR_SEARCH, "value"), Input(USR_ACTIVE, "value"),
          Input(USR_REFRESH, "data"), Input(USR_IMPORTED, "data"))
def show_users(search: str | None, active_only: bool | None, _refresh: int | None, _imported: int | None) -> object:
    """The users of the scope matching the search."""
    _reader()
    rows = ua.list_users(db(), current_scope(), search if isinstance(search, str) else "",
                         active=True if active_only is True else None)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return user_grid(rows, role_label, now, selectable=current_user.role == "admin")


@callback(Output(USR_FORM_ID, "data"), Output(USR_NAME, "value"), Output(USR_DISPLAY, "value"),
          Output(USR_ROLE, "value"), Output(USR_CODE, "value"), Output(USR_TEAM, "value"),
          Output(USR_EMAIL, "value"), Input(USR_GRID, "selectedRows"), prevent_initial_call=True)
def pick_user(selected: list | None) -> tuple:
    """Fill the form with the user picked in the list (empty when none is picked: a new user)."""
    _manager()
    if not selected or not isinstance(selected, list) or not isinstance(selected[0], dict):
        return None, "", "", None, "", None, ""
    user_id = selected[0].get("id")
    if not isinstance(user_id, int):
        raise AreaRefused()
    try:
        v = ua.form_values(db(), current_scope(), user_id)
    except ua.UserRefused as exc:
        raise AreaRefused() from exc
    return v["id"], v["username"], v["display_name"], v["role"], v["code"] or "", v["team"], v["email"] or ""


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


@callback(Output(USR_MSG, "children"), Output(USR_NEW, "children"), Output(USR_REFRESH, "data"),
          Input(USR_CREATE, "n_clicks"), Input(USR_SAVE, "n_clicks"), Input(USR_TOGGLE, "n_clicks"),
          Input(USR_RESET, "n_clicks"), State(USR_FORM_ID, "data"), State(USR_NAME, "value"),
          State(USR_DISPLAY, "value"), State(USR_ROLE, "value"), State(USR_CODE, "value"), State(USR_TEAM, "value"),
          State(USR_EMAIL, "value"), State(USR_REFRESH, "data"), prevent_initial_call=True)
@saves
def act(_c: int | None, _s: int | None, _t: int | None, _r: int | None, user_id: object, username: object,
        display: object, role: object, code: object, team: object, email: object, refresh: int | None) -> tuple:
    """Create, save, disable/enable or reset, as the button pressed says; refusals outside the admin's area are
    HTTP 403, bad values a message naming the field."""
    _manager()
    trigger = ctx.triggered_id
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update, no_update
    scope = current_scope()
    team_id = team if isinstance(team, int) else None
    if trigger != USR_CREATE and not isinstance(user_id, int):
        return saved_mark(_("Pick a user in the list first."), error=True), "", no_update
    panel: object = ""
    try:
        with transaction() as s:
            if trigger == USR_CREATE:
                user, password = ua.create(s, scope, _text(username), _text(display), _text(role), _text(code),
                                           team_id, email=_text(email))
                panel, text = one_time_panel(user.username, password), _("User %(user)s created.", user=user.username)
            elif trigger == USR_SAVE:
                user = ua.edit(s, scope, user_id, _text(display), _text(role), _text(code), team_id,
                               email=_text(email))
                text = _("User %(user)s saved.", user=user.username)
            elif trigger == USR_TOGGLE:
                current = s.get(ua.User, user_id)
                user = ua.set_active(s, scope, user_id, not (current and current.is_active), actor_id=current_user.id)
                text = (_("User %(user)s enabled.", user=user.username) if user.is_active
                        else _("User %(user)s disabled; their sessions have ended.", user=user.username))
            elif trigger == USR_RESET:
                user, password = ua.reset_password(s, scope, user_id)
                panel, text = one_time_panel(user.username, password), _("Password of %(user)s reset.",
                                                                          user=user.username)
            else:
                return no_update, no_update, no_update
    except ua.UserRefused as exc:
        raise AreaRefused() from exc
    except (ua.UserInvalid, PasswordRefused) as exc:
        return saved_mark(password_error(exc), error=True), "", no_update
    return saved_mark(text), panel, (refresh or 0) + 1


@callback(Output(USR_IMPORT_MSG, "children"), Output(USR_DOWNLOAD, "data"), Output(USR_IMPORTED, "data"),
          Input(USR_UPLOAD, "contents"), State(USR_UPLOAD, "filename"), State(USR_IMPORTED, "data"),
          prevent_initial_call=True)
@saves
def import_file(contents: str | None, filename: str | None, imported: int | None) -> tuple:
    """Import the uploaded users file, all or none; the new users' one-time passwords download once."""
    _manager()
    if not isinstance(contents, str) or "," not in contents:
        return no_update, no_update, no_update
    name = Path(_text(filename) or "users.xlsx").name[:100]
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        return dbc.Alert(_("Choose an .xlsx or .csv file."), color="danger"), no_update, no_update
    try:
        data = base64.b64decode(contents.split(",", 1)[1], validate=True)
    except ValueError:
        return dbc.Alert(_("The file could not be read."), color="danger"), no_update, no_update
    if len(data) > MAX_UPLOAD:
        return dbc.Alert(_("The file is larger than 2 MB."), color="danger"), no_update, no_update
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            with transaction() as s:
                done = import_users(s, path, scope=current_scope())
                if not done.result.ok:
                    raise _Refused(done)
        except _Refused as refused:
            result = refused.done.result
            with transaction() as s:
                record_refusal(s, result, name)
            return (html.Div([dbc.Alert(_("%(kind)s: the file was refused and nothing was written.",
                                          kind=kind_label("users")), color="danger", id="users-import-refused"),
                              problem_table(result, "users-import-problems")]), no_update, no_update)
    return (dbc.Alert(_("%(n)s user(s) created. Their one-time passwords are being downloaded (once): hand them "
                        "out and delete the file.", n=len(done.passwords)), color="success", id="users-import-ok"),
            dcc.send_bytes(password_sheet(done.passwords), "one-time-passwords.xlsx"), (imported or 0) + 1)


class _Refused(Exception):
    """Rolls back the import's transaction; carries the refused result."""

    def __init__(self, done: object) -> None:
        super().__init__("refused")
        self.done = done
