"""The stored school-age lines (school_age_line, issue 19) equal a fresh recount from roster_agg and the population
after every write that changes them: roster imports (whole and one school, a household moved to another township,
lines removed), population imports, a withdrawn roster, a school moved; and the pages read them (sorted and cut in
SQL) as the live computation would. Runs on SQLite and, with BAOXUE_TEST_DATABASE_URL, PostgreSQL."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from data_access.analytics.age_lines import recount
from data_access.cases.children import (AGE_FILTERABLE, AGE_SORTABLE, _line_value, _stored, age_lines, line_label,
                                       age_lines_block, longest_town_label, population_gap_lines)
from domain.grid_request import parse_grid_request, pick_rows
from data_access.imports.files import import_areas, import_population, import_roster, import_schools
from data_access.models import SchoolAgeLine
from data_access.scope import Scope
from tests.imports.test_imports import DATA, read_csv, run, write_csv

TERM = "2024-1"
Factory = sessionmaker[Session]


def stored(factory: Factory, folded: bool, term: str = TERM) -> list[tuple]:
    with factory() as s:
        return sorted((x.area_code, x.age, x.population, x.outside, x.enrolled, x.dropped, x.unplaced, x.gap)
                      for x in s.scalars(select(SchoolAgeLine).where(SchoolAgeLine.term_code == term,
                                                                    SchoolAgeLine.folded == folded)))


def fresh(factory: Factory, folded: bool, term: str = TERM) -> list[tuple]:
    with factory() as s:
        return sorted((r.area_code, r.age, r.population, r.outside, r.enrolled, r.dropped, r.unplaced, r.gap)
                      for r in recount(s, term, folded))


def assert_same(factory: Factory, term: str = TERM) -> list[tuple]:
    for folded in (False, True):
        assert stored(factory, folded, term) == fresh(factory, folded, term), f"folded={folded}"
    return stored(factory, False, term)


def base(factory: Factory) -> Factory:
    assert run(factory, import_areas, DATA / "areas.csv").ok
    assert run(factory, import_schools, DATA / "schools.csv").ok
    return factory


def test_lines_follow_roster_and_population_imports(session_factory: Factory, tmp_path: Path) -> None:
    f = base(session_factory)
    assert run(f, import_roster, DATA / "roster.csv", TERM).ok
    only_roster = assert_same(f)
    assert only_roster and all(line[2] is None for line in only_roster)   # no survey yet: no population
    assert run(f, import_population, DATA / "population.csv").ok
    lines = assert_same(f)
    assert any(line[2] is not None and line[7] > 0 for line in lines)    # the survey's gaps are there
    # a population re-import with other figures
    pop = read_csv("population.csv")
    pop = [pop[0]] + [[r[0], r[1], r[2], str(int(r[3]) + 7), r[4], r[5]] for r in pop[1:]]
    assert run(f, import_population, write_csv(tmp_path / "p.csv", pop)).ok
    assert assert_same(f) != lines
    # a roster re-import: a household moved to another township, a line dropped, a status changed
    rows = read_csv("roster.csv")
    header, body = rows[0], rows[1:]
    hh, status = header.index("户籍地代码"), header.index("就读状态")
    body[0][hh] = "532822102000"
    body[1][status] = "辍学"
    before = stored(f, False)
    assert run(f, import_roster, write_csv(tmp_path / "r.csv", [header] + body[:-1]), TERM).ok
    assert assert_same(f) != before
    # one school's roster alone, and another term
    school = header.index("学校标识码")
    first = [r for r in body if r[school] == body[0][school]]
    assert run(f, import_roster, write_csv(tmp_path / "one.csv", [header] + first), TERM).ok
    assert_same(f)
    assert run(f, import_roster, DATA / "roster.csv", "2024-2").ok
    assert_same(f, "2024-2")
    assert_same(f)


def test_pages_read_the_stored_lines_as_computed_live(session_factory: Factory) -> None:
    f = base(session_factory)
    assert run(f, import_roster, DATA / "roster.csv", TERM).ok
    assert run(f, import_population, DATA / "population.csv").ok
    county = Scope("county_leader", areas=(("532822000000", "county"),))
    village = Scope("county_leader", areas=(("532822101201", "village"),))   # counted live (not whole townships)
    assert _stored(county) and not _stored(village)
    with f() as s:
        full = age_lines(s, county, TERM)
        first = parse_grid_request({"startRow": 0, "endRow": 3}, AGE_SORTABLE, AGE_FILTERABLE)
        page, total = age_lines_block(s, county, TERM, None, first)
        assert total == len(full) > 3 and [x.row for x in page] == [x.row for x in full[:3]]
        # a sorted, filtered block in SQL over the stored lines is the one picked from the live list in memory
        for asked in ({"startRow": 0, "endRow": 50, "sortModel": [{"colId": "gap", "sort": "desc"},
                                                                  {"colId": "age", "sort": "asc"}],
                       "filterModel": {"age": {"filterType": "number", "type": "inRange", "filter": 7, "filterTo": 12},
                                       "area": {"filterType": "text", "type": "notBlank"}}},
                      {"startRow": 2, "endRow": 6, "sortModel": [{"colId": "population", "sort": "asc"}],
                       "filterModel": {"gap": {"filterType": "number", "type": "blank"}}},
                      {"startRow": 0, "endRow": 20, "sortModel": [{"colId": "found", "sort": "desc"}]},
                      # by gap going up (empty gaps first) and by gap alone going down: only the block's lines named
                      {"startRow": 0, "endRow": 30, "sortModel": [{"colId": "gap", "sort": "asc"}]},
                      {"startRow": 0, "endRow": 30, "sortModel": [{"colId": "gap", "sort": "desc"}]},
                      {"startRow": 1, "endRow": 9, "sortModel": [{"colId": "township", "sort": "desc"}]}):
            request = parse_grid_request(asked, AGE_SORTABLE, AGE_FILTERABLE)
            in_sql, n_sql = age_lines_block(s, county, TERM, None, request)
            in_memory, n_memory = pick_rows(full, request, _line_value)
            assert n_sql == n_memory and [x.row for x in in_sql] == [x.row for x in in_memory], asked
            assert [(x.area_name, x.township_name) for x in in_sql] == \
                [(x.area_name, x.township_name) for x in in_memory]
        mine, n = age_lines_block(s, village, TERM, None, first)          # counted live, picked in memory
        assert n == len(age_lines(s, village, TERM)) and len(mine) == min(3, n)
        gaps, n, children, _unplaced = population_gap_lines(s, county, TERM, limit=2)
        folded = sorted((x for x in age_lines(s, county, TERM, fold_unplaced=True) if (x.row.gap or 0) > 0),
                        key=lambda x: (-x.row.gap, x.row.area_code, x.row.age))
        assert n == len(folded) and children == sum(x.row.gap for x in folded)
        assert [x.row for x in gaps] == [x.row for x in folded[:2]]
        live = recount(s, TERM, False)
        assert [x.row for x in full] == live
        assert all(x.row.area_code == "532822101201" for x in age_lines(s, village, TERM))


def test_lines_follow_a_school_moved_to_another_township(session_factory: Factory) -> None:
    from data_access import audit
    from data_access.admin.areas import move_school
    from data_access.models import School
    f = base(session_factory)
    assert run(f, import_roster, DATA / "roster.csv", TERM).ok
    assert run(f, import_population, DATA / "population.csv").ok
    before = assert_same(f)
    with f() as s:
        school = s.scalar(select(School).where(School.code == "2153000001"))
        other = "532822102000" if school.township_code != "532822102000" else "532822101000"
    with audit.acting_as(None, "test"), f() as s, s.begin():
        move_school(s, "admin", Scope("admin", unrestricted=True), school.id, other, TERM)
    assert assert_same(f) != before   # its pupils without a household code now count toward the other township


def test_largest_gaps_come_in_index_order(session_factory: Factory) -> None:
    """PostgreSQL reads the grid's gap orders (empty gaps last going down, first going up) off its index on gap DESC
    NULLS LAST (migration 0037), in both directions, instead of sorting a province's 119,313 lines: with sorting
    made dear the plan still has no Sort of its own (only an incremental one, for ties). SQLite needs no such index
    (its NULL order is the grid's) and its planner picks by the area range: not checked there."""
    import pytest
    from sqlalchemy import text
    from data_access.cases.children import _stored_lines
    from data_access.grid import apply_grid
    f = base(session_factory)
    assert run(f, import_roster, DATA / "roster.csv", TERM).ok
    county = Scope("county_leader", areas=(("532822000000", "county"),))
    with f() as s:
        if s.get_bind().dialect.name != "postgresql":
            pytest.skip("a PostgreSQL index")
        s.execute(text("SET LOCAL enable_sort = off"))
        s.execute(text("SET LOCAL enable_seqscan = off"))
        for direction in ("desc", "asc"):
            request = parse_grid_request({"startRow": 0, "endRow": 20, "sortModel": [{"colId": "gap",
                                                                                       "sort": direction}]},
                                         AGE_SORTABLE, AGE_FILTERABLE)
            page, _count = apply_grid(_stored_lines(county, TERM, None, False), request,
                                      {"gap": SchoolAgeLine.gap}, [SchoolAgeLine.area_code, SchoolAgeLine.age])
            sql = str(page.compile(s.get_bind(), compile_kwargs={"literal_binds": True}))
            plan = [r[0] for r in s.execute(text("EXPLAIN " + sql))]
            assert any("ix_age_line_gap_desc" in line for line in plan), plan
            assert not any(line.strip().lstrip("-> ").startswith("Sort  (") for line in plan), plan


def test_townships_say_their_county_where_the_scope_spans_counties(session_factory: Factory) -> None:
    """Township names repeat from county to county (城关镇; 146 of the province demo's 1,395): a province's or a
    prefecture's school-age lines say each township's county, in the grid (sorted by figures or by the name, in SQL
    and in memory alike), its export's list and the agreement's gaps; within one county they do not."""
    import datetime as dt
    import tests.factories as fx
    from data_access.analytics.age_lines import refresh_age_lines
    from data_access.models import Area, Population
    with session_factory() as s, s.begin():
        s.add_all([Area(code="530000000000", name="云南省", level="province"),
                   Area(code="532800000000", name="西双版纳傣族自治州", level="prefecture", parent_code="530000000000"),
                   Area(code="532822000000", name="勐海县", level="county", parent_code="532800000000"),
                   Area(code="532823000000", name="勐腊县", level="county", parent_code="532800000000"),
                   Area(code="532822101000", name="城关镇", level="township", parent_code="532822000000"),
                   Area(code="532823101000", name="城关镇", level="township", parent_code="532823000000")])
        s.flush()
        for town, n in (("532822101000", 3), ("532823101000", 2)):
            school = fx.school.create(s, township_code=town)
            for age in range(7, 7 + n):
                fx.roster(s, TERM, school, grade=age - 5, birth=dt.date(2024 - age, 3, 1))
            s.add(Population(area_code=town, year=2024, age=7, population=5, outside_attendance=0,
                             disabled_population=0))
        fx.refresh(s, TERM)
        refresh_age_lines(s, TERM)
    province = Scope("county_leader", areas=(("530000000000", "province"),))
    county = Scope("county_leader", areas=(("532822000000", "county"),))
    with session_factory() as s:
        full = age_lines(s, province, TERM)
        assert {(x.township_code, x.township_name) for x in full} == {("532822101000", "勐海县 · 城关镇"),
                                                                      ("532823101000", "勐腊县 · 城关镇")}
        for asked in ({"startRow": 0, "endRow": 20, "sortModel": [{"colId": "age", "sort": "desc"}]},
                      {"startRow": 0, "endRow": 20, "sortModel": [{"colId": "township", "sort": "desc"}],
                       "filterModel": {"township": {"filterType": "text", "type": "contains", "filter": "勐腊"}}}):
            request = parse_grid_request(asked, AGE_SORTABLE, AGE_FILTERABLE)
            in_sql, n_sql = age_lines_block(s, province, TERM, None, request)
            in_memory, n_memory = pick_rows(full, request, _line_value)
            assert n_sql == n_memory and [(x.row, x.township_name) for x in in_sql] == \
                [(x.row, x.township_name) for x in in_memory], asked
        assert n_sql == 2 and {x.township_name for x in in_sql} == {"勐腊县 · 城关镇"}   # the county's name found
        gaps, _n, _children, _unplaced = population_gap_lines(s, province, TERM, limit=5)
        assert {x.township_name for x in gaps} == {"勐海县 · 城关镇", "勐腊县 · 城关镇"}
        assert {x.township_name for x in age_lines(s, county, TERM)} == {"城关镇"}            # one county: none
        assert {x.township_name for x in age_lines(s, province, TERM, "532823101000")} == {"城关镇"}   # one township
        # the title over a clicked line's children names its place as the line's row does
        assert line_label(s, province, "532823101000") == "勐腊县 · 城关镇"
        assert line_label(s, province, "532823101000", "532823101000") == "城关镇"
        assert line_label(s, county, "532822101000") == "城关镇"
        # the grid's township column is as wide as the longest label of the scope, not of its first line
        assert longest_town_label(s, province) in ("勐海县 · 城关镇", "勐腊县 · 城关镇")
        assert longest_town_label(s, county) == "城关镇"
    # the case ledgers (and their export) follow the same rule: every row of a view spanning counties says its county
    from data_access.cases.ledger import LedgerFilter, case_rows, filter_choices
    from data_access.models import RosterRecord, School
    from tests.cases.test_ledger_fixtures import case
    with session_factory() as s, s.begin():
        for town in ("532822101000", "532823101000"):
            student, school = s.execute(select(RosterRecord.student_id, School.id).join(
                School, School.id == RosterRecord.school_id).where(School.township_code == town).limit(1)).one()
            case(s, student, town, school)
    with session_factory() as s:
        today = dt.date(2024, 11, 20)
        assert sorted(r.township for r in case_rows(s, province, LedgerFilter("confirmed"), today)) == \
            ["勐海县 · 城关镇", "勐腊县 · 城关镇"]
        assert sorted(name for _code, name in filter_choices(s, province).townships) == \
            ["勐海县 · 城关镇", "勐腊县 · 城关镇"]                 # and so does the ledger's township filter
        assert [name for _code, name in filter_choices(s, county).townships] == ["城关镇"]
        assert [r.township for r in case_rows(s, province, LedgerFilter("confirmed", township="532823101000"),
                                              today)] == ["城关镇"]
        assert [r.township for r in case_rows(s, county, LedgerFilter("confirmed"), today)] == ["城关镇"]


def test_township_column_fits_the_longest_label_up_to_a_cap() -> None:
    """The school-age grid's township column is sized by the widest label of the scope (a Chinese character a font
    size, the " · " between county and township narrower), up to 12 characters; longer ones show whole on hover."""
    from components.cases.ledger import age_columns
    width = {label: age_columns(label)[0]["minWidth"] for label in
             ("", "城关镇", "勐海县 · 城关镇", "玉龙纳西族自治县 · 黄山镇", "某" * 40)}
    assert width[""] == width["城关镇"] == 110                          # the column's least width
    assert 110 < width["勐海县 · 城关镇"] < width["玉龙纳西族自治县 · 黄山镇"] == width["某" * 40] == 14 * 12 + 40
    assert age_columns("勐海县 · 城关镇")[0]["tooltipField"] == "township"
