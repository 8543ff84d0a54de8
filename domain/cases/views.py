"""View models of casework (plain data the case, ledger and agreement views and documents show)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.cases.agreement import AreaAgeRow
from domain.cases.escalation import StepClock

OPENABLE = frozenset({"dropout_no_case", "returned_still_dropout", "graduate_lost"})


@dataclass(frozen=True)
class ChildRow:
    """A roster child of a ledger line (masked for the role)."""

    student_id: int
    name: str
    student_no: str
    gender: str
    age: int
    school: str
    grade: int
    class_name: str
    status: str
    area_code: str  # the household code (户籍地代码) as the roster gives it, "" for none
    poverty_registered: bool
    outside: bool = False  # 外县户籍: a household outside the areas Baoxue holds
    household_name: str = ""  # the division of an outside household, where known


@dataclass(frozen=True)
class AgeLine:
    """A line of the school-age ledger with area names."""

    row: AreaAgeRow
    area_name: str
    township_code: str
    township_name: str


@dataclass(frozen=True)
class ChildPage:
    """One page of children and the total."""

    rows: list[ChildRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class CaseRow:
    """One case of a ledger, ready to show (student already masked for the role)."""

    id: int
    ledger: str
    student: str
    student_no: str
    gender: str
    school: str
    township: str
    found_date: dt.date
    absence_days: int
    reason: str | None
    special_groups: tuple[str, ...]
    step: int
    clock: StepClock
    gov_responsible: str
    edu_responsible: str
    helper: str
    last_attempt: tuple[dt.date, str, str] | None  # date, method, result
    status: str
    outcome: str | None
    closed_at: dt.datetime | None = None
    household_code: str = ""  # of the roster line of the case's term
    outside: bool = False  # 外县户籍: notify the household county and transfer the record (seed 001)
    household_name: str = ""  # the division of an outside household, where known


@dataclass(frozen=True)
class CaseView:
    """A case as its reader may see it."""

    id: int
    version: int
    ledger: str
    status: str
    step: int
    step_started: dt.date
    return_deadline: dt.date | None
    source: str
    found_date: dt.date
    absence_days: int
    reason: str | None
    reason_note: str
    special_groups: tuple[str, ...]
    gov_responsible: str
    edu_responsible: str
    helper: str
    plan: str
    outcome: str | None
    outcome_date: dt.date | None
    outcome_note: str
    verified_days: int | None
    verification_note: str
    verified_by: str
    closed_at: dt.datetime | None
    opened_by: str
    opened_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime | None
    student_name: str
    names_visible: bool
    gender: str
    birth_date: dt.date
    id_number: str  # masked
    guardian_name: str
    guardian_phone: str  # masked
    can_reveal: bool
    school_id: int | None
    school_name: str
    township_code: str
    township_name: str
    village_name: str
    term_code: str | None
    grade: int | None
    class_name: str
    roster_status: str
    step_starts: dict[int, dt.date]
    # a returned child awaiting the close: school days since the return, and the day the close may rest on them
    school_days_since_return: int | None = None
    close_ready: dt.date | None = None
    attendance: str = ""  # the attendance record a close rested on: who checked, from, to
    household_code: str = ""
    outside: bool = False  # 外县户籍
    household_name: str = ""


@dataclass(frozen=True)
class AttemptView:
    """A persuasion attempt."""

    id: int
    date: dt.date
    who: str
    method: str
    result: str
    created_by: str


@dataclass(frozen=True)
class EventView:
    """An entry of the case's history."""

    at: dt.datetime
    user: str
    action: str
    from_step: int | None
    to_step: int | None
    from_status: str | None
    to_status: str | None
    detail: str
    note: str


@dataclass(frozen=True)
class AgreementRow:
    """A disagreement, ready to show."""

    kind: str
    student_id: int
    case_id: int | None
    student: str
    student_no: str
    school: str
    township: str
    roster_status: str
    case_ledger: str | None
    case_status: str | None
    case_outcome: str | None
    poor: bool
    confirmed: bool

    @property
    def can_open(self) -> bool:
        """True when the fix is to open a (new) case."""
        return self.kind in OPENABLE


@dataclass(frozen=True)
class GapRow:
    """A village (or township) and age with survey children not found on any roster."""

    area_code: str
    area_name: str
    township_name: str
    age: int
    population: int
    outside: int
    found: int
    gap: int
    unplaced: int = 0  # pupils counted toward the township but in no village (folded into this township line)


@dataclass(frozen=True)
class NoticeData:
    """What a notice says."""

    kind: str
    title: str
    number: str
    case_id: int
    student: str
    gender: str
    birth: dt.date
    guardian: str
    school: str
    grade: int | None
    class_name: str
    township: str
    found: dt.date
    absence_days: int
    deadline: dt.date
    issued: dt.date
    stopped: dt.date | None = None                # the first school day the child was absent
    attempts: tuple[tuple[dt.date, str], ...] = ()  # recorded attempts to bring the child back: (date, method)
    issuers: tuple[str, ...] = ()                 # 乡镇人民政府 and 教育局 (jointly issued: two seals)
    contact: str = ""                             # （联系人：…，联系电话：…）
    regulation: str = ""                          # the province's regulation, when the county set one
    page_numbers: str = "outside"
    # worded by wording.statutes (web.case_files fills them): the laws quoted and the attempts as recorded
    law: str = ""          # 根据《义务教育法》第五条第二款规定：“…”第五十八条规定：“…”
    rights: str = ""       # 《义务教育法》第四条规定：“…”
    attempts_text: str = ""  # 经2026年3月2日电话劝返、3月9日入户劝返（共两次），
    law_name: str = "《中华人民共和国义务教育法》"
    prior_numbers: tuple[str, ...] = ()  # the case's return notices already issued (for the later drafts)
    county: str = ""
    abbreviation: str = ""  # the township's 发文字号 abbreviation (a draft leaves the sequence blank)
