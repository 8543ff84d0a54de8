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
from wording.targets import effective_text
from wording.dashboard import (STATUS_LABELS, format_value, indicator_name, margin_text, no_tier_reason, reason_text,
                               target_text, term_name, tier_name, unit_tier_name, NO_TIER_LABELS)

RANKING, BULLETIN = "ranking", "bulletin"
EXPORT_ROLES = frozenset({"county_leader", "inspector", "township_officer", "admin"})
LEVEL_DEPTH = {**LEVEL_DIGITS, "school": 10}  # schools sit inside townships, beside villages
UNIT_HEADINGS = {"county": N_("County"), "township": N_("Township"), "school": N_("School")}
UNIT_PLURALS = {"county": N_("counties"), "township": N_("townships"), "school": N_("schools")}
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


def _unit(u: UnitReport, policy: Policy | None) -> ExportUnit:
    figures = tuple(Figure(u.values[i.key].numerator, u.values[i.key].denominator, u.evaluations[i.key].value,
                           u.evaluations[i.key].status, _(STATUS_LABELS[u.evaluations[i.key].status]))
                    for i in INDICATORS)  # rates as published (the policy's precision): the numbers that were judged
    reasons = tuple(reason_text(r) for r in u.tier.reasons)
    if u.unreported:
        reasons += (_("Not reported in %(terms)s", terms="、".join(term_name(t) for t in u.unreported)),)
    return ExportUnit(u.rank, u.code, u.name, u.tier.tier, unit_tier_name(u, policy), u.tier.missed_targets,
                      u.last_place, reasons, figures, no_tier_reason(u, policy))


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
    return RankingData(title, labels, _columns(report), tuple(_unit(u, report.policy) for u in report.units))


def _tier_sections(report: Report, units: list[ExportUnit]) -> list[BulletinSection]:
    sections = []
    end = "。" if _lang_zh() else "."
    colon = "：" if _lang_zh() else ": "
    for tier in (4, 3, 2, 1) if report.policy is not None else ():
        members = [u for u in units if u.tier == tier]
        entries = tuple(BulletinEntry(f"{i}. {u.name}{colon}", "；".join(u.reasons) + end)
                        for i, u in enumerate(members, 1))
        sections.append(BulletinSection(_("%(tier)s (%(count)s)", tier=tier_name(tier), count=len(members)),
                                        () if entries else (_("None."),), entries))
    if report.policy is not None:
        members = [u.name for u in units if u.tier == 0]
        sections.append(BulletinSection(_("%(tier)s (%(count)s)", tier=tier_name(0), count=len(members)),
                                        (_join(members) + end if members else _("None."),)))
    for reason, note in (("not_reported", _("Had roster data before and none for this period (not reported).")),
                         ("no_data", _("No roster data for this period.")),
                         ("no_targets", _("No target policy is in force: no tier is given."))):
        members = [u.name for u in units if u.tier is None and u.no_tier == reason]
        if members:
            sections.append(BulletinSection(_("%(tier)s (%(count)s)", tier=_(NO_TIER_LABELS[reason]),
                                              count=len(members)), (_join(members) + end + " " + note,)))
    return sections


def bulletin_data(report: Report, area_name: str, day: dt.date) -> BulletinData:
    """The bulletin draft's content, worded in the current language."""
    units = [_unit(u, report.policy) for u in report.units]
    period, plural = term_name(report.term), _(UNIT_PLURALS.get(report.level, UNITS_PLURAL))
    counts = [(tier_name(t), report.tier_counts.get(t, 0)) for t in (4, 3, 2, 1)]
    if report.policy is not None:
        counts.append((tier_name(0), sum(1 for u in units if u.tier == 0)))
    else:
        counts = []
    for reason, label in NO_TIER_LABELS.items():
        n = sum(1 for u in units if u.tier is None and u.no_tier == reason)
        counts += [(_(label), n)] if n else []
    parts = _join([_("%(tier)s: %(count)s", tier=t, count=n) for t, n in counts])
    sections = _tier_sections(report, units)
    present = sorted({u.tier for u in units if u.tier}, reverse=True)
    actions = tuple(_(ACTIONS[t]) for t in present) + (
        _("All units keep the two-line responsibility system, keep the dropout ledgers up to date and make sure "
          "no school-age child drops out."),)
    sections.append(BulletinSection(_("Required actions"), actions))
    targets = tuple((c.name, c.target) for c in _columns(report) if c.target)
    sections.append(BulletinSection(_("Targets in force"), (_policy_line(report),),
                                    table=((_("Indicator"), _("Target")), *targets) if targets else ()))
    return BulletinData(
        heading=_("Notice on the dropout control work of %(area)s in %(period)s", area=area_name, period=period),
        draft_mark=_("Draft"), period_line=_("Period: %(period)s    Date: %(date)s", period=period, date=_day(day)),
        addressee=_(ADDRESSEES.get(report.level, ADDRESSEE_ANY)),
        intro=_("In line with the dropout control targets in force, the work of the %(units)s in %(period)s is "
                "notified as follows.", units=plural, period=period),
        summary=_("%(total)s %(units)s were assessed: %(parts)s.", total=len(units), units=plural, parts=parts),
        sections=tuple(BulletinSection(_numbered(i, s.heading), s.paragraphs, s.entries, s.table)
                       for i, s in enumerate(sections)),
        signature=(_("%(area)s Dropout Control Leading Group Office", area=area_name), _day(day)))


def export_file(session: Session, scope: Scope, kind: str, area: str, term: str, level: str | None = None,
                day: dt.date | None = None) -> tuple[bytes, str, str]:
    """Build a ranking workbook or bulletin draft: (bytes, file name, mimetype); CLI and routes share it."""
    report, area_name = export_report(session, scope, area, term, level if kind == RANKING else None)
    day = day or local_today()
    if kind == RANKING:
        data = ranking_data(report, area_name, day)
        return ranking_workbook(data), f"{data.title}.xlsx", XLSX_MIMETYPE
    bulletin = bulletin_data(report, area_name, day)
    return bulletin_document(bulletin), f"{bulletin.heading}.docx", DOCX_MIMETYPE


def content_disposition(filename: str, fallback: str) -> str:
    """An attachment header with an ASCII fallback name and the UTF-8 name (RFC 5987 / RFC 6266)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _download(kind: str) -> Response:
    if current_user.role not in EXPORT_ROLES:
        raise Forbidden()
    area = require_selection(request.args.get("area"))  # 403 outside the user's scope
    term = request.args.get("term", "")
    if len(area) != 12:
        return Response(_("Rankings compare areas or schools; pick an area."), 400, mimetype="text/plain")
    try:
        data, filename, mimetype = export_file(db(), current_scope(), kind, area, term)
    except ExportRefused as exc:
        return Response(str(exc), 400, mimetype="text/plain")
    with transaction() as session:
        audit.record(session, "export", kind, f"{area}:{term}")
    ext = "xlsx" if kind == RANKING else "docx"
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename, f"baoxue-{kind}-{area}-{term}.{ext}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def register_downloads(server: Flask) -> None:
    """Add the download routes (the before_request guard already requires a login)."""
    server.add_url_rule("/download/ranking.xlsx", "download_ranking", lambda: _download(RANKING))
    server.add_url_rule("/download/bulletin.docx", "download_bulletin", lambda: _download(BULLETIN))
