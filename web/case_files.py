"""Dropout case downloads: the notices of the escalation (.docx) and ledger exports, each checked on the server and audit-logged."""
from __future__ import annotations

from dataclasses import replace

from flask import Flask, Response, abort, current_app
from flask_login import current_user

from data_access.cases.cases import CaseRefused
from data_access.cases.notices import notice_data, notice_issuer, record_notice
from data_access.documents.register import issue
from data_access.inspection.access import InvalidInput, actor_of
from documents.case_notices import draft_document, draft_pdf, notice_document, notice_pdf
from domain.cases.escalation import DRAFT_KINDS, NOTICE_KINDS
from web.context import db, transaction
from web.issued import both, file_response
from wording.statutes import notice_statutes


def notice_href(case_id: int, kind: str, fmt: str = "docx") -> str:
    """The download address of a case's notice (.docx, or .pdf)."""
    return f"/cases/case/{case_id}/notice/{kind}.{fmt}"


def download_notice(case_id: int, kind: str, fmt: str = "docx") -> Response:
    """A step-4 notice (.docx or .pdf) of a case the user may read with names; issued in the township's
    register with its 发文字号 (the same notice — same case, kind and deadline — is sent again as stored),
    written to the case's history and the audit log. Unknown cases and cases outside the user's area: 403.
    Issuing a notice is recorded, so it is a POST with the CSRF token (the page's form), never a GET another
    site could link to."""
    if not current_user.is_authenticated:
        abort(401)
    if kind in DRAFT_KINDS and fmt in ("docx", "pdf"):
        return download_draft(case_id, kind, fmt)
    if kind not in NOTICE_KINDS or fmt not in ("docx", "pdf"):
        abort(404)
    actor = actor_of(current_user)
    try:
        data = notice_data(db(), actor, case_id, kind, step_days=current_app.config.get("CASE_STEP_DAYS"))
    except CaseRefused:
        abort(403)
    except InvalidInput:
        abort(409)  # the case has not reached the step of its notices
    data = replace(data, **notice_statutes(data))
    with transaction() as s:
        area, issuer, abbreviation = notice_issuer(s, data)
        subject = f"case:{data.case_id}:{kind}:{data.deadline.isoformat()}"
        doc = issue(s, area_code=area, issuer="、".join(data.issuers) or issuer, abbreviation=abbreviation,
                    kind=kind, subject=subject, version=subject, title=data.title, issued_on=data.issued,
                    user_id=actor.user_id, user_name=actor.name,
                    build=both(lambda n: notice_document(replace(data, number=n)),
                               lambda n: notice_pdf(replace(data, number=n))))
        numbered = replace(data, number=doc.number)
        body = doc.docx if fmt == "docx" else doc.pdf
        record_notice(s, actor, numbered)
    if body is None:
        abort(503)  # no CJK font on the server for the PDF (the .docx is issued)
    return file_response(body, fmt, f"case-{data.case_id}-{kind}", f"{data.title}-{doc.number}")


def download_draft(case_id: int, kind: str, fmt: str) -> Response:
    """A draft of step 5 (行政处罚决定书) or 6 (支持起诉函) from the case's data, for readers who may see the
    child's name once the case has reached that step; not numbered (the clerk fills the sequence when it is
    issued), recorded in the case history and the audit log."""
    actor = actor_of(current_user)
    try:
        data = notice_data(db(), actor, case_id, kind, step_days=current_app.config.get("CASE_STEP_DAYS"))
    except CaseRefused:
        abort(403)
    except InvalidInput:
        abort(409)
    data = replace(data, **notice_statutes(data))
    body = draft_document(data) if fmt == "docx" else draft_pdf(data)
    with transaction() as s:
        record_notice(s, actor, data)
    return file_response(body, fmt, f"case-{data.case_id}-{kind}", f"{data.title}-{data.case_id}")


def register_case_routes(server: Flask) -> None:
    """Add the routes to the server (every one behind the login guard and the area checks)."""
    server.add_url_rule("/cases/case/<int:case_id>/notice/<kind>.<fmt>", "case_notice", download_notice,
                        methods=["POST"])
