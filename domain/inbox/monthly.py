"""The county's 控辍保学 monthly report (月报, issue 18.2): its figures and the units' reports as a plain view
model the documents layer lays out. Pure."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UnitReportLine:
    """One unit's report of the month: who, when sent (None: not sent), its notes and figures."""

    unit_name: str
    township_name: str
    sent_on: dt.date | None
    state: str                       # on_time | late | missing | due | open
    duty_name: str = ""
    enrolled: int | None = None
    dropouts: int | None = None
    cases_open: int | None = None
    notes: str = ""


@dataclass(frozen=True)
class MonthlyReport:
    """The county's figures for a month and the reports its schools and townships sent for it."""

    county_code: str
    county_name: str
    month: str                       # 2026-11
    issuer: str
    day: dt.date                     # 成文日期
    enrolled: int
    change: int | None               # pupils since the last monthly report (None: no earlier report)
    dropouts: int
    returned: int                    # children returned to school in the month
    cases_open: int
    new_cases: int
    inspections: int                 # visits made in the month
    orders_issued: int
    orders_open: int
    lines: tuple[UnitReportLine, ...] = field(default_factory=tuple)
    number: str = ""
    draft: bool = True

    @property
    def sent(self) -> int:
        return sum(1 for line in self.lines if line.sent_on is not None)

    @property
    def missing(self) -> int:
        return sum(1 for line in self.lines if line.sent_on is None and line.state == "missing")

    def figures(self) -> dict[str, int | None]:
        """The figures kept with the draft (the next month's report computes its change from them)."""
        return {"enrolled": self.enrolled, "change": self.change, "dropouts": self.dropouts,
                "returned": self.returned, "cases_open": self.cases_open, "new_cases": self.new_cases,
                "inspections": self.inspections, "orders_issued": self.orders_issued,
                "orders_open": self.orders_open, "sent": self.sent, "missing": self.missing}


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of a YYYY-MM month (ValueError if malformed)."""
    year, mon = (int(x) for x in month.split("-"))
    first = dt.date(year, mon, 1)
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def previous_month(day: dt.date) -> str:
    """The month before the one of `day` (the month whose reports are due at the start of the next)."""
    return f"{(day.replace(day=1) - dt.timedelta(days=1)):%Y-%m}"


@dataclass(frozen=True)
class DocumentLink:
    """A document the reports page offers: what, which period, when made, its .docx and .pdf addresses."""

    title: str
    period: str
    made_on: dt.date | None
    docx_href: str
    pdf_href: str | None = None


@dataclass(frozen=True)
class CentralRow:
    """One teaching point (教学点) or class of a central school in its monthly notice."""

    kind: str                 # point | class
    name: str
    enrolled: int
    dropouts: int
    cases_open: int
    new_cases: int
    returned: int


@dataclass(frozen=True)
class CentralNotice:
    """A central school's monthly notice (seed 001) over its teaching points and classes."""

    school_id: int
    school_name: str
    township_name: str
    month: str
    term: str
    day: dt.date
    rows: tuple[CentralRow, ...]

    def worst(self) -> tuple[CentralRow, ...]:
        """The rows with dropouts or open cases, most first (named in the notice)."""
        return tuple(sorted((r for r in self.rows if r.dropouts or r.cases_open),
                            key=lambda r: (-r.dropouts, -r.cases_open, r.name)))
