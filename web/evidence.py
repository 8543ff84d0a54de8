"""Inspection downloads: evidence files and the visit report (.docx), each only for users who may
see the visit (checked on the server for every request), and the report worded in the user's language."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from urllib.parse import quote

from flask import Flask, Response, abort, current_app, send_file
from flask_babel import gettext as _
from flask_login import current_user

from wording.inspection import (ABSENCE_LABELS, METHOD_LABELS, OUTCOME_LABELS, RESULT_LABELS,
                                        ROLE_LABELS, SEVERITY_LABELS, class_text, finding_detail, finding_headline,
                                        gap_text, label, local_time)
from config import INSTANCE_DIR
from data_access import audit
from data_access.inspection.access import VISIT_ENTITY, VisitAccess, VisitRefused, actor_of, require_read
from data_access.inspection.evidence import locate
from documents.visit_report import (ReportSection, ReportTable, VisitReportData, visit_report_document,
                                    visit_report_pdf)
from web.issued import file_response
from data_access.inspection.view import (count_candidates, load_calls, load_classes, load_findings, load_header,
                                         load_interviews, load_items)
from domain.inspection.rules import DEFAULT_DUE_WORKING_DAYS, checklist_score
from web.context import db, transaction
from wording.i18n import current_language
from wording.dashboard import term_name

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _access(visit_id: int) -> VisitAccess:
    if not current_user.is_authenticated:
        abort(401)
    try:
        return require_read(db(), actor_of(current_user), visit_id)
    except VisitRefused:
        abort(403)


def download_evidence(evidence_id: int) -> Response:
    """An evidence file, as an attachment, for users who may see its visit."""
    folder = Path(current_app.config["EVIDENCE_DIR"])
    found = locate(db(), folder, evidence_id)
    if found is None:
        abort(403)  # unknown ids look the same as refused ones
    _access(found.visit_id)
    response = send_file(found.path, mimetype=found.mimetype, as_attachment=True, download_name=found.download_name,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _zh() -> bool:
    return current_language() == "zh"


def report_data(access: VisitAccess) -> VisitReportData:
    """The visit report, worded for the current user (school staff: their school's part)."""
    session = db()
    v = load_header(session, access)
    zh = _zh()
    sep = "、" if zh else ", "
    items = load_items(session, access)
    score = checklist_score(i.result for i in items)
    classes = load_classes(session, access, with_students=False)
    calls = load_calls(session, access)
    interviews = load_interviews(session, access)
    findings = load_findings(session, access)
    present = [name for uid, name, _r in v.team if uid in v.present]
    leader = next((name for _u, name, r in v.team if r == "leader"), "")
    facts = (
        (_("Township"), v.township_name), (_("Schools visited"), sep.join(n for _i, n in v.schools) or "—"),
        (_("Date"), v.visit_date.isoformat()), (_("Term"), term_name(v.term_code)),
        (_("Zone and team"), f"{v.zone_name} · {v.team_name}"), (_("Team leader"), leader or "—"),
        (_("Members present"), sep.join(present) or "—"),
        (_("Status"), _("Signed off by %(name)s at %(time)s", name=v.signed_by, time=local_time(v.signed_at))
         if v.status == "signed" else _("Draft, not signed off")),
    ) + (((_("Signed off with gaps"), sep.join(gap_text(g) for g in v.signed_gaps)),
          (_("Reason for signing with gaps"), v.signed_reason or "—")) if v.signed_gaps else ())
    review = ReportSection(
        _("1. File review"),
        (_("%(passed)s passed, %(failed)s failed, %(na)s not applicable, %(open)s not checked.", passed=score.passed,
           failed=score.failed, na=score.not_applicable, open=score.unanswered),),
        ReportTable((_("No."), _("Item"), _("Result"), _("Note"), _("Evidence")),
                    tuple((str(i.position), i.text_zh if zh else i.text_en, label(RESULT_LABELS, i.result), i.note,
                           sep.join(e.name for e in i.evidence)) for i in items), (11, 72, 19, 40, 26)))
    counted = [c for c in classes if c.counted_present is not None]
    absences = [f"{a.name}（{c.school_name} {class_text(c.grade, c.class_name)}）：{label(ABSENCE_LABELS, a.reason)}"
                if zh else f"{a.name} ({c.school_name}, {class_text(c.grade, c.class_name)}): "
                f"{label(ABSENCE_LABELS, a.reason)}" for c in counted for a in c.absences]
    heads = ReportSection(
        _("2. Head count"),
        (_("%(counted)s of %(all)s classes counted.", counted=len(counted), all=len(classes)),),
        ReportTable((_("School"), _("Class"), _("On roster"), _("Present"), _("Absent"), _("Unaccounted for")),
                    tuple((c.school_name, class_text(c.grade, c.class_name), str(c.roster_count),
                           str(c.counted_present), str(len(c.absences)), str(c.unaccounted)) for c in counted),
                    (46, 30, 22, 22, 22, 26)),
        tuple([_("Absent students:")] + absences) if absences else ())
    phone = ReportSection(
        _("3. Phone check"),
        (_("%(n)s calls sampled from %(all)s enrolled students (seed %(seed)s; the same seed gives the same sample). "
           "Phone numbers are masked.", n=len(calls), all=count_candidates(session, access),
           seed=v.phone_seed if v.phone_seed is not None else "—"),),
        ReportTable((_("No."), _("Student"), _("School and class"), _("Guardian"), _("Phone"), _("Outcome"),
                     _("Note")),
                    tuple((str(c.position), c.student_name, f"{c.school_name} {class_text(c.grade, c.class_name)}",
                           c.guardian_name, c.phone_masked, label(OUTCOME_LABELS, c.outcome), c.note)
                          for c in calls), (10, 20, 40, 18, 30, 22, 28)))
    talks = ReportSection(
        _("4. Interviews"), () if interviews else (_("No interviews recorded."),),
        ReportTable((_("Interviewee"), _("Summary"), _("Concerns")),
                    tuple((label(ROLE_LABELS, i.role), i.summary, i.concerns) for i in interviews), (28, 76, 64)))
    found = ReportSection(
        _("5. Findings"), () if findings else (_("No findings."),),
        ReportTable((_("Severity"), _("Kind"), _("Unit concerned"), _("Finding"), _("Method")),
                    tuple((label(SEVERITY_LABELS, f.severity), finding_headline(f.kind, f.false_data_type), f.unit_name,
                           finding_detail(f.method, f.kind, f.subject, f.count, f.description),
                           label(METHOD_LABELS, f.method)) for f in findings), (16, 30, 32, 68, 22)),
        (_("False-data findings (ghost enrolment, concealed dropouts) put the unit at tier 3 (admonition) for "
           "the term once the visit is signed off."),) if any(f.kind == "false_data" for f in findings) else ())
    signature = (_("Team leader (signature): %(name)s", name=v.signed_by or "________"),
                 _("Date: %(date)s", date=local_time(v.signed_at)[:10] if v.signed_at else "________"))
    return VisitReportData(
        _("Dropout control inspection report"), f"{v.township_name} · {term_name(v.term_code)}", facts,
        (review, heads, phone, talks, found), signature,
        _("Baoxue · visit %(id)s · version %(version)s · printed %(time)s", id=v.id, version=v.version,
          time=local_time(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))),
        None if v.status == "signed" else _("Draft: not signed off"))


def download_report(visit_id: int, fmt: str = "docx") -> Response:
    """The visit report (.docx or .pdf, from the same layout) for users who may see the visit; the download is
    audit-logged. A report is not a numbered document: it is made afresh from the visit each time."""
    if fmt not in ("docx", "pdf"):
        abort(404)
    access = _access(visit_id)
    data = report_data(access)
    if fmt == "pdf":
        from documents.pdf import PdfFontMissing
        try:
            body = visit_report_pdf(data)
        except PdfFontMissing:
            abort(503)
    else:
        body = visit_report_document(data)
    with transaction() as s:
        audit.record(s, "download", VISIT_ENTITY, str(visit_id), after={"file": f"report.{fmt}"})
    title = _("Inspection report")
    return file_response(body, fmt, f"visit-{visit_id}", f"{title}-{visit_id}")


def register_inspection_routes(server: Flask) -> None:
    """The evidence and report download routes, and the inspection settings (from the environment)."""
    server.config.setdefault("EVIDENCE_DIR", os.environ.get("BAOXUE_EVIDENCE_DIR") or str(INSTANCE_DIR / "evidence"))
    server.config.setdefault("INSPECTION_DUE_WORKING_DAYS",
                             int(os.environ.get("BAOXUE_INSPECTION_DUE_DAYS") or DEFAULT_DUE_WORKING_DAYS))
    server.add_url_rule("/inspection/evidence/<int:evidence_id>", "inspection_evidence", download_evidence)
    server.add_url_rule("/inspection/visit/<int:visit_id>/report.<fmt>", "inspection_report", download_report)
