"""The student search page's pieces drawn from plain views (domain.admin.search): the hits to choose from and a
child's roster history, cases and findings."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

from domain.admin.search import StudentDetail, StudentHit
from domain.terms import term_label_en, term_label_zh
from wording.i18n import current_language
from wording.inspection import KIND_LABELS as FINDING_KINDS
from wording.inspection import SEVERITY_LABELS
from wording.ledger import CASE_STATUS_LABELS, LEDGER_LABELS, label, reason_text, roster_status


def term_text(code: str) -> str:
    """A term code for reading (2024–2025学年第一学期)."""
    return (term_label_zh if current_language() == "zh" else term_label_en)(code)


def hit_label(hit: StudentHit) -> str:
    """One line naming a found child for the list to choose from."""
    return " · ".join((hit.name, hit.student_no, hit.gender, hit.birth_date.isoformat(), hit.school,
                       _("Grade %(grade)s", grade=hit.grade), roster_status(hit.status)))


def _table(head: list[str], rows: list[list[object]], empty: str) -> object:
    if not rows:
        return html.P(empty, className="text-muted small")
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in head])),
                      html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows])],
                     striped=True, size="sm", className="small", responsive=True)


def detail_view(d: StudentDetail, revealed: str | None = None) -> object:
    """A child's card: identity (ID number masked unless just revealed), roster history, cases, findings."""
    h = d.hit
    outside = _("(a school outside your area)")
    history = [[term_text(r.term_code), r.school or outside, r.township or "—", str(r.grade), r.class_name or "—",
                roster_status(r.status), _("Yes") if r.poverty_registered else _("No")] for r in d.history]
    cases = [[html.A(f"#{c.case_id}", href=f"/cases/case?id={c.case_id}"), label(LEDGER_LABELS, c.ledger),
              label(CASE_STATUS_LABELS, c.status), str(c.step), c.found_date.isoformat(), reason_text(c.reason),
              c.township] for c in d.cases]
    findings = [[html.A(f"#{f.visit_id}", href=f"/inspection/visit?id={f.visit_id}"), label(FINDING_KINDS, f.kind),
                 label(SEVERITY_LABELS, f.severity), f.subject or "—", f.created.isoformat()] for f in d.findings]
    return dbc.Card(dbc.CardBody([
        html.H3(h.name, className="h5 mb-1"),
        html.Div([html.Span(_("Student number") + f" {h.student_no}", className="me-3"),
                  html.Span(_("ID number") + f" {revealed or d.id_number}", className="me-3",
                            id="students-id-number"),
                  html.Span(f"{h.gender} · {h.birth_date.isoformat()}")], className="small mb-3"),
        html.H4(_("Roster history"), className="h6"),
        _table([_("Term"), _("School"), _("Township"), _("Grade"), _("Class"), _("Status"), _("Registered poor")],
               history, _("No roster line.")),
        html.H4(_("Dropout cases"), className="h6 mt-3"),
        _table([_("Case"), _("Ledger"), _("Status"), _("Step"), _("Found"), _("Reason"), _("Township")], cases,
               _("No case.")),
        html.H4(_("Inspection findings"), className="h6 mt-3"),
        _table([_("Visit"), _("Kind"), _("Severity"), _("Subject"), _("Date")], findings, _("No finding.")),
    ]), className="shadow-sm")
