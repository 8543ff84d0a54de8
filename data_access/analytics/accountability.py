"""Accountability records (issue 18.5): the 约谈 / 问责 units of published periods, what the county recorded for
them, and what is still to be recorded (an inbox item for the county's leaders and admins)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.analytics.publish import publication_for
from data_access.analytics.report import load_report, own_unit, unit_level_below
from data_access.models import AccountabilityRecord, Area, PeriodPublication, School, User
from data_access.scope import Scope
from domain.dashboard.accountability import ACCOUNTABLE_TIERS, AccountabilityDue, AccountabilityView, record_problems
from domain.localtime import local_date
from domain.terms import parse_term

RECENT_TERMS = 2      # the inbox asks for records of the publications of the last two terms


class AccountabilityRefused(ValueError):
    """A record that cannot be made: `code` names why, `problems` the fields (field, problem)."""

    def __init__(self, code: str, problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.problems = problems or []


def _unit_area(session: Session, code: str) -> str | None:
    if len(code) == 10:
        return session.scalar(select(School.township_code).where(School.code == code))
    return code if session.get(Area, code) is not None else None


def _published_tier(session: Session, scope: Scope, code: str, term: str) -> tuple[PeriodPublication, int, str]:
    """The publication covering a unit in `term`, the unit's tier in it and its name (refused otherwise)."""
    area = _unit_area(session, code)
    if area is None or not scope.covers_area(area):
        raise AccountabilityRefused("not_allowed")
    parent, level = own_unit(session, code)
    pub = publication_for(session, parent, term)
    if pub is None:
        raise AccountabilityRefused("not_published")
    report = load_report(session, scope, parent, level, term)
    unit = next((u for u in report.units if u.code == code), None)
    if unit is None or not unit.graded or unit.tier.tier not in ACCOUNTABLE_TIERS:
        raise AccountabilityRefused("not_accountable")
    return pub, unit.tier.tier, unit.name


def record_accountability(session: Session, scope: Scope, user_id: int | None, code: str, term: str,
                          held_on: dt.date | None, talked_to: str, held_by: str, decision: str,
                          follow_up: dt.date | None, today: dt.date) -> AccountabilityRecord:
    """Record what was done about a 约谈 / 问责 unit of a published period (several records per unit allowed)."""
    pub, tier, _name = _published_tier(session, scope, code, parse_term(term).code)
    problems = record_problems(held_on, talked_to, held_by, decision, follow_up, today)
    if problems:
        raise AccountabilityRefused("invalid", problems)
    record = AccountabilityRecord(
        publication_id=pub.id, unit_code=code, unit_area=_unit_area(session, code), term_code=pub.term_code,
        tier=tier, held_on=held_on, talked_to=talked_to.strip(), held_by=held_by.strip(), decision=decision.strip(),
        follow_up_deadline=follow_up, recorded_by=user_id,
        recorded_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
    session.add(record)
    session.flush()
    return record


def _names(session: Session, codes: set[str]) -> dict[str, str]:
    """The names of areas (12-digit codes) and schools (10-digit), each table read only for codes of its kind."""
    areas, schools = sorted(c for c in codes if len(c) == 12), sorted(c for c in codes if len(c) != 12)
    names = dict(session.execute(select(Area.code, Area.name).where(Area.code.in_(areas))).all()) if areas else {}
    if schools:
        names.update(session.execute(select(School.code, School.name).where(School.code.in_(schools))).all())
    return names


def records(session: Session, scope: Scope, term: str | None = None, codes: set[str] | None = None
            ) -> list[AccountabilityView]:
    """The records in the user's scope (of a term, of some units), newest meeting first."""
    stmt = select(AccountabilityRecord).order_by(AccountabilityRecord.held_on.desc(), AccountabilityRecord.id.desc())
    if term is not None:
        stmt = stmt.where(AccountabilityRecord.term_code == term)
    if codes is not None:
        stmt = stmt.where(AccountabilityRecord.unit_code.in_(list(codes)))
    rows = [r for r in session.scalars(stmt) if scope.covers_area(r.unit_area)]
    if not rows:      # (three statements for nothing on most tiers pages: no 约谈 / 问责 recorded)
        return []
    names = _names(session, {r.unit_code for r in rows})
    users = dict(session.execute(select(User.id, User.display_name).where(
        User.id.in_({r.recorded_by for r in rows if r.recorded_by}))).all())
    return [AccountabilityView(r.id, r.unit_code, names.get(r.unit_code, r.unit_code), r.term_code, r.tier, r.held_on,
                               r.talked_to, r.held_by, r.decision, r.follow_up_deadline, users.get(r.recorded_by, ""))
            for r in rows]


def due(session: Session, scope: Scope) -> list[AccountabilityDue]:
    """约谈 / 问责 units of the publications in scope (of the last terms) that have no record yet."""
    if not scope.unrestricted and not scope.areas:
        return []
    pubs = [p for p in session.scalars(select(PeriodPublication).where(PeriodPublication.withdrawn_at.is_(None)))
            if scope.covers_area(p.area_code)]
    recent = sorted({p.term_code for p in pubs}, key=lambda t: (parse_term(t).year, parse_term(t).semester))
    recent = set(recent[-RECENT_TERMS:])
    done = set(session.execute(select(AccountabilityRecord.unit_code, AccountabilityRecord.term_code)).all())
    out = []
    for pub in pubs:
        if pub.term_code not in recent:
            continue
        level = unit_level_below(session.scalar(select(Area.level).where(Area.code == pub.area_code)))
        for unit in load_report(session, scope, pub.area_code, level, pub.term_code).units:
            if unit.graded and unit.tier.tier in ACCOUNTABLE_TIERS and (unit.code, pub.term_code) not in done:
                out.append(AccountabilityDue(unit.code, unit.name, pub.term_code, unit.tier.tier, pub.area_code,
                                             local_date(pub.published_at)))
    return out
