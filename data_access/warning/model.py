"""The statistical model on the stored history (issue 20 item 5): the same terms as the back-test, the model
trained on the earlier terms and compared with the rule-based score on the held-out later terms. A county turns
the model on with the setting `model` (threshold 1); it is in use only while it also does better on held-out
terms (domain/warning/model.py). While in use, the background refresh stores each pupil's chance and largest
contributions with the score (`model_for_schools`), from the county's stored model (risk_model), trained again only
when the county's history or settings changed."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from data_access.models import AbsenceReport, RiskModel, RiskScore, RiskSetting, RosterRecord, School
from data_access.scope import Scope
from data_access.warning.backtest import THRESHOLDS, _school_ids, term_history
from data_access.warning.scoring import county_settings, terms_in_order
from domain.areas import code_range, county_of
from domain.terms import parse_term
from domain.warning.model import Comparison, Weights, compare

MODEL_VERSION = 1  # raised when training changes: every county's model is trained again


def model_comparison(session: Session, scope: Scope, county_code: str,
                     thresholds: Iterable[int] = THRESHOLDS, held_out: int | None = None) -> Comparison:
    """Rule against model on the held-out terms of the schools in scope."""
    threshold = county_settings(session, county_code).list_threshold
    history = [h for h, _nxt in term_history(session, _school_ids(session, scope))]
    return compare(history, threshold, list(thresholds), held_out)


def model_switched_on(session: Session, county_code: str) -> bool:
    """The county's setting `model` (off unless set to 1)."""
    row = session.get(RiskSetting, (county_code, "model"))
    return bool(row is not None and row.threshold >= 1)


def model_in_use(session: Session, scope: Scope, county_code: str) -> bool:
    """The model is used only when the county switched it on and it does better on the held-out terms."""
    return model_switched_on(session, county_code) and model_comparison(session, scope, county_code).model_better


def county_scope(county_code: str) -> Scope:
    """The whole county (the model is trained on the county's own history)."""
    return Scope("admin", areas=((county_code, "county"),))


def history_fingerprint(session: Session, county_code: str) -> str:
    """What the model's training depends on, cheaply: the terms, the county's rosters and dropouts per term,
    its absence reports dated before the latest term, and its settings. The model is trained again when it
    changes (an absence recorded this term, which no trained pair reads, does not change it)."""
    lo, hi = code_range(county_code, "county")
    terms = terms_in_order(session)
    schools = sorted(session.scalars(select(School.id).where(School.township_code.between(lo, hi)))) or [-1]
    rosters = []   # index-only counts (ix_roster_term_school_student; ix_roster_dropped takes the literal)
    for part in range(0, len(schools), 900):
        ids = schools[part:part + 900]
        rosters += session.execute(select(RosterRecord.term_code, func.count()).where(RosterRecord.school_id.in_(ids))
                                   .group_by(RosterRecord.term_code).order_by(RosterRecord.term_code)).all()
        rosters += session.execute(select(RosterRecord.term_code, func.count()).where(
            RosterRecord.school_id.in_(ids), RosterRecord.status == literal("辍学", literal_execute=True))
            .group_by(RosterRecord.term_code).order_by(RosterRecord.term_code)).all()
    before = parse_term(terms[-1]).start if terms else dt.date.min
    absences = session.execute(select(func.count(), func.sum(AbsenceReport.days)).where(
        AbsenceReport.township_code.between(lo, hi), AbsenceReport.date < before)).one()
    settings = session.execute(select(RiskSetting.factor, RiskSetting.weight, RiskSetting.threshold)
                               .where(RiskSetting.county_code == county_code).order_by(RiskSetting.factor)).all()
    text = repr((MODEL_VERSION, terms, [tuple(r) for r in rosters], tuple(absences), [tuple(r) for r in settings]))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class CountyModel:
    """The county's model as scoring uses it: its weights while in use (None: the rule), and whether it was trained
    again just now (then every school's stored chances are out of date)."""

    weights: Weights | None
    retrained: bool


def county_model(session: Session, county_code: str, train: bool = True) -> CountyModel:
    """The county's model for scoring: trained (and stored) again when its history or settings changed since it
    was last trained (`train` False: the stored model as it is, trained only if there is none); in use only while
    switched on and better on the held-out terms."""
    if not model_switched_on(session, county_code):
        return CountyModel(None, False)
    row = session.get(RiskModel, county_code)
    if row is not None and not train:
        return CountyModel(Weights.from_text(row.weights) if row.better and row.weights else None, False)
    fingerprint = history_fingerprint(session, county_code)
    retrained = row is None or row.fingerprint != fingerprint
    if retrained:
        cmp = model_comparison(session, county_scope(county_code), county_code)
        if row is None:
            row = RiskModel(county_code=county_code)
            session.add(row)
        row.fingerprint, row.better = fingerprint, cmp.model_better
        row.weights = cmp.model.weights.to_text() if cmp.model is not None else ""
        row.trained_on, row.held_out = ",".join(cmp.trained_on), ",".join(cmp.held_out)
        row.computed_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        session.flush()
    return CountyModel(Weights.from_text(row.weights) if row.better and row.weights else None, retrained)


def model_for_schools(session: Session, term_code: str, school_ids: list[int] | None, train: bool = True
                      ) -> tuple[dict[str, Weights], list[int] | None]:
    """The weights of the counties (of the schools; all: None) whose model is in use, and the schools to score:
    all of a county's schools when its model was trained again or when its stored scores of the term were made by
    the other method (so that a term's list is never half rule, half model)."""
    wanted = select(School.township_code).distinct()
    if school_ids is not None:
        wanted = wanted.where(School.id.in_(school_ids or [-1]))
    counties = sorted({county_of(t) for t in session.scalars(wanted)})
    touched = set(session.scalars(select(RiskSetting.county_code).where(RiskSetting.factor == "model"))) | set(
        session.scalars(select(RiskModel.county_code)))
    models: dict[str, Weights] = {}
    widen: list[str] = []
    for county in counties:
        if county not in touched:
            continue   # never switched on: the rule, as before
        found = county_model(session, county, train)
        if found.weights is not None:
            models[county] = found.weights
        if school_ids is None:
            continue
        lo, hi = code_range(county, "county")
        other = (RiskScore.chance.is_(None) if found.weights is not None else RiskScore.chance.is_not(None))
        stale = session.execute(select(RiskScore.student_id).where(
            RiskScore.term_code == term_code, RiskScore.township_code.between(lo, hi), other).limit(1)).first()
        if found.retrained or stale is not None:
            widen.append(county)
    if widen and school_ids is not None:
        extra = set()
        for county in widen:
            lo, hi = code_range(county, "county")
            extra |= set(session.scalars(select(School.id).where(School.township_code.between(lo, hi))))
        school_ids = sorted(set(school_ids) | extra)
    return models, school_ids
