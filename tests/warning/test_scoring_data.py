"""Facts gathered from rosters, cases and absence reports; stored scores; the back-test on a hand-made
history (recall and precision by hand); writes refused outside the scope."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data_access.inspection.access import Actor
from data_access.models import AbsenceReport, AuditLog, RiskScore, RosterRecord, SupportAction
from data_access.scope import Scope
from data_access.warning.backtest import run_backtest
from data_access.warning.records import WarningRefused, record_absence, record_support
from data_access.warning.scoring import pupils_as_of, refresh_scores, set_factor
from tests import factories as f

COUNTY = "532822000000"


def _line(s, term, school, stu, grade, status="在读", **fields):  # noqa: ANN001, ANN202
    f.term(s, term)
    t = int(term[:4])
    from domain.terms import age_on_reference_day
    rec = RosterRecord(term_code=term, student_id=stu.id, school_id=school.id, grade=grade, status=status,
                       age=age_on_reference_day(stu.birth_date, t), **fields)
    s.add(rec)
    s.flush()
    return rec


@pytest.fixture
def history(session_factory):  # noqa: ANN001, ANN201
    """Two terms (2023-2, 2024-1) and a third (2024-2) in two townships:
    term 2023-2 → 2024-1: pupils p1 (overage 3 + poverty = 5), p2 (grade 6 spring: transition 2, two-parent
    left-behind 2, = 4), p3 (nothing, 0), p4 (returned: 辍学 in 2023-1, = 5); p1 and p3 drop out in 2024-1.
    """
    with session_factory() as s, s.begin():
        _county, (t1, t2) = f.county_with_townships(s, 2)
        a = f.school.create(s, township_code=t1.code, code="5328220001")
        b = f.school.create(s, township_code=t2.code, code="5328220002")
        p1 = f.student.create(s, birth_date=dt.date(2011, 3, 1))   # 12 on 31 Aug 2023, grade 4 → 3 over
        p2 = f.student.create(s, birth_date=dt.date(2012, 3, 1))   # 11, grade 6: normal
        p3 = f.student.create(s, birth_date=dt.date(2016, 3, 1))   # 7, grade 2
        p4 = f.student.create(s, birth_date=dt.date(2015, 3, 1))   # 8, grade 3
        _line(s, "2023-1", a, p4, 3, "辍学")
        _line(s, "2023-2", a, p1, 4, poverty_registered=True)
        _line(s, "2023-2", a, p2, 6, left_behind=True, left_behind_kind="双亲")
        _line(s, "2023-2", a, p3, 2)
        _line(s, "2023-2", a, p4, 3)
        _line(s, "2024-1", a, p1, 5, "辍学", poverty_registered=True)
        _line(s, "2024-1", b, p2, 7, left_behind=True, left_behind_kind="双亲")
        _line(s, "2024-1", a, p3, 3, "辍学")
        _line(s, "2024-1", a, p4, 3)                                      # repeated grade 3 too
        users = [f.user.create(s, role=r) for r in ("school_staff", "school_staff", "township_officer", "county_leader")]
        ids = dict(users=[u.id for u in users], p1=p1.id, p2=p2.id, p3=p3.id, p4=p4.id, a=a.id, b=b.id, t1=t1.code, t2=t2.code)
    return ids


def test_facts_as_of_a_term(session_factory, history) -> None:  # noqa: ANN001
    with session_factory() as s:
        pupils = {p.student_id: p.facts for p in pupils_as_of(s, "2024-1")}
        assert set(pupils) == {history["p2"], history["p4"]}          # 辍学 lines are not scored
        p4 = pupils[history["p4"]]
        assert (p4.past_dropout, p4.repeats, p4.transfers) == (True, 1, 0)
        assert pupils[history["p2"]].transfers == 0                    # grade 6 → 7 school change is normal
        before = {p.student_id: p.facts for p in pupils_as_of(s, "2023-2")}
        assert before[history["p4"]].past_dropout and before[history["p1"]].grade == 4


def test_backtest_on_hand_made_history(session_factory, history) -> None:  # noqa: ANN001
    with session_factory() as s:
        bt = run_backtest(s, Scope("admin", unrestricted=True), COUNTY, thresholds=[4, 5])
    assert bt.threshold == 5
    first = bt.terms[1]                                                 # 2023-2 → 2024-1
    assert (first.term, first.next_term) == ("2023-2", "2024-1")
    # scores 2023-2: p1 5, p2 4, p3 0, p4 5 → listed at 5: p1, p4; dropouts p1, p3 → recall 1/2, precision 1/2
    m = first.result
    assert (m.pupils, m.listed, m.dropouts, m.caught) == (4, 2, 2, 1)
    assert (m.recall, m.precision, m.list_share) == (0.5, 0.5, 0.5)
    at4 = next(c for c in bt.curve if c.threshold == 4)
    # 2023-1 → 2023-2 adds nobody (p4 is 辍学 in 2023-1, not scored); 2024-1 → 2024-2 has no roster
    assert (at4.listed, at4.caught, at4.dropouts) == (3, 1, 2)


def test_county_settings_and_stored_scores(session_factory, history) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        set_factor(s, COUNTY, "transition", 0, 1)
        refresh_scores(s, "2023-2")
        stored = {r.student_id: (r.score, r.factors) for r in s.scalars(select(RiskScore))}
    assert stored[history["p1"]] == (5, "overage:3,poverty:1")
    assert stored[history["p2"]] == (2, "left_behind_two:1")            # transition switched off
    assert history["p3"] not in stored                                   # 0 is not stored


def test_absence_report_rescores_and_offers_a_case(session_factory, history) -> None:  # noqa: ANN001
    u = history["users"]
    staff = Actor(u[0], "school_staff", Scope("school_staff", school_id=history["a"]))
    with session_factory() as s, s.begin():
        assert record_absence(s, staff, history["p4"], dt.date(2024, 10, 8), 10, "不明") is True
        assert record_absence(s, staff, history["p4"], dt.date(2024, 10, 20), 2) is False
        score = s.get(RiskScore, ("2024-1", history["p4"]))
        assert "absence:12" in score.factors
        record_support(s, staff, history["p4"], "plan", dt.date(2024, 10, 21), "一生一策")
        assert s.scalar(select(AuditLog.id).where(AuditLog.entity == "support_action")) is not None
    other = Actor(u[1], "school_staff", Scope("school_staff", school_id=history["b"]))
    officer = Actor(u[2], "township_officer", Scope("township_officer", areas=((history["t2"], "township"),)))
    leader = Actor(u[3], "county_leader", Scope("county_leader", areas=((COUNTY, "county"),)))
    for actor in (other, officer, leader):
        with session_factory() as s, s.begin():
            with pytest.raises(WarningRefused):
                record_absence(s, actor, history["p4"], dt.date(2024, 10, 8), 3)
            with pytest.raises(WarningRefused):
                record_support(s, actor, history["p4"], "talk", dt.date(2024, 10, 8))
    with session_factory() as s:
        assert s.scalar(select(AbsenceReport.id).where(AbsenceReport.days == 3)) is None
        assert len(s.scalars(select(SupportAction)).all()) == 1


def test_commands(server, history, session_factory) -> None:  # noqa: ANN001
    import json
    runner = server.test_cli_runner()
    out = runner.invoke(args=["risk-backtest", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    row = next(t for t in data["terms"] if t["term"] == "2023-2")
    assert (row["listed"], row["dropouts"], row["caught"], row["recall"], row["precision"]) == (2, 2, 1, "50.0", "50.0")
    assert "Back-test of area 532822000000" in runner.invoke(args=["risk-backtest"]).output
    bad = runner.invoke(args=["risk-setting", "--county", COUNTY, "--factor", "nonsense", "--threshold", "1"])
    assert bad.exit_code != 0 and "unknown factor" in bad.output
    ok = runner.invoke(args=["risk-setting", "--county", COUNTY, "--factor", "list", "--threshold", "4"])
    assert ok.exit_code == 0, ok.output
    assert runner.invoke(args=["risk-score", "--term", "2023-2"]).exit_code == 0
    with session_factory() as s:
        assert s.get(RiskScore, ("2023-2", history["p2"])).score == 4
    again = json.loads(runner.invoke(args=["risk-backtest", "--format", "json"]).output)
    assert again["threshold"] == 4


def test_attendance_import(server, history, session_factory, tmp_path) -> None:  # noqa: ANN001
    from data_access.warning.attendance import import_attendance
    from data_access.models import Student
    with session_factory() as s:
        no = {k: s.get(Student, history[k]).student_no for k in ("p2", "p4")}
    good = tmp_path / "attendance.csv"
    good.write_text("学籍号,日期,状态\n"
                    f"{no['p4']},2024-10-08,旷课\n{no['p4']},2024-10-09,缺课\n{no['p4']},2024-10-10,出勤\n"
                    f"{no['p2']},2024-10-08,病假\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"学籍号,日期,状态\n{no['p4']},2024-10-08,旷课\n{no['p2']},2024-10-08,逃学\n"
                   f"{no['p2']},2024-13-01,旷课\n", encoding="utf-8")
    staff_b = Scope("school_staff", school_id=history["b"])         # p4 is at school a
    with session_factory() as s, s.begin():
        refused = import_attendance(s, bad, Scope("admin", unrestricted=True))
        assert not refused.ok and [(p.row, p.column) for p in refused.problems] == [(3, "状态"), (4, "日期")]
        outside = import_attendance(s, good, staff_b)
        assert not outside.ok and outside.problems[0].row == 2 and outside.problems[0].column == "学籍号"
    with session_factory() as s:
        assert s.scalar(select(AbsenceReport.id)) is None
    runner = server.test_cli_runner()
    out = runner.invoke(args=["import-attendance", str(good)])
    assert out.exit_code == 0 and "2 absence day(s) written, 2 row(s) skipped" in out.output, out.output
    again = runner.invoke(args=["import-attendance", str(good)])
    assert "0 absence day(s) written, 4 row(s) skipped" in again.output
    assert runner.invoke(args=["import-attendance", str(bad)]).exit_code != 0
    with session_factory() as s:
        assert sum(s.scalars(select(AbsenceReport.days)).all()) == 2


def test_a_pupil_moved_to_another_school_is_rescored_there(session_factory, history) -> None:  # noqa: ANN001
    """A roster import that moves a pupil between schools in the same term rescores only the new school: the
    pupil's row under the old school goes (it failed with UNIQUE(term_code, student_id) before)."""
    with session_factory() as s, s.begin():
        refresh_scores(s, "2023-2")
        assert s.scalar(select(RiskScore.school_id).where(RiskScore.student_id == history["p1"])) == history["a"]
        line = s.scalar(select(RosterRecord).where(RosterRecord.term_code == "2023-2",
                                                   RosterRecord.student_id == history["p1"]))
        line.school_id = history["b"]
        s.flush()
        refresh_scores(s, "2023-2", [history["b"]])
        rows = s.execute(select(RiskScore.school_id, RiskScore.score).where(RiskScore.term_code == "2023-2",
                                                                            RiskScore.student_id == history["p1"])).all()
    assert rows == [(history["b"], 5)]
