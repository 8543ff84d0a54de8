"""What the Areas and schools page shows: the hierarchy with its name fields, the school actions' words, and the
preview of an areas file (renamed, moved, retired and new codes) before it is imported."""
from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

from components.controls import rows_grid
from domain.admin.areas import AreasPreview, AreaTree, SchoolNode
from wording.i18n import N_

ACTIONS = {"close": N_("Close the school from the term"), "merge": N_("Merge it into another school from the term"),
           "move": N_("Move it to another township from the term"), "reopen": N_("Reopen a closed school")}
INVALID = {
    "name_empty": N_("The name must not be empty."),
    "name_long": N_("The name is longer than %(count)s characters."),
    "term": N_("The term must be a term code such as 2026-1 (YYYY-1 autumn, YYYY-2 spring)."),
    "merge_self": N_("A school cannot be merged into itself."),
    "merge_closed": N_("The school to merge into is closed itself."),
    "merge_target": N_("Choose the school to merge into."),
    "has_roster": N_("The school has a roster in %(term)s: close it from a later term."),
    "not_township": N_("Choose the township to move the school to."),
    "retired": N_("That township code is retired."),
    "same_township": N_("The school is already in that township."),
    "move_order": N_("The school was already moved from %(term)s: a new move must start later."),
    "no_school": N_("Choose a school."),
    "no_action": N_("Choose what to do."),
    "no_target": N_("Choose the township, village or school to rename."),
}


def invalid_text(code: str, params: dict[str, str]) -> str:
    """The words of a refused value."""
    return _(INVALID[code], **params) if code in INVALID else code


def _school_state(s: SchoolNode) -> str:
    parts = []
    if s.merged_into:
        parts.append(_("merged into %(school)s from %(term)s", school=s.merged_into, term=s.closed_from))
    elif s.closed_from:
        parts.append(_("closed from %(term)s", term=s.closed_from))
    parts += [_("moved %(move)s", move=move) for move in s.moves]
    return "；".join(parts) or _("open")


def _grid(grid_id: str, rows: list[dict], columns: list[dict]) -> object:
    for column in columns:
        column.setdefault("flex", 1)
        column.setdefault("minWidth", 100)
    return rows_grid(grid_id, rows, columns, getRowId="params.data.code",
                     rowClassRules={"text-muted": "params.data.muted"})


def tree_view(tree: AreaTree) -> object:
    """The county (or township): its townships, villages and schools, each an AG Grid to sort and filter (a county's
    folding blocks of villages and school tables were ~1,500 Dash components: ~3.7 s of a busy browser)."""
    retired = _("retired")
    towns = [{"code": t.code, "name": t.name, "villages": len(t.villages), "schools": len(t.schools),
              "state": retired if t.retired else "", "muted": t.retired} for t in tree.townships]
    villages = [{"code": v.code, "name": v.name, "township": t.name, "state": retired if v.retired else "",
                 "muted": v.retired} for t in tree.townships for v in t.villages]
    schools = [{"code": s.code, "name": s.name, "township": t.name, "type": s.type, "state": _school_state(s),
                "muted": not s.open} for t in tree.townships for s in t.schools]
    number = {"type": "numericColumn", "filter": "agNumberColumnFilter"}
    return html.Div([
        html.Div([html.Code(tree.code, className="me-2"), html.Strong(tree.name)], className="mb-2"),
        html.H4(_("Townships"), className="h6 mt-2"),
        _grid("areas-townships", towns, [
            {"field": "code", "headerName": _("Code")}, {"field": "name", "headerName": _("Township")},
            {"field": "villages", "headerName": _("Villages and communities"), **number},
            {"field": "schools", "headerName": _("Schools"), **number}, {"field": "state", "headerName": _("State")}]),
        html.H4(_("Villages and communities"), className="h6 mt-3"),
        _grid("areas-villages", villages, [
            {"field": "township", "headerName": _("Township")}, {"field": "code", "headerName": _("Code")},
            {"field": "name", "headerName": _("Village or community"), "flex": 2},
            {"field": "state", "headerName": _("State")}]) if villages else
        html.P(_("No villages imported."), className="small text-muted"),
        html.H4(_("Schools"), className="h6 mt-3"),
        _grid("areas-schools", schools, [
            {"field": "township", "headerName": _("Township")}, {"field": "code", "headerName": _("School code")},
            {"field": "name", "headerName": _("School"), "flex": 2}, {"field": "type", "headerName": _("Type")},
            {"field": "state", "headerName": _("State"), "flex": 2, "wrapText": True, "autoHeight": True}])
        if schools else html.P(_("No schools in this area."), className="small text-muted"),
    ], id="areas-tree-body")


def _list(title: str, rows: list[list[object]], headers: list[str], tone: str) -> object:
    if not rows:
        return ""
    return html.Div([html.H4(f"{title} ({len(rows)})", className=f"h6 mt-2 text-{tone}"),
                     dbc.Table([html.Thead(html.Tr([html.Th(h) for h in headers])),
                                html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows])],
                               size="sm", className="small")])


def preview_view(p: AreasPreview, reason: Callable[[str], str]) -> object:
    """What an areas file would change (renames, moves and retirements to confirm), or its problems."""
    if not p.ok:
        return dbc.Alert([html.P(_("%(file)s cannot be imported; nothing was written:", file=p.file_name)),
                          html.Ul([html.Li(f"{_('row')} {x.row} · {x.column} · {x.value} — {reason(x.reason)}")
                                   for x in p.problems])], color="danger", className="small", id="areas-preview-bad")
    c = p.changes
    head = _("%(file)s: %(new)s new, %(renamed)s renamed, %(moved)s moved, %(retired)s retired, %(same)s unchanged.",
             file=p.file_name, new=len(c.new), renamed=len(c.renamed), moved=len(c.moved), retired=len(c.retired),
             same=c.unchanged)
    note = (_("Check the renamed, moved and retired codes, then confirm: retired codes keep their history.")
            if c.needs_confirmation else _("Nothing to confirm: the file only adds or repeats codes."))
    return html.Div([
        html.P(head, className="mb-1"), html.P(note, className="small text-muted"),
        _list(_("Renamed"), [[html.Code(r.code), r.old, r.new] for r in c.renamed],
              [_("Code"), _("Stored name"), _("Name in the file")], "warning"),
        _list(_("Moved"), [[r.name, html.Code(r.old_code), html.Code(r.new_code)] for r in c.moved],
              [_("Name"), _("Old code"), _("New code")], "warning"),
        _list(_("Retired (no longer in the release)"), [[html.Code(code), name] for code, name in c.retired],
              [_("Code"), _("Name")], "danger"),
        _list(_("New"), [[html.Code(code)] for code in c.new], [_("Code")], "success"),
    ], id="areas-preview-box")
