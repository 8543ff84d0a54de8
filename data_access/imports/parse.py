"""Parsing the rows of an import file, a chunk at a time and column by column: a repeated value (a grade, a
school code, 是/否) is parsed once, a clean column goes through its parser in one `map`, and only chunks with
blank, non-text or bad cells are looked at cell by cell; bad cells become problems with their row and column.
While a big file streams through, the garbage collector passes less often (fewer_gc_passes)."""
from __future__ import annotations

import contextlib
import gc
import itertools
import threading
from collections import namedtuple
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from data_access.imports.readers import Column, ProblemLog, Table
from domain.imports.results import ImportProblem
from domain.imports.parsing import CellError, display_value


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
