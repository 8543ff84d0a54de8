"""Imports of well-formed files round-trip and re-import as no-ops; every error class names its row
and column and writes nothing. Runs on SQLite and, with BAOXUE_TEST_DATABASE_URL, PostgreSQL."""
from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from data_access import models as m
from data_access.imports.files import (
    ImportProblem, ImportResult, import_areas, import_boundaries, import_enrollment_history,
    import_population, import_roster, import_schools,
)
from data_access.imports.readers import UNSUPPORTED
from domain.imports.parsing import EXCEL_NUMBER, parse_date

DATA = Path(__file__).resolve().parents[1] / "data"
TERM = "2024-1"
Factory = sessionmaker[Session]
TABLES = (m.Area, m.School, m.Term, m.Student, m.RosterRecord, m.RosterAggregate, m.Population,
          m.EnrollmentHistory, m.Boundary, m.AuditLog)


def run(factory: Factory, fn: Callable[..., ImportResult], *args: Any, **kwargs: Any) -> ImportResult:
    """Run one import in its own transaction, as the CLI does."""
    with factory() as s, s.begin():
        return fn(s, *args, **kwargs)


def counts(factory: Factory) -> dict[str, int]:
    """Row count of every table an import can write."""
    with factory() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in TABLES}


def file_database(url: str) -> tuple[Engine, Factory]:
    """A SQLite file with the schema and the fixtures' areas and schools (several connections, as the app's
    processes: for tests of locks, batches and killed processes)."""
    from data_access.db import make_engine, make_sessionmaker
    from data_access.schema import stamp_head
    engine = make_engine(url)
    m.Base.metadata.create_all(engine)
    stamp_head(engine)
    factory = make_sessionmaker(engine)
    with factory() as s, s.begin():
        import_areas(s, DATA / "areas.csv")
    with factory() as s, s.begin():
        import_schools(s, DATA / "schools.csv")
    return engine, factory


def read_csv(name: str) -> list[list[str]]:
    """The rows of a fixture CSV (UTF-8)."""
    with (DATA / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    """Write rows as a UTF-8 CSV."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[Any]], title_rows: int = 0) -> Path:
    """Write rows to a workbook (empty strings become empty cells), after optional title rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(title_rows):
        ws.append([f"测试标题 {i + 1}"])
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    wb.save(path)
    return path


def excel_roster(rows: list[list[str]]) -> list[list[Any]]:
    """A roster as Excel holds it: dates as date cells, grades and 10-digit school codes as numbers."""
    header, out = rows[0], [rows[0]]
    birth, school, grade = (header.index(h) for h in ("出生日期", "学校标识码", "年级"))
    for row in rows[1:]:
        typed: list[Any] = list(row)
        typed[birth] = dt.datetime.combine(parse_date(row[birth]), dt.time())
        typed[school] = int(row[school])
        typed[grade] = int(row[grade]) if row[grade].isdigit() else row[grade]
        out.append(typed)
    return out


def problem_at(result: ImportResult, row: int, column: str) -> ImportProblem:
    """The problem of a rejected result at this row and column."""
    assert not result.ok, result.summary()
    found = [p for p in result.problems if p.row == row and p.column == column]
    assert found, f"no problem at row {row}, {column}; got:\n{result.report()}"
    return found[0]


@pytest.fixture
def base(session_factory: Factory) -> Factory:
    """A database with the fixture areas and schools imported."""
    assert run(session_factory, import_areas, DATA / "areas.csv").ok
    assert run(session_factory, import_schools, DATA / "schools.csv").ok
    return session_factory


@pytest.fixture
def rostered(base: Factory) -> Factory:
    """A database with areas, schools and the fixture roster of 2024-1."""
    assert run(base, import_roster, DATA / "roster.csv", TERM).ok
    return base


def roster_state(factory: Factory) -> list[tuple[Any, ...]]:
    """Every stored roster record with its student, for comparing imports."""
    with factory() as s:
        q = (select(m.Student.student_no, m.Student.name, m.Student.gender, m.Student.birth_date,
                    m.Student.id_number, m.School.code, m.RosterRecord.term_code, m.RosterRecord.grade,
                    m.RosterRecord.class_name, m.RosterRecord.status, m.RosterRecord.household_code,
                    m.RosterRecord.guardian_name, m.RosterRecord.guardian_phone,
                    m.RosterRecord.poverty_registered, m.RosterRecord.disability, m.RosterRecord.left_behind,
                    m.RosterRecord.migrant, m.RosterRecord.age)
             .join(m.Student, m.Student.id == m.RosterRecord.student_id)
             .join(m.School, m.School.id == m.RosterRecord.school_id).order_by(m.Student.student_no))
        return [tuple(r) for r in s.execute(q)]


# --- areas and schools -------------------------------------------------------------------------

def test_areas_import_builds_the_hierarchy_and_reimport_is_a_no_op(session_factory: Factory, tmp_path: Path) -> None:
    result = run(session_factory, import_areas, DATA / "areas.csv")
    assert (result.ok, result.new, result.changed, result.unchanged) == (True, 7, 0, 0)
    assert result.summary() == "imported: 7 rows (7 new / 0 changed / 0 unchanged)"
    with session_factory() as s:
        county = s.get(m.Area, "532822000000")
        village = s.get(m.Area, "532822101201")
        assert (county.name, county.level, county.parent_code) == ("勐海县", "county", "532800000000")
        assert (village.level, village.parent_code) == ("village", "532822101000")
        assert s.get(m.Area, "530000000000").parent_code is None
    before = counts(session_factory)
    again = run(session_factory, import_areas, write_xlsx(tmp_path / "areas.xlsx", read_csv("areas.csv")))
    assert (again.new, again.changed, again.unchanged) == (0, 0, 7)
    assert counts(session_factory) == {**before, "audit_log": before["audit_log"] + 1}


def test_areas_reimport_with_a_new_name_counts_one_changed(session_factory: Factory, tmp_path: Path) -> None:
    run(session_factory, import_areas, DATA / "areas.csv")
    rows = read_csv("areas.csv")
    rows[4][1] = "勐海镇（新）"
    rows.append(["532822103000", "测试乡", "township", "532822000000"])    # English level name
    refused = run(session_factory, import_areas, write_csv(tmp_path / "areas.csv", rows))   # a rename is confirmed
    assert not refused.ok and "--confirm-renames" in refused.report()
    result = run(session_factory, import_areas, write_csv(tmp_path / "areas.csv", rows), confirm_renames=True)
    assert (result.new, result.changed, result.unchanged) == (1, 1, 6)
    with session_factory() as s:
        assert s.get(m.Area, "532822101000").name == "勐海镇（新）"
        assert s.get(m.Area, "532822103000").level == "township"


def test_areas_children_before_parents_in_the_file_are_accepted(session_factory: Factory, tmp_path: Path) -> None:
    rows = read_csv("areas.csv")
    result = run(session_factory, import_areas, write_csv(tmp_path / "a.csv", [rows[0], *reversed(rows[1:])]))
    assert result.ok and result.new == 7


@pytest.mark.parametrize(("row", "column", "value", "reason"), [
    (5, "上级代码", "", "must not be empty: area 532822000000 lies above"),
    (5, "上级代码", "532822101201", "the parent is a village, not above a township"),
    (5, "上级代码", "532822101000", "cannot be its own parent"),
    (4, "区划代码", "532822001000", "a county code ends in 6 zeros"),
])
def test_areas_hierarchy_problems(session_factory: Factory, tmp_path: Path, row: int, column: str, value: str,
                                  reason: str) -> None:
    rows = read_csv("areas.csv")
    rows[row - 1][rows[0].index(column)] = value
    result = run(session_factory, import_areas, write_csv(tmp_path / "a.csv", rows))
    assert reason in problem_at(result, row, column).reason
    assert counts(session_factory)["area"] == 0


def test_areas_parent_outside_the_parent_code_is_rejected(session_factory: Factory, tmp_path: Path) -> None:
    rows = read_csv("areas.csv") + [["532823101000", "外县镇", "乡镇", "532822000000"]]
    result = run(session_factory, import_areas, write_csv(tmp_path / "a.csv", rows))
    assert "does not lie inside" in problem_at(result, 9, "上级代码").reason


def test_schools_import_and_reimport(session_factory: Factory, tmp_path: Path) -> None:
    run(session_factory, import_areas, DATA / "areas.csv")
    result = run(session_factory, import_schools, DATA / "schools.csv")
    assert (result.new, result.changed, result.unchanged) == (3, 0, 0)
    with session_factory() as s:
        central = s.scalar(select(m.School).where(m.School.code == "2153000001"))
        other = s.scalar(select(m.School).where(m.School.code == "2153000002"))
    assert (central.is_central, central.type, central.township_code, central.lon, central.lat) == \
        (True, "小学", "532822101000", 100.45, 21.96)
    assert (other.is_central, other.lon, other.lat) == (False, None, None)
    rows = read_csv("schools.csv")
    again = run(session_factory, import_schools, write_xlsx(tmp_path / "s.xlsx", rows))
    assert (again.new, again.changed, again.unchanged) == (0, 0, 3)
    rows[2][2] = "九年一贯制"
    changed = run(session_factory, import_schools, write_csv(tmp_path / "s.csv", rows))
    assert (changed.new, changed.changed, changed.unchanged) == (0, 1, 2)


def test_schools_without_coordinate_columns_keep_stored_coordinates(session_factory: Factory, tmp_path: Path) -> None:
    run(session_factory, import_areas, DATA / "areas.csv")
    run(session_factory, import_schools, DATA / "schools.csv")
    rows = [r[:5] for r in read_csv("schools.csv")]
    result = run(session_factory, import_schools, write_csv(tmp_path / "s.csv", rows))
    assert (result.changed, result.unchanged) == (0, 3)
    with session_factory() as s:
        assert s.scalar(select(m.School.lon).where(m.School.code == "2153000001")) == 100.45


def test_school_in_a_village_is_rejected(session_factory: Factory, tmp_path: Path) -> None:
    run(session_factory, import_areas, DATA / "areas.csv")
    rows = read_csv("schools.csv")
    rows[1][3] = "532822101201"
    result = run(session_factory, import_schools, write_csv(tmp_path / "s.csv", rows))
    assert problem_at(result, 2, "所在乡镇代码").reason == "is a village, not a township"
    assert counts(session_factory)["school"] == 0


# --- roster --------------------------------------------------------------------------------------

def test_roster_import_stores_students_records_term_and_aggregates(base: Factory) -> None:
    result = run(base, import_roster, DATA / "roster.csv", TERM)
    assert (result.ok, result.new, result.changed, result.unchanged, result.removed) == (True, 5, 0, 0, 0)
    state = {r[0]: r for r in roster_state(base)}
    first = state["G990101201503050010"]
    assert first[1:] == ("测试甲", "男", dt.date(2015, 3, 5), "990101201503050010", "2153000001", TERM, 3, "3班",
                         "在读", "532822101201", "测试家长甲", "13800000001", False, "无", True, False, 9)
    assert state["G990101201406070020"][7:] == (4, "1班", "休学", None, None, None, True, "视力", False, False, 10)
    assert state["1234567890123456789"][7] == 7 and state["1234567890123456789"][12] == "0871-12345678"
    assert state["L990101201109090040"][7:10] == (8, "1班", "辍学")
    assert state["L990101201109090040"][14] == "无"          # empty disability is 无
    with base() as s:
        term = s.get(m.Term, TERM)
        assert (term.year, term.semester, term.start_date) == (2024, 1, dt.date(2024, 9, 1))
        assert s.scalar(select(func.sum(m.RosterAggregate.students))) == 5
        audit = s.scalars(select(m.AuditLog).where(m.AuditLog.entity == "roster")).one()
    assert (audit.action, audit.entity_key) == ("import", "roster.csv")
    assert json.loads(audit.after) == {"new": 5, "changed": 0, "unchanged": 0, "removed": 0, "term": TERM,
                                       "missing": 0, "previous_term": None,
                                       "schools": ["2153000001", "2153000002"],
                                       "import_id": result.import_id}


def test_roster_reimport_changes_nothing(rostered: Factory, tmp_path: Path) -> None:
    before, state = counts(rostered), roster_state(rostered)
    csv_again = run(rostered, import_roster, DATA / "roster.csv", TERM)
    xlsx_again = run(rostered, import_roster, write_xlsx(tmp_path / "r.xlsx", excel_roster(read_csv("roster.csv"))),
                     TERM)
    for result in (csv_again, xlsx_again):
        assert (result.new, result.changed, result.unchanged, result.removed) == (0, 0, 5, 0)
    assert roster_state(rostered) == state
    assert counts(rostered) == {**before, "audit_log": before["audit_log"] + 2}


@pytest.mark.parametrize("name", ["roster_gbk.csv", "roster_bom.csv", "roster_title_fullwidth.csv"])
def test_roster_encodings_title_rows_and_full_width_read_the_same(base: Factory, name: str) -> None:
    result = run(base, import_roster, DATA / name, TERM)
    assert (result.ok, result.new) == (True, 5), result.report()
    imported = roster_state(base)
    again = run(base, import_roster, DATA / "roster.csv", TERM)
    assert again.unchanged == 5 and roster_state(base) == imported


def test_roster_xlsx_with_title_rows_counts_rows_as_the_user_sees_them(base: Factory, tmp_path: Path) -> None:
    rows = excel_roster(read_csv("roster.csv"))
    rows[3][rows[0].index("年级")] = "十年级"                  # data row 3 → sheet row 3 + 2 title rows
    result = run(base, import_roster, write_xlsx(tmp_path / "r.xlsx", rows, title_rows=2), TERM)
    assert problem_at(result, 6, "年级").value == "十年级"


def test_roster_reimport_with_changes_and_removals(rostered: Factory, tmp_path: Path) -> None:
    rows = read_csv("roster.csv")
    rows[1][rows[0].index("就读状态")] = "辍学"                 # changed record
    rows[3][rows[0].index("姓名")] = "测试丙丙"                 # changed identity only
    del rows[5]                                                # removed from school 2153000001
    result = run(rostered, import_roster, write_csv(tmp_path / "r.csv", rows), TERM)
    assert (result.new, result.changed, result.unchanged, result.removed) == (0, 2, 2, 1)
    assert result.summary() == ("imported: 4 rows (0 new / 2 changed / 2 unchanged / 1 removed); "
                                "1 dropout case(s) opened in the case ledger")  # the new 辍学
    state = {r[0]: r for r in roster_state(rostered)}
    assert "G990101201601010050" not in state
    assert state["G990101201503050010"][9] == "辍学" and state["1234567890123456789"][1] == "测试丙丙"
    with rostered() as s:
        assert s.scalar(select(func.sum(m.RosterAggregate.students))) == 4
        assert s.scalar(select(func.sum(m.RosterAggregate.students)).where(m.RosterAggregate.status == "辍学")) == 2
        assert s.scalar(select(func.count()).select_from(m.Student)) == 5     # identities are kept


def test_roster_removal_looks_only_at_schools_losing_lines(rostered: Factory, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The removal's anti-join runs over the schools the compare found lines to remove in, not every school of the
    file (it read every line of a county's schools: 0.25–0.3 s for 100,000 changed lines with none removed)."""
    from sqlalchemy import event

    from data_access.imports import roster
    asked: list[set[int]] = []
    real = roster._remove_absent

    def spy(session: Session, matched: Any, term: str, schools: set[int]) -> int:
        asked.append(set(schools))
        return real(session, matched, term, schools)
    monkeypatch.setattr(roster, "_remove_absent", spy)
    deletes: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("DELETE FROM ROSTER_RECORD"):
            deletes.append(statement)
    engine = rostered.kw["bind"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        rows = read_csv("roster.csv")
        rows[1][rows[0].index("就读状态")] = "辍学"                 # a change, nobody removed
        assert run(rostered, import_roster, write_csv(tmp_path / "r.csv", rows), TERM).removed == 0
        assert asked == [set()] and deletes == []
        del rows[5]                                                # removed from school 2153000001
        assert run(rostered, import_roster, write_csv(tmp_path / "r.csv", rows), TERM).removed == 1
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    with rostered() as s:
        first = s.scalar(select(m.School.id).where(m.School.code == "2153000001"))
        schools = set(s.scalars(select(m.RosterRecord.school_id).where(m.RosterRecord.term_code == TERM)))
    assert asked[1] == {first} and len(schools) > 1 and len(deletes) == 1
    assert "G990101201601010050" not in {r[0] for r in roster_state(rostered)}


def test_roster_of_one_school_leaves_other_schools_and_terms_alone(rostered: Factory, tmp_path: Path) -> None:
    rows = read_csv("roster.csv")
    school = rows[0].index("学校标识码")
    only_first = [rows[0]] + [r for r in rows[1:] if r[school] == "2153000001"][:1]
    result = run(rostered, import_roster, write_csv(tmp_path / "r.csv", only_first), TERM)
    assert (result.unchanged, result.removed) == (1, 2)     # the other school's two students stay
    spring = run(rostered, import_roster, DATA / "roster.csv", "2024-2")
    assert (spring.new, spring.removed) == (5, 0)
    with rostered() as s:
        per_term = dict(s.execute(select(m.RosterRecord.term_code, func.count())
                                  .group_by(m.RosterRecord.term_code)).all())
    assert per_term == {TERM: 3, "2024-2": 5}


def test_student_moving_school_refreshes_both_schools_aggregates(rostered: Factory, tmp_path: Path) -> None:
    rows = read_csv("roster.csv")
    rows[1][rows[0].index("学校标识码")] = "2153000003"         # moves from 2153000001 to the teaching point
    result = run(rostered, import_roster, write_csv(tmp_path / "r.csv", rows), TERM)
    assert (result.changed, result.removed) == (1, 0)
    with rostered() as s:
        per_school = dict(s.execute(select(m.School.code, func.sum(m.RosterAggregate.students))
                                    .join(m.School, m.School.id == m.RosterAggregate.school_id)
                                    .group_by(m.School.code)).all())
    assert per_school == {"2153000001": 2, "2153000002": 2, "2153000003": 1}


def test_roster_without_optional_columns_keeps_stored_identity(rostered: Factory, tmp_path: Path) -> None:
    rows = read_csv("roster.csv")
    drop = {rows[0].index(h) for h in ("身份证件号", "户籍地代码", "监护人姓名", "监护人电话")}
    result = run(rostered, import_roster, write_csv(tmp_path / "r.csv", [[v for i, v in enumerate(r) if i not in drop]
                                                                           for r in rows]), TERM)
    assert (result.changed, result.unchanged) == (0, 5)
    state = {r[0]: r for r in roster_state(rostered)}
    assert state["G990101201503050010"][4] == "990101201503050010"
    assert state["G990101201503050010"][10:13] == ("532822101201", "测试家长甲", "13800000001")


def test_roster_english_headers_are_accepted(base: Factory, tmp_path: Path) -> None:
    keys = ["student_id", "name", "gender", "birth_date", "id_number", "school_code", "grade", "class", "status",
            "household_code", "guardian_name", "guardian_phone", "poverty_registered", "disability", "left_behind",
            "migrant"]
    rows = read_csv("roster.csv")
    result = run(base, import_roster, write_csv(tmp_path / "r.csv", [keys, *rows[1:]]), TERM)
    assert (result.ok, result.new) == (True, 5)


def test_imports_never_commit(base: Factory) -> None:
    with base() as s:
        s.begin()
        assert import_roster(s, DATA / "roster.csv", TERM).ok
        s.rollback()
    assert counts(base)["roster_record"] == 0


# --- population, history, boundaries ------------------------------------------------------------

@pytest.mark.parametrize(("fn", "name", "rows", "table", "change"), [
    (import_population, "population.csv", 18, "population", (1, "适龄人口", "99")),
    (import_enrollment_history, "history.csv", 8, "enrollment_history", (2, "在校生数", "99")),
])
def test_counts_import_reimport_and_change(base: Factory, tmp_path: Path, fn: Callable[..., ImportResult], name: str,
                                           rows: int, table: str, change: tuple[int, str, str]) -> None:
    first = run(base, fn, DATA / name)
    assert (first.new, first.changed, first.unchanged) == (rows, 0, 0)
    data = read_csv(name)
    again = run(base, fn, write_xlsx(tmp_path / "x.xlsx", data))
    assert (again.new, again.changed, again.unchanged) == (0, 0, rows)
    data[change[0]][data[0].index(change[1])] = change[2]
    changed = run(base, fn, write_csv(tmp_path / "x.csv", data))
    assert (changed.new, changed.changed, changed.unchanged) == (0, 1, rows - 1)
    assert counts(base)[table] == rows


def test_population_values_are_stored(base: Factory) -> None:
    run(base, import_population, DATA / "population.csv")
    with base() as s:
        row = s.get(m.Population, ("532822101201", 2024, 8))
    assert (row.population, row.outside_attendance, row.disabled_population) == (48, 2, 1)


@pytest.mark.parametrize(("row", "column", "value", "reason"), [
    (2, "区划代码", "532822000000", "is a county, not a township or village"),
    (3, "外出就读", "500", "is more than the population"),
    (4, "年龄", "6", "appears more than once (first on row 2)"),
    (2, "年度", "24", "must be between 1949 and 2100"),
])
def test_population_problems(base: Factory, tmp_path: Path, row: int, column: str, value: str, reason: str) -> None:
    rows = read_csv("population.csv")
    rows[row - 1][rows[0].index(column)] = value
    result = run(base, import_population, write_csv(tmp_path / "p.csv", rows))
    problem = problem_at(result, row, "区划代码" if "once" in reason else column)
    assert problem.reason == reason
    assert counts(base)["population"] == 0


def test_boundaries_import_replaces_schematic_ones(base: Factory, tmp_path: Path) -> None:
    with base() as s, s.begin():
        s.add(m.Boundary(area_code="532822101000", geometry='{"type":"Polygon","coordinates":[]}', schematic=True))
    result = run(base, import_boundaries, DATA / "boundaries.geojson")
    assert (result.new, result.changed, result.unchanged) == (1, 1, 0)
    again = run(base, import_boundaries, DATA / "boundaries.geojson")
    assert (again.new, again.changed, again.unchanged) == (0, 0, 2)
    with base() as s:
        stored = s.get(m.Boundary, "532822101000")
    assert stored.schematic is False and json.loads(stored.geometry)["type"] == "Polygon"


def test_boundaries_with_a_named_code_property(base: Factory, tmp_path: Path) -> None:
    data = json.loads((DATA / "boundaries.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["properties"] = {"adcode": int(feature["properties"]["code"])}   # a number, as many tools write
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert run(base, import_boundaries, path, "adcode").new == 2
    missing = run(base, import_boundaries, path)
    assert problem_at(missing, 1, "code").reason == "the feature has neither a code (code) nor a name (name)"


@pytest.mark.parametrize(("edit", "row", "column", "reason"), [
    (lambda f: f["properties"].update(code="532822199000"), 2, "code", "no area with this code is imported"),
    (lambda f: f["properties"].update(code="53282210200"), 2, "code", "must be a 6-, 9- or 12-digit division code"),
    (lambda f: f["properties"].update(code=532822), 2, "code", "is a county, not a township or village"),
    (lambda f: f.update(geometry={"type": "Polygon", "coordinates": [[["a", 21]]]}), 2, "geometry",
     "has a position that is not longitude, latitude"),
    (lambda f: f["properties"].update(code="532822101000"), 2, "code", "appears more than once (first on row 1)"),
    (lambda f: f.update(geometry={"type": "Point", "coordinates": [100, 21]}), 2, "geometry",
     "must be a Polygon or MultiPolygon"),
])
def test_boundary_problems(base: Factory, tmp_path: Path, edit: Callable[[dict[str, Any]], None], row: int,
                           column: str, reason: str) -> None:
    data = json.loads((DATA / "boundaries.geojson").read_text(encoding="utf-8"))
    edit(data["features"][1])
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert problem_at(run(base, import_boundaries, path), row, column).reason == reason
    assert counts(base)["boundary"] == 0


@pytest.mark.parametrize("content", [b"not json", b'{"type": "Feature"}', b"\xff\xfe"])
def test_boundaries_file_that_is_not_geojson(base: Factory, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "b.geojson"
    path.write_bytes(content)
    result = run(base, import_boundaries, path)
    assert result.problems[0].row == 0 and "GeoJSON" in result.problems[0].reason


# --- error classes: the report names row and column, and nothing is written --------------------

ERROR_FILES = [
    ("areas", "areas_bad_code_length.csv", 7, "区划代码", "must be 12 digits, not 11"),
    ("areas", "areas_unknown_parent.csv", 5, "上级代码", "no area with this code is imported or in this file"),
    ("schools", "schools_unknown_township.csv", 4, "所在乡镇代码", "no area with this code is imported"),
    ("roster", "roster_unknown_school.csv", 3, "学校标识码", "no school with this code is imported"),
    ("roster", "roster_scientific_code.csv", 3, "学校标识码", EXCEL_NUMBER),
    ("roster", "roster_bad_household_code.csv", 4, "户籍地代码",
     "must be a division code of 12 digits (or 6 or 9, padded with zeros)"),
    ("roster", "roster_bad_grade.csv", 4, "年级", "must be one of 1–9, 一年级…九年级, 初一…初三"),
    ("roster", "roster_bad_date.csv", 2, "出生日期", "not a valid calendar date"),
    ("roster", "roster_bad_status.csv", 5, "就读状态", "must be one of 在读 / 休学 / 送教上门 / 辍学 / 转出 / 毕业 / 死亡"),
    ("roster", "roster_bad_checksum.csv", 2, "身份证件号", "checksum does not match"),
    ("roster", "roster_duplicate_student.csv", 6, "全国学籍号", "appears more than once (first on row 2)"),
    ("roster", "roster_missing_column.csv", 1, "学校标识码", "required column is missing"),
    ("roster", "not_a_spreadsheet.xlsx", 1, "", "no header row found; expected columns 全国学籍号, 姓名, 性别, "
     "出生日期, 学校标识码, 年级, 班级, 残疾类型, 留守儿童, 随迁子女"),      # text, whatever its name says
    ("roster", "not_a_spreadsheet.csv", 0, "", UNSUPPORTED),
    ("roster", "not_a_spreadsheet.pdf", 0, "", UNSUPPORTED),
    ("roster", "word_document.xlsx", 0, "", "not a readable .xlsx workbook"),
    ("roster", "roster_bad_phone.csv", 3, "监护人电话", "not a mobile or landline number"),
    ("roster", "roster_bad_student_no.csv", 4, "全国学籍号", "must be G or L followed by 18 characters, or 19 digits"),
    ("roster", "roster_empty_name.csv", 5, "姓名", "must not be empty"),
    ("roster", "roster_duplicate_id.csv", 3, "身份证件号", "appears more than once (first on row 2)"),
    ("roster", "roster_id_birth_mismatch.csv", 2, "身份证件号",
     "the birth date in the ID number is 2015-03-05, but 出生日期 is 2015-03-06"),
    ("roster", "roster_id_gender_mismatch.csv", 2, "身份证件号", "the ID number is of a boy, but 性别 is 女"),
    ("roster", "roster_invalid_household.csv", 2, "户籍地代码", "not a valid division code (county, township or village)"),
    ("roster", "roster_excel_numbers.xlsx", 3, "身份证件号", EXCEL_NUMBER),
    ("population", "population_unknown_area.csv", 4, "区划代码", "no area with this code is imported"),
]


def _import(kind: str, factory: Factory, path: Path) -> ImportResult:
    if kind == "areas":
        return run(factory, import_areas, path)
    if kind == "schools":
        return run(factory, import_schools, path)
    if kind == "population":
        return run(factory, import_population, path)
    return run(factory, import_roster, path, TERM)


@pytest.mark.parametrize(("kind", "name", "row", "column", "reason"), ERROR_FILES, ids=[e[1] for e in ERROR_FILES])
def test_error_file_names_row_and_column_and_writes_nothing(session_factory: Factory, kind: str, name: str, row: int,
                                                            column: str, reason: str) -> None:
    if kind in ("schools", "roster", "population"):
        run(session_factory, import_areas, DATA / "areas.csv")
    if kind == "roster":
        run(session_factory, import_schools, DATA / "schools.csv")
    before = counts(session_factory)
    result = _import(kind, session_factory, DATA / name)
    assert problem_at(result, row, column).reason == reason
    assert len(result.problems) == 1, result.report()
    assert result.summary() == "rejected: 1 problem(s); nothing was written"
    if column in ("身份证件号", "监护人电话"):      # a minor's ID number or phone is not repeated in full
        assert "'" not in result.report() or "…'" in result.report()
    if name == "roster_bad_checksum.csv":
        assert result.report() == "row 2, 身份证件号, '9901…': checksum does not match"
    assert counts(session_factory) == before


def test_excel_numbers_in_code_columns_are_reported(base: Factory, tmp_path: Path) -> None:
    rows = excel_roster(read_csv("roster.csv"))
    rows[2][rows[0].index("全国学籍号")] = None
    rows[3][rows[0].index("全国学籍号")] = 1.2345678901234568e18      # 19 digits: Excel keeps only 15
    rows[1][rows[0].index("身份证件号")] = 990101201503050010          # 18 digits as a number
    rows[4][rows[0].index("户籍地代码")] = 53282210200                 # 11-digit number
    before = counts(base)
    result = run(base, import_roster, write_xlsx(tmp_path / "r.xlsx", rows), TERM)
    assert problem_at(result, 3, "全国学籍号").reason == "must not be empty"
    assert problem_at(result, 4, "全国学籍号").reason == EXCEL_NUMBER
    assert problem_at(result, 2, "身份证件号").reason == EXCEL_NUMBER
    assert problem_at(result, 5, "户籍地代码").reason == EXCEL_NUMBER
    assert counts(base) == before


def test_every_problem_of_a_file_is_reported_in_row_order(base: Factory, tmp_path: Path) -> None:
    rows = read_csv("roster.csv")
    h = rows[0]
    rows[5][h.index("性别")] = "未知"
    rows[2][h.index("学校标识码")] = "2153999999"
    rows[2][h.index("监护人电话")] = "12345"
    rows[4][h.index("出生日期")] = "2024-09-01"
    result = run(base, import_roster, write_csv(tmp_path / "r.csv", rows), TERM)
    assert [(p.row, p.column) for p in result.problems] == [
        (3, "监护人电话"), (3, "学校标识码"), (5, "出生日期"), (5, "身份证件号"), (6, "性别")]
    assert result.report().splitlines()[0] == "row 3, 监护人电话, '1234…': not a mobile or landline number"
    assert counts(base)["student"] == 0


def test_invalid_term_is_a_problem(base: Factory) -> None:
    result = run(base, import_roster, DATA / "roster.csv", "2024-3")
    assert problem_at(result, 0, "term").reason == "term code '2024-3' is not of the form YYYY-1 or YYYY-2"
    assert counts(base)["term"] == 0


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("roster.pdf", b"%PDF-1.4", UNSUPPORTED),
    ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "not a readable .xls workbook"),
    ("roster.csv", b"a,b,c\n1,2,3\n", "no header row found"),
    ("roster.csv", b"", "no header row found"),
])
def test_unreadable_files(base: Factory, tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run(base, import_roster, path, TERM)
    assert not result.ok and result.problems[0].row in (0, 1) and result.problems[0].reason.startswith(reason)


def test_missing_file_is_a_problem(base: Factory, tmp_path: Path) -> None:
    result = run(base, import_roster, tmp_path / "nowhere.xlsx", TERM)
    assert problem_at(result, 0, "").reason == "file not found"


def test_xlsx_saved_as_csv_is_read_as_a_workbook(base: Factory, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", read_csv("roster.csv"))
    renamed = tmp_path / "r.csv"
    shutil.copy(path, renamed)
    assert run(base, import_roster, renamed, TERM).new == 5


def test_duplicate_header_is_a_problem(base: Factory, tmp_path: Path) -> None:
    rows = [r + [r[1]] for r in read_csv("roster.csv")]
    rows[0][-1] = "name"
    result = run(base, import_roster, write_csv(tmp_path / "r.csv", rows), TERM)
    assert problem_at(result, 1, "name").reason == "this column appears twice"


def test_empty_required_cell_is_a_problem(base: Factory, tmp_path: Path) -> None:
    rows = read_csv("roster.csv")
    rows[2][rows[0].index("姓名")] = " "
    result = run(base, import_roster, write_csv(tmp_path / "r.csv", rows), TERM)
    assert problem_at(result, 3, "姓名").reason == "must not be empty"


def test_problem_line_format() -> None:
    assert ImportProblem(5, "身份证件号", "5328", "checksum does not match").line() == \
        "row 5, 身份证件号, '5328': checksum does not match"
    assert ImportProblem(0, "", "", "file not found").line() == "row 0: file not found"
    assert ImportProblem(2, "姓名", "甲" * 50, "longer than 40").line().endswith("…': longer than 40")


def test_file_with_only_a_header_is_a_problem(base: Factory, tmp_path: Path) -> None:
    result = run(base, import_roster, write_csv(tmp_path / "r.csv", read_csv("roster.csv")[:1]), TERM)
    assert problem_at(result, 2, "").reason == "the file has no data rows below the header"
    assert counts(base)["term"] == 0


def test_large_import_refreshes_postgresql_statistics(base: Factory, monkeypatch: pytest.MonkeyPatch) -> None:
    from data_access.imports import roster as roster_module
    monkeypatch.setattr(roster_module, "ANALYZE_AFTER", 1)      # ANALYZE runs inside the caller's transaction
    assert run(base, import_roster, DATA / "roster.csv", TERM).new == 5
    assert counts(base)["roster_record"] == 5
    from sqlalchemy import text
    from data_access.partitions import is_partitioned, partition_name
    with base() as s:
        if is_partitioned(s.connection(), "roster_record"):   # the term's partitions were analyzed: their row counts
            for table in ("roster_record", "roster_agg"):        # known (a never-analyzed table says -1)
                tuples = s.scalar(text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"),
                                  {"t": partition_name(table, TERM)})
                assert tuples is not None and tuples > 0, table


def test_a_load_small_beside_the_term_is_not_analyzed(base: Factory, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a load that changes a table by at least 1/ANALYZE_SHARE of its rows (or a never-analyzed table) is
    analyzed: a county into a province database leaves the statistics to autovacuum."""
    from sqlalchemy import event
    from data_access.imports import roster as roster_module
    if base.kw["bind"].dialect.name != "postgresql":
        pytest.skip("statistics are PostgreSQL's")
    analyzed: list[str] = []
    event.listen(base.kw["bind"], "before_cursor_execute",
                 lambda _c, _cu, statement, *_a: analyzed.append(statement)
                 if statement.startswith("ANALYZE ") and "import_" not in statement else None)  # (not its temp tables)
    monkeypatch.setattr(roster_module, "ANALYZE_AFTER", 1)
    assert run(base, import_roster, DATA / "roster.csv", TERM).new == 5
    assert len(analyzed) == 1 and "student" in analyzed[0]          # never analyzed: every table
    analyzed.clear()
    rows = read_csv("roster.csv")
    del rows[5]                                                      # one pupil removed: 1 of 5 lines
    monkeypatch.setattr(roster_module, "ANALYZE_SHARE", 1)          # (as if the term held more than 1 line each)
    assert run(base, import_roster, write_csv(tmp_path / "r.csv", rows), TERM).removed == 1
    assert analyzed == []
    monkeypatch.setattr(roster_module, "ANALYZE_SHARE", 10)         # 1 of 5: a fifth of the term's lines
    assert run(base, import_roster, DATA / "roster.csv", TERM).new == 1
    assert len(analyzed) == 1 and "roster_record" in analyzed[0], analyzed


def test_the_writing_phase_reports_its_rows(base: Factory) -> None:
    """The writing phase's progress rises to the file's rows (a one-batch import reported 0 rows written throughout
    when the batches were first sized by time)."""
    from data_access.imports.core import WRITING
    seen: list[tuple[int, int]] = []
    result = run(base, import_roster, DATA / "roster.csv", TERM,
                 progress=lambda done, total, phase: seen.append((done, total)) if phase == WRITING else None)
    assert result.ok and result.new == 5
    assert [d for d, _t in seen] == sorted(d for d, _t in seen) and seen[-1] == (5, 5) and seen[0][0] == 0, seen


def test_a_failing_statement_under_a_local_setting_raises_its_own_error(base: Factory) -> None:
    """PostgreSQL: a statement failing inside local_setting raises its own error, not "current transaction is
    aborted" from putting the setting back; the rollback undoes the setting."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    from data_access.imports.bulk import is_postgresql, local_setting
    with base() as s:
        if not is_postgresql(s):
            pytest.skip("settings are PostgreSQL's")
        before = s.execute(text("SELECT current_setting('enable_hashjoin')")).scalar()
        with pytest.raises(DBAPIError) as failed, local_setting(s, "enable_hashjoin", "off"):
            s.execute(text("SELECT 1 / 0"))
        assert "division by zero" in str(failed.value) and "aborted" not in str(failed.value)
        s.rollback()
        assert s.execute(text("SELECT current_setting('enable_hashjoin')")).scalar() == before


def test_excel_unicode_text_export_is_read(base: Factory, tmp_path: Path) -> None:
    text = "\r\n".join("\t".join(r) for r in read_csv("roster.csv")) + "\r\n"
    path = tmp_path / "roster.txt"
    path.write_bytes(text.encode("utf-16"))                    # UTF-16 with BOM, tab-separated
    result = run(base, import_roster, path, TERM)
    assert (result.ok, result.new) == (True, 5), result.report()


def test_boundaries_collection_without_features_is_a_problem(base: Factory, tmp_path: Path) -> None:
    path = tmp_path / "b.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    assert problem_at(run(base, import_boundaries, path), 0, "").reason == "the collection has no features"


def test_a_repeated_bad_value_is_reported_on_every_row(base: Factory, tmp_path: Path) -> None:
    rows = read_csv("roster.csv")
    for row in rows[2:5]:
        row[rows[0].index("就读状态")] = "在校"
    result = run(base, import_roster, write_csv(tmp_path / "r.csv", rows), TERM)
    assert [p.row for p in result.problems] == [3, 4, 5]


def test_roster_import_opens_a_confirmed_case_for_each_dropout_once(base: Factory) -> None:
    from data_access.models import DropoutCase
    first = run(base, import_roster, DATA / "roster.csv", TERM)
    assert first.cases_opened == 1 and "1 dropout case(s) opened" in first.summary()
    with base() as s:
        cases = s.execute(select(m.Student.student_no, DropoutCase.ledger, DropoutCase.source, DropoutCase.status)
                          .join(m.Student, m.Student.id == DropoutCase.student_id)).all()
    assert [tuple(c) for c in cases] == [("L990101201109090040", "confirmed", "roster_import", "open")]
    assert run(base, import_roster, DATA / "roster.csv", TERM).cases_opened == 0  # re-import: nothing new


def _published(tmp_path: Path, props: Callable[[dict[str, Any]], dict[str, Any]]) -> Path:
    """The test boundary file with each feature's properties rewritten as a public file has them."""
    data = json.loads((DATA / "boundaries.geojson").read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["properties"] = props(feature["properties"])
    path = tmp_path / "published.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_boundaries_as_published_codes_of_9_digits_as_numbers(base: Factory, tmp_path: Path) -> None:
    path = _published(tmp_path, lambda p: {"adcode": int(p["code"][:9]), "name": p["name"]})  # 532822101
    assert run(base, import_boundaries, path, "adcode").new == 2
    with base() as s:
        assert s.get(m.Boundary, "532822101000") is not None and s.get(m.Boundary, "532822102000") is not None


def test_boundaries_with_names_only_match_the_imported_townships(base: Factory, tmp_path: Path) -> None:
    path = _published(tmp_path, lambda p: {"name": p["name"]})
    assert run(base, import_boundaries, path).new == 2
    unknown = _published(tmp_path, lambda p: {"name": "不存在镇" if p["code"].endswith("102000") else p["name"]})
    result = run(base, import_boundaries, unknown)
    assert problem_at(result, 2, "name").reason == "no imported township or village has this name"
    assert problem_at(result, 2, "name").value == "不存在镇"  # listed, so the county can fix the name


def test_gcj02_boundaries_are_converted_to_wgs84(base: Factory, tmp_path: Path) -> None:
    import prcoords
    wgs = json.loads((DATA / "boundaries.geojson").read_text(encoding="utf-8"))
    first = list(wgs["features"][0]["geometry"]["coordinates"][0][0])
    shifted = prcoords.wgs_gcj(prcoords.Coords(first[1], first[0]))  # what a Chinese map service publishes
    assert abs(shifted.lon - first[0]) > 1e-3  # GCJ-02 lies hundreds of metres off
    for feature in wgs["features"]:
        for ring in feature["geometry"]["coordinates"]:
            for position in ring:
                g = prcoords.wgs_gcj(prcoords.Coords(position[1], position[0]))
                position[0], position[1] = g.lon, g.lat
    path = tmp_path / "gcj.geojson"
    path.write_text(json.dumps(wgs), encoding="utf-8")
    assert run(base, import_boundaries, path, datum="gcj02").new == 2
    with base() as s:
        back = json.loads(s.get(m.Boundary, "532822101000").geometry)["coordinates"][0][0]
    assert abs(back[0] - first[0]) < 1e-5 and abs(back[1] - first[1]) < 1e-5  # where the schools are
    assert problem_at(run(base, import_boundaries, path, datum="bd09"), 0, "").reason.startswith("unknown coordinates")


def test_a_small_file_is_matched_by_index_probes_with_the_same_result(rostered: Factory, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL a file small beside the student table is matched with hash joins off (a county into a province
    database: 0.2 s of index probes instead of hashing 5 M students), and written with hash and merge joins off (the
    updates of changed lines and students and their undo copies); the result is the file's, and the settings are
    back as they were for the rest of the import's transaction."""
    from sqlalchemy import text
    from data_access.imports import bulk, roster
    seen: list[bool] = []
    real = roster.local_setting

    def spy(session, name, value, when=True):  # noqa: ANN001, ANN202
        seen.append(when and bulk.is_postgresql(session))
        return real(session, name, value, when)
    monkeypatch.setattr(roster, "local_setting", spy)
    monkeypatch.setattr(roster, "PROBE_SHARE", 0)       # any stored students make this file "small"
    with rostered() as s, s.begin():
        if bulk.is_postgresql(s):
            s.execute(text("ANALYZE student"))
    rows = read_csv("roster.csv")
    rows[1][rows[0].index("就读状态")] = "辍学"
    rows[1][rows[0].index("学校标识码")] = "2153000003"         # a move, a changed record
    del rows[5]
    with rostered() as s, s.begin():
        result = import_roster(s, write_csv(tmp_path / "r.csv", rows), TERM)
        after = s.execute(text("SELECT current_setting('enable_hashjoin') || current_setting('enable_mergejoin')")
                          ).scalar() if bulk.is_postgresql(s) else "onon"
    assert result.ok and (result.new, result.changed, result.unchanged, result.removed) == (0, 1, 3, 1)
    from tests.conftest import PG_URL
    assert after == "onon" and seen == [bool(PG_URL)] * 3         # matching (hash), writing (hash, merge)
    state = {r[0]: r for r in roster_state(rostered)}
    assert state["G990101201503050010"][9] == "辍学" and "G990101201601010050" not in state


def test_a_roster_import_gives_the_connection_its_page_cache_back(base: Factory) -> None:
    """SQLite: the import writes with a 256 MB page cache (bulk_settings) and its connection, which returns to the
    pool, has SQLite's default again afterwards, whether the import was accepted or failed."""
    from data_access.imports import roster as roster_module
    with base() as s, s.begin():
        if s.bind.dialect.name != "sqlite":
            pytest.skip("SQLite's page cache")
        seen: list[int] = []
        real = roster_module.bulk_settings

        def noting(session):  # noqa: ANN001, ANN202
            real(session)
            seen.append(session.execute(text("PRAGMA cache_size")).scalar())
        roster_module.bulk_settings = noting
        try:
            assert import_roster(s, DATA / "roster.csv", TERM).ok
        finally:
            roster_module.bulk_settings = real
        assert seen == [-262_144]
        assert s.execute(text("PRAGMA cache_size")).scalar() == -2000
