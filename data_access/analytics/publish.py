"""Publish and lock a period (issue 18.3): an area's results for a term frozen as published.

`publish_period` copies the term's counted units inside the area (every level: the area itself, townships,
villages, schools), the tier extras of that day and the policy in force. From then on `load_report` reads that
term from the copy, so the period's figures, tiers, ranking and bulletin do not change after a later import;
the live figures that differ are reported as changes after publication. Withdrawing a publication is an
admin's recorded act (who, when, why); the rows stay, so what was published can always be shown again.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access import audit
from data_access.memo import memo
from data_access.inbox.duties import missed_extras
from data_access.inspection.findings import false_data_extras
from data_access.models import Area, PeriodPublication, PublishedUnitCounts, School, Term, UnitCounts, User
from data_access.rectification.stats import merge_extras, overdue_extras
from domain.areas import ancestors, code_range
from domain.dashboard.indicators import Counts
from domain.dashboard.publication import policy_to_json
from domain.dashboard.report import Policy, PublicationNote, UnitExtras
from domain.localtime import LOCAL_TZ, local_today

COUNT_FIELDS = tuple(f.name for f in fields(Counts) if f.name != "has_roster")   # what a report reads
_KEYS = {"term_code", "level", "unit_code", "township_code"}
STORED_FIELDS = tuple(c.key for c in UnitCounts.__table__.columns if c.key not in _KEYS)  # all that was counted


class PublishRefused(ValueError):
    """A publish or withdraw that cannot be done; `code` names why (wording.dashboard turns it into words)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def publication_for(session: Session, area_code: str, term: str) -> PeriodPublication | None:
    """The publication in force for a report under `area_code` in `term`: one of the area itself or of the
    nearest area above it (a county's publication covers its townships' and schools' reports)."""
    if not area_code:
        return None
    rows = [p for p in memo(session, ("publications", area_code), lambda: session.scalars(select(PeriodPublication)
            .where(PeriodPublication.withdrawn_at.is_(None), PeriodPublication.area_code.in_(ancestors(area_code))))
            .all()) if p.term_code == term]
    # read once per request for every term (load_report, the Overview and the trend ask per term, again and again);
    # the memo is dropped when the session writes, so publishing or withdrawing reads afresh
    return max(rows, key=lambda p: (len(p.area_code.rstrip("0")), p.id)) if rows else None


def _unit_rows(session: Session, area_code: str, level: str, term: str) -> list[UnitCounts]:
    lo, hi = code_range(area_code, level)
    return list(session.scalars(select(UnitCounts).where(
        UnitCounts.term_code == term,
        ((UnitCounts.level == "school") & UnitCounts.township_code.between(lo, hi))
        | ((UnitCounts.level != "school") & UnitCounts.unit_code.between(lo, hi)))))


def publish_period(session: Session, area_code: str, term: str, user_id: int | None,
                   policy: Policy | None, today: dt.date | None = None) -> PeriodPublication:
    """Freeze the area's results of `term` as published (refused if already published or without data)."""
    level = session.scalar(select(Area.level).where(Area.code == area_code))
    if level is None:
        raise PublishRefused("unknown_area")
    if session.get(Term, term) is None:
        raise PublishRefused("unknown_term")
    if session.scalar(select(PeriodPublication.id).where(
            PeriodPublication.area_code == area_code, PeriodPublication.term_code == term,
            PeriodPublication.withdrawn_at.is_(None))) is not None:
        raise PublishRefused("already_published")
    rows = _unit_rows(session, area_code, level, term)
    if not any(r.enrolled for r in rows):
        raise PublishRefused("no_data")
    day = today or local_today()
    by_level: dict[str, set[str]] = {}
    for r in rows:
        by_level.setdefault(r.level, set()).add(r.unit_code)
    extras: dict[tuple[str, str], UnitExtras] = {}
    for lvl, codes in by_level.items():
        for (_, code), e in merge_extras(false_data_extras(session, [term], lvl, codes),
                                         overdue_extras(session, [term], lvl, codes, day),
                                         missed_extras(session, [term], lvl, codes, day)).items():
            extras[(lvl, code)] = e
    pub = PeriodPublication(area_code=area_code, term_code=term, published_by=user_id,
                            published_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
                            policy_json=policy_to_json(policy))
    session.add(pub)
    session.flush()
    session.add_all(PublishedUnitCounts(
        publication_id=pub.id, level=r.level, unit_code=r.unit_code,
        counts_json=json.dumps({name: getattr(r, name) for name in STORED_FIELDS}, sort_keys=True),
        overdue_rectifications=extras.get((r.level, r.unit_code), UnitExtras()).overdue_rectifications,
        false_data_findings=extras.get((r.level, r.unit_code), UnitExtras()).false_data_findings,
        missed_reports=extras.get((r.level, r.unit_code), UnitExtras()).missed_reports) for r in rows)
    audit.record(session, "publish", "period", f"{area_code}/{term}", area=area_code,
                 after={"publication": pub.id, "units": len(rows), "policy": policy.name if policy else None})
    return pub


def withdraw_publication(session: Session, area_code: str, term: str, user_id: int | None, reason: str
                         ) -> PeriodPublication:
    """Withdraw the area's publication of `term` (an admin's act, with a reason); the copy is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise PublishRefused("reason_required")
    pub = session.scalar(select(PeriodPublication).where(
        PeriodPublication.area_code == area_code, PeriodPublication.term_code == term,
        PeriodPublication.withdrawn_at.is_(None)))
    if pub is None:
        raise PublishRefused("not_published")
    pub.withdrawn_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    pub.withdrawn_by = user_id
    pub.withdraw_reason = reason[:500]
    audit.record(session, "unpublish", "period", f"{area_code}/{term}", area=area_code,
                 before={"publication": pub.id}, after={"reason": pub.withdraw_reason})
    return pub


def frozen_units(session: Session, pub: PeriodPublication, level: str, codes: Iterable[str] | None
                 ) -> dict[str, tuple[Counts, UnitExtras]]:
    """The published counts and extras of a level's units (restricted to `codes` when given)."""
    stmt = select(PublishedUnitCounts).where(PublishedUnitCounts.publication_id == pub.id,
                                             PublishedUnitCounts.level == level)
    wanted = None if codes is None else set(codes)
    out: dict[str, tuple[Counts, UnitExtras]] = {}
    for row in session.scalars(stmt):
        if wanted is not None and row.unit_code not in wanted:
            continue
        stored = json.loads(row.counts_json)
        out[row.unit_code] = (Counts(**{name: stored.get(name) for name in COUNT_FIELDS}),
                              UnitExtras(row.overdue_rectifications, row.false_data_findings, row.missed_reports))
    return out


def published_counts(session: Session, code: str, level: str, term: str) -> dict[str, dict[str, int | None]]:
    """The published unit_counts columns of the units of `level` in and under an area or school code (empty when
    the term is not published there): how the Overview and the trends show a published term."""
    area = code if len(code) == 12 else session.scalar(select(School.township_code).where(School.code == code))
    pub = publication_for(session, area or "", term)
    if pub is None:
        return {}
    rows = session.scalars(select(PublishedUnitCounts).where(PublishedUnitCounts.publication_id == pub.id,
                                                             PublishedUnitCounts.level == level))
    return {row.unit_code: json.loads(row.counts_json) for row in rows}


def changed_since(session: Session, pub: PeriodPublication, level: str,
                  frozen: Mapping[str, tuple[Counts, UnitExtras]]) -> tuple[str, ...]:
    """Units whose live counts differ from what was published (added, removed or changed), sorted."""
    live_rows = session.scalars(select(UnitCounts).where(
        UnitCounts.term_code == pub.term_code, UnitCounts.level == level,
        UnitCounts.unit_code.in_(list(frozen)))).all()
    live = {r.unit_code: {n: getattr(r, n) for n in COUNT_FIELDS} for r in live_rows}
    changed = {code for code, (counts, _) in frozen.items()
               if live.get(code) != {n: getattr(counts, n) for n in COUNT_FIELDS}}
    return tuple(sorted(changed))


def note(session: Session, pub: PeriodPublication, changed: tuple[str, ...]) -> PublicationNote:
    """What a report says of the publication it was read from."""
    who = session.get(User, pub.published_by) if pub.published_by else None
    at = pub.published_at.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TZ).replace(tzinfo=None)
    return PublicationNote(pub.id, pub.area_code, at, (who.display_name or who.username) if who else "", changed)


def publications(session: Session, area_codes: Iterable[str] | None = None) -> list[PeriodPublication]:
    """Publications (in force and withdrawn), newest first; only of the given areas when given."""
    stmt = select(PeriodPublication).order_by(PeriodPublication.published_at.desc(), PeriodPublication.id.desc())
    if area_codes is not None:
        stmt = stmt.where(PeriodPublication.area_code.in_(list(area_codes)))
    return list(session.scalars(stmt))
