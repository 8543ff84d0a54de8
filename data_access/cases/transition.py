"""Graduates lost between primary and junior school (小升初, issue 13.4) made suspected cases in one step: the
spring's grade-6 graduates on no roster of the autumn term, within the actor's scope, each opened once (source
transition), dated at the autumn term's start so their clocks start there."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.cases.cases import CaseRefused, open_case_once
from data_access.cases.ledger import LedgerRefused
from data_access.imports.missing import lost_graduates
from data_access.inspection.access import Actor, InvalidInput
from data_access.models import Term
from domain.cases.rules import CaseRuleError, check_role
from domain.localtime import local_today
from domain.terms import parse_term

TRANSITION = "transition"
MAX_OPENED = 5000  # a county's whole cohort; beyond it the button is pressed again


def transition_date(session: Session, term: str) -> dt.date:
    """The day a 小升初 case is found: the autumn term's start (never after today)."""
    start = session.scalar(select(Term.start_date).where(Term.code == term)) or parse_term(term).start
    return min(start, local_today())


def open_lost_graduates(session: Session, actor: Actor, term: str, student_id: object = None,
                        note: str = "") -> tuple[int, int]:
    """Open a suspected case (source transition) for each lost graduate of the autumn `term` in the actor's scope
    that has no case not closed — or for one of them (`student_id`): (cases opened, graduates considered).
    CaseRefused for a role that may not open cases; LedgerRefused for a student not on the actor's list."""
    try:
        check_role(actor.role, "open")
    except CaseRuleError as exc:
        raise CaseRefused() from exc
    if actor.role == "inspector":
        raise CaseRefused()
    _spring, found, _count = lost_graduates(session, term, actor.scope, without_case=student_id is None,
                                            limit=MAX_OPENED)
    if student_id is not None:
        found = [g for g in found if g.student_id == student_id and not isinstance(student_id, bool)]
        if not found:
            raise LedgerRefused()
    day = transition_date(session, term)
    opened = 0
    for grad in found:
        try:
            _id, new = open_case_once(session, actor, student_id=grad.student_id, source=TRANSITION, found_date=day,
                                      ledger="suspected", note=note)
        except InvalidInput:
            if student_id is not None:
                raise
            continue  # a child the actor may see but whose case another township runs
        opened += new
    return opened, len(found)
