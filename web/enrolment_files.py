"""Issuing a village's 入学（复学）通知书 (issue 17.6): numbered once in the township's register — the same
batch (same children, kind, year and reporting day) downloads again exactly as issued; a batch changed since
(a roster imported, a case closed) keeps its number and is stored anew. The page's POST form and the CLI
share `issue_batch`."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, replace

from flask import Flask, Response, abort, request
from flask_login import current_user
from sqlalchemy.orm import Session

from data_access import audit
from data_access.documents.enrolment import EnrolmentInvalid, EnrolmentRefused, enrolment_batch
from data_access.documents.register import ENTITY, issue
from data_access.scope import Scope
from documents.enrolment_notices import batch_docx, batch_pdf, title_of
from domain.documents import EnrolmentBatch, enrolment_deadline
from domain.localtime import local_today
from web.issued import both, file_response
from web.context import current_scope, transaction
from wording.statutes import enrolment_law


def batch_title(b: EnrolmentBatch) -> str:
    """勐混镇曼国村委会2026年义务教育入学通知书（七年级，23份）."""
    what = {"grade1": "一年级", "grade7": "七年级", "return": "复学"}[b.kind]
    return f"{b.township}{b.village}{b.year}年{title_of(b.kind)}（{what}，{len(b.children)}份）"


def issue_batch(session: Session, role: str, scope: Scope, village: str, kind: str, year: int,
                report_by: dt.date | None, blank: int | None, user_id: int | None, user_name: str) -> tuple[object, EnrolmentBatch]:
    """Number and store the village's batch (or give back the one issued with the same content)."""
    today = local_today()
    batch = enrolment_batch(session, role, scope, village, kind, year, today, report_by or enrolment_deadline(year),
                            blank)
    if not batch.children:
        raise EnrolmentInvalid("no children: nothing to issue")
    batch = replace(batch, law=enrolment_law(kind))
    content = json.dumps([asdict(c) for c in batch.children] + [batch.report_by.isoformat()], default=str,
                         ensure_ascii=False)
    subject = f"enrolment:{village}:{year}:{kind}"
    version = f"{subject}:{hashlib.sha256(content.encode()).hexdigest()[:16]}"
    doc = issue(session, area_code=village, issuer="、".join(x for x in batch.issuers if x),
                abbreviation=batch.abbreviation, kind="enrolment", subject=subject, version=version,
                title=batch_title(batch), issued_on=today, user_id=user_id, user_name=user_name,
                build=both(lambda n: batch_docx(replace(batch, number=n)), lambda n: batch_pdf(replace(batch, number=n))))
    return doc, replace(batch, number=doc.number)


def _parse(form: dict) -> tuple[str, str, int, dt.date | None, int | None]:
    try:
        year = int(form.get("year") or 0)
        report_by = dt.date.fromisoformat(form["report_by"]) if form.get("report_by") else None
        blank = int(form["blank"]) if form.get("blank") not in (None, "") else None
    except (ValueError, TypeError):
        abort(400)
    return str(form.get("village") or ""), str(form.get("kind") or ""), year, report_by, blank


def download_batch(fmt: str) -> Response:
    """POST (the page's form, CSRF-checked): issue the batch and send it (.docx or .pdf); 403 outside the
    user's area or for a role that does not issue notices; 400 with the reason for a bad request."""
    if not current_user.is_authenticated:
        abort(401)
    if fmt not in ("docx", "pdf"):
        abort(404)
    village, kind, year, report_by, blank = _parse(request.form)
    try:
        with transaction() as s:
            doc, batch = issue_batch(s, current_user.role, current_scope(), village, kind, year, report_by, blank,
                                     current_user.id, getattr(current_user, "display_name", "") or
                                     current_user.username)
            audit.record(s, "download", ENTITY, str(doc.id), after={"file": fmt, "number": doc.number},
                         area=village)
            body = doc.docx if fmt == "docx" else doc.pdf
    except EnrolmentRefused:
        abort(403)
    except EnrolmentInvalid as exc:
        return Response(str(exc), status=400, mimetype="text/plain")
    if body is None:
        abort(503)  # no CJK font on the server for the PDF (the .docx is issued)
    return file_response(body, fmt, f"notices-{village}-{year}-{kind}", f"{doc.title}-{doc.number}")


def register_enrolment_routes(server: Flask) -> None:
    """/documents/enrolment.docx|.pdf (POST, behind the login guard and the CSRF check)."""
    server.add_url_rule("/documents/enrolment.<fmt>", "enrolment_notices", download_batch, methods=["POST"])
