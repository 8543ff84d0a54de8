"""A checked grid request (domain.grid_request) applied to a statement: the filters as WHERE, the order as ORDER BY
with a tie-break, the block as LIMIT / OFFSET, and the count of the filtered rows, all in SQL, so a province's list
is never read whole to show twenty of its rows."""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select

from domain.grid_request import Condition, GridRequest

_COMPARE = {"equals": "__eq__", "notEqual": "__ne__", "lessThan": "__lt__", "lessThanOrEqual": "__le__",
            "greaterThan": "__gt__", "greaterThanOrEqual": "__ge__"}


def _like(text: str) -> str:
    """A LIKE pattern's literal part: %, _ and the escape character itself escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text(col: ColumnElement[Any], c: Condition) -> ColumnElement[bool]:
    if c.type == "blank":
        return or_(col.is_(None), col == "")
    if c.type == "notBlank":
        return and_(col.is_not(None), col != "")
    value = str(c.value)
    pattern = {"contains": f"%{_like(value)}%", "notContains": f"%{_like(value)}%",
               "startsWith": f"{_like(value)}%", "endsWith": f"%{_like(value)}"}.get(c.type)
    if pattern is None:
        return col == value if c.type == "equals" else or_(col.is_(None), col != value)
    match = col.like(pattern, escape="\\")
    return or_(col.is_(None), not_(match)) if c.type == "notContains" else match


def _number(col: ColumnElement[Any], c: Condition) -> ColumnElement[bool]:
    if c.type == "blank":
        return col.is_(None)
    if c.type == "notBlank":
        return col.is_not(None)
    if c.type == "inRange":
        return col.between(c.value, c.value_to)
    return getattr(col, _COMPARE[c.type])(c.value)


def apply_grid(stmt: Select, request: GridRequest, columns: dict[str, ColumnElement[Any]],
               default_order: list[ColumnElement[Any]]) -> tuple[Select, Select]:
    """(the block's statement, the filtered rows' count statement) of `stmt` for `request`. `columns` maps the
    request's column names to expressions of `stmt`; `default_order` orders the rows without a sort and breaks the
    ties of one (it should end on a unique key, so blocks never overlap)."""
    for f in request.filters:
        build = _text if f.kind == "text" else _number
        parts = [build(columns[f.column], c) for c in f.conditions]
        stmt = stmt.where(or_(*parts) if f.any else and_(*parts))
    count = select(func.count()).select_from(stmt.order_by(None).subquery())
    # empty values first going up, last going down, on both databases (as domain.grid_request.pick_rows)
    order = [columns[c].desc().nulls_last() if desc else columns[c].asc().nulls_first() for c, desc in request.sorts]
    return stmt.order_by(None).order_by(*order, *default_order).offset(request.start).limit(request.size), count
