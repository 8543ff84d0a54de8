"""Property tests: whatever a file holds — random bytes, or random cells under a valid header — an import
never ends in a traceback, and a refused file writes nothing (a refusal always lists its problems)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from data_access import models as m
from data_access.imports.files import (
    ROSTER_COLUMNS, ImportResult, import_areas, import_population, import_roster, import_schools,
)
from tests.imports.test_imports import DATA, TERM

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TABLES = (m.Student, m.RosterRecord, m.RosterAggregate, m.Term, m.Population, m.UnitCounts)
HEADER = [c.zh for c in ROSTER_COLUMNS]
GOOD = {  # a plausible value per column, so that some rows get far into the checks
    "全国学籍号": st.sampled_from(["G990101201503050010", "L99010120150305001X", "1234567890123456789", "G123"]),
    "出生日期": st.sampled_from(["2015-03-05", "2014/6/7", "20120101", "2015-02-30", "2025-01-01"]),
    "身份证件号": st.sampled_from(["990101201503050010", "99010120120101003X", "990101201503050011", ""]),
    "学校标识码": st.sampled_from(["2153000001", "2153000002", "2153999999", "2.153E+09"]),
    "年级": st.sampled_from(["1", "初三", "九年级", "10", "３"]),
    "就读状态": st.sampled_from(["在读", "辍学", "在校"]),
    "户籍地代码": st.sampled_from(["532822101201", "", "53282210120"]),
    "监护人电话": st.sampled_from(["13800000001", "0871-12345678", "12345", ""]),
}
CELL = st.one_of(st.none(), st.text(max_size=25), st.text(alphabet="0123456789０１２３-/.EX ", max_size=20),
                 st.integers(min_value=-10**20, max_value=10**20), st.floats(allow_nan=True),
                 st.sampled_from(["是", "否", "男", "女", "无", "视力", "合计", "总计", " ", "\u3000"]))
XLSX_CELL = st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=25),
                      st.integers(min_value=-10**15, max_value=10**15), st.floats(allow_nan=False, allow_infinity=False),
                      st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 1, 1)),
                      st.sampled_from(["是", "否", "男", "女", "无", "在读", "合计"]))


@pytest.fixture
def stocked(session_factory):  # noqa: ANN001, ANN201
    """Areas and schools imported; each example runs in a transaction that is rolled back."""
    with session_factory() as s, s.begin():
        assert import_areas(s, DATA / "areas.csv").ok
        assert import_schools(s, DATA / "schools.csv").ok
    return session_factory


def _counts(s: Any) -> dict[str, int]:
    return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in TABLES}


def _check(factory: Any, path: Path, fn: Any = import_roster, *args: Any) -> ImportResult:
    """Import in a transaction; a refusal must list problems and leave every table as it was."""
    with factory() as s:
        s.begin()
        before = _counts(s)
        result = fn(s, path, *(args or ((TERM,) if fn is import_roster else ())))
        if not result.ok:
            assert result.problems and result.problem_count >= len(result.problems)
            assert all(p.row >= 0 and isinstance(p.reason, str) and p.reason for p in result.problems)
            assert _counts(s) == before
        else:
            assert result.rows > 0
        s.rollback()
    return result


@FUZZ
@given(content=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".txt", ".xls", ".pdf", ""]))
def test_random_bytes_never_write_and_never_raise(stocked, tmp_path_factory, content: bytes, suffix: str) -> None:  # noqa: ANN001
    path = tmp_path_factory.mktemp("fuzz") / f"roster{suffix}"
    path.write_bytes(content)
    assert not _check(stocked, path).ok
    assert not _check(stocked, path, import_population).ok


@FUZZ
@given(rows=st.lists(st.fixed_dictionaries({h: GOOD.get(h, CELL) for h in HEADER}), min_size=0, max_size=8),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_random_cells_under_a_valid_header_in_csv(stocked, tmp_path_factory, rows: list[dict[str, Any]],  # noqa: ANN001
                                                  encoding: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(["" if row[h] is None else row[h] for h in HEADER])
    path = tmp_path_factory.mktemp("fuzz") / "roster.csv"
    path.write_bytes(out.getvalue().encode(encoding, errors="replace"))
    _check(stocked, path)


@FUZZ
@given(rows=st.lists(st.lists(XLSX_CELL, min_size=0, max_size=len(HEADER) + 2), min_size=0, max_size=6),
       title_rows=st.integers(min_value=0, max_value=3))
def test_random_cells_under_a_valid_header_in_xlsx(stocked, tmp_path_factory, rows: list[list[Any]],  # noqa: ANN001
                                                   title_rows: int) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for i in range(title_rows):
        sheet.append([f"标题{i}"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path_factory.mktemp("fuzz") / "roster.xlsx"
    book.save(path)
    _check(stocked, path)


@FUZZ
@given(rows=st.lists(st.lists(XLSX_CELL, min_size=0, max_size=8), min_size=0, max_size=8),
       gaps=st.lists(st.integers(min_value=0, max_value=3), min_size=8, max_size=8),
       date_format=st.sampled_from(["yyyy-mm-dd", "yyyy\"年\"m\"月\"d\"日\"", "0.00", "@", "General"]))
def test_streaming_xlsx_reader_agrees_with_openpyxl(tmp_path_factory, rows: list[list[Any]], gaps: list[int],  # noqa: ANN001
                                                    date_format: str) -> None:
    """The import's own .xlsx reader gives the cells openpyxl's read-only mode gives (rows left out included)."""
    from data_access.imports.xlsx import XlsxBook
    book = openpyxl.Workbook()
    sheet = book.active
    at = 1
    for row, gap in zip(rows, gaps):
        at += gap
        for col, value in enumerate(row, 1):
            cell = sheet.cell(row=at, column=col, value=value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.number_format = date_format
        at += 1
    path = tmp_path_factory.mktemp("fuzz") / "cells.xlsx"
    book.save(path)
    ours = XlsxBook(path.open("rb"))
    mine = [list(r) for r in ours.rows(ours.sheets[0][1])]
    with warnings.catch_warnings():          # openpyxl warns about serial numbers beyond its dates
        warnings.simplefilter("ignore")
        theirs = [list(r) for r in openpyxl.load_workbook(path, read_only=True, data_only=True).active.iter_rows(
            values_only=True)]

    def trim(table: list[list[Any]]) -> list[list[Any]]:
        table = [[None if v == "" else v for v in r] for r in table]      # both are an empty cell to an import
        out = [r[:len(r) - next((i for i, v in enumerate(reversed(r)) if v is not None), len(r))] for r in table]
        while out and not out[-1]:
            out.pop()
        return out
    assert trim(mine) == trim(theirs)
