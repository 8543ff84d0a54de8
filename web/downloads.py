"""Ranking workbook and bulletin downloads: the worded export data (shared with the CLI) and the
authenticated, area-scoped Flask routes that send the files."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from babel.dates import format_date
from flask import Flask, Response, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from data_access import audit
from data_access.analytics.report import load_report, unit_level_below
from documents.exports import (DOCX_MIMETYPE, XLSX_MIMETYPE, BulletinData, BulletinEntry, BulletinSection,
                                 ExportUnit, Figure, IndicatorColumn, RankingData, RankingLabels, bulletin_document,
                                 ranking_workbook)
from data_access.documents.activity import period_activity, period_for
from data_access.documents.register import issuer_settings
from wording.common import red_head_text
from data_access.models import Area
from data_access.queries import term_codes
from data_access.scope import Scope
from domain.localtime import local_today
from domain.areas import LEVEL_DIGITS
from domain.dashboard.indicators import INDICATOR_BY_KEY, INDICATORS
from domain.dashboard.report import Policy, Report, UnitReport
from domain.terms import parse_term
from web.context import current_scope, db, require_selection, transaction
from wording.i18n import N_, current_language
from wording.statutes import STATE_COUNCIL_NOTICE
from wording.targets import effective_text
from wording.dashboard import (period_name, status_names, reason_sentence, format_value, indicator_name, margin_text, no_tier_reason, reason_text,
                               target_text, term_name, tier_name, unit_tier_name, NO_TIER_LABELS)

RANKING, BULLETIN = "ranking", "bulletin"
EXPORT_ROLES = frozenset({"county_leader", "inspector", "township_officer", "admin"})
LEVEL_DEPTH = {**LEVEL_DIGITS, "school": 10}  # schools sit inside townships, beside villages
UNIT_HEADINGS = {"county": N_("County"), "township": N_("Township"), "school": N_("School"), "village": N_("Village")}
UNIT_PLURALS = {"county": N_("counties"), "township": N_("townships"), "school": N_("schools"),
                "village": N_("villages")}
ADDRESSEES = {"county": N_("To the county governments and education bureaus:"),
              "township": N_("To the township governments and central schools:"), "school": N_("To all schools:")}
ACTIONS = {
    4: N_("Units under accountability: the responsible officials are dealt with according to the regulations "
          "(organisational measures)."),
    3: N_("Units admonished: their principal officials attend an admonition talk and submit a written "
          "rectification report within 10 working days."),
    2: N_("Notified units: draw up a rectification plan, rectify within the deadline and report the results in "
          "writing within 15 working days."),
    1: N_("Units on warning: find the causes, strengthen persuasion to return and monitoring, and keep the "
          "indicators from slipping."),
}
AREA_HEADING, UNITS_PLURAL, ADDRESSEE_ANY = N_("Area"), N_("units"), N_("To all units concerned:")
ZH_NUMERALS = "一二三四五六七八九十"


class ExportRefused(ValueError):
    """An export that cannot be made (bad term, area or level), with a readable message."""


def check_term(session: Session, term: str | None) -> str:
    """The term code if it is well formed and known; ExportRefused otherwise."""
    try:
        parse_term(term or "")
    except ValueError as exc:
        raise ExportRefused(_("The term %(term)s is not of the form YYYY-1 or YYYY-2.", term=term or "")) from exc
    if term not in term_codes(session):
        raise ExportRefused(_("There is no term %(term)s.", term=term))
    return term


def export_report(session: Session, scope: Scope, area: str, term: str, level: str | None = None
                  ) -> tuple[Report, str]:
    """The report an export shows (units of `level`, default the level below the area) and the area's name."""
    check_term(session, term)
    row = session.get(Area, area) if area else None
    if row is None:
        raise ExportRefused(_("There is no area %(area)s.", area=area or ""))
    level = level or unit_level_below(row.level)
    if LEVEL_DEPTH.get(level, 0) <= LEVEL_DEPTH[row.level]:
        raise ExportRefused(_("%(area)s has no units of that level to rank.", area=row.name))
    report = load_report(session, scope, area, level, term)
    if not report.units:
        raise ExportRefused(_("%(area)s has no units of that level to rank.", area=row.name))
    return report, row.name


def _lang_zh() -> bool:
    return current_language() == "zh"


def _join(items: list[str]) -> str:
    return ("、" if _lang_zh() else ", ").join(items)


def _numbered(index: int, text: str) -> str:
    return f"{ZH_NUMERALS[index]}、{text}" if _lang_zh() and index < len(ZH_NUMERALS) else f"{index + 1}. {text}"


def _day(day: dt.date) -> str:
    return format_date(day, "long", locale=current_language())


def _unit(u: UnitReport, policy: Policy | None, labels: dict[str, str]) -> ExportUnit:
    """A unit's row; `labels`: the status names in the user's language, looked up once per export."""
    figures = tuple(Figure(u.values[i.key].numerator, u.values[i.key].denominator, u.evaluations[i.key].value,
                           u.evaluations[i.key].status, labels[u.evaluations[i.key].status])
                    for i in INDICATORS)  # rates as published (the policy's precision): the numbers that were judged
    reasons = tuple(reason_text(r) for r in u.tier.reasons)
    if u.unreported:
        reasons += (_("Not reported in %(terms)s", terms="、".join(term_name(t) for t in u.unreported)),)
    return ExportUnit(u.rank, u.code, u.name, u.tier.tier, unit_tier_name(u, policy), u.tier.missed_targets,
                      u.last_place, reasons, figures, no_tier_reason(u, policy))


def _units(report: Report) -> tuple[ExportUnit, ...]:
    statuses = status_names()
    return tuple(_unit(u, report.policy, statuses) for u in report.units)


def _policy_line(report: Report) -> str:
    if report.policy is None:
        return _("No target policy is in force for this area: no tier is given.")
    margins = _join([f"{indicator_name(k)} {margin_text(t)}" for k, t in report.policy.targets.items()
                     if INDICATOR_BY_KEY[k].is_rate])
    return _("Targets in force: %(policy)s (rates judged as published, to %(precision)s decimals; warning margins: "
             "%(margins)s)", policy=_("%(name)s (%(since)s)", name=report.policy.name,
                                                           since=effective_text(report.policy.effective_from)),
             precision=report.policy.precision, margins=margins or "—")


def _columns(report: Report) -> tuple[IndicatorColumn, ...]:
    targets = report.policy.targets if report.policy else {}
    return tuple(IndicatorColumn(indicator_name(i.key), i.is_rate, target_text(targets[i.key]) if i.key in targets
                                 else "") for i in INDICATORS)


def ranking_data(report: Report, area_name: str, day: dt.date) -> RankingData:
    """The ranking workbook's content, worded in the current language."""
    period, unit = term_name(report.term), _(UNIT_HEADINGS.get(report.level, AREA_HEADING))
    labels = RankingLabels(
        sheet=_("Ranking"), details_sheet=_("Indicator figures"),
        info=_("Area: %(area)s    Period: %(period)s    Exported: %(date)s", area=area_name, period=period,
               date=_day(day)),
        policy=_policy_line(report), targets_row=_("Targets"), targets_table=_("Targets in force"),
        columns=(_("Rank"), unit, _("Code"), _("Tier"), _("Missed targets"), _("Last place")), reasons=_("Reasons"),
        details_columns=(_("Code"), unit, _("Indicator"), _("Numerator"), _("Denominator"), _("Value"), _("Target"),
                         _("Status")),
        last_marker=_("last place"), no_value=format_value("dropouts", None), footer=_("Page &P of &N"))
    title = _("%(area)s %(period)s dropout control ranking", area=area_name, period=period)
    return RankingData(title, labels, _columns(report), _units(report))


REQUIREMENTS = {  # tier → (what the units do, working days to report back)
    4: (N_("Units under accountability (%(names)s): the responsible officials are dealt with under the cadre "
           "management rules, and a written rectification report is due by %(date)s."), 10),
    3: (N_("Units admonished (%(names)s): their principal officials attend an admonition talk, and a written "
           "rectification report is due by %(date)s."), 10),
    2: (N_("Notified units (%(names)s): draw up a rectification plan, rectify within the deadline and report the "
           "results in writing by %(date)s."), 15),
    1: (N_("Units on warning (%(names)s): find the causes, strengthen persuasion to return and monitoring, and "
           "report the measures taken by %(date)s."), 20),
}
SUMMARY_RATES = ("primary_enrollment_rate", "junior_gross_enrollment_rate", "primary_dropout_rate",
                 "junior_dropout_rate", "consolidation_rate")


def _sub(index: int, text: str) -> str:
    return f"（{ZH_NUMERALS[index]}）{text}" if _lang_zh() and index < len(ZH_NUMERALS) else f"({index + 1}) {text}"


def _sentences(items: list[str]) -> str:
    """Sentences joined as a document writes them (；… 。)."""
    if not items:
        return ""
    return ("；" if _lang_zh() else "; ").join(items) + ("。" if _lang_zh() else ".")


def _county_rates(report: Report) -> list[str]:
    """The area's rates (numerators and denominators summed over its units) against the targets."""
    out = []
    targets = report.policy.targets if report.policy else {}
    for key in SUMMARY_RATES:
        num = sum(u.values[key].numerator or 0 for u in report.units if key in u.values)
        den = sum(u.values[key].denominator or 0 for u in report.units if key in u.values)
        if not den:
            continue
        value = format_value(key, 100.0 * num / den, report.policy.precision if report.policy else 2).replace(" ", "")
        if key in targets:
            out.append(_("%(name)s %(value)s (target %(target)s)", name=indicator_name(key), value=value,
                         target=target_text(targets[key]).replace(" ", "")))
        else:
            out.append(_("%(name)s %(value)s", name=indicator_name(key), value=value))
    return out


def _summary(report: Report, area_name: str, activity: object | None) -> tuple[str, ...]:
    c = [u.counts for u in report.units if u.has_data]
    primary, junior = sum(x.primary_enrolled for x in c), sum(x.junior_enrolled for x in c)
    rates = _join(_county_rates(report)) if not _lang_zh() else "，".join(_county_rates(report))
    first = _("%(area)s has %(pupils)s pupils in compulsory education (%(primary)s in primary and %(junior)s in "
              "junior secondary school).", area=area_name, pupils=primary + junior, primary=primary, junior=junior)
    if rates:
        first += ("" if _lang_zh() else " ") + _("In this period: %(rates)s.", rates=rates)
    dropouts = sum(x.dropouts for x in c)
    second = _("This period %(dropouts)s pupils were counted as dropouts.", dropouts=dropouts)
    if activity is not None:
        second = _("This period %(dropouts)s pupils were counted as dropouts and %(returned)s were brought back to "
                   "school; %(visits)s inspection visits were made and %(orders)s rectification orders issued, "
                   "%(on_time)s of them completed on time.", dropouts=dropouts, returned=activity.returned,
                   visits=activity.visits, orders=activity.orders, on_time=activity.closed_on_time)
    return first, second


def _entry_text(u: UnitReport, units: list[ExportUnit], plural: str) -> str:
    sentences = [reason_sentence(r) for r in u.tier.reasons]
    if u.last_place:
        sentences.append(_("it ranks last of the %(units)s (末位)", units=plural))
    if u.unreported:
        sentences.append(_("it did not report in %(terms)s", terms="、".join(term_name(t) for t in u.unreported)))
    return _sentences(sentences)


def _notified(report: Report, plural: str) -> list[BulletinSection]:
    """One subsection per tier that has units (no empty ones), each unit with its reasons as sentences."""
    subs: list[tuple[str, tuple[BulletinEntry, ...], tuple[str, ...]]] = []
    colon = "：" if _lang_zh() else ": "
    for tier in (4, 3, 2, 1) if report.policy is not None else ():
        members = [u for u in report.units if u.tier.tier == tier]
        if members:
            entries = tuple(BulletinEntry(f"{i}.{u.name}{colon}", _entry_text(u, [], plural))
                            for i, u in enumerate(members, 1))
            subs.append((_("Units at %(tier)s (%(count)s)", tier=tier_name(tier), count=len(members)), entries, ()))
    for reason, note in (("not_reported", _("had roster data before and reported none for this period")),
                         ("no_data", _("have no roster data for this period"))):
        members = [u.name for u in report.units if not u.graded and no_tier_reason(u, report.policy) == reason]
        if members:
            subs.append((_("%(tier)s (%(count)s)", tier=_(NO_TIER_LABELS[reason]), count=len(members)), (),
                         (_("%(names)s %(note)s.", names=_join(members), note=note),)))
    if not subs:
        return []
    out = []
    for i, (heading, entries, paragraphs) in enumerate(subs):
        out.append(BulletinSection(_sub(i, heading), paragraphs, entries))
    return out


def bulletin_data(report: Report, area_name: str, day: dt.date, settings: object | None = None,
                  activity: object | None = None, is_workday: object = None, period_label: str | None = None
                  ) -> BulletinData:
    """The bulletin's content as a 督导室 writes it, worded in the current language: summary, ranking table,
    units by tier with their reasons as sentences (no empty sections), commendations, requirements with
    calendar deadlines (working days counted on the calendar), signature, 主送 and 抄送 from the settings."""
    from domain.workdays import add_working_days, default_is_workday
    is_workday = is_workday or default_is_workday
    units = list(_units(report))
    period, plural = period_label or term_name(report.term), _(UNIT_PLURALS.get(report.level, UNITS_PLURAL))
    issuer = getattr(settings, "issuer", "") or _("%(area)s Education Inspection Office", area=area_name)
    sections: list[BulletinSection] = []
    sections.append(BulletinSection(_("Overall situation"), _summary(report, area_name, activity)))
    table_keys = ("primary_dropout_rate", "junior_dropout_rate", "consolidation_rate")
    header = (_("Rank"), _(UNIT_HEADINGS.get(report.level, AREA_HEADING)), _("Tier"),
              *(indicator_name(k) for k in table_keys))
    rows = tuple((str(u.rank) if u.rank else "—", u.name, unit_tier_name(u, report.policy),
                  *(format_value(k, u.evaluations[k].value, report.policy.precision if report.policy else 2)
                    .replace(" ", "") if k in u.evaluations else "—" for k in table_keys)) for u in report.units)
    sections.append(BulletinSection(_("Ranking of the units"), (_("The %(units)s rank as follows:", units=plural),),
                                    table=(header, *rows)))
    notified = _notified(report, plural)
    if notified:
        sections.append(BulletinSection(_("Units notified")))
        sections.extend(notified)
    good = [u.name for u in report.units if u.tier.tier == 0 and report.policy is not None and u.graded]
    if good:
        sections.append(BulletinSection(_("Commendation"), (_("%(names)s met every target in this period and are "
                                                              "commended.", names=_join(good)),)))
    if report.policy is None:
        sections.append(BulletinSection(_("Targets"), (_policy_line(report),)))
    requirements = []
    for tier in (4, 3, 2, 1):
        members = [u.name for u in report.units if u.tier.tier == tier]
        if members and report.policy is not None:
            text, days = REQUIREMENTS[tier]
            requirements.append(_(text, names=_join(members), date=_day(add_working_days(day, days, is_workday))))
    if requirements:
        requirements.append(_("Rectification reports are sent in writing to %(issuer)s with their supporting "
                              "evidence.", issuer=issuer))
    requirements.append(_("All units keep the two-line responsibility system, keep the dropout ledgers up to date "
                          "and make sure no school-age child drops out."))
    sections.append(BulletinSection(_("Requirements"), tuple(requirements)))
    numbered, n = [], 0
    for sec in sections:
        if sec.heading.startswith(("（", "(")):
            numbered.append(sec)
        else:
            numbered.append(BulletinSection(_numbered(n, sec.heading), sec.paragraphs, sec.entries, sec.table))
            n += 1
    contact = settings.contact_line() if settings is not None else ""
    return BulletinData(
        heading=_("%(issuer)s on the dropout control work of %(area)s in %(period)s", issuer=issuer,
                  area=area_name, period=period),
        draft_mark=_("Draft for comments"), period_line="",
        addressee=getattr(settings, "recipients", "") or _(ADDRESSEES.get(report.level, ADDRESSEE_ANY)),
        intro=_("To carry out %(basis)s and hold every level to its duty of keeping children in school, %(issuer)s "
                "assessed the dropout control work of the %(units)s of %(area)s in %(period)s. The results are "
                "notified as follows:", basis=STATE_COUNCIL_NOTICE, issuer=issuer, units=plural, area=area_name,
                period=period),
        summary="", sections=tuple(numbered), signature=(issuer, _day(day)), issuer=issuer, issued=day,
        cc=getattr(settings, "cc", ""), printer=issuer if getattr(settings, "cc", "") else "",
        contact=contact, red_head=red_head_text(settings))


def export_file(session: Session, scope: Scope, kind: str, area: str, term: str, level: str | None = None,
                day: dt.date | None = None, period: str | None = None) -> tuple[bytes, str, str]:
    """Build a ranking workbook or bulletin draft: (bytes, file name, mimetype); CLI and routes share it."""
    report, area_name = export_report(session, scope, area, term, level if kind == RANKING else None)
    day = day or local_today()
    if kind == RANKING:
        data = ranking_data(report, area_name, day)
        return ranking_workbook(data), f"{data.title}.xlsx", XLSX_MIMETYPE
    bulletin = bulletin_for(session, scope, area, term, day, period)
    return bulletin_document(bulletin), f"{bulletin.heading}.docx", DOCX_MIMETYPE


def bulletin_for(session: Session, scope: Scope, area: str, term: str, day: dt.date, period: str | None = None
                 ) -> BulletinData:
    """The bulletin of an area's units for a term, with the area's document settings; with `period` (a half of
    the term, or a month of it: issue 18.4) it is named for that period and counts the work done in it."""
    report, area_name = export_report(session, scope, area, term)
    if not period or period == term:
        return bulletin_data(report, area_name, day, issuer_settings(session, area),
                             period_activity(session, area, term))
    try:
        found = period_for(session, area, period)
    except ValueError as exc:
        raise ExportRefused(_("%(period)s is not a period of %(term)s.", period=period, term=term_name(term))) from exc
    if found.term != term:
        raise ExportRefused(_("%(period)s is not a period of %(term)s.", period=period, term=term_name(term)))
    return bulletin_data(report, area_name, day, issuer_settings(session, area),
                         period_activity(session, area, term, found.start, found.end), period_label=period_name(found))


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment header with an ASCII fallback name and the UTF-8 name (RFC 5987 / RFC 6266)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _download(kind: str, fmt: str = "") -> Response:
    if current_user.role not in EXPORT_ROLES:
        raise Forbidden()
    area = require_selection(request.args.get("area"))  # 403 outside the user's scope
    term = request.args.get("term", "")
    if len(area) != 12:
        return Response(_("Rankings compare areas or schools; pick an area."), 400, mimetype="text/plain")
    try:
        level = request.args.get("level") if kind == RANKING else None   # the units to rank (default: the level below)
        if level not in (None, "county", "township", "school", "village"):
            return Response(_("%(area)s has no units of that level to rank.", area=area), 400, mimetype="text/plain")
        period = (request.args.get("period") or None) if kind == BULLETIN else None   # issue 18.4: half-semester …
        data, filename, mimetype = export_file(db(), current_scope(), kind, area, term, level, period=period)
        if fmt == "pdf":  # the same draft as PDF, from the same layout
            from documents.exports import bulletin_layout
            from documents.pdf import PdfFontMissing, official_pdf
            try:
                data = official_pdf(bulletin_layout(bulletin_for(db(), current_scope(), area, term, local_today(),
                                                                 period)))
            except PdfFontMissing as exc:
                return Response(str(exc), 503, mimetype="text/plain")
            filename, mimetype = filename.rsplit(".", 1)[0] + ".pdf", "application/pdf"
    except ExportRefused as exc:
        return Response(str(exc), 400, mimetype="text/plain")
    with transaction() as session:
        audit.record(session, "export", kind, f"{area}:{term}")
    ext = "xlsx" if kind == RANKING else fmt or "docx"
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename, f"baoxue-{kind}-{area}-{term}.{ext}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def register_downloads(server: Flask) -> None:
    """Add the download routes (the before_request guard already requires a login)."""
    server.add_url_rule("/download/ranking.xlsx", "download_ranking", lambda: _download(RANKING))
    server.add_url_rule("/download/bulletin.docx", "download_bulletin", lambda: _download(BULLETIN))
    server.add_url_rule("/download/bulletin.pdf", "download_bulletin_pdf", lambda: _download(BULLETIN, "pdf"))
