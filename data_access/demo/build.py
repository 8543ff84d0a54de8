"""Generated demo data: one county modelled on seed 000 (勐海县), or a whole province."""
from __future__ import annotations

import datetime as dt

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.security import generate_password_hash

from data_access import audit

from data_access.demo import names as demo_names
from data_access.analytics.aggregates import refresh_roster_aggregates
from data_access.analytics.unit_counts import refresh_terms
from data_access.demo.warning import seed_absences, seed_scores
from data_access.cases.cases import open_cases_from_roster
from data_access.demo.cases import seed_cases
from data_access.demo.duties import seed_duties
from data_access.demo.inspection import default_template, seed_county_inspections, seed_inspections
from data_access.demo.rectification import seed_rectification
from data_access.demo.layout import TEAM_NAMES, ZONE_NAMES, CountyLayout, CountySpec, plan_county
from data_access.demo.load import (
    analyze, insert_columns, insert_dicts, next_id, sync_sequences, tune_sqlite_for_bulk,
)
from data_access.demo.province import PROVINCE, XISHUANGBANNA, menghai_spec, plan_province
from data_access.demo.stats import history_rows, population_rows
from data_access.demo.students import CountyStudents, simulate_county
from data_access.models import (
    CaseEvent, DISABILITIES, STATUSES, Area, Boundary, DropoutCase, EnrollmentHistory, Population, RosterAggregate, RosterRecord, School,
    Student, Target, TargetPolicy, Team, TeamMember, Term, User, Zone, ZoneTownship,
)
from data_access.partitions import create_term_partitions
from data_access.schema import ensure_presets
from domain.localtime import local_today
from domain.dashboard.geometry import geojson_polygon
from domain.terms import TermCode, parse_term

DEMO_PASSWORD = "baoxue-demo"
COUNTY_TERMS = ("2024-1", "2024-2", "2025-1", "2025-2", "2026-1")
PROVINCE_TERMS = ("2025-2", "2026-1")
PRESET_NAME = "勐海县 2019"
DEMO_TOWNSHIP = "勐混镇"  # the township and central school of the `township` and `school` accounts
DEMO_ZONE = "第二片区"  # the zone of the `inspector` account's team


@dataclass
class _Ids:
    """Next explicit ids of the tables the demo fills with explicit ids."""

    school: int
    student: int
    roster: int


def _empty_or_raise(session: Session) -> None:
    if session.scalar(select(Area.code).limit(1)) is not None:
        raise ValueError("the database already has areas: the demo loads only into an empty database")


def _county_area_rows(layout: CountyLayout, prefecture: str) -> list[dict]:
    spec = layout.spec
    rows = [{"code": spec.code, "name": spec.name, "level": "county", "parent_code": prefecture}]
    for t in layout.townships:
        rows.append({"code": t.code, "name": t.name, "level": "township", "parent_code": spec.code})
        rows += [{"code": c, "name": n, "level": "village", "parent_code": t.code} for c, n in t.villages]
    return rows


def _teams(session: Session, layout: CountyLayout, password_hash: str, rng: np.random.Generator) -> int:
    code = layout.spec.code
    insert_dicts(session, Zone, [{"county_code": code, "name": ZONE_NAMES[z]} for z in range(len(layout.zones))])
    zone_ids = dict(session.execute(select(Zone.name, Zone.id).where(Zone.county_code == code)).all())
    zt = [{"township_code": layout.townships[t].code, "zone_id": zone_ids[ZONE_NAMES[z]]}
          for z, members in enumerate(layout.zones) for t in members]
    insert_dicts(session, ZoneTownship, zt)
    insert_dicts(session, Team, [{"zone_id": zone_ids[ZONE_NAMES[z]], "name": TEAM_NAMES[z]}
                                 for z in range(len(layout.zones))])
    team_ids = dict(session.execute(select(Team.zone_id, Team.id).where(Team.zone_id.in_(zone_ids.values()))).all())
    prefix = "" if layout.spec.index == 0 else f"{code[:6]}_"
    people = demo_names.person_names(rng, rng.random(3 * len(layout.zones)) < 0.6)
    users, roles = [], []
    for z in range(len(layout.zones)):
        for k, (suffix, role) in enumerate((("leader", "leader"), ("member1", "member"), ("member2", "member"))):
            users.append({"username": f"{prefix}team{z + 1}_{suffix}", "display_name": people[3 * z + k],
                          "password_hash": password_hash, "role": "inspector", "area_code": code,
                          "is_demo": True})
            roles.append((team_ids[zone_ids[ZONE_NAMES[z]]], role))
    insert_dicts(session, User, users)
    user_ids = dict(session.execute(select(User.username, User.id)
                                    .where(User.username.in_([u["username"] for u in users]))).all())
    insert_dicts(session, TeamMember, [{"team_id": t, "user_id": user_ids[u["username"]], "role": r}
                                       for u, (t, r) in zip(users, roles)])
    return len(users)


def _cases_as_imports_open_them(session: Session, terms: list[TermCode], school_ids: list[int]) -> int:
    """Every 辍学 roster line without a case gets one, term by term, as a roster import opens them (dated at the
    term's start), so the demo's Overview and its confirmed ledger agree (issue 13); returns the cases there are."""
    before = set(session.scalars(select(DropoutCase.id)))
    for term in sorted(t.code for t in terms):
        open_cases_from_roster(session, None, term, school_ids)
    session.flush()
    _worked_on(session, [c for c in session.scalars(select(DropoutCase).order_by(DropoutCase.id)) if c.id not in before])
    return session.scalar(select(func.count()).select_from(DropoutCase)) or 0


def _worked_on(session: Session, cases: list[DropoutCase]) -> None:
    """A county works its cases: a case opened at an earlier term's start has since been escalated step by step
    to the judicial step (支持起诉, which has no clock); this term's go up to step 2 or 3 with running clocks."""
    today = local_today()
    this_term = max((c.found_date for c in cases), default=today)
    for case in cases:
        last = 6 if case.found_date < this_term else 2 + case.id % 2
        span = max((today - case.found_date).days, 1)
        day = case.found_date
        for step in range(2, last + 1):
            day = min(case.found_date + dt.timedelta(days=span * (step - 1) // last), today)
            if step == last and last < 6:  # this term's: the current step started a day or two ago
                day = today - dt.timedelta(days=1 + case.id % 2)
            session.add(CaseEvent(case_id=case.id, at=dt.datetime.combine(day, dt.time(2)), user_id=None,
                                  action="escalate", from_step=step - 1, to_step=step, from_status="open",
                                  to_status="open", note="仍未返校"))
        case.ledger, case.step, case.step_started = "confirmed", last, day
        if last >= 4:
            case.return_deadline = case.found_date + dt.timedelta(days=span * 3 // last + 14)


def _policy(session: Session, county: CountySpec) -> None:
    preset = session.scalar(select(TargetPolicy).where(TargetPolicy.is_preset, TargetPolicy.name == PRESET_NAME))
    policy_id = session.execute(TargetPolicy.__table__.insert().returning(TargetPolicy.id), {
        "name": f"{county.name}控辍保学目标", "source": f"复制自预设 {PRESET_NAME}（{preset.source}）",
        "area_code": county.code, "is_preset": False, "active": True,
        "precision": preset.precision}).scalar_one()
    insert_dicts(session, Target, [{"policy_id": policy_id, "indicator": t.indicator, "op": t.op, "bound": t.bound,
                                    "margin": t.margin, "margin_relative": t.margin_relative} for t in preset.targets])


def _students(session: Session, sim: CountyStudents, ids: _Ids, fast: bool) -> np.ndarray:
    n = len(sim.student_no)
    student_ids = np.arange(ids.student, ids.student + n)
    ids.student += n
    insert_columns(session, Student, {
        "id": student_ids.tolist(), "student_no": sim.student_no, "name": sim.name,
        "gender": np.where(sim.male, "男", "女").tolist(), "birth_date": sim.birth.tolist(),
        "id_number": sim.id_number}, fast=fast)
    return student_ids


def _roster(session: Session, sim: CountyStudents, layout: CountyLayout, student_ids: np.ndarray, ids: _Ids,
            fast: bool) -> int:
    school_ids = np.array([s.id for s in layout.schools])
    statuses, disabilities = np.array(STATUSES), np.array(DISABILITIES)
    household = np.array(sim.household, dtype=object)
    guardian = np.array(sim.guardian_name, dtype=object)
    phone = np.array(sim.guardian_phone, dtype=object)
    total = 0
    for r in sim.rosters:
        s = r.student
        n = len(s)
        insert_columns(session, RosterRecord, {
            "id": list(range(ids.roster, ids.roster + n)), "term_code": [r.term.code] * n,
            "student_id": student_ids[s].tolist(), "school_id": school_ids[r.school].tolist(),
            "grade": r.grade.tolist(), "class_name": [f"{c}班" for c in r.class_no.tolist()],
            "status": statuses[r.status].tolist(), "household_code": household[s].tolist(),
            "guardian_name": guardian[s].tolist(), "guardian_phone": phone[s].tolist(),
            "poverty_registered": sim.poverty[s].tolist(), "disability": disabilities[sim.disability[s]].tolist(),
            "left_behind": sim.left_behind[s].tolist(), "migrant": sim.migrant[s].tolist(),
            "age": r.age.tolist(),
            "left_behind_kind": [sim.left_behind_kind[i] for i in s.tolist()] if sim.left_behind_kind else [None] * n,
            "boarding": sim.boarding(s, r.grade).tolist()}, fast=fast)
        ids.roster += n
        total += n
    return total


def _load_county(session: Session, spec: CountySpec, prefecture: str, seed: int, terms: list[TermCode], ids: _Ids,
                 password_hash: str, fast: bool, progress: Callable[[str], None]) -> tuple[CountyLayout, dict]:
    """Generate one county and insert all its rows; return the layout and row counts."""
    layout = plan_county(spec, ids.school, np.random.default_rng([seed, spec.index, 0]))
    ids.school += len(layout.schools)
    counts: dict[str, int] = {"areas": insert_dicts(session, Area, _county_area_rows(layout, prefecture))}
    counts["schools"] = insert_dicts(session, School, [
        {"id": s.id, "code": s.code, "name": s.name, "type": s.type, "township_code": layout.townships[s.township].code,
         "is_central": s.is_central, "lon": s.lon, "lat": s.lat} for s in layout.schools])
    counts["boundaries"] = insert_dicts(session, Boundary, [
        {"area_code": t.code, "geometry": json.dumps(geojson_polygon(cell)), "schematic": True}
        for t, cell in zip(layout.townships, layout.cells)])
    counts["zones"] = counts["teams"] = len(layout.zones)
    counts["users"] = _teams(session, layout, password_hash, np.random.default_rng([seed, spec.index, 1]))
    _policy(session, spec)
    counts["duty_reports"] = seed_duties(session, spec.code, local_today(), np.random.default_rng([seed, spec.index, 4]))
    sim = simulate_county(layout, terms, np.random.default_rng([seed, spec.index, 2]))
    progress(f"demo: {spec.name}: {len(layout.townships)} townships, {len(layout.schools)} schools, "
             f"{len(sim.student_no):,} students")
    student_ids = _students(session, sim, ids, fast)
    counts["students"] = len(student_ids)
    counts["roster_records"] = _roster(session, sim, layout, student_ids, ids, fast)
    progress(f"demo: {spec.name}: {counts['roster_records']:,} roster lines in {len(terms)} terms; aggregating")
    stats_rng = np.random.default_rng([seed, spec.index, 3])
    counts["population"] = insert_columns(session, Population, _columns(population_rows(layout, sim, stats_rng)),
                                          fast=fast)  # before the aggregates: the school-age lines join both
    for term in terms:
        refresh_roster_aggregates(session, term.code, [s.id for s in layout.schools])
    counts["enrollment_history"] = insert_dicts(session, EnrollmentHistory, history_rows(layout, sim, stats_rng))
    return layout, counts


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {k: [r[k] for r in rows] for k in rows[0]} if rows else {}


def _demo_accounts(session: Session, layout: CountyLayout, password_hash: str, extra: list[tuple[str, str]],
                   rng: np.random.Generator) -> int:
    town = next(t for t in layout.townships if t.name == DEMO_TOWNSHIP)
    central = next(s for s in layout.schools if s.is_central and layout.townships[s.township] is town)
    county = layout.spec.code
    accounts = [("admin", "admin", None, None), ("leader", "county_leader", county, None),
                ("inspector", "inspector", county, None), ("township", "township_officer", town.code, None),
                ("school", "school_staff", None, central.id)]
    # an officer for every other township too, so orders to any township can be answered in the demo
    others = sorted((t for t in layout.townships if t is not town), key=lambda t: t.code)
    accounts += [(f"township{i:02d}", "township_officer", t.code, None) for i, t in enumerate(others, start=2)]
    accounts += [(name, "county_leader", area, None) for name, area in extra]
    people = demo_names.person_names(rng, rng.random(len(accounts)) < 0.55)
    insert_dicts(session, User, [{"username": u, "display_name": people[i], "password_hash": password_hash,
                                  "role": role, "area_code": area, "school_id": school, "is_demo": True}
                                 for i, (u, role, area, school) in enumerate(accounts)])
    inspector_id = session.scalar(select(User.id).where(User.username == "inspector"))
    team_id = session.scalar(select(Team.id).join(Zone, Zone.id == Team.zone_id)
                             .where(Zone.county_code == county, Zone.name == DEMO_ZONE))
    insert_dicts(session, TeamMember, [{"team_id": team_id, "user_id": inspector_id, "role": "member"}])
    return len(accounts)


def _start(session: Session, terms: list[TermCode], areas: list[dict]) -> _Ids:
    _empty_or_raise(session)
    ensure_presets(session)
    session.flush()
    insert_dicts(session, Area, areas)
    insert_dicts(session, Term, [{"code": t.code, "year": t.year, "semester": t.semester, "start_date": t.start,
                                  "end_date": t.end} for t in terms])
    create_term_partitions(session.connection(), [t.code for t in terms])   # PostgreSQL: a partition per term
    return _Ids(next_id(session, School), next_id(session, Student), next_id(session, RosterRecord))


def _add(total: dict[str, int], counts: dict[str, int]) -> None:
    for k, v in counts.items():
        total[k] = total.get(k, 0) + v


def seed_demo(session_factory: sessionmaker[Session], *, scale: str = "county", seed: int = 1,
              progress: Callable[[str], None] = print, counties: int | None = None,
              students_per_county: int | None = None) -> dict[str, Any]:
    """Load a generated demo (county or province) into an empty database; return row counts."""
    if scale not in ("county", "province"):
        raise ValueError(f"unknown demo scale {scale!r}: use county or province")
    started = time.perf_counter()
    terms = [parse_term(c) for c in (COUNTY_TERMS if scale == "county" else PROVINCE_TERMS)]
    if scale == "county":
        prefectures, specs = [XISHUANGBANNA], [menghai_spec(students_per_county or 40_000)]
    else:
        prefectures, specs = plan_province(seed, counties, students_per_county)
    password_hash = generate_password_hash(DEMO_PASSWORD)
    head = [{"code": PROVINCE[0], "name": PROVINCE[1], "level": "province", "parent_code": None}]
    head += [{"code": c, "name": n, "level": "prefecture", "parent_code": PROVINCE[0]} for c, n in prefectures]
    total: dict[str, int] = {"areas": len(head), "terms": len(terms)}
    with session_factory() as s, s.begin():
        ids = _start(s, terms, head)
        if scale == "county":
            layout, counts = _load_county(s, specs[0], XISHUANGBANNA[0], seed, terms, ids, password_hash, False,
                                          progress)
            _add(total, counts)
            total["users"] += _demo_accounts(s, layout, password_hash, [], np.random.default_rng([seed, 7]))
            total["inspection_visits"] = seed_inspections(s, layout.spec.code, seed)
            total["rectification_orders"] = seed_rectification(s, layout.spec.code)
            seed_cases(s, layout.spec.code, seed)
            total["dropout_cases"] = _cases_as_imports_open_them(s, terms, [sc.id for sc in layout.schools])
            total["absence_reports"] = seed_absences(s, terms, seed)
            total["risk_scored"] = seed_scores(s, terms)
            _finish(s, scale, seed, total)
    if scale == "province":
        _load_province(session_factory, specs, seed, terms, ids, password_hash, total, progress)
        with session_factory() as s, s.begin():
            _finish(s, scale, seed, total)
    progress(f"demo loaded in {time.perf_counter() - started:.1f} s: {total}")
    return total


def _load_province(session_factory: sessionmaker[Session], specs: list[CountySpec], seed: int,
                   terms: list[TermCode], ids: _Ids, password_hash: str, total: dict[str, int],
                   progress: Callable[[str], None]) -> None:
    started = time.perf_counter()
    rows = 0
    for i, spec in enumerate(specs):
        with session_factory() as s, s.begin():
            tune_sqlite_for_bulk(s)
            layout, counts = _load_county(s, spec, spec.code[:4] + "00000000", seed, terms, ids, password_hash,
                                          True, lambda _msg: None)
            if i == 0:
                extra = [("province_leader", PROVINCE[0]), ("prefecture_leader", XISHUANGBANNA[0])]
                counts["users"] += _demo_accounts(s, layout, password_hash, extra, np.random.default_rng([seed, 7]))
                default_template(s)
            # inspections and orders in every county, so the province's pages and imports meet them (without
            # them an import's removed lines never reached the phone checks pointing at them: issue 19)
            counts["inspection_visits"] = seed_county_inspections(s, spec.code, seed)
            counts["rectification_orders"] = seed_rectification(s, spec.code)
        _add(total, counts)
        rows += counts["students"] + counts["roster_records"]
        elapsed = time.perf_counter() - started
        progress(f"county {i + 1}/{len(specs)} {spec.name}: {total['students']:,} students, "
                 f"{total['roster_records']:,} roster rows, {rows / elapsed:,.0f} rows/s")


def _finish(session: Session, scale: str, seed: int, total: dict[str, int]) -> None:
    sync_sequences(session, [School, Student, RosterRecord])
    if scale == "province":
        analyze(session, [Student, RosterRecord, RosterAggregate, Population, EnrollmentHistory])
    refresh_terms(session)
    audit.record(session, "seed", "demo", f"{scale}:{seed}", after=dict(total))
