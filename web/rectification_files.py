"""Rectification downloads: evidence files and the 整改通知书 (.docx), each checked on the server against the user's role and area."""
from __future__ import annotations

from dataclasses import replace

from flask import Flask, Response, abort, current_app, send_file
from flask_babel import gettext as _
from flask_login import current_user

from wording.inspection import finding_detail, local_time
from wording.rectification import long_date, status_label
from data_access import audit
from data_access.inspection.access import actor_of, now
from data_access.rectification.orders import ORDER_ENTITY, OrderAccess, OrderRefused, require_order
from data_access.rectification.evidence import locate_evidence, orders_folder
from documents.rectification_notice import NoticeData, notice_document, notice_pdf
from data_access.rectification.view import load_order
from domain.rectification.views import OrderView
from domain.localtime import local_date, local_today
from data_access.documents.register import county_code_of, issue, issuer_settings
from domain.documents import IssuerSettings
from domain.privacy import may_see_names
from web.context import db, transaction
from web.issued import both, file_response
from wording.common import red_head_text
from wording.statutes import INSPECTION_REGULATION, STATE_COUNCIL_NOTICE


def _access(order_id: int) -> OrderAccess:
    if not current_user.is_authenticated:
        abort(401)
    try:
        return require_order(db(), actor_of(current_user), order_id)
    except OrderRefused:
        abort(403)


def download_evidence(evidence_id: int) -> Response:
    """An order's evidence file, as an attachment, for users who may see the order."""
    found = locate_evidence(db(), orders_folder(current_app.config["EVIDENCE_DIR"]), evidence_id)
    if found is None:
        abort(403)  # unknown ids look the same as refused ones
    _access(found.order_id)
    response = send_file(found.path, mimetype=found.mimetype, as_attachment=True, download_name=found.download_name,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def notice_data(v: OrderView, settings: IssuerSettings | None = None) -> NoticeData:
    """The notice as the county's 教育督导室 issues it, worded in the user's language: the problem found, the
    requirement with its policy basis, the calendar deadline and how to report back, the contact line."""
    issued = local_date(v.issued_at) or local_today()
    issuer = settings.issuer if settings else _("%(area)s Education Inspection Office", area=v.county_name)
    if v.finding is not None:
        f = v.finding
        problem = finding_detail(f.method, f.kind, f.subject, f.count, f.description) or v.title
        intro = _("In the dropout-control inspection of %(date)s, %(issuer)s found the following problem in your "
                  "unit. Under %(regulation)s and %(basis)s, you are required to rectify it as follows:",
                  date=long_date(issued), issuer=issuer, regulation=INSPECTION_REGULATION, basis=STATE_COUNCIL_NOTICE)
    else:
        problem = v.title
        intro = _("%(issuer)s found the following problem in your unit's dropout-control work. Under "
                  "%(regulation)s and %(basis)s, you are required to rectify it as follows:", issuer=issuer,
                  regulation=INSPECTION_REGULATION, basis=STATE_COUNCIL_NOTICE)
    sections = ((_("1. Problem found"), problem),
                (_("2. Rectification requirement"), v.requirement),
                (_("3. Deadline"), _("Complete the rectification by %(date)s and report the measures taken in writing, "
                                     "with supporting evidence, to %(issuer)s.", date=long_date(v.deadline),
                                     issuer=issuer)))
    mark = (_("Status: %(status)s (%(time)s)", status=status_label(v.status), time=local_time(v.closed_at))
            if v.status == "closed" else None)
    return NoticeData(
        _("Rectification notice"), "",
        _("%(unit)s:", unit=v.unit_name if v.school_name else _("%(township)s People's Government",
                                                                  township=v.township_name)),
        intro, sections, "", issuer, long_date(issued),
        _("Received by (signature): ____________    Date: ____________"), "", mark, issued,
        (settings.contact_line(),) if settings and settings.contact_line() else (), red_head_text(settings))


def download_notice(order_id: int, fmt: str = "docx") -> Response:
    """The 整改通知书 (.docx or .pdf) for users who may see the order: issued in the county's register on the
    first download (its 发文字号 from the county 督导室's sequence), sent again exactly as issued — a closed
    order's reprint carries the same number with its status mark; the download is audit-logged."""
    if fmt not in ("docx", "pdf"):
        abort(404)
    access = _access(order_id)
    v = load_order(db(), access, see_names=may_see_names(current_user.role))
    with transaction() as s:
        county = county_code_of(s, v.township_code)
        settings = issuer_settings(s, county)
        data = notice_data(v, settings)
        subject = f"order:{order_id}"
        doc = issue(s, area_code=v.township_code, issuer=settings.issuer, abbreviation=settings.abbreviation,
                    kind="rectification", subject=subject, version=f"{subject}:{v.status == 'closed'}",
                    title=data.title, issued_on=data.issued, user_id=current_user.id,
                    user_name=getattr(current_user, "display_name", "") or current_user.username,
                    build=both(lambda n: notice_document(replace(data, number=n), settings.page_numbers),
                               lambda n: notice_pdf(replace(data, number=n), settings.page_numbers)))
        body = doc.docx if fmt == "docx" else doc.pdf
        audit.record(s, "download", ORDER_ENTITY, str(order_id), after={"file": f"notice.{fmt}", "number": doc.number})
    if body is None:
        abort(503)
    return file_response(body, fmt, f"order-{order_id}", f"{data.title}-{doc.number}")


def register_rectification_routes(server: Flask) -> None:
    """Add the routes to the server (every one behind the login guard and the area checks)."""
    server.add_url_rule("/rectification/evidence/<int:evidence_id>", "rectification_evidence", download_evidence)
    server.add_url_rule("/rectification/order/<int:order_id>/notice.<fmt>", "rectification_notice", download_notice)

