"""The shared machinery of imports: results, row parsing, in-file uniqueness, bulk compare-and-write."""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.import_readers import Column, ImportProblem, Table
from domain.parsing import CellError, display_value

CHUNK = 1000


@dataclass
class ImportResult:
    """What an import did: counts of rows new / changed / unchanged (/ removed), or its problems."""

    kind: str
    ok: bool
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    removed: int = 0

    @property
    def rows(self) -> int:
        """Rows of the file that were imported."""
        return self.new + self.changed + self.unchanged

    def summary(self) -> str:
        """One line: imported: N rows (a new / b changed / c unchanged), or why nothing was written."""
        if not self.ok:
            return f"rejected: {len(self.problems)} problem(s); nothing was written"
        removed = f" / {self.removed} removed" if self.removed else ""
        return (f"imported: {self.rows} rows ({self.new} new / {self.changed} changed / "
                f"{self.unchanged} unchanged{removed})")

    def report(self) -> str:
        """One line per problem: row 5, 身份证件号, '5328…': checksum does not match."""
        return "\n".join(p.line() for p in self.problems)


def rejected(kind: str, problems: list[ImportProblem]) -> ImportResult:
    """A result for a file with problems (sorted by row); nothing was written."""
    return ImportResult(kind, False, problems=sorted(problems, key=lambda p: p.row))


def accepted(session: Session, kind: str, path: str | Path, new: int, changed: int, unchanged: int,
             removed: int = 0, **extra: Any) -> ImportResult:
    """Record the import in the audit log and return its result."""
    after = {"new": new, "changed": changed, "unchanged": unchanged, "removed": removed, **extra}
    audit.record(session, "import", kind, Path(path).name, after=after)
    return ImportResult(kind, True, new, changed, unchanged, [], removed)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def parse_rows(table: Table, columns: Sequence[Column], problems: list[ImportProblem]) -> list[Any]:
    """Parse every data row into a named tuple (row, <column names>…); append each bad cell to problems.

    A cell that cannot be parsed becomes None so later checks can still look at the rest of its row;
    an empty cell takes the column's default when the column allows it. A file without rows is a problem."""
    row_type = namedtuple("ParsedRow", ["row", *(c.name for c in columns)])  # type: ignore[misc]
    plan = [(table.found[c.key][0] if c.key in table.found else None, c, table.header(c),
             {} if c.repeats else None) for c in columns]
    parsed: list[Any] = []
    for number, cells in table.rows:
        values: list[Any] = [number]
        for index, column, header, seen in plan:
            raw = cells[index] if index is not None and index < len(cells) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if not column.allow_empty and index is not None:
                    problems.append(ImportProblem(number, header, "", "must not be empty"))
                values.append(column.default)
                continue
            key = raw if seen is None or raw.__class__ is str else (raw.__class__, raw)
            if seen is not None and key in seen:     # a repeated value: parse once, share one object
                values.append(seen[key])
                continue
            try:
                value = column.parse(raw)
            except CellError as exc:
                shown = display_value(raw)
                if column.sensitive and len(shown) > 4:
                    shown = shown[:4] + "…"
                problems.append(ImportProblem(number, header, shown, str(exc)))
                value = None
            else:
                if seen is not None:
                    seen[key] = value
            values.append(value)
        parsed.append(row_type(*values))
    if not parsed:
        problems.append(ImportProblem(table.header_row + 1, "", "", "the file has no data rows below the header"))
    return parsed


def check_unique(rows: Iterable[Any], key: Callable[[Any], Hashable | None], column: str,
                 problems: list[ImportProblem], value: Callable[[Any], str] = str) -> None:
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
