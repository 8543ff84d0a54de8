"""The back-test on the stored history (issue 20 item 4): for each term with a following term, the pupils scored
as of the term against the pupils whose next-term roster line says 辍学."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.memo import memo
from data_access.models import RosterRecord, School
from data_access.scope import Scope, scoped
from data_access.warning.scoring import county_settings, pupils_as_of, score_pupils, terms_in_order
from domain.warning.backtest import Measure, curve, measure
from domain.warning.model import HeldOutTerm

THRESHOLDS = range(1, 21)


@dataclass(frozen=True)
class TermResult:
    """One term's list at the county's threshold."""

    term: str
    next_term: str
    result: Measure


@dataclass(frozen=True)
class Backtest:
    """Per term at the threshold, all terms pooled at the threshold, and the pooled curve over thresholds."""

    threshold: int
    terms: list[TermResult]
    pooled: Measure
    curve: list[Measure]


def _school_ids(session: Session, scope: Scope) -> list[int]:
    return list(session.scalars(scoped(select(School.id), scope, school_col=School.id,
                                       school_area_col=School.township_code)))


def term_history(session: Session, school_ids: list[int]) -> list[tuple[HeldOutTerm, str]]:
    """Each term with a following term (the pair): the pupils' facts and rule scores as of the term, and who had
    dropped out by the next. Read once per session: the back-test and the model comparison both use it."""
    def compute() -> list[tuple[HeldOutTerm, str]]:
        terms = terms_in_order(session)
        out = []
        for term, nxt in zip(terms, terms[1:]):
            pupils = pupils_as_of(session, term, school_ids)
            scores = {sid: s.total for sid, s in score_pupils(session, pupils).items()}
            dropped = frozenset(session.scalars(select(RosterRecord.student_id).where(
                RosterRecord.term_code == nxt, RosterRecord.status == "辍学")))
            out.append((HeldOutTerm(term, {p.student_id: p.facts for p in pupils}, scores, dropped), nxt))
        return out
    return memo(session, ("risk_term_history", tuple(school_ids)), compute)


def run_backtest(session: Session, scope: Scope, county_code: str,
                 thresholds: Iterable[int] = THRESHOLDS) -> Backtest:
    """The back-test over the schools in scope (a county's own history)."""
    threshold = county_settings(session, county_code).list_threshold
    history = term_history(session, _school_ids(session, scope))
    pairs = [(h.scores, h.dropped) for h, _nxt in history]
    per_term = [TermResult(h.term, nxt, measure(h.scores, h.dropped, threshold)) for h, nxt in history]
    ts = sorted(set(thresholds) | {threshold})
    points = curve(pairs, ts)
    return Backtest(threshold, per_term, next(m for m in points if m.threshold == threshold), points)
