"""The area of an audit entry (issue 15.5): each entry records the area of the object it names, so that the
audit log viewer scopes rows with one indexed filter. Objects carry their area (a township or area code) or
point at a parent that does (a case event → its case); entries naming no area-bearing object fall back to the
area of the acting user. Entries written before the column existed are resolved the same way by migration 0006."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

# table → attribute naming a parent row, and the parent table (whose row has township_code)
PARENTS: dict[str, tuple[str, str]] = {
    "case_event": ("case_id", "dropout_case"), "case_attempt": ("case_id", "dropout_case"),
    "order_event": ("order_id", "rectification_order"), "order_evidence": ("order_id", "rectification_order"),
    "head_count": ("visit_id", "inspection_visit"), "file_review_result": ("visit_id", "inspection_visit"),
    "phone_call": ("visit_id", "inspection_visit"), "interview": ("visit_id", "inspection_visit"),
    "evidence_file": ("visit_id", "inspection_visit"), "visit_school": ("visit_id", "inspection_visit"),
    "visit_member": ("visit_id", "inspection_visit"), "roster_record": ("school_id", "school"),
    "head_count_absence": ("head_count_id", "head_count"), "team": ("zone_id", "zone"),
    "team_member": ("team_id", "team"), "target": ("policy_id", "target_policy"),
}
# tables whose rows name their own area, and the attribute
DIRECT = ("township_code", "area_code", "county_code")
HINT = tuple[str, Any] | str | None


def hint(table: str, obj: Any) -> HINT:
    """What locates an ORM object: its own area code, or (parent table, parent id), or None."""
    if table == "area":
        return getattr(obj, "code", None)
    if table == "app_user" and getattr(obj, "area_code", None) is None:
        return ("app_user", obj.id) if getattr(obj, "school_id", None) is not None else None
    for attr in DIRECT:
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value
    if table in PARENTS:
        attr, parent = PARENTS[table]
        value = getattr(obj, attr, None)
        return (parent, value) if value is not None else None
    return None


def _parent_area(conn: Connection, parent: str, ident: Any, depth: int = 0) -> str | None:
    """The area of a row found by table and id, following parents up to three levels."""
    from data_access.models import Base
    if parent == "app_user":
        return _user_area(conn, ident)
    table = Base.metadata.tables.get(parent)
    if table is None or depth > 3:
        return None
    for attr in DIRECT:
        if attr in table.c:
            return conn.scalar(select(table.c[attr]).where(table.c.id == ident))
    if parent in PARENTS:
        attr, grand = PARENTS[parent]
        up = conn.scalar(select(table.c[attr]).where(table.c.id == ident))
        return _parent_area(conn, grand, up, depth + 1) if up is not None else None
    return None


def resolve(conn: Connection, hints: Sequence[HINT], user_id: int | None) -> list[str | None]:
    """The area of each hint (parents looked up once each), the acting user's area when there is none."""
    cache: dict[tuple[str, Any], str | None] = {}
    fallback: list[str | None] = []

    def actor_area() -> str | None:
        """The acting user's area, looked up once."""
        if not fallback:
            fallback.append(user_area(conn, user_id))
        return fallback[0]
    out = []
    for h in hints:
        if isinstance(h, tuple):
            if h not in cache:
                cache[h] = _parent_area(conn, *h)
            out.append(cache[h] or actor_area())
        else:
            out.append(h or actor_area())
    return out


def user_area(conn: Connection, user_id: int | None) -> str | None:
    """A user's area code (school staff: their school's township), None for unscoped users."""
    return None if user_id is None else _user_area(conn, user_id)


def _user_area(conn: Connection, user_id: Any) -> str | None:
    """A user's area code, else their school's township."""
    from data_access.models import School, User
    return conn.scalar(select(func.coalesce(User.area_code, School.township_code))
                       .outerjoin(School, School.id == User.school_id).where(User.id == user_id))


def entity_area(conn: Connection, entity: str, key: str, user_id: int | None) -> str | None:
    """The area of an explicit entry naming a row by table and id (else the acting user's area)."""
    from data_access.models import Base
    table = Base.metadata.tables.get(entity)
    if table is not None and key.isdigit() and "id" in table.c and len(key) < 10:
        return resolve(conn, [(entity, int(key))], user_id)[0]
    return user_area(conn, user_id)
