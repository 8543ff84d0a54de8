"""The roster import's scope rule for a scoped importer (a school, a township, an admin of one area): a file may
create and change only records inside the importer's scope. A student on another school's roster for the term,
or a student whose identity another school recorded, is refused by row and column, without naming the school;
moving a child between schools is a county (or unrestricted admin) import."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from data_access.imports.readers import ImportProblem
from data_access.imports.roster_check import Refs, school_refusal
from data_access.imports.stage import Stage
from data_access.models import RosterRecord, Student
from data_access.scope import Scope

ON_ANOTHER_ROSTER = "on the roster of another school: ask the county to transfer"
RECORDED_ELSEWHERE = "differs from what another school recorded for this student: ask the county to correct it"
_S = Student.__table__
_R = RosterRecord.__table__


def _allowed(scope: Scope, refs: Refs) -> Callable[[int], bool]:
    """Whether a school id lies inside the scope (schools unknown to refs do not)."""
    townships = {sid: town for sid, town, _name in refs.schools.values()}
    cache: dict[int, bool] = {}

    def allowed(school_id: int) -> bool:
        if school_id not in cache:
            town = townships.get(school_id)
            cache[school_id] = town is not None and school_refusal(scope, school_id, town) is None
        return cache[school_id]
    return allowed


def scope_problems(session: Session, stage: Stage, term: str, scope: Scope | None, refs: Refs,
                   headers: dict[str, str], identity: Sequence[str]) -> list[ImportProblem]:
    """The staged rows a scoped importer may not write: students on another school's roster this term, and
    identity changes of students another school holds records of (any term). Empty for unrestricted users."""
    if scope is None or scope.unrestricted:
        return []
    allowed = _allowed(scope, refs)
    st = stage.c
    problems: list[ImportProblem] = []
    refused: set[int] = set()
    this_term = (select(st.row, st.student_no, _R.c.school_id)
                 .join(_S, _S.c.student_no == st.student_no)
                 .join(_R, (_R.c.student_id == _S.c.id) & (_R.c.term_code == term))
                 .where(st.school_id.is_not(None)).order_by(st.row))    # a row refused for its school already is
    for row, number, school_id in session.execute(this_term):
        if not allowed(school_id):
            refused.add(row)
            problems.append(ImportProblem(row, headers["student_id"], number, ON_ANOTHER_ROSTER))
    fields = [f for f in identity if f in st]
    if not fields:
        return problems
    differs = or_(*(_S.c[f].is_distinct_from(st[f]) for f in fields))
    elsewhere = (select(st.row, _R.c.school_id, *(_S.c[f].is_distinct_from(st[f]).label(f) for f in fields))
                 .join(_S, _S.c.student_no == st.student_no).join(_R, _R.c.student_id == _S.c.id)
                 .where(differs, st.school_id.is_not(None)).distinct().order_by(st.row))
    for row, school_id, *changed in session.execute(elsewhere):
        if row in refused or allowed(school_id):
            continue
        refused.add(row)
        for field, flag in zip(fields, changed):
            if flag:
                problems.append(ImportProblem(row, headers[field], "", RECORDED_ELSEWHERE))
    return problems
