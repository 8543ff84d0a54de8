"""Administration downloads: a school's roster of a term as the import takes it (issue 15.7) and the audit log
view as .xlsx (issue 15.5). Role and area are checked on the server for every request; every roster export is
written to the audit log (it holds ID numbers and guardian phones)."""
from __future__ import annotations

from flask import Flask, Response, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest, Forbidden

from components.admin.audit import change_text
from components.admin.status import stamp

from data_access import audit
from data_access.admin.audit_log import AuditRefused, area_names, audit_rows
from data_access.admin.roster_export import HEADERS, TEXT_COLUMNS, RosterExportRefused, roster_rows
from documents.exports import XLSX_MIMETYPE
from documents.sheets import sheet_workbook
from domain.admin.audit import EXPORT_MAX, FilterInvalid, object_of, parse_filter
from domain.admin.views import AuditFilter, AuditRow, Sheet
from domain.localtime import local_today
from domain.terms import parse_term
from web.context import current_scope, db, transaction
from web.downloads import content_disposition
from wording.admin import action_label, object_label


def _xlsx(body: bytes, shown: str, ascii_name: str) -> Response:
    """An .xlsx attachment response that is never cached."""
    response = Response(body, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(shown, ascii_name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def download_roster() -> Response:
    """One school's roster of a term with the import's columns (HTTP 403 outside the user's role or scope)."""
    school_arg, term = request.args.get("school", ""), request.args.get("term", "")
    if not school_arg.isdigit() or len(school_arg) > 9:
        raise Forbidden()
    try:
        term = parse_term(term).code
        school, rows = roster_rows(db(), current_user.role, current_scope(), int(school_arg), term)
    except (ValueError, RosterExportRefused) as exc:
        raise Forbidden() from exc
    body = sheet_workbook([Sheet(f"{school.code}-{term}", HEADERS, rows, widths=(22, 10, 6, 12, 20, 12, 6, 8, 8, 14,
                                                                                   10, 14, 6, 8, 8, 8),
                                 text_columns=TEXT_COLUMNS)])
    with transaction() as session:
        audit.record(session, "export", "roster", f"{school.code}:{term}", area=school.township_code,
                     after={"school": school.code, "term": term, "rows": len(rows), "id_numbers": "full",
                            "phones": "full", "file": "roster.xlsx"})
    name = f"{school.name}-{term}-{local_today().isoformat()}.xlsx"
    return _xlsx(body, name, f"roster-{school.code}-{term}.xlsx")


def _audit_sheet(rows: list[AuditRow], flt: AuditFilter, title: str) -> Sheet:
    """The audit rows as a worksheet with the filter and date above the header."""
    names = area_names(db(), {r.area_code for r in rows if r.area_code})
    headers = (_("Time"), _("User"), _("Action"), _("Action key"), _("Object"), _("Entity"), _("Key"), _("Area"),
               _("Area code"), _("Before / after"))
    lines = [(stamp(r.at), r.actor, action_label(r.action), r.action, object_label(object_of(r.entity)), r.entity,
              r.entity_key, names.get(r.area_code or "", "—"), r.area_code or "", change_text(r)) for r in rows]
    shown = [f"{k}={v}" for k, v in (("user", flt.user), ("area", flt.area), ("objects", ",".join(flt.objects)),
                                      ("action", flt.action), ("from", flt.date_from), ("to", flt.date_to)) if v]
    info = (_("Filter: %(filter)s", filter="; ".join(shown) if shown else _("none")),
            _("Exported on %(date)s · %(n)s rows", date=local_today().isoformat(), n=len(lines)))
    if len(lines) >= EXPORT_MAX:
        info += (_("Only the newest %(n)s entries are exported: narrow the dates for older ones.", n=f"{EXPORT_MAX:,}"),)
    return Sheet(title, headers, lines, info, (17, 14, 14, 14, 16, 18, 14, 12, 14, 80), frozenset({6, 8}))


def download_audit() -> Response:
    """The filtered audit log as .xlsx (admins and county leaders, their area); the export is itself logged."""
    args = request.args
    try:
        flt = parse_filter(args.get("user"), args.get("area"), args.get("objects"), args.get("action"),
                           args.get("from"), args.get("to"), args.get("reveals") == "1")
    except FilterInvalid as exc:
        raise BadRequest(f"{exc.field}: {exc.value}") from exc
    try:
        rows = audit_rows(db(), current_user.role, current_scope(), flt, EXPORT_MAX)
    except AuditRefused as exc:
        raise Forbidden() from exc
    title = _("Reveals of personal data") if flt.reveals_only else _("Audit log")
    body = sheet_workbook([_audit_sheet(rows, flt, title)])
    with transaction() as session:
        audit.record(session, "export", "audit_log", "audit.xlsx", area=flt.area,
                     after={"rows": len(rows), "filter": {k: str(v) for k, v in vars(flt).items() if v}})
    return _xlsx(body, f"{title}-{local_today().isoformat()}.xlsx", f"audit-{local_today().isoformat()}.xlsx")


def register_admin_routes(server: Flask) -> None:
    """Add the administration download routes (behind the login guard; role and area checked per request)."""
    server.add_url_rule("/admin/roster.xlsx", "roster_export", download_roster)
    server.add_url_rule("/admin/audit.xlsx", "audit_export", download_audit)
