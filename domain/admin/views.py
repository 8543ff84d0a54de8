"""View models of the administration pages: data status per term and school, coverage per township,
the preview of a term's withdrawal, audit log rows and the roster export sheet."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TermLoad:
    """One loaded term: how many roster rows and schools it has in the user's scope."""

    code: str
    rows: int
    schools_loaded: int
    schools_total: int


@dataclass(frozen=True)
class SchoolImport:
    """The roster of one school for a term: rows stored and, when known, the last import that wrote it."""

    school_id: int
    school_code: str
    school_name: str
    township_code: str
    township_name: str
    rows: int
    imported_at: dt.datetime | None = None
    imported_by: str | None = None
    file_name: str | None = None

    @property
    def loaded(self) -> bool:
        """True when the term has roster rows of this school."""
        return self.rows > 0


@dataclass(frozen=True)
class Refusal:
    """A refused roster file of the term (the school chased may have tried)."""

    at: dt.datetime
    actor: str
    file_name: str
    problems: int


@dataclass(frozen=True)
class ImportFile:
    """An accepted import (issue 16.7): its source file (name, size, SHA-256), who and when, what it did, and
    whether the user may undo it now (a roster import within the window, nothing imported over it since)."""

    id: int
    kind: str
    term: str | None
    file_name: str
    file_size: int
    sha256: str
    actor: str
    at: dt.datetime
    new: int
    changed: int
    unchanged: int
    removed: int
    undone_at: dt.datetime | None = None
    undone_by: str | None = None
    may_undo: bool = False


@dataclass(frozen=True)
class TownshipCoverage:
    """Population survey and enrollment-history coverage of one township for a term's school year."""

    code: str
    name: str
    population_rows: int
    population: int
    history_years: tuple[int, ...]
    schools_loaded: int
    schools_total: int


@dataclass(frozen=True)
class WithdrawPreview:
    """What withdrawing a term's roster in a scope would remove and what it leaves pointing at it."""

    term: str
    records: int
    schools: int
    students_only_here: int
    findings: int
    absences: int
    phone_calls: int
    cases: int
    visits: int
    orders: int
    term_row_removed: bool
    later_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditRow:
    """One audit log entry as the viewer shows it (before/after parsed from JSON)."""

    id: int
    at: dt.datetime
    actor: str
    user_id: int | None
    action: str
    entity: str
    entity_key: str
    area_code: str | None
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class AuditFilter:
    """The viewer's filter: every field optional; dates are inclusive local days."""

    user: str | None = None
    area: str | None = None
    objects: tuple[str, ...] = ()
    action: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    reveals_only: bool = False


@dataclass(frozen=True)
class Sheet:
    """A plain worksheet: a title, info lines above the header, the header and the rows."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    info: tuple[str, ...] = ()
    widths: tuple[int, ...] = ()
    text_columns: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class UserRow:
    """One user on the users page: who, role, area or school, team, active, last sign-in."""

    id: int
    username: str
    display_name: str
    role: str
    area_code: str | None
    area_name: str
    school_code: str | None
    school_name: str
    team: str
    active: bool
    last_login_at: dt.datetime | None
    must_change_password: bool
    created_at: dt.datetime | None = None
