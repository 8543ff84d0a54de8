"""Users: creation, password checks, language preference."""
from __future__ import annotations

import datetime as dt
import functools

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from data_access.models import ROLES, Area, School, User
from domain.admin.users import PasswordProblem, password_problem



@functools.cache
def _dummy_hash() -> str:
    """A hash to check an unknown user's password against, so a refusal takes as long either way. Made on first use,
    not on import: hashing takes ~0.2 s, which every process importing this module paid (each CLI command, each
    import's audit step)."""
    return generate_password_hash("timing-equaliser")
_RULES_EN = {"length": "the password must have at least {limit} characters",
             "too_long": "the password must have at most {limit} characters",
             "username": "the password must not contain the user name",
             "common": "the password is one of the most common passwords; choose another"}


class PasswordRefused(ValueError):
    """A new password breaks a password rule (domain/admin/users.py); `problem` names the rule."""

    def __init__(self, problem: PasswordProblem) -> None:
        super().__init__(_RULES_EN[problem.rule].format(limit=problem.limit))
        self.problem = problem


def check_password(password: str, username: str) -> None:
    """PasswordRefused naming the first password rule broken."""
    problem = password_problem(password, username)
    if problem is not None:
        raise PasswordRefused(problem)


def create_user(session: Session, username: str, password: str, role: str, scope_code: str | None = None,
                display_name: str = "") -> User:
    """Create a user scoped to an area (12-digit code) or, for school staff, a school (10-digit code)."""
    username = username.strip()
    if not username:
        raise ValueError("the user name is empty")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    check_password(password, username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValueError(f"user {username!r} exists already")
    user = User(username=username, display_name=display_name or username, role=role,
                password_hash=generate_password_hash(password))
    if role == "school_staff":
        school = session.scalar(select(School).where(School.code == (scope_code or "")))
        if school is None:
            raise ValueError("school staff need --area with the 10-digit code of an imported school")
        user.school_id, user.area_code = school.id, school.township_code
    elif scope_code:
        if session.get(Area, scope_code) is None:
            raise ValueError(f"area {scope_code!r} is not imported")
        user.area_code = scope_code
    elif role != "admin":
        raise ValueError(f"role {role} needs --area with the code of an area")
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same work either way)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.is_active:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def set_language(session: Session, user_id: int, language: str) -> None:
    """Remember a user's language choice (zh or en)."""
    if language not in ("zh", "en"):
        raise ValueError(f"unsupported language {language!r}")
    user = session.get(User, user_id)
    if user is not None:
        user.language = language


def failed_logins(session: Session, username: str, since: dt.datetime) -> int:
    """Failed sign-ins recorded for this user name since a moment (from the audit log)."""
    from data_access.models import AuditLog
    return session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "login_failed", AuditLog.entity == "app_user", AuditLog.entity_key == username[:64],
        AuditLog.at >= since)) or 0


def end_sessions(session: Session, user_id: int) -> None:
    """End every session of a user (logout, password change): cookies signed with the old version stop working."""
    session.execute(update(User).where(User.id == user_id).values(session_version=User.session_version + 1))


_U = User.__table__
# built once (the statement a request's user costs; each request builds no select of its own for it)
_SIGNED_IN = select(_U.c.id, _U.c.username, _U.c.display_name, _U.c.role, _U.c.area_code, _U.c.school_id,
                    _U.c.language, _U.c.is_active, _U.c.session_version, _U.c.is_demo,
                    _U.c.must_change_password).where(_U.c.id == bindparam("user_id"))


def signed_in_user(session: Session, user_id: int) -> Row | None:
    """What every request needs of its user's row, as columns (id, username, display_name, role, area_code,
    school_id, language, is_active, session_version, is_demo, must_change_password): one prebuilt Core statement
    instead of an ORM object (~0.2 ms of each callback's fixed cost)."""
    return session.execute(_SIGNED_IN, {"user_id": user_id}).first()


def session_version(session: Session, user_id: int) -> int | None:
    """The user's current session version (None for an unknown user)."""
    return session.scalar(select(User.session_version).where(User.id == user_id))


def disable_demo_accounts(session: Session) -> int:
    """Deactivate the demo's accounts (published password) once the app holds real data; returns how many."""
    result = session.execute(update(User).where(User.is_demo, User.is_active).values(is_active=False))
    return result.rowcount or 0


def set_password(session: Session, username: str, password: str) -> None:
    """Give a user a new password (hashed) and end every session they have (ValueError naming what is wrong)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise ValueError(f"no user named {username!r}")
    check_password(password, user.username)
    user.password_hash = generate_password_hash(password)
    user.is_demo = False            # a demo account given its own password is no longer the published one
    user.must_change_password = False
    session.flush()
    end_sessions(session, user.id)
