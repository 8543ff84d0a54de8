"""Issue 13 through the command line: `rates`, `tiers` and the bulletin on a county imported from files that has an
empty township and pupils whose households are in other counties (6- and 9-digit household codes, padded)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import docx
import pytest

from tests.imports.test_imports_rates import COUNTY, SCHOOL_A, T1, T2, T3, TERM, _student, _write, cli, county_files


@pytest.fixture
def imported(server, tmp_path: Path) -> dict[str, Path]:  # noqa: ANN001
    files = county_files(tmp_path)
    rows = list(csv.reader(files["roster"].open(encoding="utf-8")))
    rows += [_student(21, SCHOOL_A, 3, "2016-03-01", "辍学", household="440106"),      # Guangzhou, a county code
             _student(22, SCHOOL_A, 3, "2016-03-01", household="440106001"),           # a township there
             _student(23, SCHOOL_A, 3, "2016-03-01", household="532822103000")]        # lives in the empty T3
    _write(files["roster"], rows)
    population = list(csv.reader(files["population"].open(encoding="utf-8")))
    _write(files["population"], population + [[T3, 2024, 8, 5, 0, 0]])  # T3: 5 children, no school
    for command, name, extra in (("import-areas", "areas", ()), ("import-schools", "schools", ()),
                                 ("import-roster", "roster", ("--term", TERM)),
                                 ("import-population", "population", ()),
                                 ("import-enrollment-history", "history", ())):
        result = cli(server, command, str(files[name]), *extra)
        assert result.exit_code == 0, result.output
    return files


def _rows(output: str) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["area_code"], r.get("indicator", "")): r for r in csv.DictReader(io.StringIO(output))}


def test_rates_count_every_pupil_once_and_the_empty_township(server, imported) -> None:  # noqa: ANN001
    result = cli(server, "rates", "--term", TERM)
    assert result.exit_code == 0, result.output
    rows = _rows(result.output)
    # the 外县户籍 dropout counts toward the school's township (T1): 1 of the village + 1 from Guangzhou
    assert rows[T1, "dropouts"]["value"] == "2"
    assert (rows[T1, "primary_dropout_rate"]["numerator"], rows[T1, "primary_dropout_rate"]["denominator"]) == ("2", "8")
    # T3 has no school: its one pupil (at T1's school) of 5 children, 20%, not "no data"; its dropouts are 0
    t3 = rows[T3, "primary_enrollment_rate"]
    assert (t3["numerator"], t3["denominator"], t3["value"]) == ("1", "5", "20.0")
    assert rows[T3, "dropouts"]["value"] == "0"
    county = _rows(cli(server, "rates", "--term", TERM, "--level", "county").output)
    assert county[COUNTY, "dropouts"]["value"] == "3"                     # = the schools' own 辍学 lines
    schools = _rows(cli(server, "rates", "--term", TERM, "--level", "school").output)
    assert int(schools[SCHOOL_A, "dropouts"]["value"]) + int(schools["5328220002", "dropouts"]["value"]) == 3


def test_no_policy_no_tier_in_tiers_and_bulletin(server, imported, tmp_path: Path) -> None:  # noqa: ANN001
    result = cli(server, "tiers", "--term", TERM)
    assert result.exit_code == 0, result.output
    tiers = _rows(result.output)
    assert {r["tier"] for r in tiers.values()} == {""}
    assert tiers[T1, ""]["tier_name"] == "未设目标" and tiers[T3, ""]["tier_name"] == "未设目标"
    assert tiers[T2, ""]["tier_name"] == "未设目标"
    rates = _rows(cli(server, "rates", "--term", TERM).output)
    assert {r["compliant"] for r in rates.values()} == {""}
    out = tmp_path / "b.docx"
    assert cli(server, "export-bulletin", "--term", TERM, "--out", str(out)).exit_code == 0
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "达标" not in text and "没有生效的目标方案" in text
    wb_out = tmp_path / "r.xlsx"
    assert cli(server, "export-ranking", "--term", TERM, "--out", str(wb_out)).exit_code == 0
    import openpyxl
    ws = openpyxl.load_workbook(wb_out).active
    tier_cells = {ws.cell(row=r, column=4).value for r in range(7, ws.max_row + 1)} - {None}
    assert "达标" not in tier_cells and "未设目标" in tier_cells
