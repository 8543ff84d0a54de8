"""Builders of the case page (pure: they receive what data_access read and return dbc/html trees): the
header with the child (masked per role), the six-step escalation timeline with its clocks, the history."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

from wording.cases import (CASE_STATUS_COLORS, CASE_STATUS_LABELS, CLOCK_COLORS, CLOCK_ICONS, CLOCK_LABELS,
                                  EVENT_LABELS, LEDGER_COLORS, LEDGER_LABELS, SOURCE_LABELS, STEP_HINTS, STEP_LABELS,
                                  event_detail, groups_text)
from wording.inspection import label, local_time
from domain.cases.views import CaseView, EventView
from domain.cases.timeline import StepView

# Page-wide ids (one case per page); the stores hold the case id, its version and a refresh counter
CASE_ID = "case-id"
CASE_VERSION = "case-version"
CASE_REFRESH = "case-refresh"
CASE_ALERT = "case-alert"
CASE_HEADER = "case-header"
CASE_STEPS = "case-steps"
CASE_ACTIONS = "case-actions"
CASE_NOTICES = "case-notices"
CASE_FIELDS = "case-fields"
CASE_ATTEMPTS = "case-attempts"
CASE_HISTORY = "case-history"
# Pattern-matching ids: buttons {"type": CASE_ACT, "action": …}, their inputs {"type": CASE_IN, "name": …},
# the details form {"type": CASE_FIELD, "name": …}, reveals {"type": CASE_REVEAL / CASE_SECRET, "field": …}
CASE_ACT, CASE_IN, CASE_FIELD = "case-act", "case-in", "case-field"
CASE_REVEAL, CASE_SECRET = "case-reveal", "case-secret"


def badge(text: str, color: str, ident: str | None = None, icon: str | None = None) -> html.Span:
    """A Bootstrap badge, optionally with an icon."""
    kwargs = {"id": ident} if ident else {}
    body = [html.I(className=f"bi bi-{icon} me-1"), text] if icon else text
    return html.Span(body, className=f"badge text-bg-{color} me-1", **kwargs)


def _fact(title: str, value: object, lg: int = 2) -> dbc.Col:
    return dbc.Col([html.Div(title, className="small text-muted"), html.Div(value, className="bx-case-fact")],
                   xs=6, md=4 if lg >= 3 else 3, lg=lg, className="mb-2")


def _secret(field: str, masked: str, can_reveal: bool) -> html.Span:
    """A masked value with an eye button for roles that may reveal it (audit-logged)."""
    has = masked not in ("", "—")
    eye = dbc.Button(html.I(className="bi bi-eye"), id={"type": CASE_REVEAL, "field": field}, size="sm",
                     color="link", className="p-0 ms-1 align-baseline", title=_("Show (written to the audit log)"))
    return html.Span([html.Span(masked or "—", id={"type": CASE_SECRET, "field": field}, className="font-monospace"),
                      eye if has and can_reveal else None])


def case_header(v: CaseView, term_label: str) -> dbc.Card:
    """Who the child is and where (names masked per role), the ledger, status and step."""
    grade = (_("Grade %(grade)s, %(cls)s", grade=v.grade, cls=v.class_name or "—") if v.grade else "—")
    place = f"{v.township_name} · {v.village_name}" if v.village_name else v.township_name
    guardian = html.Span([html.Span(v.guardian_name or "—", className="me-2"),
                          _secret("guardian_phone", v.guardian_phone, v.can_reveal)])
    return dbc.Card(dbc.CardBody([
        html.Div([
            html.H2([html.I(className="bi bi-person-vcard me-2 text-secondary"),
                     html.Span(v.student_name, id="case-student"),
                     html.Small(_(" · case no. %(id)s", id=v.id), className="text-muted fw-normal ms-1")],
                    className="h5 mb-0 me-2"),
            html.Div([badge(label(LEDGER_LABELS, v.ledger), LEDGER_COLORS[v.ledger], "case-ledger"),
                      badge(label(CASE_STATUS_LABELS, v.status), CASE_STATUS_COLORS[v.status], "case-status"),
                      badge(_("Step %(n)s of 6", n=v.step), "dark", "case-step"),
                      badge(_("Household elsewhere (外县户籍)"), "warning", "case-outside") if v.outside else None]),
        ], className="d-flex flex-wrap align-items-center gap-1 mb-2"),
        dbc.Row([
            _fact(_("School"), v.school_name or "—", 3),
            _fact(_("Township · village"), place, 3),
            _fact(_("Class"), grade),
            _fact(_("Gender · born"), f"{v.gender} · {v.birth_date.isoformat()}"),
            _fact(_("Absence days"), str(v.absence_days)),
            _fact(_("ID number"), _secret("id_number", v.id_number, v.can_reveal), 3),
            _fact(_("Guardian"), guardian, 3),
            _fact(_("Found"), f"{v.found_date.isoformat()} · {label(SOURCE_LABELS, v.source)}"),
            _fact(_("Roster status"), f"{v.roster_status or '—'} · {term_label}", 2),
            _fact(_("Special groups"), groups_text(v.special_groups), 2),
        ], className="g-2"),
        dbc.Alert(_("The household is outside the county (%(code)s %(division)s): notify the household county "
                    "and transfer the record.", code=v.household_code, division=v.household_name or "—"),
                  color="warning", className="py-2 small mt-2 mb-0", id="case-outside-note") if v.outside else None,
        html.Div(_("Names are masked for your role.") if not v.names_visible else None,
                 className="small text-muted"),
    ]), className="shadow-sm mb-3 bx-case-header")


def _step_box(s: StepView, current: int) -> html.Div:
    color = CLOCK_COLORS[s.state]
    dates = []
    if s.started:
        dates.append(html.Div((_("Began %(date)s", date=s.started.isoformat()) if s.state != "waiting"
                               else _("From %(date)s", date=s.started.isoformat())), className="small"))
    if s.due:
        dates.append(html.Div(_("Due %(date)s", date=s.due.isoformat()),
                              className="small fw-semibold" if s.step == current else "small"))
    if s.ended:
        dates.append(html.Div(_("Ended %(date)s", date=s.ended.isoformat()), className="small text-muted"))
    return html.Div([
        html.Div([html.Span(str(s.step), className=f"bx-step-num text-bg-{color}"),
                  html.Span([html.I(className=f"bi bi-{CLOCK_ICONS[s.state]} me-1"), _(CLOCK_LABELS[s.state])],
                            className=f"small text-{color} fw-semibold ms-1", id=f"case-step-state-{s.step}")],
                 className="d-flex align-items-center mb-1"),
        html.Div(_(STEP_LABELS[s.step]), className="small fw-semibold lh-sm mb-1", title=_(STEP_HINTS[s.step])),
        *dates,
    ], className=f"bx-step bx-step-{s.state}" + (" bx-step-current" if s.step == current else ""),
        id=f"case-step-{s.step}")


def stepper(steps: Sequence[StepView], current: int, unknown: Sequence[int]) -> dbc.Card:
    """The six steps with their dates; the current one highlighted by its clock (running, due, overdue)."""
    warning = None
    if unknown:
        warning = dbc.Alert([html.I(className="bi bi-calendar-x me-2"),
                             _("Holiday calendar unknown for %(years)s: weekends only.",
                               years=", ".join(str(y) for y in unknown))],
                            color="warning", className="py-1 px-2 small mb-2", id="case-calendar-warning")
    return dbc.Card(dbc.CardBody([
        html.Div([html.H3(_("Escalation"), className="h6 mb-0"),
                  html.Small(_("Clocks in working days: weekends and public holidays excluded, make-up days "
                               "included."), className="text-muted")],
                 className="d-flex flex-wrap align-items-baseline gap-2 mb-2"),
        warning,
        html.Div([_step_box(s, current) for s in steps], className="bx-steps"),
    ]), className="shadow-sm mb-3")


def history_list(events: Sequence[EventView]) -> list:
    """The case's history, newest first."""
    if not events:
        return [html.P(_("No case history yet."), className="text-muted small mb-0")]
    system = _("system")
    items = []
    for e in events:
        detail = event_detail(e.action, e.from_step, e.to_step, e.detail)
        items.append(html.Li([
            html.Div([html.Span(label(EVENT_LABELS, e.action), className="fw-semibold me-2"),
                      html.Span(detail, className="me-2") if detail else None],
                     className="small"),
            html.Div(e.note, className="small fst-italic text-break") if e.note and e.action != "notice" else
            (html.Div(e.note, className="small font-monospace") if e.note else None),
            html.Div(f"{local_time(e.at)} · {e.user or system}", className="small text-muted"),
        ], className="list-group-item px-2 py-1"))
    return [html.Ul(items, className="list-group list-group-flush bx-case-history")]


def outcome_summary(v: CaseView) -> object:
    """The recorded outcome and, once closed, who verified it."""
    from wording.cases import OUTCOME_LABELS
    if v.status == "open" or not v.outcome:
        return None
    lines = [html.Div([html.I(className="bi bi-flag me-1"), _("Outcome: %(outcome)s on %(date)s",
                                                              outcome=label(OUTCOME_LABELS, v.outcome),
                                                              date=v.outcome_date.isoformat() if v.outcome_date
                                                              else "—")], className="fw-semibold")]
    if v.outcome_note:
        lines.append(html.Div(v.outcome_note, className="small"))
    if v.status == "closed":
        days = (_(" · %(n)s school days attended", n=v.verified_days) if v.verified_days is not None else "")
        lines.append(html.Div([html.I(className="bi bi-patch-check me-1"),
                               _("Verified by %(name)s at %(time)s", name=v.verified_by or "—",
                                 time=local_time(v.closed_at)) + days], className="small mt-1"))
        if v.attendance:
            lines.append(html.Div(_("Attendance checked: %(record)s", record=v.attendance), className="small"))
        if v.verification_note:
            lines.append(html.Div(v.verification_note, className="small fst-italic"))
    return dbc.Alert(lines, color="success" if v.status == "closed" else "info", className="py-2 mb-2",
                     id="case-outcome")


def today_text(today: dt.date) -> str:
    """Today, for the page's footnote."""
    return _("As of %(date)s", date=today.isoformat())
