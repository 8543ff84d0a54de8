"""Risk scores (issue 20): the facts of each pupil as of a term gathered from rosters, cases, inspections and
absence reports; scored under the county's settings (domain/warning/factors.py) and stored in risk_score.
Refreshed in the background after roster and attendance imports (data_access/warning/refresh.py; README §10)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data_access.models import (AbsenceReport, DropoutCase, HeadCount, HeadCountAbsence, InspectionVisit, PhoneCall,
                                RiskRefresh, RiskScore, RiskSetting, RosterRecord, School, Term)
from domain.areas import county_of
from domain.terms import parse_term
from domain.warning.factors import (FACTOR_CODES, SCORED_STATUSES, PupilFacts, Score, Settings, score,
                                    settings_with)
from domain.warning.model import EXPLAINED, contributions_code

INSPECTION_REASONS = ("不明", "辍学")  # head-count absences that count (unexplained)
_CHUNK = 900


def county_settings(session: Session, county_code: str) -> Settings:
    """The county's settings: its rows in risk_setting over the defaults."""
    rows = session.execute(select(RiskSetting.factor, RiskSetting.weight, RiskSetting.threshold)
                           .where(RiskSetting.county_code == county_code)).all()
    factors = {f: (w, t) for f, w, t in rows if f in FACTOR_CODES}
    special = {f: t for f, _, t in rows if f in ("list", "case_days")}
    return settings_with(factors, special.get("list"), special.get("case_days"))


def set_factor(session: Session, county_code: str, factor: str, weight: int, threshold: int) -> None:
    """Set a county's weight and threshold of a factor (`list` / `case_days` / `model`: threshold only; `model`
    1 switches the statistical model on, used only while it does better on held-out terms)."""
    known = FACTOR_CODES + ("list", "case_days", "model")
    if factor not in known:
        raise ValueError(f"unknown factor {factor!r}; known: {', '.join(known)}")
    if weight < 0 or threshold < 0:
        raise ValueError("weight and threshold must be 0 or more")
    row = session.get(RiskSetting, (county_code, factor))
    if row is None:
        session.add(RiskSetting(county_code=county_code, factor=factor, weight=weight, threshold=threshold))
    else:
        row.weight, row.threshold = weight, threshold
    session.flush()


def terms_in_order(session: Session) -> list[str]:
    """Every term with a roster, oldest first: one statement per term naming it, so that each is an index probe of
    that term's partition alone (a DISTINCT over the roster's term codes read the whole index, 1–4 s at province
    scale; one EXISTS joined to the term table was planned on PostgreSQL as a semi-join over every partition,
    scanning 4.5 M lines of the first, 0.85 s)."""
    codes = session.scalars(select(Term.code).order_by(Term.year, Term.semester)).all()
    return [code for code in codes
            if session.scalar(select(RosterRecord.id).where(RosterRecord.term_code == code).limit(1)) is not None]


@dataclass(frozen=True)
class Pupil:
    """A pupil on a term's roster, with the facts as of that term."""

    student_id: int
    school_id: int
    township_code: str
    grade: int
    class_name: str | None
    facts: PupilFacts


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def _band(grade: int) -> int:
    return 0 if grade <= 3 else 1 if grade <= 6 else 2  # a school change between bands is the normal move


def pupils_as_of(session: Session, term_code: str, school_ids: Iterable[int] | None = None) -> list[Pupil]:
    """The term's pupils (在读 / 送教上门) of the schools (all: None) with their facts as of the term: only data
    dated up to the term's end, cases found before its start, rosters of the term and earlier."""
    t = parse_term(term_code)
    window_start, window_end = t.previous().start, t.end
    stmt = (select(RosterRecord, School.township_code).join(School, School.id == RosterRecord.school_id)
            .where(RosterRecord.term_code == term_code, RosterRecord.status.in_(SCORED_STATUSES)))
    if school_ids is not None:
        stmt = stmt.where(RosterRecord.school_id.in_(sorted(set(school_ids))))
    current = session.execute(stmt).all()
    ids = [r.student_id for r, _ in current]
    earlier = [c for c in terms_in_order(session)
               if (parse_term(c).year, parse_term(c).semester) < (t.year, t.semester)]
    history: dict[int, list[tuple[int, int, int, int, str]]] = defaultdict(list)
    cased: set[int] = set()
    absent: dict[int, int] = defaultdict(int)
    inspected: dict[int, int] = defaultdict(int)
    for part in _chunks(ids):
        if earlier:
            for sid, year, sem, grade, school, status in session.execute(
                    select(RosterRecord.student_id, Term.year, Term.semester, RosterRecord.grade,
                           RosterRecord.school_id, RosterRecord.status)
                    .join(Term, Term.code == RosterRecord.term_code)
                    .where(RosterRecord.student_id.in_(part), RosterRecord.term_code.in_(earlier))):
                history[sid].append((year, sem, grade, school, status))
        cased.update(session.scalars(select(DropoutCase.student_id).where(
            DropoutCase.student_id.in_(part), DropoutCase.found_date < t.start)))
        for sid, days in session.execute(select(AbsenceReport.student_id, func.sum(AbsenceReport.days)).where(
                AbsenceReport.student_id.in_(part), AbsenceReport.date.between(window_start, window_end))
                .group_by(AbsenceReport.student_id)):
            absent[sid] = int(days or 0)
        for sid, n in session.execute(
                select(HeadCountAbsence.student_id, func.count())
                .join(HeadCount, HeadCount.id == HeadCountAbsence.head_count_id)
                .join(InspectionVisit, InspectionVisit.id == HeadCount.visit_id)
                .where(HeadCountAbsence.student_id.in_(part), HeadCountAbsence.reason.in_(INSPECTION_REASONS),
                       InspectionVisit.visit_date.between(window_start, window_end))
                .group_by(HeadCountAbsence.student_id)):
            inspected[sid] += n
        for sid, n in session.execute(
                select(PhoneCall.student_id, func.count())
                .join(InspectionVisit, InspectionVisit.id == PhoneCall.visit_id)
                .where(PhoneCall.student_id.in_(part), PhoneCall.outcome == "not_attending",
                       InspectionVisit.visit_date.between(window_start, window_end))
                .group_by(PhoneCall.student_id)):
            inspected[sid] += n
    out = []
    for rec, township in current:
        lines = sorted(history.get(rec.student_id, ())) + [(t.year, t.semester, rec.grade, rec.school_id, rec.status)]
        out.append(Pupil(rec.student_id, rec.school_id, township, rec.grade, rec.class_name, PupilFacts(
            grade=rec.grade, age=rec.age, semester=t.semester, repeats=_repeats(lines),
            past_suspension=any(s == "休学" for *_, s in lines[:-1]),
            past_dropout=rec.student_id in cased or any(s == "辍学" for *_, s in lines[:-1]),
            absence_days=absent.get(rec.student_id, 0), inspection_absences=inspected.get(rec.student_id, 0),
            poverty=rec.poverty_registered, left_behind=rec.left_behind, left_behind_kind=rec.left_behind_kind,
            migrant=rec.migrant, orphan=rec.orphan, disability=rec.disability, boarding=rec.boarding,
            transfers=_transfers(lines))))
    return out


def _repeats(lines: list[tuple[int, int, int, int, str]]) -> int:
    """School years in which the pupil's grade was not above the year before (a repeated grade)."""
    by_year: dict[int, int] = {}
    for year, _sem, grade, _school, _status in lines:
        by_year[year] = max(grade, by_year.get(year, 0))
    years = sorted(by_year)
    return sum(1 for a, b in zip(years, years[1:]) if b == a + 1 and by_year[b] <= by_year[a])


def _transfers(lines: list[tuple[int, int, int, int, str]]) -> int:
    """School changes other than the normal move between bands (grades 1–3, 4–6, 7–9)."""
    return sum(1 for a, b in zip(lines, lines[1:]) if a[3] != b[3] and _band(a[2]) == _band(b[2]))


def score_pupils(session: Session, pupils: list[Pupil]) -> dict[int, Score]:
    """Each pupil's score under the settings of their school's county."""
    cache: dict[str, Settings] = {}
    out = {}
    for p in pupils:
        county = county_of(p.township_code)
        if county not in cache:
            cache[county] = county_settings(session, county)
        out[p.student_id] = score(p.facts, cache[county])
    return out


def refresh_scores(session: Session, term_code: str, school_ids: Iterable[int] | None = None,
                   train: bool = True) -> int:
    """Recompute and store the term's scores (of the schools, or all); pupils scoring 0 are not stored, except in
    a county whose statistical model is in use: there every pupil is stored with the model's chance and its
    largest contributions (and all the county's schools are scored when the model was trained again or the
    method changed; `train` False: the county's stored model, never trained here unless there is none). Returns
    the number of pupils scored."""
    from data_access.warning.model import model_for_schools   # the model reads the back-test, which reads this
    asked = None if school_ids is None else sorted(set(school_ids))
    started = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    models, schools = model_for_schools(session, term_code, asked, train)
    if schools is not None and asked is not None and len(schools) > len(asked):
        # the county's other schools are scored now: their pending background refresh (if any) is done here
        for part in _chunks(sorted(set(schools) - set(asked))):
            session.execute(delete(RiskRefresh).where(RiskRefresh.term_code == term_code,
                                                      RiskRefresh.school_id.in_(part),
                                                      RiskRefresh.requested_at <= started))
    pupils = pupils_as_of(session, term_code, schools)
    scores = score_pupils(session, pupils)
    gone = delete(RiskScore).where(RiskScore.term_code == term_code)
    if schools is not None:
        for part in _chunks(schools):
            session.execute(gone.where(RiskScore.school_id.in_(part)))
    else:
        session.execute(gone)
    stamp = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    rows = []
    for p in pupils:
        s = scores[p.student_id]
        weights = models.get(county_of(p.township_code)) if models else None
        if weights is None and s.total <= 0:
            continue
        row = dict(term_code=term_code, student_id=p.student_id, school_id=p.school_id, township_code=p.township_code,
                   grade=p.grade, class_name=p.class_name, score=s.total, factors=s.codes[:400], computed_at=stamp,
                   chance=None, model_factors="")
        if weights is not None:
            row["chance"], parts = weights.assess(p.facts, EXPLAINED)
            row["model_factors"] = contributions_code(parts)[:200]
        rows.append(row)
    # an upsert: a pupil who moved in from another school this term still has a row there (one row a pupil and
    # term), which takes the new school's score (a DELETE by pupil before the insert cost ~1.5 s a batch on
    # PostgreSQL at province scale)
    stmt = _upsert(session)
    for i in range(0, len(rows), 5000):
        session.execute(stmt, rows[i:i + 5000])
    session.flush()
    return len(pupils)


_UPDATED = ("school_id", "township_code", "grade", "class_name", "score", "factors", "computed_at", "chance",
            "model_factors")


def _upsert(session: Session):  # noqa: ANN202 - an Insert
    """INSERT … ON CONFLICT (term_code, student_id) DO UPDATE, in the dialect of the session's database."""
    from sqlalchemy.dialects import postgresql, sqlite
    make = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = make(RiskScore)
    return stmt.on_conflict_do_update(index_elements=["term_code", "student_id"],
                                      set_={c: stmt.excluded[c] for c in _UPDATED})
