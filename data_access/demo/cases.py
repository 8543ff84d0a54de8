"""Demo dropout cases (deterministic for a seed and a day): about forty cases over the demo county's
townships — the suspected ones the signed inspections found, confirmed ones for this term's roster lines
marked 辍学, suspected ones for sampled enrolled pupils — at every step, some running, some due, some
overdue, with persuasion attempts, varied reasons and special groups; a few returned and closed.
勐混镇 (the demo township account's) gets one of each kind. All people are generated."""
from __future__ import annotations

import datetime as dt
import random

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access.demo import names as demo_names
from data_access.cases.cases import open_case_once, open_cases_from_findings
from data_access.models import Area, RosterRecord, School, Term, User
from data_access.models import CaseAttempt, CaseEvent, DropoutCase
from domain.cases.rules import CASE_REASONS, SPECIAL_GROUPS
from data_access.models import InspectionVisit
from data_access.calendar import school_days_of
from domain.localtime import local_today
from domain.cases.rules import RETURN_DAYS, VERIFY_SCHOOL_DAYS
from domain.cases.escalation import DEFAULT_STEP_DAYS
from domain.schooldays import school_days_between
from domain.workdays import IsWorkday, add_working_days, default_is_workday, working_days_between

THIS_TERM = "2026-1"
HOME_TOWN = "勐混镇"
# (scenario, step, working days the step has run) — how far along a case is today
SCENARIOS = {
    "s1_running": (1, 1), "s1_overdue": (1, 5), "s2_running": (2, 1), "s2_due": (2, 4), "s3_overdue": (3, 8),
    "s3_running": (3, 2), "s4_running": (4, 3), "s4_overdue": (4, 12), "s5_running": (5, 6), "s6": (6, 10),
    "outcome": (3, 6), "closed_returned": (4, 14), "closed_transfer": (2, 6), "closed_home": (3, 9),
}
HOME_PLAN = ("s1_running", "s2_due", "s3_overdue", "s4_running", "s4_overdue", "outcome", "closed_returned")
OTHER_PLAN = ("s2_running", "s3_running", "s4_running", "s1_overdue", "s5_running", "s6", "closed_transfer",
              "s3_overdue", "closed_home", "s2_due", "s4_overdue", "outcome")
ATTEMPT_RESULTS = {
    "phone": ("家长称孩子在外打工，答应劝其回校", "电话无人接听", "家长同意下周送回学校"),
    "home_visit": ("入户见到学生本人，学生不愿返校", "家中无人，已留联系卡", "与家长长谈，家长态度转变"),
    "school_talk": ("约谈家长和学生，学生同意试读一周",),
    "village_committee": ("村委会干部上门做工作，家长承诺送返",),
    "township": ("乡镇干部与家长签订送子女入学承诺书",),
    "other": ("请在外务工的亲属协助劝返",),
}
PLANS = {
    "study_difficulty": "一生一策：班主任结对辅导，降低作业难度，每周谈心一次。",
    "migrant_work": "一生一策：联系务工地劳动部门劝返，返校后落实住校和生活补助。",
    "poverty": "一生一策：落实两免一补和营养改善计划，申请临时救助。",
    "parents_attitude": "一生一策：村干部与教师联合家访，宣讲义务教育法。",
    "no_guardian": "一生一策：落实代理家长，安排住校，每周与监护人电话联系。",
    "disability_illness": "一生一策：评估后安排随班就读或送教上门。",
    "early_marriage": "一生一策：乡镇、村委会依法劝阻，学校安排心理辅导。",
    "language": "一生一策：安排双语教师辅导，补习基础课程。",
    "other": "一生一策：学校、村委会共同跟踪，每周记录一次。",
}


def working_days_before(day: dt.date, days: int, is_day: IsWorkday = default_is_workday) -> dt.date:
    """The date `days` working days (or school days, with `is_day`) before `day`."""
    left = days
    while left > 0:
        day -= dt.timedelta(days=1)
        if is_day(day):
            left -= 1
    return day


def _at(day: dt.date, hour: int = 2) -> dt.datetime:
    """A stored (UTC) time on a local working day: 10:00 in Yunnan is 02:00 UTC."""
    return dt.datetime.combine(day, dt.time(hour, 30))


def _candidates(session: Session, county: str) -> dict[str, tuple[str, list[int], list[int]]]:
    """Township code → (name, roster ids 辍学 this term, roster ids 在读 sampled) in roster order."""
    towns = dict(session.execute(select(Area.code, Area.name).where(Area.parent_code == county,
                                                                    Area.level == "township")).all())
    out: dict[str, tuple[str, list[int], list[int]]] = {c: (n, [], []) for c, n in towns.items()}
    rows = session.execute(select(RosterRecord.id, RosterRecord.status, School.township_code)
                           .join(School, School.id == RosterRecord.school_id)
                           .where(RosterRecord.term_code == THIS_TERM, RosterRecord.status.in_(("辍学", "在读")))
                           .order_by(RosterRecord.id)).all()
    for rid, status, town in rows:
        if town in out:
            (out[town][1] if status == "辍学" else out[town][2]).append(rid)
    return out


class _Accounts:
    """Who acts on a demo case: the officer of its township, and for the school's side the demo `school`
    account when the case is of its school, else that officer (no account acts on another school's case)."""

    def __init__(self, session: Session) -> None:
        self.officers = dict(session.execute(select(User.area_code, User.id)
                                             .where(User.role == "township_officer")).all())
        row = session.execute(select(User.id, User.school_id).where(User.username == "school")).first()
        self.school, self.school_id = (row[0], row[1]) if row else (None, None)

    def of(self, case: DropoutCase) -> tuple[int | None, int | None]:
        """(officer, school side) for this case."""
        officer = self.officers.get(case.township_code)
        return officer, self.school if case.school_id is not None and case.school_id == self.school_id else officer


def _history(session: Session, case: DropoutCase, scenario: str, today: dt.date, users: _Accounts,
             rng: random.Random, people: list[str]) -> None:
    """Move a fresh case back in time to its scenario: steps, events, attempts, fields, outcome."""
    step, ran = SCENARIOS[scenario]
    starts = {step: working_days_before(today, ran)}
    for s in range(step - 1, 0, -1):
        starts[s] = working_days_before(starts[s + 1], DEFAULT_STEP_DAYS[s] + rng.randint(0, 2))
    found = starts[1]
    case.found_date = case.step_started = found
    case.absence_days = min(working_days_between(found, today), 60) + rng.randint(0, 1)
    reason = rng.choice(CASE_REASONS)
    groups = [g for g in case.special_groups.split(",") if g]
    if rng.random() < 0.25:
        groups.append(rng.choice(("dibao", "orphan", "prisoner_child")))
    case.reason, case.special_groups = reason, ",".join(g for g in SPECIAL_GROUPS if g in groups)
    case.gov_responsible = f"{people.pop()}（村委会）"
    case.edu_responsible = f"{people.pop()}（班主任）"
    case.helper = people.pop() if rng.random() < 0.8 else ""
    case.plan = PLANS[reason] if step >= 2 else ""
    session.query(CaseEvent).filter(CaseEvent.case_id == case.id).update({"at": _at(found)})
    officer, school = users.of(case)
    if step >= 4 and case.ledger != "confirmed":
        case.ledger = "confirmed"
        session.add(CaseEvent(case_id=case.id, at=_at(starts[3], 3), user_id=officer, action="confirm", note=""))
    for s in range(2, step + 1):
        detail = ""
        if s == 4:
            case.return_deadline = add_working_days(starts[4], RETURN_DAYS)
            detail = case.return_deadline.isoformat()
        session.add(CaseEvent(case_id=case.id, at=_at(starts[s]), user_id=school if s == 2 else officer,
                              action="escalate", from_step=s - 1, to_step=s, from_status="open", to_status="open",
                              detail=detail, note="仍未返校" if s > 2 else "请村委会协助劝返"))
    case.step, case.step_started = step, starts[step]
    attempts = sorted({found + dt.timedelta(days=rng.randint(0, max(0, (today - found).days - 1)))
                       for _ in range(rng.randint(1, 3) if step > 1 or rng.random() < 0.5 else 0)})
    for day in attempts:
        method = rng.choice(sorted(ATTEMPT_RESULTS))
        session.add(CaseAttempt(case_id=case.id, date=day, who=f"{people.pop()}", method=method,
                                result=rng.choice(ATTEMPT_RESULTS[method]), created_by=school, created_at=_at(day, 8)))
        session.add(CaseEvent(case_id=case.id, at=_at(day, 8), user_id=school, action="attempt",
                              detail=f"{day.isoformat()} {method}"))
    if scenario == "outcome" or scenario.startswith("closed"):
        outcome = {"closed_transfer": "transferred", "closed_home": "home_teaching"}.get(scenario, "returned")
        if scenario.startswith("closed"):  # a returned child's close rests on ten school days (vacations excluded)
            day = working_days_before(today - dt.timedelta(days=1), VERIFY_SCHOOL_DAYS + rng.randint(2, 6),
                                      school_days_of(session, case.township_code))
        else:
            day = working_days_before(today, 3)
        day = max(day, case.step_started)
        case.status, case.outcome, case.outcome_date = "outcome", outcome, day
        case.outcome_note = {"returned": "已返校上课", "transferred": "转入外县学校就读，已取得接收证明",
                             "home_teaching": "经评估安排送教上门"}[outcome]
        session.add(CaseEvent(case_id=case.id, at=_at(day, 6), user_id=school, action="record_outcome",
                              from_step=step, to_step=step, from_status="open", to_status="outcome",
                              detail=f"{outcome} {day.isoformat()}", note=case.outcome_note))
        closed_on = today - dt.timedelta(days=1)
        days = (school_days_between(day, closed_on, school_days_of(session, case.township_code))
                if outcome == "returned" else None)
        if scenario.startswith("closed") and (days is None or days >= VERIFY_SCHOOL_DAYS):  # as the rule allows
            case.status, case.verified_days, case.verified_by = "closed", days, officer
            case.verification_note = "查阅考勤记录，连续在校" if outcome == "returned" else "已核实相关证明材料"
            case.closed_at = _at(today - dt.timedelta(days=1), 7)
            session.add(CaseEvent(case_id=case.id, at=case.closed_at, user_id=officer, action="close",
                                  from_step=step, to_step=step, from_status="outcome", to_status="closed",
                                  detail=f"{outcome} {days}" if days else outcome, note=case.verification_note))
    case.updated_at = _at(today - dt.timedelta(days=1), 8)


def _found_by_inspection(session: Session, case: DropoutCase, last_term: bool, today: dt.date,
                         users: _Accounts) -> None:
    """A case an inspection found: last term's were verified not to be dropouts; this term's are with
    the village committee."""
    officer, school = users.of(case)
    if last_term:
        day = case.found_date + dt.timedelta(days=3)
        case.status, case.outcome, case.outcome_date, case.outcome_note = "outcome", "not_dropout", day, "电话回访在校"
        session.add(CaseEvent(case_id=case.id, at=_at(day, 5), user_id=school, action="record_outcome", from_step=1,
                              to_step=1, from_status="open", to_status="outcome", detail=f"not_dropout {day}",
                              note=case.outcome_note))
        case.status, case.verified_by, case.closed_at = "closed", officer, _at(day, 7)
        case.verification_note = "到校核实在读"
        session.add(CaseEvent(case_id=case.id, at=case.closed_at, user_id=officer, action="close", from_step=1,
                              to_step=1, from_status="outcome", to_status="closed", detail="not_dropout",
                              note=case.verification_note))
        return
    started = max(working_days_before(today, 4), case.found_date)
    case.step, case.step_started, case.absence_days, case.reason = 2, started, 5, "parents_attitude"
    session.add(CaseEvent(case_id=case.id, at=_at(started), user_id=school, action="escalate", from_step=1,
                          to_step=2, from_status="open", to_status="open", note="请村委会协助劝返"))


def seed_cases(session: Session, county: str, seed: int, today: dt.date | None = None) -> int:
    """The demo county's cases (after seed_inspections); returns how many cases there are."""
    today = today or local_today()
    rng = random.Random(seed * 7919 + 5)
    people = demo_names.person_names(np.random.default_rng([seed, 11]), np.random.default_rng([seed, 12])
                                     .random(400) < 0.5)
    users = _Accounts(session)
    # what the signed inspections found: last term's are settled, this term's are being worked on
    for vid in session.scalars(select(InspectionVisit.id).where(InspectionVisit.status == "signed")
                               .order_by(InspectionVisit.id)).all():
        open_cases_from_findings(session, None, vid)
    session.flush()
    candidates = _candidates(session, county)
    school_id = session.scalar(select(User.school_id).where(User.username == "school"))
    plan: list[tuple[int, str, str, str]] = []  # (roster id, ledger, source, scenario)
    other = iter(OTHER_PLAN * 4)
    for code in sorted(candidates):
        name, dropped, enrolled = candidates[code]
        home = name == HOME_TOWN
        want, confirmed = (len(HOME_PLAN), 5) if home else (3, 2)  # a small demo may lack 辍学 lines: fill up
        picks = [(r, "confirmed", "roster_import") for r in dropped[:confirmed]]
        pool = enrolled
        if home:  # the demo `school` account's central school reports these
            own = set(session.scalars(select(RosterRecord.id).where(RosterRecord.term_code == THIS_TERM,
                                                                    RosterRecord.school_id == school_id)))
            pool = [r for r in enrolled if r in own] or enrolled
        reported = [(r, "suspected", "school_report") for r in rng.sample(pool, min(want - len(picks), len(pool)))]
        picks = reported + picks if home else picks + reported  # the school's own: early steps, to work on
        scenarios = iter(HOME_PLAN) if home else other
        plan += [(r, led, src, next(scenarios)) for r, led, src in picks]
    students = dict(session.execute(select(RosterRecord.id, RosterRecord.student_id)
                                    .where(RosterRecord.id.in_([p[0] for p in plan]))).all())
    for rid, ledger, source, scenario in plan:
        case_id, new = open_case_once(session, None, student_id=students[rid], source=source, found_date=today,
                                      ledger=ledger)
        if new:
            case = session.get(DropoutCase, case_id)
            if source == "school_report" and case.school_id == school_id:
                case.opened_by = users.school
                session.query(CaseEvent).filter(CaseEvent.case_id == case_id).update({"user_id": case.opened_by})
            _history(session, case, scenario, today, users, rng, people)
    term_start = session.scalar(select(Term.start_date).where(Term.code == THIS_TERM)) or today
    for case in session.scalars(select(DropoutCase).where(DropoutCase.source.in_(("head_count", "phone_check")))
                                .order_by(DropoutCase.id)):
        _found_by_inspection(session, case, case.found_date < term_start, today, users)
    session.flush()
    return session.scalar(select(func.count()).select_from(DropoutCase))
