"""What waits on a user (issue 18.1), read live so that an item leaves the inbox as soon as it is done:
orders to answer or verify, case steps due, visits to sign off, refused imports and rosters missing for the
term. Every query goes through the user's scope (and, for teams, their team membership)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.admin.data_status import missing_rosters
from data_access.analytics.accountability import due
from data_access.cases.stats import due_case_steps
from data_access.inbox.duties import board, team_code
from data_access.inbox.monthly import drafts_for
from data_access.inspection.access import Actor
from data_access.models import (Area, AuditLog, InspectionVisit, IssuedDocument, RectificationOrder, School,
                                TeamMember, Term)
from data_access.names import scope_counties, with_county
from data_access.scope import scoped
from domain.inbox.views import InboxItem, sort_items
from domain.localtime import local_date
from domain.schooldays import default_teaching_span
from domain.terms import term_for_date

UNIT_ROLES = ("township_officer", "school_staff")       # they answer orders and run cases
ROSTER_ROLES = ("school_staff", "township_officer", "admin", "county_leader")
REFUSED_DAYS = 14          # a refused import stays this long unless a later import of the kind succeeded
ROSTER_GRACE_DAYS = 10     # rosters are due within 10 days of term start (seed 001)
DRAFT_DAYS = 45            # a scheduled draft not issued stays in the inbox this long


def _teams(session: Session, user_id: int, leader_only: bool = False) -> list[int]:
    stmt = select(TeamMember.team_id).where(TeamMember.user_id == user_id)
    if leader_only:
        stmt = stmt.where(TeamMember.role == "leader")
    return list(session.scalars(stmt))


def _order_place(township: str, school: str | None) -> str:
    return f"{township} · {school}" if school else township


def _orders(session: Session, actor: Actor, today: dt.date) -> list[InboxItem]:
    """Orders the user's unit must answer, and submitted orders the user's team must verify."""
    o = RectificationOrder
    base = (select(o.id, o.title, o.status, o.deadline, o.issued_at, o.updated_at, o.submitted_at, Area.name,
                   School.name, o.township_code).join(Area, Area.code == o.township_code)
            .outerjoin(School, School.id == o.school_id))
    items = []
    if actor.role in UNIT_ROLES:
        stmt = scoped(base.where(o.status.in_(("issued", "in_progress", "returned"))), actor.scope,
                      area_col=o.township_code, school_col=o.school_id)
        for oid, title, status, deadline, issued, updated, _sub, town, school, _code in session.execute(stmt):
            href, place = f"/rectification/order?id={oid}", _order_place(town, school)
            if deadline < today:
                items.append(InboxItem("order_overdue", title, place, href, deadline))
            elif status == "issued":
                items.append(InboxItem("order_new", title, place, href, local_date(issued)))
            elif status == "returned":
                items.append(InboxItem("order_returned", title, place, href, local_date(updated or issued)))
    team_stmt = None
    if actor.role == "inspector":
        teams = _teams(session, actor.user_id)
        if teams:
            team_stmt = base.where(o.status == "submitted", o.team_id.in_(teams))
    elif actor.role == "admin":
        team_stmt = scoped(base.where(o.status == "submitted"), actor.scope, area_col=o.township_code)
    if team_stmt is not None:
        counties = scope_counties(session, actor.scope)    # above one county each township says its county
        for oid, title, _s, _d, issued, _u, submitted, town, school, code in session.execute(team_stmt):
            items.append(InboxItem("order_verify", title, _order_place(with_county(code, town, counties), school),
                                   f"/rectification/order?id={oid}", local_date(submitted or issued)))
    return items


def _cases(session: Session, actor: Actor, today: dt.date, step_days: dict[int, int] | None) -> list[InboxItem]:
    """Case steps due or overdue, for the township and school staff who run the cases."""
    if actor.role not in UNIT_ROLES:
        return []
    return [InboxItem("case_overdue" if r.state == "overdue" else "case_due", r.student,
                      f"{r.township} · {r.school}", f"/cases/case?id={r.case_id}", r.due)
            for r in due_case_steps(session, actor.scope, today, limit=200, role=actor.role, step_days=step_days)]


def _visits(session: Session, actor: Actor, today: dt.date) -> list[InboxItem]:
    """Draft visits of the teams the user leads, made by today: they wait for the leader's sign-off."""
    teams = _teams(session, actor.user_id, leader_only=True) if actor.role in ("inspector", "admin") else []
    if not teams:
        return []
    v = InspectionVisit
    rows = session.execute(select(v.id, v.visit_date, Area.name).join(Area, Area.code == v.township_code)
                           .where(v.status == "draft", v.team_id.in_(teams), v.visit_date <= today))
    return [InboxItem("visit_sign", town, town, f"/inspection/visit?id={vid}", day) for vid, day, town in rows]


def _refused_imports(session: Session, actor: Actor, today: dt.date) -> list[InboxItem]:
    """The user's refused imports of the last days that no later import of the same kind has made good."""
    since = dt.datetime.combine(today - dt.timedelta(days=REFUSED_DAYS), dt.time())
    rows = session.execute(select(AuditLog.action, AuditLog.entity, AuditLog.entity_key, AuditLog.at)
                           .where(AuditLog.at >= since, AuditLog.user_id == actor.user_id,
                                  AuditLog.action.in_(("import", "import_refused")))
                           .order_by(AuditLog.at)).all()
    pending: dict[str, tuple[str, dt.datetime]] = {}
    for action, kind, file_name, at in rows:
        if action == "import_refused":
            pending[kind] = (file_name, at)
        else:
            pending.pop(kind, None)
    return [InboxItem("import_refused", name, kind, "/imports", local_date(at)) for kind, (name, at) in pending.items()]


def _rosters(session: Session, actor: Actor, today: dt.date) -> list[InboxItem]:
    """Schools in the user's scope expected to send this term's roster and without it (as the data status page
    lists them), from ten days after the term's start."""
    if actor.role not in ROSTER_ROLES:
        return []
    term = term_for_date(today)
    start = default_teaching_span(term)[0]
    if today < start + dt.timedelta(days=ROSTER_GRACE_DAYS) or session.get(Term, term.code) is None:
        return []
    missing = session.execute(missing_rosters(actor.scope, term.code)).all()
    if not missing:
        return []
    if actor.role == "school_staff":
        return [InboxItem("roster_missing", missing[0][1], term.code, "/imports", start)]
    return [InboxItem("roster_missing", missing[0][1], term.code, "/imports", start, count=len(missing))]


def _reports(session: Session, actor: Actor, today: dt.date) -> list[InboxItem]:
    """Reports the user's unit must send: missing (deadline passed) or due within a week."""
    if actor.role not in UNIT_ROLES and actor.role != "inspector":
        return []
    mine = {"school_staff": "school", "township_officer": "township", "inspector": "team"}[actor.role]
    led = {team_code(t) for t in _teams(session, actor.user_id, leader_only=True)} if mine == "team" else set()
    return [InboxItem("report_missing" if r.state == "missing" else "report_due", r.duty_name,
                      f"{r.unit_name} · {r.period.key}", "/reports", r.period.deadline)
            for r in board(session, actor.scope, today) if r.reporter == mine and r.state in ("missing", "due")
            and (mine != "team" or r.unit_code in led)]


def _accountability(session: Session, actor: Actor) -> list[InboxItem]:
    """约谈 / 问责 units of recent published periods with no record of what was done (county leaders, admins)."""
    if actor.role not in ("county_leader", "admin"):
        return []
    return [InboxItem("accountability_due", d.unit_name, d.term, f"/accountability?unit={d.unit_code}&term={d.term}",
                      d.published_on) for d in due(session, actor.scope)]


def _drafts(session: Session, actor: Actor, today: dt.date) -> list[InboxItem]:
    """Drafts the schedule made (monthly report, bulletin) for the county leaders and admins who issue them, until
    issued through the register or older than DRAFT_DAYS."""
    if actor.role not in ("county_leader", "admin"):
        return []
    items = []
    for draft in drafts_for(session, actor.scope):
        made = local_date(draft.created_at)
        if (today - made).days > DRAFT_DAYS:
            continue
        area = draft.county_code
        subject = (f"monthly_report:{area}:{draft.period_key}" if draft.kind == "monthly_report"
                   else f"bulletin:{area}:{draft.period_key}")
        if session.scalar(select(IssuedDocument.id).where(IssuedDocument.subject == subject).limit(1)) is not None:
            continue
        items.append(InboxItem("draft_ready", draft.title, draft.period_key, f"/reports/drafts/{draft.id}.docx",
                               made))
    return items


def inbox_items(session: Session, actor: Actor, today: dt.date, step_days: dict[int, int] | None = None
                ) -> list[InboxItem]:
    """Everything waiting on the user, most urgent first."""
    return sort_items(_orders(session, actor, today) + _cases(session, actor, today, step_days)
                      + _visits(session, actor, today) + _refused_imports(session, actor, today)
                      + _rosters(session, actor, today) + _accountability(session, actor)
                      + _reports(session, actor, today) + _drafts(session, actor, today))


def inbox_count(session: Session, actor: Actor, today: dt.date, step_days: dict[int, int] | None = None) -> int:
    """How many items wait on the user (the navigation bar's badge)."""
    return sum(1 for _ in inbox_items(session, actor, today, step_days))

