"""Builders of the visit page (pure: they receive what data_access read and return dbc/html trees):
the header and the four methods' sections, with pattern-matching ids per row."""
from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import gettext as _
from components.controls import dropdown
from components.plain import el

from wording.inspection import (ABSENCE_LABELS, OUTCOME_LABELS, RESULT_BUTTONS, ROLE_LABELS, STATUS_LABELS,
                                        TEAM_ROLE_LABELS, class_text, file_size, label, local_time, student_choice)
from domain.evidence import ACCEPT
from domain.inspection.views import CallView, ClassView, EvidenceView, InterviewView, ItemView, VisitView
from domain.inspection.rules import ABSENCE_REASONS, CALL_OUTCOMES, INTERVIEW_ROLES, RESULTS, checklist_score

# Page-wide (fixed ids: one visit per page); the stores hold the visit id and the edit state only
VISIT_ID = "visit-id"
VISIT_EDIT = "visit-edit"
VISIT_RELOAD = "visit-reload"
VISIT_ALERT = "visit-alert"
VISIT_SAVED_AT = "visit-saved-at"
VISIT_DATE = "visit-date"
VISIT_SCHOOLS = "visit-schools"
VISIT_MEMBERS = "visit-members"
VISIT_SIGN = "visit-sign"
VISIT_ALL_PASS = "visit-all-pass"
VISIT_FILES = "visit-files"  # the file-review tab's content
VISIT_REOPEN = "visit-reopen"
VISIT_REOPEN_REASON = "visit-reopen-reason"
VISIT_HEADER_MSG = "visit-header-msg"
VISIT_SCORE = "visit-score"
# Phone check and interviews (fixed ids)
VISIT_SAMPLE_SIZE = "visit-sample-size"
VISIT_DRAW = "visit-draw"
VISIT_CALLS = "visit-calls"
VISIT_IV_ADD = "visit-iv-add"
VISIT_IV_LIST = "visit-iv-list"
# Pattern-matching row ids: {"type": ..., key: id}
ITEM_RESULT, ITEM_NOTE, ITEM_SAVED = "visit-item-result", "visit-item-note", "visit-item-saved"
UPLOAD, EVIDENCE, EVIDENCE_DEL = "visit-upload", "visit-evidence", "visit-evidence-del"  # key "owner": i<id>/f<id>
HC_PRESENT, HC_SUMMARY = "visit-hc-present", "visit-hc-summary"  # key "hc"
ABS_STUDENT, ABS_NEW_REASON, ABS_ADD, ABS_LIST = ("visit-abs-student", "visit-abs-new-reason", "visit-abs-add",
                                                  "visit-abs-list")
ABS_REASON, ABS_DEL = "visit-abs-reason", "visit-abs-del"  # keys "hc" and "abs"
CALL_OUTCOME, CALL_NOTE, CALL_SAVED, CALL_REVEAL, CALL_PHONE = ("visit-call-outcome", "visit-call-note",
                                                                "visit-call-saved", "visit-call-reveal",
                                                                "visit-call-phone")
IV_ROLE, IV_SUMMARY, IV_CONCERNS, IV_SAVED, IV_DEL = ("visit-iv-role", "visit-iv-summary", "visit-iv-concerns",
                                                      "visit-iv-saved", "visit-iv-del")


def saved_mark(text: str = "", error: bool = False) -> html.Span:
    """The small ✓ / ⚠ beside a field after a save."""
    if not text:
        return html.Span()
    icon = "exclamation-triangle-fill text-danger" if error else "check2 text-success"
    return html.Span([html.I(className=f"bi bi-{icon} me-1"), text], className="small " + (
        "text-danger" if error else "text-muted"))


def status_badge(status: str, badge_id: str | None = None) -> dict:
    """Draft (amber) or signed off (green); a plain element (components.plain: one a row of the visit list)."""
    kwargs = {"id": badge_id} if badge_id else {}
    return el("Span", label(STATUS_LABELS, status), className="badge " + (
        "text-bg-success" if status == "signed" else "text-bg-warning"), **kwargs)


def _options(labels: dict[str, str], keys: Sequence[str]) -> list[dict]:
    return [{"label": label(labels, k), "value": k} for k in keys]


def visit_header(v: VisitView, term_label: str, can_edit: bool, can_sign: bool, can_reopen: bool,
                 report_href: str) -> dbc.Card:
    """Township, term, status and actions; date, schools and members present (editable while a draft)."""
    signed = (_("Signed off by %(name)s at %(time)s", name=v.signed_by, time=local_time(v.signed_at))
              if v.status == "signed" else _("Last change by %(name)s at %(time)s", name=v.updated_by or v.created_by,
                                               time=local_time(v.updated_at)))
    actions = [html.A([html.I(className="bi bi-file-earmark-word me-1"), _("Report (.docx)")], href=report_href,
                      className="btn btn-outline-primary btn-sm me-1", id="visit-report"),
               html.A([html.I(className="bi bi-file-earmark-pdf me-1"), "PDF"],
                      href=report_href.rsplit(".", 1)[0] + ".pdf",
                      className="btn btn-outline-secondary btn-sm me-2", id="visit-report-pdf")]
    if can_sign:
        actions.append(dbc.Button([html.I(className="bi bi-pen me-1"), _("Sign off")], id=VISIT_SIGN, color="success",
                                  size="sm"))
    if can_reopen:
        actions.append(dbc.InputGroup([dbc.Input(id=VISIT_REOPEN_REASON, placeholder=_("Reason for reopening"),
                                                 size="sm"),
                                       dbc.Button(_("Reopen"), id=VISIT_REOPEN, color="warning", size="sm")],
                                      size="sm", className="d-inline-flex w-auto mt-1 mt-md-0"))
    team = [{"label": f"{name} · {label(TEAM_ROLE_LABELS, role)}", "value": uid, "disabled": not can_edit}
            for uid, name, role in v.team]
    return dbc.Card(dbc.CardBody([
        dbc.Row([
            dbc.Col([html.H2([v.township_name, html.Span(f" · {term_label}", className="text-muted fw-normal")],
                             className="h5 mb-1"),
                     html.Div([status_badge(v.status, "visit-status"),
                               html.Span(f" {v.zone_name} · {v.team_name}", className="ms-1"),
                               html.Span(f" · {signed}", className="ms-1")], className="small text-muted")]),
            dbc.Col(html.Div(actions, className="d-flex flex-wrap align-items-center gap-1 justify-content-end"),
                    xs=12, md="auto"),
        ], className="g-2 align-items-center mb-2"),
        dbc.Row([
            dbc.Col([dbc.Label(_("Date"), html_for=VISIT_DATE, className="small text-muted mb-0"),
                     dbc.Input(id=VISIT_DATE, type="date", value=v.visit_date.isoformat(), disabled=not can_edit,
                               size="sm")], xs=12, md=3),
            dbc.Col([dbc.Label(_("Schools visited"), html_for=VISIT_SCHOOLS, className="small text-muted mb-0"),
                     dropdown(id=VISIT_SCHOOLS, multi=True, clearable=False, disabled=not can_edit,
                                  value=[s for s, _n in v.schools],
                                  options=[{"label": n, "value": s} for s, n in v.township_schools])], xs=12, md=5),
            dbc.Col([dbc.Label(_("Members present"), className="small text-muted mb-0"),
                     dbc.Checklist(id=VISIT_MEMBERS, options=team, value=list(v.present), inline=True,
                                   className="small")],
                    xs=12, md=4),
        ], className="g-2"),
        html.Div(id=VISIT_HEADER_MSG, className="small mt-1"),
    ]), className="shadow-sm mb-3 bx-visit-header")


# --- evidence ---------------------------------------------------------------------------------

def evidence_list(owner: str, files: Sequence[EvidenceView], can_edit: bool, message: object = None) -> list:
    """Links to an item's or a finding's evidence files (delete buttons while editable), and a message."""
    out: list = []
    for f in files:
        out.append(html.Span([
            html.A([html.I(className="bi bi-paperclip me-1"), f.name], href=f"/inspection/evidence/{f.id}",
                   className="me-1", title=file_size(f.size)),
            dbc.Button(html.I(className="bi bi-x-lg"), id={"type": EVIDENCE_DEL, "owner": owner, "ev": f.id},
                       color="link", size="sm", className="p-0 text-danger", title=_("Remove"))
            if can_edit else None,
        ], className="badge text-bg-light border me-1 fw-normal bx-evidence"))
    if message is not None:
        out.append(message)
    return out


def evidence_box(owner: str, files: Sequence[EvidenceView], can_edit: bool) -> html.Div:
    """Evidence links plus, while editable, an upload area (PDF, JPG, PNG, DOCX, XLSX up to 10 MB)."""
    upload = dcc.Upload(html.Span([html.I(className="bi bi-upload me-1"), _("Add evidence")],
                                  title=_("PDF, JPG, PNG, DOCX or XLSX, at most 10 MB")),
                        id={"type": UPLOAD, "owner": owner}, accept=ACCEPT, multiple=False,
                        className="btn btn-outline-secondary btn-sm bx-upload") if can_edit else None
    return html.Div([html.Div(evidence_list(owner, files, can_edit), id={"type": EVIDENCE, "owner": owner},
                              className="d-inline"), upload], className="d-flex flex-wrap align-items-center gap-1")


# --- file review ------------------------------------------------------------------------------

def score_line(results: Sequence[str | None]) -> html.Div:
    """Passed, failed, not applicable and open items."""
    s = checklist_score(results)
    return html.Div([
        html.Span(_("%(n)s passed", n=s.passed), className="badge text-bg-success me-1"),
        html.Span(_("%(n)s failed", n=s.failed), className="badge text-bg-danger me-1"),
        html.Span(_("%(n)s not applicable", n=s.not_applicable), className="badge text-bg-secondary me-1"),
        html.Span(_("%(n)s open", n=s.unanswered), className="badge text-bg-light border me-1"),
    ], id=VISIT_SCORE, className="mb-2")


def file_review_section(items: Sequence[ItemView], can_edit: bool, zh: bool) -> html.Div:
    """The checklist: each item pass / fail / not applicable, a note and evidence files."""
    rows = []
    for it in items:
        rows.append(dbc.ListGroupItem(dbc.Row([
            dbc.Col([html.Span(f"{it.position}. ", className="text-muted"), it.text_zh if zh else it.text_en],
                    xs=12, md=5, className="small"),
            dbc.Col(dbc.RadioItems(id={"type": ITEM_RESULT, "item": it.item_id}, value=it.result,
                                   options=[{"label": label(RESULT_BUTTONS, r), "value": r, "disabled": not can_edit}
                                            for r in RESULTS],
                                   className="btn-group btn-group-sm bx-result", inputClassName="btn-check",
                                   labelClassName="btn btn-outline-secondary", labelCheckedClassName="active"),
                    xs=12, md=3),
            dbc.Col([dbc.Input(id={"type": ITEM_NOTE, "item": it.item_id}, value=it.note, debounce=True, size="sm",
                               placeholder=_("Note"), disabled=not can_edit, maxLength=4000, className="mb-1"),
                     html.Div([evidence_box(f"i{it.item_id}", it.evidence, can_edit),
                               html.Div(id={"type": ITEM_SAVED, "item": it.item_id})],
                              className="d-flex flex-wrap align-items-center gap-2")], xs=12, md=4),
        ], className="g-2 align-items-center"), className="bx-item"))
    open_items = sum(1 for i in items if i.result is None)
    bulk = (dbc.Button([html.I(className="bi bi-check2-all me-1"),
                        _("Mark the %(n)s open items as passed", n=open_items)], id=VISIT_ALL_PASS, size="sm",
                       color="success", outline=True, className="mb-2",
                       title=_("Then change the exceptions one by one."))
            if can_edit and open_items else None)
    return html.Div([html.Div([score_line([i.result for i in items]), bulk],
                              className="d-flex flex-wrap justify-content-between align-items-start gap-2"),
                     dbc.ListGroup(rows, flush=False)])


# --- head count -------------------------------------------------------------------------------

def class_summary(c: ClassView) -> list:
    """Absent and unaccounted counts of a class."""
    if c.counted_present is None:
        return [html.Span(_("not counted"), className="text-muted")]
    out = [html.Span(_("%(n)s absent", n=len(c.absences)), className="badge text-bg-light border me-1")]
    if c.unaccounted:
        out.append(html.Span(_("%(n)s unaccounted for", n=c.unaccounted), className="badge text-bg-danger"))
    elif c.counted_present + len(c.absences) >= c.roster_count:
        out.append(html.Span(_("numbers match"), className="badge text-bg-success"))
    return out


def absence_rows(c: ClassView, can_edit: bool) -> list:
    """The absent students of a class, each with its reason."""
    rows = []
    for a in c.absences:
        rows.append(html.Div([
            html.Span(a.name, className="me-2 bx-absent-name"),
            dbc.Select(id={"type": ABS_REASON, "hc": c.head_count_id, "abs": a.id}, value=a.reason, size="sm",
                       options=_options(ABSENCE_LABELS, ABSENCE_REASONS), disabled=not can_edit,
                       className="w-auto d-inline-block me-1"),
            dbc.Button(html.I(className="bi bi-x-lg"), id={"type": ABS_DEL, "hc": c.head_count_id, "abs": a.id},
                       color="link", size="sm", className="text-danger p-0", title=_("Remove")) if can_edit else None,
        ], className="d-inline-flex align-items-center me-3 mb-1"))
    return rows


def head_count_section(classes: Sequence[ClassView], can_edit: bool) -> html.Div:
    """Per school and class: roster count, the number present, and each absent student with a reason."""
    if not classes:
        return html.P(_("The visit's schools have no students 在读 on the term's roster."), className="text-muted")
    by_school: dict[str, list[ClassView]] = {}
    for c in classes:
        by_school.setdefault(c.school_name, []).append(c)
    blocks = []
    for school, rows in by_school.items():
        items = []
        for c in rows:
            hc = c.head_count_id
            adder = dbc.InputGroup([
                dropdown(id={"type": ABS_STUDENT, "hc": hc},
                         options=[{"label": student_choice(p), "value": p.roster_id} for p in c.students],
                         placeholder=_("Absent student…"), className="bx-abs-pick"),
                dbc.Select(id={"type": ABS_NEW_REASON, "hc": hc}, value="不明",
                           options=_options(ABSENCE_LABELS, ABSENCE_REASONS), className="bx-abs-reason"),
                dbc.Button(html.I(className="bi bi-plus-lg"), id={"type": ABS_ADD, "hc": hc}, color="primary",
                           title=_("Record absent")),
            ], size="sm", className="flex-nowrap") if can_edit else None
            items.append(dbc.ListGroupItem([
                dbc.Row([
                    dbc.Col(html.Strong(class_text(c.grade, c.class_name)), xs=4, md=2),
                    dbc.Col([html.Small(_("On roster"), className="text-muted d-block"), html.Span(str(c.roster_count))],
                            xs=4, md=1),
                    dbc.Col([html.Small(_("Present"), className="text-muted d-block"),
                             dbc.Input(id={"type": HC_PRESENT, "hc": hc}, type="number", min=0, max=999, step=1,
                                       value=c.counted_present, debounce=True, size="sm", inputMode="numeric",
                                       disabled=not can_edit, className="bx-count")], xs=4, md=2),
                    dbc.Col(html.Div(class_summary(c), id={"type": HC_SUMMARY, "hc": hc}), xs=12, md=3),
                    dbc.Col(adder, xs=12, md=4),
                ], className="g-2 align-items-center"),
                html.Div(absence_rows(c, can_edit), id={"type": ABS_LIST, "hc": hc}, className="mt-1"),
            ], className="bx-class"))
        blocks.append(html.Div([html.H3(school, className="h6 mt-2"), dbc.ListGroup(items)]))
    return html.Div(blocks)


# --- phone check ------------------------------------------------------------------------------

def _groups(c: CallView) -> list:
    badges = []
    if c.poverty:
        badges.append(_("Registered poor family"))
    if c.disability and c.disability != "无":
        badges.append(_("Disability: %(kind)s", kind=c.disability))
    if c.left_behind:
        badges.append(_("Left behind"))
    return [html.Span(b, className="badge text-bg-info me-1 fw-normal") for b in badges]


def calls_list(calls: Sequence[CallView], can_edit: bool, can_reveal: bool) -> object:
    """The sampled students in call order: guardian (phone masked), outcome and note."""
    if not calls:
        return html.P(_("No sample drawn yet."), className="text-muted")
    rows = []
    for c in calls:
        reveal = dbc.Button(html.I(className="bi bi-eye"), id={"type": CALL_REVEAL, "call": c.id}, size="sm",
                            color="link", className="p-0 ms-1", title=_("Show the number (recorded in the audit log)"))
        rows.append(dbc.ListGroupItem(dbc.Row([
            dbc.Col(html.Span(f"{c.position}", className="badge text-bg-dark"), width="auto"),
            dbc.Col([html.Div([html.Strong(c.student_name, className="me-1"), *_groups(c)]),
                     html.Small(f"{c.school_name} · {class_text(c.grade, c.class_name)}", className="text-muted")],
                    xs=10, md=3),
            dbc.Col([html.Small(c.guardian_name or _("Guardian"), className="text-muted d-block"),
                     html.Span([html.Span(c.phone_masked, id={"type": CALL_PHONE, "call": c.id},
                                          className="font-monospace"),
                                reveal if can_reveal and c.has_phone else None])], xs=6, md=2),
            dbc.Col(dbc.Select(id={"type": CALL_OUTCOME, "call": c.id}, value=c.outcome or "", size="sm",
                               options=[{"label": _("Outcome…"), "value": ""}] + _options(OUTCOME_LABELS, CALL_OUTCOMES),
                               disabled=not can_edit), xs=6, md=3),
            dbc.Col([dbc.Input(id={"type": CALL_NOTE, "call": c.id}, value=c.note, debounce=True, size="sm",
                               placeholder=_("Note"), disabled=not can_edit, maxLength=4000),
                     html.Div(id={"type": CALL_SAVED, "call": c.id})], xs=12, md=3),
        ], className="g-2 align-items-center"), className="bx-call",
            color="danger" if c.outcome == "not_attending" else None))
    return dbc.ListGroup(rows)


def phone_section(calls: Sequence[CallView], seed: int | None, size: int | None, candidates: int, can_edit: bool,
                  can_reveal: bool) -> html.Div:
    """Draw a reproducible stratified sample (seed stored), then record each call's outcome."""
    draw = dbc.InputGroup([
        dbc.InputGroupText(_("Sample size")),
        dbc.Input(id=VISIT_SAMPLE_SIZE, type="number", min=1, max=200, step=1, value=size or 10, inputMode="numeric",
                  className="bx-count"),
        dbc.Button([html.I(className="bi bi-shuffle me-1"), _("Draw sample") if not calls else _("Redraw")],
                   id=VISIT_DRAW, color="primary"),
    ], size="sm", className="w-auto") if can_edit else None
    seed_text = (_("Seed %(seed)s (stored: the same seed always gives the same sample)", seed=seed)
                 if seed is not None else "")
    return html.Div([
        dbc.Row([
            dbc.Col(draw, width="auto"),
            dbc.Col(html.Div([
                html.Div(_("Drawn from %(n)s enrolled students of the visit's schools: spread across grades, "
                           "special groups first.", n=candidates)),
                html.Div(seed_text, id="visit-seed")], className="small text-muted")),
        ], className="g-2 align-items-center mb-2"),
        html.Div(id="visit-draw-msg", className="small"),
        html.Div(calls_list(calls, can_edit, can_reveal), id=VISIT_CALLS),
    ])


# --- interviews -------------------------------------------------------------------------------

def interview_card(iv: InterviewView, can_edit: bool) -> dbc.ListGroupItem:
    """One interview: role, summary and concerns."""
    return dbc.ListGroupItem(dbc.Row([
        dbc.Col([dbc.Select(id={"type": IV_ROLE, "iv": iv.id}, value=iv.role, size="sm",
                            options=_options(ROLE_LABELS, INTERVIEW_ROLES), disabled=not can_edit),
                 html.Div(id={"type": IV_SAVED, "iv": iv.id}, className="mt-1")], xs=12, md=3),
        dbc.Col(dbc.Textarea(id={"type": IV_SUMMARY, "iv": iv.id}, value=iv.summary, debounce=True, rows=2,
                             placeholder=_("What was said"), disabled=not can_edit, maxLength=4000, size="sm"),
                xs=12, md=4),
        dbc.Col(dbc.Textarea(id={"type": IV_CONCERNS, "iv": iv.id}, value=iv.concerns, debounce=True, rows=2,
                             placeholder=_("Concerns raised"), disabled=not can_edit, maxLength=4000, size="sm"),
                xs=11, md=4),
        dbc.Col(dbc.Button(html.I(className="bi bi-trash"), id={"type": IV_DEL, "iv": iv.id}, color="link",
                           className="text-danger p-0", title=_("Remove")) if can_edit else None, xs=1, md=1,
                className="text-end"),
    ], className="g-2"), className="bx-interview")


def interview_list(interviews: Sequence[InterviewView], can_edit: bool) -> object:
    """All interviews, or a hint."""
    if not interviews:
        return html.P(_("No interviews recorded yet."), className="text-muted", id="visit-iv-empty")
    return dbc.ListGroup([interview_card(iv, can_edit) for iv in interviews])


def interviews_section(interviews: Sequence[InterviewView], can_edit: bool) -> html.Div:
    """Interviews with principals, teachers, students, parents, village cadres and township officials."""
    add = dbc.Button([html.I(className="bi bi-plus-lg me-1"), _("Add interview")], id=VISIT_IV_ADD, size="sm",
                     color="primary", className="mb-2") if can_edit else None
    return html.Div([add, html.Div(interview_list(interviews, can_edit), id=VISIT_IV_LIST)])
