"""Roster import: one term's census of the schools in the file (contract.md, "roster")."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, text, update
from sqlalchemy.orm import Session

from data_access.aggregates import refresh_roster_aggregates
from data_access.unit_counts import refresh_terms, terms_depending_on
from data_access.import_core import (
    ImportResult, accepted, check_unique, chunks, fetch_by, in_keys, parse_rows, rejected,
)
from data_access.import_readers import Column, ImportProblem, UnreadableFile, open_table
from data_access.models import RosterRecord, School, Student, Term
from domain.parsing import (
    parse_area_code, parse_bool, parse_date, parse_disability, parse_gender, parse_grade,
    parse_id_number, parse_phone, parse_school_code, parse_status, parse_student_no, text_parser,
)
from domain.terms import TermCode, age_on_reference_day, parse_term

ROSTER_COLUMNS: tuple[Column, ...] = (
    Column("student_id", "全国学籍号", parse_student_no, field="student_no"),
    Column("name", "姓名", text_parser(50)),
    Column("gender", "性别", parse_gender, repeats=True),
    Column("birth_date", "出生日期", parse_date, repeats=True),
    Column("id_number", "身份证件号", parse_id_number, required=False, allow_empty=True, sensitive=True),
    Column("school_code", "学校标识码", parse_school_code, repeats=True),
    Column("grade", "年级", parse_grade, repeats=True),
    Column("class", "班级", text_parser(20, fold=True), allow_empty=True, field="class_name", repeats=True),
    Column("status", "就读状态", parse_status, repeats=True),
    Column("household_code", "户籍地代码", parse_area_code, required=False, allow_empty=True, repeats=True),
    Column("guardian_name", "监护人姓名", text_parser(50), required=False, allow_empty=True),
    Column("guardian_phone", "监护人电话", parse_phone, required=False, allow_empty=True, sensitive=True),
    Column("poverty_registered", "脱贫户", parse_bool, allow_empty=True, default=False, repeats=True),
    Column("disability", "残疾类型", parse_disability, allow_empty=True, default="无", repeats=True),
    Column("left_behind", "留守儿童", parse_bool, allow_empty=True, default=False, repeats=True),
    Column("migrant", "随迁子女", parse_bool, allow_empty=True, default=False, repeats=True),
)
_IDENTITY = ("name", "gender", "birth_date", "id_number")
_RECORD = ("school_id", "grade", "class_name", "status", "household_code", "guardian_name", "guardian_phone",
           "poverty_registered", "disability", "left_behind", "migrant", "age")
_OPTIONAL = {c.name for c in ROSTER_COLUMNS if not c.required}
ANALYZE_AFTER = 10_000


def _check(session: Session, rows: Sequence[Any], headers: dict[str, str], term: TermCode,
           problems: list[ImportProblem]) -> dict[str, int]:
    """Whole-file checks after parsing; returns school code → school id of the schools found."""
    check_unique(rows, lambda r: r.student_no, headers["student_id"], problems)
    reference_day = dt.date(term.year, 8, 31)     # ages are full years on this day (domain.md §3)
    for r in rows:
        if r.birth_date is not None and r.birth_date > reference_day:
            problems.append(ImportProblem(r.row, headers["birth_date"], r.birth_date.isoformat(),
                                          f"born after {reference_day}, the day ages of this term are counted on"))
    codes = {r.school_code for r in rows if r.school_code}
    schools = {code: sid for code, sid in fetch_by(session, [School.code, School.id], School.code, codes)}
    problems += [ImportProblem(r.row, headers["school_code"], r.school_code, "no school with this code is imported")
                 for r in rows if r.school_code and r.school_code not in schools]
    return schools


def _ensure_term(session: Session, term: TermCode) -> None:
    if session.get(Term, term.code) is None:
        session.execute(insert(Term), [{"code": term.code, "year": term.year, "semester": term.semester,
                                        "start_date": term.start, "end_date": term.end}])


def _sync_students(session: Session, rows: Sequence[Any], fields: Sequence[str]) -> tuple[dict[str, int], set[str]]:
    """Create or update the students of the file; return student_no → id and the changed student_nos."""
    cols = [Student.id, Student.student_no, *(getattr(Student, f) for f in fields)]
    stored = {s.student_no: s for s in fetch_by(session, cols, Student.student_no, (r.student_no for r in rows))}
    ids = {no: s.id for no, s in stored.items()}
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    changed_nos: set[str] = set()
    for r in rows:
        values = {f: getattr(r, f) for f in fields}
        old = stored.get(r.student_no)
        if old is None:
            new.append({"student_no": r.student_no, **values})
        elif any(getattr(old, f) != v for f, v in values.items()):
            changed.append({"id": old.id, **values})
            changed_nos.add(r.student_no)
    if new:
        ids.update({no: sid for sid, no in session.execute(
            insert(Student).returning(Student.id, Student.student_no), new)})
    if changed:
        session.execute(update(Student), changed)
    return ids, changed_nos


def _sync_records(session: Session, rows: Sequence[Any], term: TermCode, fields: Sequence[str],
                  students: dict[str, int], schools: dict[str, int], identity_changed: set[str]
                  ) -> tuple[int, int, int, set[int]]:
    """Insert or update the term's records of the file; return new, changed, unchanged and old schools."""
    cols = [RosterRecord.id, RosterRecord.student_id, *(getattr(RosterRecord, f) for f in fields)]
    stored = {s.student_id: s for s in fetch_by(session, cols, RosterRecord.student_id, students.values(),
                                                 RosterRecord.term_code == term.code)}
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    old_schools: set[int] = set()
    unchanged = identity_only = 0
    for r in rows:
        student_id = students[r.student_no]
        values = {f: getattr(r, f) for f in fields if f not in ("school_id", "age")}
        values["school_id"] = schools[r.school_code]
        values["age"] = age_on_reference_day(r.birth_date, term.year)
        old = stored.get(student_id)
        if old is None:
            new.append({"term_code": term.code, "student_id": student_id, **values})
        elif any(getattr(old, f) != v for f, v in values.items()):
            changed.append({"id": old.id, **values})
            old_schools.add(old.school_id)
        elif r.student_no in identity_changed:
            identity_only += 1
        else:
            unchanged += 1
    if new:
        session.execute(insert(RosterRecord), new)
    if changed:
        session.execute(update(RosterRecord), changed)
    return len(new), len(changed) + identity_only, unchanged, old_schools


def _remove_absent(session: Session, term: TermCode, school_ids: set[int], student_ids: set[int]) -> int:
    """Delete the term's records of the file's schools whose students are not in the file."""
    stored = fetch_by(session, [RosterRecord.id, RosterRecord.student_id], RosterRecord.school_id, school_ids,
                      RosterRecord.term_code == term.code)
    gone = [rec.id for rec in stored if rec.student_id not in student_ids]
    for chunk in chunks(gone):
        session.execute(delete(RosterRecord).where(in_keys(RosterRecord.id, chunk)))
    return len(gone)


def _analyze_after_bulk_load(session: Session, rows_written: int) -> None:
    """Refresh PostgreSQL's statistics after a large load so the next import's lookups use the indexes."""
    if rows_written >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE student, roster_record, roster_agg"))


def import_roster(session: Session, path: str | Path, term: str) -> ImportResult:
    """Import one term's roster; it replaces that term's records of the schools in the file."""
    try:
        term_code = parse_term(term)
    except ValueError as exc:
        return rejected("roster", [ImportProblem(0, "term", term, str(exc))])
    problems: list[ImportProblem] = []
    try:
        with open_table(path, ROSTER_COLUMNS) as table:
            rows = parse_rows(table, ROSTER_COLUMNS, problems)
            headers = {c.key: table.header(c) for c in ROSTER_COLUMNS}
            present = {c.name for c in ROSTER_COLUMNS if c.key in table.found}
    except UnreadableFile as exc:
        return rejected("roster", exc.problems)
    schools = _check(session, rows, headers, term_code, problems)
    if problems:
        return rejected("roster", problems)
    _ensure_term(session, term_code)
    keep = {f for f in _IDENTITY + _RECORD if f not in _OPTIONAL or f in present}
    identity_fields = [f for f in _IDENTITY if f in keep]
    record_fields = [f for f in _RECORD if f in keep]
    new = changed = unchanged = 0
    old_schools: set[int] = set()
    file_students: set[int] = set()
    for chunk in chunks(rows):          # one lookup per table and chunk; memory stays bounded by the chunk
        students, identity_changed = _sync_students(session, chunk, identity_fields)
        counts = _sync_records(session, chunk, term_code, record_fields, students, schools, identity_changed)
        new, changed, unchanged = new + counts[0], changed + counts[1], unchanged + counts[2]
        old_schools |= counts[3]
        file_students.update(students.values())
    file_schools = {schools[r.school_code] for r in rows}
    removed = _remove_absent(session, term_code, file_schools, file_students)
    refresh_roster_aggregates(session, term_code.code, file_schools | old_schools)
    refresh_terms(session, terms_depending_on(session, roster_term=term_code.code))
    _analyze_after_bulk_load(session, new + removed)
    return accepted(session, "roster", path, new, changed, unchanged, removed, term=term_code.code)
