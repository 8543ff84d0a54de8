"""Cases and roster must agree (人账相符, domain.md §7): the comparisons of 四查三比对 that the data allows.

Pure rules. Per student: the roster line of the compared term and every dropout case of the student.
Per village (or township) and age: the population survey against the children found on the roster.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.areas import township_of

ENROLLED = frozenset({"在读", "休学", "送教上门"})
IN_SCHOOL = "在读"
DROPPED = "辍学"
# Kinds, in the order the agreement page lists them.
KINDS = ("confirmed_enrolled", "dropout_no_case", "returned_still_dropout", "gone_still_enrolled",
         "graduate_lost", "population_gap", "poverty_unflagged")
GRADUATE_LOST = "graduate_lost"  # 小升初: a spring grade-6 graduate on no roster of the autumn term, without a case
BACK_IN_SCHOOL = frozenset({"returned", "home_teaching", "not_dropout"})  # outcomes meaning "not a dropout now"
LEFT = frozenset({"deceased", "transferred"})  # outcomes meaning "no longer on this roster as 在读"
POVERTY = "poverty_registered"
AGES = range(6, 15)


@dataclass(frozen=True)
class CaseFact:
    """What the comparison needs of a case."""

    case_id: int
    student_id: int
    ledger: str        # suspected | confirmed
    status: str        # open | outcome | closed
    outcome: str | None
    special_groups: frozenset[str]
    found_date: dt.date
    closed_on: dt.date | None = None


@dataclass(frozen=True)
class RosterFact:
    """A student's roster line in the compared term."""

    student_id: int
    status: str
    poverty_registered: bool = False


@dataclass(frozen=True)
class Disagreement:
    """One disagreement between a case and the roster (population gaps are counted apart)."""

    kind: str
    student_id: int
    case_id: int | None
    poor: bool       # the student's family is on the poor-family list (roster or case)
    confirmed: bool  # a confirmed dropout (confirmed ledger, or 辍学 on the roster)


def _relevant(cases: Iterable[CaseFact], term_end: dt.date) -> list[CaseFact]:
    """Cases that existed by the end of the compared term (a later case says nothing about that roster)."""
    return [c for c in cases if c.found_date <= term_end
            and (c.status != "closed" or c.closed_on is None or c.closed_on <= term_end)]


def student_disagreements(roster: RosterFact | None, cases: Sequence[CaseFact],
                          term_end: dt.date) -> list[Disagreement]:
    """Every disagreement of one student between the term's roster line and their cases."""
    if roster is None:
        return []
    any_case = bool(cases)  # for 辍学 without a case, a case opened later still covers the child
    cases = _relevant(cases, term_end)
    poor_roster = roster.poverty_registered
    active = [c for c in cases if c.status != "closed"]
    out: list[Disagreement] = []
    for c in active:
        poor = poor_roster or POVERTY in c.special_groups
        returning = c.status == "outcome" and c.outcome in BACK_IN_SCHOOL
        if c.ledger == "confirmed" and roster.status == IN_SCHOOL and not returning:
            out.append(Disagreement("confirmed_enrolled", roster.student_id, c.case_id, poor, True))
        if poor_roster and POVERTY not in c.special_groups:
            out.append(Disagreement("poverty_unflagged", roster.student_id, c.case_id, True,
                                    c.ledger == "confirmed"))
    if active:
        return out
    closed = sorted((c for c in cases if c.status == "closed"),
                    key=lambda c: (c.closed_on or dt.date.min, c.case_id))
    if not closed:
        if roster.status == DROPPED and not any_case:
            out.append(Disagreement("dropout_no_case", roster.student_id, None, poor_roster, True))
        return out
    last = closed[-1]
    poor = poor_roster or POVERTY in last.special_groups
    if last.outcome in BACK_IN_SCHOOL and roster.status == DROPPED:
        out.append(Disagreement("returned_still_dropout", roster.student_id, last.case_id, poor, True))
    elif last.outcome in LEFT and roster.status == IN_SCHOOL:
        out.append(Disagreement("gone_still_enrolled", roster.student_id, last.case_id, poor,
                                last.ledger == "confirmed"))
    return out


def compare(roster: Mapping[int, RosterFact], cases: Iterable[CaseFact], term_end: dt.date) -> list[Disagreement]:
    """Every case/roster disagreement of the given students, in listing order (see `listing_key`)."""
    by_student: dict[int, list[CaseFact]] = {}
    for c in cases:
        by_student.setdefault(c.student_id, []).append(c)
    found: list[Disagreement] = []
    for student_id in set(roster) | set(by_student):
        found.extend(student_disagreements(roster.get(student_id), by_student.get(student_id, []), term_end))
    return sorted(found, key=listing_key)


def listing_key(d: Disagreement) -> tuple:
    """Kind order; within a kind, confirmed dropouts from poor families first, then poor, then the rest."""
    return (KINDS.index(d.kind), not (d.poor and d.confirmed), not d.poor, d.case_id or 0, d.student_id)


@dataclass(frozen=True)
class PopulationCount:
    """One row of the population survey: an area (village or township), a single age."""

    area_code: str
    age: int
    population: int
    outside: int = 0  # verified attending school outside the county


@dataclass(frozen=True)
class RosterCount:
    """Roster students attributed to an area (household code, else the school's township) at one age."""

    area_code: str
    age: int
    enrolled: int  # 在读, 休学, 送教上门
    dropped: int   # 辍学


@dataclass(frozen=True)
class AreaAgeRow:
    """The school-age ledger's line for an area and age: survey against roster, and the gap.

    `gap` = population − outside attendance − found on the roster (enrolled + dropped out); a positive gap
    is children of the survey not on any roster of the county (never enrolled, or left unrecorded).
    `population` is None for roster children whose area has no survey line.
    """

    area_code: str
    age: int
    population: int | None
    outside: int
    enrolled: int
    dropped: int
    unplaced: int = 0  # of `found`: pupils counted toward the township who could not be placed in a village

    @property
    def found(self) -> int:
        """Children of the area and age found on the roster (enrolled or dropped out)."""
        return self.enrolled + self.dropped

    @property
    def gap(self) -> int | None:
        """Survey children not on any roster (negative: more on the roster than in the survey)."""
        return None if self.population is None else self.population - self.outside - self.found


def school_age_rows(population: Iterable[PopulationCount], roster: Iterable[RosterCount],
                    ages: range = AGES, fold_unplaced: bool = False) -> list[AreaAgeRow]:
    """Join the survey and the roster per area and age.

    A roster count goes to the survey line of its own area, else to the line of its township (surveys are
    per village where villages are known, per township otherwise); counts with no survey line form lines
    of their own with no population. With `fold_unplaced` (the agreement check), a township with pupils in no
    village is compared as a whole, as the rates count it.
    """
    pop = {(p.area_code, p.age): p for p in population if p.age in ages}
    counts: dict[tuple[str, int], list[int]] = {key: [0, 0] for key in pop}
    for r in roster:
        if r.age not in ages:
            continue
        key = (r.area_code, r.age)
        if key not in pop and (township_of(r.area_code), r.age) in pop:
            key = (township_of(r.area_code), r.age)
        slot = counts.setdefault(key, [0, 0])
        slot[0] += r.enrolled
        slot[1] += r.dropped
    rows = []
    for (area, age), (enrolled, dropped) in counts.items():
        p = pop.get((area, age))
        rows.append(AreaAgeRow(area, age, p.population if p else None, p.outside if p else 0, enrolled, dropped))
    return sorted(_fold_unplaced(rows) if fold_unplaced else rows, key=lambda r: (r.area_code, r.age))


def _fold_unplaced(rows: list[AreaAgeRow]) -> list[AreaAgeRow]:
    """Where a township surveyed by village also has pupils counted toward it but in no village (no household code,
    or the township's code only), compare at the township, as the rates do: one line of the township and age with
    its villages' survey, all its pupils, and how many could not be placed in a village."""
    unplaced = {(r.area_code, r.age): r for r in rows
                if r.population is None and township_of(r.area_code) == r.area_code}
    villages: dict[tuple[str, int], list[AreaAgeRow]] = {}  # the township's village lines of that age
    for r in rows:
        key = (township_of(r.area_code), r.age)
        if r.area_code != key[0] and key in unplaced:
            villages.setdefault(key, []).append(r)
    out = [r for r in rows if (r.area_code, r.age) not in villages and (r.area_code, r.age) not in unplaced
           and (township_of(r.area_code), r.age) not in villages]
    for key, loose in unplaced.items():
        members = villages.get(key)
        if not members or all(m.population is None for m in members):
            out.append(loose)
            continue
        out.append(AreaAgeRow(key[0], key[1], sum(m.population or 0 for m in members), sum(m.outside for m in members),
                              loose.enrolled + sum(m.enrolled for m in members),
                              loose.dropped + sum(m.dropped for m in members), loose.found))
    return out


def population_gaps(rows: Iterable[AreaAgeRow]) -> list[AreaAgeRow]:
    """The lines where the survey has children not found on any roster (gap > 0), largest gap first."""
    return sorted((r for r in rows if r.gap is not None and r.gap > 0), key=lambda r: (-r.gap, r.area_code, r.age))
