"""Early warning above one county (issue 19): a province leader first sees each county's counts — its pupils in
school from unit_counts, listed by that county's own threshold, with a plan — and picks a county for its list; the
per-school counts read unit_counts and equal the roster."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_access import audit
from data_access.imports.files import import_roster
from data_access.models import Area, RiskScore, RosterRecord, School, Student, SupportAction
from data_access.scope import Scope
from data_access.warning.lists import counts_by_county, county_rows, risk_rows
from data_access.warning.scoring import refresh_scores, set_factor
from domain.warning.factors import SCORED_STATUSES
from tests import factories as f
from tests.admin.conftest import COUNTY
from tests.imports.test_imports import DATA, TERM, run
from tests.warning.test_warning_page import SHOW_OUT

OTHER, OTHER_TOWN, OTHER_SCHOOL = "532823000000", "532823101000", "2153009001"
PROVINCE = Scope("county_leader", areas=(("530000000000", "province"),))
COUNTIES = {COUNTY: "勐海县", OTHER: "勐腊县"}


@pytest.fixture
def two_counties(world, session_factory, tmp_path: Path):  # noqa: ANN001, ANN201
    """A second county (勐腊县) with a school of four pupils (三 in school: 在读, 在读, 送教上门; one 休学), scored by
    hand 3, 20 and 12 against its own threshold 10; 勐海县 lists every pupil it scores (threshold 0). The pupil of
    score 20 has a plan. A province leader."""
    with session_factory() as s, s.begin():
        s.add_all([Area(code=OTHER, name="勐腊县", level="county", parent_code="532800000000"),
                   Area(code=OTHER_TOWN, name="勐腊镇", level="township", parent_code=OTHER)])
        s.flush()
        s.add(School(code=OTHER_SCHOOL, name="勐腊镇测试小学", type="小学", township_code=OTHER_TOWN))
        f.user.create(s, username="prov", display_name="测试省", role="county_leader", area_code="530000000000")
    header = (DATA / "roster.csv").read_text(encoding="utf-8").splitlines()[0]
    lines = [f"G99020120150{i}01001{i},腊测试{i},男,2015-0{i}-01,,{OTHER_SCHOOL},3,1班,{status},,,,否,无,否,否"
             for i, status in enumerate(("在读", "在读", "送教上门", "休学"), start=1)]
    path = tmp_path / "other.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    with audit.acting_as(world["users"]["admin"], "admin"):
        assert run(session_factory, lambda s, *a: import_roster(s, *a, scope=Scope("admin", unrestricted=True)),
                   path, TERM).ok
    with session_factory() as s, s.begin():
        set_factor(s, COUNTY, "list", 0, 0)
        set_factor(s, OTHER, "list", 0, 10)
        refresh_scores(s, TERM, [world["schools"][c] for c in world["schools"]])
        school = s.scalar(select(School.id).where(School.code == OTHER_SCHOOL))
        s.query(RiskScore).filter(RiskScore.school_id == school).delete()
        pupils = s.scalars(select(RosterRecord.student_id).where(
            RosterRecord.school_id == school, RosterRecord.status.in_(SCORED_STATUSES)).order_by(
            RosterRecord.student_id)).all()
        now = dt.datetime(2024, 10, 1)
        for student, score in zip(pupils, (3, 20, 12)):
            s.add(RiskScore(term_code=TERM, student_id=student, school_id=school, township_code=OTHER_TOWN, grade=3,
                            class_name="1班", score=score, factors="", computed_at=now))
        s.add(SupportAction(student_id=pupils[1], school_id=school, township_code=OTHER_TOWN, kind="plan",
                            date=dt.date(2024, 10, 2), note="", created_at=now))
    return pupils


def _in_school(s, county: str) -> int:  # noqa: ANN001
    return s.scalar(select(func.count()).select_from(RosterRecord).join(School, School.id == RosterRecord.school_id)
                    .where(RosterRecord.term_code == TERM, RosterRecord.status.in_(SCORED_STATUSES),
                           School.township_code.like(county[:6] + "%")))


def test_each_county_counts_its_pupils_and_lists_by_its_own_threshold(session_factory, two_counties) -> None:  # noqa: ANN001
    with session_factory() as s:
        found = {c.county: c for c in counts_by_county(s, PROVINCE, TERM, COUNTIES)}
        here = Scope("county_leader", areas=((COUNTY, "county"),))
        assert found[COUNTY].pupils == _in_school(s, COUNTY) > 0
        assert found[COUNTY].listed == len(risk_rows(s, here, TERM, False)) > 0
        assert found[OTHER].pupils == 3                                  # 在读, 在读, 送教上门; not 休学
        assert (found[OTHER].listed, found[OTHER].with_plan) == (2, 1)     # 20 and 12 reach 10, not 3 (勐海县: 0)
        there = Scope("county_leader", areas=((OTHER, "county"),))
        assert sorted(r.score for r in risk_rows(s, there, TERM, False)) == [12, 20]
        assert [c.name for c in counts_by_county(s, PROVINCE, TERM, COUNTIES)] == ["勐海县", "勐腊县"]


def test_the_counts_per_school_read_unit_counts_and_equal_the_roster(session_factory, two_counties) -> None:  # noqa: ANN001
    with session_factory() as s:
        rows = county_rows(s, Scope("county_leader", areas=((OTHER, "county"),)), TERM)
        assert [(r.township, r.school, r.pupils, r.listed, r.with_plan) for r in rows] == [
            ("勐腊镇", "勐腊镇测试小学", 3, 2, 1)]
        here = county_rows(s, Scope("county_leader", areas=((COUNTY, "county"),)), TERM)
        assert sum(r.pupils for r in here) == _in_school(s, COUNTY)


def _show(user, county: str | None):  # noqa: ANN001, ANN202
    resp = user.callback(SHOW_OUT, [("shell-term", "value", TERM), ("warn-refresh", "data", 0),
                                    ("warn-pick-county", "value", county)])
    assert resp.status_code == 200, resp.data[:300]
    return resp.get_json()["response"], json.dumps(resp.get_json(), ensure_ascii=False)


def test_a_province_leader_picks_a_county_for_its_list(web_user, session_factory, two_counties) -> None:  # noqa: ANN001
    user = web_user("prov")
    with session_factory() as s:
        names = set(s.scalars(select(Student.name)))
    for county in (None, "533100000000"):                              # none picked, or one outside the area
        body, text = _show(user, county)
        assert body["warn-grid"]["rowData"] == [] and "warn-pick-note" in text
        assert "warn-county-table" in text and "勐海县" in text and "勐腊县" in text
        assert not any(n in text for n in names)
    body, text = _show(user, OTHER)
    assert sorted(r["score"] for r in body["warn-grid"]["rowData"]) == [12, 20]
    assert "warn-county-grid" in text and "勐腊镇测试小学" in text and "勐海镇" not in text
    assert not any(n in text for n in names)                              # a county leader sees no names
    resp = user.callback([("warn-backtest", "children")], [("warn-run", "n_clicks", 1)],
                         [("warn-pick-county", "value", None)])
    assert "warn-pick-note" in resp.get_data(as_text=True)


def test_within_one_county_nothing_waits_for_a_pick(web_user, two_counties) -> None:  # noqa: ANN001
    body, text = _show(web_user("leader"), None)
    assert body["warn-grid"]["rowData"] and "warn-pick-note" not in text and "勐腊县" not in text
