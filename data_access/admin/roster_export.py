"""The roster export (issue 15.7): one school's roster of a term with exactly the columns the roster import takes
(contract.md "roster", headers by their Chinese names), so a registrar can correct it and import it again.
It holds ID numbers and guardian phones, so only the roles that may reveal them (domain.privacy) may take it,
each for the schools of their scope; the route audit-logs every export."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.imports.roster_columns import CONTRACT_COLUMNS as ROSTER_COLUMNS
from data_access.models import RosterRecord, School, Student, Term
from data_access.scope import Scope, scoped
from domain.privacy import may_reveal

HEADERS: tuple[str, ...] = tuple(c.zh for c in ROSTER_COLUMNS)
TEXT_COLUMNS = frozenset(i for i, c in enumerate(ROSTER_COLUMNS)
                         if c.key in ("student_id", "id_number", "school_code", "household_code", "guardian_phone",
                                      "birth_date", "class"))


class RosterExportRefused(PermissionError):
    """The role may not take personal data out, or the school is outside the user's scope or unknown."""


def _yes(value: bool | None) -> str:
    """是 / 否 as the import reads them."""
    return "是" if value else "否"


def export_school(session: Session, role: str, scope: Scope, school_id: int) -> School:
    """The school, if this role and scope may export its roster (RosterExportRefused otherwise)."""
    if not may_reveal(role):
        raise RosterExportRefused(role)
    school = session.scalar(scoped(select(School).where(School.id == school_id), scope, school_col=School.id,
                                   school_area_col=School.township_code))
    if school is None:
        raise RosterExportRefused(school_id)
    return school


def roster_rows(session: Session, role: str, scope: Scope, school_id: int, term: str
                ) -> tuple[School, list[tuple[Any, ...]]]:
    """The school and its term's roster lines in import column order (grade, class, student number)."""
    school = export_school(session, role, scope, school_id)
    if session.get(Term, term) is None:
        raise RosterExportRefused(term)
    R, S = RosterRecord, Student
    query = (select(S.student_no, S.name, S.gender, S.birth_date, S.id_number, R.grade, R.class_name, R.status,
                    R.household_code, R.guardian_name, R.guardian_phone, R.poverty_registered, R.disability,
                    R.left_behind, R.migrant, R.left_behind_kind)
             .join(S, S.id == R.student_id).where(R.term_code == term, R.school_id == school.id)
             .order_by(R.grade, R.class_name, S.student_no))
    rows = []
    for (no, name, gender, birth, id_no, grade, klass, status, household, guardian, phone, poverty, disability,
         left, migrant, kind) in session.execute(query):
        left_text = f"{kind}留守儿童" if left and kind else _yes(left)   # the import reads the registry's kinds
        rows.append((no, name, gender, birth.isoformat(), id_no, school.code, grade, klass, status, household,
                     guardian, phone, _yes(poverty), disability, left_text, _yes(migrant)))
    return school, rows
