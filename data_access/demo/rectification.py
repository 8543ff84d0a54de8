"""Demo rectification orders: about fifteen orders from the demo county's signed findings, dated relative
to the day the demo is loaded, in every state — closed on time and late, submitted (one waiting for the
demo inspector's zone), returned, in progress and issued, some overdue — with their history and a small
evidence file per submission (under the evidence folder's orders/, where the app looks for them).

The demo township (勐混镇) gets an order returned to its central school, one just issued and one closed,
so the demo township and school accounts have something to answer.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import INSTANCE_DIR
from data_access.models import Area, School, Student, Team, TeamMember, Term, User, ZoneTownship
from data_access.models import OrderEvent, OrderEvidence, RectificationOrder
from data_access.models import Finding, InspectionVisit
from data_access.rectification.evidence import orders_folder
from domain.localtime import LOCAL_TZ, local_today
from domain.areas import code_range
from domain.privacy import mask_name
from domain.terms import term_for_date
from domain.workdays import add_working_days

DEMO_TOWNSHIP = "勐混镇"
# (scenario, issued so many days before the load day, preferred township or None)
PLAN = (("closed_on_time", 80, None), ("closed_late", 78, None), ("closed_on_time", 72, DEMO_TOWNSHIP),
        ("closed_on_time", 64, None), ("closed_late", 60, None), ("closed_on_time", 55, None),
        ("in_progress_overdue", 42, None), ("returned", 38, DEMO_TOWNSHIP), ("submitted_overdue", 36, "布朗山布朗族乡"),
        ("issued_overdue", 33, None), ("submitted", 12, "打洛镇"), ("in_progress", 10, None),
        ("in_progress", 7, None), ("issued", 4, DEMO_TOWNSHIP), ("issued", 2, None))
KIND_ZH = {"work_gap": "未落实", "absence": "学生无故缺勤", "false_data": "数据不实", "suspected_dropout": "疑似辍学",
           "other": "其他问题"}
REQUIREMENT_ZH = {
    "work_gap": "对照督导检查指出的问题，完善相关制度和工作台账，落实责任到人，并将整改情况及佐证材料报送工作小组。",
    "absence": "逐一核实缺勤学生去向，落实48小时缺勤报告制度，做好家访登记，确保学生返校就读。",
    "false_data": "立即核查学籍数据，清理空挂学籍，如实标注辍学学生并上报，追究相关责任。",
    "suspected_dropout": "落实双线劝返责任，一生一策开展劝返，及时报告劝返结果。",
    "other": "针对督导指出的问题制定整改措施，限期整改到位。",
}
EXPLANATIONS = ("已召开专题会议研究整改，补齐了相关台账并落实到人，附整改报告及照片。",
                "已逐户走访核实，相关学生均已返校，补充了家访登记记录。",
                "已完善制度并组织培训，整改材料已整理成册。")
RETURN_REASON = "佐证材料不全：缺少村民小组签字的责任书，请补充后重新提交。"
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@dataclass(frozen=True)
class _Finding:
    id: int | None  # None: an order issued by hand
    township: str
    town_name: str
    school_id: int | None
    school_name: str
    kind: str
    text: str
    term: str | None
    signed: dt.date


def _stamp(day: dt.date, hour: int, now: dt.datetime) -> dt.datetime:
    """A local time on a day, as stored (UTC, naive), never later than now."""
    local = dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL_TZ).astimezone(dt.timezone.utc).replace(tzinfo=None)
    return min(local, now - dt.timedelta(minutes=5))


def _findings(session: Session, county: str) -> list[_Finding]:
    lo, hi = code_range(county, "county")
    rows = session.execute(
        select(Finding, Area.name, School.name, InspectionVisit.term_code, InspectionVisit.signed_at, Student.name)
        .join(InspectionVisit, InspectionVisit.id == Finding.visit_id).join(Area, Area.code == Finding.township_code)
        .outerjoin(School, School.id == Finding.school_id).outerjoin(Student, Student.id == Finding.student_id)
        .where(InspectionVisit.status == "signed", Finding.township_code.between(lo, hi))
        .order_by(InspectionVisit.signed_at, Finding.id)).all()
    return [_Finding(f.id, f.township_code, town, f.school_id, school or "", f.kind,
                     (f.subject or f.description or "").replace(child, mask_name(child)).strip() if child
                     else (f.subject or f.description or "").strip(), term, signed.date())
            for f, town, school, term, signed, child in rows if signed is not None]


def _pick(candidates: list[_Finding], used: set[int], counts: dict[str, int], issued: dt.date,
          town: str | None, school: int | None) -> _Finding | None:
    """A finding signed before the issue day: of the preferred township (its central school's first) if
    it has one left, else of the township with the fewest orders so far."""
    ok = [f for f in candidates if f.id not in used and f.signed < issued]
    preferred = [f for f in ok if f.town_name == town] if town else []
    if town == DEMO_TOWNSHIP and not preferred:
        return None  # the caller issues one by hand
    pool = preferred or ok
    if not pool:
        return None
    return min(pool, key=lambda f: (counts.get(f.township, 0), f.school_id != school, f.id))


BY_HAND = {"returned": "控辍保学台账未按月更新，劝返记录不完整", "issued": "适龄儿童入学通知书发放记录不全"}


def _by_hand(session: Session, county: str, town: str | None, scenario: str, central: int | None, issued: dt.date
             ) -> _Finding | None:
    """An order by hand for the demo township when its findings are used up (the returned one to its central
    school, so the demo school account has one to answer); none for a county without it (the province demo)."""
    if town != DEMO_TOWNSHIP or scenario not in BY_HAND:
        return None
    code = session.scalar(select(Area.code).where(Area.name == DEMO_TOWNSHIP, Area.level == "township",
                                                  Area.code.between(*code_range(county, "county"))))
    school = session.get(School, central) if central and scenario == "returned" else None
    if code is None or (school is not None and school.township_code != code):
        return None
    term = term_for_date(issued).code
    return _Finding(None, code, DEMO_TOWNSHIP, school.id if school else None, school.name if school else "",
                    "work_gap", BY_HAND[scenario], term if session.get(Term, term) else None, issued)


def _leaders(session: Session) -> dict[str, int]:
    rows = session.execute(select(ZoneTownship.township_code, TeamMember.user_id)
                           .join(Team, Team.zone_id == ZoneTownship.zone_id)
                           .join(TeamMember, (TeamMember.team_id == Team.id) & (TeamMember.role == "leader"))).all()
    return {c: u for c, u in rows}


def _evidence(session: Session, order_id: int, event_id: int, user: int | None, at: dt.datetime, name: str) -> None:
    folder = orders_folder(os.environ.get("BAOXUE_EVIDENCE_DIR") or INSTANCE_DIR / "evidence")
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.pdf"
    Path(folder / stored).write_bytes(PDF)
    session.add(OrderEvidence(order_id=order_id, event_id=event_id, stored_name=stored, original_name=name,
                              file_type="pdf", size=len(PDF), sha256=hashlib.sha256(PDF).hexdigest(),
                              uploaded_by=user, uploaded_at=at))


def seed_rectification(session: Session, county: str, today: dt.date | None = None) -> int:
    """Orders from the county's signed findings in every state, with history; returns how many."""
    today = today or local_today()
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    candidates = _findings(session, county)
    leaders = _leaders(session)
    officer = session.execute(select(User.id, User.area_code).where(User.username == "township")).first()
    school_user = session.execute(select(User.id, User.school_id).where(User.username == "school")).first()
    used: set[int] = set()
    counts: dict[str, int] = {}
    made = 0
    for n, (scenario, ago, town) in enumerate(PLAN):
        issued = today - dt.timedelta(days=ago)
        f = _pick(candidates, used, counts, issued, town, school_user[1] if school_user and scenario == "returned"
                  else None) or _by_hand(session, county, town, scenario, school_user[1] if school_user else None,
                                         issued)
        if f is None:
            continue
        if f.id is not None:
            used.add(f.id)
        counts[f.township] = counts.get(f.township, 0) + 1
        team_user = leaders.get(f.township)
        unit_user = (school_user[0] if school_user and f.school_id == school_user[1] else
                     officer[0] if officer and officer[1] == f.township else None)
        deadline = add_working_days(issued, 15)
        order = RectificationOrder(
            finding_id=f.id, township_code=f.township, school_id=f.school_id,
            team_id=session.scalar(select(Team.id).join(ZoneTownship, ZoneTownship.zone_id == Team.zone_id)
                                   .where(ZoneTownship.township_code == f.township)),
            term_code=f.term, title=(f.text if f.id is None else
                                     f"{KIND_ZH.get(f.kind, '问题')}：{f.text or f.school_name or f.town_name}")[:60],
            requirement=REQUIREMENT_ZH.get(f.kind, REQUIREMENT_ZH["other"]), deadline=deadline, status="issued",
            issued_by=team_user, issued_at=_stamp(issued, 10, now), version=1, updated_by=team_user,
            updated_at=_stamp(issued, 10, now))
        session.add(order)
        session.flush()
        steps: list[tuple[str, dt.date, int | None, str]] = [("issue", issued, team_user, "")]
        if scenario != "issued" and scenario != "issued_overdue":
            steps.append(("start", issued + dt.timedelta(days=2 if ago > 8 else 1), unit_user, ""))
        explanation = EXPLANATIONS[n % len(EXPLANATIONS)]
        if scenario in ("closed_on_time", "returned"):
            steps.append(("submit", deadline - dt.timedelta(days=3), unit_user, explanation))
        elif scenario in ("closed_late", "submitted_overdue"):
            steps.append(("submit", deadline + dt.timedelta(days=3), unit_user, explanation))
        elif scenario == "submitted":
            steps.append(("submit", today - dt.timedelta(days=1), unit_user, explanation))
        if scenario == "returned":
            steps.append(("return", deadline + dt.timedelta(days=1), team_user, RETURN_REASON))
        if scenario == "closed_on_time":
            steps.append(("verify_close", deadline - dt.timedelta(days=1), team_user, "经核实，整改到位。"))
        elif scenario == "closed_late":
            steps.append(("verify_close", deadline + dt.timedelta(days=5), team_user, "逾期完成整改，已核实。"))
        status = "issued"
        target = {"issue": "issued", "start": "in_progress", "submit": "submitted", "return": "returned",
                  "verify_close": "closed"}
        for i, (action, day, user, note) in enumerate(steps):
            at = _stamp(day, 10 + i % 6, now)
            event = OrderEvent(order_id=order.id, at=at, user_id=user, action=action,
                               from_status=None if action == "issue" else status, to_status=target[action], note=note)
            session.add(event)
            session.flush()
            status = target[action]
            if action == "submit":
                order.explanation, order.submitted_at = note, at
                _evidence(session, order.id, event.id, user, at, "整改情况报告.pdf")
            elif action == "return":
                order.return_reason = note
            elif action == "verify_close":
                order.closed_by, order.closed_at = user, at
            order.updated_by, order.updated_at = user, at
        order.status, order.version = status, len(steps)
        made += 1
    session.flush()
    return made
