"""Target policies (issue 15.2, domain.md §4): the policies of the user's area and above with their targets; one
policy read-only (`?policy=ID`, where the pages' "目标：…" line links); for admins an editor that starts a policy
from a preset or another policy, or saves an edited one — a new version from a term once it has judged a term."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask_babel import gettext as _
from flask_login import current_user

from components.admin.subnav import admin_subnav
from components.admin.targets import (BOUND_IDS, MARGIN_IDS, OP_IDS, REL_IDS, editor_rows, policy_detail,
                                      policy_list)
from components.controls import dropdown, searched_options
from components.shell import SHELL_URL
from data_access.admin.targets import (EDIT_ROLES, TargetsRefused, editable_areas, list_policies, read_policy,
                                       save_policy, suggested_start)
from domain.admin.targets import PolicyInvalid, TargetRow
from domain.dashboard.indicators import INDICATORS
from web.context import AreaRefused, current_scope, db, transaction
from web.saves import saves
from wording.targets import policy_problem_text

dash.register_page(__name__, path="/admin/targets", name="Targets", title="保学 Baoxue", roles=(), order=13)

TG_SELECTED, TG_LIST, TG_DETAIL, TG_BASE = "targets-selected", "targets-list", "targets-detail", "targets-base"
TG_MODE, TG_AREA, TG_NAME, TG_FROM = "targets-mode", "targets-area", "targets-name", "targets-from"
TG_PRECISION, TG_SAVE, TG_MESSAGE, TG_HEADING = "targets-precision", "targets-save", "targets-message", "targets-heading"
# the policy in the editor: the editor's own copy of TG_SELECTED, so that its callbacks read only what the editor
# holds (a reader's page has no editor: a callback with one input on the page and one not is an error in Dash)
TG_EDITING = "targets-editing"


def _selected(policy: str | None) -> int | None:
    try:
        return int(policy) if policy else None
    except ValueError:
        return None


def _labelled(label: str, control: object, width: int) -> dbc.Col:
    return dbc.Col([dbc.Label(label, className="small text-muted mb-0"), control], md=width)


def _editor(selected: int | None) -> dbc.Card:
    """The form of one policy (`selected`, or a new one): start from, area, name, term it takes effect from,
    precision, a row per indicator."""
    head = html.Thead(html.Tr([html.Th(_("Indicator")), html.Th(_("Operator")), html.Th(_("Bound")),
                               html.Th(_("Warning margin")), html.Th(_("Margin in"))]))
    return dbc.Card(dbc.CardBody([
        dcc.Store(id=TG_EDITING, data=selected),
        html.H3(id=TG_HEADING, className="h6"),
        dbc.Row([
            _labelled(_("Start from (a preset or another policy)"), dropdown(id=TG_BASE, clearable=True), 6),
            _labelled(_("Area it applies to"), dropdown(id=TG_AREA, clearable=False), 6),
        ], className="g-2 mb-2"),
        dbc.Row([
            _labelled(_("Policy name"), dbc.Input(id=TG_NAME, maxLength=100, size="sm"), 6),
            _labelled(_("Takes effect from"), dbc.Input(id=TG_FROM, placeholder="2026-1", size="sm"), 3),
            _labelled(_("Published precision"), dbc.Input(id=TG_PRECISION, type="number", min=0, max=4, step=1,
                                                          size="sm"), 3),
        ], className="g-2 mb-2"),
        html.P(_("Earlier terms stay judged by the version that was in force then: once a version has judged a "
                 "term, saving makes a new version from the term given. Leave a margin empty for the default "
                 "(0.5 points for enrollment rates, 0.2 for dropout rates); an operator of — sets no target."),
               className="small text-muted"),
        dbc.Table([head, editor_rows()], size="sm", bordered=True, responsive=True, className="mb-2"),
        dbc.Button([html.I(className="bi bi-save me-1"), _("Save")], id=TG_SAVE, color="primary"),
        html.Div(id=TG_MESSAGE, className="mt-2"),
    ]), className="shadow-sm mt-3", id="targets-editor")


def layout(policy: str | None = None, **_query: str) -> html.Div:
    """Page frame; the policies arrive through the callbacks (the editor for admins only)."""
    selected = _selected(policy)
    return html.Div([
        dcc.Store(id=TG_SELECTED, data=selected), dcc.Store(id=TG_MODE),
        admin_subnav(current_user.role, "/admin/targets"),
        html.H2(_("Target policies"), className="h4 mb-1"),
        html.P(_("The targets each area's figures are judged against: per indicator a bound, a "
                 "warning margin and the precision rates are published at, in force from a term."),
               className="text-muted small"),
        dbc.Row([
            dbc.Col(dcc.Loading(html.Div(id=TG_LIST), type="dot"), lg=7),
            dbc.Col(html.Div(id=TG_DETAIL), lg=5),
        ], className="g-3"),
        _editor(selected) if current_user.role in EDIT_ROLES else None,
    ])


@callback(Output(TG_LIST, "children"), Output(TG_DETAIL, "children"),
          Input(SHELL_URL, "pathname"), Input(TG_SELECTED, "data"))
def show_policies(_pathname: str | None, selected: int | None) -> tuple:
    """The policies the user may read, and the selected one read-only (HTTP 403 for one outside their area)."""
    session, scope = db(), current_scope()
    detail = html.P(_("Choose a policy to see its targets."), className="text-muted small")
    if selected is not None:
        try:
            view = read_policy(session, scope, int(selected))
        except (TargetsRefused, TypeError, ValueError) as exc:
            raise AreaRefused() from exc
        previous = None
        if view.previous_id:
            try:
                previous = read_policy(session, scope, view.previous_id).name
            except TargetsRefused:
                previous = None
        detail = policy_detail(view, previous)
    views = list_policies(session, scope)
    if not views:
        return html.P(_("No target policy yet."), className="text-muted"), detail
    return policy_list(views, selected, "targets-table"), detail


def _admin() -> None:
    if current_user.role not in EDIT_ROLES:
        raise AreaRefused()


@callback(Output(TG_BASE, "options"), Input(SHELL_URL, "pathname"), Input(TG_MESSAGE, "children"))
def editor_choices(_pathname: str | None, _message: object) -> list[dict]:
    """The policies to start from (admins only)."""
    _admin()
    return [{"label": f"{v.name} #{v.id}" + (f" · {v.area_name}" if v.area_name else ""), "value": v.id}
            for v in list_policies(db(), current_scope())]


@callback(Output(TG_AREA, "options"), Input(SHELL_URL, "pathname"), Input(TG_AREA, "search_value"),
          Input(TG_AREA, "value"))
def area_choices(_pathname: str | None, search: str | None, area: str | None) -> list[dict]:
    """The areas to set (admins only): of a long list (a province admin's 1,507 areas kept Chromium busy ~0.3 s),
    those matching what is typed, and the one picked (a policy chosen in the list brings its area)."""
    _admin()
    choices = [(code, f"{name} ({code})") for code, name in editable_areas(db(), current_scope())]
    return searched_options(choices, search if isinstance(search, str) else None, area)


def _form(view, edits: int | None, area: str | None, start: str | None) -> tuple:  # noqa: ANN001
    targets = {t.indicator: t for t in (view.targets if view else ())}
    ops = [targets[i.key].op if i.key in targets else "" for i in INDICATORS]
    bounds = [f"{targets[i.key].bound:g}" if i.key in targets else "" for i in INDICATORS]
    margins = [f"{targets[i.key].margin:g}" if i.key in targets and targets[i.key].margin is not None else ""
               for i in INDICATORS]
    kinds = ["relative" if i.key in targets and targets[i.key].relative else "points" for i in INDICATORS]
    source = (_("Start a policy from %(name)s", name=view.name) if edits is None and view
              else _("Edit %(name)s #%(id)s", name=view.name, id=view.id) if view else _("New policy"))
    return ({"edits": edits, "source": f"{view.name} #{view.id}" if view and edits is None else None}, source, area,
            view.name if view else "", start, view.precision if view else 2, ops, bounds, margins, kinds)


@callback(Output(TG_MODE, "data"), Output(TG_HEADING, "children"), Output(TG_AREA, "value"),
          Output(TG_NAME, "value"), Output(TG_FROM, "value"), Output(TG_PRECISION, "value"),
          Output({"type": OP_IDS, "ind": ALL}, "value"), Output({"type": BOUND_IDS, "ind": ALL}, "value"),
          Output({"type": MARGIN_IDS, "ind": ALL}, "value"), Output({"type": REL_IDS, "ind": ALL}, "value"),
          Input(TG_EDITING, "data"), Input(TG_BASE, "value"))
def fill_editor(selected: int | None, base: int | None) -> tuple:
    """The selected policy to edit (when the admin may), or a new policy started from the chosen one."""
    _admin()
    session, scope = db(), current_scope()
    own = current_user.area_code if current_user.area_code and len(current_user.area_code) == 12 else None
    chosen = base if ctx.triggered_id == TG_BASE else (selected if selected is not None else base)
    if chosen is None:
        return _form(None, None, own, suggested_start(db(), None))
    try:
        view = read_policy(session, scope, int(chosen))
    except (TargetsRefused, TypeError, ValueError) as exc:
        raise AreaRefused() from exc
    if ctx.triggered_id != TG_BASE and view.editable:  # edit this version
        start = view.effective_from if not view.judged else suggested_start(db(), view.effective_from)
        return _form(view, view.id, view.area_code, start)
    return _form(view, None, own, suggested_start(db(), None))


@callback(Output(TG_MESSAGE, "children"), Output(TG_SELECTED, "data"), Output(TG_EDITING, "data"),
          Input(TG_SAVE, "n_clicks"),
          State(TG_MODE, "data"), State(TG_AREA, "value"), State(TG_NAME, "value"), State(TG_FROM, "value"),
          State(TG_PRECISION, "value"), State({"type": OP_IDS, "ind": ALL}, "value"),
          State({"type": BOUND_IDS, "ind": ALL}, "value"), State({"type": MARGIN_IDS, "ind": ALL}, "value"),
          State({"type": REL_IDS, "ind": ALL}, "value"), prevent_initial_call=True)
@saves
def save_targets(_clicks: int | None, mode: dict | None, area: str | None, name: str | None, start: str | None,
                 precision: object, ops: list, bounds: list, margins: list, kinds: list) -> tuple:
    """Check and save the policy (admins, for their area); every refused field is named and nothing is saved."""
    if not _clicks:                 # drawn, not pressed: saving then would re-save or version the loaded policy
        raise PreventUpdate
    _admin()
    mode = mode if isinstance(mode, dict) else {}
    edits = mode.get("edits")
    keys = [i.key for i in INDICATORS]
    if not all(isinstance(x, list) and len(x) == len(keys) for x in (ops, bounds, margins, kinds)):
        raise AreaRefused()
    rows = [TargetRow(k, op, bound, margin, kind == "relative")
            for k, op, bound, margin, kind in zip(keys, ops, bounds, margins, kinds) if op]
    try:
        with transaction() as s:
            saved = save_policy(s, current_scope(), area_code=area, name=name, precision=precision,
                                effective_from=start, rows=rows, edits=int(edits) if edits is not None else None,
                                source=str(mode["source"])[:200] if mode.get("source") else None)
    except PolicyInvalid as exc:  # before ValueError: it is one
        return dbc.Alert([html.Div(_("Not saved:")), html.Ul([html.Li(policy_problem_text(p))
                                                              for p in exc.problems], className="mb-0")],
                         color="danger", className="py-2"), no_update, no_update
    except (TargetsRefused, TypeError, ValueError) as exc:
        raise AreaRefused() from exc
    text = (_("Saved as a new version #%(id)s: earlier terms keep the version in force then.", id=saved.policy_id)
            if saved.created and saved.previous_id and edits is not None
            else _("Saved as a new policy #%(id)s.", id=saved.policy_id) if saved.created
            else _("Saved #%(id)s (it had judged no term yet).", id=saved.policy_id))
    return dbc.Alert(text, color="success", className="py-2"), saved.policy_id, saved.policy_id
