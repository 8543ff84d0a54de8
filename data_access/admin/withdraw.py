"""Withdrawing a term imported by mistake (issue 15.4): its roster records in the admin's scope are removed,
the references inspection records hold to them are cleared (they keep the student), the analytics tables are
refreshed, and the term itself goes when nothing else refers to it. A preview says all this first."""
from __future__ import annotations

from sqlalchemy import Select, delete, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from data_access import audit
from data_access.analytics.aggregates import refresh_roster_aggregates
from data_access.analytics.unit_counts import terms_depending_on, refresh_terms
from data_access.imports.serial import ImportBusy, hold_import_lock
from data_access.models import (DropoutCase, RiskScore, Finding, HeadCountAbsence, InspectionVisit, PhoneCall,
                                RectificationOrder, RosterAggregate, RosterRecord, School, SchoolAgeLine, Term,
                                UnitCounts)
from data_access.partitions import drop_term_partition
from data_access.scope import Scope, scoped
from domain.admin.views import WithdrawPreview
from domain.terms import parse_term

WITHDRAW_LEVELS = frozenset({"province", "prefecture", "county"})


class WithdrawRefused(PermissionError):
    """The user may not withdraw terms (not an admin, or an admin scoped below a county)."""


class WithdrawInvalid(ValueError):
    """The request cannot be carried out as asked (unknown term, stale preview, wrong confirmation)."""


IMPORT_WAIT = 5.0            # seconds a withdrawal waits for a running import of the term


def may_withdraw(role: str, scope: Scope) -> bool:
    """Admins with no area, or scoped to a county or above."""
    return role == "admin" and (scope.unrestricted or (
        scope.school_id is None and bool(scope.areas) and all(lvl in WITHDRAW_LEVELS for _c, lvl in scope.areas)))


def _records(scope: Scope, term: str) -> Select:
    """The ids of the term's roster records in scope (a subquery, never correlated)."""
    stmt = (select(RosterRecord.id).join(School, School.id == RosterRecord.school_id)
            .where(RosterRecord.term_code == term))
    return scoped(stmt, scope, school_col=School.id, school_area_col=School.township_code).correlate(None)


def _count(session: Session, stmt: Select) -> int:
    """The number of rows a select returns."""
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def _refs(session: Session, ids: Select) -> tuple[int, int, int]:
    """Findings, head-count absences and phone calls pointing at these records."""
    return tuple(_count(session, select(m.id).where(m.roster_record_id.in_(ids)))  # type: ignore[return-value]
                 for m in (Finding, HeadCountAbsence, PhoneCall))


def _term_kept_by(session: Session, term: str) -> tuple[int, int, int]:
    """Cases, visits and orders of the term (they keep the term row)."""
    return tuple(_count(session, select(m.id).where(m.term_code == term))  # type: ignore[return-value]
                 for m in (DropoutCase, InspectionVisit, RectificationOrder))


def preview(session: Session, role: str, scope: Scope, term: str) -> WithdrawPreview:
    """What withdrawing the term's roster in this scope would remove and what would point at it."""
    if not may_withdraw(role, scope):
        raise WithdrawRefused(role)
    if session.get(Term, term) is None:
        raise WithdrawInvalid(f"term {term} is not loaded")
    ids = _records(scope, term)
    records = _count(session, ids)
    here = (RosterRecord.term_code == term, RosterRecord.id.in_(ids))     # the term named: its partition only
    schools = _count(session, select(RosterRecord.school_id).distinct().where(*here))
    other = aliased(RosterRecord)
    # an anti-join (NOT EXISTS): NOT IN over a province term's 4.5 M students ran as a subplan per line, for hours;
    # the other terms are named, so each line is a probe of the (term, student) key per term: with `!= term`
    # SQLite, which has no index led by the student, read the whole roster once per line (hours for a county)
    others = list(session.scalars(select(Term.code).where(Term.code != term)))
    only_here = _count(session, select(RosterRecord.student_id).where(*here, ~exists().where(
        other.student_id == RosterRecord.student_id, other.term_code.in_(others)))) if others else records
    findings, absences, calls = _refs(session, ids)
    cases, visits, orders = _term_kept_by(session, term)
    remaining = _count(session, select(RosterRecord.id).where(RosterRecord.term_code == term)) - records
    later = tuple(t for t in terms_depending_on(session, roster_term=term) if t != term)
    return WithdrawPreview(term, records, schools, only_here, findings, absences, calls, cases, visits, orders,
                           remaining == 0 and cases + visits + orders == 0, later)


def withdraw(session: Session, role: str, scope: Scope, term: str, confirm: str | None,
             expected_records: int | None) -> WithdrawPreview:
    """Remove the term's roster in scope after a confirmation (the term code typed again); audit-logged."""
    seen = preview(session, role, scope, term)
    if (confirm or "").strip() != term:
        raise WithdrawInvalid(f"type the term code {term} to confirm")
    if expected_records is not None and expected_records != seen.records:
        raise WithdrawInvalid("the roster changed since the preview; look at the preview again")
    try:                          # never in the middle of an import of the term (one written in batches, too)
        hold_import_lock(session, term, wait=IMPORT_WAIT)
    except ImportBusy:
        raise WithdrawInvalid("an import of the term is running; try again when it has finished") from None
    ids = _records(scope, term)
    school_ids = list(session.scalars(select(RosterRecord.school_id).distinct().where(
        RosterRecord.term_code == term, RosterRecord.id.in_(ids))))
    for model in (Finding, HeadCountAbsence, PhoneCall):
        session.execute(update(model).where(model.roster_record_id.in_(ids))
                        .values(roster_record_id=None, roster_term_code=None)
                        .execution_options(synchronize_session=False))
    every_line = seen.records == _count(session, select(RosterRecord.id).where(RosterRecord.term_code == term))
    if not (every_line and drop_term_partition(session, "roster_record", term)):   # PostgreSQL: the whole partition
        session.execute(delete(RosterRecord).where(RosterRecord.term_code == term,
                                                   RosterRecord.id.in_(ids.scalar_subquery()))
                        .execution_options(synchronize_session=False))
    session.execute(delete(RiskScore).where(RiskScore.term_code == term, RiskScore.school_id.in_(school_ids))
                    .execution_options(synchronize_session=False))   # the early-warning scores of those lines
    if seen.term_row_removed:
        if not drop_term_partition(session, "roster_agg", term):
            session.execute(delete(RosterAggregate).where(RosterAggregate.term_code == term))
        session.execute(delete(SchoolAgeLine).where(SchoolAgeLine.term_code == term))
        session.execute(delete(UnitCounts).where(UnitCounts.term_code == term))
        session.execute(delete(Term).where(Term.code == term))
    later = [t for t in terms_depending_on(session, roster_term=term) if t != term]
    if seen.term_row_removed:    # the term's whole roster is gone: the terms reading it are rebuilt
        refresh_terms(session, later)
    else:                        # only the withdrawn schools' rows and their areas' chain (issue 19 item 2)
        leaves = refresh_roster_aggregates(session, term, school_ids)
        refresh_terms(session, later + [term], schools=school_ids, area_codes=leaves, roster_term=term)
    area = scope.areas[0][0] if len(scope.areas) == 1 else None
    audit.record(session, "withdraw_term", "term", term, area=area, after={
        "records": seen.records, "schools": seen.schools, "findings_unlinked": seen.findings,
        "absences_unlinked": seen.absences, "calls_unlinked": seen.phone_calls,
        "term_removed": seen.term_row_removed})
    return seen
