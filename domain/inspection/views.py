"""View models of inspections (plain data the visit, list and zone views show)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.areas import county_of
from domain.inspection.rules import SignOffGap, unaccounted_students


def class_label(grade: int, class_name: str) -> str:
    """3年级2班 (roster class names are Chinese already)."""
    return f"{grade}年级{class_name}"


@dataclass(frozen=True)
class TownshipCoverage:
    """A township's inspection in a term: its state, its visits, schools visited and not, findings."""

    code: str
    name: str
    state: str  # done | done_late | in_progress | overdue | due
    visits: tuple[tuple[int, dt.date, str], ...]
    schools_visited: tuple[str, ...]
    schools_pending: tuple[str, ...]
    findings: int
    false_data: int


@dataclass(frozen=True)
class AbsenceView:
    """An absent student of a counted class."""

    id: int
    student_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class ZoneAdmin:
    """A zone as the admin page edits it."""

    id: int
    name: str
    townships: tuple[str, ...]
    team_name: str
    leader_id: int | None
    member_ids: tuple[int, ...]
    visits: int


@dataclass(frozen=True)
class VisitRow:
    """A visit in the list."""

    id: int
    term_code: str
    visit_date: dt.date
    township_code: str
    township_name: str
    zone_name: str
    team_name: str
    status: str
    schools: tuple[str, ...]
    findings: int
    false_data: int
    signed_by: str


@dataclass(frozen=True)
class ZoneCoverage:
    """A zone, its team and leader, and its townships' coverage."""

    id: int
    name: str
    team_name: str
    leader: str
    townships: tuple[TownshipCoverage, ...]


@dataclass(frozen=True)
class CountyCoverage:
    """A county's townships by inspection state in a term, and their findings (a province's summary)."""

    code: str
    name: str
    townships: int
    done: int          # done or done_late
    in_progress: int
    overdue: int
    due: int
    findings: int
    false_data: int


def county_coverage(zones: Sequence[ZoneCoverage], county_names: Mapping[str, str]) -> list[CountyCoverage]:
    """The zones' townships counted by county (its code from the township's) and state, in county code order."""
    counts: dict[str, dict[str, int]] = {}
    for zone in zones:
        for t in zone.townships:
            c = counts.setdefault(county_of(t.code), dict.fromkeys(
                ("townships", "done", "in_progress", "overdue", "due", "findings", "false_data"), 0))
            c["townships"] += 1
            c["done" if t.state in ("done", "done_late") else t.state] += 1
            c["findings"] += t.findings
            c["false_data"] += t.false_data
    return [CountyCoverage(code, county_names.get(code, code), **c) for code, c in sorted(counts.items())]


@dataclass(frozen=True)
class FindingRow:
    """A finding in a list across visits."""

    id: int
    visit_id: int
    visit_date: dt.date
    visit_status: str
    zone_id: int | None
    township_code: str
    township_name: str
    school_name: str
    method: str
    kind: str
    false_data_type: str | None
    severity: str
    subject: str
    count: int | None
    description: str


@dataclass(frozen=True)
class EvidenceView:
    """An evidence file's id, name, type and size."""

    id: int
    name: str
    file_type: str
    size: int


@dataclass(frozen=True)
class ItemView:
    """A checklist item with its result on the visit."""

    item_id: int
    position: int
    text_zh: str
    text_en: str
    result: str | None
    note: str
    evidence: tuple[EvidenceView, ...]


@dataclass(frozen=True)
class StudentChoice:
    """A student of a class as the absence picker offers them: enough to tell same names apart."""

    roster_id: int
    name: str
    gender: str
    birth_date: dt.date | None


@dataclass(frozen=True)
class ClassView:
    """A class to count: roster 在读 count, number present, absences and the class's students."""

    head_count_id: int
    school_id: int
    school_name: str
    grade: int
    class_name: str
    roster_count: int
    counted_present: int | None
    absences: tuple[AbsenceView, ...]
    students: tuple[StudentChoice, ...]

    @property
    def label(self) -> str:
        """3年级2班."""
        return class_label(self.grade, self.class_name)

    @property
    def unaccounted(self) -> int:
        """Students neither present nor recorded absent (0 until counted)."""
        return unaccounted_students(self.roster_count, self.counted_present, len(self.absences))


@dataclass(frozen=True)
class CallView:
    """A sampled student and the call to the guardian (phone masked)."""

    id: int
    position: int
    school_name: str
    grade: int
    class_name: str
    student_name: str
    roster_status: str
    poverty: bool
    disability: str
    left_behind: bool
    guardian_name: str
    phone_masked: str
    has_phone: bool
    outcome: str | None
    note: str


@dataclass(frozen=True)
class InterviewView:
    """An interview."""

    id: int
    position: int
    role: str
    summary: str
    concerns: str


@dataclass(frozen=True)
class FindingView:
    """A finding of the visit."""

    id: int
    method: str
    kind: str
    false_data_type: str | None
    severity: str
    school_id: int | None
    unit_name: str
    subject: str
    count: int | None
    description: str
    generated: bool
    evidence: tuple[EvidenceView, ...]


@dataclass(frozen=True)
class VisitView:
    """A visit's header: where, when, who, its state."""

    id: int
    term_code: str
    township_code: str
    township_name: str
    zone_name: str
    team_name: str
    visit_date: dt.date
    status: str
    version: int
    created_by: str
    updated_by: str
    updated_at: dt.datetime | None
    signed_by: str
    signed_at: dt.datetime | None
    schools: tuple[tuple[int, str], ...]
    township_schools: tuple[tuple[int, str], ...]
    team: tuple[tuple[int, str, str], ...]  # (user id, name, leader | member)
    present: tuple[int, ...]
    phone_seed: int | None
    phone_sample_size: int | None
    signed_gaps: tuple[SignOffGap, ...] = ()  # what was undone when it was signed, and the leader's reason
    signed_reason: str = ""


@dataclass(frozen=True)
class HistoryEntry:
    """One audit entry of a visit."""

    at: dt.datetime
    actor: str
    action: str
    detail: dict
