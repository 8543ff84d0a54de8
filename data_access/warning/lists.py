"""The early-warning list of a term in the user's scope: named (masked for roles that see no names) per school and
class, and the county view (counts per township and school, never names). The list is the rule's (stored score at
or above the county's threshold) unless the county's statistical model is in use and made the term's stored scores:
then it is the pupils with the highest chance, as many as the rule would list in the county (the list size the
back-test compared at), each explained by the model's largest contributions."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from data_access.models import Area, RiskScore, RiskSetting, School, Student, SupportAction, UnitCounts
from data_access.scope import Scope, code_prefix_sql, scoped
from data_access.warning.model import model_switched_on
from data_access.warning.records import support_kinds
from data_access.warning.scoring import county_settings
from domain.areas import code_range, county_of
from domain.privacy import mask_name, mask_student_no
from domain.warning.factors import parse_hits
from domain.warning.model import parse_contributions
from domain.warning.views import CountRow, CountyCount, RiskRow

MAX_ROWS = 3000


def _scope_county(session: Session, scope: Scope) -> str | None:
    """The scope's county (the first area's county; the school's; else the first county)."""
    code = scope.areas[0][0] if scope.areas else None
    if code is None and scope.school_id is not None:
        school = session.get(School, scope.school_id)
        code = school.township_code if school else None
    if code is None:
        code = session.scalar(select(Area.code).where(Area.level == "county").order_by(Area.code).limit(1))
    return county_of(code) if code else None


def list_threshold(session: Session, scope: Scope) -> int:
    """The list threshold of the scope's county (the first area's county; default otherwise)."""
    return county_settings(session, _scope_county(session, scope) or "").list_threshold


@dataclass(frozen=True)
class Basis:
    """What draws a term's list: the rule (score at or above `threshold`) or, in `county`, the model (`size` pupils
    with the highest chance; `listed` the clause that picks them)."""

    method: str   # "rule" | "model"
    threshold: int
    switched_on: bool = False   # the county switched the model on (the page then says which method drew the list)
    county: str | None = None
    size: int = 0
    listed: ColumnElement[bool] | None = None


def list_basis(session: Session, scope: Scope, term_code: str) -> Basis:
    """The rule, or the model where the scope's county switched it on and its stored scores of the term carry the
    model's chances (the refresh stores them only while the model does better on held-out terms)."""
    county = _scope_county(session, scope)
    threshold = county_settings(session, county or "").list_threshold
    if county is None or not model_switched_on(session, county):
        return Basis("rule", threshold)
    lo, hi = code_range(county, "county")
    in_county = and_(RiskScore.term_code == term_code, RiskScore.township_code.between(lo, hi))
    made_by_model = session.scalar(select(exists().where(in_county, RiskScore.chance.is_not(None))))
    made_by_rule = session.scalar(select(exists().where(in_county, RiskScore.chance.is_(None))))
    if not made_by_model or made_by_rule:
        return Basis("rule", threshold, True)
    size = session.scalar(select(func.count()).where(in_county, RiskScore.score >= threshold)) or 0
    cut = session.execute(select(RiskScore.chance, RiskScore.student_id)
                          .where(in_county, RiskScore.model_factors != "")
                          .order_by(RiskScore.chance.desc(), RiskScore.student_id)
                          .offset(max(size - 1, 0)).limit(1)).first() if size else None
    county_rows = RiskScore.township_code.between(lo, hi)
    if cut is None:   # the rule would list nobody here, or fewer pupils are explained than the list's size
        top = (RiskScore.model_factors != "") if size else RiskScore.student_id.is_(None)
    else:
        top = and_(RiskScore.model_factors != "", or_(
            RiskScore.chance > cut.chance, and_(RiskScore.chance == cut.chance, RiskScore.student_id <= cut.student_id)))
    listed = or_(and_(county_rows, top), and_(not_(county_rows), RiskScore.score >= threshold))
    return Basis("model", threshold, True, county, size, listed)


def _listed(basis: Basis) -> ColumnElement[bool]:
    return basis.listed if basis.listed is not None else RiskScore.score >= basis.threshold


def count_listed(session: Session, scope: Scope, term_code: str, basis: Basis | None = None) -> int:
    """How many pupils in scope are on the term's list (risk_rows shows the MAX_ROWS highest of them)."""
    basis = basis or list_basis(session, scope, term_code)
    stmt = (select(func.count()).select_from(RiskScore).join(School, School.id == RiskScore.school_id)
            .where(RiskScore.term_code == term_code, _listed(basis)))
    return int(session.scalar(scoped(stmt, scope, school_col=RiskScore.school_id,
                                      school_area_col=School.township_code)) or 0)


def risk_rows(session: Session, scope: Scope, term_code: str, see_names: bool,
              basis: Basis | None = None) -> list[RiskRow]:
    """The term's listed pupils in scope (the basis: `list_basis`), highest score (or chance) first."""
    basis = basis or list_basis(session, scope, term_code)
    first = (RiskScore.chance.desc(), RiskScore.score.desc()) if basis.method == "model" else (RiskScore.score.desc(),)
    stmt = (select(RiskScore, Student.name, Student.student_no, School.name, Area.name)
            .join(Student, Student.id == RiskScore.student_id).join(School, School.id == RiskScore.school_id)
            .join(Area, Area.code == School.township_code)
            .where(RiskScore.term_code == term_code, _listed(basis))
            .order_by(*first, School.name, RiskScore.grade, RiskScore.class_name, Student.student_no)
            .limit(MAX_ROWS))
    stmt = scoped(stmt, scope, school_col=RiskScore.school_id, school_area_col=School.township_code)
    found = session.execute(stmt).all()
    kinds = support_kinds(session, [r.student_id for r, *_ in found])
    return [RiskRow(r.student_id, name if see_names else mask_name(name), mask_student_no(no, see_names), school,
                    town, r.grade, r.class_name or "", r.score, parse_hits(r.factors),
                    tuple(sorted(kinds.get(r.student_id, ()))), r.chance if basis.method == "model" else None,
                    parse_contributions(r.model_factors) if basis.method == "model" else ())
            for r, name, no, school, town in found]


def _with_plan() -> ColumnElement[int]:
    """1 for a listed pupil with a 一生一策 plan recorded, else 0 (summed per school or county)."""
    plan = exists().where(SupportAction.student_id == RiskScore.student_id, SupportAction.kind == "plan")
    return func.sum(case((plan, 1), else_=0))


def county_rows(session: Session, scope: Scope, term_code: str, basis: Basis | None = None) -> list[CountRow]:
    """Per township and school: pupils in school (those scored, from the school rows of unit_counts), listed, and
    listed with a 一生一策 plan. No names."""
    basis = basis or list_basis(session, scope, term_code)
    U = UnitCounts
    pupils = scoped(select(School.id, U.in_school).join(School, School.code == U.unit_code)
                    .where(U.term_code == term_code, U.level == "school", U.in_school > 0), scope,
                    school_col=School.id, school_area_col=School.township_code)
    totals = dict(session.execute(pupils).all())
    listed = scoped(select(RiskScore.school_id, func.count(), _with_plan())
                    .join(School, School.id == RiskScore.school_id)
                    .where(RiskScore.term_code == term_code, _listed(basis)).group_by(RiskScore.school_id), scope,
                    school_col=RiskScore.school_id, school_area_col=School.township_code)
    by_school = {sid: (n, int(plan or 0)) for sid, n, plan in session.execute(listed)}
    names = {sid: (sname, tname) for sid, sname, tname in session.execute(
        select(School.id, School.name, Area.name).join(Area, Area.code == School.township_code)
        .where(School.id.in_(sorted(set(totals) | set(by_school)) or [-1])))}
    rows = [CountRow(names[sid][1], names[sid][0], totals.get(sid, 0), *by_school.get(sid, (0, 0))) for sid in names]
    return sorted(rows, key=lambda r: (r.township, -r.listed, r.school))


def _listed_by_county(session: Session, scope: Scope, term_code: str, counties: Collection[str]
                      ) -> ColumnElement[bool]:
    """Who is listed across `counties`, each by its own basis: a county with settings of its own (a threshold, the
    model switched on) by `list_basis` of that county, every other by the default threshold."""
    own = session.scalars(select(RiskSetting.county_code).distinct()
                          .where(RiskSetting.county_code.in_(sorted(counties)))).all()
    clauses, elsewhere = [], []
    for county in own:
        inside = RiskScore.township_code.between(*code_range(county, "county"))
        clauses.append(and_(inside, _listed(list_basis(session, Scope(scope.role, areas=((county, "county"),)),
                                                       term_code))))
        elsewhere.append(not_(inside))
    clauses.append(and_(*elsewhere, RiskScore.score >= county_settings(session, "").list_threshold))
    return or_(*clauses)


def counts_by_county(session: Session, scope: Scope, term_code: str, counties: dict[str, str]) -> list[CountyCount]:
    """An area spanning counties (`counties`: code → name, from names.scope_counties): per county, its pupils in
    school, listed (each county by its own threshold or model) and listed with a plan, without a row per school
    or pupil (a province's per-school table was 12,462 rows and 1.9 MB, 4.5 s on SQLite). No names."""
    U = UnitCounts
    key = code_prefix_sql(School.township_code, "county")
    pupils = scoped(select(key, func.sum(U.in_school)).select_from(U).join(School, School.code == U.unit_code)
                    .where(U.term_code == term_code, U.level == "school").group_by(key), scope,
                    school_col=School.id, school_area_col=School.township_code)
    totals = {county_of(k): int(n or 0) for k, n in session.execute(pupils)}
    listed = scoped(select(key, func.count(), _with_plan()).select_from(RiskScore)
                    .join(School, School.id == RiskScore.school_id)
                    .where(RiskScore.term_code == term_code, _listed_by_county(session, scope, term_code, counties))
                    .group_by(key), scope, school_col=RiskScore.school_id, school_area_col=School.township_code)
    found = {county_of(k): (n, int(plan or 0)) for k, n, plan in session.execute(listed)}
    return [CountyCount(code, name, totals.get(code, 0), *found.get(code, (0, 0))) for code, name in counties.items()]
