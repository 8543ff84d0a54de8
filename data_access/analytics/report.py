"""Load a compliance report: scoped unit counts, names, the policy in force — then domain.dashboard.report.

Pages, the `rates`/`tiers` commands and the exports all go through `load_report` (one source of truth).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import Select, and_, literal, select
from sqlalchemy.orm import Session

from data_access.analytics.publish import changed_since, frozen_units, note, publication_for, published_counts
from data_access.inbox.duties import missed_extras
from data_access.inspection.findings import false_data_extras
from data_access.memo import memo
from data_access.models import Area, School, Target, TargetPolicy, UnitCounts
from data_access.queries import area_level, term_codes
from data_access.rectification.stats import merge_extras, overdue_extras
from data_access.scope import Scope, scoped
from domain.localtime import local_today
from domain.areas import ancestors, code_range
from domain.dashboard.indicators import Counts
from domain.dashboard.publication import policy_from_json
from domain.dashboard.report import Policy, Report, UnitReport, build_report
from domain.dashboard.targets import TargetBound
from domain.terms import parse_term

HISTORY_TERMS = 6
_COUNT_FIELDS = [f.name for f in fields(Counts) if f.name != "has_roster"]


def policy_for(session: Session, area_code: str, term: str | None = None) -> Policy | None:
    """The policy in force for the area in `term`: among the active versions of the area and its ancestors, the
    nearest area's, and of its versions the latest that took effect at or before the term (domain.md §4; no term:
    the latest version of all). Read once per request."""
    return memo(session, ("policy_for", area_code, term), lambda: _policy_for(session, area_code, term))


def policies_for(session: Session, area_codes: Iterable[str], term: str | None) -> dict[str, Policy | None]:
    """policy_for of each of these areas, the policies of all their chains read by one statement (a province's
    prefectures or counties each read their own before: 16 or 112 statements)."""
    codes = set(area_codes)
    _policies_in(session, {a for code in codes for a in ancestors(code)})
    return {code: policy_for(session, code, term) for code in codes}


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
        heads: dict[int, tuple[str, str, str | None, int | None]] = {}
        bounds: dict[int, dict[str, TargetBound]] = {}
        # one statement: each active policy of these areas with its targets (a policy without any: one row of NULLs)
        for pid, name, area, since, precision, ind, op, bound, margin, relative in session.execute(
                select(TargetPolicy.id, TargetPolicy.name, TargetPolicy.area_code, TargetPolicy.effective_from,
                       TargetPolicy.precision, Target.indicator, Target.op, Target.bound, Target.margin,
                       Target.margin_relative)
                .outerjoin(Target, Target.policy_id == TargetPolicy.id)
                .where(TargetPolicy.active.is_(True), TargetPolicy.area_code.in_(chunk))
                .order_by(TargetPolicy.id, Target.indicator)):
            heads[pid] = (name, area, since, precision)
            if ind is not None:
                bounds.setdefault(pid, {})[ind] = TargetBound(ind, op, bound, margin, bool(relative))
        for pid, (name, area, since, precision) in heads.items():
            cache[area].append(_StoredPolicy(pid, area, since, Policy(
                name, bounds.get(pid, {}), precision if precision is not None else 2, pid, since)))
    return [p for c in codes for p in cache[c]]


def terms_up_to(session: Session, term: str, n: int = HISTORY_TERMS) -> list[str]:
    """Up to n known terms ending with `term`, oldest first (the term itself always last)."""
    t = parse_term(term)
    earlier = term_codes(session)
    older = [c for c in earlier if (parse_term(c).year, parse_term(c).semester) < (t.year, t.semester)]
    return list(reversed(older[: n - 1])) + [term]


def _count_columns(*first: Any) -> Select:
    """A unit's stored counts as columns: (any `first` columns, term, unit, then the Counts fields); a province's
    townships as ORM objects cost ~70 ms of a 1,395-township report."""
    return select(*first, UnitCounts.term_code, UnitCounts.unit_code, *(getattr(UnitCounts, f) for f in _COUNT_FIELDS))


def _counts(values: Sequence[int | None]) -> Counts:
    return Counts(**dict(zip(_COUNT_FIELDS, values)))


def load_report(session: Session, scope: Scope, parent: str, level: str, term: str,
                history: int = HISTORY_TERMS, today: dt.date | None = None) -> Report:
    """The report of the units of `level` ('township', 'village', … or 'school') inside `parent`
    (overdue rectification orders counted as of `today`, default: today in the counties)."""
    return _load_reports(session, scope, parent, level, term, history, today, with_parent=False)[0]


def load_report_and_parent(session: Session, scope: Scope, parent: str, level: str, term: str
                           ) -> tuple[Report, UnitReport | None]:
    """The report of `level` under `parent`, and the parent's own row (what load_unit gives: its stored counts judged
    by the same policy). Where the parent is an area above its units, both come from the same statements (its row
    was a second report before: four more statements and ~5 ms of each compliance callback); schools under an
    area are read apart (names from another table)."""
    report, own = _load_reports(session, scope, parent, level, term, HISTORY_TERMS, None, with_parent=True)
    if own is None:
        own, index = load_unit(session, scope, parent, term)
        return report, own.units[index] if index >= 0 else None
    return report, next((u for u in own.units if u.code == parent), None)


def _load_reports(session: Session, scope: Scope, parent: str, level: str, term: str, history: int,
                  today: dt.date | None, with_parent: bool) -> tuple[Report, Report | None]:
    """The report of `level` under `parent` and, `with_parent` and the parent an area above areas, the report of
    the parent alone at its own level (else None), each statement reading both levels at once."""
    parent_level = area_level(session, parent)
    if parent_level is None and scope.school_id is None:
        raise LookupError(f"unknown area {parent}")
    terms = terms_up_to(session, term, history)
    levels = [level, parent_level] if with_parent and level != "school" and parent_level is not None else [level]
    stmt = _count_columns(UnitCounts.level).where(UnitCounts.term_code.in_(terms), UnitCounts.level.in_(levels))
    within = None
    if level == "school":
        names_stmt = select(literal("school"), School.code, School.name)
        if parent_level is not None:
            within = code_range(parent, parent_level)   # (the findings too: of the area's townships only)
            stmt = stmt.where(UnitCounts.township_code.between(*within))
            names_stmt = names_stmt.where(School.township_code.between(*within))
        stmt = scoped(stmt, scope, school_area_col=UnitCounts.township_code,
                      school_col=select(School.id).where(School.code == UnitCounts.unit_code).scalar_subquery())
        names_stmt = scoped(names_stmt, scope, school_area_col=School.township_code, school_col=School.id)
    else:
        lo, hi = code_range(parent, parent_level)
        stmt = scoped(stmt.where(UnitCounts.unit_code.between(lo, hi)), scope, area_col=UnitCounts.unit_code)
        names_stmt = scoped(select(Area.level, Area.code, Area.name).where(
            and_(Area.code.between(lo, hi), Area.level.in_(levels))), scope, area_col=Area.code)
        if len(levels) > 1:   # the findings and orders of the whole area, read once for both levels
            within = (lo, hi)
    names: dict[str, dict[str, str]] = {lvl: {} for lvl in levels}
    for lvl, code, name in session.execute(names_stmt):
        names[lvl][code] = name
    # a published term is read as published (issue 18.3); the others live
    published = {t: pub for t in terms if (pub := publication_for(session, parent, t)) is not None}
    live_terms = [t for t in terms if t not in published]
    by_term: dict[str, dict[str, dict[str, Counts]]] = {lvl: {t: {} for t in terms} for lvl in levels}
    for lvl, term_code, unit_code, *values in session.execute(stmt.where(UnitCounts.term_code.in_(live_terms))) \
            if live_terms else ():
        by_term[lvl][term_code][unit_code] = _counts(values)
    policy_area = parent if parent_level else ""
    history_policies = {t: policy_from_json(published[t].policy_json) if t in published
                        else policy_for(session, policy_area, t) for t in terms[:-1]}
    pub = published.get(term)
    policy = policy_from_json(pub.policy_json) if pub else policy_for(session, policy_area, term)
    day = today or local_today()
    reports = []
    for lvl in levels:
        frozen = {t: frozen_units(session, p, lvl, names[lvl]) for t, p in published.items()}
        for t, units_ in frozen.items():
            by_term[lvl][t] = {c: counts for c, (counts, _) in units_.items()}
        units = set(names[lvl]) | {c for t in by_term[lvl].values() for c in t}
        extras = merge_extras(false_data_extras(session, live_terms, lvl, units, within),
                              overdue_extras(session, live_terms, lvl, units, day, within),
                              missed_extras(session, live_terms, lvl, units, day, names[lvl]),
                              {(t, c): e for t, units_ in frozen.items() for c, (_, e) in units_.items()})
        own = None
        if policy is None and lvl in ("province", "prefecture", "county"):  # units above townships may have their own
            own = policies_for(session, units, term)
        report = build_report(term, lvl, terms, by_term[lvl], names[lvl], policy, extras=extras, unit_policies=own,
                              history_policies=history_policies)
        if pub is not None:
            report = replace(report, publication=note(session, pub, changed_since(session, pub, lvl, frozen[term])))
        reports.append(report)
    return reports[0], (reports[1] if len(reports) > 1 else None)


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
