"""The ledger export: the view shown on /cases (a case ledger with its filters, or the school-age ledger of a
term) as .xlsx, checked on the server against the user's role and area, names masked for the roles that do
not see them, and every export written to the audit log with its filter and row count."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, Response, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from wording.ledger import (ATTEMPT_LABELS, CASE_STATUS_LABELS, CLOCK_LABELS, GROUP_LABELS, LEDGER_TAB_LABELS,
                                    OUTCOME_LABELS, label, labels_of, reason_text, step_text)
from data_access import audit
from documents.exports import XLSX_MIMETYPE
from data_access.cases.ledger import LedgerFilter, LedgerRefused, case_rows
from domain.localtime import local_today
from domain.cases.views import CaseRow
from data_access.cases.children import age_lines, latest_term
from domain.cases.views import AgeLine
from documents.ledger import LedgerSheet, ledger_workbook
from data_access.models import Area, School
from domain.privacy import may_see_names
from domain.terms import parse_term
from web.context import current_scope, db, transaction
from web.downloads import content_disposition
from wording.dashboard import term_name

LEDGER_ROLES = frozenset({"county_leader", "inspector", "township_officer", "school_staff", "admin"})
LEDGERS = ("children", "suspected", "confirmed")


def _arg_int(name: str) -> int | None:
    value = request.args.get(name, "")
    if value == "":
        return None
    if not value.isdigit() or len(value) > 9:
        raise Forbidden()
    return int(value)


def _arg_code(name: str) -> str | None:
    value = request.args.get(name, "")
    if value == "":
        return None
    if len(value) != 12 or not value.isdigit():
        raise Forbidden()
    return value


def _arg_key(name: str) -> str | None:
    value = request.args.get(name, "")
    return value[:30] or None


def case_filter() -> LedgerFilter:
    """The case-ledger filter of the request (values checked again by data_access)."""
    return LedgerFilter(request.args.get("ledger", ""), _arg_code("township"), _arg_int("school"), _arg_int("step"),
                        _arg_key("reason"), _arg_key("status"), request.args.get("overdue") == "1",
                        request.args.get("outside") == "1")


def _case_cells(r: CaseRow) -> tuple[Any, ...]:
    attempt = "—" if r.last_attempt is None else (
        f"{r.last_attempt[0].isoformat()} {label(ATTEMPT_LABELS, r.last_attempt[1])} {r.last_attempt[2]}")
    clock = label(CLOCK_LABELS, r.clock.state) if r.status == "open" else "—"
    return (r.id, r.student, r.student_no, r.school, r.township, r.found_date.isoformat(), r.absence_days,
            reason_text(r.reason), labels_of(GROUP_LABELS, r.special_groups), step_text(r.step),
            r.clock.due.isoformat() if r.status == "open" and r.clock.due else "—", clock,
            r.gov_responsible or "—", r.edu_responsible or "—", r.helper or "—", attempt,
            label(CASE_STATUS_LABELS, r.status), label(OUTCOME_LABELS, r.outcome),
            _("Household elsewhere (外县户籍)") if r.outside else "—", r.household_code or "—",
            (r.household_name or "—") if r.outside else "—")


def _filter_text(flt: LedgerFilter) -> str:
    session = db()
    parts = []
    if flt.township:
        town = session.get(Area, flt.township)
        parts.append(_("Township: %(name)s", name=town.name if town else flt.township))
    if flt.school_id is not None:
        school = session.get(School, flt.school_id)
        parts.append(_("School: %(name)s", name=school.name if school else flt.school_id))
    if flt.step is not None:
        parts.append(step_text(flt.step))
    if flt.reason:
        parts.append(reason_text(flt.reason))
    if flt.status:
        parts.append(label(CASE_STATUS_LABELS, flt.status))
    if flt.overdue_only:
        parts.append(_("Overdue only"))
    if flt.outside_only:
        parts.append(_("Household elsewhere (外县户籍)"))
    return _("Filter: %(filter)s", filter="；".join(parts) if parts else _("none"))


def _case_sheet(flt: LedgerFilter, today: dt.date) -> tuple[LedgerSheet, int]:
    scope = current_scope()
    rows = case_rows(db(), scope, flt, today, current_user.role)
    title = label(LEDGER_TAB_LABELS, flt.ledger)
    headers = (_("Case"), _("Student"), _("Student number"), _("School"), _("Township"), _("Date found"),
               _("Days absent"), _("Reason"), _("Special groups"), _("Current step"), _("Step due"), _("Clock"),
               _("Government line"), _("Education line"), _("Pairing helper"), _("Last attempt"), _("Status"),
               _("Case outcome"), _("Household"), _("Household code"), _("Household division"))
    widths = (7, 10, 22, 20, 12, 11, 8, 16, 20, 20, 11, 9, 12, 12, 12, 30, 14, 14, 12, 15, 24)
    info = (_filter_text(flt), _("Exported on %(date)s · %(n)s rows", date=today.isoformat(), n=len(rows)))
    if flt.outside_only:
        info += (_("Notify each household county and transfer the record (seed 001)."),)
    sheet = LedgerSheet(title, title, info, headers, widths, [_case_cells(r) for r in rows],
                        [r.status == "open" and r.clock.state == "overdue" for r in rows])
    return sheet, len(rows)


def _age_cells(line: AgeLine) -> tuple[Any, ...]:
    r = line.row
    area = line.area_name if r.area_code != line.township_code else _("(whole township)")
    return (line.township_name, area, r.area_code, r.age, r.population, r.outside, r.found, r.enrolled, r.dropped,
            r.gap)


def _age_sheet(term: str, township: str | None, today: dt.date) -> tuple[LedgerSheet, int]:
    lines = age_lines(db(), current_scope(), term, township)
    title = label(LEDGER_TAB_LABELS, LEDGERS[0])
    headers = (_("Township"), _("Village"), _("Code"), _("Age"), _("Population (survey)"),
               _("Attending outside the county"), _("Found on the roster"), _("In school"), _("Dropped out"),
               _("Not found on any roster"))
    info = (term_name(term), _("Exported on %(date)s · %(n)s rows", date=today.isoformat(), n=len(lines)))
    sheet = LedgerSheet(title, title, info, headers, (14, 16, 15, 6, 12, 12, 12, 10, 10, 14),
                        [_age_cells(ln) for ln in lines], [(ln.row.gap or 0) > 0 for ln in lines])
    return sheet, len(lines)


def download_ledger() -> Response:
    """The .xlsx of a ledger view, for a role and area that may see it (HTTP 403 otherwise); audit-logged."""
    if current_user.role not in LEDGER_ROLES:
        raise Forbidden()
    ledger = request.args.get("ledger", "")
    if ledger not in LEDGERS:
        raise Forbidden()
    today = local_today()
    try:
        if ledger == "children":
            term = request.args.get("term") or latest_term(db())
            try:
                parse_term(term or "")
            except ValueError:
                raise Forbidden() from None
            township = _arg_code("township")
            sheet, count = _age_sheet(term, township, today)
            entity, shown = "school_age_ledger", {"ledger": ledger, "term": term, "township": township}
        else:
            flt = case_filter()
            sheet, count = _case_sheet(flt, today)
            entity, shown = "dropout_case", flt.as_dict()
    except LedgerRefused as exc:
        raise Forbidden() from exc
    body = ledger_workbook(sheet)
    with transaction() as session:
        audit.record(session, "export", entity, ledger,
                     after={"filter": {k: v for k, v in shown.items() if v is not None}, "rows": count,
                            "masked": not may_see_names(current_user.role), "file": "ledger.xlsx"})
    response = Response(body, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(f"{sheet.title}-{today.isoformat()}.xlsx",
                                                                  f"baoxue-ledger-{ledger}-{today.isoformat()}.xlsx")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def register_ledger_routes(server: Flask) -> None:
    """Add the ledger export route (behind the login guard; role and area checked per request)."""
    server.add_url_rule("/cases/ledger.xlsx", "ledger_export", download_ledger)
