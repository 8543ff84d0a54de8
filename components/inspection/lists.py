"""Builders for lists around visits (pure): a visit's findings and history, the visit list, the
coverage of each zone, the findings of a term, and the zone cards of the admin page."""
from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _
from components.controls import count_column, county_link_column, dropdown, markdown_link, rows_grid

from components.inspection.visit import evidence_box, evidence_list, status_badge
from components.plain import el
from components.rectification.board import FINDING_ORDER
from wording.inspection import (COVERAGE_COLORS, COVERAGE_LABELS, FALSE_DATA_LABELS, KIND_LABELS,
                                        METHOD_LABELS, SEVERITY_COLORS, SEVERITY_LABELS, finding_detail,
                                        finding_headline, history_text, label, local_time)
from domain.inspection.views import FindingRow
from domain.inspection.views import CountyCoverage, VisitRow, ZoneCoverage
from domain.inspection.views import FindingView, HistoryEntry
from domain.inspection.views import ZoneAdmin
from domain.inspection.rules import FALSE_DATA_TYPES, FINDING_KINDS, SEVERITIES

FINDING_SEVERITY, FINDING_DEL = "visit-finding-severity", "visit-finding-del"  # key "finding"
VISIT_F_KIND, VISIT_F_TYPE, VISIT_F_SEVERITY = "visit-f-kind", "visit-f-type", "visit-f-severity"
VISIT_F_SCHOOL, VISIT_F_TEXT, VISIT_F_ADD, VISIT_F_MSG = "visit-f-school", "visit-f-text", "visit-f-add", "visit-f-msg"
VISIT_F_LIST = "visit-f-list"
ZONE_NAME, ZONE_TOWNS, ZONE_TEAM, ZONE_LEADER, ZONE_MEMBERS = ("zones-name", "zones-towns", "zones-team",
                                                              "zones-leader", "zones-members")
ZONE_SAVE, ZONE_DELETE, ZONE_MSG = "zones-save", "zones-delete", "zones-msg"  # key "zone"


def _opts(labels: dict[str, str], keys: Sequence[str]) -> list[dict]:
    return [{"label": label(labels, k), "value": k} for k in keys]


def severity_badge(severity: str) -> dict:
    """Minor / serious / grave, coloured (a plain element: components.plain; one a row of the term's findings)."""
    return el("Span", label(SEVERITY_LABELS, severity),
              className=f"badge text-bg-{SEVERITY_COLORS.get(severity, 'light')}")


def finding_item(f: FindingView, can_edit: bool) -> dbc.ListGroupItem:
    """A finding: severity, kind, the unit it concerns, what it says, its method and evidence."""
    sev = (dbc.Select(id={"type": FINDING_SEVERITY, "finding": f.id}, value=f.severity, size="sm",
                      options=_opts(SEVERITY_LABELS, SEVERITIES), className="w-auto")
           if can_edit else severity_badge(f.severity))
    evidence = (evidence_box(f"f{f.id}", f.evidence, True) if can_edit and not f.generated
                else html.Div(evidence_list("x", f.evidence, False)) if f.evidence else None)
    return dbc.ListGroupItem([
        dbc.Row([
            dbc.Col(sev, width="auto"),
            dbc.Col([html.Div([html.Strong(finding_headline(f.kind, f.false_data_type), className="me-2"),
                               html.Span(f.unit_name, className="text-muted small")]),
                     html.Div(finding_detail(f.method, f.kind, f.subject, f.count, f.description), className="small"),
                     html.Small(label(METHOD_LABELS, f.method), className="text-muted")]),
            dbc.Col(dbc.Button(html.I(className="bi bi-trash"), id={"type": FINDING_DEL, "finding": f.id},
                               color="link", className="text-danger p-0", title=_("Remove")), width="auto")
            if can_edit and not f.generated else None,
        ], className="g-2 align-items-start"),
        evidence,
        html.Div(id={"type": FINDING_ORDER, "finding": f.id}, className="mt-1"),  # filled by pages/rectification_findings
    ], color="danger" if f.kind == "false_data" else None, className=f"bx-finding bx-kind-{f.kind}")


def findings_list(findings: Sequence[FindingView], can_edit: bool) -> object:
    """The visit's findings, gravest first."""
    if not findings:
        return html.P(_("No findings."), className="text-muted", id="visit-no-findings")
    return dbc.ListGroup([finding_item(f, can_edit) for f in findings])


def _labelled(text: str, control_id: str, control: object) -> list:
    """A small label above a form control."""
    return [dbc.Label(text, html_for=control_id, className="small text-muted mb-0"), control]


def finding_form(schools: Sequence[tuple[int, str]], township_name: str) -> dbc.Card:
    """Enter a finding by hand: kind (false data: which), severity, the unit, a description."""
    whole = _("township")
    units = [{"label": f"{township_name} ({whole})", "value": ""}] + [
        {"label": n, "value": str(i)} for i, n in schools]
    return dbc.Card(dbc.CardBody([
        html.H3(_("Add a finding"), className="h6"),
        dbc.Row([
            dbc.Col(_labelled(_("Kind"), VISIT_F_KIND,
                              dbc.Select(id=VISIT_F_KIND, value="other", options=_opts(KIND_LABELS, FINDING_KINDS),
                                         size="sm")), xs=6, md=3),
            dbc.Col(_labelled(_("Which false data"), VISIT_F_TYPE, dbc.Select(
                id=VISIT_F_TYPE, value="", size="sm", options=[
                {"label": _("(false data only)"), "value": ""}] + _opts(FALSE_DATA_LABELS, FALSE_DATA_TYPES))),
                xs=6, md=3),
            dbc.Col(_labelled(_("Severity"), VISIT_F_SEVERITY,
                              dbc.Select(id=VISIT_F_SEVERITY, value="medium", options=_opts(SEVERITY_LABELS, SEVERITIES),
                                         size="sm")), xs=6, md=2),
            dbc.Col(_labelled(_("Unit concerned"), VISIT_F_SCHOOL,
                              dbc.Select(id=VISIT_F_SCHOOL, value="", options=units, size="sm")), xs=6, md=4),
            dbc.Col(dbc.Textarea(id=VISIT_F_TEXT, rows=2, placeholder=_("What was found"), maxLength=4000, size="sm"),
                    xs=12, md=10),
            dbc.Col(dbc.Button([html.I(className="bi bi-plus-lg me-1"), _("Add")], id=VISIT_F_ADD, color="primary",
                               size="sm", className="w-100"), xs=12, md=2),
        ], className="g-2"),
        html.Div(id=VISIT_F_MSG, className="small mt-1"),
    ]), className="mb-2 bg-light")


def findings_section(findings: Sequence[FindingView], schools: Sequence[tuple[int, str]], township_name: str,
                     can_edit: bool) -> html.Div:
    """The add form (while editable) and the list."""
    return html.Div([finding_form(schools, township_name) if can_edit else None,
                     html.Div(findings_list(findings, can_edit), id=VISIT_F_LIST)])


def history_list(entries: Sequence[HistoryEntry]) -> object:
    """The visit's history from the audit log, newest first."""
    if not entries:
        return html.P(_("No history yet."), className="text-muted")
    return dbc.ListGroup([dbc.ListGroupItem(dbc.Row([
        dbc.Col(html.Small(local_time(e.at), className="text-muted font-monospace"), xs=12, md=2),
        dbc.Col(html.Small(e.actor), xs=12, md=2),
        dbc.Col(html.Small(history_text(e.action, e.detail)), xs=12, md=8),
    ], className="g-1")) for e in entries], flush=True, className="small")


# --- the visit list ---------------------------------------------------------------------------

def visits_table(rows: Sequence[VisitRow], term_label: object) -> object:
    """Visits with date, term, township, schools, team, status and findings; each opens its page (rows of plain
    elements: components.plain)."""
    if not rows:
        return html.P(_("No visits match."), className="text-muted", id="inspection-none")
    head = el("Thead", el("Tr", [el("Th", _("Date")), el("Th", _("Township")), el("Th", _("Schools visited")),
                                 el("Th", _("Team")), el("Th", _("Status")),
                                 el("Th", _("Findings"), className="text-end"), el("Th", "")]))
    open_text = _("Open")
    body = []
    for r in rows:
        findings = [el("Span", str(r.findings))]
        if r.false_data:
            findings.append(el("Span", _("%(n)s false data", n=r.false_data), className="badge text-bg-danger ms-1"))
        body.append(el("Tr", [
            el("Td", [el("Div", r.visit_date.isoformat()), el("Small", term_label(r.term_code), className="text-muted")]),
            el("Td", r.township_name), el("Td", el("Small", "、".join(r.schools))),
            el("Td", el("Small", r.team_name or r.zone_name)),
            el("Td", status_badge(r.status)),
            el("Td", findings, className="text-end"),
            el("Td", el("dcc.Link", [open_text, el("I", className="bi bi-chevron-right ms-1")],
                        href=f"/inspection/visit?id={r.id}", className="btn btn-sm btn-outline-primary"),
               className="text-end"),
        ], **{"data-visit": r.id}))
    return html.Div(dbc.Table([head, el("Tbody", body)], hover=True, size="sm", className="align-middle mb-0",
                              id="inspection-table"), className="table-responsive")


# --- coverage ---------------------------------------------------------------------------------

def coverage_cards(zones: Sequence[ZoneCoverage], due_text: str) -> list:
    """Per zone: each township's state, its visits, schools visited and still to visit, findings."""
    if not zones:
        return [html.P(_("No zones to show: ask an administrator to set up zones and teams."),
                       className="text-muted")]
    cards = []
    states = {state: label(COVERAGE_LABELS, state) for state in COVERAGE_LABELS}
    for z in zones:
        done = sum(1 for t in z.townships if t.state in ("done", "done_late"))
        rows = []   # (plain elements: components.plain; a county's zones are hundreds of school badges)
        for t in z.townships:
            visits = [el("dcc.Link", f"{d.isoformat()}", href=f"/inspection/visit?id={i}",
                         className="me-2" + (" fw-semibold" if s == "signed" else "")) for i, d, s in t.visits]
            schools = [el("Span", n, className="badge text-bg-success fw-normal me-1 mb-1") for n in t.schools_visited]
            schools += [el("Span", n, className="badge text-bg-light border text-muted fw-normal me-1 mb-1")
                        for n in t.schools_pending]
            findings = [el("Span", str(t.findings))]
            if t.false_data:
                findings.append(el("Span", _("%(n)s false data", n=t.false_data), className="badge text-bg-danger ms-1"))
            rows.append(el("Tr", [
                el("Td", el("Strong", t.name)),
                el("Td", el("Span", states[t.state], className=f"badge text-bg-{COVERAGE_COLORS[t.state]}")),
                el("Td", visits or el("Span", "—", className="text-muted")),
                el("Td", el("Div", schools, className="d-flex flex-wrap"), className="bx-cover-schools"),
                el("Td", findings, className="text-end"),
            ], **{"data-township": t.code, "data-state": t.state}))
        table = dbc.Table([el("Thead", el("Tr", [el("Th", _("Township")), el("Th", _("State")), el("Th", _("Visits")),
                                                 el("Th", _("Schools (green: visited)")),
                                                 el("Th", _("Findings"), className="text-end")])),
                           el("Tbody", rows)], size="sm", hover=True, className="align-middle mb-0 bx-coverage")
        cards.append(dbc.Card([
            dbc.CardHeader(dbc.Row([
                dbc.Col(html.Strong(f"{z.name} · {z.team_name}")),
                dbc.Col(html.Small(_("Leader: %(name)s", name=z.leader or "—"), className="text-muted"), width="auto"),
                dbc.Col(html.Span(_("%(done)s of %(all)s townships inspected", done=done, all=len(z.townships)),
                                  className="badge text-bg-primary"), width="auto"),
            ], className="g-2 align-items-center")),
            dbc.CardBody([html.Small(due_text, className="text-muted d-block mb-1"),
                          html.Div(table, className="table-responsive")], className="p-2"),
        ], className="mb-3 shadow-sm", id={"type": "coverage-zone", "zone": z.id}))
    return cards


def county_coverage_table(rows: Sequence[CountyCoverage]) -> object:
    """A province's or a prefecture's coverage by county: townships by state and findings, in a grid sorted by any
    column (the counties with most townships overdue first); each county opens its zones' cards and findings
    (?county=…). A grid, not a table: a province's 112 counties were 152 KB of Dash components, ~3 s of a busy
    browser."""
    if not rows:
        return html.P(_("No zones to show: ask an administrator to set up zones and teams."), className="text-muted")
    data = [{"code": r.code, "county": markdown_link(r.name, f"/inspection/coverage?county={r.code}"),
             "townships": r.townships, "done": r.done, "in_progress": r.in_progress, "overdue": r.overdue,
             "due": r.due, "findings": r.findings, "false_data": r.false_data} for r in rows]
    columns = [county_link_column(), count_column("townships", _("Townships"))]
    for state in ("done", "in_progress", "overdue", "due"):   # a state's figure in its colour where it is not 0
        columns.append(count_column(state, label(COVERAGE_LABELS, state),
                                    cellClassRules={f"text-{COVERAGE_COLORS[state]} fw-semibold": "params.value > 0"},
                                    **({"sort": "desc"} if state == "overdue" else {})))
    columns += [count_column("findings", _("Findings")),
                count_column("false_data", _("False data"),
                             cellClassRules={"text-danger fw-semibold": "params.value > 0"})]
    return rows_grid("coverage-counties", data, columns, getRowId="params.data.code")


def term_findings_table(rows: Sequence[FindingRow], zone_names: dict[int, str]) -> object:
    """The findings of the term's visits, false data first."""
    if not rows:
        return html.P(_("No findings in this term."), className="text-muted")
    methods = {k: label(METHOD_LABELS, k) for k in {r.method for r in rows}}   # (plain rows: components.plain)
    body = [el("Tr", [
        el("Td", severity_badge(r.severity)),
        el("Td", [el("Div", finding_headline(r.kind, r.false_data_type)),
                  el("Small", methods[r.method], className="text-muted")]),
        el("Td", [el("Div", r.school_name or r.township_name), el("Small", zone_names.get(r.zone_id, ""),
                                                                  className="text-muted")]),
        el("Td", el("Small", finding_detail(r.method, r.kind, r.subject, r.count, r.description))),
        el("Td", el("dcc.Link", r.visit_date.isoformat(), href=f"/inspection/visit?id={r.visit_id}")),
    ], className="table-danger" if r.kind == "false_data" else None) for r in rows]
    head = el("Thead", el("Tr", [el("Th", _("Severity")), el("Th", _("Kind")), el("Th", _("Unit concerned")),
                                 el("Th", _("Finding")), el("Th", _("Visit"))]))
    return html.Div(dbc.Table([head, el("Tbody", body)], size="sm", hover=True, className="align-middle",
                              id="coverage-findings-table"), className="table-responsive")


# --- zones admin ------------------------------------------------------------------------------

def zone_card(z: ZoneAdmin, towns: Sequence[tuple[str, str]], people: Sequence[tuple[int, str]]) -> dbc.Card:
    """A zone's name, townships and team (leader, members) with save and delete buttons."""
    town_opts = [{"label": n, "value": c} for c, n in towns]
    people_opts = [{"label": n, "value": i} for i, n in people]
    key = {"zone": z.id}
    return dbc.Card(dbc.CardBody([
        dbc.Row([
            dbc.Col([dbc.Label(_("Zone"), className="small text-muted mb-0"),
                     dbc.Input(id={"type": ZONE_NAME, **key}, value=z.name, size="sm", maxLength=50)], xs=6, md=3),
            dbc.Col([dbc.Label(_("Team"), className="small text-muted mb-0"),
                     dbc.Input(id={"type": ZONE_TEAM, **key}, value=z.team_name, size="sm", maxLength=50)], xs=6, md=3),
            dbc.Col([dbc.Label(_("Team leader"), className="small text-muted mb-0"),
                     dropdown(id={"type": ZONE_LEADER, **key}, value=z.leader_id, options=people_opts)], xs=12,
                    md=6),
            dbc.Col([dbc.Label(_("Townships"), className="small text-muted mb-0"),
                     dropdown(id={"type": ZONE_TOWNS, **key}, value=list(z.townships), options=town_opts,
                                  multi=True)], xs=12, md=6),
            dbc.Col([dbc.Label(_("Members"), className="small text-muted mb-0"),
                     dropdown(id={"type": ZONE_MEMBERS, **key}, value=list(z.member_ids), options=people_opts,
                                  multi=True)], xs=12, md=6),
        ], className="g-2"),
        html.Div([
            dbc.Button([html.I(className="bi bi-check2 me-1"), _("Save")], id={"type": ZONE_SAVE, **key},
                       color="primary", size="sm", className="me-2"),
            dbc.Button([html.I(className="bi bi-trash me-1"), _("Delete zone")], id={"type": ZONE_DELETE, **key},
                       color="outline-danger", size="sm", disabled=z.visits > 0,
                       title=_("Zones with visits cannot be deleted") if z.visits else None),
            html.Span(id={"type": ZONE_MSG, **key}, className="small ms-2"),
        ], className="mt-2 d-flex align-items-center"),
    ]), className="mb-3 shadow-sm", id={"type": "zones-card", **key})
