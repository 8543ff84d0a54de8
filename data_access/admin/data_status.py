"""Terms and data status (issue 15.4): which terms are loaded, which schools of the user's scope have imported
their roster for a term (when, by whom, how many rows) and which have not, and the population and
enrollment-history coverage of each township. Who and when come from the audit entries imports write."""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, case, exists, false, func, or_, select
from sqlalchemy.orm import Session

from data_access.grid import apply_grid
from data_access.models import (Area, AuditLog, ImportRecord, EnrollmentHistory, Population, RosterAggregate, School,
                                 Term, UnitCounts, User)
from data_access.scope import Scope, area_filter, scoped
from domain.admin.views import ImportFile, Refusal, SchoolImport, TermLoad, TownshipCoverage
from domain.areas import code_range
from domain.grid_request import GridRequest
from domain.terms import parse_term

READ_ROLES = frozenset({"admin", "county_leader"})


class StatusRefused(PermissionError):
    """The user's role may not read the data status."""


def check_reader(role: str) -> None:
    """Refuse roles other than admins and county leaders."""
    if role not in READ_ROLES:
        raise StatusRefused(role)


def _in_scope(scope: Scope) -> Any:
    """The ids of the schools in scope, as a statement (the aggregates are then probed school by school on their
    (term, school) index: joining them to the schools instead read a province's every cell of the term, 0.35 s for
    one county)."""
    return scoped(select(School.id), scope, school_col=School.id, school_area_col=School.township_code)


def _school_lines(scope: Scope) -> Any:
    """(school id, term, roster lines) of the schools in scope with a roster row, as a statement: read from the
    school rows of unit_counts (summing the roster aggregates instead read a province leader's every cell of the
    term, 1.9 million, 1.6–3.1 s)."""
    U = UnitCounts      # (scoped on the join itself: with `School.id IN (the scope's ids)` SQLite probed each
    return scoped(      # school row once per id of the list, 45 s for a province)
        select(School.id, U.term_code, U.roster_lines).join(School, School.code == U.unit_code)
        .where(U.level == "school"), scope, school_col=School.id, school_area_col=School.township_code)


def expected_schools(scope: Scope, term: str) -> Any:
    """The schools in scope expected to send the term's roster, as a statement of ids: a school closed or merged
    from that term or earlier is not (unless it has rows of the term), and it still counts in earlier terms."""
    A = RosterAggregate           # (an EXISTS probe per closed school: IN read the term's every cell, 0.16 s)
    return _in_scope(scope).where(or_(School.closed_from.is_(None), School.closed_from > term, exists().where(
        A.term_code == term, A.school_id == School.id)))


def missing_rosters(scope: Scope, term: str) -> Any:
    """(id, name) of the schools expected to send the term's roster that have none, by code, as a statement: what
    the data status lists as not loaded and the inbox asks for. A school's roster is there when unit_counts has its
    row for the term: NOT EXISTS on that row's key lets PostgreSQL probe a county's 100 schools one by one and
    anti-join a province's 12,462 at once (probing the aggregates took a province leader's every navigation 90 ms;
    NOT IN over the term's school rows took a county leader's 6 ms)."""
    U = UnitCounts
    sent = exists().where(U.term_code == term, U.level == "school", U.unit_code == School.code)
    return (select(School.id, School.name).where(School.id.in_(expected_schools(scope, term)), ~sent)
            .order_by(School.code))


def loaded_terms(session: Session, scope: Scope) -> list[TermLoad]:
    """Every known term, newest first, with its roster rows and schools loaded in scope and the schools expected
    to send it."""
    lines = _school_lines(scope).where(UnitCounts.roster_lines > 0).subquery()
    loaded = {term: (int(rows or 0), schools) for term, rows, schools in session.execute(
        select(lines.c.term_code, func.sum(lines.c.roster_lines), func.count()).group_by(lines.c.term_code))}
    out = []
    for term in session.scalars(select(Term.code).order_by(Term.year.desc(), Term.semester.desc())).all():
        expected = session.scalar(select(func.count()).select_from(expected_schools(scope, term).subquery()))
        out.append(TermLoad(term, *loaded.get(term, (0, 0)), expected))
    return out


def _term_entries(session: Session, action: str, term: str) -> list[tuple[Any, ...]]:
    """Roster audit entries of an action whose payload names the term (oldest first), with the user's school."""
    like = f'%"term": "{term}"%'
    return list(session.execute(
        select(AuditLog.at, AuditLog.actor, AuditLog.entity_key, AuditLog.after, User.display_name,
               User.school_id).outerjoin(User, User.id == AuditLog.user_id)
        .where(AuditLog.action == action, AuditLog.entity == "roster", AuditLog.after.like(like))
        .order_by(AuditLog.at, AuditLog.id)))


def _payload(text: str | None) -> dict[str, Any]:
    """An audit entry's JSON payload as a dict (empty when unreadable)."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def last_imports(session: Session, term: str) -> dict[str, tuple[dt.datetime, str, str]]:
    """School code → (when, who, file) of the last accepted roster import of the term that wrote it.

    New entries list the file's schools; older ones are attributed to the importing user's own school."""
    undone = set(session.scalars(select(ImportRecord.id).where(ImportRecord.term_code == term,
                                                               ImportRecord.undone_at.is_not(None))))
    entries = [(at, actor, file_name, _payload(after), display, school_id)
               for at, actor, file_name, after, display, school_id in _term_entries(session, "import", term)]
    older = {school_id for *_, payload, _d, school_id in entries if not isinstance(payload.get("schools"), list)}
    codes_by_id = dict(session.execute(select(School.id, School.code).where(School.id.in_(older))).all()) \
        if older else {}
    last: dict[str, tuple[dt.datetime, str, str]] = {}
    for at, actor, file_name, payload, display, school_id in entries:
        if payload.get("term") != term or payload.get("import_id") in undone:   # an undone import wrote nothing
            continue
        schools = payload.get("schools")
        if not isinstance(schools, list):
            schools = [codes_by_id[school_id]] if school_id in codes_by_id else []
        who = f"{display} ({actor})" if display and display != actor else actor
        for code in schools:
            last[str(code)] = (at, who, file_name)
    return last


def school_status(session: Session, scope: Scope, term: str) -> list[SchoolImport]:
    """Every school in scope expected to send the term's roster, by township and code, with its roster rows and
    the last import that wrote them (the command line's list; the page reads it block by block)."""
    parse_term(term)
    last = last_imports(session, term)
    return [SchoolImport(sid, code, name, town, town_name, int(n), *last.get(code, (None, None, None)))
            for sid, code, name, town, town_name, n in session.execute(
                _status_rows(scope, term).order_by(School.township_code, School.code))]


STATUS_SORTABLE = frozenset({"township", "school", "code", "status", "rows"})
STATUS_FILTERABLE = {"township": "text", "school": "text", "code": "text", "rows": "number"}


def _status_rows(scope: Scope, term: str) -> Any:
    """(id, code, name, township code, township name, roster lines) of the schools in scope expected to send the
    term's roster (`expected_schools`), as a statement: the lines from each school's unit_counts row, probed on its
    key (0 when it has none)."""
    U = UnitCounts
    return (select(School.id, School.code, School.name, School.township_code, Area.name,
                   func.coalesce(U.roster_lines, 0).label("lines"))
            .join(Area, Area.code == School.township_code)
            .outerjoin(U, and_(U.term_code == term, U.level == "school", U.unit_code == School.code))
            .where(School.id.in_(expected_schools(scope, term))))


def status_counts(session: Session, scope: Scope, term: str) -> tuple[int, int]:
    """(schools that have imported the term's roster, schools expected to), in scope: the page's headline, from
    the same rows as its school list."""
    rows = _status_rows(scope, term).subquery()
    loaded, total = session.execute(select(func.count().filter(rows.c.lines > 0), func.count())).one()
    return int(loaded or 0), int(total or 0)


def school_status_page(session: Session, scope: Scope, term: str,
                       request: GridRequest) -> tuple[list[SchoolImport], int]:
    """One block of `school_status`, filtered, ordered and cut in SQL (the schools missing their roster first by
    default), with the number of schools the filters leave: a province's 12,462 schools are never read whole. The
    last import of each is looked up for the block's schools only."""
    parse_term(term)
    stmt = _status_rows(scope, term)
    lines = stmt.selected_columns.lines
    columns = {"township": Area.name, "school": School.name, "code": School.code, "rows": lines,
               "status": case((lines > 0, 1), else_=0)}
    page, count = apply_grid(stmt, request, columns, [columns["status"], School.township_code, School.code])
    rows = session.execute(page).all()
    last = last_imports(session, term) if rows else {}
    return ([SchoolImport(sid, code, name, town, town_name, int(n), *last.get(code, (None, None, None)))
             for sid, code, name, town, town_name, n in rows], int(session.scalar(count) or 0))


def refusals(session: Session, scope: Scope, term: str) -> list[Refusal]:
    """Refused roster files of the term whose audit entry lies in scope (newest first)."""
    like = f'%"term": "{term}"%'
    rows = session.execute(select(AuditLog.at, AuditLog.actor, AuditLog.entity_key, AuditLog.after).where(
        AuditLog.action == "import_refused", AuditLog.entity == "roster", AuditLog.after.like(like),
        area_filter(scope, AuditLog.area_code)).order_by(AuditLog.at.desc(), AuditLog.id.desc()))
    return [Refusal(at, actor, name, int(_payload(after).get("problems") or 0))
            for at, actor, name, after in rows if _payload(after).get("term") == term]


COVERAGE_SORTABLE = frozenset({"township", "code"})
COVERAGE_FILTERABLE = {"township": "text", "code": "text"}
_RANGE_PROBES = 200      # up to this many townships, each is read by a range probe of its codes; above, one scan


def _townships(scope: Scope) -> Any:
    """(code, name) of the townships in scope, as a statement (none for a school's user)."""
    stmt = scoped(select(Area.code, Area.name).where(Area.level == "township"), scope, area_col=Area.code)
    return stmt.where(false()) if scope.school_id is not None else stmt


def _coverage_of(session: Session, scope: Scope, term: str, towns: list[tuple[str, str]]) -> list[TownshipCoverage]:
    """The coverage of these townships: population survey rows and total for the term's school year, history
    years, and the schools that have sent the term's roster of those expected to. A block of townships is read by
    range probes on the tables' area-code keys; a whole province by one scan each."""
    if not towns:
        return []
    year = parse_term(term).year

    def where(col: Any) -> list[Any]:       # the townships are the scope's: their ranges alone (with the scope's
        if len(towns) > _RANGE_PROBES:       # range beside them SQLite read the whole province's range instead)
            return [area_filter(scope, col)]
        return [or_(*[col.between(*code_range(code, "township")) for code, _ in towns])]
    town_of = func.substr(Population.area_code, 1, 9)
    pop = {t: (n, p or 0) for t, n, p in session.execute(
        select(town_of, func.count(), func.sum(Population.population))
        .where(Population.year == year, *where(Population.area_code)).group_by(town_of))}
    hist_town = func.substr(EnrollmentHistory.area_code, 1, 9)
    years: dict[str, set[int]] = defaultdict(set)
    for t, y in session.execute(select(hist_town, EnrollmentHistory.year).distinct()
                                .where(*where(EnrollmentHistory.area_code))):
        years[t].add(y)
    rows = _status_rows(scope, term)
    if len(towns) <= _RANGE_PROBES:
        rows = rows.where(School.township_code.in_([code for code, _ in towns]))
    rows = rows.subquery()
    loaded = {town: (int(n or 0), int(total)) for town, n, total in session.execute(
        select(rows.c.township_code, func.count().filter(rows.c.lines > 0), func.count())
        .group_by(rows.c.township_code))}
    return [TownshipCoverage(code, name, *pop.get(code[:9], (0, 0)), tuple(sorted(years.get(code[:9], ()))),
                             *loaded.get(code, (0, 0))) for code, name in towns]


def township_count(session: Session, scope: Scope) -> int:
    """How many townships the user's scope holds."""
    return int(session.scalar(select(func.count()).select_from(_townships(scope).subquery())) or 0)


def coverage(session: Session, scope: Scope, term: str) -> list[TownshipCoverage]:
    """Every township in scope, by code, with its coverage (`_coverage_of`)."""
    parse_term(term)
    return _coverage_of(session, scope, term, [tuple(r) for r in session.execute(_townships(scope)
                                                                                 .order_by(Area.code))])


def coverage_page(session: Session, scope: Scope, term: str,
                  request: GridRequest) -> tuple[list[TownshipCoverage], int]:
    """One block of `coverage`, the townships filtered, ordered and cut in SQL, with how many the filters leave:
    only the block's townships are counted (a province's coverage scanned its 213,516 survey and 138,105 history
    rows, 180–240 ms on PostgreSQL)."""
    parse_term(term)
    columns = {"township": Area.name, "code": Area.code}
    page, count = apply_grid(_townships(scope), request, columns, [Area.code])
    return (_coverage_of(session, scope, term, [tuple(r) for r in session.execute(page)]),
            int(session.scalar(count) or 0))


def import_files(session: Session, role: str, scope: Scope, term: str, undo_hours: float,
                 limit: int = 100) -> list[ImportFile]:
    """The accepted imports of the term (and those of no term: areas, schools, population …) whose area lies in
    scope, newest first, with their source file's name, size and SHA-256, who and when, and whether this user may
    undo them now."""
    from data_access.imports.undo import may_undo
    parse_term(term)
    records = session.scalars(select(ImportRecord).where(
        (ImportRecord.term_code == term) | ImportRecord.term_code.is_(None),
        area_filter(scope, ImportRecord.area_code)).order_by(ImportRecord.at.desc(), ImportRecord.id.desc())
        .limit(limit)).all()
    return [ImportFile(r.id, r.kind, r.term_code, r.file_name, r.file_size, r.sha256, r.actor, r.at, r.new,
                       r.changed, r.unchanged, r.removed, r.undone_at, r.undone_by,
                       r.kind == "roster" and may_undo(session, role, scope, r, undo_hours)) for r in records]
