"""The roster import's checks of parsed rows against the term, the stored schools and areas and the user's scope,
a chunk of rows at a time, column by column (each repeated value — a school code, a birth date — is looked up
once); it returns the tuples to stage."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.imports.readers import ProblemLog
from domain.imports.results import ImportProblem
from data_access.models import Area, School
from data_access.scope import Scope
from domain.imports.parsing import id_mismatch
from domain.imports.registry import LEFT_BEHIND_KINDS, RESIDENT_ID, IdRefusal, pick_guardian
from domain.terms import TermCode, age_on_reference_day

_ODD = frozenset("13579")
_NO_SCHOOL = (None, None)


@dataclass
class Refs:
    """What rows are checked against: schools by code (id, township, name) and township/village codes."""

    schools: dict[str, tuple[int, str, str]]
    areas: dict[str, str]


def load_refs(session: Session) -> Refs:
    """The stored schools and township/village codes."""
    schools = {code: (sid, town, name) for code, sid, town, name in
               session.execute(select(School.code, School.id, School.township_code, School.name))}
    areas = dict(session.execute(select(Area.code, Area.level).where(Area.level.in_(("township", "village")))).all())
    return Refs(schools, areas)


def school_refusal(scope: Scope | None, school_id: int, township: str) -> str | None:
    """Why this user may not import this school's roster (None when they may)."""
    if scope is None or scope.unrestricted:
        return None
    if scope.school_id is not None:
        return None if school_id == scope.school_id else "you may import only the roster of your own school"
    return None if scope.covers_area(township) else "this school is outside your area"


def id_key(number: str) -> int:
    """A resident ID number as one integer (17 digits, then the check character, X as 10): equal numbers, equal keys;
    sorting a million of them to find duplicates is much faster than sorting the text."""
    last = number[17]
    return int(number[:17]) * 11 + (10 if last == "X" else int(last))


class RosterChecker:
    """Checks chunks of parsed roster rows (columns in ROSTER_COLUMNS order) and returns the rows to stage:
    (row, student_no, name, gender, birth date as ISO text, id_number, school_id, grade, class_name, status,
    household_code, guardian_name, guardian_phone, poverty_registered, disability, left_behind, migrant, age,
    id_key, left_behind_kind, boarding, mainstreamed, orphan, guardian_relation).

    A registry export's rows are mapped here: an ID number is checked as a resident ID only where the row's
    身份证件类型 is 居民身份证 (or the file gives none); 是否留守儿童 gives left_behind and its kind (单亲 / 双亲); the
    guardian is the family member marked 是否监护人 (else 成员1), unless the file has 监护人姓名 itself."""

    def __init__(self, headers: dict[str, str], refs: Refs, term: TermCode, scope: Scope | None,
                 problems: ProblemLog, found: Collection[str] = ()) -> None:
        self.h, self.refs, self.term, self.scope, self.problems = headers, refs, term, scope, problems
        self.members = any(k.startswith("member") for k in found)
        self.own_guardian = "guardian_name" in found            # 监护人姓名 itself: the members only add a relation
        self.typed_ids = "id_type" in found
        self.reference_day = dt.date(term.year, 8, 31)     # ages are full years on this day (domain.md §3)
        self.schools: dict[str, tuple[int | None, str | None]] = {}   # code -> (id or None, reason)
        self.births: dict[dt.date, tuple[int, str, str]] = {}   # birth date -> (age, ISO text, YYYYMMDD)
        self.school_ids: set[int] = set()

    def _school(self, code: str) -> tuple[int | None, str | None]:
        ref = self.refs.schools.get(code)
        if ref is None:
            found: tuple[int | None, str | None] = (None, "no school with this code is imported")
        else:
            found = (ref[0], school_refusal(self.scope, ref[0], ref[1]))
            if found[1] is None:
                self.school_ids.add(ref[0])
        self.schools[code] = found
        return found

    def _birth(self, birth: dt.date) -> tuple[int, str, str]:
        iso = birth.isoformat()
        known = self.births[birth] = (age_on_reference_day(birth, self.term.year), iso, iso.replace("-", ""))
        return known

    def __call__(self, numbers: list[int], columns: list[list[Any]]) -> list[tuple[Any, ...]]:
        """Check a chunk of rows given column-wise; report its problems; return the rows to stage."""
        (student_no, name, gender, birth, id_number, school_code, grade, class_name, status, household,
         guardian, phone, poverty, disability, kinds, migrant, id_type, boarding, mainstreamed, orphan,
         *members) = columns
        problems, h = self.problems, self.h
        if self.typed_ids:
            id_number = self._resident_ids(numbers, id_number, id_type)
        left_behind = [None if k is None else k != "否" for k in kinds]
        left_kind = [k if k in LEFT_BEHIND_KINDS else None for k in kinds]
        relation: list[str | None] = [None] * len(numbers)
        if self.members:
            guardian, phone, relation = self._guardians(guardian, phone, members)
        school_ids = self._schools(numbers, school_code)
        known = [None if b is None else (self.births.get(b) or self._birth(b)) for b in birth]
        late = self.reference_day
        for i, b in enumerate(birth):
            if b is not None and b > late:
                problems.append(ImportProblem(numbers[i], h["birth_date"], b.isoformat(),
                                              f"born after {late}, the day ages of this term are counted on"))
        for i, number in enumerate(id_number):
            if number is None or id_type[i] not in (None, RESIDENT_ID):     # another document: not checked
                continue
            k, g = known[i], gender[i]
            if (k is None or number[6:14] == k[2]) and (g is None or (number[16] in _ODD) == (g == "男")):
                continue
            reason = id_mismatch(number, birth[i], g, h["birth_date"], h["gender"])
            if reason:
                problems.append(ImportProblem(numbers[i], h["id_number"], number[:4] + "…", reason))
        ages = [None if k is None else k[0] for k in known]
        isos = [None if k is None else k[1] for k in known]
        keys = [None if n is None else id_key(n) for n in id_number]
        return list(zip(numbers, student_no, name, gender, isos, id_number, school_ids, grade, class_name, status,
                        household, guardian, phone, poverty, disability, left_behind, migrant, ages, keys,
                        left_kind, boarding, mainstreamed, orphan, relation))

    def _resident_ids(self, numbers: list[int], id_number: list[Any], id_type: list[str | None]) -> list[str | None]:
        """The resident ID numbers of a chunk whose file gives 身份证件类型: an invalid number is a problem only on a
        row of a 居民身份证 (or without a type); another document's number is kept only if it is a resident ID."""
        out: list[str | None] = []
        for i, number in enumerate(id_number):
            if isinstance(number, IdRefusal):
                if id_type[i] in (None, RESIDENT_ID):
                    self.problems.append(ImportProblem(numbers[i], self.h["id_number"], number.shown, number.reason))
                number = None
            out.append(number)
        return out

    def _guardians(self, guardian: list[Any], phone: list[Any], members: list[list[Any]]
                   ) -> tuple[list[Any], list[Any], list[str | None]]:
        """Guardian name, phone and relation per row from the family members (成员1…, 成员2…: name, relation,
        phone, is-guardian): the member marked as guardian, else the first named; a 监护人姓名 column of the file
        wins, and a phone column fills in where the member has none."""
        groups = [members[j:j + 4] for j in range(0, len(members), 4)]
        names, phones, relations = [], [], []
        for i in range(len(guardian)):
            picked = pick_guardian([(g[0][i], g[1][i], g[2][i], g[3][i]) for g in groups])
            if self.own_guardian:
                name = guardian[i]
                rel = next((g[1][i] for g in groups if name and g[0][i] == name), None)
                tel = phone[i] or next((g[2][i] for g in groups if name and g[0][i] == name), None)
            else:
                name, rel, tel = picked.name, picked.relation, picked.phone or phone[i]
            names.append(name)
            phones.append(tel)
            relations.append(rel)
        return names, phones, relations

    def _schools(self, numbers: list[int], codes: list[str | None]) -> list[int | None]:
        """The school id of each row (None when unknown or refused, with the problem reported)."""
        schools, header = self.schools, self.h["school_code"]
        ids: list[int | None] = []
        append = ids.append
        for i, code in enumerate(codes):
            sid, reason = _NO_SCHOOL if code is None else (schools.get(code) or self._school(code))
            if reason:
                self.problems.append(ImportProblem(numbers[i], header, code, reason))
                sid = None
            append(sid)
        return ids
