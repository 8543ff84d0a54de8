"""The `rates` and `tiers` commands (contract.md) on a small county, against hand-computed figures."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from data_access.analytics.aggregates import refresh_roster_aggregates
from data_access.models import Area, EnrollmentHistory, Population, Target, TargetPolicy
from data_access.analytics.unit_counts import refresh_terms, terms_depending_on
from tests import factories as f

COUNTY, T1, T2, T3 = "532822000000", "532822101000", "532822102000", "532822103000"
SCHOOL_A, SCHOOL_B = "5328220001", "5328220002"
TERM = "2024-1"


@pytest.fixture
def small_county(session_factory):  # noqa: ANN001, ANN201
    """Three townships (the third without schools: no data), two schools, population, a county policy, users."""
    with session_factory() as s, s.begin():
        county, (t1, t2, t3) = f.county_with_townships(s, 3)
        v1 = Area(code=T1[:9] + "201", name="村一", level="village", parent_code=T1)
        s.add(v1)
        a = f.school.create(s, township_code=T1, code=SCHOOL_A, name="一小")
        b = f.school.create(s, township_code=T2, code=SCHOOL_B, name="二中")
        age7, age13 = dt.date(2017, 3, 1), dt.date(2011, 3, 1)
        for _ in range(3):
            f.roster(s, TERM, a, grade=2, birth=age7, household_code=v1.code)
        f.roster(s, TERM, a, grade=2, birth=age7, household_code=v1.code, status="休学")
        f.roster(s, TERM, a, grade=2, birth=age7, household_code=v1.code, status="辍学", poverty_registered=True)
        f.roster(s, TERM, a, grade=1, birth=dt.date(2018, 3, 1), disability="视力")
        for _ in range(4):
            f.roster(s, TERM, b, grade=9, birth=dt.date(2010, 3, 1))
        f.roster(s, TERM, b, grade=8, birth=age13, household_code=v1.code)
        f.roster(s, TERM, b, grade=7, birth=age13, status="辍学")
        f.roster(s, TERM, b, grade=7, birth=age13, status="转出")
        refresh_roster_aggregates(s, TERM)
        s.add_all([Population(area_code=v1.code, year=2024, age=7, population=6, outside_attendance=1,
                              disabled_population=0),
                   Population(area_code=T1, year=2024, age=6, population=1, outside_attendance=0,
                              disabled_population=1),
                   Population(area_code=T2, year=2024, age=13, population=8, outside_attendance=1,
                              disabled_population=0),
                   EnrollmentHistory(area_code=T2, year=2016, grade=1, enrolled=5)])
        s.add(TargetPolicy(name="县目标", area_code=COUNTY, active=True, targets=[
            Target(indicator="primary_enrollment_rate", op=">=", bound=99.5),
            Target(indicator="junior_dropout_rate", op="<=", bound=1.8),
            Target(indicator="special_group_dropouts", op="==", bound=0)]))
        s.flush()
        refresh_terms(s, terms_depending_on(s, roster_term=TERM))
        f.user.create(s, username="leader", role="county_leader", area_code=COUNTY)
        f.user.create(s, username="officer1", role="township_officer", area_code=T1)
        f.user.create(s, username="staff1", role="school_staff", area_code=T1, school_id=a.id)
    return {"county": COUNTY, "t1": T1, "t2": T2, "t3": T3}


def run(server, *args: str):  # noqa: ANN001, ANN201
    """Invoke a CLI command of the server."""
    return server.test_cli_runner().invoke(args=list(args))


def rows_of(result) -> dict[tuple[str, str], dict[str, str]]:  # noqa: ANN001
    """CSV output keyed by (area_code, indicator)."""
    assert result.exit_code == 0, result.output
    return {(r["area_code"], r["indicator"]): r for r in csv.DictReader(io.StringIO(result.output))}


def cells(row: dict[str, str]) -> tuple[str, ...]:
    return (row["numerator"], row["denominator"], row["value"], row["target"], row["compliant"])


def test_rates_township_level_by_hand(server, small_county) -> None:  # noqa: ANN001
    result = run(server, "rates", "--term", TERM)
    assert result.output.splitlines()[0] == ("area_code,area_name,term,indicator,numerator,denominator,value,"
                                             "target,compliant")
    rows = rows_of(result)
    assert len(rows) == 3 * 8  # every township, every indicator
    # township 1: 5 enrolled pupils + 1 outside over 7 children; 1 dropout of 6; the grade-8 pupil lives here
    assert cells(rows[T1, "primary_enrollment_rate"]) == ("6", "7", "85.71", ">= 99.5", "false")
    assert cells(rows[T1, "primary_dropout_rate"]) == ("1", "6", "16.67", "", "")
    assert cells(rows[T1, "junior_dropout_rate"]) == ("0", "1", "0.0", "<= 1.8", "true")
    assert cells(rows[T1, "disabled_enrollment_rate"])[2] == "100.0"
    assert cells(rows[T1, "consolidation_rate"])[2:] == ("", "", "")
    assert cells(rows[T1, "special_group_dropouts"]) == ("1", "", "1", "== 0", "false")
    assert cells(rows[T1, "dropouts"]) == ("1", "", "1", "", "")
    # township 2: 4 grade-9 + 1 outside over 8; 1 dropout of 5; consolidation 4 of 5 (history)
    assert cells(rows[T2, "junior_gross_enrollment_rate"]) == ("5", "8", "62.5", "", "")
    assert cells(rows[T2, "junior_dropout_rate"]) == ("1", "5", "20.0", "<= 1.8", "false")
    assert cells(rows[T2, "consolidation_rate"]) == ("4", "5", "80.0", "", "")
    assert cells(rows[T2, "primary_enrollment_rate"])[2:] == ("", ">= 99.5", "")  # no population: no data
    assert cells(rows[T2, "special_group_dropouts"])[2:] == ("0", "== 0", "true")
    # township 3 has no schools: included, every figure empty, targets still stated
    assert all(cells(rows[T3, k])[:3] == ("", "", "") and rows[T3, k]["compliant"] == "" for k in
               ("primary_enrollment_rate", "junior_dropout_rate", "dropouts"))
    assert rows[T3, "primary_enrollment_rate"]["target"] == ">= 99.5"
    assert rows[T3, "dropouts"]["area_name"] == "乡镇3" and rows[T3, "dropouts"]["term"] == TERM
    order = [k for k in rows]
    assert order[:8] == [(T1, k) for k in ("primary_enrollment_rate", "junior_gross_enrollment_rate",
                                           "primary_dropout_rate", "junior_dropout_rate", "consolidation_rate",
                                           "disabled_enrollment_rate", "special_group_dropouts", "dropouts")]


def test_rates_school_and_county_levels(server, small_county) -> None:  # noqa: ANN001
    rows = rows_of(run(server, "rates", "--term", TERM, "--level", "school"))
    assert {code for code, _ in rows} == {SCHOOL_A, SCHOOL_B}
    # a school counts its own students, wherever they live
    assert cells(rows[SCHOOL_A, "primary_dropout_rate"])[:3] == ("1", "6", "16.67")
    assert cells(rows[SCHOOL_B, "junior_dropout_rate"]) == ("1", "6", "16.67", "<= 1.8", "false")
    assert cells(rows[SCHOOL_B, "dropouts"])[:3] == ("1", "", "1")
    assert rows[SCHOOL_A, "primary_enrollment_rate"]["value"] == ""  # schools have no population
    assert rows[SCHOOL_A, "dropouts"]["area_name"] == "一小"
    county = rows_of(run(server, "rates", "--term", TERM, "--level", "county"))
    assert {code for code, _ in county} == {COUNTY}
    assert cells(county[COUNTY, "dropouts"])[:3] == ("2", "", "2")
    assert cells(county[COUNTY, "primary_enrollment_rate"]) == ("6", "7", "85.71", ">= 99.5", "false")
    only_t1 = rows_of(run(server, "rates", "--term", TERM, "--level", "school", "--area", T1))
    assert {code for code, _ in only_t1} == {SCHOOL_A}
    assert {c for c, _ in rows_of(run(server, "rates", "--term", TERM, "--area", T2))} == {T2}


def test_rates_json(server, small_county) -> None:  # noqa: ANN001
    result = run(server, "rates", "--term", TERM, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by = {(r["area_code"], r["indicator"]): r for r in data}
    assert set(data[0]) == {"area_code", "area_name", "term", "indicator", "numerator", "denominator", "value",
                            "target", "compliant"}
    assert by[T1, "primary_enrollment_rate"] == {
        "area_code": T1, "area_name": "乡镇1", "term": TERM, "indicator": "primary_enrollment_rate",
        "numerator": 6, "denominator": 7, "value": 85.71, "target": ">= 99.5", "compliant": False}
    assert by[T2, "special_group_dropouts"]["value"] == 0 and by[T2, "special_group_dropouts"]["compliant"] is True
    assert by[T3, "junior_dropout_rate"]["value"] is None and by[T3, "junior_dropout_rate"]["compliant"] is None
    assert by[T1, "consolidation_rate"]["target"] is None


def test_tiers(server, small_county) -> None:  # noqa: ANN001
    result = run(server, "tiers", "--term", TERM)
    assert result.exit_code == 0, result.output
    rows = {r["area_code"]: r for r in csv.DictReader(io.StringIO(result.output))}
    assert list(next(csv.reader(io.StringIO(result.output)))) == [
        "area_code", "area_name", "period", "tier", "tier_name", "reasons"]
    assert rows[T1]["tier"] == "2" and rows[T1]["tier_name"] == "通报" and rows[T1]["period"] == TERM
    assert rows[T1]["reasons"].split("；") == ["小学适龄儿童入学率 85.71% < 99.5%", "脱贫户家庭子女辍学人数 1 ≠ 0"]
    assert rows[T2]["reasons"] == "初中辍学率 20.00% > 1.8%"
    assert rows[T3]["tier"] == "" and rows[T3]["reasons"] == ""  # no data: no tier
    data = json.loads(run(server, "tiers", "--term", TERM, "--level", "school", "--format", "json").output)
    assert [(r["area_code"], r["tier"]) for r in data] == [(SCHOOL_A, 2), (SCHOOL_B, 2)]


def test_tiers_in_english(server, small_county) -> None:  # noqa: ANN001
    server.config["LANGUAGE"] = "en"
    try:
        rows = list(csv.DictReader(io.StringIO(run(server, "tiers", "--term", TERM).output)))
    finally:
        server.config["LANGUAGE"] = "zh"
    assert {r["area_code"]: r["tier_name"] for r in rows}[T1] == "Notified"
    assert "Primary enrollment rate 85.71% < 99.5%" in {r["area_code"]: r["reasons"] for r in rows}[T1]


@pytest.mark.parametrize("args", [
    ("rates", "--term", "2030-1"),              # unknown term
    ("rates", "--term", "2024-3"),              # malformed term
    ("rates", "--term", TERM, "--area", "532822999000"),  # unknown area
    ("rates", "--term", TERM, "--area", T1, "--level", "county"),  # a township holds no county
    ("tiers", "--term", "autumn"),
    ("rates", "--term", TERM, "--format", "xml"),
])
def test_bad_arguments_exit_nonzero_with_a_message(server, small_county, args) -> None:  # noqa: ANN001
    result = run(server, *args)
    assert result.exit_code != 0
    assert "Error" in result.output and "Traceback" not in result.output
