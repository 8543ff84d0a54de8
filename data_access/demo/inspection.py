"""Demo inspections (deterministic): the default checklist, and past visits of each zone's team with
their records and findings, so coverage, findings and the false-data tier show in the demo county.

Last term every township was inspected and signed off (布朗山布朗族乡 with possible ghost enrolment); this
term some townships are done, two visits are drafts (勐混镇 is the demo inspector's) and the rest
are still to do.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.inspection.access import VISIT_ENTITY, Actor
from data_access.inspection.visits import create_visit, default_template, visit_gaps
from data_access.inspection.findings import refresh_findings
from data_access.inspection.records import phone_candidates
from data_access.inspection.sections import class_roster
from data_access.models import Area, RosterRecord, School, Team, TeamMember, Term, User, Zone, ZoneTownship
from data_access.models import (ChecklistItem, FileReviewResult, HeadCount, HeadCountAbsence,
                                           InspectionVisit, Interview, PhoneCall)
from data_access.scope import scope_for_user
from domain.inspection.rules import draw_sample, gaps_code

SAMPLE_SIZE = 8
GAPS = {"two_line_letters": "责任书只签到村委会，未签到村民小组", "home_visits": "家访登记缺少本学期记录",
        "one_student_plan": "2名劝返学生无一生一策", "publicity": "未见举报电话公示"}
INTERVIEWS = (
    ("principal", "开学第一周完成排查，缺勤学生当日电话联系家长。", "个别外出务工家庭联系困难。"),
    ("village_cadre", "村委会配合学校入户劝返，村规民约已写入送子女入学条款。", ""),
    ("parent", "孩子每天按时到校，学校有营养餐。", "希望增加校车。"),
    ("teacher", "班级实行48小时缺勤报告。", "留守学生心理辅导需要加强。"),
)
GAPS_REASON = "部分班级外出参加社会实践，未清点的班级和未接通的电话在下次督导时补查"

DRAWN = ("clean", "clean", "gaps", "absence", "dropout", "ghost")   # a province county's scenarios, drawn
THIS_TERM_SHARE, SIGNED_SHARE = 0.65, 0.85   # … its townships visited this term so far, and of those visits signed

# (term, township, signed?, scenario, day of the term)
LAST_TERM = "2025-2"
THIS_TERM = "2026-1"
SCENARIOS = {"勐海镇": "clean", "勐宋乡": "gaps", "格朗和哈尼族乡": "clean", "勐往乡": "gaps", "勐混镇": "absence",
             "打洛镇": "clean", "布朗山布朗族乡": "ghost", "勐遮镇": "clean", "勐满镇": "gaps", "西定哈尼族布朗族乡": "dropout",
             "勐阿镇": "clean"}
THIS_TERM_PLAN = (("勐海镇", True, "clean", 5), ("勐往乡", True, "ghost", 7), ("勐宋乡", False, "partial", 12),
                  ("打洛镇", True, "absence", 6), ("勐混镇", False, "partial", 14), ("西定哈尼族布朗族乡", True, "dropout", 8),
                  ("勐遮镇", True, "gaps", 9))


@dataclass(frozen=True)
class _Team:
    leader: Actor
    leader_name: str
    members: tuple[int, ...]


def _teams(session: Session, county: str) -> dict[str, _Team]:
    """Township code → its zone's team (leader as an Actor, member ids)."""
    out: dict[str, _Team] = {}
    for zone_id, team_id in session.execute(select(Zone.id, Team.id).join(Team, Team.zone_id == Zone.id)
                                            .where(Zone.county_code == county)):
        rows = session.execute(select(User, TeamMember.role).join(TeamMember, TeamMember.user_id == User.id)
                               .where(TeamMember.team_id == team_id).order_by(User.username)).all()
        leader = next(u for u, r in rows if r == "leader")
        team = _Team(Actor(leader.id, leader.role, scope_for_user(session, leader), leader.username),
                     leader.username, tuple(u.id for u, _r in rows))
        for code in session.scalars(select(ZoneTownship.township_code).where(ZoneTownship.zone_id == zone_id)):
            out[code] = team
    return out


def _schools(session: Session, township: str) -> list[int]:
    rows = session.execute(select(School.id, School.is_central, School.type).where(School.township_code == township)
                           .order_by(School.code)).all()
    central = [i for i, c, _t in rows if c]
    other = [i for i, c, t in rows if not c and t == "小学"]
    return central + other[:1]


def _file_review(session: Session, visit: InspectionVisit, scenario: str, rng: random.Random) -> None:
    items = session.scalars(select(ChecklistItem).where(ChecklistItem.template_id == visit.template_id)
                            .order_by(ChecklistItem.position)).all()
    gaps = set(rng.sample(sorted(GAPS), 2)) if scenario in ("gaps", "dropout", "ghost") else set()
    upto = len(items) if scenario != "partial" else 6
    for item in items[:upto]:
        result = "fail" if item.code in gaps else ("na" if item.code == "supervisor_sign" and rng.random() < 0.3
                                                   else "pass")
        session.add(FileReviewResult(visit_id=visit.id, item_id=item.id, result=result,
                                     note=GAPS.get(item.code, "") if result == "fail" else ""))


def _head_count(session: Session, visit: InspectionVisit, scenario: str, rng: random.Random) -> None:
    classes = session.scalars(select(HeadCount).where(HeadCount.visit_id == visit.id)
                              .order_by(HeadCount.school_id, HeadCount.grade, HeadCount.class_name)).all()
    counted = classes[:2] if scenario == "partial" else classes[:: max(1, len(classes) // 5)][:5]
    for k, hc in enumerate(counted):
        students = sorted(class_roster(session, visit.id, hc))  # by roster id: the same on every database
        unexplained = scenario == "absence" and k == 0
        absent = rng.sample(students, min(len(students), rng.randint(1 if unexplained else 0, 2)))
        reasons = ["不明", "病假"] if unexplained else ["病假", "事假"]
        students_of = dict(session.execute(select(RosterRecord.id, RosterRecord.student_id).where(
            RosterRecord.id.in_([rid for rid, _n in absent]))).all())
        for j, (rid, _name) in enumerate(absent):
            session.add(HeadCountAbsence(head_count_id=hc.id, student_id=students_of[rid], roster_record_id=rid,
                                         roster_term_code=visit.term_code, reason=reasons[j % 2]))
        ghosts = 2 if scenario == "ghost" and k == 1 else 0
        hc.counted_present = max(0, hc.roster_count - len(absent) - ghosts)


def _phone(session: Session, visit: InspectionVisit, scenario: str, rng: random.Random) -> None:
    if scenario == "partial":
        return
    seed = rng.randrange(1, 2**31 - 1)
    sample = draw_sample(phone_candidates(session, visit.id), SAMPLE_SIZE, seed)
    visit.phone_seed, visit.phone_sample_size = seed, SAMPLE_SIZE
    students_of = dict(session.execute(select(RosterRecord.id, RosterRecord.student_id).where(
        RosterRecord.id.in_([c.roster_id for c in sample]))).all())
    for i, c in enumerate(sample):
        outcome = "attending"
        if i == 5:
            outcome = "unreachable"
        if scenario in ("dropout", "ghost") and i == 2:
            outcome = "not_attending"
        session.add(PhoneCall(visit_id=visit.id, student_id=students_of[c.roster_id], roster_record_id=c.roster_id,
                              roster_term_code=visit.term_code, position=i + 1, outcome=outcome,
                              note="家长称已外出务工" if outcome == "not_attending" else ""))


def _interviews(session: Session, visit: InspectionVisit, rng: random.Random) -> None:
    for i, (role, summary, concerns) in enumerate(rng.sample(INTERVIEWS, 2)):
        session.add(Interview(visit_id=visit.id, position=i + 1, role=role, summary=summary, concerns=concerns))


def _visit(session: Session, team: _Team, term: Term, township: str, signed: bool, scenario: str, day: int,
           rng: random.Random) -> None:
    date = term.start_date + dt.timedelta(days=day)
    stamp = dt.datetime.combine(date, dt.time(1, 30))  # 09:30 in Yunnan, kept in UTC
    with audit.acting_as(team.leader.user_id, team.leader_name):
        visit = create_visit(session, team.leader, term.code, township, _schools(session, township), date.isoformat(),
                             list(team.members))
        _file_review(session, visit, scenario, rng)
        _head_count(session, visit, scenario, rng)
        _phone(session, visit, scenario, rng)
        if scenario != "partial":
            _interviews(session, visit, rng)
        session.flush()
        refresh_findings(session, visit.id)
        values = {"created_at": stamp, "updated_at": stamp + dt.timedelta(hours=5), "version": 2}
        if signed:  # as sign_visit does: a visit with gaps is signed with the leader's reason
            gaps = gaps_code(visit_gaps(session, visit.id))
            reason = GAPS_REASON if gaps else None
            values.update(status="signed", signed_by=team.leader.user_id, signed_at=stamp + dt.timedelta(hours=6),
                          signed_gaps=gaps or None, signed_reason=reason)
            audit.record(session, "sign", VISIT_ENTITY, str(visit.id),
                         after={"signed_by": team.leader_name, **({"gaps": gaps, "reason": reason} if gaps else {})})
        session.execute(update(InspectionVisit).where(InspectionVisit.id == visit.id).values(**values)
                        .execution_options(synchronize_session=False))


def seed_inspections(session: Session, county: str, seed: int) -> int:
    """The default checklist and the demo county's visits; returns how many visits were made."""
    default_template(session)
    terms = {t.code: t for t in session.scalars(select(Term).where(Term.code.in_([LAST_TERM, THIS_TERM])))}
    if len(terms) < 2:
        return 0
    teams = _teams(session, county)
    names = dict(session.execute(select(Area.name, Area.code).where(Area.code.in_(list(teams)))).all())
    rng = random.Random(seed * 1009 + 4)
    plan = [(LAST_TERM, name, True, SCENARIOS[name], 4 + i) for i, name in enumerate(SCENARIOS) if name in names]
    plan += [(THIS_TERM, name, signed, scenario, day) for name, signed, scenario, day in THIS_TERM_PLAN
             if name in names]
    for term, name, signed, scenario, day in plan:
        _visit(session, teams[names[name]], terms[term], names[name], signed, scenario, day, rng)
    session.flush()
    return len(plan)


def seed_county_inspections(session: Session, county: str, seed: int) -> int:
    """A province county's visits (the province demo, so its pages and imports meet inspection data): last term
    every township visited and signed; this term about two in three so far, most signed; scenarios drawn as
    the demo county's are planned. The default checklist must exist (seed_inspections or default_template).
    Returns how many visits were made."""
    terms = {t.code: t for t in session.scalars(select(Term).where(Term.code.in_([LAST_TERM, THIS_TERM])))}
    if len(terms) < 2:
        return 0
    teams = _teams(session, county)
    rng = random.Random(int(county[:6]) * 1009 + seed)
    plan = []
    for code in sorted(teams):
        plan.append((LAST_TERM, code, True, rng.choice(DRAWN), rng.randint(4, 40)))
        if rng.random() < THIS_TERM_SHARE:
            plan.append((THIS_TERM, code, rng.random() < SIGNED_SHARE, rng.choice(DRAWN), rng.randint(4, 60)))
    for term, code, signed, scenario, day in plan:
        _visit(session, teams[code], terms[term], code, signed, scenario, day, rng)
    session.flush()
    return len(plan)
