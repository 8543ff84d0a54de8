"""Student search (issue 15.6): what a typed query means, and the plain views of the results.

A query is one of: a whole national student number (学籍号: G or L + 18 characters, or 19 digits), a whole resident ID
number (18 characters, checksum valid), or a name. Numbers are matched whole, never by a part: a part of a masked number
must not find (and so enumerate) the children whose numbers begin with it. A name is matched whole too; a birth date
or a school tells apart children of the same name."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from stdnum.cn import ric

_STUDENT_NO = re.compile(r"^(?:[GL]\d{17}[\dX]|\d{19})$")
_ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
_NAME = re.compile(r"^[^\d<>\"'%;()&+]{1,50}$")
MAX_HITS = 50


def _valid_id(number: str) -> bool:
    """A resident ID number's check digit and birth date (the region is not checked, as on import)."""
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return ric.calc_check_digit(number) == number[17]


class QueryInvalid(ValueError):
    """A query that cannot be searched; the message is an English key the page translates."""


@dataclass(frozen=True)
class StudentQuery:
    """A parsed query: its kind (student_no, id_number or name), the value, and the optional narrowing."""

    kind: str
    value: str
    birth_date: dt.date | None = None
    school_id: int | None = None


def parse_query(text: object, birth_date: object = None, school_id: object = None) -> StudentQuery:
    """The query a user typed (QueryInvalid with a message key when it cannot be searched)."""
    if not isinstance(text, str) or not text.strip():
        raise QueryInvalid("empty")
    value = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    born: dt.date | None = None
    if birth_date not in (None, ""):
        try:
            born = dt.date.fromisoformat(str(birth_date)[:10])
        except ValueError:
            raise QueryInvalid("bad birth date") from None
    school: int | None = None
    if school_id not in (None, ""):
        if not isinstance(school_id, int) or isinstance(school_id, bool):
            raise QueryInvalid("bad school")
        school = school_id
    upper = value.upper()
    if _STUDENT_NO.match(upper):
        return StudentQuery("student_no", upper, born, school)
    if _ID_NUMBER.match(upper):
        if not _valid_id(upper):
            raise QueryInvalid("bad id number")
        return StudentQuery("id_number", upper, born, school)
    if any(ch.isdigit() for ch in value):
        raise QueryInvalid("partial number")
    if not _NAME.match(value):
        raise QueryInvalid("bad name")
    return StudentQuery("name", value, born, school)


@dataclass(frozen=True)
class StudentHit:
    """One child found: identity as the role may see it, and the latest roster line in the user's scope."""

    student_id: int
    name: str
    student_no: str
    gender: str
    birth_date: dt.date
    term_code: str
    school: str
    grade: int
    status: str


@dataclass(frozen=True)
class RosterHistoryLine:
    """The child's roster line of one term; `school` is empty when the school is outside the user's scope."""

    term_code: str
    school: str
    township: str
    grade: int
    class_name: str
    status: str
    poverty_registered: bool
    in_scope: bool


@dataclass(frozen=True)
class CaseLine:
    """A dropout case of the child that the user may see."""

    case_id: int
    ledger: str
    status: str
    step: int
    found_date: dt.date
    reason: str
    township: str


@dataclass(frozen=True)
class FindingLine:
    """An inspection finding naming the child that the user may see."""

    finding_id: int
    visit_id: int
    kind: str
    severity: str
    subject: str
    created: dt.date


@dataclass(frozen=True)
class StudentDetail:
    """A found child with their roster history (newest term first), cases and findings."""

    hit: StudentHit
    id_number: str                 # masked
    may_reveal: bool
    history: tuple[RosterHistoryLine, ...]
    cases: tuple[CaseLine, ...]
    findings: tuple[FindingLine, ...]
