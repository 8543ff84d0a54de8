"""A grid's request for a block of rows (AG Grid's infinite row model: `getRowsRequest`), checked: which rows, in
which order, filtered how. Whatever a browser sends, only the columns and filter types a list offers survive; a
malformed part is dropped, never passed on to the query."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
MAX_BLOCK = 200          # rows one request may ask for (the grid asks for its block size, 20–100)
MAX_TEXT = 100           # characters of a filter's text
MAX_CONDITIONS = 2       # conditions one column's filter may join (the grid offers no more: server_grid)
TEXT_TYPES = frozenset({"contains", "notContains", "equals", "notEqual", "startsWith", "endsWith", "blank",
                        "notBlank"})
NUMBER_TYPES = frozenset({"equals", "notEqual", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual",
                          "inRange", "blank", "notBlank"})


@dataclass(frozen=True)
class Condition:
    """One condition of a column's filter: its type and value(s) (none for blank / notBlank)."""

    type: str
    value: str | float | None = None
    value_to: float | None = None


@dataclass(frozen=True)
class ColumnFilter:
    """A column's filter: one or two conditions joined by AND or OR."""

    column: str
    kind: str            # text | number
    conditions: tuple[Condition, ...]
    any: bool = False    # OR rather than AND


@dataclass(frozen=True)
class GridRequest:
    """Rows [start, end) in the asked order (column, descending) after the filters."""

    start: int
    end: int
    sorts: tuple[tuple[str, bool], ...] = ()
    filters: tuple[ColumnFilter, ...] = ()

    @property
    def size(self) -> int:
        return self.end - self.start


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if abs(value) < 1e12 else None


def _condition(raw: object, kind: str) -> Condition | None:
    """One checked condition, or None when it is malformed."""
    if not isinstance(raw, dict):
        return None
    kind_of, type_ = raw.get("filterType", kind), raw.get("type")
    if kind_of != kind or not isinstance(type_, str):
        return None
    if type_ in ("blank", "notBlank"):
        return Condition(type_)
    if kind == "text":
        value = raw.get("filter")
        if type_ not in TEXT_TYPES or not isinstance(value, str) or not value.strip():
            return None
        return Condition(type_, value.strip()[:MAX_TEXT])
    low = _number(raw.get("filter"))
    if type_ not in NUMBER_TYPES or low is None:
        return None
    if type_ == "inRange":
        high = _number(raw.get("filterTo"))
        return Condition(type_, low, high) if high is not None else None
    return Condition(type_, low)


def _filter(column: str, kind: str, raw: object) -> ColumnFilter | None:
    """A column's checked filter (simple, or combined with AND / OR), or None."""
    if not isinstance(raw, dict):
        return None
    if isinstance(raw.get("conditions"), list):
        conditions = tuple(c for c in (_condition(r, kind) for r in raw["conditions"][:MAX_CONDITIONS]) if c is not None)
        return ColumnFilter(column, kind, conditions, raw.get("operator") == "OR") if conditions else None
    condition = _condition(raw, kind)
    return ColumnFilter(column, kind, (condition,)) if condition else None


def parse_grid_request(raw: object, sortable: frozenset[str] | set[str], filterable: dict[str, str],
                       block: int = 100) -> GridRequest:
    """The checked request: `sortable` names the columns that may order the rows, `filterable` maps the columns
    that may filter them to their kind (text | number). Without a usable range, the first block."""
    raw = raw if isinstance(raw, dict) else {}
    start = _int(raw.get("startRow"), 0)
    end = _int(raw.get("endRow"), start + block)
    end = min(max(end, start + 1), start + MAX_BLOCK)
    sorts = []
    asked = raw.get("sortModel")
    for item in asked if isinstance(asked, list) else []:
        if isinstance(item, dict) and item.get("colId") in sortable and item.get("sort") in ("asc", "desc") \
                and item["colId"] not in {c for c, _ in sorts}:
            sorts.append((item["colId"], item["sort"] == "desc"))
    model = raw.get("filterModel") if isinstance(raw.get("filterModel"), dict) else {}
    filters = tuple(f for f in (_filter(col, filterable[col], spec) for col, spec in model.items()
                                if col in filterable) if f is not None)
    return GridRequest(start, end, tuple(sorts), filters)


def _text_matches(value: object, c: Condition) -> bool:
    text = "" if value is None else str(value)
    if c.type == "blank":
        return text == ""
    if c.type == "notBlank":
        return text != ""
    want = str(c.value)
    return {"contains": want in text, "notContains": want not in text, "equals": text == want,
            "notEqual": text != want, "startsWith": text.startswith(want), "endsWith": text.endswith(want)}[c.type]


def _number_matches(value: object, c: Condition) -> bool:
    if c.type in ("blank", "notBlank"):
        return (value is None) == (c.type == "blank")
    if value is None:                      # as in SQL: an empty value matches no comparison
        return False
    x, low = float(value), float(c.value)  # type: ignore[arg-type]
    return {"equals": x == low, "notEqual": x != low, "lessThan": x < low, "lessThanOrEqual": x <= low,
            "greaterThan": x > low, "greaterThanOrEqual": x >= low,
            "inRange": c.value_to is not None and low <= x <= c.value_to}[c.type]


def pick_rows(items: list[T], request: GridRequest, value: Callable[[T, str], object]) -> tuple[list[T], int]:
    """(the block, how many the filters leave) of a list held in memory, as data_access.grid does in SQL: for the
    short lists counted live (a school's or a village's). `value(item, column)` reads an item's column."""
    def keep(item: T) -> bool:
        for f in request.filters:
            match = _text_matches if f.kind == "text" else _number_matches
            results = [match(value(item, f.column), c) for c in f.conditions]
            if not (any(results) if f.any else all(results)):
                return False
        return True
    kept = [item for item in items if keep(item)]
    for column, desc in reversed(request.sorts):         # stable sorts, last key first; empty first when ascending
        def key(item: T, column: str = column) -> tuple[bool, object]:
            v = value(item, column)
            return v is not None, 0 if v is None else v
        kept.sort(key=key, reverse=desc)
    return kept[request.start:request.end], len(kept)
