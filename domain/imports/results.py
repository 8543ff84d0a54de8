"""What an import did (plain data): counts, problems, students missing since the previous term."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ImportProblem:
    """One problem of a file: spreadsheet row (header counted, 1-based; 0 = the file), column, value, reason."""

    row: int
    column: str
    value: str
    reason: str

    def line(self) -> str:
        """The problem as one report line: row 5, 身份证件号, '5328…': checksum does not match."""
        value = self.value if len(self.value) <= 40 else self.value[:39] + "…"
        parts = [f"row {self.row}"] + ([self.column] if self.column else []) + ([f"'{value}'"] if value else [])
        return ", ".join(parts) + f": {self.reason}"


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


@dataclass(frozen=True)
class LostGraduate:
    """A grade-6 pupil marked 毕业 on the previous spring roster who is on no roster of the new autumn term
    (小升初, issue 13.4): the township the pupil counts toward, the primary school, the spring class."""

    student_id: int
    student_no: str
    name: str
    township_code: str
    township_name: str
    school_code: str
    school_name: str
    class_name: str | None
    term: str  # the spring term of the graduation


@dataclass(frozen=True)
class PreviewRow:
    """A row of a roster import's preview: a new pupil, a changed one (with the fields that change), or one who
    would leave the roster (removed: the school's stored line)."""

    change: str          # "new", "changed" or "removed"
    student_no: str
    name: str
    school_code: str
    school_name: str
    grade: int
    class_name: str | None
    status: str
    fields: str = ""     # changed: the Chinese headers of the fields that change, 、-separated


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
    cases_opened: int = 0  # roster: confirmed dropout cases opened for 辍学 lines without one
    lost_graduates: list[LostGraduate] = field(default_factory=list)  # autumn roster: 小升初, first MISSING_LISTED
    lost_graduate_count: int = 0
    graduates_term: str | None = None  # the spring term they graduated in
    poverty_flagged: int = 0  # poverty list: roster lines of the term newly flagged 脱贫户 (matched by ID number)
    preview: bool = False  # roster: what the import would do; nothing was written
    preview_rows: list[PreviewRow] = field(default_factory=list)  # first PREVIEW_LISTED new, changed, removed
    digest: str = ""  # preview: what it would write, to check at confirmation that the roster did not change
    removal_share: float = 0.0  # the largest share of one school's stored pupils that would be removed
    removal_school: str = ""  # that school's code
    stale: bool = False  # preview: the roster changed since the preview that was confirmed; look again
    import_id: int | None = None  # accepted: its import record (file, who, when; undo)

    @property
    def rows(self) -> int:
        """Rows of the file that were imported."""
        return self.new + self.changed + self.unchanged

    def summary(self) -> str:
        """One line: imported: N rows (a new / b changed / c unchanged), or why nothing was written."""
        if not self.ok:
            return f"rejected: {self.problem_count} problem(s); nothing was written"
        if self.preview:
            return (f"would import {self.rows} rows ({self.new} new / {self.changed} changed / {self.unchanged} "
                    f"unchanged / {self.removed} removed from the roster); nothing was written")
        removed = f" / {self.removed} removed" if self.removed else ""
        cases = f"; {self.cases_opened} dropout case(s) opened in the case ledger" if self.cases_opened else ""
        if self.kind == "poverty":
            cases += f"; {self.poverty_flagged} roster line(s) of {self.term} newly flagged 脱贫户 (matched by ID number)"
        return (f"imported: {self.rows} rows ({self.new} new / {self.changed} changed / "
                f"{self.unchanged} unchanged{removed}){cases}")

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

    def preview_report(self, limit: int = 20) -> str:
        """A preview for a terminal: counts, then the first `limit` rows of each change."""
        lines = [self.summary()]
        for change, title in (("removed", "would leave the roster"), ("new", "new"), ("changed", "changed")):
            rows = [r for r in self.preview_rows if r.change == change]
            total = {"removed": self.removed, "new": self.new, "changed": self.changed}[change]
            if not total:
                continue
            lines.append(f"{total} {title}:")
            lines += [f"  {r.student_no} {r.name}, {r.school_code} {r.school_name}, grade {r.grade}"
                      f"{' ' + r.class_name if r.class_name else ''}, {r.status}{' (' + r.fields + ')' if r.fields else ''}"
                      for r in rows[:limit]]
            if total > min(limit, len(rows)):
                lines.append(f"  … and {total - min(limit, len(rows))} more")
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
        values["lost_graduates"] = [LostGraduate(**m) for m in data.get("lost_graduates", [])]
        values["preview_rows"] = [PreviewRow(**m) for m in data.get("preview_rows", [])]
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
