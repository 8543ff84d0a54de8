"""Inspection visits: who may read, edit, sign and reveal (checked on every call), and the version
check every save goes through (creation, sign-off and reopen: data_access.inspection.visits)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.models import Area, Team, TeamMember, User, ZoneTownship
from data_access.models import InspectionVisit, VisitSchool
from data_access.scope import Scope

VISIT_ENTITY = "inspection_visit"


class VisitRefused(Exception):
    """The user may not do this to this visit (answered with HTTP 403)."""


class VisitLocked(Exception):
    """The visit is signed off: read-only until its team leader reopens it."""


class InvalidInput(ValueError):
    """A value the form should not have sent; `code` names the message, `params` fill it."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class EditConflict(Exception):
    """Somebody else saved this (a visit, an order, a case) since the page loaded it: who, and when."""

    def __init__(self, by: str, at: dt.datetime | None) -> None:
        super().__init__(f"changed by {by} at {at}")
        self.by = by
        self.at = at


class VisitConflict(EditConflict):
    """Somebody else saved the visit since this page loaded it."""


@dataclass(frozen=True)
class Actor:
    """The user acting: id, role, resolved scope and display name."""

    user_id: int
    role: str
    scope: Scope
    name: str = ""


def actor_of(user: Any) -> Actor:
    """The Actor of a logged-in user (web.auth.LoginUser or anything with the same fields)."""
    return Actor(user.id, user.role, user.scope, getattr(user, "display_name", "") or getattr(user, "username", ""))


@dataclass(frozen=True)
class EditState:
    """What a page sends with every save: the version it loaded and its tab's edit token."""

    version: int
    token: str


def edit_state(data: Any) -> EditState:
    """Parse the page's edit store; refuse anything malformed."""
    if not isinstance(data, dict):
        raise InvalidInput("stale_page")
    version, token = data.get("version"), data.get("token")
    if not isinstance(version, int) or isinstance(version, bool) or not isinstance(token, str) or not token:
        raise InvalidInput("stale_page")
    return EditState(version, token[:32])


def now() -> dt.datetime:
    """UTC now, naive (as the audit log stores it)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def user_name(session: Session, user_id: int | None) -> str:
    """A user's display name (or user name); empty for none."""
    if user_id is None:
        return ""
    row = session.execute(select(User.display_name, User.username).where(User.id == user_id)).first()
    return (row[0] or row[1]) if row else ""


def user_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """user_name of several users in one read (a list's signers)."""
    wanted = sorted({i for i in user_ids if i is not None})
    if not wanted:
        return {}
    return {i: d or u for i, d, u in session.execute(select(User.id, User.display_name, User.username)
                                                     .where(User.id.in_(wanted)))}


# --- teams and permissions ------------------------------------------------------------------

def township_team(session: Session, township_code: str) -> tuple[int | None, int | None]:
    """(zone id, team id) responsible for a township, or Nones."""
    row = session.execute(select(ZoneTownship.zone_id, Team.id).outerjoin(Team, Team.zone_id == ZoneTownship.zone_id)
                          .where(ZoneTownship.township_code == township_code)).first()
    return (row[0], row[1]) if row else (None, None)


def team_role(session: Session, user_id: int, township_code: str) -> str | None:
    """The user's role (leader | member) on the team of the township's zone, else None."""
    _zone, team = township_team(session, township_code)
    if team is None:
        return None
    return session.scalar(select(TeamMember.role).where(TeamMember.team_id == team, TeamMember.user_id == user_id))


def may_create_in(session: Session, actor: Actor, township_code: str) -> bool:
    """Inspectors create visits in their team's zone; admins anywhere in their scope."""
    if actor.role == "admin":
        return actor.scope.covers_area(township_code)
    return actor.role == "inspector" and team_role(session, actor.user_id, township_code) is not None


def creatable_townships(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the townships the actor may create visits in."""
    stmt = select(Area.code, Area.name).join(ZoneTownship, ZoneTownship.township_code == Area.code)
    if actor.role == "inspector":
        stmt = (stmt.join(Team, Team.zone_id == ZoneTownship.zone_id).join(TeamMember, TeamMember.team_id == Team.id)
                .where(TeamMember.user_id == actor.user_id))
    elif actor.role != "admin":
        return []
    rows = session.execute(stmt.order_by(Area.code)).all()
    return [(c, n) for c, n in rows if actor.role == "inspector" or actor.scope.covers_area(c)]


@dataclass(frozen=True)
class VisitAccess:
    """What the actor may do with one visit."""

    visit_id: int
    township_code: str
    status: str
    can_read: bool
    is_editor: bool
    is_leader: bool
    only_school_id: int | None  # school staff see their own school's part only

    @property
    def can_edit(self) -> bool:
        """Change the records: editors, while the visit is a draft."""
        return self.is_editor and self.status == "draft"

    @property
    def can_sign(self) -> bool:
        """Sign off: the team leader, on a draft."""
        return self.is_leader and self.status == "draft"

    @property
    def can_reopen(self) -> bool:
        """Reopen (audit-logged): the team leader, on a signed visit."""
        return self.is_leader and self.status == "signed"

    @property
    def can_reveal(self) -> bool:
        """See guardian phones unmasked (each reveal audit-logged): the team that calls them, and admins."""
        return self.is_editor


def visit_access(session: Session, actor: Actor, visit_id: Any) -> VisitAccess | None:
    """The actor's rights on a visit, or None when it does not exist."""
    if not isinstance(visit_id, int) or isinstance(visit_id, bool):
        return None
    row = session.execute(select(InspectionVisit.township_code, InspectionVisit.status)
                          .where(InspectionVisit.id == visit_id)).first()
    if row is None:
        return None
    township, status = row
    scope = actor.scope
    only_school = None
    if scope.school_id is not None:
        only_school = scope.school_id
        readable = session.scalar(select(func.count()).select_from(VisitSchool).where(
            VisitSchool.visit_id == visit_id, VisitSchool.school_id == scope.school_id)) > 0
    else:
        readable = scope.covers_area(township)
    trole = team_role(session, actor.user_id, township) if actor.role == "inspector" else None
    editor = (actor.role == "admin" and readable) or trole is not None
    return VisitAccess(visit_id, township, status, readable or editor, editor, trole == "leader", only_school)


def require_read(session: Session, actor: Actor, visit_id: Any) -> VisitAccess:
    """The access of a visit the actor may read; VisitRefused otherwise (also for unknown ids)."""
    access = visit_access(session, actor, visit_id)
    if access is None or not access.can_read:
        raise VisitRefused()
    return access


def require_edit(session: Session, actor: Actor, visit_id: Any) -> VisitAccess:
    """The access of a visit the actor may edit; VisitRefused, or VisitLocked once signed."""
    access = require_read(session, actor, visit_id)
    if not access.is_editor:
        raise VisitRefused()
    if access.status != "draft":
        raise VisitLocked()
    return access


def team_member_ids(session: Session, township_code: str) -> set[int]:
    """User ids on the team of the township's zone."""
    _zone, team = township_team(session, township_code)
    return set(session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team))) if team else set()


# --- the version check ------------------------------------------------------------------------

def conflict_for(session: Session, visit_id: int) -> Exception:
    """The error to raise when a save lost the version check."""
    row = session.execute(select(InspectionVisit.status, InspectionVisit.updated_by, InspectionVisit.updated_at)
                          .where(InspectionVisit.id == visit_id)).first()
    if row is None:
        return VisitRefused()
    if row[0] != "draft":
        return VisitLocked()
    return VisitConflict(user_name(session, row[1]), row[2])


def touch(session: Session, actor: Actor, visit_id: int, edit: EditState, what: dict[str, Any] | None,
          values: dict[str, Any] | None = None) -> None:
    """Take the next version for a change, or refuse it: the visit must still be a draft, and either
    nobody saved since this page loaded it, or the last save came from this same page (its token)."""
    v = InspectionVisit
    stmt = (update(v).where(v.id == visit_id, v.status == "draft", or_(v.version == edit.version,
                                                                        v.edit_token == edit.token))
            .values(version=v.version + 1, edit_token=edit.token, updated_by=actor.user_id, updated_at=now(),
                    **(values or {}))
            .execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        raise conflict_for(session, visit_id)
    session.expire_all()
    if what is not None:
        audit.record(session, "update", VISIT_ENTITY, str(visit_id), after=what)


def current_version(session: Session, visit_id: int) -> int:
    """The visit's version now."""
    return session.scalar(select(InspectionVisit.version).where(InspectionVisit.id == visit_id)) or 0
