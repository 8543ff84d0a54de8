"""Reading the audit log (issue 15.5): filtered by user, area, object, action and local dates, scoped by the area
each entry records (data_access/audit_areas.py), newest first, one page at a time. Entries with no area (system
work, unscoped admins' own actions) are visible to unscoped admins only."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from data_access.models import Area, AuditLog
from data_access.scope import Scope, area_filter
from domain.admin.audit import COUNT_CAP, OBJECTS, PERSONAL_ACTIONS, PERSONAL_EXPORTS, mask_change
from domain.admin.views import AuditFilter, AuditRow
from domain.areas import code_range
from domain.localtime import LOCAL_TZ

READ_ROLES = frozenset({"admin", "county_leader"})


class AuditRefused(PermissionError):
    """The role may not read the audit log, or the area asked for is outside the scope."""


def _utc(day: dt.date) -> dt.datetime:
    """Local midnight of a day as naive UTC (how `at` is stored)."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def personal() -> ColumnElement[bool]:
    """Entries that disclosed a minor's personal data: reveals and exports of rosters."""
    return or_(AuditLog.action.in_(PERSONAL_ACTIONS),
               and_(AuditLog.action == "export", AuditLog.entity.in_(PERSONAL_EXPORTS)))


def _where(session: Session, role: str, scope: Scope, flt: AuditFilter) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter in a scope (AuditRefused for other roles or areas)."""
    if role not in READ_ROLES or scope.school_id is not None:
        raise AuditRefused(role)
    conds: list[ColumnElement[bool]] = [area_filter(scope, AuditLog.area_code)]
    if flt.area:
        level = session.scalar(select(Area.level).where(Area.code == flt.area))
        if level is None or not scope.covers_area(flt.area):
            raise AuditRefused(flt.area)
        conds.append(AuditLog.area_code.between(*code_range(flt.area, level)))
    if flt.user:
        conds.append(func.lower(AuditLog.actor).contains(flt.user.strip().lower(), autoescape=True))
    if flt.objects:
        entities = [e for o in flt.objects for e in OBJECTS.get(o, ())]
        conds.append(AuditLog.entity.in_(entities))
    if flt.action:
        conds.append(AuditLog.action == flt.action)
    if flt.date_from:
        conds.append(AuditLog.at >= _utc(flt.date_from))
    if flt.date_to:
        conds.append(AuditLog.at < _utc(flt.date_to + dt.timedelta(days=1)))
    if flt.reveals_only:
        conds.append(personal())
    return conds


def _parse(text: str | None) -> Any:
    """An entry's JSON text as data (the text itself when it is not JSON)."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _rows(stmt: Select) -> Select:
    """Newest first, ties by id."""
    return stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc())


def _row(e: AuditLog, role: str) -> AuditRow:
    """An entry as the viewer's row, personal values masked as the role requires."""
    return AuditRow(e.id, e.at, e.actor, e.user_id, e.action, e.entity, e.entity_key, e.area_code,
                    mask_change(_parse(e.before), e.entity, role), mask_change(_parse(e.after), e.entity, role))


def audit_page(session: Session, role: str, scope: Scope, flt: AuditFilter, page: int, size: int
               ) -> tuple[list[AuditRow], int]:
    """One page (1-based) of entries, newest first, and the matching count (capped at COUNT_CAP + 1)."""
    conds = _where(session, role, scope, flt)
    page = max(1, page)
    found = session.scalars(_rows(select(AuditLog).where(*conds)).offset((page - 1) * size).limit(size)).all()
    capped = select(AuditLog.id).where(*conds).limit(COUNT_CAP + 1).subquery()
    total = int(session.scalar(select(func.count()).select_from(capped)) or 0)
    return [_row(e, role) for e in found], total


def audit_rows(session: Session, role: str, scope: Scope, flt: AuditFilter, limit: int) -> list[AuditRow]:
    """The first `limit` entries of a filter, newest first (for the export)."""
    conds = _where(session, role, scope, flt)
    return [_row(e, role) for e in session.scalars(_rows(select(AuditLog).where(*conds)).limit(limit))]


def area_names(session: Session, codes: set[str]) -> dict[str, str]:
    """Names of the areas the page's entries record."""
    if not codes:
        return {}
    return dict(session.execute(select(Area.code, Area.name).where(Area.code.in_(sorted(codes)))).all())
