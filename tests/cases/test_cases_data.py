"""Dropout cases in the database (SQLite and PostgreSQL): opening is idempotent and scoped; cases open
from inspection findings when a visit is signed off and from roster lines marked 辍学; every change
takes the version the page loaded; names are masked per role and reveals are audit-logged."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data_access.inspection import records as rec
from data_access.inspection import sections as sec
from data_access.cases.cases import CaseConflict, CaseRefused, open_case, open_cases_from_roster
from data_access.cases.actions import act, add_attempt, save_fields
from data_access.cases.view import load_attempts, load_case, load_history, reveal
from data_access.inspection.access import InvalidInput
from data_access.inspection.visits import reopen_visit, sign_visit
from data_access.models import AuditLog, RosterRecord, Student
from data_access.models import CaseAttempt, CaseEvent, DropoutCase
from data_access.models import Finding, HeadCount, PhoneCall
from tests import factories as f
from tests.cases.test_case_fixtures import FOUND, new_case, student_of, version
from tests.inspection.test_inspection_fixtures import GAPS, TERM, actor, edit, new_visit, world  # noqa: F401

TODAY = dt.date(2024, 10, 8)


def _count(s, model=DropoutCase) -> int:  # noqa: ANN001
    return s.scalar(select(func.count()).select_from(model))


# --- opening --------------------------------------------------------------------------------------

def test_open_case_fills_from_the_roster_and_is_idempotent(session_factory, world) -> None:  # noqa: ANN001, F811
    with session_factory() as s, s.begin():
        sid = student_of(s, world, "甲二")  # poverty-registered
        first = open_case(s, actor(s, world, "staff2a"), student_id=sid, source="school_report", found_date=FOUND,
                          absence_days=3, note="三天未到校")
        again = open_case(s, actor(s, world, "officer2"), student_id=sid, source="manual", found_date=FOUND)
        assert again == first
        case = s.get(DropoutCase, first)
        assert (case.township_code, case.school_id, case.term_code) == (world.t2, world.s2a, TERM)
        assert (case.ledger, case.status, case.step, case.step_started) == ("suspected", "open", 1, FOUND)
        assert case.special_groups == "poverty_registered" and case.absence_days == 3 and case.version == 1
        events = s.scalars(select(CaseEvent).where(CaseEvent.case_id == first)).all()
        assert [(e.action, e.to_step, e.to_status, e.detail, e.note) for e in events] == [
            ("open", 1, "open", "school_report", "三天未到校")]
        assert _count(s) == 1
        left = open_case(s, actor(s, world, "admin"), student_id=student_of(s, world, "乙三"), source="manual",
                         found_date=FOUND)
        assert s.get(DropoutCase, left).special_groups == "left_behind"


def test_a_closed_case_does_not_stop_a_new_one(session_factory, world) -> None:  # noqa: ANN001, F811
    case_id = new_case(session_factory, world)
    with session_factory() as s, s.begin():
        officer = actor(s, world, "officer2")
        act(s, officer, case_id, 1, "record_outcome", outcome="not_dropout", outcome_date=FOUND, today=TODAY)
        act(s, officer, case_id, 2, "close", note="在校核实", today=TODAY)
    with session_factory() as s, s.begin():
        second = open_case(s, actor(s, world, "staff2a"), student_id=student_of(s, world, "甲一"),
                           source="school_report", found_date=TODAY)
        assert second != case_id and _count(s) == 2
        with pytest.raises(InvalidInput) as err:  # two cases that are not closed: refused
            act(s, actor(s, world, "officer2"), case_id, 3, "reopen", note="再次缺课", today=TODAY)
        assert err.value.code == "student_has_open_case"


@pytest.mark.parametrize(("who", "error"), [
    ("staff2b", InvalidInput),   # another school of the same township
    ("officer1", InvalidInput),  # another township
    ("insp1", CaseRefused),      # inspectors open cases from their findings only
    ("leader", CaseRefused),     # county leaders read
])
def test_open_case_refuses_outside_scope(session_factory, world, who: str, error: type) -> None:  # noqa: ANN001, F811
    with session_factory() as s, s.begin():
        with pytest.raises(error) as err:
            open_case(s, actor(s, world, who), student_id=student_of(s, world, "甲一"), source="school_report",
                      found_date=FOUND)
        if error is InvalidInput:
            assert err.value.code == "student_out_of_scope"
        with pytest.raises(InvalidInput, match="student_out_of_scope"):
            open_case(s, actor(s, world, "admin"), student_id=999_999, source="manual", found_date=FOUND)
        with pytest.raises(InvalidInput, match="bad_source"):
            open_case(s, actor(s, world, "admin"), student_id=student_of(s, world, "甲一"), source="rumour",
                      found_date=FOUND)
        assert _count(s) == 0


def test_household_township_runs_the_case(session_factory, world) -> None:  # noqa: ANN001, F811
    village = world.t3[:9] + "201"
    with session_factory() as s, s.begin():
        from data_access.models import Area, School
        s.add(Area(code=village, name="三村", level="village", parent_code=world.t3))
        school = s.get(School, world.s2a)
        line = f.roster(s, TERM, school, grade=3, class_name="1班", household_code=village, migrant=True,
                        disability="听力")
        admin = actor(s, world, "admin")
        cid = open_case(s, admin, student_id=line.student_id, source="manual", found_date=FOUND)
        case = s.get(DropoutCase, cid)
        assert (case.township_code, case.village_code, case.school_id) == (world.t3, village, world.s2a)
        assert case.special_groups == "disabled,migrant"
        # the household's township runs it and the school sees it; other townships, the school's included, do not
        assert load_case(s, actor(s, world, "staff2a"), cid).id == cid
        for other in ("officer1", "officer2"):
            with pytest.raises(CaseRefused):
                load_case(s, actor(s, world, other), cid)


# --- from findings and from the roster --------------------------------------------------------------

def _visit_with_dropouts(session_factory, world) -> int:  # noqa: ANN001, F811
    """A zone-2 visit: the phone check reaches a guardian whose child is not attending, and the head
    count records an enrolled pupil as dropped out."""
    vid = new_visit(session_factory, world)
    with session_factory() as s, s.begin():
        a = actor(s, world, "insp2")
        rec.draw_calls(s, a, vid, edit(), 3, seed=1)
        call = s.scalars(select(PhoneCall).where(PhoneCall.visit_id == vid).order_by(PhoneCall.position)).first()
        rec.save_call(s, a, vid, edit(), call.id, "not_attending", "家长说在家")
        hc = s.scalar(select(HeadCount).where(HeadCount.visit_id == vid, HeadCount.grade == 1))
        sec.save_present(s, a, vid, edit(), hc.id, 3)
        target = world.roster["甲五"] if call.roster_record_id != world.roster["甲五"] else world.roster["甲四"]
        sec.add_absence(s, a, vid, edit(), hc.id, target, "辍学")
    return vid


def test_signing_a_visit_opens_the_suspected_cases(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = _visit_with_dropouts(session_factory, world)
    with session_factory() as s, s.begin():
        findings = s.scalars(select(Finding).where(Finding.visit_id == vid, Finding.kind == "suspected_dropout")).all()
        assert len(findings) == 2 and _count(s) == 0  # nothing before sign-off
        sign_visit(s, actor(s, world, "lead2"), vid, edit(), GAPS)
    with session_factory() as s:
        cases = s.scalars(select(DropoutCase).order_by(DropoutCase.id)).all()
        assert sorted(c.source for c in cases) == ["head_count", "phone_check"]
        assert {c.finding_id for c in cases} == {f.id for f in findings}
        assert all(c.ledger == "suspected" and c.found_date == dt.date(2024, 9, 20) for c in cases)
        assert all(c.opened_by == world.users["lead2"] for c in cases)
    with session_factory() as s, s.begin():  # reopened and signed again: no second case
        reopen_visit(s, actor(s, world, "lead2"), vid, "补充记录")
    with session_factory() as s, s.begin():
        sign_visit(s, actor(s, world, "lead2"), vid, edit(version=version_of_visit(s, vid), token="t2"), GAPS)
        assert _count(s) == 2


def version_of_visit(s, vid: int) -> int:  # noqa: ANN001
    from data_access.inspection.access import current_version
    return current_version(s, vid)


def test_a_dropped_finding_leaves_the_case_without_its_link(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = _visit_with_dropouts(session_factory, world)
    with session_factory() as s, s.begin():
        sign_visit(s, actor(s, world, "lead2"), vid, edit(), GAPS)
    with session_factory() as s, s.begin():
        reopen_visit(s, actor(s, world, "lead2"), vid, "电话记录有误")
    with session_factory() as s, s.begin():
        call = s.scalars(select(PhoneCall).where(PhoneCall.visit_id == vid).order_by(PhoneCall.position)).first()
        rec.save_call(s, actor(s, world, "insp2"), vid, edit(version=version_of_visit(s, vid), token="t3"), call.id,
                      "attending", "")
    with session_factory() as s:
        phone_case = s.scalar(select(DropoutCase).where(DropoutCase.source == "phone_check"))
        assert phone_case.finding_id is None and phone_case.status == "open"  # ON DELETE SET NULL


def test_open_cases_from_roster(session_factory, world) -> None:  # noqa: ANN001, F811
    village = world.t3[:9] + "201"
    with session_factory() as s, s.begin():
        from data_access.models import Area, School
        s.add(Area(code=village, name="三村", level="village", parent_code=world.t3))
        f.roster(s, TERM, s.get(School, world.s2a), grade=4, status="辍学", household_code=village,
                 poverty_registered=True, left_behind=True)
        f.roster(s, TERM, s.get(School, world.s1), grade=4, status="辍学")  # township t1, not asked for
        assert open_cases_from_roster(s, actor(s, world, "staff2b"), TERM, [world.s2a]) == 0  # not their school
        assert open_cases_from_roster(s, None, TERM, [world.s2a, world.s2b]) == 2
        assert open_cases_from_roster(s, None, TERM, [world.s2a, world.s2b]) == 0  # once only
    with session_factory() as s:
        cases = s.scalars(select(DropoutCase).order_by(DropoutCase.id)).all()
        assert [(c.ledger, c.source, c.status, c.step, c.term_code, c.version) for c in cases] == [
            ("confirmed", "roster_import", "open", 1, TERM, 1)] * 2
        by_town = {c.township_code: c for c in cases}
        assert set(by_town) == {world.t2, world.t3}
        assert by_town[world.t3].village_code == village and by_town[world.t2].village_code is None
        assert by_town[world.t3].special_groups == "poverty_registered,left_behind"
        assert by_town[world.t2].special_groups == ""
        assert _count(s, CaseEvent) == 2
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "open_from_roster")) == 1
        # the ORM reads what the set-based insert wrote, and the rules take it from there
        view = load_case(s, actor(s, world, "officer2"), by_town[world.t2].id)
        assert view.roster_status == "辍学"


def test_open_cases_from_roster_as_township_officer(session_factory, world) -> None:  # noqa: ANN001, F811
    with session_factory() as s, s.begin():
        assert open_cases_from_roster(s, actor(s, world, "officer1"), TERM, [world.s2a]) == 0
        assert open_cases_from_roster(s, actor(s, world, "officer2"), TERM, [world.s2a]) == 1


# --- changes --------------------------------------------------------------------------------------

def test_a_stale_page_is_refused(session_factory, world) -> None:  # noqa: ANN001, F811
    case_id = new_case(session_factory, world)
    with session_factory() as s, s.begin():
        act(s, actor(s, world, "staff2a"), case_id, 1, "escalate", note="请村委会协助", today=TODAY)
    with session_factory() as s, s.begin():
        with pytest.raises(CaseConflict) as err:
            save_fields(s, actor(s, world, "officer2"), case_id, 1, {"reason": "poverty", "plan": "资助"})
        assert err.value.by == "staff2a" and err.value.at is not None
        with pytest.raises(CaseConflict):
            add_attempt(s, actor(s, world, "officer2"), case_id, 1, date=TODAY, who="王老师", method="phone",
                        result="")
    with session_factory() as s:
        case = s.get(DropoutCase, case_id)
        assert (case.reason, case.plan, case.version, case.step) == (None, "", 2, 2)
        assert _count(s, CaseAttempt) == 0


def test_fields_and_attempts(session_factory, world) -> None:  # noqa: ANN001, F811
    case_id = new_case(session_factory, world)
    fields = {"reason": "migrant_work", "reason_note": "随父母外出", "special_groups": ["left_behind", "dibao"],
              "gov_responsible": "村干部甲", "edu_responsible": "班主任乙", "helper": "帮扶人丙", "plan": "每周家访",
              "absence_days": 12}
    with session_factory() as s, s.begin():
        staff = actor(s, world, "staff2a")
        assert save_fields(s, staff, case_id, 1, fields)
        assert not save_fields(s, staff, case_id, 2, fields)  # unchanged: no new version
        add_attempt(s, staff, case_id, 2, date=dt.date(2024, 9, 24), who="班主任乙", method="home_visit",
                    result="家长答应下周送回", today=TODAY)
        for bad, code in (({"reason": "lazy"}, "bad_reason"), ({"special_groups": ["rich"]}, "bad_groups"),
                          ({"helper": "x" * 101}, "name_too_long"), ({"absence_days": -1}, "bad_absence_days")):
            with pytest.raises(InvalidInput) as err:
                save_fields(s, staff, case_id, 3, {**fields, **bad})
            assert err.value.code == code
        for kwargs, code in (({"date": TODAY + dt.timedelta(days=1)}, "attempt_date_future"),
                             ({"date": FOUND - dt.timedelta(days=1)}, "attempt_before_found"),
                             ({"method": "letter"}, "attempt_method_required"), ({"who": " "}, "attempt_who_required"),
                             ({"date": "soon"}, "attempt_date_required")):
            args = {"date": TODAY, "who": "甲", "method": "phone", "result": "", **kwargs}
            with pytest.raises(InvalidInput) as err:
                add_attempt(s, staff, case_id, 3, today=TODAY, **args)
            assert err.value.code == code
    with session_factory() as s:
        case = s.get(DropoutCase, case_id)
        assert (case.reason, case.special_groups, case.helper, case.absence_days, case.version) == (
            "migrant_work", "dibao,left_behind", "帮扶人丙", 12, 3)
        attempts = load_attempts(s, actor(s, world, "officer2"), case_id)
        assert [(a.who, a.method, a.result, a.created_by) for a in attempts] == [
            ("班主任乙", "home_visit", "家长答应下周送回", "staff2a")]
        history = load_history(s, actor(s, world, "leader"), case_id)
        assert [e.action for e in history] == ["attempt", "edit", "open"]
        assert history[1].detail.split(",") == ["reason", "reason_note", "special_groups", "gov_responsible",
                                                "edu_responsible", "helper", "plan", "absence_days"]


@pytest.mark.parametrize(("who", "action", "kwargs", "error"), [
    ("leader", "escalate", {}, CaseRefused),
    ("insp2", "escalate", {}, CaseRefused),
    ("officer1", "escalate", {}, CaseRefused),
    ("staff2b", "record_outcome", {"outcome": "returned", "outcome_date": TODAY}, CaseRefused),
    ("staff2a", "confirm", {}, CaseRefused),
    ("staff2a", "escalate", {}, "school_step_limit"),
    ("officer2", "escalate", {}, "confirm_before_notice"),
    ("officer2", "reopen", {"note": "x"}, "reopen_only_closed"),
    ("officer2", "close", {"note": "x"}, "close_needs_outcome"),
    ("officer2", "fly", {}, CaseRefused),
])
def test_refused_actions_write_nothing(session_factory, world, who: str, action: str,  # noqa: ANN001, F811
                                       kwargs: dict, error: object) -> None:
    case_id = new_case(session_factory, world, step=3)
    before = version(session_factory, case_id)
    with session_factory() as s, s.begin():
        with pytest.raises(CaseRefused if error is CaseRefused else InvalidInput) as err:
            act(s, actor(s, world, who), case_id, before, action, today=TODAY, **kwargs)
        if error is not CaseRefused:
            assert err.value.code == error
    assert version(session_factory, case_id) == before


def test_escalate_verify_close_and_reopen(session_factory, world) -> None:  # noqa: ANN001, F811
    case_id = new_case(session_factory, world, step=3)
    with session_factory() as s, s.begin():
        officer = actor(s, world, "officer2")
        v = s.get(DropoutCase, case_id).version
        act(s, officer, case_id, v, "confirm", today=TODAY)
        act(s, officer, case_id, v + 1, "escalate", note="限期复学", today=TODAY)
        case = s.get(DropoutCase, case_id)
        assert (case.step, case.step_started, case.return_deadline) == (4, TODAY, dt.date(2024, 10, 21))
        act(s, actor(s, world, "staff2a"), case_id, v + 2, "record_outcome", outcome="returned",
            outcome_date=TODAY, note="已返校", today=TODAY)
        # back on Tuesday 8 October 2024: ten school days are complete on 21 October (Saturday 12 October is a
        # make-up working day inside the teaching period, so it counts)
        with pytest.raises(InvalidInput) as err:
            act(s, officer, case_id, v + 3, "close", note="", today=dt.date(2024, 10, 18))
        assert err.value.code == "verify_days_short"
        assert err.value.params == {"need": 10, "days": 9, "ready": "2024-10-21"}
        with pytest.raises(InvalidInput) as err:  # an attendance record naming nobody
            act(s, officer, case_id, v + 3, "close", note="", checked_by="", attendance_first="2024-10-09",
                attendance_last="2024-10-18", today=dt.date(2024, 10, 18))
        assert err.value.code == "attendance_checker_required"
        act(s, officer, case_id, v + 3, "close", note="考勤表核实", today=dt.date(2024, 10, 21))
        case = s.get(DropoutCase, case_id)
        assert (case.status, case.verified_by, case.verified_days, case.verification_note) == (
            "closed", world.users["officer2"], 10, "考勤表核实")
        with pytest.raises(CaseRefused):  # schools do not reopen
            act(s, actor(s, world, "staff2a"), case_id, v + 4, "reopen", note="又辍学", today=TODAY)
        act(s, officer, case_id, v + 4, "reopen", note="又辍学", today=TODAY)
        case = s.get(DropoutCase, case_id)
        assert (case.status, case.outcome, case.verified_by, case.step) == ("open", None, None, 4)
        history = load_history(s, officer, case_id)
        assert [e.action for e in history][:5] == ["reopen", "close", "record_outcome", "escalate", "confirm"]
        assert history[3].detail == "2024-10-21" and history[2].detail == "returned 2024-10-08"


# --- masking and reveals ------------------------------------------------------------------------------

def test_masking_and_audit_logged_reveal(session_factory, world) -> None:  # noqa: ANN001, F811
    case_id = new_case(session_factory, world, name="甲三")
    with session_factory() as s, s.begin():
        s.get(Student, student_of(s, world, "甲三")).id_number = "532822201503050012"
    with session_factory() as s, s.begin():
        lead = load_case(s, actor(s, world, "leader"), case_id)
        assert lead.student_name == "甲*" and not lead.names_visible and not lead.can_reveal
        assert lead.guardian_name == "家**" and lead.guardian_phone == "138****0003"
        assert lead.id_number == "532822********0012"
        mine = load_case(s, actor(s, world, "officer2"), case_id)
        assert mine.student_name == "甲三" and mine.can_reveal and mine.guardian_phone == "138****0003"
        assert load_case(s, actor(s, world, "insp2"), case_id).student_name == "甲三"  # inspectors see names
        for who in ("leader", "insp2", "officer1", "staff2b"):
            with pytest.raises(CaseRefused):
                reveal(s, actor(s, world, who), case_id, "guardian_phone")
        assert reveal(s, actor(s, world, "officer2"), case_id, "guardian_phone") == "13800000003"
        assert reveal(s, actor(s, world, "staff2a"), case_id, "id_number") == "532822201503050012"
    with session_factory() as s:
        rows = s.execute(select(AuditLog.action, AuditLog.actor, AuditLog.entity_key).where(
            AuditLog.action.like("reveal%"))).all()
        assert sorted(r[0] for r in rows) == ["reveal_id_number", "reveal_phone"]
        assert {r[2] for r in rows} == {str(case_id)}
        assert s.scalar(select(RosterRecord.guardian_phone).where(RosterRecord.id == world.roster["甲三"]))


def test_inspectors_open_cases_from_their_own_findings_only(session_factory, world) -> None:  # noqa: ANN001, F811
    vid = _visit_with_dropouts(session_factory, world)
    with session_factory() as s, s.begin():
        finding = s.scalars(select(Finding).where(Finding.visit_id == vid, Finding.kind == "suspected_dropout")
                            .order_by(Finding.id)).first()
        args = {"student_id": finding.student_id, "source": finding.method, "found_date": FOUND}
        with pytest.raises(InvalidInput, match="student_out_of_scope"):  # a zone-1 inspector, a zone-2 finding
            open_case(s, actor(s, world, "insp1"), finding_id=finding.id, **args)
        with pytest.raises(InvalidInput, match="bad_finding"):  # the finding is about another child
            open_case(s, actor(s, world, "insp2"), finding_id=finding.id,
                      **{**args, "student_id": student_of(s, world, "乙四")})
        cid = open_case(s, actor(s, world, "insp2"), finding_id=finding.id, **args)
        assert open_case(s, actor(s, world, "insp2b"), finding_id=finding.id, **args) == cid
        assert s.get(DropoutCase, cid).finding_id == finding.id and _count(s) == 1
