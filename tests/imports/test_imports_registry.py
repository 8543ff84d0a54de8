"""Files as the student registry and townships really send them (title rows, aliases, total rows, Excel
cells), the cap on listed problems, students missing since the previous term, progress reports, the
user's scope, and the audit entry of a refused file."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from data_access import models as m
from data_access.imports.core import record_refusal
from domain.imports.results import ImportResult
from data_access.imports.readers import MAX_PROBLEMS
from data_access.imports.files import import_population, import_roster
from data_access.scope import Scope
from tests.imports.test_imports import (  # noqa: F401 - fixtures
    DATA, TERM, Factory, base, counts, problem_at, read_csv, rostered, roster_state, run, write_csv,
)


@pytest.mark.parametrize("name", ["roster_registry.xlsx", "roster_registry_gbk.csv", "roster_total_row.csv",
                                  "roster_cn_date_format.xlsx"])
def test_registry_exports_import_like_the_plain_file(base: Factory, name: str) -> None:  # noqa: F811
    """Title rows, a merged title cell, 学籍号/身份证号/所在学校标识码 headers, notes in brackets, Excel date and
    number cells (also in Excel's built-in Chinese date format 31, yyyy"年"m"月"d"日"), full-width digits and a
    合计/总计 row under the table."""
    result = run(base, import_roster, DATA / name, TERM)
    assert (result.ok, result.new) == (True, 5), result.report()
    imported = roster_state(base)
    again = run(base, import_roster, DATA / "roster.csv", TERM)
    assert (again.unchanged, again.changed) == (5, 0)
    assert roster_state(base) == imported


def test_problems_beyond_the_cap_are_counted_not_listed(base: Factory, tmp_path: Path) -> None:  # noqa: F811
    rows = read_csv("roster.csv")
    head, first = rows[0], rows[1]
    bad = []
    for i in range(MAX_PROBLEMS + 500):
        row = list(first)
        row[head.index("全国学籍号")] = f"G{i:018d}"
        row[head.index("身份证件号")] = ""
        row[head.index("就读状态")] = "在校"
        bad.append(row)
    result = run(base, import_roster, write_csv(tmp_path / "r.csv", [head, *bad]), TERM)
    assert result.problem_count == MAX_PROBLEMS + 500
    assert len(result.problems) == MAX_PROBLEMS
    assert [p.row for p in result.problems[:3]] == [2, 3, 4]
    assert result.summary() == f"rejected: {MAX_PROBLEMS + 500} problem(s); nothing was written"
    assert result.report().splitlines()[-1] == "… and 500 more problem(s) not listed"
    assert counts(base)["student"] == 0


def test_missing_students_of_the_previous_term(rostered: Factory, tmp_path: Path) -> None:  # noqa: F811
    rows = read_csv("roster.csv")
    h = rows[0]
    spring = [rows[0], *(r for r in rows[1:] if r[h.index("姓名")] != "测试乙")]
    result = run(rostered, import_roster, write_csv(tmp_path / "spring.csv", spring), "2024-2")
    assert result.ok and result.previous_term == TERM and result.missing_count == 1
    (gone,) = result.missing_students
    assert (gone.student_no, gone.name, gone.school_code, gone.school_name, gone.grade, gone.class_name,
            gone.status, gone.term) == ("G990101201406070020", "测试乙", "2153000001", "勐海镇中心小学", 4, "1班",
                                        "休学", TERM)
    report = result.missing_report()
    assert report.startswith("1 student(s) of the 2024-1 roster") and "G990101201406070020 测试乙" in report
    with rostered() as s:
        entry = s.scalars(select(m.AuditLog).where(m.AuditLog.entity == "roster").order_by(m.AuditLog.id.desc())
                          ).first()
    assert json.loads(entry.after)["missing"] == 1


def test_leavers_are_not_missing(rostered: Factory, tmp_path: Path) -> None:  # noqa: F811
    """Students who left with a status (转出, 毕业, 死亡) and grade 9 after the spring term are not followed up;
    a student found on another school's roster of the term is not missing either."""
    rows = read_csv("roster.csv")
    h = rows[0]
    spring = [list(r) for r in rows]
    spring[1][h.index("就读状态")] = "转出"                      # 测试甲 leaves with a transfer
    spring[3][h.index("年级")] = "九年级"                        # 测试丙 is in grade 9 in the spring
    assert run(rostered, import_roster, write_csv(tmp_path / "spring.csv", spring), "2024-2").ok
    autumn = [spring[0], spring[2], spring[4]]                 # 甲 and 丙 are gone; 丁 moves school
    autumn[2][h.index("学校标识码")] = "2153000003"
    result = run(rostered, import_roster, write_csv(tmp_path / "autumn.csv", autumn), "2025-1")
    assert result.previous_term == "2024-2"
    assert [s.name for s in result.missing_students] == ["测试戊"]
    assert result.missing_count == 1


def test_first_roster_has_no_previous_term(base: Factory) -> None:  # noqa: F811
    result = run(base, import_roster, DATA / "roster.csv", TERM)
    assert (result.previous_term, result.missing_count, result.missing_students) == (None, 0, [])
    assert result.missing_report() == ""


def test_progress_reports_checking_writing_done(base: Factory) -> None:  # noqa: F811
    calls: list[tuple[int, int, str]] = []
    result = run(base, lambda s, *a: import_roster(s, *a, progress=lambda *c: calls.append(c)),
                 DATA / "roster.csv", TERM)
    assert result.ok
    phases = [c[2] for c in calls]
    assert phases[0] == "checking" and "writing" in phases and phases[-1] == "done"
    assert calls[-1][:2] == (5, 5)
    assert all(done <= total for done, total, _ in calls)
    population: list[tuple[int, int, str]] = []
    assert run(base, lambda s, p: import_population(s, p, progress=lambda *c: population.append(c)),
               DATA / "population.csv").ok
    assert population[-1] == (18, 18, "done")


def _school_id(factory: Factory, code: str) -> int:
    with factory() as s:
        return s.scalar(select(m.School.id).where(m.School.code == code))


def test_school_staff_scope_refuses_rows_of_another_school(base: Factory) -> None:  # noqa: F811
    own = Scope("school_staff", school_id=_school_id(base, "2153000001"))
    before = counts(base)
    result = run(base, lambda s, *a: import_roster(s, *a, scope=own), DATA / "roster.csv", TERM)
    assert [(p.row, p.column) for p in result.problems] == [(4, "学校标识码"), (5, "学校标识码")]
    assert problem_at(result, 4, "学校标识码").reason == "you may import only the roster of your own school"
    assert counts(base) == before
    mine = [r for r in read_csv("roster.csv") if r[5] in ("学校标识码", "2153000001")]
    assert mine and len(mine) == 4


def test_school_staff_scope_accepts_own_school(base: Factory, tmp_path: Path) -> None:  # noqa: F811
    rows = [r for r in read_csv("roster.csv") if r[5] in ("学校标识码", "2153000001")]
    own = Scope("school_staff", school_id=_school_id(base, "2153000001"))
    result = run(base, lambda s, *a: import_roster(s, *a, scope=own), write_csv(tmp_path / "r.csv", rows), TERM)
    assert (result.ok, result.new) == (True, 3)


def test_township_scope_for_rosters_and_population(base: Factory, tmp_path: Path) -> None:  # noqa: F811
    town = Scope("township_officer", areas=(("532822101000", "township"),))
    roster = run(base, lambda s, *a: import_roster(s, *a, scope=town), DATA / "roster.csv", TERM)
    assert problem_at(roster, 4, "学校标识码").reason == "this school is outside your area"
    population = run(base, lambda s, p: import_population(s, p, scope=town), DATA / "population.csv")
    assert not population.ok
    assert {p.value for p in population.problems} == {"532822102201"}
    assert all(p.column == "区划代码" and "outside yours" in p.reason for p in population.problems)
    assert counts(base)["population"] == 0
    rows = [r for r in read_csv("population.csv") if not r[0].startswith("532822102")]
    own = run(base, lambda s, p: import_population(s, p, scope=town), write_csv(tmp_path / "p.csv", rows))
    assert (own.ok, own.new) == (True, 9)


def test_refusal_is_audited_after_the_rollback(base: Factory) -> None:  # noqa: F811
    result = run(base, import_roster, DATA / "roster_bad_checksum.csv", TERM)
    with base() as s, s.begin():
        record_refusal(s, result, "roster_bad_checksum.csv", term=TERM)
    with base() as s:
        entry = s.scalars(select(m.AuditLog).where(m.AuditLog.action == "import_refused")).one()
    assert (entry.entity, entry.entity_key) == ("roster", "roster_bad_checksum.csv")
    after = json.loads(entry.after)
    assert after == {"problems": 1, "first": ["row 2, 身份证件号, '9901…': checksum does not match"], "term": TERM}


def test_result_round_trips_through_json(rostered: Factory, tmp_path: Path) -> None:  # noqa: F811
    rows = read_csv("roster.csv")
    result = run(rostered, import_roster, write_csv(tmp_path / "r.csv", rows[:3]), "2024-2")
    data: dict[str, Any] = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    again = ImportResult.from_dict(data)
    assert again == result and again.missing_count == 1     # only the schools of the file are compared
    refused = run(rostered, import_roster, DATA / "roster_bad_date.csv", TERM)
    assert ImportResult.from_dict(json.loads(json.dumps(refused.to_dict()))) == refused


def test_one_bad_id_number_in_40000_rows_is_named_and_nothing_is_written(base: Factory, tmp_path: Path) -> None:  # noqa: F811
    """The issue's "done": a 40,000-row registry file with one wrong ID number is refused, that row and column
    named, the database untouched; the same file corrected imports every row."""
    from stdnum.cn import ric
    head = read_csv("roster.csv")[0]
    rows = [head]
    for i in range(40_000):
        birth = f"{2010 + i % 8}{1 + i % 12:02d}{1 + i % 28:02d}"
        body = f"990101{birth}{i // 168:03d}"         # the birth dates repeat every 168 rows
        male = int(body[16]) % 2 == 1
        rows.append([f"G{i:018d}", f"学生{i}", "男" if male else "女", birth, body + ric.calc_check_digit(body + "0"),
                     "2153000001" if i % 2 else "2153000002", str(1 + i % 9), f"{1 + i % 5}班", "在读", "", "", "",
                     "否", "无", "否", "否"])
    bad_row = 31_417
    good_id = rows[bad_row - 1][4]
    rows[bad_row - 1][4] = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    before = counts(base)
    result = run(base, import_roster, write_csv(tmp_path / "big.csv", rows), TERM)
    assert (result.ok, result.problem_count) == (False, 1)
    assert problem_at(result, bad_row, "身份证件号").reason == "checksum does not match"
    assert counts(base) == before
    rows[bad_row - 1][4] = good_id
    fixed = run(base, import_roster, write_csv(tmp_path / "big.csv", rows), TERM)
    assert (fixed.ok, fixed.new) == (True, 40_000)
