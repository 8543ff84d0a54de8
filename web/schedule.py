"""Scheduled work (issue 18.6): the monthly report of the month just ended and the bulletin draft of the current
term for every county, kept once per period (a second run the same period makes nothing new) and placed in the
inbox of the county leaders and admins who issue them; then the e-mail digests, when SMTP is configured.
Run by `flask --app app run-schedule` (cron) or by Celery beat when BAOXUE_REDIS_URL is set (worker.py)."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from data_access import audit
from data_access.inbox.monthly import find_draft, monthly_report, save_draft
from data_access.models import Area
from data_access.scope import Scope
from domain.inbox.monthly import previous_month
from domain.localtime import local_today
from domain.terms import term_for_date

log = logging.getLogger(__name__)


@dataclass
class ScheduleRun:
    """What a run did: the drafts made now, the ones already there, the digests sent."""

    made: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    mailed: int = 0


def _bulletin_files(session, area: str, term: str, today: dt.date) -> tuple[str, bytes, bytes | None]:  # noqa: ANN001
    from documents.exports import bulletin_document, bulletin_layout
    from documents.pdf import PdfFontMissing, official_pdf
    from web.downloads import bulletin_for
    data = bulletin_for(session, Scope("admin", unrestricted=True), area, term, today)
    try:
        pdf = official_pdf(bulletin_layout(data))
    except PdfFontMissing:
        pdf = None
    return data.heading, bulletin_document(data), pdf


def run_schedule(today: dt.date | None = None, mail: bool = True) -> ScheduleRun:
    """Make the period's drafts of every county (once), then send the digests if SMTP is configured."""
    today = today or local_today()
    ext = current_app.extensions["baoxue"]
    run = ScheduleRun()
    month, term = previous_month(today), term_for_date(today).code
    with ext.session_factory() as s:
        counties = list(s.scalars(select(Area.code).where(Area.level == "county").order_by(Area.code)))
    with force_locale(current_app.config["LANGUAGE"]):
        for county in counties:
            for kind, period in (("monthly_report", month), ("bulletin", term)):
                label = f"{kind}:{county}:{period}"
                try:
                    _make(ext, run, county, kind, period, label, today)
                except IntegrityError:   # another run made it at the same moment: one draft
                    run.kept.append(label)
    if mail:
        from web.digest import send_digests
        run.mailed = send_digests(today)
    return run


def _make(ext, run: ScheduleRun, county: str, kind: str, period: str, label: str, today: dt.date) -> None:  # noqa: ANN001
    """Make one draft unless it exists."""
    from web.monthly_report import monthly_files, monthly_text
    with audit.acting_as(None, "schedule"), ext.session_factory() as s, s.begin():
        if find_draft(s, county, kind, period) is not None:
            run.kept.append(label)
            return
        try:
            if kind == "monthly_report":
                report = monthly_report(s, county, period, today)
                title = monthly_text(report).title
                docx, pdf = monthly_files(report)
                figures = report.figures()
            else:
                title, docx, pdf = _bulletin_files(s, county, period, today)
                figures = {}
        except Exception as exc:  # noqa: BLE001 - one county's missing data must not stop the others
            log.warning("schedule: %s not made: %s", label, exc)
            run.skipped.append(label)
            return
        draft, made = save_draft(s, county, kind, period, title, docx, pdf, figures)
        if made:
            audit.record(s, "create", "scheduled_draft", str(draft.id),
                         after={"kind": kind, "period": period}, area=county)
            run.made.append(label)
        else:
            run.kept.append(label)
