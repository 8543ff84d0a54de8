"""Administering users (issue 15.1), one layer for the users page and the CLI: list and search in the admin's
scope, create, edit, disable or enable (never delete: the audit log refers to users), reset a password to a
one-time password the user must change, and a user's own password change. Every change is audit-logged by the
ORM hooks (the password hash redacted) or explicitly; no password is ever written to the log."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from data_access import audit
from data_access.admin.users import check_password, end_sessions
from data_access.models import Area, School, Team, TeamMember, User, Zone
from data_access.scope import Scope, area_filter
from domain.admin.users import ROLES, may_grant, one_time_password
from domain.admin.views import UserRow

READERS = ("admin", "county_leader")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")     # the shape of an address; the mail server says the rest


class UserRefused(Exception):
    """The user may not do this, or the user named lies outside their area (the two look the same)."""


class UserInvalid(ValueError):
    """A form or file value that cannot be used: `field` names it, `reason` says why (an English message key)."""

    def __init__(self, field: str, reason: str, value: str = "") -> None:
        super().__init__(f"{field}: {reason}" + (f" ({value})" if value else ""))
        self.field, self.reason, self.value = field, reason, value


def check_reader(role: str) -> None:
    """UserRefused unless the role may read the users list (admins; county leaders read-only)."""
    if role not in READERS:
        raise UserRefused()


def check_manager(role: str) -> None:
    """UserRefused unless the role may change users (admins only)."""
    if role != "admin":
        raise UserRefused()


def _user_area(user: User, session: Session) -> str | None:
    """The area a user belongs to for scoping (school staff: their school's township)."""
    if user.area_code:
        return user.area_code
    if user.school_id:
        school = session.get(School, user.school_id)
        return school.township_code if school else None
    return None


def _in_scope(session: Session, scope: Scope, user: User) -> bool:
    """True when the user lies inside the scope (an admin without area only for unrestricted scopes)."""
    if scope.unrestricted:
        return True
    area = _user_area(user, session)
    return area is not None and scope.covers_area(area)


def list_users(session: Session, scope: Scope, search: str = "", *, active: bool | None = None) -> list[UserRow]:
    """The users in the scope matching a search (user name, name, area or school name or code), those who have not
    signed in for longest (or never) first."""
    check_reader(scope.role)
    user_area = func.coalesce(User.area_code, School.township_code)     # School is outer-joined below
    team_name = (select(Team.name).join(TeamMember, TeamMember.team_id == Team.id)
                 .where(TeamMember.user_id == User.id).limit(1).scalar_subquery())
    stmt = (select(User, Area.name, School.code, School.name, team_name)
            .outerjoin(Area, Area.code == User.area_code).outerjoin(School, School.id == User.school_id))
    if not scope.unrestricted:
        stmt = stmt.where(user_area.is_not(None), area_filter(scope, user_area))
    if active is not None:
        stmt = stmt.where(User.is_active.is_(active))
    text = (search or "").strip()[:50]
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.display_name.ilike(like), Area.name.ilike(like),
                              School.name.ilike(like), User.area_code.like(like), School.code.like(like)))
    rows = session.execute(stmt.order_by(User.last_login_at.is_not(None), User.last_login_at, User.username)).all()
    return [UserRow(u.id, u.username, u.display_name, u.role, u.area_code, area or "", scode, sname or "",
                    team or "", u.is_active, u.last_login_at, u.must_change_password, u.created_at)
            for u, area, scode, sname, team in rows]


def _target(session: Session, scope: Scope, user_id: int) -> User:
    """A user the admin may change (UserRefused for one outside their area, or unknown)."""
    check_manager(scope.role)
    user = session.get(User, user_id)
    if user is None or not _in_scope(session, scope, user):
        raise UserRefused()
    return user


def _placement(session: Session, scope: Scope, role: str, scope_code: str | None) -> tuple[str | None, int | None]:
    """(area code, school id) for a role and an area or school code, checked against the admin's own scope."""
    if role not in ROLES:
        raise UserInvalid("role", "unknown role", role)
    code = (scope_code or "").strip() or None
    if role == "school_staff":
        school = session.scalar(select(School).where(School.code == (code or "")))
        if school is None:
            raise UserInvalid("area", "needs the 10-digit code of an imported school", code or "")
        if not may_grant(scope.areas, scope.unrestricted, school.township_code):
            raise UserRefused()
        return school.township_code, school.id
    if code is None:
        if role != "admin":
            raise UserInvalid("area", "this role needs an area", "")
    elif session.get(Area, code) is None:
        raise UserInvalid("area", "not an imported area code", code)
    if not may_grant(scope.areas, scope.unrestricted, code):
        raise UserRefused()     # never an area (or "everything") wider than the admin's own
    return code, None


def _set_team(session: Session, scope: Scope, user: User, team_id: int | None) -> None:
    """Make the user a member of this team (or of none); the team's county must lie in the admin's scope."""
    current = session.scalars(select(TeamMember).where(TeamMember.user_id == user.id)).all()
    if team_id is None:
        for member in current:
            session.delete(member)
        return
    if any(m.team_id == team_id for m in current):
        return
    row = session.execute(select(Team, Zone).join(Zone, Zone.id == Team.zone_id).where(Team.id == team_id)).first()
    if row is None or not may_grant(scope.areas, scope.unrestricted, row[1].county_code):
        raise UserInvalid("team", "not a team of your area", str(team_id))
    for member in current:
        session.delete(member)
    session.flush()
    session.add(TeamMember(team_id=team_id, user_id=user.id, role="member"))


def _email(value: str | None) -> str | None:
    """An e-mail address for the inbox digests (None: none), checked for its shape."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > 200 or not EMAIL.fullmatch(text):
        raise UserInvalid("email", "not an e-mail address", text[:200])
    return text


def create(session: Session, scope: Scope, username: str, display_name: str, role: str, scope_code: str | None,
           team_id: int | None = None, *, email: str | None = None) -> tuple[User, str]:
    """Create a user with a one-time password they must change at their first sign-in; returns (user, password)."""
    check_manager(scope.role)
    name = (username or "").strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise UserInvalid("username", "1 to 64 characters without spaces", name)
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise UserInvalid("username", "exists already", name)
    area, school = _placement(session, scope, role, scope_code)
    address = _email(email)
    password = one_time_password()
    user = User(username=name, display_name=(display_name or "").strip()[:64] or name, role=role, area_code=area,
                school_id=school, password_hash=generate_password_hash(password), must_change_password=True,
                email=address)
    session.add(user)
    session.flush()
    _set_team(session, scope, user, team_id)
    session.flush()
    return user, password


def edit(session: Session, scope: Scope, user_id: int, display_name: str, role: str, scope_code: str | None,
         team_id: int | None = None, *, email: str | None = None) -> User:
    """Change a user's name, role, area or school and team; the user and the new area both in the admin's scope.
    A change of role or area ends the user's sessions (their scope changes)."""
    user = _target(session, scope, user_id)
    area, school = _placement(session, scope, role, scope_code)
    moved = (user.role, user.area_code, user.school_id) != (role, area, school)
    user.display_name = (display_name or "").strip()[:64] or user.username
    user.email = _email(email)
    user.role, user.area_code, user.school_id = role, area, school
    _set_team(session, scope, user, team_id)
    session.flush()
    if moved:
        end_sessions(session, user.id)
    return user


def set_active(session: Session, scope: Scope, user_id: int, active: bool, *, actor_id: int | None = None) -> User:
    """Disable (sessions end at once) or enable a user; never delete. An admin cannot disable themself."""
    user = _target(session, scope, user_id)
    if not active and user.id == actor_id:
        raise UserInvalid("active", "you cannot disable your own account", user.username)
    user.is_active = active
    session.flush()
    if not active:
        end_sessions(session, user.id)
    return user


def reset_password(session: Session, scope: Scope, user_id: int) -> tuple[User, str]:
    """A new one-time password for a user (shown once to the admin; the user must change it at the next sign-in);
    every session of the user ends."""
    user = _target(session, scope, user_id)
    password = one_time_password()
    user.password_hash = generate_password_hash(password)
    user.must_change_password, user.is_demo = True, False
    session.flush()
    end_sessions(session, user.id)
    audit.record(session, "password_reset", "app_user", str(user.id))
    return user, password


def change_own_password(session: Session, user_id: int, current: str, new: str) -> int:
    """A user's own password change: the current password is required, the new one meets the rules and differs.
    Every other session ends; returns the new session version so the caller's session continues."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise UserRefused()
    if not check_password_hash(user.password_hash, current or ""):
        raise UserInvalid("current", "the current password is wrong")
    if new == current:
        raise UserInvalid("new", "the new password must differ from the current one")
    check_password(new or "", user.username)
    user.password_hash = generate_password_hash(new)
    user.must_change_password, user.is_demo = False, False
    session.flush()
    end_sessions(session, user.id)
    audit.record(session, "password_changed", "app_user", str(user.id))
    session.flush()
    session.refresh(user)
    return user.session_version


def record_sign_in(session: Session, user_id: int) -> None:
    """Remember when the user last signed in (the users page shows who has not for a long time)."""
    session.execute(update(User).where(User.id == user_id)    # not an audited change: the sign-in is logged itself
                    .values(last_login_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)))


def teams_in_scope(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """(id, name) of the teams an admin may put users on."""
    rows = session.execute(select(Team.id, Team.name, Zone.county_code).join(Zone, Zone.id == Team.zone_id)
                           .order_by(Team.name)).all()
    return [(i, n) for i, n, county in rows if may_grant(scope.areas, scope.unrestricted, county)]


def user_team(session: Session, user_id: int) -> int | None:
    """The team a user is on (the first), or None."""
    return session.scalar(select(TeamMember.team_id).where(TeamMember.user_id == user_id).limit(1))


def clear_teams(session: Session, user_id: int) -> None:
    """Take a user off every team."""
    session.execute(delete(TeamMember).where(TeamMember.user_id == user_id))


def form_values(session: Session, scope: Scope, user_id: int) -> dict[str, object]:
    """A user's values for the edit form (UserRefused outside the admin's area)."""
    user = _target(session, scope, user_id)
    school = session.get(School, user.school_id) if user.school_id else None
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role,
            "code": school.code if school else user.area_code, "team": user_team(session, user.id),
            "active": user.is_active, "email": user.email}
