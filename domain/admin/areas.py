"""Areas and schools administration (issue 15.3): the hierarchy as plain view models, and the pure rules of
an areas file compared with what is stored (renamed, moved, retired and new codes)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SchoolNode:
    """A school under its township: closed (or merged) from a term on, and its moves between townships."""

    id: int
    code: str
    name: str
    type: str
    closed_from: str | None = None
    merged_into: str | None = None        # the name of the school it was merged into
    moves: tuple[str, ...] = ()            # "from 2025-1: 勐海镇 → 勐混镇"

    @property
    def open(self) -> bool:
        """True for a school not closed."""
        return self.closed_from is None


@dataclass(frozen=True)
class VillageNode:
    """A village or community."""

    code: str
    name: str
    retired: bool = False


@dataclass(frozen=True)
class TownshipNode:
    """A township with its villages and schools."""

    code: str
    name: str
    retired: bool = False
    villages: tuple[VillageNode, ...] = ()
    schools: tuple[SchoolNode, ...] = ()


@dataclass(frozen=True)
class AreaTree:
    """A county (or a township admin's township) as the page shows it."""

    code: str
    name: str
    townships: tuple[TownshipNode, ...] = ()
    editable_top: bool = False             # may the top area itself be renamed


@dataclass(frozen=True)
class Rename:
    """An existing code whose name differs in the file."""

    row: int
    code: str
    old: str
    new: str


@dataclass(frozen=True)
class Move:
    """A name that left one code and appears under another (a village moved to another township), or an existing
    code given another parent."""

    row: int
    name: str
    old_code: str
    new_code: str


@dataclass(frozen=True)
class AreaChanges:
    """What an areas file changes in the stored hierarchy, before anything is written."""

    new: tuple[str, ...] = ()
    renamed: tuple[Rename, ...] = ()
    moved: tuple[Move, ...] = ()
    retired: tuple[tuple[str, str], ...] = ()      # (code, name) no longer in the release
    restored: tuple[str, ...] = ()                 # retired codes the file lists again
    unchanged: int = 0

    @property
    def needs_confirmation(self) -> bool:
        """Renamed, moved or retired codes are confirmed before they are written."""
        return bool(self.renamed or self.moved or self.retired)


@dataclass(frozen=True)
class StoredArea:
    """What the comparison needs of a stored area."""

    code: str
    name: str
    parent_code: str | None
    retired: bool = False


@dataclass(frozen=True)
class FileArea:
    """What the comparison needs of a file row."""

    row: int
    code: str
    name: str
    parent_code: str | None


def compare_areas(rows: Iterable[FileArea], stored: Mapping[str, StoredArea],
                  children: Mapping[str, Iterable[StoredArea]]) -> AreaChanges:
    """Compare an areas file with the stored areas. `children` maps each parent listed with children in the file
    to its stored children: those the file no longer lists are retired (kept with their history, never deleted);
    a retired name that reappears under a new code is a move."""
    rows = list(rows)
    in_file = {r.code for r in rows}
    new, renamed, moved, restored, unchanged = [], [], [], [], 0
    for r in rows:
        old = stored.get(r.code)
        if old is None:
            new.append(r.code)
            continue
        if old.name != r.name:
            renamed.append(Rename(r.row, r.code, old.name, r.name))
        elif (old.parent_code or None) != (r.parent_code or None):
            moved.append(Move(r.row, r.name, old.parent_code or "", r.parent_code or ""))
        elif old.retired:
            restored.append(r.code)
        else:
            unchanged += 1
    gone = sorted({(c.code, c.name) for kids in children.values() for c in kids
                   if c.code not in in_file and not c.retired})
    by_name: dict[str, list[FileArea]] = {}
    for r in rows:
        if r.code in new:
            by_name.setdefault(r.name, []).append(r)
    for code, name in gone:
        hits = by_name.get(name, [])
        if len(hits) == 1:
            moved.append(Move(hits[0].row, name, code, hits[0].code))
    return AreaChanges(tuple(new), tuple(renamed), tuple(moved), tuple(gone), tuple(restored), unchanged)


@dataclass(frozen=True)
class AreasPreview:
    """An areas file checked and compared, not written: its problems, or what it would change."""

    file_name: str
    problems: tuple[Any, ...] = ()                 # ImportProblem: row, column, value, reason
    changes: AreaChanges = field(default_factory=AreaChanges)

    @property
    def ok(self) -> bool:
        """True when the file can be imported (after confirming the listed changes)."""
        return not self.problems
