"""The county's monthly report worded in the configured language and made into .docx/PDF (documents.monthly_report);
the /reports/drafts/<id>.<fmt> download of the drafts the schedule made; issuing a monthly report through the
发文字号 register (only then is it numbered)."""
from __future__ import annotations

import dataclasses
import datetime as dt

from flask import Flask, Response, abort, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from data_access import audit
from data_access.documents.register import issue, issuer_settings
from data_access.inbox.monthly import draft_file, monthly_report
from documents.monthly_report import MonthlyText, monthly_docx, monthly_pdf
from documents.official import cn_date
from documents.pdf import PdfFontMissing
from domain.inbox.monthly import CentralNotice, MonthlyReport, month_bounds
from web.context import current_scope, db, transaction
from web.issued import file_response
from wording.common import red_head_text
from wording.inbox import report_state_name

ISSUER_ROLES = ("county_leader", "admin")


def _n(value: int | None) -> str:
    return "—" if value is None else str(value)


def monthly_text(report: MonthlyReport, number: str = "", draft: bool = True, addressee: str = "",
                 red_head: str = "") -> MonthlyText:
    """The report in words: the month's figures, the units' reports and the ones missing."""
    first, last = month_bounds(report.month)
    year, month = first.year, first.month
    change = (_("no earlier monthly report to compare with") if report.change is None
              else _("a change of %(n)+d since the last monthly report", n=report.change))
    figures = (
        _("At the end of %(year)s-%(month)s the county counts %(enrolled)s pupils in compulsory education (%(change)s) "
          "and %(dropouts)s dropouts this term.", year=year, month=month, enrolled=report.enrolled, change=change,
          dropouts=report.dropouts),
        _("In the month %(new)s dropout cases were found and %(returned)s children returned to school; "
          "%(open)s cases are still open.", new=report.new_cases, returned=report.returned, open=report.cases_open),
        _("Inspection teams made %(visits)s visits; %(issued)s rectification orders were issued and %(open)s "
          "orders are not yet closed.", visits=report.inspections, issued=report.orders_issued,
          open=report.orders_open),
    )
    reports = (_("%(sent)s of %(total)s units have sent their report for the month; %(missing)s are missing.",
                 sent=report.sent, total=len(report.lines), missing=report.missing),)
    rows = tuple((line.duty_name, line.township_name, line.unit_name, report_state_name(line.state),
                  cn_date(line.sent_on) if line.sent_on else "—") for line in report.lines)
    return MonthlyText(
        title=_("%(county)s monthly report on dropout control (%(year)s-%(month)s)", county=report.county_name,
                year=year, month=month),
        subtitle=_("%(first)s to %(last)s", first=cn_date(first), last=cn_date(last)),
        addressee=addressee,
        sections=((_("1. The month's figures"), figures), (_("2. The units' reports"), reports)),
        table_header=(_("Report"), _("Township"), _("Unit"), _("State"), _("Sent on")), table_rows=rows,
        issuer=report.issuer, day=report.day, number=number, mark=_("Draft") if draft else "", red_head=red_head)


def monthly_files(report: MonthlyReport, number: str = "", draft: bool = True, addressee: str = "",
                  red_head: str = "") -> tuple[bytes, bytes | None]:
    """The .docx and the PDF (None without a CJK font on the server)."""
    text = monthly_text(report, number, draft, addressee, red_head)
    try:
        pdf = monthly_pdf(text)
    except PdfFontMissing:
        pdf = None
    return monthly_docx(text), pdf


def issue_monthly(session: Session, county: str, month: str, today: dt.date, user_id: int | None,
                  user_name: str) -> object:
    """Issue the county's report for a month: numbered in the register (once; issuing again gives it back)."""
    report = monthly_report(session, county, month, today)
    settings = issuer_settings(session, county)
    title = monthly_text(report).title

    def build(number: str) -> tuple[bytes, bytes | None]:
        return monthly_files(dataclasses.replace(report, number=number, draft=False), number, False,
                             settings.recipients, red_head_text(settings))
    return issue(session, area_code=county, issuer=settings.issuer, abbreviation=settings.abbreviation,
                 kind="monthly_report", subject=f"monthly_report:{county}:{month}",
                 version=f"monthly_report:{county}:{month}", title=title, issued_on=today, user_id=user_id,
                 user_name=user_name, build=build)


def download_draft(draft_id: int, fmt: str) -> Response:
    """A scheduled draft for the county leaders and admins whose area covers its county (403 otherwise)."""
    if not current_user.is_authenticated:
        abort(401)
    if fmt not in ("docx", "pdf"):
        abort(404)
    if current_user.role not in ISSUER_ROLES:
        abort(403)
    found = draft_file(db(), current_scope(), draft_id, fmt)
    if found is None:
        abort(403)
    draft, body = found
    with transaction() as s:
        audit.record(s, "download", "scheduled_draft", str(draft_id), after={"file": fmt}, area=draft.county_code)
    return file_response(body, fmt, f"draft-{draft_id}", draft.title)


def download_monthly(fmt: str) -> Response:
    """Last month's (or ?month=) report of a county the county leader or admin covers, made now, as a draft."""
    from data_access.inbox.monthly import issuer_counties
    from domain.inbox.monthly import previous_month
    from domain.localtime import local_today
    if not current_user.is_authenticated:
        abort(401)
    if fmt not in ("docx", "pdf"):
        abort(404)
    if current_user.role not in ISSUER_ROLES:
        abort(403)
    county = request.args.get("county", "")
    counties = dict(issuer_counties(db(), current_scope()))
    if county not in counties:
        abort(403)
    today = local_today()
    month = request.args.get("month") or previous_month(today)
    try:
        month_bounds(month)
    except ValueError:
        abort(400)
    text = monthly_text(monthly_report(db(), county, month, today))
    return _send(text, fmt, "monthly_report", f"{county}:{month}", f"monthly-report-{month}", county)


def _send(text: MonthlyText, fmt: str, entity: str, key: str, name: str, area: str | None = None) -> Response:
    """The document as .docx or PDF (503 without a CJK font for the PDF), its download audit-logged."""
    if fmt == "pdf":
        try:
            body = monthly_pdf(text)
        except PdfFontMissing:
            return Response(_("No Chinese font on the server: download the .docx."), 503, mimetype="text/plain")
    else:
        body = monthly_docx(text)
    with transaction() as s:
        audit.record(s, "export", entity, key, after={"file": fmt}, area=area)
    return file_response(body, fmt, name, text.title)


def central_text(notice: CentralNotice, mark: bool = True) -> MonthlyText:
    """A central school's monthly notice in words: totals, its teaching points and classes, what to follow up."""
    first, last = month_bounds(notice.month)
    enrolled, dropouts = sum(r.enrolled for r in notice.rows), sum(r.dropouts for r in notice.rows)
    points = sum(1 for r in notice.rows if r.kind == "point")
    summary = (_("In %(year)s-%(month)s the school and its %(points)s teaching points count %(enrolled)s pupils and "
                 "%(dropouts)s dropouts on the term's roster; %(open)s cases are open, %(new)s were found and "
                 "%(returned)s children returned in the month.", year=first.year, month=first.month, points=points,
                 enrolled=enrolled, dropouts=dropouts, open=sum(r.cases_open for r in notice.rows),
                 new=sum(r.new_cases for r in notice.rows), returned=sum(r.returned for r in notice.rows)),)
    worst = notice.worst()
    follow = ((_("%(names)s have dropouts or open cases: their teachers follow up every child and report back "
                 "before the next notice.", names="、".join(r.name for r in worst)),) if worst else
              (_("No teaching point or class has a dropout or an open case this month."),))
    kinds = {"point": _("Teaching point"), "class": _("Class")}
    rows = tuple((kinds[r.kind], r.name, str(r.enrolled), str(r.dropouts), str(r.cases_open), str(r.new_cases),
                  str(r.returned)) for r in notice.rows)
    return MonthlyText(
        title=_("%(school)s notice on dropout control in its teaching points and classes (%(year)s-%(month)s)",
                school=notice.school_name, year=first.year, month=first.month),
        subtitle=_("%(first)s to %(last)s", first=cn_date(first), last=cn_date(last)),
        addressee=_("All teaching points and classes:"),
        sections=((_("1. Overall situation"), summary), (_("2. What to follow up"), follow),
                  (_("3. Teaching points and classes"), ())),
        table_header=(_("Kind"), _("Teaching point or class"), _("Pupils"), _("Dropouts"), _("Cases open"), _("Found in the month"),
                      _("Returned in the month")), table_rows=rows,
        issuer=notice.school_name, day=notice.day, mark=_("Draft") if mark else "", page_numbers="centre")


def download_central(fmt: str) -> Response:
    """A central school's monthly notice for its staff and the township, county leaders and admins above it."""
    from data_access.documents.central import central_notice, central_schools
    from domain.localtime import local_today
    if not current_user.is_authenticated:
        abort(401)
    if fmt not in ("docx", "pdf"):
        abort(404)
    if current_user.role not in ("school_staff", "township_officer", "county_leader", "admin"):
        abort(403)
    try:
        school_id = int(request.args.get("school", ""))
        month = request.args.get("month", "")
        month_bounds(month)
    except ValueError:
        abort(400)
    if school_id not in dict(central_schools(db(), current_scope())):
        abort(403)
    text = central_text(central_notice(db(), school_id, month, local_today()))
    return _send(text, fmt, "central_notice", f"{school_id}:{month}", f"central-notice-{month}")


def register_draft_routes(server: Flask) -> None:
    """/reports/drafts/<id>.docx|.pdf and /reports/monthly.docx|.pdf (behind the login guard; scoped by county)."""
    server.add_url_rule("/reports/monthly.<fmt>", "monthly_report", download_monthly)
    server.add_url_rule("/reports/central.<fmt>", "central_notice", download_central)
    server.add_url_rule("/reports/drafts/<int:draft_id>.<fmt>", "scheduled_draft", download_draft)
