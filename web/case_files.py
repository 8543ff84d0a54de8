"""Dropout case downloads: the notices of the escalation (.docx) and ledger exports, each checked on the server and audit-logged."""
from __future__ import annotations

from urllib.parse import quote

from flask import Flask, Response, abort, current_app
from flask_login import current_user

from data_access.cases.cases import CaseRefused
from data_access.cases.notices import notice_data, record_notice
from data_access.inspection.access import InvalidInput, actor_of
from documents.case_notices import notice_document
from domain.cases.escalation import NOTICE_KINDS
from web.context import db, transaction

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def notice_href(case_id: int, kind: str) -> str:
    """The download address of a case's notice."""
    return f"/cases/case/{case_id}/notice/{kind}.docx"


def download_notice(case_id: int, kind: str) -> Response:
    """A step-4 notice (.docx) of a case the user may read with names; written to the case's history
    and the audit log. Unknown cases and cases outside the user's area: 403. Printing a notice is recorded, so it
    is a POST with the CSRF token (the page's form), never a GET another site could link to."""
    if not current_user.is_authenticated:
        abort(401)
    if kind not in NOTICE_KINDS:
        abort(404)
    actor = actor_of(current_user)
    try:
        data = notice_data(db(), actor, case_id, kind, step_days=current_app.config.get("CASE_STEP_DAYS"))
    except CaseRefused:
        abort(403)
    except InvalidInput:
        abort(409)  # the case has not reached the step of its notices
    body = notice_document(data)
    with transaction() as s:
        record_notice(s, actor, data)
    name = f"{data.title}-{data.case_id}.docx"
    response = Response(body, mimetype=DOCX_MIMETYPE)
    response.headers["Content-Disposition"] = (f"attachment; filename=case-{data.case_id}-{kind}.docx; "
                                               f"filename*=UTF-8''{quote(name)}")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def register_case_routes(server: Flask) -> None:
    """Add the routes to the server (every one behind the login guard and the area checks)."""
    server.add_url_rule("/cases/case/<int:case_id>/notice/<kind>.docx", "case_notice", download_notice,
                        methods=["POST"])
