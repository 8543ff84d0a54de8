"""Pre-aggregated roster counts (analytics table), refreshed for what a write touched."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from data_access.models import RosterAggregate as Agg
from data_access.models import RosterRecord as R
from data_access.models import School

_CHUNK = 500


def _aggregate_select(term_code: str):  # noqa: ANN202 - a Select
    area = func.coalesce(R.household_code, School.township_code)
    cols = (R.term_code, R.school_id, area, R.grade, R.age, R.status, R.poverty_registered,
            R.disability, R.left_behind, R.migrant)
    return (select(*cols, func.count())
            .join(School, School.id == R.school_id)
            .where(R.term_code == term_code)
            .group_by(*cols))


_TARGET_COLS = [Agg.term_code, Agg.school_id, Agg.area_code, Agg.grade, Agg.age, Agg.status,
                Agg.poverty_registered, Agg.disability, Agg.left_behind, Agg.migrant, Agg.students]


def refresh_roster_aggregates(session: Session, term_code: str,
                              school_ids: Iterable[int] | None = None) -> None:
    """Recompute the aggregate rows of a term, for the given schools or for all of them."""
    if school_ids is None:
        session.execute(delete(Agg).where(Agg.term_code == term_code))
        session.execute(insert(Agg).from_select(_TARGET_COLS, _aggregate_select(term_code)))
        return
    ids = sorted(set(school_ids))
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        session.execute(delete(Agg).where(Agg.term_code == term_code, Agg.school_id.in_(chunk)))
        session.execute(insert(Agg).from_select(
            _TARGET_COLS, _aggregate_select(term_code).where(R.school_id.in_(chunk))))
