"""Rectification downloads: evidence files and the 整改通知书 (.docx), each checked on the server against the user's role and area."""
from __future__ import annotations

from urllib.parse import quote

from flask import Flask, Response, abort, current_app, send_file
from flask_babel import gettext as _
from flask_login import current_user

from wording.inspection import finding_detail, local_time
from wording.rectification import long_date, status_label
from data_access import audit
from data_access.inspection.access import actor_of, now
from data_access.rectification.orders import ORDER_ENTITY, OrderAccess, OrderRefused, require_order
from data_access.rectification.evidence import locate_evidence, orders_folder
from documents.rectification_notice import NoticeData, notice_document
from data_access.rectification.view import load_order
from domain.rectification.views import OrderView
from domain.localtime import local_date, local_today
from domain.rectification.rules import notice_number
from web.context import db, transaction

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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


def notice_data(v: OrderView) -> NoticeData:
    """The notice, worded in the user's language."""
    issued = local_date(v.issued_at) or local_today()
    team = v.team_name or _("the inspection team")
    if v.finding is not None:
        f = v.finding
        problem = finding_detail(f.method, f.kind, f.subject, f.count, f.description) or v.title
        intro = _("In the dropout-control inspection, %(team)s found the following problem in your unit, which "
                  "must be rectified:", team=team)
    else:
        problem = v.title
        intro = _("%(team)s found the following problem in your unit's dropout-control work, which must be "
                  "rectified:", team=team)
    sections = ((_("1. Problem found"), problem),
                (_("2. Rectification requirement"), v.requirement),
                (_("3. Deadline"), _("Complete the rectification by %(date)s and report the measures taken, with "
                                     "evidence, to %(team)s in Baoxue.", date=long_date(v.deadline), team=team)))
    closing = _("Orders not rectified by the deadline are counted as overdue and raise the township's "
                "notification tier to at least warning (预警).")
    mark = (_("Status: %(status)s (%(time)s)", status=status_label(v.status), time=local_time(v.closed_at))
            if v.status == "closed" else None)
    return NoticeData(
        _("Rectification notice"), notice_number(v.county_name, issued.year, v.id),
        _("%(unit)s:", unit=v.unit_name if v.school_name else _("%(township)s People's Government",
                                                                  township=v.township_name)),
        intro, sections, closing, f"{v.county_name}{team}" if v.county_name else team, long_date(issued),
        _("Received by (signature): ____________    Date: ____________"),
        _("Baoxue · order %(id)s · printed %(time)s", id=v.id, time=local_time(now())), mark)


def download_notice(order_id: int) -> Response:
    """The 整改通知书 (.docx) for users who may see the order; the download is audit-logged."""
    access = _access(order_id)
    body = notice_document(notice_data(load_order(db(), access)))
    with transaction() as s:
        audit.record(s, "download", ORDER_ENTITY, str(order_id), after={"file": "notice.docx"})
    name = f"{_('Rectification notice')}-{order_id}.docx"
    response = Response(body, mimetype=DOCX_MIMETYPE)
    response.headers["Content-Disposition"] = (f"attachment; filename=order-{order_id}.docx; "
                                               f"filename*=UTF-8''{quote(name)}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def register_rectification_routes(server: Flask) -> None:
    """Add the routes to the server (every one behind the login guard and the area checks)."""
    server.add_url_rule("/rectification/evidence/<int:evidence_id>", "rectification_evidence", download_evidence)
    server.add_url_rule("/rectification/order/<int:order_id>/notice.docx", "rectification_notice", download_notice)

