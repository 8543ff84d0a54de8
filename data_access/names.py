"""Names of areas for lists that show them beside their counts; where the townships of a list span several counties
(a prefecture's or a province's), each says its county: township names repeat from county to county (东城镇)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.memo import memo
from data_access.models import Area
from data_access.scope import Scope, area_filter
from domain.areas import county_of

COUNTY_SEPARATOR = " · "   # between a county's name and a township's or team's: "勐海县 · 勐海镇"
_LISTED = 100   # up to this many codes are asked for by name; more are read as a range of township codes


def township_names(session: Session, codes: set[str]) -> dict[str, str]:
    """The names of these township codes. Many of them (a province's ~1,400) are read as the townships between the
    lowest and the highest code: lists of 500 codes cost PostgreSQL ~3.5 ms each to plan."""
    if not codes:
        return {}
    if len(codes) <= _LISTED:
        stmt = select(Area.code, Area.name).where(Area.code.in_(sorted(codes)))
        return {code: name for code, name in session.execute(stmt) if code in codes}
    # a range read once per request: a province's progress page names the townships of its cases, then of its orders
    ranges: dict[tuple[str, str], dict[str, str]] = memo(session, "township names by range", dict)
    low, high = min(codes), max(codes)
    names = next((known for (lo, hi), known in ranges.items() if lo <= low and high <= hi), None)
    if names is None:
        names = ranges[(low, high)] = dict(session.execute(select(Area.code, Area.name).where(
            Area.level == "township", Area.code.between(low, high))).all())
    return {code: names[code] for code in codes if code in names}


def county_prefixes(session: Session, county_of: dict[str, str]) -> dict[str, str]:
    """For units keyed as in `county_of` (a unit → its county's code): "county · " to put before each one's name
    when they span several counties (township and team names repeat from county to county); none within one."""
    counties = frozenset(county_of.values())
    if len(counties) <= 1:
        return {}
    # once per request for a set of counties: a province's progress page names its ~112 counties for the cases'
    # townships, the orders' townships and the teams (a list of 112 codes costs PostgreSQL ~5 ms to plan and read)
    known = memo(session, ("county names", counties), lambda: dict(session.execute(
        select(Area.code, Area.name).where(Area.code.in_(sorted(counties)))).all()))
    return {key: f"{known.get(county, '')}{COUNTY_SEPARATOR}" for key, county in county_of.items()}


def township_labels(session: Session, codes: set[str]) -> dict[str, str]:
    """township_names, each with its county where the townships span several counties."""
    names = township_names(session, codes)
    prefixes = county_prefixes(session, {code: county_of(code) for code in names})
    return {code: prefixes.get(code, "") + name for code, name in names.items()}


def scope_counties(session: Session, scope: Scope, township: str | None = None) -> dict[str, str] | None:
    """The names of the scope's counties by code when it holds several (a prefecture's or a province's): then the
    lists of its cases and school-age lines say each township's county, whichever townships a page shows (146 of a
    province's 1,395 township names repeat); None within one county, a picked township or a school."""
    if township is not None or scope.school_id is not None:
        return None
    found = memo(session, ("scope counties", scope.areas, scope.unrestricted), lambda: dict(session.execute(
        select(Area.code, Area.name).where(Area.level == "county", area_filter(scope, Area.code))).all()))
    return found if len(found) > 1 else None


def county_scope(scope: Scope, county: object, counties: dict[str, str] | None) -> Scope | None:
    """The whole picked county as a scope, when it is one of the user's area's `counties` (scope_counties) and the
    area covers it; None otherwise (nothing picked, a county outside the area, a crafted value)."""
    if not counties or not isinstance(county, str) or county not in counties \
            or not (scope.unrestricted or scope.covers_area(county)):
        return None
    return Scope(scope.role, areas=((county, "county"),))


def with_county(township: str, name: str, counties: dict[str, str] | None) -> str:
    """A township's name after its county's (from scope_counties; unchanged without them)."""
    county = counties.get(county_of(township)) if counties else None
    return f"{county}{COUNTY_SEPARATOR}{name}" if county else name
