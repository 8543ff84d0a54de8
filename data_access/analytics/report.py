"""Load a compliance report: scoped unit counts, names, the policy in force — then domain.dashboard.report.

Pages, the `rates`/`tiers` commands and the exports all go through `load_report` (one source of truth).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from data_access.analytics.publish import changed_since, frozen_units, note, publication_for, published_counts
from data_access.inbox.duties import missed_extras
from data_access.inspection.findings import false_data_extras
from data_access.memo import memo
from data_access.models import Area, School, Target, TargetPolicy, Term, UnitCounts
from data_access.queries import area_level
from data_access.rectification.stats import merge_extras, overdue_extras
from data_access.scope import Scope, scoped
from domain.localtime import local_today
from domain.areas import ancestors, code_range
from domain.dashboard.indicators import Counts
from domain.dashboard.publication import policy_from_json
from domain.dashboard.report import Policy, Report, build_report
from domain.dashboard.targets import TargetBound
from domain.terms import parse_term

HISTORY_TERMS = 6
_COUNT_FIELDS = [f.name for f in fields(Counts) if f.name != "has_roster"]


def policy_for(session: Session, area_code: str, term: str | None = None) -> Policy | None:
    """The policy in force for the area in `term`: among the active versions of the area and its ancestors, the
    nearest area's, and of its versions the latest that took effect at or before the term (domain.md §4; no term:
    the latest version of all). Read once per request."""
    return memo(session, ("policy_for", area_code, term), lambda: _policy_for(session, area_code, term))


def _policy_for(session: Session, area_code: str, term: str | None) -> Policy | None:
    rows = [p for p in _policies_in(session, ancestors(area_code))
            if term is None or p.effective_from is None or p.effective_from <= term]
    if not rows:
        return None
    return max(rows, key=lambda p: (len(p.area_code.rstrip("0")), p.effective_from or "", p.id)).policy


@dataclass(frozen=True)
class _StoredPolicy:
    id: int
    area_code: str
    effective_from: str | None
    policy: Policy


def _policies_in(session: Session, codes: Iterable[str]) -> list[_StoredPolicy]:
    """The active policies of these areas with their targets, each area read once per request, as columns (a report
    asks for the policy of each term and, above townships, of each unit; loading every active policy of a province as
    ORM objects, 112 policies and their 900 targets, cost a third of a tiers callback)."""
    codes = set(codes)
    cache: dict[str, list[_StoredPolicy]] = memo(session, "policies_by_area", dict)
    missing = sorted(codes - cache.keys())
    for i in range(0, len(missing), 900):
        chunk = missing[i:i + 900]
        cache.update((c, []) for c in chunk)
        heads = session.execute(select(TargetPolicy.id, TargetPolicy.name, TargetPolicy.area_code,
                                       TargetPolicy.effective_from, TargetPolicy.precision)
                                .where(TargetPolicy.active.is_(True), TargetPolicy.area_code.in_(chunk))).all()
        if not heads:
            continue
        bounds: dict[int, dict[str, TargetBound]] = {}
        for pid, ind, op, bound, margin, relative in session.execute(
                select(Target.policy_id, Target.indicator, Target.op, Target.bound, Target.margin,
                       Target.margin_relative).where(Target.policy_id.in_([h[0] for h in heads]))
                .order_by(Target.policy_id, Target.indicator)):
            bounds.setdefault(pid, {})[ind] = TargetBound(ind, op, bound, margin, bool(relative))
        for pid, name, area, since, precision in heads:
            cache[area].append(_StoredPolicy(pid, area, since, Policy(
                name, bounds.get(pid, {}), precision if precision is not None else 2, pid, since)))
    return [p for c in codes for p in cache[c]]


def terms_up_to(session: Session, term: str, n: int = HISTORY_TERMS) -> list[str]:
    """Up to n known terms ending with `term`, oldest first (the term itself always last)."""
    t = parse_term(term)
    earlier = memo(session, "term_codes", lambda: session.scalars(
        select(Term.code).order_by(Term.year.desc(), Term.semester.desc())).all())
    older = [c for c in earlier if (parse_term(c).year, parse_term(c).semester) < (t.year, t.semester)]
    return list(reversed(older[: n - 1])) + [term]


def _count_columns() -> Select:
    """A unit's stored counts as columns: (term, unit, then the Counts fields); a province's townships as ORM objects
    cost ~70 ms of a 1,395-township report."""
    return select(UnitCounts.term_code, UnitCounts.unit_code, *(getattr(UnitCounts, f) for f in _COUNT_FIELDS))


def _counts(values: Sequence[int | None]) -> Counts:
    return Counts(**dict(zip(_COUNT_FIELDS, values)))


def load_report(session: Session, scope: Scope, parent: str, level: str, term: str,
                history: int = HISTORY_TERMS, today: dt.date | None = None) -> Report:
    """The report of the units of `level` ('township', 'village', … or 'school') inside `parent`
    (overdue rectification orders counted as of `today`, default: today in the counties)."""
    parent_level = area_level(session, parent)
    if parent_level is None and scope.school_id is None:
        raise LookupError(f"unknown area {parent}")
    terms = terms_up_to(session, term, history)
    stmt = _count_columns().where(UnitCounts.term_code.in_(terms), UnitCounts.level == level)
    if level == "school":
        names_stmt = select(School.code, School.name)
        if parent_level is not None:
            lo_hi = code_range(parent, parent_level)
            stmt = stmt.where(UnitCounts.township_code.between(*lo_hi))
            names_stmt = names_stmt.where(School.township_code.between(*lo_hi))
        stmt = scoped(stmt, scope, school_area_col=UnitCounts.township_code,
                      school_col=select(School.id).where(School.code == UnitCounts.unit_code).scalar_subquery())
        names_stmt = scoped(names_stmt, scope, school_area_col=School.township_code, school_col=School.id)
    else:
        lo, hi = code_range(parent, parent_level)
        stmt = scoped(stmt.where(UnitCounts.unit_code.between(lo, hi)), scope, area_col=UnitCounts.unit_code)
        names_stmt = scoped(select(Area.code, Area.name).where(and_(Area.code.between(lo, hi), Area.level == level)),
                            scope, area_col=Area.code)
    names = dict(session.execute(names_stmt).all())
    # a published term is read as published (issue 18.3); the others live
    published = {t: pub for t in terms if (pub := publication_for(session, parent, t)) is not None}
    frozen = {t: frozen_units(session, pub, level, names) for t, pub in published.items()}
    live_terms = [t for t in terms if t not in published]
    by_term: dict[str, dict[str, Counts]] = {t: {c: counts for c, (counts, _) in frozen[t].items()} if t in frozen
                                             else {} for t in terms}
    for term_code, unit_code, *values in session.execute(stmt.where(UnitCounts.term_code.in_(live_terms))) \
            if live_terms else ():
        by_term[term_code][unit_code] = _counts(values)
    policy_area = parent if parent_level else ""
    history_policies = {t: policy_from_json(published[t].policy_json) if t in published
                        else policy_for(session, policy_area, t) for t in terms[:-1]}
    units = set(names) | {c for t in by_term.values() for c in t}
    extras = merge_extras(false_data_extras(session, live_terms, level, units),
                          overdue_extras(session, live_terms, level, units, today or local_today()),
                          missed_extras(session, live_terms, level, units, today or local_today()),
                          {(t, c): e for t, units_ in frozen.items() for c, (_, e) in units_.items()})
    pub = published.get(term)
    policy = policy_from_json(pub.policy_json) if pub else policy_for(session, policy_area, term)
    own = None
    if policy is None and level in ("province", "prefecture", "county"):  # units above townships may have their own
        own = {code: policy_for(session, code, term) for code in units}
    report = build_report(term, level, terms, by_term, names, policy, extras=extras, unit_policies=own,
                          history_policies=history_policies)
    if pub is None:
        return report
    return replace(report, publication=note(session, pub, changed_since(session, pub, level, frozen[term])))


def unit_level_below(level: str) -> str:
    """What a report under an area lists: the next area level, or schools under a township or village."""
    return {"province": "prefecture", "prefecture": "county", "county": "township"}.get(level, "school")


def own_unit(session: Session, code: str) -> tuple[str, str]:
    """(parent to query under, level) that select exactly this area or school as a unit."""
    if len(code) == 10:
        township = session.scalar(select(School.township_code).where(School.code == code))
        if township is None:
            raise LookupError(f"unknown school {code}")
        return township, "school"
    level = area_level(session, code)
    if level is None:
        raise LookupError(f"unknown area {code}")
    return code, level


def load_unit(session: Session, scope: Scope, code: str, term: str, history: int = HISTORY_TERMS
              ) -> tuple[Report, int]:
    """The report holding just this area or school (and the index of its unit in it); `history=1` when only the
    term's values and targets are wanted (the tier history is then not meaningful)."""
    parent, level = own_unit(session, code)
    report = load_report(session, scope, parent, level, term, history)
    index = next((i for i, u in enumerate(report.units) if u.code == code), -1)
    return report, index


def unit_trend(session: Session, scope: Scope, code: str, term: str, n: int = HISTORY_TERMS
               ) -> list[tuple[str, dict[str, float | None]]]:
    """Indicator values of one area or school over the last n terms up to `term` (oldest first)."""
    from domain.dashboard.indicators import indicator_values
    parent, level = own_unit(session, code)
    terms = terms_up_to(session, term, n)
    stmt = _count_columns().where(UnitCounts.term_code.in_(terms), UnitCounts.level == level,
                                  UnitCounts.unit_code == code)
    if level == "school":
        stmt = scoped(stmt, scope, school_area_col=UnitCounts.township_code,
                      school_col=select(School.id).where(School.code == UnitCounts.unit_code).scalar_subquery())
    else:
        stmt = scoped(stmt, scope, area_col=UnitCounts.unit_code)
    rows = {term_code: _counts(values) for term_code, _unit, *values in session.execute(stmt)}
    for t in rows:   # a published term as published (issue 18.3)
        stored = published_counts(session, code, level, t).get(code)
        if stored is not None:
            rows[t] = Counts(**{name: stored.get(name) for name in _COUNT_FIELDS})
    return [(t, {k: v.value for k, v in indicator_values(rows[t]).items()} if t in rows else {}) for t in terms]


SPECIAL_GROUP_FIELDS = ("poverty_enrolled", "special_group_dropouts", "disabled_enrolled", "disabled_dropped",
                        "left_behind_enrolled", "left_behind_dropped", "migrant_enrolled", "migrant_dropped")


def special_groups(session: Session, scope: Scope, parent: str, level: str, term: str
                   ) -> list[dict[str, object]]:
    """Enrolled and dropped counts of the special groups per unit (脱贫户, disabled, left-behind, migrant)."""
    cols = [getattr(UnitCounts, f) for f in SPECIAL_GROUP_FIELDS]
    if level == "school":  # names joined: not a read of every school or area of the database (12,462 at province)
        stmt = (select(UnitCounts.unit_code, School.name, *cols)
                .outerjoin(School, School.code == UnitCounts.unit_code))
    else:
        stmt = (select(UnitCounts.unit_code, Area.name, *cols)
                .outerjoin(Area, (Area.code == UnitCounts.unit_code) & (Area.level == level)))
    stmt = stmt.where(UnitCounts.term_code == term, UnitCounts.level == level)
    if level == "school":
        parent_level = area_level(session, parent)
        if parent_level:
            stmt = stmt.where(UnitCounts.township_code.between(*code_range(parent, parent_level)))
        stmt = scoped(stmt, scope, school_area_col=UnitCounts.township_code, school_col=School.id)
    else:
        stmt = scoped(stmt.where(UnitCounts.unit_code.between(*code_range(parent, area_level(session, parent)))),
                      scope, area_col=UnitCounts.unit_code)
    return [{"code": r[0], "name": r[1] or r[0], **dict(zip(SPECIAL_GROUP_FIELDS, r[2:]))}
            for r in session.execute(stmt.order_by(UnitCounts.unit_code))]
