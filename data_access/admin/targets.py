"""Target policies (issue 15.2, domain.md §4): list and read them, start one from a preset or another policy,
save an edited one — as a new version from a term once the old one has judged a term, never overwriting it.

Only admins write, each for the areas of their scope; everyone reads the policies in force for their area (those
set above it included) and the presets. The ORM audit hooks log every insert and update (target rows included)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from data_access.models import Area, School, Target, TargetPolicy, Term
from data_access.scope import Scope, area_filter
from domain.admin.targets import (CheckedPolicy, PolicyInvalid, PolicyProblem, PolicyView, TargetRow, check_policy,
                                  judged_terms)
from domain.areas import ancestors
from domain.dashboard.indicators import INDICATORS
from domain.dashboard.targets import TargetBound
from domain.terms import parse_term

_ORDER = {i.key: n for n, i in enumerate(INDICATORS)}  # targets listed in the indicators' display order
EDIT_ROLES = ("admin",)  # domain.md §1: admins manage targets; county leaders read them


class TargetsRefused(Exception):
    """The user may not read or change this policy (wrong role, or outside their area): HTTP 403."""


def may_edit(scope: Scope, area_code: str | None) -> bool:
    """True when the user may set policies for this area: an admin whose scope covers it."""
    return scope.role in EDIT_ROLES and area_code is not None and scope.covers_area(area_code)


def _readable_areas(session: Session, scope: Scope) -> set[str]:
    """The areas above or at the user's own: their policies are in force for the user."""
    codes = [c for c, _lvl in scope.areas]
    if scope.school_id is not None:
        township = session.scalar(select(School.township_code).where(School.id == scope.school_id))
        codes = [township] if township else []
    return {a for c in codes for a in ancestors(c)}


def may_read(session: Session, scope: Scope, policy: TargetPolicy, readable: set[str] | None = None) -> bool:
    """Presets, the policies of the user's area and below, and those set above it (in force for the user;
    `readable`: _readable_areas, when several policies are judged)."""
    if policy.is_preset or scope.unrestricted:
        return True
    if policy.area_code is None:
        return False
    return (scope.school_id is None and scope.covers_area(policy.area_code)) \
        or policy.area_code in (_readable_areas(session, scope) if readable is None else readable)


def _loaded_terms(session: Session) -> list[str]:
    return list(session.scalars(select(Term.code)))


def _versions(session: Session, area_code: str) -> list[TargetPolicy]:
    return list(session.scalars(select(TargetPolicy).where(TargetPolicy.area_code == area_code,
                                                           TargetPolicy.active.is_(True))))


def _next_start(versions: Iterable[TargetPolicy], policy: TargetPolicy) -> str | None:
    later = [v.effective_from for v in versions
             if v.id != policy.id and v.effective_from and v.effective_from > (policy.effective_from or "")]
    return min(later) if later else None


def _judged(session: Session, policy: TargetPolicy, loaded: Sequence[str] | None = None,
            versions: Sequence[TargetPolicy] | None = None) -> tuple[str, ...]:
    """The loaded terms this policy judged (`versions`: its area's active policies, when already read)."""
    if policy.is_preset or policy.area_code is None or not policy.active:
        return ()
    loaded = _loaded_terms(session) if loaded is None else loaded
    versions = _versions(session, policy.area_code) if versions is None else versions
    return tuple(judged_terms(policy.effective_from, _next_start(versions, policy), loaded))


def _view(session: Session, scope: Scope, p: TargetPolicy, names: dict[str, str], loaded: Sequence[str],
          versions: Sequence[TargetPolicy] | None = None) -> PolicyView:
    return PolicyView(p.id, p.name, p.source, p.area_code, names.get(p.area_code or ""), p.effective_from,
                      bool(p.active), bool(p.is_preset), p.precision if p.precision is not None else 2,
                      tuple(TargetBound(t.indicator, t.op, t.bound, t.margin, bool(t.margin_relative))
                            for t in sorted(p.targets, key=lambda t: _ORDER.get(t.indicator, 99))),
                      p.previous_id, _judged(session, p, loaded, versions),
                      not p.is_preset and may_edit(scope, p.area_code))


def list_policies(session: Session, scope: Scope) -> list[PolicyView]:
    """Every policy the user may read: the areas' versions (by area, newest start first), then the presets.

    Read in three statements whatever their number: the policies with their targets, the names of their areas and
    the loaded terms (a province admin's 113 policies took a statement or two each, their targets and their area's
    versions: ~110 ms a callback on PostgreSQL, twice on the page)."""
    every = session.scalars(select(TargetPolicy).options(selectinload(TargetPolicy.targets))
                            .order_by(TargetPolicy.id)).all()
    versions: dict[str, list[TargetPolicy]] = {}
    for p in every:
        if p.active and p.area_code is not None:
            versions.setdefault(p.area_code, []).append(p)
    readable = None if scope.unrestricted else _readable_areas(session, scope)
    policies = [p for p in every if may_read(session, scope, p, readable)]
    codes = sorted({p.area_code for p in policies if p.area_code})
    names = {}
    for i in range(0, len(codes), 900):
        names.update(session.execute(select(Area.code, Area.name).where(Area.code.in_(codes[i:i + 900]))).all())
    loaded = _loaded_terms(session)
    policies.sort(key=lambda p: (p.is_preset, p.area_code or "", (p.effective_from or ""), p.id))
    area_rows = [p for p in policies if not p.is_preset]
    ordered = []
    for area in sorted({p.area_code or "" for p in area_rows}):
        ordered += sorted((p for p in area_rows if (p.area_code or "") == area),
                          key=lambda p: (p.effective_from or "", p.id), reverse=True)
    ordered += [p for p in policies if p.is_preset]
    return [_view(session, scope, p, names, loaded, versions.get(p.area_code or "", [])) for p in ordered]


def read_policy(session: Session, scope: Scope, policy_id: int) -> PolicyView:
    """One policy the user may read; TargetsRefused otherwise (unknown looks the same)."""
    policy = session.get(TargetPolicy, policy_id)
    if policy is None or not may_read(session, scope, policy):
        raise TargetsRefused()
    names = dict(session.execute(select(Area.code, Area.name).where(Area.code == policy.area_code)).all())
    return _view(session, scope, policy, names, _loaded_terms(session))


def _area_problem(session: Session, scope: Scope, area_code: str | None) -> PolicyProblem | None:
    code = (area_code or "").strip()
    if session.get(Area, code) is None:
        return PolicyProblem("area", "area_unknown", facts={"value": code})
    if not may_edit(scope, code):
        return PolicyProblem("area", "area_refused", facts={"value": code})
    return None


def _targets(checked: CheckedPolicy) -> list[Target]:
    return [Target(indicator=t.indicator, op=t.op, bound=t.bound, margin=t.margin, margin_relative=t.relative)
            for t in checked.targets]


@dataclass(frozen=True)
class Saved:
    """What a save did: the policy written, and whether it is a new row (a new version or policy)."""

    policy_id: int
    created: bool
    previous_id: int | None


def save_policy(session: Session, scope: Scope, *, area_code: str | None, name: object, precision: object,
                effective_from: object, rows: Iterable[TargetRow], edits: int | None = None,
                source: str | None = None) -> Saved:
    """Check and save a policy for `area_code` in force from `effective_from`.

    `edits` names the version being edited: saved in place when it takes effect from the same term and has judged
    no loaded term yet; as a new version (previous_id = it) from a later term; refused from the same term once it
    has judged one, or from an earlier term. Without `edits` (or for another area) a new policy is started.
    Raises TargetsRefused (role, or a version outside the user's area) or PolicyInvalid (fields named)."""
    if scope.role not in EDIT_ROLES:
        raise TargetsRefused()
    base = session.get(TargetPolicy, edits) if edits is not None else None
    if edits is not None and (base is None or not may_read(session, scope, base)):
        raise TargetsRefused()
    if base is not None and not base.is_preset and base.area_code == (area_code or "").strip() \
            and not may_edit(scope, base.area_code):
        raise TargetsRefused()  # a version of a policy set above the user's area
    problems: list[PolicyProblem] = []
    area_problem = _area_problem(session, scope, area_code)
    try:
        checked = check_policy(name, precision, effective_from, rows)
    except PolicyInvalid as exc:
        raise PolicyInvalid(([area_problem] if area_problem else []) + list(exc.problems)) from exc
    if area_problem:
        raise PolicyInvalid([area_problem])
    area = (area_code or "").strip()
    start = checked.effective_from
    versions = _versions(session, area)
    in_place = None
    if base is not None and not base.is_preset and base.area_code == area:  # a version of the same area
        if (start or "") < (base.effective_from or ""):
            problems.append(PolicyProblem("effective_from", "term_before",
                                          facts={"value": base.effective_from or "—"}))
        elif start == base.effective_from:
            judged = _judged(session, base)
            if judged:
                problems.append(PolicyProblem("effective_from", "judged", facts={"terms": "、".join(judged)}))
            in_place = base
    taken = next((v for v in versions if v.effective_from == start and v is not in_place), None)
    if taken is not None and not problems:
        problems.append(PolicyProblem("effective_from", "term_taken", facts={"value": start or "—",
                                                                             "name": taken.name}))
    if problems:
        raise PolicyInvalid(problems)
    if in_place is not None:
        in_place.name, in_place.precision = checked.name, checked.precision
        for old in list(in_place.targets):
            session.delete(old)  # deleted explicitly, so that the audit log lists each target removed
        session.flush()
        session.expire(in_place, ["targets"])
        in_place.targets = _targets(checked)
        session.flush()
        return Saved(in_place.id, False, in_place.previous_id)
    policy = TargetPolicy(name=checked.name, area_code=area, active=True, is_preset=False,
                          precision=checked.precision, effective_from=start,
                          previous_id=base.id if base is not None else None,
                          source=(source or (base.source if base is not None else None) or None),
                          targets=_targets(checked))
    session.add(policy)
    session.flush()
    return Saved(policy.id, True, policy.previous_id)


def version_at(session: Session, area_code: str, term: str | None) -> TargetPolicy | None:
    """The active version of this very area in force at `term` (the latest start at or before it)."""
    key = term or ""
    rows = [v for v in _versions(session, area_code) if (v.effective_from or "") <= key]
    return max(rows, key=lambda v: (v.effective_from or "", v.id)) if rows else None


def preset_by_name(session: Session, name: str) -> TargetPolicy | None:
    """A seed preset by its name (e.g. 勐海县 2019)."""
    return session.scalar(select(TargetPolicy).where(TargetPolicy.is_preset.is_(True),
                                                     TargetPolicy.name == name.strip()))


def rows_of(view: PolicyView) -> list[TargetRow]:
    """A policy's targets as rows to edit or copy."""
    return [TargetRow(t.indicator, t.op, t.bound, t.margin, t.relative) for t in view.targets]


def editable_areas(session: Session, scope: Scope) -> list[tuple[str, str]]:
    """(code, name) of the areas an admin may set policies for (villages excepted); none for other roles."""
    if scope.role not in EDIT_ROLES:
        return []
    return [tuple(r) for r in session.execute(select(Area.code, Area.name).where(
        area_filter(scope, Area.code), Area.level != "village").order_by(Area.code))]


def suggested_start(session: Session, after: str | None) -> str | None:
    """The term a new version would take effect from: the latest loaded term when it is later than `after`, else
    the term after it (None before any term is loaded)."""
    codes = list(session.scalars(select(Term.code)))
    if not codes:
        return None
    newest = max(codes, key=lambda c: (parse_term(c).year, parse_term(c).semester))
    if after is None or newest > after:
        return newest
    t = parse_term(newest)
    return f"{t.year}-2" if t.semester == 1 else f"{t.year + 1}-1"
