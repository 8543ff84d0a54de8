"""Import the small county of tests/dashboard/test_cli_rates.py as files through the CLI commands, then `rates`
must give the hand-computed domain.md §3 figures; the CLI prints missing students and audits refusals."""
from __future__ import annotations

import csv
import getpass
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from data_access.models import AuditLog

COUNTY, T1, T2, T3 = "532822000000", "532822101000", "532822102000", "532822103000"
V1 = "532822101201"
SCHOOL_A, SCHOOL_B = "5328220001", "5328220002"
TERM = "2024-1"
ROSTER_HEAD = ["全国学籍号", "姓名", "性别", "出生日期", "学校标识码", "年级", "班级", "就读状态", "户籍地代码", "脱贫户",
               "残疾类型", "留守儿童", "随迁子女"]


def _write(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _student(n: int, school: str, grade: int, birth: str, status: str = "在读", household: str = "",
             poverty: str = "否", disability: str = "无") -> list[object]:
    return [f"G{n:018d}", f"学生{n}", "男", birth, school, grade, "1班", status, household, poverty, disability, "否",
            "否"]


def county_files(folder: Path) -> dict[str, Path]:
    """The small county of test_cli_rates.py as import files."""
    roster = [ROSTER_HEAD]
    roster += [_student(n, SCHOOL_A, 2, "2017-03-01", household=V1) for n in (1, 2, 3)]
    roster += [_student(4, SCHOOL_A, 2, "2017-03-01", "休学", V1),
               _student(5, SCHOOL_A, 2, "2017-03-01", "辍学", V1, poverty="是"),
               _student(6, SCHOOL_A, 1, "2018-03-01", disability="视力")]
    roster += [_student(n, SCHOOL_B, 9, "2010-03-01") for n in (7, 8, 9, 10)]
    roster += [_student(11, SCHOOL_B, 8, "2011-03-01", household=V1),
               _student(12, SCHOOL_B, 7, "2011-03-01", "辍学"),
               _student(13, SCHOOL_B, 7, "2011-03-01", "转出")]
    return {
        "areas": _write(folder / "areas.csv", [
            ["区划代码", "名称", "级别", "上级代码"], ["530000000000", "云南省", "省", ""],
            ["532800000000", "西双版纳傣族自治州", "市", "530000000000"], [COUNTY, "勐海县", "县", "532800000000"],
            [T1, "乡镇1", "乡镇", COUNTY], [T2, "乡镇2", "乡镇", COUNTY], [T3, "乡镇3", "乡镇", COUNTY],
            [V1, "村一", "村", T1]]),
        "schools": _write(folder / "schools.csv", [
            ["学校标识码", "学校名称", "学校类型", "所在乡镇代码", "中心校"],
            [SCHOOL_A, "一小", "小学", T1, "是"], [SCHOOL_B, "二中", "初中", T2, "是"]]),
        "roster": _write(folder / "roster.csv", roster),
        "population": _write(folder / "population.csv", [
            ["区划代码", "年度", "年龄", "适龄人口", "外出就读", "残疾适龄人口"],
            [V1, 2024, 7, 6, 1, 0], [T1, 2024, 6, 1, 0, 1], [T2, 2024, 13, 8, 1, 0]]),
        "history": _write(folder / "history.csv", [["区划代码", "学年", "年级", "在校生数"], [T2, 2016, 1, 5]]),
    }


def cli(server, *args: str):  # noqa: ANN001, ANN201
    """Invoke a CLI command of the server (in an app context, as `flask --app app …` runs it)."""
    with server.app_context():
        return server.test_cli_runner().invoke(args=list(args))


def rates(server, *args: str) -> dict[tuple[str, str], tuple[str, str, str]]:  # noqa: ANN001
    result = cli(server, "rates", "--term", TERM, *args)
    assert result.exit_code == 0, result.output
    return {(r["area_code"], r["indicator"]): (r["numerator"], r["denominator"], r["value"])
            for r in csv.DictReader(io.StringIO(result.output))}


@pytest.fixture
def imported(server, tmp_path: Path) -> dict[str, Path]:  # noqa: ANN001
    files = county_files(tmp_path)
    for command, name, extra in (("import-areas", "areas", ()), ("import-schools", "schools", ()),
                                 ("import-roster", "roster", ("--term", TERM)),
                                 ("import-population", "population", ()),
                                 ("import-enrollment-history", "history", ())):
        result = cli(server, command, str(files[name]), *extra)
        assert result.exit_code == 0, result.output
    return files


def test_imported_county_gives_the_hand_computed_rates(server, imported) -> None:  # noqa: ANN001
    rows = rates(server)
    # township 1: 5 enrolled pupils aged 6–11 of the township (4 from village 1, 1 by the school's township)
    # + 1 verified outside, over 7 children; 1 dropout of 6 primary pupils; the grade-8 pupil lives here
    assert rows[T1, "primary_enrollment_rate"] == ("6", "7", "85.71")
    assert rows[T1, "primary_dropout_rate"] == ("1", "6", "16.67")
    assert rows[T1, "junior_dropout_rate"] == ("0", "1", "0.0")
    assert rows[T1, "disabled_enrollment_rate"][2] == "100.0"
    assert rows[T1, "special_group_dropouts"] == ("1", "", "1")
    # township 2: 4 grade-9 + 1 outside over 8; 1 dropout of 5 (转出 counts nowhere); consolidation 4 of 5
    assert rows[T2, "junior_gross_enrollment_rate"] == ("5", "8", "62.5")
    assert rows[T2, "junior_dropout_rate"] == ("1", "5", "20.0")
    assert rows[T2, "consolidation_rate"] == ("4", "5", "80.0")
    assert rows[T2, "primary_enrollment_rate"][2] == ""              # no population: no data, never 0
    assert all(rows[T3, k] == ("", "", "") for k in ("primary_enrollment_rate", "dropouts"))
    schools = rates(server, "--level", "school")
    assert schools[SCHOOL_B, "junior_dropout_rate"] == ("1", "6", "16.67")
    assert rates(server, "--level", "county")[COUNTY, "dropouts"] == ("2", "", "2")


def test_reimport_leaves_the_rates_alone(server, imported) -> None:  # noqa: ANN001
    before = rates(server)
    again = cli(server, "import-roster", str(imported["roster"]), "--term", TERM)
    assert again.exit_code == 0 and "(0 new / 0 changed / 13 unchanged)" in again.output
    assert rates(server) == before


def test_cli_lists_missing_students_and_audits_refusals(server, imported, tmp_path: Path) -> None:  # noqa: ANN001
    rows = list(csv.reader(imported["roster"].open(encoding="utf-8")))
    spring = _write(tmp_path / "spring.csv", [r for r in rows if r[1] != "学生5"])
    result = cli(server, "import-roster", str(spring), "--term", "2024-2")
    assert result.exit_code == 0, result.output
    assert "1 student(s) of the 2024-1 roster" in result.output
    assert "G000000000000000005 学生5, 5328220001 一小, grade 2 1班, last status 辍学" in result.output
    bad = _write(tmp_path / "bad.csv", [rows[0], [*rows[1][:3], "2017-02-30", *rows[1][4:]]])
    refused = cli(server, "import-roster", str(bad), "--term", TERM)
    assert refused.exit_code == 1 and "row 2, 出生日期, '2017-02-30': not a valid calendar date" in refused.output
    with server.extensions["baoxue"].session_factory() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "import_refused")).one()
    assert (entry.entity, entry.entity_key) == ("roster", "bad.csv")
    assert entry.actor == f"cli:import-roster ({getpass.getuser()})"      # who tried
    assert json.loads(entry.after)["problems"] == 1
