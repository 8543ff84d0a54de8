"""Checking a target policy typed by an admin or read from a file (issue 15.2, domain.md §4): every problem names
its field (an indicator's bound, operator, margin; the precision; the term it takes effect from; the name).

Pure: the words are in wording/admin.py (`policy_problem_text`), keyed by `PolicyProblem.reason`."""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from domain.dashboard.indicators import INDICATOR_BY_KEY
from domain.dashboard.targets import TargetBound
from domain.terms import parse_term

OPERATORS = (">=", "<=", "==")
OPERATOR_ALIASES = {">=": ">=", "≥": ">=", "<=": "<=", "≤": "<=", "==": "==", "=": "=="}
PRECISION_MIN, PRECISION_MAX = 0, 4
FIRST_YEAR, LAST_YEAR = 2000, 2099
NAME_MAX = 100


@dataclass(frozen=True)
class PolicyProblem:
    """One refused field: `field` is "name", "precision", "effective_from", "targets" or an indicator key;
    `part` the part of an indicator's target ("bound", "op", "margin"); `reason` keys the message."""

    field: str
    reason: str
    part: str = ""
    facts: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class TargetRow:
    """One indicator's target as typed (text or numbers): operator, bound, warning margin (empty: the default
    of domain.md §4) and whether the margin is a percentage of the bound."""

    indicator: str
    op: object
    bound: object
    margin: object = None
    relative: bool = False


@dataclass(frozen=True)
class CheckedPolicy:
    """A policy that passed every check."""

    name: str
    precision: int
    effective_from: str | None
    targets: tuple[TargetBound, ...]


@dataclass(frozen=True)
class PolicyView:
    """A policy as the page and the CLI show it."""

    id: int
    name: str
    source: str | None
    area_code: str | None
    area_name: str | None
    effective_from: str | None
    active: bool
    is_preset: bool
    precision: int
    targets: tuple[TargetBound, ...]
    previous_id: int | None
    judged: tuple[str, ...]      # loaded terms this version judged (or judges)
    editable: bool               # the user may save versions of it


class PolicyInvalid(ValueError):
    """The policy was refused; `problems` lists every refused field."""

    def __init__(self, problems: Iterable[PolicyProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}{'.' + p.part if p.part else ''}: {p.reason}" for p in self.problems))


def _number(value: object) -> float | None:
    """A finite number from a typed value (None for empty); NaN for text that is not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return math.nan
    try:
        number = float(str(value).strip().replace("％", "").replace("%", "").replace("，", "."))
    except ValueError:
        return math.nan
    return number if math.isfinite(number) else math.nan


def check_term(code: object) -> tuple[str | None, PolicyProblem | None]:
    """The term a policy takes effect from (empty: from the first term), or the problem with it."""
    text = str(code or "").strip()
    if not text:
        return None, None
    try:
        term = parse_term(text)
    except ValueError:
        return None, PolicyProblem("effective_from", "term_unknown", facts={"value": text})
    if not FIRST_YEAR <= term.year <= LAST_YEAR:
        return None, PolicyProblem("effective_from", "term_unknown", facts={"value": text})
    return term.code, None


def _check_target(row: TargetRow) -> tuple[TargetBound | None, list[PolicyProblem]]:
    key = row.indicator
    info = INDICATOR_BY_KEY[key]
    problems: list[PolicyProblem] = []
    op = OPERATOR_ALIASES.get(str(row.op or "").strip())
    if op is None:
        problems.append(PolicyProblem(key, "op_unknown", "op", {"value": str(row.op or "")}))
    elif info.is_rate and op == "==":
        problems.append(PolicyProblem(key, "op_rate", "op", {"value": op}))
    elif not info.is_rate and op == ">=":
        problems.append(PolicyProblem(key, "op_count", "op", {"value": op}))
    bound = _number(row.bound)
    if bound is None:
        problems.append(PolicyProblem(key, "bound_missing", "bound"))
    elif math.isnan(bound):
        problems.append(PolicyProblem(key, "not_number", "bound", {"value": str(row.bound)}))
    elif bound < 0:
        problems.append(PolicyProblem(key, "bound_negative", "bound", {"value": _fmt(bound)}))
    elif info.is_rate and bound > 100:
        problems.append(PolicyProblem(key, "rate_over_100", "bound", {"value": _fmt(bound)}))
    elif not info.is_rate and bound != int(bound):
        problems.append(PolicyProblem(key, "count_whole", "bound", {"value": _fmt(bound)}))
    margin = _number(row.margin)
    if margin is not None:
        if math.isnan(margin):
            problems.append(PolicyProblem(key, "not_number", "margin", {"value": str(row.margin)}))
        elif margin < 0:
            problems.append(PolicyProblem(key, "margin_negative", "margin", {"value": _fmt(margin)}))
        elif not info.is_rate and margin > 0:
            problems.append(PolicyProblem(key, "margin_count", "margin", {"value": _fmt(margin)}))
        elif row.relative and margin > 100:
            problems.append(PolicyProblem(key, "margin_relative_over", "margin", {"value": _fmt(margin)}))
        elif bound is not None and not math.isnan(bound) and not row.relative and margin > bound:
            problems.append(PolicyProblem(key, "margin_over_bound", "margin",
                                          {"value": _fmt(margin), "bound": _fmt(bound)}))
    if problems:
        return None, problems
    assert op is not None and bound is not None
    return TargetBound(key, op, bound if info.is_rate else float(int(bound)),
                       None if margin is None or not info.is_rate else margin,
                       bool(row.relative) and info.is_rate), []


def _fmt(value: float) -> str:
    return f"{value:g}"


def check_policy(name: object, precision: object, effective_from: object,
                 rows: Iterable[TargetRow]) -> CheckedPolicy:
    """The policy as checked, or PolicyInvalid listing every refused field (an empty row list is refused)."""
    problems: list[PolicyProblem] = []
    text = str(name or "").strip()
    if not text or len(text) > NAME_MAX:
        problems.append(PolicyProblem("name", "name_length", facts={"limit": NAME_MAX}))
    digits = _number(precision)
    if digits is None or math.isnan(digits) or digits != int(digits) \
            or not PRECISION_MIN <= digits <= PRECISION_MAX:
        problems.append(PolicyProblem("precision", "precision_range",
                                      facts={"value": str(precision if precision is not None else ""),
                                             "low": PRECISION_MIN, "high": PRECISION_MAX}))
    term, problem = check_term(effective_from)
    if problem:
        problems.append(problem)
    targets: list[TargetBound] = []
    seen: set[str] = set()
    for row in rows:
        if row.indicator not in INDICATOR_BY_KEY:
            problems.append(PolicyProblem("targets", "indicator_unknown", facts={"value": row.indicator}))
            continue
        if row.indicator in seen:
            problems.append(PolicyProblem(row.indicator, "indicator_twice"))
            continue
        seen.add(row.indicator)
        bound, found = _check_target(row)
        problems.extend(found)
        if bound is not None:
            targets.append(bound)
    if not seen and not problems:
        problems.append(PolicyProblem("targets", "no_targets"))
    if problems:
        raise PolicyInvalid(problems)
    return CheckedPolicy(text, int(digits or 0), term, tuple(sorted(targets, key=lambda t: t.indicator)))


def in_force(versions: Iterable[tuple[int, str | None]], term: str) -> int | None:
    """The id of the version in force for `term` among (id, effective_from) of one area (None: from the first
    term): the latest that took effect at or before the term."""
    best: tuple[str, int] | None = None
    for ident, start in versions:
        key = start or ""
        if key <= term and (best is None or key >= best[0]):
            best = (key, ident)
    return best[1] if best else None


def judged_terms(start: str | None, next_start: str | None, loaded: Iterable[str]) -> list[str]:
    """The loaded terms a version judged: from its own start until the next version of its area takes effect."""
    return sorted(t for t in loaded if (start is None or t >= start) and (next_start is None or t < next_start))


FILE_COLUMNS = ("indicator", "op", "bound", "margin", "margin_relative")
_COLUMN_ALIASES = {"indicator": "indicator", "指标": "indicator", "op": "op", "operator": "op", "运算符": "op",
                   "bound": "bound", "目标值": "bound", "margin": "margin", "预警幅度": "margin",
                   "margin_relative": "margin_relative", "relative": "margin_relative", "相对": "margin_relative"}
_TRUE = {"1", "true", "yes", "y", "是", "relative", "%"}


def indicator_key(text: object) -> str:
    """An indicator key from its key or its Chinese or English name (unknown text comes back as typed)."""
    value = str(text or "").strip()
    for key, info in INDICATOR_BY_KEY.items():
        if value in (key, info.name_zh, info.name_en):
            return key
    return value


def rows_from_records(records: Iterable[Mapping[str, object]]) -> list[TargetRow]:
    """Target rows from a file's records (one per indicator; columns by key or Chinese name, see FILE_COLUMNS);
    a blank record is skipped."""
    rows = []
    for record in records:
        named = {_COLUMN_ALIASES.get(str(k or "").strip().lower(), str(k or "").strip()): v
                 for k, v in record.items()}
        if all(v is None or not str(v).strip() for v in named.values()):
            continue
        relative = named.get("margin_relative")
        rows.append(TargetRow(indicator_key(named.get("indicator")), named.get("op"), named.get("bound"),
                              named.get("margin"), relative is True or str(relative or "").strip().lower() in _TRUE))
    return rows
