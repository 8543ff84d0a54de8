"""Import of attendance exports (issue 20 item 2) for schools that keep attendance elsewhere: .xlsx / .xls / .csv
with 学籍号, 日期 and 状态; each row whose status says unexcused absence (旷课, 缺课, 无故缺勤, 缺勤) becomes a one-day
absence report; present and excused rows (出勤, 到校, 病假, 事假, 请假) are skipped. Any problem (unknown status, a
pupil outside the importer's scope or on no roster, a bad date) is listed by row and column and nothing is written."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.inspection.access import now
from data_access.imports.readers import Column, UnreadableFile, open_table
from data_access.models import AbsenceReport, RosterRecord, School, Student, Term
from data_access.scope import Scope
from data_access.warning.refresh import request_refresh
from domain.imports.parsing import clean_text, parse_date, parse_student_no
from domain.imports.results import ImportProblem
from domain.localtime import local_today

ABSENT = frozenset({"旷课", "缺课", "无故缺勤", "缺勤", "absent", "unexcused"})
SKIPPED = frozenset({"出勤", "到校", "在校", "病假", "事假", "请假", "迟到", "早退", "present", "excused"})
COLUMNS = (Column("student_no", "学籍号", parse_student_no, aliases=("全国学籍号",)),
           Column("date", "日期", parse_date, aliases=("考勤日期",)),
           Column("status", "状态", clean_text, aliases=("考勤状态", "出勤情况")))


@dataclass
class AttendanceResult:
    """What the import did: absence days written, rows skipped (present, excused, already recorded), problems."""

    ok: bool
    written: int = 0
    skipped: int = 0
    problems: list[ImportProblem] = field(default_factory=list)


def import_attendance(session: Session, path: str | Path, scope: Scope, user_id: int | None = None) -> AttendanceResult:
    """Read the file, check every row, then write its absences (all or nothing) and rescore the schools."""
    problems: list[ImportProblem] = []
    rows: list[tuple[int, str, dt.date]] = []
    skipped = 0
    try:
        with open_table(path, COLUMNS) as table:
            idx = {c.key: table.found[c.key][0] for c in COLUMNS}
            for number, cells in table.rows:
                values = {}
                for c in COLUMNS:
                    raw = cells[idx[c.key]] if idx[c.key] < len(cells) else None
                    try:
                        values[c.key] = c.parse(raw)
                    except ValueError as exc:
                        problems.append(ImportProblem(number, table.header(c), str(raw or ""), str(exc)))
                if len(values) < len(COLUMNS):
                    continue
                status = values["status"].strip().lower()
                if status in SKIPPED:
                    skipped += 1
                elif status in ABSENT:
                    rows.append((number, values["student_no"], values["date"]))
                else:
                    problems.append(ImportProblem(number, "状态", values["status"],
                                                  "unknown status; write 旷课 / 缺课 for an unexcused absence, or "
                                                  "出勤 / 病假 / 事假 for rows that are not"))
    except UnreadableFile as exc:
        return AttendanceResult(False, problems=exc.problems)
    numbers = sorted({no for _, no, _ in rows})
    pupils: dict[str, tuple[int, School, str]] = {}
    for i in range(0, len(numbers), 900):
        latest = (select(Student.student_no, Student.id, RosterRecord.term_code, School)
                  .join(RosterRecord, RosterRecord.student_id == Student.id)
                  .join(School, School.id == RosterRecord.school_id).join(Term, Term.code == RosterRecord.term_code)
                  .where(Student.student_no.in_(numbers[i:i + 900])).order_by(Term.year, Term.semester))
        for no, sid, term, school in session.execute(latest):
            pupils[no] = (sid, school, term)                      # the newest line wins
    today = local_today() + dt.timedelta(days=1)
    for number, no, day in rows:
        found = pupils.get(no)
        if found is None or not scope.covers_school(found[1]):
            problems.append(ImportProblem(number, "学籍号", no, "no pupil with this number on a roster you may see"))
        elif day > today:
            problems.append(ImportProblem(number, "日期", day.isoformat(), "the date is in the future"))
    if problems:
        return AttendanceResult(False, problems=sorted(problems, key=lambda p: p.row))
    ids = sorted({pupils[no][0] for _, no, _ in rows})
    have = set()
    for i in range(0, len(ids), 900):
        have |= set(session.execute(select(AbsenceReport.student_id, AbsenceReport.date).where(
            AbsenceReport.student_id.in_(ids[i:i + 900]), AbsenceReport.source == "import")).all())
    stamp = now()
    written = 0
    rescore: dict[str, set[int]] = {}
    for _number, no, day in rows:
        sid, school, term = pupils[no]
        if (sid, day) in have:
            skipped += 1
            continue
        have.add((sid, day))
        session.add(AbsenceReport(student_id=sid, school_id=school.id, township_code=school.township_code, date=day,
                                  days=1, reason="", source="import", created_by=user_id, created_at=stamp))
        written += 1
        rescore.setdefault(term, set()).add(school.id)
    session.flush()
    for term, schools in rescore.items():
        request_refresh(session, term, schools)
    return AttendanceResult(True, written, skipped)
