"""Issuing rectification orders: from a finding of a signed visit (its unit and term; at most one open
order per finding) or by hand to a township or one of its schools; checked against the issuing team."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.inspection.access import Actor, InvalidInput, now, township_team
from data_access.models import Area, School, Student, Term
from data_access.models import OrderEvent, RectificationOrder
from data_access.models import Finding, InspectionVisit
from data_access.rectification.orders import MAX_TEXT, MAX_TITLE, OrderRefused, clean_text, may_issue_in, parse_deadline
from domain.privacy import mask_name
from domain.rectification.rules import transition
from domain.terms import term_for_date
from domain.rectification.views import FindingFacts


def finding_facts(session: Session, finding_id: Any, see_names: bool = True) -> FindingFacts | None:
    """The finding and its visit, or None when it does not exist (callers check permissions). Without
    `see_names` the child's name in the finding's subject is masked (张*), as domain.privacy says."""
    if not isinstance(finding_id, int) or isinstance(finding_id, bool):
        return None
    row = session.execute(
        select(Finding, InspectionVisit.status, InspectionVisit.term_code, Area.name, School.name, Student.name)
        .join(InspectionVisit, InspectionVisit.id == Finding.visit_id)
        .join(Area, Area.code == Finding.township_code)
        .outerjoin(School, School.id == Finding.school_id)
        .outerjoin(Student, Student.id == Finding.student_id).where(Finding.id == finding_id)).first()
    if row is None:
        return None
    f, status, term, town, school, child = row
    subject = f.subject or ""
    if child and not see_names:
        subject = subject.replace(child, mask_name(child))
    open_id = session.scalar(select(RectificationOrder.id).where(RectificationOrder.finding_id == f.id,
                                                                RectificationOrder.status != "closed"))
    return FindingFacts(f.id, f.visit_id, status, term, f.township_code, town, f.school_id, school or "", f.method,
                        f.kind, f.false_data_type, f.severity, subject, f.count, f.description, open_id)


def finding_for_order(session: Session, actor: Actor, finding_id: Any) -> FindingFacts:
    """A finding the actor may issue an order from: their team's, of a signed visit, with no open order.
    The child's name is masked: what the form prefills goes into a notice many people read.

    OrderRefused for strangers and unknown ids; InvalidInput when the visit is a draft or an order is open.
    """
    facts = finding_facts(session, finding_id, see_names=False)
    if facts is None or not may_issue_in(session, actor, facts.township_code):
        raise OrderRefused()
    if facts.visit_status != "signed":
        raise InvalidInput("visit_not_signed")
    if facts.open_order_id is not None:
        raise InvalidInput("finding_has_open_order", order=facts.open_order_id)
    return facts


@dataclass(frozen=True)
class OrderDraft:
    """What the new-order form sends: a finding (then the unit comes from it) or a township and unit."""

    title: Any
    requirement: Any
    deadline: Any
    township_code: Any = None
    school_id: Any = None
    finding_id: Any = None


def _school_in(session: Session, school_id: Any, township: str) -> int | None:
    if school_id in (None, ""):
        return None
    if not isinstance(school_id, int) or isinstance(school_id, bool):
        raise InvalidInput("bad_value")
    if session.scalar(select(School.township_code).where(School.id == school_id)) != township:
        raise InvalidInput("order_school_not_in_township")
    return school_id


def issue_order(session: Session, actor: Actor, draft: OrderDraft, today: dt.date) -> RectificationOrder:
    """Issue an order to a township or one of its schools (from a finding: its unit and term); history row."""
    term: str | None = None
    if draft.finding_id is not None:
        facts = finding_for_order(session, actor, draft.finding_id)
        township, school_id, term = facts.township_code, facts.school_id, facts.term_code
    else:
        township = draft.township_code
        if not isinstance(township, str) or not may_issue_in(session, actor, township) or \
                session.scalar(select(Area.level).where(Area.code == township)) != "township":
            raise OrderRefused()
        school_id = _school_in(session, draft.school_id, township)
        current = term_for_date(today).code
        term = current if session.get(Term, current) is not None else None
    title = clean_text(draft.title, MAX_TITLE, "title_required")
    requirement = clean_text(draft.requirement, MAX_TEXT, "requirement_required")
    deadline = parse_deadline(draft.deadline, today)
    stamp = now()
    order = RectificationOrder(finding_id=draft.finding_id, township_code=township, school_id=school_id,
                               team_id=township_team(session, township)[1], term_code=term, title=title,
                               requirement=requirement, deadline=deadline, status=transition(None, "issue"),
                               issued_by=actor.user_id, issued_at=stamp, version=1, updated_by=actor.user_id,
                               updated_at=stamp)
    session.add(order)
    session.flush()
    session.add(OrderEvent(order_id=order.id, at=stamp, user_id=actor.user_id, action="issue", from_status=None,
                           to_status=order.status, note=""))
    session.flush()
    return order
