"""四查三比对 with the poverty list (2024 national notice, domain.md §7): the plain views of the comparison — children of
listed households of compulsory school age on no roster of the term, and dropouts from listed households."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class UnrosteredChild:
    """A listed child aged 6–14 whose ID number is on no roster of the term (names and ID masked as the role needs)."""

    name: str
    id_number: str
    gender: str
    birth_date: dt.date
    age: int
    head_name: str
    household_status: str
    township: str
    village: str
    last_term: str           # the latest earlier term the child was on a roster ("" never)
    last_status: str


@dataclass(frozen=True)
class ListedDropout:
    """A dropout case of a child whose ID number is on the term's list."""

    case_id: int
    name: str
    student_no: str
    school: str
    township: str
    ledger: str
    status: str
    found_date: dt.date
    household_status: str


@dataclass(frozen=True)
class PovertyComparison:
    """The comparison for one term and area: how many are listed, the unrostered children, the listed dropouts."""

    term_code: str
    listed: int                  # members on the list in the area
    school_age: int              # of them aged 6–14
    roster_loaded: bool          # the term has a roster at all (else every child looks unrostered)
    unrostered: tuple[UnrosteredChild, ...]   # the first MAX_LISTED of them
    dropouts: tuple[ListedDropout, ...]       # the latest found MAX_LISTED of them
    unrostered_total: int = 0                 # how many there are in all
    dropouts_total: int = 0
