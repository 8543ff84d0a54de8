"""Incremental unit_counts refresh (issue 19 item 2): after every write that refreshes only the schools it touched and
their chain of areas (roster import, batched import, undo, withdraw, poverty list), every unit_counts row of every
term equals, column for column, what a fresh full refresh_terms computes on the same data. Runs on SQLite and, with
BAOXUE_TEST_DATABASE_URL, PostgreSQL.

The world: one province with two prefectures and three counties, so that prefecture and province rows are re-summed
from county rows of different prefectures; pupils whose household lies in another county than their school; a
township with history figures only; population at village and township level. The consolidation base of a term is
the autumn roster CONSOLIDATION_SPAN (8) years before it: 2016-1 for 2024-1 and 2024-2."""
from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum.cn import ric

from data_access.admin.areas import move_school
from data_access.admin.withdraw import withdraw
from data_access.analytics import unit_counts
from data_access.imports import batches
from data_access.imports.files import import_poverty, import_roster
from data_access.imports.undo import undo_import
from data_access.models import (Area, EnrollmentHistory, Population, RosterAggregate, RosterRecord, School,
                                SchoolMove, Term, UnitCounts)
from data_access.scope import Scope

Factory = sessionmaker[Session]
ALL = Scope("admin", unrestricted=True)
ROSTER_HEADER = ["全国学籍号", "姓名", "性别", "出生日期", "身份证件号", "学校标识码", "年级", "班级", "就读状态",
                 "户籍地代码", "监护人姓名", "监护人电话", "脱贫户", "残疾类型", "留守儿童", "随迁子女"]
POVERTY_HEADER = ["户编号", "户主姓名", "成员姓名", "身份证号", "与户主关系", "乡镇", "行政村", "户类型"]

PROVINCE, PREF_A, PREF_B = "530000000000", "532800000000", "532900000000"
COUNTY_1, COUNTY_2, COUNTY_3 = "532822000000", "532823000000", "532901000000"
T1, T2, T3, T4, T5 = "532822101000", "532822102000", "532823101000", "532901101000", "532823102000"
V1, V2, V3, V4 = "532822101201", "532822102201", "532823101201", "532901101201"
# schools: code -> township
SCHOOLS = {"2153000001": T1, "2153000002": T2, "2153000003": T3, "2153000004": T4, "2153000005": T3,
           "2153000006": T5}
S1, S2, S3, S4, S5, S6 = sorted(SCHOOLS)


def _world(factory: Factory) -> None:
    with factory() as s, s.begin():
        s.add(Area(code=PROVINCE, name="省", level="province"))
        s.flush()
        s.add_all([Area(code=PREF_A, name="州甲", level="prefecture", parent_code=PROVINCE),
                   Area(code=PREF_B, name="市乙", level="prefecture", parent_code=PROVINCE)])
        s.flush()
        s.add_all([Area(code=COUNTY_1, name="县一", level="county", parent_code=PREF_A),
                   Area(code=COUNTY_2, name="县二", level="county", parent_code=PREF_A),
                   Area(code=COUNTY_3, name="县三", level="county", parent_code=PREF_B)])
        s.flush()
        for i, t in enumerate((T1, T2, T3, T4, T5)):
            s.add(Area(code=t, name=f"乡{i}", level="township", parent_code=t[:6] + "000000"))
        s.flush()
        for i, v in enumerate((V1, V2, V3, V4)):
            s.add(Area(code=v, name=f"村{i}", level="village", parent_code=v[:9] + "000"))
        s.flush()
        for code, town in SCHOOLS.items():
            s.add(School(code=code, name=f"学校{code[-1]}", type="小学", township_code=town, is_central=False))
        for year in (2016, 2024, 2025):
            for area, age, pop in ((V1, 7, 9), (V1, 13, 4), (T2, 8, 5), (V3, 6, 3), (T3, 14, 6), (V4, 9, 2),
                                   (T5, 10, 4)):
                s.add(Population(area_code=area, year=year, age=age, population=pop, outside_attendance=1,
                                 disabled_population=1 if age == 7 else 0))
        # consolidation base of 2024: history for T5 (on no 2016-1 roster at first) and V3 (on the roster: unused)
        s.add_all([EnrollmentHistory(area_code=T5, year=2016, grade=1, enrolled=7),
                   EnrollmentHistory(area_code=V3, year=2016, grade=1, enrolled=50)])


def _person(term: str, key: int, grade: int) -> tuple[str, str]:
    """A generated pupil: (ID number with a valid check digit, birth date), distinct per key."""
    year = int(term[:4]) - 5 - grade
    birth = dt.date(year, 1 + key % 12, 1 + key % 28)
    body = f"532822{birth:%Y%m%d}{100 + key % 800:03d}"
    return body + ric.calc_check_digit(body + "0"), birth.isoformat()


def _roster(path: Path, term: str, pupils: list[tuple], poverty_column: bool = True) -> Path:
    """pupils: (key, school code, grade, status, household code, poverty) tuples."""
    keep = [i for i, h in enumerate(ROSTER_HEADER) if poverty_column or h != "脱贫户"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([ROSTER_HEADER[i] for i in keep])
        for key, school, grade, status, household, poor in pupils:
            idn, birth = _person(term, key, grade)
            row = [f"G{idn}", f"学生{key}", "男" if key % 2 else "女", birth, idn, school, grade,
                   "1班", status, household, "家长", "13800000000", "是" if poor else "否",
                   "视力" if key % 7 == 0 else "无", "是" if key % 3 == 0 else "否", "是" if key % 5 == 0 else "否"]
            out.writerow([row[i] for i in keep])
    return path


def _pupils(first_key: int, school: str, n: int, households: list[str], grades: range = range(1, 10)
            ) -> list[tuple]:
    statuses = ["在读", "在读", "在读", "辍学", "在读", "休学", "在读", "转出"]
    return [(first_key + i, school, grades[i % len(grades)], statuses[i % len(statuses)],
             households[i % len(households)], i % 4 == 0) for i in range(n)]


def _rows(factory: Factory) -> list[tuple]:
    with factory() as s:
        t = UnitCounts.__table__
        return sorted(tuple(r) for r in s.execute(select(t)).all())


def assert_exact(factory: Factory) -> int:
    """The stored rows equal a fresh full refresh of every term (computed in a transaction rolled back)."""
    stored = _rows(factory)
    seen = len(_FULL)
    with factory() as s:
        with s.begin():
            unit_counts.refresh_terms(s)
            del _FULL[seen:]          # not a rebuild by the write under test
            t = UnitCounts.__table__
            fresh = sorted(tuple(r) for r in s.execute(select(t)).all())
            s.rollback()
    assert stored == fresh
    return len(stored)


_FULL: list[str] = []


@pytest.fixture
def full_rebuilds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The terms rebuilt whole (the real refresh runs; the list records it)."""
    _FULL.clear()
    real = unit_counts.refresh_unit_counts

    def spy(session: Session, term_code: str) -> int:
        _FULL.append(term_code)
        return real(session, term_code)
    monkeypatch.setattr(unit_counts, "refresh_unit_counts", spy)
    return _FULL


def _import(factory: Factory, path: Path, term: str) -> int:
    with factory() as s, s.begin():
        result = import_roster(s, path, term)
        assert result.ok, result.problems
        return result.import_id


@pytest.fixture
def world(session_factory: Factory, tmp_path: Path) -> Iterator[Factory]:
    """Areas, schools, population, history; the 2016-1 roster (consolidation base of 2024-1), 2024-1 and 2024-2."""
    _world(session_factory)
    base = (_pupils(1, S1, 12, [V1, ""], range(1, 3)) + _pupils(100, S3, 8, [V3, V1], range(1, 3)))
    _import(session_factory, _roster(tmp_path / "r2016.csv", "2016-1", base), "2016-1")
    autumn = (_pupils(1000, S1, 30, [V1, "", V3]) + _pupils(1100, S2, 20, [V2, T2])
              + _pupils(1200, S3, 25, [V3, V4, ""]) + _pupils(1300, S4, 15, [V4, ""])
              + [(1400, S5, 3, "在读", V3, False)])
    _import(session_factory, _roster(tmp_path / "r2024a.csv", "2024-1", autumn), "2024-1")
    spring = _pupils(2000, S1, 20, [V1, ""]) + _pupils(2100, S4, 10, [V4])
    _import(session_factory, _roster(tmp_path / "r2024b.csv", "2024-2", spring), "2024-2")
    assert assert_exact(session_factory) > 30
    yield session_factory


def test_a_pupil_moved_to_a_school_of_another_county_is_counted_incrementally(world: Factory, tmp_path: Path,
                                                                               full_rebuilds: list[str]) -> None:
    # S3's new roster (county 2) takes pupil 1003 from S1 (county 1), changes statuses, removes and adds pupils,
    # and a household in the other prefecture
    pupils = (_pupils(1200, S3, 20, [V4, V3, T1]) + [(1003, S3, 3, "在读", V2, False), (1250, S3, 5, "辍学", V4, True)])
    _import(world, _roster(tmp_path / "move.csv", "2024-1", pupils), "2024-1")
    assert full_rebuilds == []
    assert_exact(world)
    with world() as s:     # the pupil left S1 and counts at S3
        ids = dict(s.execute(select(School.code, School.id)).all())
        assert s.scalar(select(UnitCounts.enrolled).where(UnitCounts.term_code == "2024-1",
                                                          UnitCounts.unit_code == S3)) > 0
        assert ids[S1] != ids[S3]


def test_a_school_whose_last_pupil_left_has_no_row_left(world: Factory, tmp_path: Path,
                                                        full_rebuilds: list[str]) -> None:
    # S5's only pupil (household V3, county 2) moves to S4 (prefecture B): S5 closes
    pupils = _pupils(1300, S4, 15, [V4, ""]) + [(1400, S4, 3, "在读", V3, False)]
    _import(world, _roster(tmp_path / "close.csv", "2024-1", pupils), "2024-1")
    assert full_rebuilds == []
    assert_exact(world)
    with world() as s:
        assert s.scalar(select(UnitCounts.unit_code).where(UnitCounts.term_code == "2024-1",
                                                           UnitCounts.unit_code == S5)) is None


def test_the_consolidation_term_follows_its_base(world: Factory, tmp_path: Path,
                                                               full_rebuilds: list[str]) -> None:
    # S6 in T5 (until now history only for 2016) gets a 2016-1 roster: T5's base switches from history to roster
    _import(world, _roster(tmp_path / "base.csv", "2016-1", _pupils(300, S6, 6, [T5, ""], range(1, 2))), "2016-1")
    assert full_rebuilds == []
    assert_exact(world)
    with world() as s:
        src = s.scalar(select(UnitCounts.grade1_source).where(UnitCounts.term_code == "2024-1",
                                                              UnitCounts.unit_code == T5))
        assert src == "roster"
    # and a change of grade-1 pupils in county 1 of the base term
    _import(world, _roster(tmp_path / "base2.csv", "2016-1", _pupils(1, S1, 5, [V1, V2], range(1, 2))), "2016-1")
    assert full_rebuilds == []
    assert_exact(world)


def test_a_school_moved_to_another_township(world: Factory, tmp_path: Path, full_rebuilds: list[str]) -> None:
    with world() as s, s.begin():   # S2 moves from T2 (county 1) to T5 (county 2) from 2024-2 on: a full refresh
        school = s.scalar(select(School).where(School.code == S2))
        move_school(s, "admin", ALL, school.id, T5, "2024-2")
        assert s.scalar(select(SchoolMove.id)) is not None
    assert_exact(world)
    full_rebuilds.clear()
    # 2024-1: S2 still counts toward T2 for pupils without a household; 2024-2: toward T5
    _import(world, _roster(tmp_path / "a.csv", "2024-1", _pupils(1100, S2, 25, ["", V1])), "2024-1")
    _import(world, _roster(tmp_path / "b.csv", "2024-2", _pupils(2200, S2, 12, ["", V3])), "2024-2")
    assert full_rebuilds == []
    assert_exact(world)
    with world() as s:
        towns = dict(s.execute(select(UnitCounts.term_code, UnitCounts.township_code)
                               .where(UnitCounts.unit_code == S2)).all())
        assert towns == {"2024-1": T2, "2024-2": T5}


def _lines_per_school(factory: Factory) -> tuple[dict, dict]:
    """(term, school code) → roster lines, as stored on unit_counts' school rows and as counted from the lines."""
    with factory() as s:
        stored = dict(((t, c), n) for t, c, n in s.execute(select(
            UnitCounts.term_code, UnitCounts.unit_code, UnitCounts.roster_lines).where(UnitCounts.level == "school")))
        counted = dict(((t, c), n) for t, c, n in s.execute(
            select(RosterRecord.term_code, School.code, func.count()).join(School, School.id == RosterRecord.school_id)
            .group_by(RosterRecord.term_code, School.code)))
        assert s.scalar(select(func.count()).where(UnitCounts.level != "school",
                                                     UnitCounts.roster_lines.is_not(None))) == 0
    return stored, counted


def test_a_schools_row_counts_its_roster_lines_of_every_status(world: Factory, tmp_path: Path,
                                                               full_rebuilds: list[str]) -> None:
    stored, counted = _lines_per_school(world)
    assert stored == counted and stored[("2024-1", S1)] == 30      # 在读, 辍学, 休学 and 转出 lines alike
    pupils = _pupils(1200, S3, 10, [V1, T4]) + [(1003, S3, 3, "转出", V2, True)]
    _import(world, _roster(tmp_path / "l.csv", "2024-1", pupils), "2024-1")
    assert full_rebuilds == []
    stored, counted = _lines_per_school(world)
    assert stored == counted and stored[("2024-1", S3)] == 11


def test_undo_restores_counts_incrementally(world: Factory, tmp_path: Path, full_rebuilds: list[str]) -> None:
    before = _rows(world)
    pupils = _pupils(1200, S3, 10, [V1, T4]) + [(1003, S3, 3, "辍学", V2, True), (1400, S3, 3, "在读", V3, False)]
    import_id = _import(world, _roster(tmp_path / "u.csv", "2024-1", pupils), "2024-1")
    assert_exact(world)
    with world() as s, s.begin():
        undo_import(s, "admin", ALL, import_id)
    assert full_rebuilds == []
    assert_exact(world)
    assert _rows(world) == before


def test_withdraw_in_a_county_then_the_whole_term(world: Factory, full_rebuilds: list[str]) -> None:
    county = Scope("county_leader", areas=((COUNTY_2, "county"),))
    with world() as s, s.begin():
        seen = withdraw(s, "admin", county, "2024-1", "2024-1", None)
        assert seen.records > 0 and not seen.term_row_removed
    assert full_rebuilds == []
    assert_exact(world)
    with world() as s, s.begin():
        seen = withdraw(s, "admin", ALL, "2024-1", "2024-1", None)
    assert_exact(world)
    with world() as s:
        if seen.term_row_removed:
            assert s.get(Term, "2024-1") is None


def test_a_poverty_list_flags_pupils_incrementally(world: Factory, tmp_path: Path,
                                                   full_rebuilds: list[str]) -> None:
    flagged = [_person("2024-1", k, g) for k, g in ((1001, 2), (1201, 2), (1302, 3))]
    path = tmp_path / "poverty.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(POVERTY_HEADER)
        for i, (idn, _birth) in enumerate(flagged):
            w.writerow([f"H{i}", "户主", f"学生{i}", idn, "之子", T1, "", "脱贫户"])
    with world() as s, s.begin():
        assert import_poverty(s, path, "2024-1").ok
    with world() as s:
        assert s.scalar(select(RosterAggregate.id).where(RosterAggregate.term_code == "2024-1",
                                                         RosterAggregate.poverty_registered.is_(True))) is not None
    assert full_rebuilds == []
    assert_exact(world)


def test_a_roster_without_the_poverty_column_flags_from_the_list(world: Factory, tmp_path: Path,
                                                                   full_rebuilds: list[str]) -> None:
    # the list names pupil 3001 (a new line of S3's file) and 1001 (S1, already on the roster)
    listed = [_person("2024-1", 3001, 4)[0], _person("2024-1", 1001, 2)[0]]
    path = tmp_path / "poverty.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(POVERTY_HEADER)
        for i, idn in enumerate(listed):
            w.writerow([f"H{i}", "户主", f"学生{i}", idn, "之子", T3, "", "脱贫户"])
    with world() as s, s.begin():
        assert import_poverty(s, path, "2024-1").ok
    assert_exact(world)
    pupils = _pupils(1200, S3, 10, [V1, V4]) + [(3001, S3, 4, "辍学", V2, False)]
    _import(world, _roster(tmp_path / "nocol.csv", "2024-1", pupils, poverty_column=False), "2024-1")
    with world() as s:    # the new line was flagged from the list during the import
        assert s.scalar(select(UnitCounts.special_group_dropouts).where(UnitCounts.term_code == "2024-1",
                                                                        UnitCounts.unit_code == V2)) >= 1
    assert full_rebuilds == []
    assert_exact(world)


def test_an_autumn_roster_appearing_rebuilds_the_spring_term(world: Factory, tmp_path: Path,
                                                             full_rebuilds: list[str]) -> None:
    # 2025-2 first (its autumn unknown: no grade-1 base), then 2025-1's first roster: 2025-2 is rebuilt whole
    _import(world, _roster(tmp_path / "s.csv", "2025-2", _pupils(5000, S1, 10, [V1])), "2025-2")
    assert_exact(world)
    full_rebuilds.clear()
    _import(world, _roster(tmp_path / "a.csv", "2025-1", _pupils(6000, S3, 10, [V3], range(8, 10))), "2025-1")
    assert "2025-2" in full_rebuilds
    assert_exact(world)
    full_rebuilds.clear()   # a second autumn import leaves autumn_known as it was: incremental again
    _import(world, _roster(tmp_path / "a2.csv", "2025-1", _pupils(6100, S1, 10, [V1], range(8, 10))), "2025-1")
    assert full_rebuilds == []
    assert_exact(world)


def test_a_leaf_under_no_known_county_falls_back_to_the_full_refresh(world: Factory, tmp_path: Path,
                                                                     full_rebuilds: list[str]) -> None:
    # population held at the prefecture's own code: it counts toward the prefecture and the province, no county
    with world() as s, s.begin():
        s.add(Population(area_code=PREF_A, year=2024, age=8, population=11, outside_attendance=2,
                         disabled_population=0))
        unit_counts.refresh_terms(s)
    assert_exact(world)
    full_rebuilds.clear()
    _import(world, _roster(tmp_path / "m.csv", "2024-1", _pupils(1300, S4, 12, [V4, V1])), "2024-1")
    assert "2024-1" in full_rebuilds
    assert_exact(world)


def test_a_batched_import_is_counted_incrementally(world: Factory, tmp_path: Path, full_rebuilds: list[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batches, "BATCH_ROWS", 12)
    monkeypatch.setattr(batches, "BATCH_PAUSE", 0)
    monkeypatch.setattr(batches, "BATCH_SECONDS", 0)          # batches of BATCH_ROWS rows, however fast
    monkeypatch.setattr(batches, "BATCH_MIN_ROWS", 0, raising=False)
    pupils = (_pupils(1000, S1, 25, [V3, ""]) + _pupils(1200, S3, 20, [V1, V4])
              + _pupils(1300, S4, 10, [T4]) + [(1102, S4, 2, "在读", V2, False)])
    _import(world, _roster(tmp_path / "big.csv", "2024-1", pupils), "2024-1")
    assert full_rebuilds == []
    assert_exact(world)


def test_a_run_of_random_imports_and_undos_stays_exact(world: Factory, tmp_path: Path,
                                                       full_rebuilds: list[str]) -> None:
    """Random files (fixed seed): any schools, households anywhere (villages, townships, none), pupils moving between
    schools of the term, into the base, autumn and spring terms; now and then the last import undone."""
    import random
    rng = random.Random(19)
    households = [V1, V2, V3, V4, T1, T2, T3, T4, T5, ""]
    keys = {"2016-1": list(range(1, 20)) + list(range(100, 108)), "2024-1": list(range(1000, 1420)),
            "2024-2": list(range(2000, 2120))}
    last: int | None = None
    for step in range(8):
        term = rng.choice(sorted(keys))
        schools = rng.sample(sorted(SCHOOLS), rng.randint(1, 3))
        pupils = []
        for key in rng.sample(keys[term], rng.randint(3, 25)):   # some of them on another school's roster until now
            grade = rng.randint(1, 2) if term == "2016-1" else rng.randint(1, 9)
            pupils.append((key, rng.choice(schools), grade, rng.choice(["在读", "在读", "辍学", "休学", "转出"]),
                           rng.choice(households), rng.random() < 0.3))
        by_key = {p[0]: p for p in pupils}
        # the file must list each school it names; a pupil keeps one identity (grade fixes the birth date)
        pupils = [(k, s, _grade_of(term, k, g), st, h, poor) for k, (_k, s, g, st, h, poor) in by_key.items()]
        last = _import(world, _roster(tmp_path / f"r{step}.csv", term, pupils), term)
        assert full_rebuilds == [], step
        assert_exact(world)
        if step % 3 == 2:
            with world() as s, s.begin():
                undo_import(s, "admin", ALL, last)
            assert full_rebuilds == [], step
            assert_exact(world)


def _grade_of(term: str, key: int, grade: int) -> int:
    """The grade the world's files gave this pupil (so that the birth date, hence the identity, stays the same)."""
    if term == "2016-1":
        return (1, 2)[(key - (1 if key < 100 else 100)) % 2]
    first = {"2024-1": (1000, 1100, 1200, 1300, 1400), "2024-2": (2000, 2100)}[term]
    base = max(b for b in first if b <= key)
    if base == 1400:
        return 3
    return range(1, 10)[(key - base) % 9]
