"""Pre-aggregated roster counts (analytics table), refreshed for what a write touched."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import String, and_, delete, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from data_access.models import Area
from data_access.models import RosterAggregate as Agg
from data_access.models import RosterRecord as R
from data_access.models import School, SchoolMove

_CHUNK = 500
_LOCAL = ("township", "village")


def household_township(code):  # noqa: ANN001, ANN201 - a SQL expression
    """The township part of a 12-digit household code (its first 9 digits and 000), in SQL."""
    return func.substr(code, 1, 9, type_=String).concat(literal("000"))


def attributed_area():  # noqa: ANN201 - (SQL expression of the area, the two Area aliases to outer-join)
    """The area a roster line counts toward (domain.md §3): its household village or township when Baoxue holds
    it, else the household's township when Baoxue holds that, else (no household code, or a household outside
    the areas held: 外县户籍) the township of the school. Outer-join `exact` and `town` as the returned conditions."""
    exact, town = aliased(Area), aliased(Area)
    on_exact = and_(exact.code == R.household_code, exact.level.in_(_LOCAL))
    on_town = and_(town.code == household_township(R.household_code), town.level == "township")
    return func.coalesce(exact.code, town.code, school_township_in_term()), (exact, on_exact), (town, on_town)


def school_township_in_term():  # noqa: ANN201 - a SQL expression
    """The township a roster line's school belonged to in the line's term: a school moved to another township
    from a term on (school_move) counts toward its old township in the terms before the move."""
    earlier = (select(SchoolMove.from_township)
               .where(SchoolMove.school_id == School.id, SchoolMove.from_term > R.term_code)
               .order_by(SchoolMove.from_term).limit(1).correlate(School, R).scalar_subquery())
    return func.coalesce(earlier, School.township_code)


def household_outside(exact, town):  # noqa: ANN001, ANN201 - a SQL condition
    """True for a roster line whose household is outside the areas Baoxue holds (外县户籍), given the outer-joined
    aliases of attributed_area(): a household code that neither it nor its township matches."""
    return and_(R.household_code.is_not(None), exact.code.is_(None), town.code.is_(None))


def _aggregate_select(term_code: str):  # noqa: ANN202 - a Select
    area, (exact, on_exact), (town, on_town) = attributed_area()
    cols = (R.term_code, R.school_id, area, R.grade, R.age, R.status, R.poverty_registered,
            R.disability, R.left_behind, R.migrant)
    return (select(*cols, func.count())
            .join(School, School.id == R.school_id)
            .outerjoin(exact, on_exact).outerjoin(town, on_town)
            .where(R.term_code == term_code)
            .group_by(*cols))


_TARGET_COLS = [Agg.term_code, Agg.school_id, Agg.area_code, Agg.grade, Agg.age, Agg.status,
                Agg.poverty_registered, Agg.disability, Agg.left_behind, Agg.migrant, Agg.students]


def refresh_roster_aggregates(session: Session, term_code: str, school_ids: Iterable[int] | None = None, *,
                              age_lines: bool = True) -> set[str] | None:
    """Recompute the aggregate rows of a term, for the given schools or for all of them, and the school-age lines
    reading them (unless `age_lines` is false: the caller refreshes the townships of the returned codes itself, once
    for several calls). For given schools, return the area codes of the rows deleted and inserted (the leaf codes
    whose counts may have changed, for an incremental unit_counts refresh: unit_counts.refresh_terms); for the whole
    term, None (everything)."""
    from data_access.analytics.age_lines import areas_of_schools, refresh_age_lines
    from domain.areas import township_of
    if school_ids is None:
        session.execute(delete(Agg).where(Agg.term_code == term_code))
        session.execute(insert(Agg).from_select(_TARGET_COLS, _aggregate_select(term_code)))
        refresh_age_lines(session, term_code)  # the school-age lines read these rows (issue 19)
        return None
    ids = sorted(set(school_ids))
    before = areas_of_schools(session, term_code, ids)  # the lines these schools' pupils counted toward
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        session.execute(delete(Agg).where(Agg.term_code == term_code, Agg.school_id.in_(chunk)))
        session.execute(insert(Agg).from_select(
            _TARGET_COLS, _aggregate_select(term_code).where(R.school_id.in_(chunk))))
    codes = before | areas_of_schools(session, term_code, ids)
    if age_lines:
        refresh_age_lines(session, term_code, {township_of(c) for c in codes})
    return codes
