"""Import of the poverty list (issue 16.4): the members of 脱贫户 / 监测户 households from the rural revitalisation
bureau, for one term. The whole file is checked first (ID numbers valid and unique, township and village known and
inside the importer's scope, statuses known) and nothing is written when anything is wrong. An accepted list replaces
the term's list inside the importer's scope, and sets the 脱贫户 flag of the term's roster lines of pupils whose ID
number is on it (names alone never match)."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select, union, update
from sqlalchemy.orm import Session

from data_access.analytics.aggregates import refresh_roster_aggregates
from data_access.analytics.unit_counts import refresh_terms, terms_depending_on
from data_access.imports.core import CHECKING, DONE, WRITING, Progress, accepted, check_unique, no_progress, rejected, upsert
from data_access.imports.parse import parse_rows
from data_access.imports.readers import Column, ProblemLog, UnreadableFile, open_table
from data_access.imports.serial import hold_import_lock
from data_access.models import Area, PovertyMember, RosterRecord, Student, Term
from data_access.scope import Scope, area_filter
from domain.imports.parsing import id_birth_date, id_gender, parse_id_number, text_parser
from domain.imports.poverty import is_code, parse_household_status, parse_place
from domain.imports.results import ImportProblem, ImportResult
from domain.terms import parse_term

KIND = "poverty"
POVERTY_COLUMNS: tuple[Column, ...] = (
    Column("household_no", "户编号", text_parser(30, fold=True), required=False, allow_empty=True,
           aliases=("户码", "户号", "家庭编号")),
    Column("head_name", "户主姓名", text_parser(50), aliases=("户主",)),
    Column("name", "姓名", text_parser(50), aliases=("成员姓名", "家庭成员姓名", "人员姓名")),
    Column("id_number", "身份证件号", parse_id_number, sensitive=True,
           aliases=("身份证号", "身份证号码", "身份证件号码", "证件号码", "公民身份号码", "成员身份证号")),
    Column("relation", "与户主关系", text_parser(20), required=False, allow_empty=True, repeats=True,
           aliases=("与户主关系名称", "关系")),
    Column("township", "乡镇", parse_place, repeats=True,
           aliases=("乡（镇）", "乡镇名称", "所在乡镇", "乡镇代码", "乡镇（街道）")),
    Column("village", "行政村", parse_place, required=False, allow_empty=True, repeats=True,
           aliases=("村", "村（社区）", "村名称", "所在村", "村代码", "行政村（社区）")),
    Column("household_status", "户类型", parse_household_status, repeats=True,
           aliases=("户属性", "农户属性", "户类别", "监测对象类别", "脱贫户/监测户", "户状态")),
)
_FIELDS = ("id_number", "name", "birth_date", "gender", "head_name", "relation", "household_no", "township_code",
           "village_code", "household_status", "status_detail")


def _places(session: Session) -> tuple[dict[str, str], dict[str, list[str]], dict[tuple[str, str], list[str]]]:
    """Townships and villages: code → level; township name → codes; (township, village name) → codes."""
    levels: dict[str, str] = {}
    towns: dict[str, list[str]] = {}
    villages: dict[tuple[str, str], list[str]] = {}
    for code, name, level, parent in session.execute(select(Area.code, Area.name, Area.level, Area.parent_code)
                                                      .where(Area.level.in_(("township", "village")))):
        levels[code] = level
        if level == "township":
            towns.setdefault(name, []).append(code)
        else:
            villages.setdefault((parent or "", name), []).append(code)
    return levels, towns, villages


def _resolve(rows: Iterable[Any], session: Session, h: dict[str, str], scope: Scope | None,
             problems: ProblemLog) -> dict[int, tuple[str, str | None]]:
    """Each row's (township code, village code), every unknown or ambiguous place and every place outside the
    importer's scope reported with its row and column."""
    levels, towns, villages = _places(session)
    out: dict[int, tuple[str, str | None]] = {}
    for r in rows:
        if r.township is None:
            continue
        if is_code(r.township):
            town = r.township if levels.get(r.township) == "township" else None
            why = "no township with this code is imported"
        else:
            found = towns.get(r.township, [])
            town = found[0] if len(found) == 1 else None
            why = "several townships have this name: give its code" if found else "no township of this name is imported"
        if town is None:
            problems.append(ImportProblem(r.row, h["township"], r.township, why))
            continue
        if scope is not None and not scope.unrestricted and not scope.covers_area(town):
            problems.append(ImportProblem(r.row, h["township"], r.township,
                                          "this township is outside yours: you may import the list of your own area only"))
            continue
        village = None
        if r.village:
            if is_code(r.village):
                ok = levels.get(r.village) == "village" and r.village[:9] == town[:9]
                village = r.village if ok else None
                why = "no village with this code is imported in this township"
            else:
                found = villages.get((town, r.village), [])
                village = found[0] if len(found) == 1 else None
                why = ("several villages of this township have this name: give its code" if found
                       else "no village of this name is imported in this township")
            if village is None:
                problems.append(ImportProblem(r.row, h["village"], r.village, why))
                continue
        out[r.row] = (town, village)
    return out


def _ensure_term(session: Session, code: str) -> None:
    if session.get(Term, code) is None:
        t = parse_term(code)
        session.add(Term(code=t.code, year=t.year, semester=t.semester, start_date=t.start, end_date=t.end))
        session.flush()


def import_poverty(session: Session, path: str | Path, term: str, *, scope: Scope | None = None,
                   progress: Progress | None = None) -> ImportResult:
    """Import one term's poverty list; it replaces that term's list inside `scope` (None: everywhere) and sets the
    脱贫户 flag of the term's roster lines of the pupils on it (matched by ID number)."""
    try:
        term_code = parse_term(term).code
    except ValueError as exc:
        return rejected(KIND, [ImportProblem(0, "term", term, str(exc))])
    hold_import_lock(session, term_code, progress=progress)
    progress = progress or no_progress
    problems = ProblemLog()
    try:
        with open_table(path, POVERTY_COLUMNS) as table:
            progress(0, table.total_rows, CHECKING)
            rows = parse_rows(table, POVERTY_COLUMNS, problems)
            h = {c.name: table.header(c) for c in POVERTY_COLUMNS}
    except UnreadableFile as exc:
        return rejected(KIND, exc.problems)
    progress(len(rows), len(rows), CHECKING)
    check_unique(rows, lambda r: r.id_number, h["id_number"], problems, lambda k: k[:4] + "…")
    places = _resolve(rows, session, h, scope, problems)
    if problems:
        return rejected(KIND, problems)
    progress(len(rows), len(rows), WRITING)
    records = []
    for r in rows:
        town, village = places[r.row]
        status, detail = r.household_status
        records.append({"term_code": term_code, "id_number": r.id_number, "name": r.name,
                        "birth_date": id_birth_date(r.id_number), "gender": id_gender(r.id_number),
                        "head_name": r.head_name, "relation": r.relation or None,
                        "household_no": r.household_no or None, "township_code": town, "village_code": village,
                        "household_status": status, "status_detail": detail[:20]})
    in_scope = [PovertyMember.term_code == term_code]
    if scope is not None and not scope.unrestricted:
        in_scope.append(area_filter(scope, PovertyMember.township_code))
    listed = {r["id_number"] for r in records}
    stored = set(session.scalars(select(PovertyMember.id_number).where(*in_scope)))
    taken: set[str] = set()
    numbers = sorted(listed)
    for i in range(0, len(numbers), 500):
        taken.update(session.scalars(select(PovertyMember.id_number).where(
            PovertyMember.term_code == term_code, PovertyMember.id_number.in_(numbers[i:i + 500]))))
    foreign = taken - stored           # on the term's list under a township outside the importer's scope
    if foreign:
        return rejected(KIND, [ImportProblem(r.row, h["id_number"], r.id_number[:4] + "…",
                                             "this person is on the term's list of a township outside your area")
                               for r in rows if r.id_number in foreign])
    _ensure_term(session, term_code)
    gone = sorted(stored - listed)
    for i in range(0, len(gone), 500):
        session.execute(delete(PovertyMember).where(*in_scope, PovertyMember.id_number.in_(gone[i:i + 500])))
    new, changed, unchanged = upsert(session, PovertyMember, ("term_code", "id_number"), records)
    flagged = apply_poverty_flags(session, term_code)
    area = _area(records, scope)
    result = accepted(session, KIND, path, new, changed, unchanged, len(gone), term=term_code, flagged=flagged,
                      area=area)
    result.term, result.poverty_flagged = term_code, flagged
    progress(len(rows), len(rows), DONE)
    return result


def _area(records: list[dict[str, Any]], scope: Scope | None) -> str | None:
    """The area of the audit entry: the one township of the file, else the importer's area."""
    towns = {r["township_code"] for r in records}
    if len(towns) == 1:
        return next(iter(towns))
    if scope is not None and len(scope.areas) == 1:
        return scope.areas[0][0]
    return None


def listed_students(term_code: str) -> Any:
    """A SELECT of the ids of students whose ID number is on the term's poverty list (the ID number column, or a
    national student number made of G or L and the ID number). Names never match."""
    numbers = select(PovertyMember.id_number).where(PovertyMember.term_code == term_code)
    return union(
        select(Student.id).where(Student.id_number.in_(numbers)),
        select(Student.id).where(Student.student_no.in_(
            select("G" + PovertyMember.id_number).where(PovertyMember.term_code == term_code))),
        select(Student.id).where(Student.student_no.in_(
            select("L" + PovertyMember.id_number).where(PovertyMember.term_code == term_code))))


def apply_poverty_flags(session: Session, term_code: str, school_ids: Iterable[int] | None = None) -> int:
    """Set the 脱贫户 flag of the term's roster lines (of `school_ids`, or all) whose pupil is on the term's list;
    refresh the figures of the schools whose lines changed. Returns how many lines were flagged. A flag set by the
    roster file itself is kept (the list only adds)."""
    listed = listed_students(term_code).subquery()
    where = [RosterRecord.term_code == term_code, or_(RosterRecord.poverty_registered.is_(False),
                                                       RosterRecord.poverty_registered.is_(None)),
             RosterRecord.student_id.in_(select(listed.c.id))]
    if school_ids is not None:
        ids = sorted(set(school_ids))
        if not ids:
            return 0
        where.append(RosterRecord.school_id.in_(ids))
    schools = set(session.scalars(select(RosterRecord.school_id).distinct().where(*where)))
    if not schools:
        return 0
    count = session.execute(update(RosterRecord).where(*where).values(poverty_registered=True)
                            .execution_options(synchronize_session=False)).rowcount
    leaves = refresh_roster_aggregates(session, term_code, schools)
    refresh_terms(session, terms_depending_on(session, roster_term=term_code), schools=schools, area_codes=leaves,
                  roster_term=term_code)
    return int(count or 0)


def flag_staged(session: Session, staged: Any, term_code: str) -> None:
    """Mark the staged roster rows (a roster import's temporary table) whose pupil is on the term's poverty list, so
    that a roster file saying 否 does not unflag a listed pupil, and re-importing the same file changes nothing."""
    numbers = select(PovertyMember.id_number).where(PovertyMember.term_code == term_code)
    prefixed = [select(p + PovertyMember.id_number).where(PovertyMember.term_code == term_code) for p in ("G", "L")]
    session.execute(update(staged).where(or_(staged.c.id_number.in_(numbers), *(staged.c.student_no.in_(q)
                                                                                  for q in prefixed)))
                    .values(poverty_registered=True))
