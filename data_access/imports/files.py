"""Imports of the files in contract.md: areas, schools, roster, population, enrollment history,
boundaries. Each checks the whole file first and writes nothing when it finds any problem; the
caller owns the transaction (`with factory() as s, s.begin(): import_roster(s, path, "2024-1")`)."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data_access.imports.core import CHECKING, DONE, WRITING, Progress, accepted, check_unique, fetch_by, no_progress, record_refusal, rejected, upsert
from domain.imports.results import ImportResult, MissingStudent
from data_access.imports.parse import parse_rows
from data_access.imports.readers import Column, ProblemLog, Table, UnreadableFile, open_table
from domain.imports.results import ImportProblem
from data_access.imports.missing import missing_students
from data_access.imports.roster import ROSTER_COLUMNS, import_roster
from data_access.models import Area, EnrollmentHistory, Population, School, Term
from data_access.scope import Scope
from data_access.analytics.aggregates import refresh_roster_aggregates
from data_access.analytics.age_lines import refresh_age_lines_for_population
from data_access.analytics.unit_counts import refresh_terms, terms_depending_on
from data_access.imports.serial import hold_import_lock
from domain.admin.areas import AreaChanges, FileArea, StoredArea, compare_areas
from domain.areas import LEVEL_DIGITS, contains
from domain.imports.parsing import (
    LEVEL_ORDER, float_parser, int_parser, parse_area_code, parse_bool,
    parse_grade, parse_level, parse_school_code, parse_school_type, text_parser,
)

__all__ = ["ImportProblem", "ImportResult", "MissingStudent", "ROSTER_COLUMNS", "AREA_COLUMNS", "SCHOOL_COLUMNS",
           "POPULATION_COLUMNS", "HISTORY_COLUMNS", "IMPORTERS", "import_areas", "import_schools", "import_roster",
           "import_population", "import_enrollment_history", "import_boundaries", "import_poverty", "POVERTY_COLUMNS",
           "missing_students",
           "record_refusal"]

_COUNT = int_parser(0, 100_000_000)
_YEAR = int_parser(1949, 2100)

AREA_COLUMNS: tuple[Column, ...] = (
    Column("code", "区划代码", parse_area_code, aliases=("统计用区划代码", "行政区划代码")),
    Column("name", "名称", text_parser(100), aliases=("区划名称",)),
    Column("level", "级别", parse_level),
    Column("parent_code", "上级代码", parse_area_code, allow_empty=True),
)
SCHOOL_COLUMNS: tuple[Column, ...] = (
    Column("school_code", "学校标识码", parse_school_code, field="code"),
    Column("name", "学校名称", text_parser(100)),
    Column("type", "学校类型", parse_school_type),
    Column("township_code", "所在乡镇代码", parse_area_code, aliases=("乡镇代码", "所在乡镇区划代码")),
    Column("is_central", "中心校", parse_bool, allow_empty=True, default=False),
    Column("lon", "经度", float_parser(-180, 180), required=False, allow_empty=True),
    Column("lat", "纬度", float_parser(-90, 90), required=False, allow_empty=True),
)
POPULATION_COLUMNS: tuple[Column, ...] = (
    Column("area_code", "区划代码", parse_area_code, aliases=("统计用区划代码", "行政区划代码")),
    Column("year", "年度", _YEAR),
    Column("age", "年龄", int_parser(0, 30)),
    Column("population", "适龄人口", _COUNT),
    Column("outside_attendance", "外出就读", _COUNT, allow_empty=True, default=0),
    Column("disabled_population", "残疾适龄人口", _COUNT, allow_empty=True, default=0),
)
HISTORY_COLUMNS: tuple[Column, ...] = (
    Column("area_code", "区划代码", parse_area_code, aliases=("统计用区划代码", "行政区划代码")),
    Column("year", "学年", _YEAR),
    Column("grade", "年级", parse_grade),
    Column("enrolled", "在校生数", _COUNT),
)


def _read(path: str | Path, columns: Sequence[Column], problems: ProblemLog, progress: Progress | None = None
          ) -> tuple[list[Any], dict[str, str], set[str]]:
    """Parse a file: rows, header of each column as the file spells it, names of the columns present."""
    progress = progress or no_progress
    with open_table(path, columns) as table:
        progress(0, table.total_rows, CHECKING)
        rows = parse_rows(table, columns, problems)
        progress(len(rows), len(rows), CHECKING)
        return rows, _headers(table, columns), {c.name for c in columns if c.key in table.found}


def _check_scope(rows: Sequence[Any], field: str, header: str, scope: Scope | None, problems: ProblemLog,
                 reason: str) -> None:
    """Every row's area code (attribute `field`) must lie in the user's scope (None: no limit)."""
    if scope is None or scope.unrestricted:
        return
    for r in rows:
        code = getattr(r, field)
        if code and not scope.covers_area(code):
            problems.append(ImportProblem(r.row, header, code, reason))


def _written(progress: Progress | None, rows: int) -> None:
    (progress or no_progress)(rows, rows, WRITING)


def _done(progress: Progress | None, result: ImportResult) -> ImportResult:
    (progress or no_progress)(result.rows, result.rows, DONE)
    return result


def _headers(table: Table, columns: Sequence[Column]) -> dict[str, str]:
    return {c.name: table.header(c) for c in columns}


def _dicts(rows: Sequence[Any], present: set[str]) -> list[dict[str, Any]]:
    """Rows as attribute dicts, leaving out optional columns the file does not have (stored values stay)."""
    return [{k: v for k, v in r._asdict().items() if k != "row" and k in present} for r in rows]


def _key(*values: Any) -> tuple[Any, ...] | None:
    """A composite key, or None when a part could not be read."""
    return None if None in values else values


def _area_levels(session: Session, codes: set[str]) -> dict[str, str]:
    return dict(fetch_by(session, [Area.code, Area.level], Area.code, codes))


def _ancestors(code: str, level: str) -> list[str]:
    """Codes of the areas that would lie above this one (county 532822000000 → 532800000000, 530000000000)."""
    higher = LEVEL_ORDER[:LEVEL_ORDER.index(level)]
    return [c for c in (code[:LEVEL_DIGITS[h]].ljust(12, "0") for h in higher) if c != code]


def _check_areas(session: Session, rows: Sequence[Any], h: dict[str, str], problems: ProblemLog) -> None:
    check_unique(rows, lambda r: r.code, h["code"], problems)
    good = [r for r in rows if r.code and r.level]
    wanted = {r.parent_code for r in rows if r.parent_code} | {a for r in good for a in _ancestors(r.code, r.level)}
    known = {**_area_levels(session, wanted), **{r.code: r.level for r in reversed(good)}}
    for r in good:
        digits = LEVEL_DIGITS[r.level]
        if r.code[digits:].strip("0"):
            problems.append(ImportProblem(r.row, h["code"], r.code,
                                          f"a {r.level} code ends in {12 - digits} zeros"))
        if r.parent_code is None:
            above = [a for a in _ancestors(r.code, r.level) if a in known]
            if above:
                problems.append(ImportProblem(r.row, h["parent_code"], "",
                                              f"must not be empty: area {above[-1]} lies above this one"))
            continue
        parent_level = known.get(r.parent_code)
        reason = None
        if r.parent_code == r.code:
            reason = "an area cannot be its own parent"
        elif parent_level is None:
            reason = "no area with this code is imported or in this file"
        elif LEVEL_ORDER.index(parent_level) >= LEVEL_ORDER.index(r.level):
            reason = f"the parent is a {parent_level}, not above a {r.level}"
        elif not contains(r.parent_code, parent_level, r.code):
            reason = f"area code {r.code} does not lie inside this parent"
        if reason:
            problems.append(ImportProblem(r.row, h["parent_code"], r.parent_code, reason))


RENAME_REASON = "renames %(old)s to this name: confirm the renames (--confirm-renames)"
MOVE_REASON = "moves %(name)s from %(old)s to this code: confirm the renames (--confirm-renames)"
RETIRE_REASON = ("%(code)s %(name)s is no longer listed under this area: it will be retired (kept with its "
                 "history); confirm the renames (--confirm-renames)")


def area_changes(session: Session, rows: Sequence[Any], scope: Scope | None = None) -> AreaChanges:
    """What the checked rows of an areas file would change: new, renamed, moved and retired codes (only inside the
    user's area: a township admin's file retires nothing in the other townships)."""
    stored = {a.code: StoredArea(a.code, a.name, a.parent_code, a.retired)
              for a in fetch_by(session, [Area.code, Area.name, Area.parent_code, Area.retired], Area.code,
                                {r.code for r in rows})}
    # a county or township the file lists with some of its townships or villages speaks for all of them; those it
    # no longer lists are retired (a file of townships only says nothing about villages, a county's file nothing
    # about the other counties of its prefecture)
    parents = {r.parent_code for r in rows if r.parent_code and r.level in ("township", "village")} & {
        r.code for r in rows}
    if scope is not None and not scope.unrestricted:
        parents = {p for p in parents if scope.covers_area(p)}
    children: dict[str, list[StoredArea]] = {}
    for a in fetch_by(session, [Area.code, Area.name, Area.parent_code, Area.retired], Area.parent_code, parents):
        children.setdefault(a.parent_code, []).append(StoredArea(a.code, a.name, a.parent_code, a.retired))
    return compare_areas([FileArea(r.row, r.code, r.name, r.parent_code) for r in rows], stored, children)


def _unconfirmed(changes: AreaChanges, rows: Sequence[Any], h: dict[str, str], problems: ProblemLog) -> None:
    """Each rename, move and retirement as a problem of its row, for a file imported without confirming them."""
    row_of = {r.code: r.row for r in rows}
    for r in changes.renamed:
        problems.append(ImportProblem(r.row, h["name"], r.new, RENAME_REASON % {"old": r.old}))
    for m in changes.moved:
        problems.append(ImportProblem(m.row, h["code"], m.new_code, MOVE_REASON % {"name": m.name, "old": m.old_code}))
    for code, name in changes.retired:      # listed on the row of its parent, whose children the file lists
        parent = next((p for p in (code[:9] + "000", code[:6] + "000000", code[:4] + "00000000") if p in row_of), "")
        problems.append(ImportProblem(row_of.get(parent, 0), h["code"], parent,
                                      RETIRE_REASON % {"code": code, "name": name}))


def _retire(session: Session, changes: AreaChanges) -> None:
    """Mark the codes no longer listed as retired (never deleted: rosters, cases and figures refer to them), and
    bring back retired codes the file lists again."""
    today = dt.date.today()
    retired = [c for c, _n in changes.retired]
    for chunk in (retired[i:i + 500] for i in range(0, len(retired), 500)):
        session.execute(update(Area).where(Area.code.in_(chunk)).values(retired=True, retired_at=today))
    if changes.restored:
        session.execute(update(Area).where(Area.code.in_(list(changes.restored))).values(retired=False,
                                                                                         retired_at=None))


def check_areas_file(session: Session, path: str | Path, *, scope: Scope | None = None
                     ) -> tuple[list[Any], dict[str, str], set[str], ProblemLog]:
    """Read and check an areas file (nothing written): rows, headers, columns present, problems."""
    problems = ProblemLog()
    try:
        rows, h, present = _read(path, AREA_COLUMNS, problems)
    except UnreadableFile as exc:
        return [], {}, set(), exc.problems
    _check_areas(session, rows, h, problems)
    _check_area_scope(session, rows, h, scope, problems)
    return rows, h, present, problems


def _check_area_scope(session: Session, rows: Sequence[Any], h: dict[str, str], scope: Scope | None,
                      problems: ProblemLog) -> None:
    """Rows outside the user's area are refused, except the areas above it that a release lists too (province,
    prefecture) when the file leaves them as they are stored."""
    if scope is None or scope.unrestricted:
        return
    stored = {a.code: a.name for a in fetch_by(session, [Area.code, Area.name], Area.code, {r.code for r in rows})}
    above = [r for r in rows if r.code and not scope.covers_area(r.code)]
    for r in above:
        is_ancestor = any(c.startswith(r.code[:LEVEL_DIGITS[r.level]]) for c, _lvl in scope.areas) if r.level else False
        if not (is_ancestor and stored.get(r.code) == r.name):
            problems.append(ImportProblem(r.row, h["code"], r.code, "this area is outside yours"))


def import_areas(session: Session, path: str | Path, *, progress: Progress | None = None,
                 confirm_renames: bool = False, scope: Scope | None = None) -> ImportResult:
    """Import or update areas keyed by their 12-digit code; parents must be stored or in the file. A name changed
    for an existing code, a code moved and a code the release no longer lists (retired, kept with its history)
    are refused as problems of their rows unless `confirm_renames` (CLI --confirm-renames) confirms them."""
    hold_import_lock(session, progress=progress)
    problems = ProblemLog()
    try:
        rows, h, present = _read(path, AREA_COLUMNS, problems, progress)
    except UnreadableFile as exc:
        return rejected("areas", exc.problems)
    _check_areas(session, rows, h, problems)
    _check_area_scope(session, rows, h, scope, problems)
    if problems:
        return rejected("areas", problems)
    changes = area_changes(session, rows, scope)
    if changes.needs_confirmation and not confirm_renames:
        _unconfirmed(changes, rows, h, problems)
        return rejected("areas", problems)
    _written(progress, len(rows))
    ordered = sorted(rows, key=lambda r: LEVEL_ORDER.index(r.level))  # parents are written first
    counts = upsert(session, Area, ("code",), _dicts(ordered, present))
    _retire(session, changes)
    result = accepted(session, "areas", path, *counts,
                      renamed=[[r.code, r.old, r.new] for r in changes.renamed],
                      moved=[[m.name, m.old_code, m.new_code] for m in changes.moved],
                      retired=[c for c, _n in changes.retired], restored=list(changes.restored))
    if result.new or result.changed or changes.retired:
        for term in session.scalars(select(Term.code)).all():  # a household now held counts toward its own area
            refresh_roster_aggregates(session, term)
        refresh_terms(session)  # new areas change which units the counts roll up into
    return _done(progress, result)


def _check_areas_exist(session: Session, rows: Sequence[Any], field: str, header: str,
                       levels: Sequence[str] | None, problems: ProblemLog) -> None:
    """Every row's area code (attribute `field`) must be a stored area, of one of `levels` if given."""
    stored = _area_levels(session, {getattr(r, field) for r in rows if getattr(r, field)})
    for r in rows:
        code = getattr(r, field)
        if not code:
            continue
        if code not in stored:
            problems.append(ImportProblem(r.row, header, code, "no area with this code is imported"))
        elif levels and stored[code] not in levels:
            problems.append(ImportProblem(r.row, header, code, f"is a {stored[code]}, not a {' or '.join(levels)}"))


def import_schools(session: Session, path: str | Path, *, progress: Progress | None = None) -> ImportResult:
    """Import or update schools keyed by their 10-digit code; each in an imported township."""
    hold_import_lock(session, progress=progress)
    problems = ProblemLog()
    try:
        rows, h, present = _read(path, SCHOOL_COLUMNS, problems, progress)
    except UnreadableFile as exc:
        return rejected("schools", exc.problems)
    check_unique(rows, lambda r: r.code, h["code"], problems)
    _check_areas_exist(session, rows, "township_code", h["township_code"], ("township",), problems)
    if problems:
        return rejected("schools", problems)
    _written(progress, len(rows))
    return _done(progress, accepted(session, "schools", path,
                                    *upsert(session, School, ("code",), _dicts(rows, present))))


def import_population(session: Session, path: str | Path, *, scope: Scope | None = None,
                      progress: Progress | None = None) -> ImportResult:
    """Import school-age population per township or village, school year and single age; a user's scope
    refuses rows of areas outside it."""
    hold_import_lock(session, progress=progress)
    problems = ProblemLog()
    try:
        rows, h, present = _read(path, POPULATION_COLUMNS, problems, progress)
    except UnreadableFile as exc:
        return rejected("population", exc.problems)
    check_unique(rows, lambda r: _key(r.area_code, r.year, r.age), h["area_code"], problems,
                 lambda k: f"{k[0]}, year {k[1]}, age {k[2]}")
    _check_areas_exist(session, rows, "area_code", h["area_code"], ("township", "village"), problems)
    _check_scope(rows, "area_code", h["area_code"], scope, problems,
                 "this area is outside yours: you may import the population of your own area only")
    for r in rows:
        for name in ("outside_attendance", "disabled_population"):
            part = getattr(r, name)
            if part is not None and r.population is not None and part > r.population:
                problems.append(ImportProblem(r.row, h[name], str(part), "is more than the population"))
    if problems:
        return rejected("population", problems)
    _written(progress, len(rows))
    counts = upsert(session, Population, ("area_code", "year", "age"), _dicts(rows, present))
    for year in {r.year for r in rows}:
        refresh_terms(session, terms_depending_on(session, year=year))
    refresh_age_lines_for_population(session, {r.year for r in rows}, {r.area_code for r in rows})
    return _done(progress, accepted(session, "population", path, *counts))


def import_enrollment_history(session: Session, path: str | Path, *, scope: Scope | None = None,
                              progress: Progress | None = None) -> ImportResult:
    """Import enrolled counts per area, school year and grade for years before the first roster."""
    hold_import_lock(session, progress=progress)
    problems = ProblemLog()
    try:
        rows, h, present = _read(path, HISTORY_COLUMNS, problems, progress)
    except UnreadableFile as exc:
        return rejected("enrollment_history", exc.problems)
    check_unique(rows, lambda r: _key(r.area_code, r.year, r.grade), h["area_code"], problems,
                 lambda k: f"{k[0]}, year {k[1]}, grade {k[2]}")
    _check_areas_exist(session, rows, "area_code", h["area_code"], None, problems)
    _check_scope(rows, "area_code", h["area_code"], scope, problems, "this area is outside yours")
    if problems:
        return rejected("enrollment_history", problems)
    _written(progress, len(rows))
    counts = upsert(session, EnrollmentHistory, ("area_code", "year", "grade"), _dicts(rows, present))
    for year in {r.year for r in rows if r.grade == 1}:
        refresh_terms(session, terms_depending_on(session, history_year=year))
    return _done(progress, accepted(session, "enrollment_history", path, *counts))


from data_access.imports.boundaries import import_boundaries  # noqa: E402 - it uses the checks above
from data_access.imports.poverty import POVERTY_COLUMNS, import_poverty  # noqa: E402,F401 - a kind of its own

IMPORTERS = {"areas": import_areas, "schools": import_schools, "roster": import_roster,
             "population": import_population, "enrollment_history": import_enrollment_history,
             "boundaries": import_boundaries, "poverty": import_poverty}
