"""Reporting duties (issue 18.2): the duties a county sets, the reports its schools and townships send with the
figures Baoxue fills in, who is late or missing, and the missed reports the tiers count (未报送, domain.md §5)."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (DateTime, Integer, Row, String, and_, case, cast, exists, func, literal, or_, select, true,
                        union_all)
from sqlalchemy.orm import Session

from data_access.calendar import teaching_spans, teaching_spans_of
from data_access.imports.bulk import local_setting
from data_access.json_rows import json_rows
from data_access.memo import memo
from data_access.models import (Area, DropoutCase, DutyReport, InspectionVisit, RectificationOrder, ReportingDuty,
                                School, Team, TeamMember, UnitCounts, User, Zone, ZoneTownship)
from data_access.scope import Scope, area_filter, code_prefix_sql
from domain.areas import code_prefix, code_range, county_of
from domain.dashboard.report import UnitExtras
from domain.inbox.duties import DutyPeriod, DutySpec, check_duty, periods, report_state
from domain.localtime import local_date, local_today, utc_start_of
from domain.schooldays import default_teaching_span
from domain.terms import parse_term, term_for_date

LOOK_BACK_DAYS = 200     # the board and the inbox look this far back for missing reports
LOOK_AHEAD_DAYS = 45     # … and this far ahead for the ones to come


class DutyRefused(ValueError):
    """A duty or report that cannot be saved: `code` names why, `fields` the settings at fault."""

    def __init__(self, code: str, fields: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields or []


@dataclass(frozen=True)
class ReportRow:
    """One unit's report for one period of a duty, as the board and the inbox show it."""

    duty_id: int
    duty_name: str
    reporter: str
    period: DutyPeriod
    unit_code: str
    unit_name: str
    township_code: str
    state: str                       # on_time | late | missing | due | open (domain.inbox.duties.report_state)
    submitted_on: dt.date | None = None
    submitted_by: str = ""


# what _spec and _unit_periods read of a duty, for reads of many duties as columns
_DUTY_COLUMNS = (ReportingDuty.id, ReportingDuty.county_code, ReportingDuty.name, ReportingDuty.reporter,
                 ReportingDuty.cadence, ReportingDuty.due_days, ReportingDuty.due_month_day, ReportingDuty.since)


def _spec(duty: ReportingDuty | Row) -> DutySpec:
    return DutySpec(duty.id, duty.name, duty.reporter, duty.cadence, duty.due_days, duty.due_month_day)


def set_duty(session: Session, county: str, name: str, reporter: str, cadence: str, due_days: int = 0,
             due_month_day: str | None = None, active: bool = True, since: dt.date | None = None) -> ReportingDuty:
    """Create a county's duty, or change the one of the same name (the audit log keeps the change). Reports are
    asked for periods due from `since` on (default: a new duty from today, a changed one as it was)."""
    area = session.get(Area, county)
    if area is None or area.level != "county":
        raise DutyRefused("unknown_county", ["county"])
    problems = check_duty(DutySpec(0, name, reporter, cadence, due_days, due_month_day))
    if problems:
        raise DutyRefused("invalid", problems)
    duty = session.scalar(select(ReportingDuty).where(ReportingDuty.county_code == county,
                                                      ReportingDuty.name == name.strip()))
    if duty is None:
        duty = ReportingDuty(county_code=county, name=name.strip())
        session.add(duty)
    duty.reporter, duty.cadence, duty.due_days = reporter, cadence, due_days
    duty.due_month_day, duty.active = due_month_day if cadence == "yearly" else None, active
    if since is not None or duty.since is None:
        duty.since = since or local_today()
    session.flush()
    return duty


def _teaching(session: Session, county: str, first: dt.date, last: dt.date,
              own: dict[str, tuple[dt.date, dt.date]] | None = None) -> dict[str, tuple[dt.date, dt.date]]:
    """The county's teaching periods (its own — `own` when already read — else the defaults) of the terms around a
    window."""
    own = teaching_spans(session, county) if own is None else own
    out = {}
    term = term_for_date(first - dt.timedelta(days=200))
    while term.start <= last:
        out[term.code] = own.get(term.code) or default_teaching_span(term)
        term = parse_term(f"{term.year}-2") if term.semester == 1 else parse_term(f"{term.year + 1}-1")
    return out


TEAM_PREFIX = "team"       # a team's unit code in reports: team<id> (schools have 10 digits, areas 12)


def team_code(team_id: int) -> str:
    """The unit code of an inspection team in reports."""
    return f"{TEAM_PREFIX}{team_id}"


def _team_rows(session: Session, counties: Iterable[str]) -> dict[str, list[tuple[int, str, int]]]:
    """(team id, name, zone id) of the inspection teams of each county, read at once."""
    out: dict[str, list[tuple[int, str, int]]] = {}
    for team, name, zone, county in session.execute(
            select(Team.id, Team.name, Zone.id, Zone.county_code).join(Zone, Zone.id == Team.zone_id)
            .where(Zone.county_code.in_(sorted(set(counties)))).order_by(Team.id)):
        out.setdefault(county, []).append((team, name, zone))
    return out


def _teams(session: Session, scope: Scope, county: str, rows: list[tuple[int, str, int]] | None = None
           ) -> list[tuple[str, str, str]]:
    """(code, name, county) of the county's inspection teams (`rows` of _team_rows when already read): all of them
    for those who oversee the county, an inspector's own zone's team (the scope of an inspector is their team's
    zone)."""
    if scope.school_id is not None:
        return []
    if rows is None:
        rows = _team_rows(session, [county]).get(county, [])
    if scope.unrestricted or scope.covers_area(county):
        return [(team_code(t), n, county) for t, n, _z in rows]
    if scope.role != "inspector":
        return []
    towns = dict(session.execute(select(ZoneTownship.township_code, ZoneTownship.zone_id)
                                 .where(ZoneTownship.zone_id.in_([z for *_x, z in rows]))).all())
    return [(team_code(t), n, county) for t, n, z in rows
            if any(zone == z and scope.covers_area(code) for code, zone in towns.items())]


def _units(session: Session, scope: Scope, reporter: str, county: str) -> list[tuple[str, str, str]]:
    """(code, name, township) of the reporting units of a duty in the user's scope (a team's "township" is its
    county)."""
    lo, hi = code_range(county, "county")
    if reporter == "team":
        return _teams(session, scope, county)
    if reporter == "school":
        rows = session.execute(select(School.id, School.code, School.name, School.township_code)
                               .where(School.township_code.between(lo, hi)).order_by(School.code)).all()
        if scope.school_id is not None:
            return [(c, n, t) for i, c, n, t in rows if i == scope.school_id]
        return [(c, n, t) for _i, c, n, t in rows if scope.covers_area(t)]
    if scope.school_id is not None:
        return []
    rows = session.execute(select(Area.code, Area.name).where(Area.level == "township", Area.code.between(lo, hi))
                           .order_by(Area.code)).all()
    return [(c, n, c) for c, n in rows if scope.covers_area(c)]


def _counties(session: Session, scope: Scope) -> list[str]:
    counties = session.scalars(select(ReportingDuty.county_code).where(ReportingDuty.active.is_(True)).distinct())
    if scope.unrestricted:
        return list(counties)
    if scope.school_id is not None:
        township = session.scalar(select(School.township_code).where(School.id == scope.school_id))
        return [c for c in counties if township and county_of(township) == c]
    return [c for c in counties if any(county_of(a) == c or scope.covers_area(c) for a, _lvl in scope.areas)]


def team_leader_of(session: Session, user_id: int | None, unit_code: str) -> bool:
    """True when the user leads (组长) the team of this unit code."""
    if user_id is None or not unit_code.startswith(TEAM_PREFIX) or not unit_code[len(TEAM_PREFIX):].isdigit():
        return False
    return session.scalar(select(TeamMember.user_id).where(
        TeamMember.team_id == int(unit_code[len(TEAM_PREFIX):]), TeamMember.user_id == user_id,
        TeamMember.role == "leader")) is not None


def _sent(session: Session, duty_id: int) -> dict[tuple[str, str], tuple[dt.date, int | None]]:
    """The duty's reports sent: (period, unit) → (day sent in the counties' time, sender's user id); columns, not
    objects (the board runs inside every report of schools and townships)."""
    return _sent_many(session, [duty_id]).get(duty_id, {})


def _sent_many(session: Session, duty_ids: list[int]
               ) -> dict[int, dict[tuple[str, str], tuple[dt.date, int | None]]]:
    """_sent of several duties, read together."""
    out: dict[int, dict[tuple[str, str], tuple[dt.date, int | None]]] = {}
    for i in range(0, len(duty_ids), 900):
        for duty, key, unit, at, by in session.execute(
                select(DutyReport.duty_id, DutyReport.period_key, DutyReport.unit_code, DutyReport.submitted_at,
                       DutyReport.submitted_by).where(DutyReport.duty_id.in_(duty_ids[i:i + 900]))):
            out.setdefault(duty, {})[(key, unit)] = (local_date(at), by)
    return out


def _unit_periods(duty: ReportingDuty | Row, codes: list[str], sent: dict, first: dt.date, last: dt.date,
                  teaching: dict, today: dt.date) -> Iterator[tuple[DutyPeriod, str, dt.date | None, str]]:
    """(period, unit, day sent, state) of every unit × every period of the duty begun by today in the window."""
    for period in periods(_spec(duty), max(first, duty.since), last, teaching):
        if period.start > today:
            continue
        for code in codes:
            day = sent.get((period.key, code), (None, None))[0]
            yield period, code, day, report_state(period, day, today)


def board(session: Session, scope: Scope, today: dt.date, first: dt.date | None = None,
          last: dt.date | None = None) -> list[ReportRow]:
    """Every reporting unit in the user's scope × every period of its duties with a deadline in the window."""
    first = first or today - dt.timedelta(days=LOOK_BACK_DAYS)
    last = last or today + dt.timedelta(days=LOOK_AHEAD_DAYS)
    rows: list[ReportRow] = []
    users: dict[int, str] = {}      # the senders' names, read for the reports found (board runs inside every report)
    for county in _counties(session, scope):
        teaching = _teaching(session, county, first, last)
        for duty in session.scalars(select(ReportingDuty).where(ReportingDuty.county_code == county,
                                                                ReportingDuty.active.is_(True))
                                    .order_by(ReportingDuty.id)):
            units = {code: (name, township) for code, name, township in _units(session, scope, duty.reporter, county)}
            if not units:
                continue
            sent = _sent(session, duty.id)
            senders = {by for _day, by in sent.values() if by is not None} - users.keys()
            if senders:
                users.update(session.execute(select(User.id, User.display_name).where(User.id.in_(senders))).all())
            for period, code, day, state in _unit_periods(duty, list(units), sent, first, last, teaching, today):
                by = sent[(period.key, code)][1] if day else None
                rows.append(ReportRow(duty.id, duty.name, duty.reporter, period, code, *units[code], state, day,
                                      users.get(by, "") if day else ""))
    return rows


def counts_by_county(session: Session, scope: Scope, today: dt.date, names: Mapping[str, str]
                     ) -> list[tuple[str, str, dict[str, int]]]:
    """(county code, its name, reports per state) of the board of an area spanning counties, by county code: the
    states board() gives every unit × period, counted without making its rows (a province's 12,458 schools × their
    periods took ~1.5 s as rows). The units are read at once for all counties, the reports sent too; a unit not
    sent for a period counts in the period's own state (missing, due or open)."""
    first, last = today - dt.timedelta(days=LOOK_BACK_DAYS), today + dt.timedelta(days=LOOK_AHEAD_DAYS)
    counties = _counties(session, scope)
    D = ReportingDuty                             # its columns, not objects (560 duties in a province)
    duties = session.execute(select(D.id, D.county_code, D.name, D.reporter, D.cadence, D.due_days, D.due_month_day,
                                    D.since).where(D.county_code.in_(counties), D.active.is_(True))
                             .order_by(D.county_code, D.id)).all()
    units: dict[tuple[str, str], int] = {}               # (county, reporter) → how many units in scope send
    if scope.school_id is None and duties:
        for reporter, col, where in (("school", School.township_code, true()), ("township", Area.code,
                                                                                Area.level == "township")):
            prefix = code_prefix_sql(col, "county")
            for county, n in session.execute(select(prefix, func.count()).where(where, area_filter(scope, col))
                                             .group_by(prefix)):
                units[(county_of(county), reporter)] = n
    with_duties = {d.county_code for d in duties}
    own = teaching_spans_of(session, with_duties)                 # the counties' own teaching periods, read at once
    teaching = {county: _teaching(session, county, first, last, own.get(county, {})) for county in with_duties}
    worked: dict[tuple, list[DutyPeriod]] = {}    # a duty's periods follow from its cadence, deadline and calendar
    begun: dict[int, list[DutyPeriod]] = {}
    for d in duties:
        key = (d.cadence, d.due_days, d.due_month_day, max(first, d.since), tuple(sorted(teaching[d.county_code].items())))
        if key not in worked:
            worked[key] = [p for p in periods(_spec(d), max(first, d.since), last, teaching[d.county_code])
                           if p.start <= today]
        begun[d.id] = worked[key]
    size: dict[int, int] = {}                     # duty → how many units in scope send it
    team_counties: dict[str, str] = {}            # team code in scope → its county
    team_rows = _team_rows(session, {d.county_code for d in duties if d.reporter == "team"})
    for duty in duties:
        if duty.reporter == "team":
            codes = {code for code, _n, _c in _teams(session, scope, duty.county_code,
                                                     team_rows.get(duty.county_code, []))}
            team_counties.update(dict.fromkeys(codes, duty.county_code))
            size[duty.id] = len(codes)
        else:
            size[duty.id] = units.get((duty.county_code, duty.reporter), 0)
    sent = _sent_counts(session, scope, [(d, p) for d in duties if size[d.id] for p in begun[d.id]],
                        team_counties)
    counts: dict[str, dict[str, int]] = {}
    for duty in duties:
        if not size[duty.id]:
            continue
        by_state = counts.setdefault(duty.county_code, {})
        for period in begun[duty.id]:
            total, on_time = sent.get((duty.id, period.key), (0, 0))
            for state, n in (("on_time", on_time), ("late", total - on_time),
                             (report_state(period, None, today), size[duty.id] - total)):
                if n:
                    by_state[state] = by_state.get(state, 0) + n
    return [(code, names.get(code, code), n) for code, n in sorted(counts.items())]


def _sent_counts(session: Session, scope: Scope, due: list[tuple[Any, DutyPeriod]], team_counties: dict[str, str]
                 ) -> dict[tuple[int, str], tuple[int, int]]:
    """(duty, period key) → (reports sent by units in scope, those on time) of the `due` (duty row, period) pairs,
    counted in SQL: a report is on time when sent before the start of the local day after the deadline
    (report_state's rule, domain.localtime.utc_start_of). The periods and their cutoffs go to SQL as one JSON
    parameter (a province: ~1,800 duty periods, 78,000 reports that were read and compared one by one, ~0.3 s)."""
    if not due:
        return {}
    R = DutyReport
    cutoffs: dict[dt.date, dt.datetime] = {}     # many duty periods share a deadline
    for _d, p in due:
        if p.deadline not in cutoffs:
            cutoffs[p.deadline] = utc_start_of(p.deadline + dt.timedelta(days=1))
    cut = json_rows(session, "cutoff", [(d.id, p.key, cutoffs[p.deadline], d.reporter,
                                         code_prefix(d.county_code, "county")) for d, p in due],
                    {"duty": Integer(), "period": String(), "cutoff": DateTime(), "reporter": String(),
                     "county": String()})
    teams = json_rows(session, "teams", [(code, code_prefix(county, "county"))
                                         for code, county in sorted(team_counties.items())],
                      {"code": String(), "county": String()})
    on_time = func.coalesce(func.sum(case((R.submitted_at < cut.c.cutoff, 1), else_=0)), 0)
    of_period = and_(R.duty_id == cut.c.duty, R.period_key == cut.c.period)
    if session.get_bind().dialect.name == "postgresql":
        # the units in scope (code, county, kind) as one table joined by hash to the periods' reports, in the
        # order written (checked per report in a subplan behind an OR, ~150 ms for 78,000 reports; planned freely
        # from the JSON's guessed 100 rows, every unit × period was probed, ~210 ms; as written 85 ms, and 74 ms with
        # the 78,000 reports sorted in memory rather than on disk)
        units = union_all(
            select(School.code, code_prefix_sql(School.township_code, "county").label("county"),
                   literal("school").label("kind"))
            .where(area_filter(scope, School.township_code)),
            select(Area.code, code_prefix_sql(Area.code, "county"), literal("township"))
            .where(Area.level == "township", area_filter(scope, Area.code)),
            select(teams.c.code, teams.c.county, literal("team"))).subquery("units")
        stmt = (select(R.duty_id, R.period_key, func.count(), on_time).join(cut, of_period)
                .join(units, and_(units.c.code == R.unit_code, units.c.county == cut.c.county,
                                  units.c.kind == cut.c.reporter)).group_by(R.duty_id, R.period_key))
        with local_setting(session, "join_collapse_limit", "1"), local_setting(session, "work_mem", "16MB"):
            return {(duty, key): (int(n), int(ok)) for duty, key, n, ok in session.execute(stmt)}
    # SQLite: each report's unit looked up by its index, and each period's reports counted in place (grouping the
    # joined reports sorted 78,000 of them into a B-tree, ~30 ms of 90); both counts in one text value ("sent
    # on_time") so that they are read in one pass
    school = exists().where(School.code == R.unit_code, area_filter(scope, School.township_code),
                            code_prefix_sql(School.township_code, "county") == cut.c.county).correlate(R, cut)
    township = exists().where(Area.code == R.unit_code, Area.level == "township", area_filter(scope, Area.code),
                              code_prefix_sql(Area.code, "county") == cut.c.county).correlate(R, cut)
    team = exists().where(teams.c.code == R.unit_code, teams.c.county == cut.c.county).correlate(R, cut)
    in_scope = or_(and_(cut.c.reporter == "school", school), and_(cut.c.reporter == "township", township),
                   and_(cut.c.reporter == "team", team))
    both = (select(cast(func.count(), String) + " " + cast(on_time, String)).where(of_period, in_scope)
            .correlate(cut).scalar_subquery())
    out = {}
    for duty, key, pair in session.execute(select(cut.c.duty, cut.c.period, both)):
        n, ok = pair.split()
        if n != "0":
            out[(duty, key)] = (int(n), int(ok))
    return out


def report_figures(session: Session, unit_code: str, duty_id: int, today: dt.date) -> dict[str, int | None]:
    """What Baoxue fills into a report: pupils enrolled and dropouts of the current term, the change in pupils
    since the unit's last report of this duty, the cases open and the children returned this term."""
    term = term_for_date(today).code
    if unit_code.startswith(TEAM_PREFIX):
        return _team_figures(session, unit_code, today)
    level = "school" if len(unit_code) == 10 else "township"
    row = session.execute(select(UnitCounts.enrolled, UnitCounts.dropouts).where(
        UnitCounts.term_code == term, UnitCounts.level == level, UnitCounts.unit_code == unit_code)).first()
    enrolled, dropouts = (int(row[0] or 0), int(row[1] or 0)) if row else (None, None)
    cases = select(func.count(DropoutCase.id))
    if level == "school":
        cases = cases.join(School, School.id == DropoutCase.school_id).where(School.code == unit_code)
    else:
        cases = cases.where(DropoutCase.township_code == unit_code)
    start = parse_term(term).start
    last = session.scalar(select(DutyReport.figures_json).where(DutyReport.duty_id == duty_id,
                                                                DutyReport.unit_code == unit_code)
                          .order_by(DutyReport.submitted_at.desc()).limit(1))
    before = json.loads(last).get("enrolled") if last else None
    return {"enrolled": enrolled, "dropouts": dropouts,
            "change": None if enrolled is None or before is None else enrolled - before,
            "cases_open": session.scalar(cases.where(DropoutCase.status == "open")) or 0,
            "returned": session.scalar(cases.where(DropoutCase.outcome == "returned",
                                                   DropoutCase.outcome_date >= start)) or 0}


def _team_figures(session: Session, unit_code: str, today: dt.date) -> dict[str, int | None]:
    """What Baoxue fills into a team's report: its visits this month and this term, its findings and the
    rectification orders open in its zone."""
    team_id = int(unit_code[len(TEAM_PREFIX):])
    start = parse_term(term_for_date(today).code).start
    visits = select(func.count(InspectionVisit.id)).where(InspectionVisit.team_id == team_id)
    towns = select(ZoneTownship.township_code).join(Team, Team.zone_id == ZoneTownship.zone_id).where(
        Team.id == team_id)
    return {"visits_month": session.scalar(visits.where(InspectionVisit.visit_date >= today.replace(day=1))) or 0,
            "visits_term": session.scalar(visits.where(InspectionVisit.visit_date >= start)) or 0,
            "visits_unsigned": session.scalar(visits.where(InspectionVisit.status == "draft")) or 0,
            "orders_open": session.scalar(select(func.count(RectificationOrder.id)).where(
                RectificationOrder.township_code.in_(towns), RectificationOrder.status != "closed")) or 0}


def submit_report(session: Session, scope: Scope, role: str, user_id: int | None, duty_id: int, period_key: str,
                  unit_code: str, notes: str, today: dt.date) -> DutyReport:
    """Send a unit's report for a period that has begun (once; the unit's own staff only)."""
    duty = session.get(ReportingDuty, duty_id)
    if duty is None or not duty.active:
        raise DutyRefused("unknown_duty")
    if (duty.reporter, role) not in (("school", "school_staff"), ("township", "township_officer"),
                                     ("team", "inspector")):
        raise DutyRefused("not_allowed")
    if duty.reporter == "team" and not team_leader_of(session, user_id, unit_code):
        raise DutyRefused("not_allowed")          # a team's report is sent by its leader (组长)
    unit = next((u for u in _units(session, scope, duty.reporter, duty.county_code) if u[0] == unit_code), None)
    if unit is None:
        raise DutyRefused("not_allowed")
    first, last = today - dt.timedelta(days=LOOK_BACK_DAYS * 2), today + dt.timedelta(days=LOOK_AHEAD_DAYS)
    period = next((p for p in periods(_spec(duty), first, last, _teaching(session, duty.county_code, first, last))
                   if p.key == period_key), None)
    if period is None or period.start > today:
        raise DutyRefused("unknown_period")
    if len(notes) > 2000:
        raise DutyRefused("invalid", ["notes"])
    if session.scalar(select(DutyReport.id).where(DutyReport.duty_id == duty_id, DutyReport.period_key == period_key,
                                                  DutyReport.unit_code == unit_code)) is not None:
        raise DutyRefused("already_sent")
    report = DutyReport(duty_id=duty_id, period_key=period_key, unit_code=unit_code, unit_area=unit[2],
                        submitted_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), submitted_by=user_id,
                        notes=notes.strip(), figures_json=json.dumps(report_figures(session, unit_code, duty_id, today)))
    session.add(report)
    session.flush()
    return report


def missed_extras(session: Session, terms: Iterable[str], level: str, codes: Iterable[str], today: dt.date,
                  townships: Iterable[str] = ()) -> dict[tuple[str, str], UnitExtras]:
    """Reports missing or late per (term, unit) — a period counts in the term its deadline falls in — for the
    tiers (未报送, domain.md §5). Only schools and townships report. `townships`: codes the caller has just read as
    townships (a report's names), not looked up again."""
    codes, terms = set(codes), set(terms)
    if level not in ("school", "township") or not codes or not terms:
        return {}
    known = codes & set(townships) if level == "township" else set()
    key = ("missed_extras", frozenset(terms), level, frozenset(codes), today)
    return memo(session, key, lambda: _missed_extras(session, terms, level, codes, today, known))


def _missed_extras(session: Session, terms: set[str], level: str, codes: set[str], today: dt.date,
                   known: set[str]) -> dict[tuple[str, str], UnitExtras]:
    """What board() would mark missing or late for these units, counted without building the board (it runs inside
    every report of schools and townships: a row object per unit and period of three years cost most of a page)."""
    reporter = "school" if level == "school" else "township"
    first = min(parse_term(t).start for t in terms)
    last = min(max(parse_term(t).end for t in terms), today)
    ordered = sorted(codes - known)
    # each reporting unit of `codes` (a school or township that exists) → its county
    home: dict[str, str] = {c: county_of(c) for c in known}
    for i in range(0, len(ordered), 900):
        chunk = ordered[i:i + 900]
        if level == "township":
            home.update((c, county_of(c)) for c in session.scalars(
                select(Area.code).where(Area.level == "township", Area.code.in_(chunk))))
        else:
            home.update((c, county_of(t)) for c, t in session.execute(
                select(School.code, School.township_code).where(School.code.in_(chunk))))
    counties = sorted(set(home.values()))
    # every statement below reads all counties at once (a province's townships: 112 counties; it was ~4 statements
    # a county, a third of a 1,400-township export)
    by_county: dict[str, list[Row]] = {}       # the duties as columns (ORM objects cost ~0.5 ms a report)
    own_spans: dict[str, dict[str, tuple[dt.date, dt.date]]] = {}
    for i in range(0, len(counties), 900):
        for duty in session.execute(select(*_DUTY_COLUMNS).where(
                ReportingDuty.county_code.in_(counties[i:i + 900]), ReportingDuty.active.is_(True),
                ReportingDuty.reporter == reporter).order_by(ReportingDuty.id)):
            by_county.setdefault(duty.county_code, []).append(duty)
    with_duties = sorted(by_county)      # the teaching calendars of counties that ask for reports only
    for i in range(0, len(with_duties), 900):
        own_spans.update(teaching_spans_of(session, set(with_duties[i:i + 900])))
    sent = _sent_many(session, [d.id for duties in by_county.values() for d in duties])
    units_of: dict[str, list[str]] = {}
    for code, county in home.items():
        units_of.setdefault(county, []).append(code)
    out: dict[tuple[str, str], int] = {}
    for county, duties in sorted(by_county.items()):
        teaching = _teaching(session, county, first, last, own_spans.get(county, {}))
        for duty in duties:
            for period, code, _day, state in _unit_periods(duty, units_of.get(county, []), sent.get(duty.id, {}),
                                                           first, last, teaching, today):
                if state in ("missing", "late") and (term := term_for_date(period.deadline).code) in terms:
                    out[(term, code)] = out.get((term, code), 0) + 1
    return {key: UnitExtras(missed_reports=n) for key, n in out.items()}
