"""The national student registry's own export imports as it comes (issue 16.2, 16.3): its basic-information layout
(学籍号, 身份证件类型 + 身份证号, 班级号, 户口所在地行政区划, 是否留守儿童 kinds, 随班就读, 就读方式, 是否孤儿, guardians as
成员1/成员2, no status column, no 脱贫户 column) in every format the registry and Excel produce — .xlsx, legacy
.xls (BIFF), GBK tab-separated text saved as .xls, CSV in UTF-8 or GBK, codes with a leading apostrophe — found
by content, not by name; registry status codes (JY/T 1001) map onto Baoxue's statuses; whole-file checks name row
and column and write nothing. All people are generated (tests/imports/registry_files.py)."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest
import xlrd
from sqlalchemy import select, update

from data_access import models as m
from data_access.imports.files import import_areas, import_population, import_roster
from data_access.imports.readers import UNSUPPORTED, file_kind
from data_access.imports.xls import _value
from domain.imports.parsing import EXCEL_NUMBER, CellError, parse_id_number
from domain.imports.registry import REGISTRY_STATUS_CODES, parse_registry_status
from tests.imports.registry_files import (
    PUPILS, XLS_FIXTURE, area_rows, pupil_ids, registry_rows, write_gbk_tsv, write_xlsx,
)
from tests.imports.test_imports import (  # noqa: F401 - fixtures
    DATA, TERM, Factory, base, counts, problem_at, read_csv, run, write_csv,
)

FIRST = 3       # the first pupil's row: a title row, then the header


def expected() -> list[tuple[Any, ...]]:
    """What the generated export must store, per pupil (in student-number order)."""
    guardians = [("测试父一", "13800000101", "父亲"), ("测试祖二", "13800000202", "祖父母或外祖父母"),
                 ("测试祖三", "13800000301", "祖父母或外祖父母"), ("测试父四", "13800000401", "父亲"),
                 ("测试兄五", "13800000501", "兄弟姐妹"), (None, "13800000699", None)]
    kinds = {"非留守儿童": (False, None), "单亲留守儿童": (True, "单亲"), "双亲留守儿童": (True, "双亲")}
    out = []
    for i, p in enumerate(PUPILS):
        student_no, id_no = pupil_ids(i)
        left, kind = kinds[p[7]]
        out.append((student_no, p[0], "男" if p[1] else "女", p[2], id_no if p[3] == "居民身份证" else None, p[4],
                    "在读", *guardians[i], False, {"无残疾": "无"}.get(p[9], p[9].removesuffix("残疾")), left, kind,
                    p[8] == "住校", p[10] != "非随班就读", p[11] == "是", p[12] == "是"))
    return sorted(out)


def stored(factory: Factory) -> list[tuple[Any, ...]]:
    """The stored roster, in the shape of expected()."""
    R, S = m.RosterRecord, m.Student
    with factory() as s:
        rows = s.execute(select(S.student_no, S.name, S.gender, S.birth_date, S.id_number, m.School.code, R.status,
                                R.guardian_name, R.guardian_phone, R.guardian_relation, R.poverty_registered,
                                R.disability, R.left_behind, R.left_behind_kind, R.boarding, R.mainstreamed,
                                R.orphan, R.migrant)
                         .join(S, S.id == R.student_id).join(m.School, m.School.id == R.school_id)
                         .order_by(S.student_no)).all()
    return [tuple(r) for r in rows]


def write_utf8_csv(path: Path, rows: list[list[Any]]) -> Path:
    return write_csv(path, rows)


def write_gbk_csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


FORMATS = {
    "registry.xlsx": lambda p: write_xlsx(p, {"学生基础信息": registry_rows()}),
    "apostrophes.xlsx": lambda p: write_xlsx(p, {"学生基础信息": registry_rows(apostrophes=True)}),
    "gbk-tab.xls": lambda p: write_gbk_tsv(p, registry_rows()),
    "gbk-tab-apostrophes.xls": lambda p: write_gbk_tsv(p, registry_rows(apostrophes=True)),
    "utf8-apostrophes.csv": lambda p: write_utf8_csv(p, registry_rows(apostrophes=True)),
    "gbk.csv": lambda p: write_gbk_csv(p, registry_rows()),
    "libreoffice.xls": lambda p: shutil.copy(XLS_FIXTURE, p),
}


@pytest.mark.parametrize("name", FORMATS)
def test_the_registry_export_imports_as_it_comes_in_every_format(base: Factory, tmp_path: Path,  # noqa: F811
                                                                   name: str) -> None:
    """No status column (current pupils: 在读), no 脱贫户 column; the passport's and the 户口簿's numbers are not checked
    as resident IDs (and not kept: they are not resident ID numbers); the guardian is the member marked 是否监护人;
    the left-behind kind, boarding, 随班就读, orphan and the disability types are kept. Re-importing changes nothing."""
    path = tmp_path / name
    FORMATS[name](path)
    result = run(base, import_roster, path, TERM)
    assert (result.ok, result.new) == (True, len(PUPILS)), result.report()
    assert stored(base) == expected()
    again = run(base, import_roster, path, TERM)
    assert (again.unchanged, again.changed, again.new) == (len(PUPILS), 0, 0)


def test_the_xls_fixture_is_a_biff_workbook() -> None:
    """tests/data/registry_basic.xls was written by LibreOffice from generated rows (registry_files.py)."""
    assert XLS_FIXTURE.read_bytes()[:4] == b"\xd0\xcf\x11\xe0" and file_kind(XLS_FIXTURE) == "xls"


def test_the_poverty_flag_is_left_as_stored(base: Factory, tmp_path: Path) -> None:  # noqa: F811
    """A registry export has no 脱贫户 column: the flag (from the poverty list) stays as it is."""
    path = write_xlsx(tmp_path / "r.xlsx", {"学生基础信息": registry_rows()})
    assert run(base, import_roster, path, TERM).ok
    with base() as s, s.begin():
        s.execute(update(m.RosterRecord).values(poverty_registered=True))
    again = run(base, import_roster, path, TERM)
    assert again.unchanged == len(PUPILS)
    assert {r[10] for r in stored(base)} == {True}


@pytest.mark.parametrize(("cell", "status"), [
    ("01", "在读"), (1, "在读"), ("02", "休学"), ("03", "辍学"), ("04", "休学"), ("05", "在读"), ("06", "辍学"),
    ("07", "毕业"), ("08", "毕业"), ("09", "辍学"), ("10", "转出"), ("11", "死亡"), ("12", "休学"), ("13", "转出"),
    ("14", "辍学"), ("15", "辍学"), ("06 流失", "辍学"), ("流失", "辍学"), ("下落不明", "辍学"), ("在读(01)", "在读"),
    ("转学(转出)", "转出"), ("转学（转出）", "转出"), ("10转学(转出)", "转出"), ("退学", "辍学"), ("送教上门", "送教上门"),
    ("辍学", "辍学"), (" 毕业 ", "毕业"),
])
def test_registry_status_codes_map_onto_our_statuses(cell: Any, status: str) -> None:
    assert parse_registry_status(cell) == status


@pytest.mark.parametrize(("cell", "reason"), [
    ("99", "the registry status 99 (其他) has no counterpart here; write one of 在读 / 休学 / 送教上门 / 辍学 / 转出 / "
           "毕业 / 死亡"),
    ("其他", "the registry status 99 (其他) has no counterpart here"),
    ("16", "must be one of 在读 / 休学"), ("01 毕业", "must be one of"), ("在校", "must be one of"),
])
def test_unmapped_status_codes_are_refused(cell: str, reason: str) -> None:
    with pytest.raises(CellError) as exc:
        parse_registry_status(cell)
    assert str(exc.value).startswith(reason)


def test_every_registry_code_is_mapped_or_refused() -> None:
    for code, (name, status) in REGISTRY_STATUS_CODES.items():
        if status is None:
            with pytest.raises(CellError):
                parse_registry_status(code)
        else:
            assert parse_registry_status(code) == parse_registry_status(name) == status


def with_column(rows: list[list[Any]], header: str, values: list[Any]) -> list[list[Any]]:
    """The export with one more column (after the title row)."""
    return [rows[0], rows[1] + [header], *(r + [v] for r, v in zip(rows[2:], values))]


def test_a_status_code_column_is_mapped(base: Factory, tmp_path: Path) -> None:  # noqa: F811
    codes = ["01", "02", "06", "10", "11", "15"]
    path = write_xlsx(tmp_path / "r.xlsx", {"s": with_column(registry_rows(), "学生当前状态", codes)})
    result = run(base, import_roster, path, TERM)
    assert result.ok, result.report()
    by_name = {r[1]: r[6] for r in stored(base)}
    assert [by_name[p[0]] for p in PUPILS] == ["在读", "休学", "辍学", "转出", "死亡", "辍学"]


def test_status_99_is_named_and_nothing_is_written(base: Factory, tmp_path: Path) -> None:  # noqa: F811
    codes = ["01", "01", "99", "01", "01", "01"]
    path = write_gbk_tsv(tmp_path / "r.xls", with_column(registry_rows(), "学生当前状态", codes))
    result = run(base, import_roster, path, TERM)
    assert problem_at(result, FIRST + 2, "学生当前状态").reason.startswith("the registry status 99 (其他)")
    assert counts(base)["student"] == 0


def test_id_numbers_are_checked_only_for_resident_ids(base: Factory, tmp_path: Path) -> None:  # noqa: F811
    """A wrong check digit on a 居民身份证 row is named (only the number's start is shown); the passport and 户口簿 rows'
    numbers are not resident ID numbers and are not refused."""
    rows = registry_rows()
    col = rows[1].index("身份证号")
    good = rows[FIRST - 1][col]
    rows[FIRST - 1][col] = good[:17] + ("0" if good[17] != "0" else "1")
    result = run(base, import_roster, write_xlsx(tmp_path / "r.xlsx", {"s": rows}), TERM)
    assert [(p.row, p.column, p.value, p.reason) for p in result.problems] == [
        (FIRST, "身份证号", good[:4] + "…", "checksum does not match")]
    assert counts(base)["student"] == 0


def test_a_resident_id_disagreeing_with_the_birth_date_is_named(base: Factory, tmp_path: Path) -> None:  # noqa: F811
    rows = registry_rows()
    rows[FIRST][rows[1].index("出生日期")] = "2015-07-10"
    result = run(base, import_roster, write_xlsx(tmp_path / "r.xlsx", {"s": rows}), TERM)
    assert problem_at(result, FIRST + 1, "身份证号").reason == (
        "the birth date in the ID number is 2015-07-09, but 出生日期 is 2015-07-10")


@pytest.mark.parametrize(("header", "value", "reason"), [
    ("是否留守儿童", "未知", "must be one of 非留守儿童 / 单亲留守儿童 / 双亲留守儿童 / 是 / 否"),
    ("就读方式", "半住", "must be one of 走读 / 住校"),
    ("残疾类型", "其它病", "must be one of 无 / 视力 / 听力 / 智力 / 肢体 / 精神 / 言语 / 多重 / 其他"),
    ("随班就读", "部分", "must be one of 非随班就读 / 视力残疾随班就读"),
    ("成员1联系电话", "12345", "not a mobile or landline number"),
    ("学籍号", "5328221", "must be G or L followed by 18 characters, or 19 digits"),
])
def test_bad_registry_values_are_named_and_nothing_is_written(base: Factory, tmp_path: Path,  # noqa: F811
                                                               header: str, value: str, reason: str) -> None:
    rows = registry_rows()
    rows[FIRST][rows[1].index(header)] = value
    result = run(base, import_roster, write_gbk_tsv(tmp_path / "r.xls", rows), TERM)
    assert problem_at(result, FIRST + 1, header).reason.startswith(reason)
    assert counts(base)["student"] == 0


def test_a_missing_required_column_is_named(base: Factory, tmp_path: Path) -> None:  # noqa: F811
    rows = registry_rows()
    col = rows[1].index("学籍号")
    rows = [rows[0], *([c for i, c in enumerate(r) if i != col] for r in rows[1:])]
    result = run(base, import_roster, write_xlsx(tmp_path / "r.xlsx", {"s": rows}), TERM)
    assert problem_at(result, 2, "全国学籍号").reason == "required column is missing"


def test_contract_roster_with_apostrophes_imports_like_the_plain_file(base: Factory, tmp_path: Path  # noqa: F811
                                                                       ) -> None:
    plain = run(base, import_roster, DATA / "roster.csv", TERM)
    assert plain.ok
    rows = read_csv("roster.csv")
    quoted = [rows[0], *([("'" + c) if c.isdigit() and len(c) >= 10 else c for c in r] for r in rows[1:])]
    assert any(c.startswith("'") for c in quoted[1])
    again = run(base, import_roster, write_gbk_tsv(tmp_path / "r.xls", quoted), TERM)
    assert (again.ok, again.unchanged) == (True, 5), again.report()


def test_other_imports_read_the_same_formats(session_factory: Factory, tmp_path: Path) -> None:
    """Areas from the .xls fixture's second sheet (the best-matching sheet is read), and again as GBK tab-separated
    text named .xls with apostrophe codes; population as GBK tab-separated text."""
    result = run(session_factory, import_areas, XLS_FIXTURE)
    assert (result.ok, result.new) == (True, len(area_rows()) - 1), result.report()
    quoted = [[("'" + c) if c.isdigit() else c for c in r] for r in area_rows()]
    # the fixture was written before the fixtures took the 2023 release's names (西双版纳傣族自治州, 打洛镇)
    again = run(session_factory, lambda s, p: import_areas(s, p, confirm_renames=True),
                write_gbk_tsv(tmp_path / "areas.xls", quoted))
    assert (again.ok, again.unchanged + again.changed) == (True, len(area_rows()) - 1), again.report()
    population = run(session_factory, import_population, write_gbk_tsv(tmp_path / "p.xls", read_csv("population.csv")))
    plain = len(read_csv("population.csv")) - 1
    assert (population.ok, population.new) == (True, plain), population.report()


def test_files_are_recognised_by_content_not_by_name(base: Factory, tmp_path: Path) -> None:  # noqa: F811
    xls_named_csv = tmp_path / "roster.csv"
    shutil.copy(XLS_FIXTURE, xls_named_csv)
    assert run(base, import_roster, xls_named_csv, TERM).new == len(PUPILS)
    text_named_xlsx = write_gbk_tsv(tmp_path / "roster.xlsx", registry_rows())
    assert run(base, import_roster, text_named_xlsx, TERM).unchanged == len(PUPILS)
    for name, content in (("a.xls", bytes(range(256)) * 4), ("a.csv", b"%PDF-1.7\n..."),
                          ("a.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(64))):
        path = tmp_path / name
        path.write_bytes(content)
        result = run(base, import_roster, path, TERM)
        assert [(p.row, p.reason) for p in result.problems] == [(0, UNSUPPORTED)]
    broken = tmp_path / "broken.xls"
    broken.write_bytes(XLS_FIXTURE.read_bytes()[:1024])
    assert problem_at(run(base, import_roster, broken, TERM), 0, "").reason == "not a readable .xls workbook"


def test_xls_cells_read_as_xlsx_cells_do() -> None:
    """Whole numbers are ints (a 10-digit school code typed as a number reads as it would in an .xlsx), and an
    18-digit ID number that Excel stored as a number is refused as a number, never silently rounded."""
    assert _value(xlrd.sheet.Cell(xlrd.XL_CELL_NUMBER, 2153000001.0), 0) == 2153000001
    assert _value(xlrd.sheet.Cell(xlrd.XL_CELL_NUMBER, 3.5), 0) == 3.5
    assert _value(xlrd.sheet.Cell(xlrd.XL_CELL_EMPTY, ""), 0) is None
    assert _value(xlrd.sheet.Cell(xlrd.XL_CELL_DATE, 41703.0), 0).date().isoformat() == "2014-03-05"
    with pytest.raises(CellError, match=EXCEL_NUMBER):
        parse_id_number(_value(xlrd.sheet.Cell(xlrd.XL_CELL_NUMBER, 532822201403050017.0), 0))


def test_the_roster_export_keeps_the_left_behind_kind(base: Factory, tmp_path: Path) -> None:  # noqa: F811
    """The roster export (Baoxue's layout) writes 单亲留守儿童 / 双亲留守儿童, so a corrected export re-imports with
    nothing changed — and a file in Baoxue's layout leaves the registry-only fields (boarding …) as stored."""
    from data_access.admin.roster_export import HEADERS, roster_rows
    from data_access.scope import Scope
    assert run(base, import_roster, write_xlsx(tmp_path / "r.xlsx", {"s": registry_rows()}), TERM).ok
    with base() as s:
        school = s.scalars(select(m.School).where(m.School.code == "2153000001")).one()
        _school, rows = roster_rows(s, "admin", Scope("admin", unrestricted=True), school.id, TERM)
    left = {r[1]: r[HEADERS.index("留守儿童")] for r in rows}
    assert left == {"测试一": "否", "测试二": "单亲留守儿童", "测试三": "双亲留守儿童", "测试六": "否"}
    before = stored(base)
    path = write_csv(tmp_path / "export.csv", [list(HEADERS), *([("" if v is None else str(v)) for v in r]
                                                               for r in rows)])
    again = run(base, import_roster, path, TERM)
    assert (again.ok, again.changed, again.unchanged) == (True, 0, 4), again.report()
    assert stored(base) == before
