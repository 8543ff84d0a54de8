"""Terms and school years: `Y-1` is the autumn term of school year Y, `Y-2` its spring term."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_TERM = re.compile(r"^(\d{4})-([12])$")


@dataclass(frozen=True)
class TermCode:
    """A parsed term code."""

    year: int
    semester: int

    @property
    def code(self) -> str:
        """The code, e.g. 2024-1."""
        return f"{self.year}-{self.semester}"

    @property
    def start(self) -> dt.date:
        """First day: 1 Sept Y (autumn) or 1 March Y+1 (spring)."""
        return dt.date(self.year, 9, 1) if self.semester == 1 else dt.date(self.year + 1, 3, 1)

    @property
    def end(self) -> dt.date:
        """Last day: end of February Y+1 (autumn) or 31 Aug Y+1 (spring)."""
        if self.semester == 1:
            return dt.date(self.year + 1, 3, 1) - dt.timedelta(days=1)
        return dt.date(self.year + 1, 8, 31)

    def previous(self) -> TermCode:
        """The term before this one."""
        return TermCode(self.year, 1) if self.semester == 2 else TermCode(self.year - 1, 2)


def parse_term(code: str) -> TermCode:
    """Parse `2024-1`; raise ValueError with a readable message otherwise."""
    m = _TERM.match(code.strip())
    if not m:
        raise ValueError(f"term code {code!r} is not of the form YYYY-1 or YYYY-2")
    return TermCode(int(m.group(1)), int(m.group(2)))


def term_for_date(day: dt.date) -> TermCode:
    """The term a date falls in (Sept–Feb autumn, March–Aug spring)."""
    if day.month >= 9:
        return TermCode(day.year, 1)
    if day.month <= 2:
        return TermCode(day.year - 1, 1)
    return TermCode(day.year - 1, 2)


def term_label_zh(code: str) -> str:
    """2024-1 → 2024–2025学年第一学期."""
    t = parse_term(code)
    return f"{t.year}–{t.year + 1}学年第{'一' if t.semester == 1 else '二'}学期"


def term_label_en(code: str) -> str:
    """2024-1 → 2024–2025 autumn term."""
    t = parse_term(code)
    return f"{t.year}–{t.year + 1} {'autumn' if t.semester == 1 else 'spring'} term"


def age_on_reference_day(birth: dt.date, school_year: int) -> int:
    """Full years on 31 August of school year Y (domain.md §3)."""
    ref = dt.date(school_year, 8, 31)
    return ref.year - birth.year - ((ref.month, ref.day) < (birth.month, birth.day))
