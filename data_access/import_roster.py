"""Roster import: one term's census of the schools in the file (contract.md, "roster").

The file is read once, as a stream: each row is parsed, checked and staged in a temporary table
(import_stage); duplicates inside the file are found in SQL. Only when the whole file is clean are
students and records compared with what is stored (one pass of joins into a second temporary table) and
written by a few set-based statements; Python holds one chunk of rows at a time. The import also lists the
students of the previous term's roster of the same schools who are missing now (import_missing)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (Boolean, Date, Integer, String, Table, and_, delete, exists, func, insert, literal, or_, select,
                        text, update)
from sqlalchemy.orm import Session

from data_access.aggregates import refresh_roster_aggregates
from data_access.import_core import (
    CHECKING, DONE, WRITING, ImportResult, Progress, Ticker, accepted, iter_chunks, iter_parsed, rejected,
)
from data_access.import_readers import Column, ImportProblem, ProblemLog, UnreadableFile, open_table
from data_access.import_missing import missing_students
from data_access.import_stage import Stage
from data_access.models import Area, RosterRecord, School, Student, Term
from data_access.scope import Scope
from data_access.unit_counts import refresh_terms, terms_depending_on
from domain.parsing import (
    id_mismatch, parse_area_code, parse_bool, parse_date, parse_disability, parse_gender, parse_grade,
    parse_id_number, parse_phone, parse_school_code, parse_status, parse_student_no, text_parser,
)
from domain.terms import TermCode, age_on_reference_day, parse_term

ROSTER_COLUMNS: tuple[Column, ...] = (
    Column("student_id", "全国学籍号", parse_student_no, field="student_no", aliases=("学籍号", "全国学籍号码")),
    Column("name", "姓名", text_parser(50), aliases=("学生姓名",)),
    Column("gender", "性别", parse_gender, repeats=True),
    Column("birth_date", "出生日期", parse_date, repeats=True, aliases=("出生年月日",)),
    Column("id_number", "身份证件号", parse_id_number, required=False, allow_empty=True, sensitive=True,
           aliases=("身份证号", "身份证号码", "身份证件号码", "公民身份号码")),
    Column("school_code", "学校标识码", parse_school_code, repeats=True, aliases=("所在学校标识码",)),
    Column("grade", "年级", parse_grade, repeats=True, aliases=("所在年级",)),
    Column("class", "班级", text_parser(20, fold=True), allow_empty=True, field="class_name", repeats=True,
           aliases=("所在班级", "班级名称")),
    Column("status", "就读状态", parse_status, repeats=True),
    Column("household_code", "户籍地代码", parse_area_code, required=False, allow_empty=True, repeats=True,
           aliases=("户籍所在地代码", "户口所在地代码")),
    Column("guardian_name", "监护人姓名", text_parser(50), required=False, allow_empty=True, aliases=("监护人",)),
    Column("guardian_phone", "监护人电话", parse_phone, required=False, allow_empty=True, sensitive=True,
           aliases=("监护人联系电话", "监护人手机号", "联系电话")),
    Column("poverty_registered", "脱贫户", parse_bool, allow_empty=True, default=False, repeats=True,
           aliases=("是否脱贫户", "建档立卡", "是否建档立卡")),
    Column("disability", "残疾类型", parse_disability, allow_empty=True, default="无", repeats=True,
           aliases=("残疾类别",)),
    Column("left_behind", "留守儿童", parse_bool, allow_empty=True, default=False, repeats=True,
           aliases=("是否留守儿童",)),
    Column("migrant", "随迁子女", parse_bool, allow_empty=True, default=False, repeats=True,
           aliases=("是否随迁子女", "是否进城务工人员随迁子女")),
)
_IDENTITY = ("name", "gender", "birth_date", "id_number")
_RECORD = ("school_id", "grade", "class_name", "status", "household_code", "guardian_name", "guardian_phone",
           "poverty_registered", "disability", "left_behind", "migrant", "age")
_OPTIONAL = {c.name for c in ROSTER_COLUMNS if not c.required}
_STAGED = (("student_no", String(19)), ("name", String(50)), ("gender", String(1)), ("birth_date", Date()),
           ("id_number", String(18)), ("school_id", Integer()), ("grade", Integer()), ("class_name", String(20)),
           ("status", String(4)), ("household_code", String(12)), ("guardian_name", String(50)),
           ("guardian_phone", String(20)), ("poverty_registered", Boolean()), ("disability", String(2)),
           ("left_behind", Boolean()), ("migrant", Boolean()), ("age", Integer()))
ANALYZE_AFTER = 10_000
_S = Student.__table__
_R = RosterRecord.__table__


@dataclass
class _Refs:
    """What rows are checked against: schools by code (id, township, name) and township/village codes."""

    schools: dict[str, tuple[int, str, str]]
    areas: dict[str, str]


def _load_refs(session: Session) -> _Refs:
    schools = {code: (sid, town, name) for code, sid, town, name in
               session.execute(select(School.code, School.id, School.township_code, School.name))}
    areas = dict(session.execute(select(Area.code, Area.level).where(Area.level.in_(("township", "village")))).all())
    return _Refs(schools, areas)


def _school_refusal(scope: Scope | None, school_id: int, township: str) -> str | None:
    """Why this user may not import this school's roster (None when they may)."""
    if scope is None or scope.unrestricted:
        return None
    if scope.school_id is not None:
        return None if school_id == scope.school_id else "you may import only the roster of your own school"
    return None if scope.covers_area(township) else "this school is outside your area"


class _RowChecker:
    """The checks of one parsed row against the term, the stored schools and areas, and the user's scope."""

    def __init__(self, headers: dict[str, str], refs: _Refs, term: TermCode, scope: Scope | None,
                 problems: ProblemLog) -> None:
        self.h, self.refs, self.term, self.scope, self.problems = headers, refs, term, scope, problems
        self.reference_day = dt.date(term.year, 8, 31)     # ages are full years on this day (domain.md §3)
        self.schools: dict[str, tuple[int | None, str | None]] = {}   # code -> (id or None, reason)
        self.ages: dict[dt.date, tuple[int, str]] = {}     # birth date -> (age, ISO text to stage)
        self.bad_household: dict[str, str | None] = {}
        self.school_ids: set[int] = set()

    def _school(self, code: str) -> tuple[int | None, str | None]:
        found = self.schools.get(code)
        if found is None:
            ref = self.refs.schools.get(code)
            if ref is None:
                found = (None, "no school with this code is imported")
            else:
                found = (ref[0], _school_refusal(self.scope, ref[0], ref[1]))
            self.schools[code] = found
        return found

    def _household(self, code: str) -> str | None:
        if code not in self.bad_household:
            level = self.refs.areas.get(code)
            self.bad_household[code] = None if level else "no township or village with this code is imported"
        return self.bad_household[code]

    def __call__(self, r: Any) -> tuple[Any, ...]:
        """Check the row, report its problems, and return the tuple to stage."""
        problems, h = self.problems, self.h
        school_id = None
        if r.school_code is not None:
            school_id, reason = self._school(r.school_code)
            if reason:
                problems.append(ImportProblem(r.row, h["school_code"], r.school_code, reason))
                school_id = None
            elif school_id is not None:
                self.school_ids.add(school_id)
        if r.household_code is not None and (reason := self._household(r.household_code)):
            problems.append(ImportProblem(r.row, h["household_code"], r.household_code, reason))
        age = iso = None
        birth = r.birth_date
        if birth is not None:
            known = self.ages.get(birth)
            if known is None:
                known = self.ages[birth] = (age_on_reference_day(birth, self.term.year), birth.isoformat())
            age, iso = known
            if birth > self.reference_day:
                problems.append(ImportProblem(r.row, h["birth_date"], birth.isoformat(),
                                              f"born after {self.reference_day}, the day ages of this term are "
                                              f"counted on"))
        if r.id_number is not None:
            reason = id_mismatch(r.id_number, birth, r.gender, h["birth_date"], h["gender"])
            if reason:
                problems.append(ImportProblem(r.row, h["id_number"], r.id_number[:4] + "…", reason))
        return (r.row, r.student_no, r.name, r.gender, iso, r.id_number, school_id, r.grade, r.class_name,
                r.status, r.household_code, r.guardian_name, r.guardian_phone, r.poverty_registered, r.disability,
                r.left_behind, r.migrant, age)


def _ensure_term(session: Session, term: TermCode) -> None:
    if session.get(Term, term.code) is None:
        session.execute(insert(Term), [{"code": term.code, "year": term.year, "semester": term.semester,
                                        "start_date": term.start, "end_date": term.end}])


def _match(session: Session, stage: Stage, term: str, identity: list[str], record: list[str]) -> Table:
    """A temporary table of the staged rows with what is stored for them: the student's id, the term's record
    id and school, and whether identity or record differ (one pass of joins, on any database)."""
    st = stage.c
    ident_differs = (or_(*(_S.c[f].is_distinct_from(st[f]) for f in identity)) if identity else literal(False))
    rec_differs = or_(*(_R.c[f].is_distinct_from(st[f]) for f in record))
    query = (select(*st, _S.c.id.label("student_id"), _R.c.id.label("record_id"), _R.c.school_id.label("old_school"),
                    and_(_S.c.id.is_not(None), ident_differs).label("ident_changed"),
                    and_(_R.c.id.is_not(None), rec_differs).label("rec_changed"))
             .select_from(stage.table.outerjoin(_S, _S.c.student_no == st.student_no)
                          .outerjoin(_R, (_R.c.term_code == term) & (_R.c.student_id == _S.c.id))))
    return stage.derive("import_roster_matched", query,
                        (("student_id", Integer()), ("record_id", Integer()), ("old_school", Integer()),
                         ("ident_changed", Boolean()), ("rec_changed", Boolean())))


def _write_matched(session: Session, m: Table, term: str, identity: list[str], record: list[str],
                   step: Callable[[], None]) -> tuple[int, int, set[int]]:
    """Write students and records from the matched table; returns new and changed records and the schools
    records moved away from. `step` is called after each statement (progress)."""
    run = session.execute
    c = m.c
    new, changed = run(select(func.count().filter(c.record_id.is_(None)),
                              func.count().filter(c.record_id.is_not(None),
                                                  or_(c.rec_changed.is_(True), c.ident_changed.is_(True))))).one()
    moved = set(run(select(c.old_school).distinct().where(c.record_id.is_not(None),
                                                          c.old_school != c.school_id)).scalars())
    if identity and run(select(func.count()).where(c.ident_changed.is_(True))).scalar():
        changes = select(c.student_id, *(c[f] for f in identity)).where(c.ident_changed.is_(True)).subquery()
        run(update(_S).where(_S.c.id == changes.c.student_id).values({f: changes.c[f] for f in identity}))
    step()
    run(insert(_S).from_select(["student_no", *identity], select(c.student_no, *(c[f] for f in identity))
                               .where(c.student_id.is_(None)).order_by(c.row)))
    step()
    if run(select(func.count()).where(c.rec_changed.is_(True))).scalar():
        changes = select(c.record_id, *(c[f] for f in record)).where(c.rec_changed.is_(True)).subquery()
        run(update(_R).where(_R.c.id == changes.c.record_id).values({f: changes.c[f] for f in record}))
    step()
    run(insert(_R).from_select(["term_code", "student_id", *record],
                               select(literal(term, String(7)), _S.c.id, *(c[f] for f in record))
                               .select_from(m.join(_S, _S.c.student_no == c.student_no))
                               .where(c.record_id.is_(None)).order_by(c.row)))
    step()
    return int(new), int(changed), moved


def _remove_absent(session: Session, stage: Stage, term: str, school_ids: set[int]) -> int:
    """Delete the term's records of the file's schools whose students are not in the file (run before the new
    records are written, so a new term has nothing to look at)."""
    removed = 0
    ids = sorted(school_ids)
    for i in range(0, len(ids), 500):
        result = session.execute(delete(_R).where(
            _R.c.term_code == term, _R.c.school_id.in_(ids[i:i + 500]),
            ~exists().where(_S.c.id == _R.c.student_id, stage.c.student_no == _S.c.student_no)))
        removed += result.rowcount
    return removed


def _analyze_after_bulk_load(session: Session, rows_written: int) -> None:
    """Refresh PostgreSQL's statistics after a large load so the next import's lookups use the indexes."""
    if rows_written >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE student, roster_record, roster_agg"))


def import_roster(session: Session, path: str | Path, term: str, *, scope: Scope | None = None,
                  progress: Progress | None = None) -> ImportResult:
    """Import one term's roster; it replaces that term's records of the schools in the file.

    `scope` (a user's) refuses rows of schools outside it; `progress(done, total, phase)` hears how far
    checking and writing have got."""
    try:
        term_code = parse_term(term)
    except ValueError as exc:
        return rejected("roster", [ImportProblem(0, "term", term, str(exc))])
    problems = ProblemLog()
    refs = _load_refs(session)
    stage: Stage | None = None
    try:
        with open_table(path, ROSTER_COLUMNS) as table:
            tick = Ticker(progress, table.total_rows)
            tick(0, CHECKING, force=True)
            headers = {c.key: table.header(c) for c in ROSTER_COLUMNS}
            present = {c.name for c in ROSTER_COLUMNS if c.key in table.found}
            check = _RowChecker(headers, refs, term_code, scope, problems)
            stage = Stage(session, "import_roster_stage", _STAGED)
            checked = 0
            for chunk in iter_chunks(iter_parsed(table, ROSTER_COLUMNS, problems), 2000):
                stage.add_many([check(parsed) for parsed in chunk])
                checked += len(chunk)
                tick(checked, CHECKING)
            stage.flush()
            tick(checked, CHECKING, force=True)
    except UnreadableFile as exc:
        problems += exc.problems
    if stage is not None and stage.count:
        stage.index("student_no")
        for row, value, first in stage.duplicates("student_no"):
            problems.append(ImportProblem(row, headers["student_id"], value,
                                          f"appears more than once (first on row {first})"))
        for row, value, first in stage.duplicates("id_number"):
            problems.append(ImportProblem(row, headers["id_number"], value[:4] + "…",
                                          f"appears more than once (first on row {first})"))
    if problems:
        if stage is not None:
            stage.drop()
        return rejected("roster", problems)
    assert stage is not None
    written = _write(session, stage, term_code, present, check.school_ids, Ticker(progress, stage.count))
    result = accepted(session, "roster", path, written.new, written.changed, written.unchanged, written.removed,
                      term=term_code.code, missing=written.missing_count, previous_term=written.previous_term)
    result.term, result.previous_term = term_code.code, written.previous_term
    result.missing_students, result.missing_count = written.missing_students, written.missing_count
    if progress:
        progress(stage.count, stage.count, DONE)
    return result


def _write(session: Session, stage: Stage, term: TermCode, present: set[str], school_ids: set[int],
           tick: Ticker) -> ImportResult:
    """Write a clean staged file: students, records, removals, aggregates; find the missing students."""
    _ensure_term(session, term)
    keep = {f for f in _IDENTITY + _RECORD if f not in _OPTIONAL or f in present}
    identity = [f for f in _IDENTITY if f in keep]
    record = [f for f in _RECORD if f in keep]
    total = stage.count
    steps = iter(range(1, 7))

    def step() -> None:
        tick(total * next(steps) // 6, WRITING, force=True)
    tick(0, WRITING, force=True)
    removed = _remove_absent(session, stage, term.code, school_ids)
    matched = _match(session, stage, term.code, identity, record)
    step()
    new, changed, moved = _write_matched(session, matched, term.code, identity, record, step)
    stage.drop()
    if new or changed or removed:            # a re-import of the same file changes nothing, not even aggregates
        refresh_roster_aggregates(session, term.code, school_ids | moved)
        refresh_terms(session, terms_depending_on(session, roster_term=term.code))
        _analyze_after_bulk_load(session, new + removed)
    previous, listed, count = missing_students(session, term.code, school_ids)
    return ImportResult("roster", True, new, changed, total - new - changed, removed=removed, term=term.code,
                        missing_students=listed, missing_count=count, previous_term=previous)
