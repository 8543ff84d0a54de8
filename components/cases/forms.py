"""Forms of the case page (pure builders): the actions the user may take now, the notices, the case's
details and the persuasion attempts. Every button is {"type": CASE_ACT, "action": …} and its inputs
{"type": CASE_IN, "name": …}, so one callback takes every action and reads only what it needs."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import gettext as _
from components.controls import dropdown

from wording.cases import (ATTEMPT_LABELS, GROUP_LABELS, NOTICE_LABELS, OUTCOME_LABELS, REASON_LABELS,
                                  step_name)
from components.cases.view import CASE_ACT, CASE_FIELD, CASE_IN, outcome_summary
from wording.inspection import label
from domain.cases.views import AttemptView, CaseView
from domain.cases.rules import ATTEMPT_METHODS, OUTCOMES as CASE_OUTCOMES, CASE_REASONS, SPECIAL_GROUPS
from domain.cases.rules import VERIFY_SCHOOL_DAYS
from domain.cases.escalation import NOTICE_STEP


def _in(name: str, **kwargs: object) -> dict:
    return {"id": {"type": CASE_IN, "name": name}, **kwargs}


def _button(action: str, text: str, icon: str, color: str) -> dbc.Button:
    return dbc.Button([html.I(className=f"bi bi-{icon} me-1"), text], id={"type": CASE_ACT, "action": action},
                      color=color, size="sm", className="mt-1", n_clicks=0)


def _block(title: str, body: list, ident: str) -> html.Div:
    return html.Div([html.Div(title, className="small fw-semibold mb-1"), *body],
                    className="bx-case-action border-top pt-2 mt-2", id=ident)


def actions_panel(v: CaseView, allowed: Sequence[str], today: dt.date, deadline: dt.date | None) -> dbc.Card:
    """The state-machine actions this user may take on the case now, each with what it needs."""
    blocks: list = []
    if "confirm" in allowed:
        blocks.append(_block(_("Confirm the dropout"), [
            html.Div(_("Moves the case from the suspected to the confirmed ledger."), className="small text-muted"),
            _button("confirm", _("Confirm as dropout"), "clipboard-check", "warning")], "case-do-confirm"))
    if "escalate" in allowed:
        nxt = v.step + 1
        body: list = [html.Div(step_name(nxt), className="small")]
        if nxt == NOTICE_STEP:
            body.append(dbc.InputGroup([dbc.InputGroupText(_("Return by")),
                                        dbc.Input(type="date", value=deadline.isoformat() if deadline else None,
                                                  min=(today + dt.timedelta(days=1)).isoformat(),
                                                  **_in("deadline"))], size="sm", className="mt-1"))
        body += [dbc.Textarea(placeholder=_("Note (what was done, why escalate)"), rows=2,
                              className="mt-1 form-control-sm", **_in("escalate_note")),
                 _button("escalate", _("Escalate to step %(n)s", n=nxt), "arrow-up-right-circle", "danger")]
        blocks.append(_block(_("Escalate"), body, "case-do-escalate"))
    if "record_outcome" in allowed:
        keys = [k for k in CASE_OUTCOMES if k != "not_dropout" or v.ledger == "suspected"]
        blocks.append(_block(_("Record the outcome"), [
            dbc.Select(options=[{"label": label(OUTCOME_LABELS, k), "value": k} for k in keys], value="returned",
                       size="sm", **_in("outcome")),
            dbc.InputGroup([dbc.InputGroupText(_("Date")),
                            dbc.Input(type="date", value=today.isoformat(), max=today.isoformat(),
                                      **_in("outcome_date"))], size="sm", className="mt-1"),
            dbc.Input(placeholder=_("Note"), size="sm", className="mt-1", **_in("outcome_note")),
            _button("record_outcome", _("Record outcome"), "flag", "primary")], "case-do-outcome"))
    if "close" in allowed:
        body = []
        if v.outcome == "returned":
            body.append(return_clock(v))
            body.append(html.Details([
                html.Summary(_("Or record the attendance checked"), className="small"),
                dbc.Input(placeholder=_("Checked by (name and post)"), size="sm", className="mt-1",
                          maxLength=50, **_in("attendance_by")),
                dbc.InputGroup([dbc.InputGroupText(_("From")),
                                dbc.Input(type="date", min=v.outcome_date.isoformat() if v.outcome_date else None,
                                          max=today.isoformat(), **_in("attendance_first")),
                                dbc.InputGroupText(_("to")),
                                dbc.Input(type="date", max=today.isoformat(), **_in("attendance_last"))],
                               size="sm", className="mt-1"),
            ], className="mt-1"))
        body += [dbc.Textarea(placeholder=_("How it was verified (attendance book, visit, letter from the new "
                                            "school…)"), rows=2, className="mt-1 form-control-sm",
                              **_in("verify_note")),
                 _button("close", _("Verify and close"), "patch-check", "success")]
        blocks.append(_block(_("Verify and close (销号)"), body, "case-do-close"))
    if "reject_outcome" in allowed:
        blocks.append(_block(_("Still not back?"), [
            dbc.Input(placeholder=_("Reason"), size="sm", **_in("reject_reason")),
            _button("reject_outcome", _("Send back: still not back"), "arrow-counterclockwise", "outline-danger")],
            "case-do-reject"))
    if "reopen" in allowed:
        blocks.append(_block(_("Reopen"), [
            dbc.Input(placeholder=_("Reason for reopening"), size="sm", **_in("reopen_reason")),
            _button("reopen", _("Reopen the case"), "arrow-repeat", "outline-warning")], "case-do-reopen"))
    if not blocks:
        blocks.append(html.P(_("Nothing to do here for your role."), className="small text-muted mb-0 mt-2"))
    return dbc.Card(dbc.CardBody([html.H3(_("Actions"), className="h6 mb-1"), outcome_summary(v), *blocks]),
                    className="shadow-sm mb-3")


def return_clock(v: CaseView) -> html.Div:
    """School days since the return, counted in the county's school calendar (vacations excluded)."""
    days = v.school_days_since_return or 0
    ready = v.close_ready.isoformat() if v.close_ready else "—"
    if days >= VERIFY_SCHOOL_DAYS:
        text, cls = _("%(days)s school days since the return: the case can be closed.", days=days), "text-success"
    else:
        text = _("%(days)s of %(need)s school days since the return (vacations not counted): closing from %(date)s.",
                 days=days, need=VERIFY_SCHOOL_DAYS, date=ready)
        cls = "text-muted"
    return html.Div(text, className=f"small {cls}", id="case-return-clock")


def notices_panel(v: CaseView, hrefs: dict[str, str], today: dt.date, new_deadline: dt.date,
                  csrf_token: str = "") -> dbc.Card:
    """Buttons printing the step-4 notices (from step 4 on, for roles that see names) — each a POST form with the
    CSRF token, since printing is recorded in the case history; once the stored deadline has passed, a notice
    printed now gives a new one."""
    if v.step < NOTICE_STEP:
        body: list = [html.P(_("The return notices come with step %(n)s.", n=NOTICE_STEP),
                             className="small text-muted mb-0")]
    elif not v.names_visible:
        body = [html.P(_("The notices carry the child's name: your role cannot download them."),
                       className="small text-muted mb-0")]
    else:
        body = [html.Form([dcc.Input(type="hidden", name="csrf_token", value=csrf_token),
                           html.Div([
                               html.Button([html.I(className="bi bi-file-earmark-word me-1"),
                                            label(NOTICE_LABELS, kind)],
                                           type="submit", id=f"case-notice-{kind}",
                                           className="btn btn-outline-primary btn-sm flex-grow-1 text-start"),
                               html.Button([html.I(className="bi bi-file-earmark-pdf me-1"), "PDF"],
                                           type="submit", id=f"case-notice-{kind}-pdf",
                                           formAction=href.rsplit(".", 1)[0] + ".pdf",
                                           className="btn btn-outline-secondary btn-sm")],
                               className="d-flex gap-1 mb-1")],
                          action=href, method="POST", id=f"case-notice-form-{kind}")
                for kind, href in hrefs.items()]
        if v.return_deadline and v.return_deadline > today:
            body.insert(0, html.Div(_("Return deadline: %(date)s", date=v.return_deadline.isoformat()),
                                    className="small mb-1", id="case-deadline"))
        else:
            body.insert(0, html.Div(_("The return deadline %(old)s has passed: a notice printed now gives until "
                                      "%(new)s.", old=v.return_deadline.isoformat() if v.return_deadline else "—",
                                      new=new_deadline.isoformat()), className="small text-danger mb-1",
                                    id="case-deadline"))
    return dbc.Card(dbc.CardBody([html.H3(_("Notices"), className="h6 mb-1"), *body]), className="shadow-sm mb-3")


def fields_form(v: CaseView, editable: bool) -> dbc.Card:
    """Reason, special groups, the responsible person on each line, the pairing helper, the plan."""
    def f(name: str, **kwargs: object) -> dict:
        return {"id": {"type": CASE_FIELD, "name": name}, "disabled": not editable, **kwargs}

    def lab(text: str) -> dbc.Label:
        return dbc.Label(text, className="small text-muted mb-0")

    return dbc.Card(dbc.CardBody([
        html.H3(_("Case details"), className="h6"),
        dbc.Row([
            dbc.Col([lab(_("Reason")), dropdown(options=[{"label": label(REASON_LABELS, k), "value": k}
                                                             for k in CASE_REASONS],
                                                    value=v.reason, placeholder=_("Pick a reason"),
                                                    **f("reason"))], md=5),
            dbc.Col([lab(_("About the reason")), dbc.Input(value=v.reason_note, size="sm", **f("reason_note"))],
                    md=4),
            dbc.Col([lab(_("Absence days")), dbc.Input(type="number", min=0, max=999, step=1, value=v.absence_days,
                                                       size="sm", **f("absence_days"))], md=3),
        ], className="g-2 mb-2"),
        lab(_("Special groups")),
        dbc.Checklist(options=[{"label": label(GROUP_LABELS, k), "value": k, "disabled": not editable}
                               for k in SPECIAL_GROUPS], value=list(v.special_groups), inline=True,
                      className="small mb-2", id={"type": CASE_FIELD, "name": "special_groups"}),
        dbc.Row([
            dbc.Col([lab(_("Responsible person (government line)")),
                     dbc.Input(value=v.gov_responsible, size="sm", placeholder=_("e.g. village cadre"),
                               **f("gov_responsible"))], md=4),
            dbc.Col([lab(_("Responsible person (education line)")),
                     dbc.Input(value=v.edu_responsible, size="sm", placeholder=_("e.g. head teacher"),
                               **f("edu_responsible"))], md=4),
            dbc.Col([lab(_("Pairing helper")), dbc.Input(value=v.helper, size="sm", **f("helper"))], md=4),
        ], className="g-2 mb-2"),
        lab(_("One-student plan")),
        dbc.Textarea(value=v.plan, rows=3, className="form-control-sm", **f("plan")),
        html.Div([dbc.Button([html.I(className="bi bi-save me-1"), _("Save details")],
                             id={"type": CASE_ACT, "action": "save_fields"}, color="primary", size="sm",
                             className="mt-2", n_clicks=0)] if editable else
                 [html.Div(_("Read only."), className="small text-muted mt-1")]),
    ]), className="shadow-sm mb-3")


def attempts_section(attempts: Sequence[AttemptView], can_add: bool, today: dt.date, who: str) -> dbc.Card:
    """The persuasion attempts (newest first) and, while the case is open, a form to add one."""
    rows = [html.Tr([html.Td(a.date.isoformat(), className="text-nowrap"), html.Td(a.who),
                     html.Td(label(ATTEMPT_LABELS, a.method), className="text-nowrap"),
                     html.Td(a.result, className="text-break"),
                     html.Td(a.created_by, className="small text-muted")]) for a in attempts]
    table = dbc.Table([html.Thead(html.Tr([html.Th(_("Date")), html.Th(_("Who")), html.Th(_("How")),
                                           html.Th(_("Result")), html.Th(_("Recorded by"))])),
                       html.Tbody(rows)], size="sm", hover=True, responsive=True, className="small mb-2",
                      id="case-attempt-table") if rows else html.P(_("No attempts recorded yet."),
                                                                    className="small text-muted")
    form = dbc.Row([
        dbc.Col(dbc.Input(type="date", value=today.isoformat(), max=today.isoformat(), size="sm",
                          **_in("attempt_date")), xs=6, md=4),
        dbc.Col(dbc.Input(value=who, placeholder=_("Who"), size="sm", **_in("attempt_who")), xs=6, md=4),
        dbc.Col(dbc.Select(options=[{"label": label(ATTEMPT_LABELS, k), "value": k} for k in ATTEMPT_METHODS],
                           value="home_visit", size="sm", **_in("attempt_method")), xs=12, md=4),
        dbc.Col(dbc.Input(placeholder=_("Result"), size="sm", **_in("attempt_result")), xs=12, md=9),
        dbc.Col(_button("add_attempt", _("Add"), "plus-lg", "primary"), xs=12, md=3, className="d-grid"),
    ], className="g-1 align-items-start bx-case-attempt-form") if can_add else None
    return dbc.Card(dbc.CardBody([html.H3(_("Persuasion attempts (劝返)"), className="h6"), table, form]),
                    className="shadow-sm mb-3")
