"""The shared machinery of imports: results, row parsing, in-file uniqueness, bulk compare-and-write,
progress reports and the audit entries of accepted and refused files."""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
import threading
import time
from collections import namedtuple
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.import_readers import Column, ImportProblem, ProblemLog, Table
from domain.parsing import CellError, display_value

CHUNK = 1000
MISSING_LISTED = 1000        # missing students listed in a result; the rest are only counted
Progress = Callable[[int, int, str], None]       # progress(done_rows, total_rows, phase)
CHECKING, WRITING, DONE = "checking", "writing", "done"


@dataclass(frozen=True)
class MissingStudent:
    """A student on the previous term's roster of a school in the file who is not on this term's roster."""

    student_no: str
    name: str
    school_code: str
    school_name: str
    grade: int
    class_name: str | None
    status: str
    term: str


@dataclass
class ImportResult:
    """What an import did: counts of rows new / changed / unchanged (/ removed), or its problems.

    `problems` lists at most MAX_PROBLEMS problems (the first by row); `problem_count` counts them all.
    A roster import also lists the students of the previous term missing now (`missing_students`,
    at most MISSING_LISTED; `missing_count` counts them all)."""

    kind: str
    ok: bool
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    removed: int = 0
    problem_count: int = 0
    missing_students: list[MissingStudent] = field(default_factory=list)
    missing_count: int = 0
    previous_term: str | None = None
    file_name: str = ""
    term: str | None = None

    @property
    def rows(self) -> int:
        """Rows of the file that were imported."""
        return self.new + self.changed + self.unchanged

    def summary(self) -> str:
        """One line: imported: N rows (a new / b changed / c unchanged), or why nothing was written."""
        if not self.ok:
            return f"rejected: {self.problem_count} problem(s); nothing was written"
        removed = f" / {self.removed} removed" if self.removed else ""
        return (f"imported: {self.rows} rows ({self.new} new / {self.changed} changed / "
                f"{self.unchanged} unchanged{removed})")

    def report(self) -> str:
        """One line per problem: row 5, 身份证件号, '5328…': checksum does not match (and how many more)."""
        lines = [p.line() for p in self.problems]
        if self.problem_count > len(self.problems):
            lines.append(f"… and {self.problem_count - len(self.problems)} more problem(s) not listed")
        return "\n".join(lines)

    def missing_report(self, limit: int = 20) -> str:
        """The students missing since the previous term: a count and the first `limit` of them."""
        if not self.missing_count:
            return ""
        lines = [f"{self.missing_count} student(s) of the {self.previous_term} roster of these schools are not on "
                 f"this roster (transferred? dropped out?); follow them up in the case ledger:"]
        lines += [f"  {m.student_no} {m.name}, {m.school_code} {m.school_name}, grade {m.grade}"
                  f"{' ' + m.class_name if m.class_name else ''}, last status {m.status}"
                  for m in self.missing_students[:limit]]
        if self.missing_count > limit:
            lines.append(f"  … and {self.missing_count - limit} more")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (for job files)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportResult:
        """A result read back from to_dict()."""
        values = dict(data)
        values["problems"] = [ImportProblem(**p) for p in data.get("problems", [])]
        values["missing_students"] = [MissingStudent(**m) for m in data.get("missing_students", [])]
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


def rejected(kind: str, problems: ProblemLog | list[ImportProblem]) -> ImportResult:
    """A result for a file with problems (the first ones by row, and their count); nothing was written."""
    if not isinstance(problems, ProblemLog):
        log = ProblemLog()
        log.extend(problems)
        problems = log
    return ImportResult(kind, False, problems=problems.listed(), problem_count=problems.total)


def accepted(session: Session, kind: str, path: str | Path, new: int, changed: int, unchanged: int,
             removed: int = 0, **extra: Any) -> ImportResult:
    """Record the import in the audit log and return its result."""
    after = {"new": new, "changed": changed, "unchanged": unchanged, "removed": removed, **extra}
    audit.record(session, "import", kind, Path(path).name, after=after)
    return ImportResult(kind, True, new, changed, unchanged, [], removed, file_name=Path(path).name)


def record_refusal(session: Session, result: ImportResult, file_name: str, **extra: Any) -> None:
    """Write the audit entry of a refused file (in a transaction of its own: the import's was rolled back)."""
    first = [p.line() for p in result.problems[:5]]
    audit.record(session, "import_refused", result.kind, file_name,
                 after={"problems": result.problem_count, "first": first, **extra})


def no_progress(_done: int, _total: int, _phase: str) -> None:
    """The progress callback of imports nobody watches."""


class Ticker:
    """Calls progress(done, total, phase) at most every `seconds` (and always for the last call)."""

    def __init__(self, progress: Progress | None, total: int, seconds: float = 0.5) -> None:
        self.progress = progress or no_progress
        self.total = total
        self.seconds = seconds
        self._last = 0.0

    def __call__(self, done: int, phase: str, force: bool = False) -> None:
        """Report `done` rows of `phase` (throttled unless force)."""
        now = time.monotonic()
        if force or now - self._last >= self.seconds:
            self._last = now
            self.progress(done, max(self.total, done), phase)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def masked(column: Column, raw: Any) -> str:
    """A cell as a report shows it: a minor's ID number or phone only by its first characters."""
    shown = display_value(raw)
    return shown[:4] + "…" if column.sensitive and len(shown) > 4 else shown


PARSE_CHUNK = 2000
_MISS = object()
GC_THRESHOLD = 100_000        # allocations between the collector's young passes while a big file streams
_gc_lock = threading.Lock()
_gc_streams = 0
_gc_saved: tuple[int, ...] = ()


@contextlib.contextmanager
def fewer_gc_passes() -> Iterator[None]:
    """While a file streams through: let the cyclic garbage collector run its young-generation pass every
    GC_THRESHOLD allocations instead of every 700. Parsing allocates millions of short-lived tuples and lists
    that reference counting frees at once; with the default threshold the collector still walks them thousands of
    times per million rows and promotes them to older generations, whose passes then walk every object of the
    process (a fifth of the parse time). Process-wide but temporary: the previous thresholds come back when the
    last stream of the process ends (concurrent imports share one setting)."""
    global _gc_streams, _gc_saved
    with _gc_lock:
        if _gc_streams == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(GC_THRESHOLD, _gc_saved[0]), *_gc_saved[1:])
        _gc_streams += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_streams -= 1
            if _gc_streams == 0:
                gc.set_threshold(*_gc_saved)


def _blank(raw: Any) -> bool:
    return raw is None or (raw.__class__ is str and (not raw or raw.isspace()))


class _ColumnParser:
    """Parses one column of a chunk of rows at a time: a repeated text value is parsed once (a dict lookup
    per cell), every other cell by the column's parser; bad cells are reported with their row number."""

    def __init__(self, column: Column, header: str, present: bool) -> None:
        self.column, self.header, self.present = column, header, present
        self.seen: dict[Any, Any] | None = {} if column.repeats else None
        if self.seen is not None and column.allow_empty:
            self.seen[""] = column.default

    def __call__(self, values: Sequence[Any], numbers: Sequence[int], problems: ProblemLog | list[ImportProblem]
                 ) -> list[Any]:
        if not self.present:
            return [self.column.default] * len(values)
        seen = self.seen
        column, header, parse = self.column, self.header, self.column.parse
        if seen is None:                    # every cell its own value: parse each
            try:                            # the common case: all text, none blank, none bad
                if all(values) and not any(map(str.isspace, values)):
                    return list(map(parse, values))
            except (TypeError, CellError):  # a number or date cell (.xlsx), or a bad cell: one by one below
                pass
            out = []
            append = out.append
            for i, raw in enumerate(values):
                if raw.__class__ is str and raw and not raw.isspace() or raw is not None and raw.__class__ is not str:
                    try:
                        append(parse(raw))
                        continue
                    except CellError as exc:
                        problems.append(ImportProblem(numbers[i], header, masked(column, raw), str(exc)))
                        append(None)
                        continue
                if not column.allow_empty:
                    problems.append(ImportProblem(numbers[i], header, "", "must not be empty"))
                append(column.default)
            return out
        distinct = set(values)
        if distinct <= seen.keys() and all(v.__class__ is str for v in distinct):    # every value seen before
            return list(map(seen.__getitem__, values))
        get = seen.get
        out = [get(v, _MISS) if v.__class__ is str else _MISS for v in values]
        for i in [i for i, v in enumerate(out) if v is _MISS]:
            raw = values[i]
            if _blank(raw):
                if not column.allow_empty:
                    problems.append(ImportProblem(numbers[i], header, "", "must not be empty"))
                out[i] = column.default
                continue
            key = raw if raw.__class__ is str else (raw.__class__, raw)
            if key in seen:
                out[i] = seen[key]
                continue
            try:
                value = parse(raw)
            except CellError as exc:
                problems.append(ImportProblem(numbers[i], header, masked(column, raw), str(exc)))
                value = None
            else:
                if len(seen) < 100_000:
                    seen[key] = value
            out[i] = value
        return out


def iter_parsed_columns(table: Table, columns: Sequence[Column], problems: ProblemLog | list[ImportProblem]
                        ) -> Iterator[tuple[list[int], list[list[Any]]]]:
    """Parse the data rows a chunk at a time, column by column: yields (row numbers, one list of values per column
    in `columns` order); each bad cell is appended to problems (see iter_parsed)."""
    plan = [(table.found[c.key][0] if c.key in table.found else None,
             _ColumnParser(c, table.header(c), c.key in table.found)) for c in columns]
    width = max((index for index, _ in plan if index is not None), default=-1) + 1
    count = 0
    rows = iter(table.rows)
    while chunk := list(itertools.islice(rows, PARSE_CHUNK)):
        count += len(chunk)
        numbers, cells = map(list, zip(*chunk))
        if min(map(len, cells)) < width:
            cells = [c if len(c) >= width else (*c, *([None] * (width - len(c)))) for c in cells]
        by_column = list(zip(*cells))       # every row has at least `width` cells now
        yield numbers, [parse(by_column[index] if index is not None else cells, numbers, problems)
                        for index, parse in plan]
    if not count:
        problems.append(ImportProblem(table.header_row + 1, "", "", "the file has no data rows below the header"))


def iter_parsed(table: Table, columns: Sequence[Column], problems: ProblemLog | list[ImportProblem]
                ) -> Iterator[Any]:
    """Parse the data rows into named tuples (row, <column names>…), in order; append each bad cell to problems.

    A cell that cannot be parsed becomes None so later checks can still look at the rest of its row;
    an empty cell takes the column's default when the column allows it. A file without rows is a problem.
    Rows are parsed a chunk at a time, column by column (see _ColumnParser); the problems of a row come
    in column order."""
    row_type = namedtuple("ParsedRow", ["row", *(c.name for c in columns)])  # type: ignore[misc]
    make = row_type._make
    for numbers, values in iter_parsed_columns(table, columns, problems):
        yield from map(make, zip(numbers, *values))


def iter_chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of at most `size` items of an iterable."""
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def parse_rows(table: Table, columns: Sequence[Column], problems: ProblemLog | list[ImportProblem]) -> list[Any]:
    """Every data row parsed (see iter_parsed), as a list: for the small files (areas, schools, counts)."""
    return list(iter_parsed(table, columns, problems))


def check_unique(rows: Iterable[Any], key: Callable[[Any], Hashable | None], column: str,
                 problems: ProblemLog | list[ImportProblem], value: Callable[[Any], str] = str) -> None:
    """Report every row whose key (when not None) already appeared on an earlier row of the file."""
    first: dict[Hashable, int] = {}
    for row in rows:
        k = key(row)
        if k is None:
            continue
        if k in first:
            reason = f"appears more than once (first on row {first[k]})"
            problems.append(ImportProblem(row.row, column, value(k), reason))
        else:
            first[k] = row.row


def fetch_by(session: Session, columns: Sequence[Any], key_column: Any, keys: Iterable[Any],
             *where: Any) -> list[Any]:
    """Rows of `columns` whose key_column is in keys, one query per chunk of keys."""
    found: list[Any] = []
    for chunk in chunks(sorted(set(keys))):
        found.extend(session.execute(select(*columns).where(in_keys(key_column, chunk), *where)).all())
    return found


def in_keys(column: Any, keys: Sequence[Any]) -> Any:
    """`column IN (keys)` with the keys rendered as literals (ints and validated codes only).

    A literal list is not server-prepared with a generic plan by psycopg, and PostgreSQL then hashes
    the constant list instead of comparing every row with every key (40k rows: 15 s → 0.2 s)."""
    return column.in_(bindparam("keys", list(keys), expanding=True, literal_execute=True))


def upsert(session: Session, model: type, key: Sequence[str], rows: Sequence[dict[str, Any]]
           ) -> tuple[int, int, int]:
    """Insert rows whose key is not stored, update the ones that differ; return (new, changed, unchanged).

    Rows are plain dicts of model attributes; the first key attribute is used to load what is
    stored (one query per chunk), the comparison happens in Python, writes are bulk executemany."""
    if not rows:
        return 0, 0, 0
    fields = list(rows[0])
    pk = [c.key for c in inspect(model).primary_key]
    wanted = list(dict.fromkeys([*fields, *pk]))
    stored = fetch_by(session, [getattr(model, f) for f in wanted], getattr(model, key[0]),
                      (r[key[0]] for r in rows))
    existing = {tuple(m[k] for k in key): m for m in (s._mapping for s in stored)}
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for row in rows:
        old = existing.get(tuple(row[k] for k in key))
        if old is None:
            new.append(row)
        elif any(old[f] != row[f] for f in fields):
            changed.append({**row, **{k: old[k] for k in pk}})
    if new:
        session.execute(insert(model), new)
    if changed:
        session.execute(update(model), changed)
    return len(new), len(changed), len(rows) - len(new) - len(changed)
