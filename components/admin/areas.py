"""What the Areas and schools page shows: the hierarchy with its name fields, the school actions' words, and the
preview of an areas file (renamed, moved, retired and new codes) before it is imported."""
from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

from domain.admin.areas import AreasPreview, AreaTree, SchoolNode, TownshipNode
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


def _school_state(s: SchoolNode) -> object:
    parts: list[object] = []
    if s.merged_into:
        parts.append(dbc.Badge(_("merged into %(school)s from %(term)s", school=s.merged_into, term=s.closed_from),
                               color="secondary", className="me-1"))
    elif s.closed_from:
        parts.append(dbc.Badge(_("closed from %(term)s", term=s.closed_from), color="secondary", className="me-1"))
    for move in s.moves:
        parts.append(dbc.Badge(_("moved %(move)s", move=move), color="info", className="me-1"))
    return parts or html.Span(_("open"), className="text-muted")


def _township(t: TownshipNode) -> object:
    villages = html.Ul([html.Li([html.Code(v.code, className="me-2"), v.name,
                                 dbc.Badge(_("retired"), color="warning", className="ms-1") if v.retired else ""],
                                className="mb-1") for v in t.villages], className="list-unstyled small mb-2") \
        if t.villages else html.P(_("No villages imported."), className="small text-muted")
    schools = dbc.Table([html.Thead(html.Tr([html.Th(_("School code")), html.Th(_("School")), html.Th(_("Type")),
                                             html.Th(_("State"))])),
                         html.Tbody([html.Tr([html.Td(html.Code(s.code)), html.Td(s.name),
                                              html.Td(s.type), html.Td(_school_state(s))],
                                             className="" if s.open else "text-muted") for s in t.schools])],
                        size="sm", className="small mb-0") if t.schools else \
        html.P(_("No schools in this township."), className="small text-muted")
    title = [html.I(className="bi bi-chevron-expand me-1 text-muted"), html.Code(t.code, className="me-2"),
             html.Strong(t.name),
             dbc.Badge(_("retired"), color="warning", className="ms-1") if t.retired else "",
             html.Span(_("%(villages)s villages · %(schools)s schools", villages=len(t.villages),
                         schools=len(t.schools)), className="small text-muted ms-2")]
    return html.Details([html.Summary(title, className="d-flex flex-wrap align-items-center gap-1", role="button"),
                         html.H4(_("Villages and communities"), className="h6 mt-2"), villages,
                         html.H4(_("Schools"), className="h6 mt-2"), schools],
                        className="border rounded p-2 mb-2 bx-area-township", id={"type": "areas-town", "code": t.code})


def tree_view(tree: AreaTree) -> object:
    """The county (or township) with a folding block per township."""
    return html.Div([
        html.Div([html.Code(tree.code, className="me-2"), html.Strong(tree.name)], className="mb-2"),
        *[_township(t) for t in tree.townships],
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
