"""Areas and schools (issue 15.3, admins in their own area): browse county → township → village with the schools
under their townships, edit names, close or merge a school from a term, move a school to another township from a
term, and import an areas file after a preview of its renamed, moved and retired codes (confirmed, never
silently applied). A township admin administers only their own township."""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask_babel import gettext as _
from flask_login import current_user

from components.admin.areas import ACTIONS, invalid_text, preview_view, tree_view
from components.admin.subnav import admin_subnav
from components.controls import dropdown
from components.imports.report import reason_text
from components.shell import SHELL_URL
from data_access.admin.areas import (AreasInvalid, AreasRefused, area_tree, check_admin, close_school,
                                     import_areas_file, move_school, preview_areas, rename_area, rename_school,
                                     reopen_school, tops)
from pages.imports.runner import UploadRefused, decode_upload
from web.context import AreaRefused, current_scope, db, transaction
from web.saves import saves
from wording.i18n import N_

dash.register_page(__name__, path="/admin/areas", name="Areas and schools", label=N_("Areas and schools"),
                   icon="diagram-2", roles=(), see_roles=("admin",), order=14)  # admins: the administration pills

AR_TOP, AR_TREE, AR_REFRESH = "areas-top", "areas-tree", "areas-refresh"
AR_SCHOOL, AR_ACTION, AR_TERM, AR_TARGET_SCHOOL, AR_TARGET_TOWN = (
    "areas-school", "areas-action", "areas-term", "areas-target-school", "areas-target-town")
AR_ACT_GO, AR_ACT_MSG = "areas-act-go", "areas-act-msg"
AR_RENAME_WHAT, AR_RENAME_NAME, AR_RENAME_GO, AR_RENAME_MSG = (
    "areas-rename-what", "areas-rename-name", "areas-rename-go", "areas-rename-msg")
AR_UPLOAD, AR_PREVIEW, AR_SEEN, AR_CONFIRM, AR_IMPORT_MSG = (
    "areas-upload", "areas-preview", "areas-seen", "areas-confirm", "areas-import-msg")
SUFFIXES = (".csv", ".xlsx", ".xls", ".txt")


def _label(text: str, for_id: str) -> object:
    return dbc.Label(text, html_for=for_id, className="small text-muted mb-0")


def layout(**_query: str) -> html.Div:
    """Page frame: the area to browse, its hierarchy, the school actions and the areas file import."""
    return html.Div([
        dcc.Store(id=AR_REFRESH, data=0), dcc.Store(id=AR_SEEN),
        admin_subnav(current_user.role, "/admin/areas"),
        html.H2(_("Areas and schools"), className="h4 mb-2"),
        dbc.Row([dbc.Col([_label(_("Area"), AR_TOP), dropdown(id=AR_TOP, clearable=False)], xs=12, md=4)],
                className="g-2 mb-2"),
        html.P(_("Names are changed one at a time below. A school closed, merged or moved keeps its history: earlier terms keep "
                 "it (and its old township); a closed school is not expected to send a roster from its term on."),
               className="small text-muted"),
        dcc.Loading(html.Div(id=AR_TREE), type="dot"),
        dbc.Card(dbc.CardBody([
            html.H3(_("Rename a township, village or school"), className="h6"),
            dbc.Row([
                dbc.Col([_label(_("Township, village or school"), AR_RENAME_WHAT), dropdown(id=AR_RENAME_WHAT)],
                        xs=12, md=5),
                dbc.Col([_label(_("New name"), AR_RENAME_NAME), dbc.Input(id=AR_RENAME_NAME, maxLength=100,
                                                                          size="sm")], xs=12, md=5),
                dbc.Col(dbc.Button(_("Save the name"), id=AR_RENAME_GO, color="primary", size="sm"), xs=6, md=2,
                        className="align-self-end"),
            ], className="g-2"),
            html.Div(id=AR_RENAME_MSG, className="small mt-2"),
        ]), className="mt-3"),
        dbc.Card(dbc.CardBody([
            html.H3(_("Close, merge or move a school"), className="h6"),
            dbc.Row([
                dbc.Col([_label(_("School"), AR_SCHOOL), dropdown(id=AR_SCHOOL)], xs=12, md=4),
                dbc.Col([_label(_("Action"), AR_ACTION), dropdown(
                    id=AR_ACTION, options=[{"label": _(v), "value": k} for k, v in ACTIONS.items()])], xs=12, md=4),
                dbc.Col([_label(_("From term"), AR_TERM), dbc.Input(id=AR_TERM, placeholder="2026-2", maxLength=7,
                                                                    size="sm")], xs=6, md=2),
            ], className="g-2 mb-2"),
            dbc.Row([
                dbc.Col([_label(_("Merge into"), AR_TARGET_SCHOOL), dropdown(id=AR_TARGET_SCHOOL)], xs=12, md=4),
                dbc.Col([_label(_("Move to township"), AR_TARGET_TOWN), dropdown(id=AR_TARGET_TOWN)], xs=12, md=4),
                dbc.Col(dbc.Button(_("Apply"), id=AR_ACT_GO, color="primary", size="sm"), xs=6, md=2,
                        className="align-self-end"),
            ], className="g-2"),
            html.Div(id=AR_ACT_MSG, className="small mt-2"),
        ]), className="mt-3"),
        dbc.Card(dbc.CardBody([
            html.H3(_("Import an areas file"), className="h6"),
            html.P(_("The file is checked and compared first: renamed, moved and retired codes are listed and applied "
                     "only when you confirm them. Codes no longer in the release are retired, never deleted."),
                   className="small text-muted"),
            dcc.Upload(id=AR_UPLOAD, children=html.Div([html.I(className="bi bi-upload me-1"),
                                                        _("Drop the areas file here or click to choose it")]),
                       className="border border-dashed rounded p-3 text-center small", multiple=False),
            dcc.Loading(html.Div(id=AR_PREVIEW, className="mt-2"), type="dot"),
            dbc.Button(_("Confirm and import"), id=AR_CONFIRM, color="warning", size="sm", disabled=True,
                       className="mt-2"),
            html.Div(id=AR_IMPORT_MSG, className="small mt-2"),
        ]), className="mt-3"),
    ])


def _admin() -> None:
    try:
        check_admin(current_user.role)
    except AreasRefused as exc:
        raise AreaRefused() from exc


@callback(Output(AR_TOP, "options"), Output(AR_TOP, "value"), Input(SHELL_URL, "pathname"))
def fill_tops(_path: str | None) -> tuple:
    """The counties (or the township) the admin may administer."""
    _admin()
    rows = tops(db(), current_user.role, current_scope())
    return [{"label": n, "value": c} for c, n in rows], rows[0][0] if rows else None


@callback(Output(AR_TREE, "children"), Output(AR_SCHOOL, "options"), Output(AR_TARGET_SCHOOL, "options"),
          Output(AR_TARGET_TOWN, "options"), Output(AR_RENAME_WHAT, "options"), Input(AR_TOP, "value"),
          Input(AR_REFRESH, "data"), Input(AR_IMPORT_MSG, "children"), Input(AR_RENAME_MSG, "children"))
def show_tree(top: str | None, _refresh: int | None, _imported: object = None, _renamed: object = None) -> tuple:
    """The hierarchy under the chosen area, and the choices of the school actions."""
    _admin()
    if not top:
        return html.P(_("No areas yet: import the areas file below."), className="text-muted"), [], [], [], []
    scope = current_scope()
    try:
        tree = area_tree(db(), current_user.role, scope, top)
    except AreasRefused as exc:
        raise AreaRefused() from exc
    editable = scope.unrestricted or all(lvl != "township" for _c, lvl in scope.areas)
    schools = [{"label": f"{s.name} ({s.code})", "value": s.id} for t in tree.townships for s in t.schools]
    towns = [{"label": t.name, "value": t.code} for t in tree.townships if not t.retired]
    names = ([{"label": f"{t.name} ({t.code})", "value": f"area:{t.code}"} for t in tree.townships if editable]
             + [{"label": f"{t.name} · {v.name} ({v.code})", "value": f"area:{v.code}"}
                for t in tree.townships for v in t.villages]
             + [{"label": f"{s.name} ({s.code})", "value": f"school:{s.id}"} for t in tree.townships
                for s in t.schools])
    return tree_view(tree), schools, list(schools), towns, names


def _save(action) -> object:  # noqa: ANN001 - a callable(session, role, scope)
    """Run one change in its own transaction: a refusal is HTTP 403, a refused value a message."""
    try:
        with transaction() as s:
            action(s, current_user.role, current_scope())
    except AreasRefused as exc:
        raise AreaRefused() from exc
    except AreasInvalid as exc:
        return html.Span(invalid_text(exc.code, exc.params), className="text-danger")
    return html.Span([html.I(className="bi bi-check2 me-1"), _("Saved")], className="text-success")


@callback(Output(AR_RENAME_MSG, "children"), Input(AR_RENAME_GO, "n_clicks"), State(AR_RENAME_WHAT, "value"),
          State(AR_RENAME_NAME, "value"), prevent_initial_call=True)
@saves
def save_name(clicks: int | None, what: str | None, name: str | None) -> object:
    """Rename the chosen township, village or school (the tree follows the message)."""
    _admin()
    if not clicks:
        return no_update
    kind, _sep, key = (what or "").partition(":")
    if kind == "area":
        done = _save(lambda s, role, scope: rename_area(s, role, scope, key, name))
    elif kind == "school" and key.isdigit():
        done = _save(lambda s, role, scope: rename_school(s, role, scope, int(key), name))
    else:
        return html.Span(invalid_text("no_target", {}), className="text-danger")
    return done


@callback(Output(AR_ACT_MSG, "children"), Output(AR_REFRESH, "data"), Input(AR_ACT_GO, "n_clicks"),
          State(AR_SCHOOL, "value"), State(AR_ACTION, "value"), State(AR_TERM, "value"),
          State(AR_TARGET_SCHOOL, "value"), State(AR_TARGET_TOWN, "value"), State(AR_REFRESH, "data"),
          prevent_initial_call=True)
@saves
def act_on_school(clicks: int | None, school: int | None, action: str | None, term: str | None,
                  merge_into: int | None, town: str | None, refresh: int | None) -> tuple:
    """Close, merge, move or reopen the chosen school."""
    _admin()
    if not clicks:
        return no_update, no_update
    if school is None:
        return html.Span(invalid_text("no_school", {}), className="text-danger"), no_update
    term = (term or "").strip()
    if action == "close":
        done = _save(lambda s, role, scope: close_school(s, role, scope, school, term))
    elif action == "merge":
        if merge_into is None:
            return html.Span(invalid_text("merge_target", {}), className="text-danger"), no_update
        done = _save(lambda s, role, scope: close_school(s, role, scope, school, term, merged_into=merge_into))
    elif action == "move":
        done = _save(lambda s, role, scope: move_school(s, role, scope, school, town, term,
                                                        user_id=current_user.id))
    elif action == "reopen":
        done = _save(lambda s, role, scope: reopen_school(s, role, scope, school))
    else:
        return html.Span(invalid_text("no_action", {}), className="text-danger"), no_update
    return done, (refresh or 0) + 1


def _with_file(contents: str, filename: str | None, use) -> object:  # noqa: ANN001 - use(path, name)
    """Write the upload to a private temporary file for the duration of one call."""
    name = (filename or "areas.csv").replace("\\", "/").rsplit("/", 1)[-1][:120]
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in SUFFIXES else ".csv"
    data = decode_upload(contents)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{Path(name).stem or 'areas'}{suffix}"
        path.write_bytes(data)
        return use(path, name)


@callback(Output(AR_PREVIEW, "children"), Output(AR_SEEN, "data"), Output(AR_CONFIRM, "disabled"),
          Output(AR_IMPORT_MSG, "children"),
          Input(AR_UPLOAD, "contents"), Input(AR_CONFIRM, "n_clicks"), State(AR_UPLOAD, "filename"),
          State(AR_SEEN, "data"), prevent_initial_call=True)
@saves
def preview_or_import(contents: str | None, confirm: int | None, filename: str | None, seen: dict | None) -> tuple:
    """A new file: check and compare it (nothing written). Confirm: import the file previewed, renames included."""
    _admin()
    if ctx.triggered_id == AR_CONFIRM and not confirm:    # the button drawn, not pressed
        raise PreventUpdate
    role, scope = current_user.role, current_scope()
    if not contents:
        return "", None, True, ""
    digest = hashlib.sha256(contents.encode()).hexdigest()
    try:
        if ctx.triggered_id == AR_CONFIRM and confirm:
            if not seen or seen.get("sha") != digest:
                return no_update, no_update, True, html.Span(_("Look at the preview first."),
                                                             className="text-danger")
            with transaction() as s:
                result = _with_file(contents, filename, lambda path, _n: import_areas_file(s, role, scope, path, True))
                if not result.ok:
                    raise _Refused(result)
            note = _("Imported: %(new)s new, %(changed)s changed, %(same)s unchanged.", new=result.new,
                     changed=result.changed, same=result.unchanged)
            return "", None, True, html.Span(note, className="text-success", id="areas-imported")
        preview = _with_file(contents, filename, lambda path, name: preview_areas(db(), role, scope, path, name))
    except AreasRefused as exc:
        raise AreaRefused() from exc
    except UploadRefused:
        return "", None, True, html.Span(_("The file could not be read or is too large."), className="text-danger")
    except _Refused as exc:
        return "", None, True, html.Span(_("The file changed what it would do since the preview: nothing was "
                                           "written. Look at the preview again."), className="text-danger")
    return preview_view(preview, reason_text), {"sha": digest} if preview.ok else None, not preview.ok, ""


class _Refused(Exception):
    """An import refused at confirmation (the transaction is rolled back)."""

    def __init__(self, result: object) -> None:
        super().__init__("refused")
        self.result = result
