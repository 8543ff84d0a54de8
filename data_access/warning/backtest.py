"""The back-test on the stored history (issue 20 item 4): for each term with a following term, the pupils scored
as of the term against the pupils whose next-term roster line says 辍学."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.models import RosterRecord, School
from data_access.scope import Scope, scoped
from data_access.warning.scoring import county_settings, pupils_as_of, score_pupils, terms_in_order
from domain.warning.backtest import Measure, curve, measure

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


def run_backtest(session: Session, scope: Scope, county_code: str,
                 thresholds: Iterable[int] = THRESHOLDS) -> Backtest:
    """The back-test over the schools in scope (a county's own history)."""
    threshold = county_settings(session, county_code).list_threshold
    schools = _school_ids(session, scope)
    terms = terms_in_order(session)
    pairs = []
    per_term = []
    for term, nxt in zip(terms, terms[1:]):
        pupils = pupils_as_of(session, term, schools)
        scores = {sid: s.total for sid, s in score_pupils(session, pupils).items()}
        dropped = set(session.scalars(select(RosterRecord.student_id).where(
            RosterRecord.term_code == nxt, RosterRecord.status == "辍学")))
        pairs.append((scores, dropped))
        per_term.append(TermResult(term, nxt, measure(scores, dropped, threshold)))
    ts = sorted(set(thresholds) | {threshold})
    points = curve(pairs, ts)
    return Backtest(threshold, per_term, next(m for m in points if m.threshold == threshold), points)
