"""Import of users from a spreadsheet (issue 15.1): one row per township officer or school registrar, checked as a
whole like the other imports (every problem listed by row and column, nothing written when there is one), each new
user given a one-time password they must change at their first sign-in. The passwords are returned once, for the
admin to hand out (the page offers them as an .xlsx download once; the CLI writes them to a file)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.admin.user_admin import UserInvalid, UserRefused, create
from data_access.imports.core import accepted, rejected
from data_access.imports.parse import parse_rows
from data_access.imports.readers import Column, ProblemLog, UnreadableFile, open_table
from data_access.models import Team, User, Zone
from data_access.scope import Scope
from domain.admin.users import may_grant, parse_role
from domain.imports.parsing import CellError, text_parser
from domain.imports.results import ImportProblem, ImportResult

KIND = "users"


def _username(raw: Any) -> str:
    value = str(raw).strip()
    if len(value) > 64 or any(c.isspace() for c in value):
        raise CellError("1 to 64 characters without spaces")
    return value


def _role(raw: Any) -> str:
    role = parse_role(str(raw))
    if role is None:
        raise CellError("unknown role (县领导, 督导, 乡镇, 学校, 管理员 or the English key)")
    return role


def _code(raw: Any) -> str:
    if isinstance(raw, float):
        raise CellError("a number, not text: Excel may have changed the code; format the column as text")
    value = str(raw).strip()
    if not value.isdigit() or len(value) not in (10, 12):
        raise CellError("a 12-digit area code or a 10-digit school code")
    return value


USER_COLUMNS: tuple[Column, ...] = (
    Column("username", "用户名", _username, aliases=("账号", "登录名")),
    Column("display_name", "姓名", text_parser(64), allow_empty=True, default=""),
    Column("role", "角色", _role),
    Column("code", "区域代码或学校代码", _code, allow_empty=True, default=None,
           aliases=("区域代码", "学校代码", "区划代码", "学校标识码")),
    Column("team", "所属组", text_parser(50), required=False, allow_empty=True, default=None,
           aliases=("所属小组", "工作小组")),
)


@dataclass
class UsersImport:
    """What an import of users did, and the one-time passwords of the users it created (username, name, password)."""

    result: ImportResult
    passwords: list[tuple[str, str, str]] = field(default_factory=list)


def _teams(session: Session, scope: Scope) -> dict[str, int]:
    """Team name → id, for the teams of counties in the admin's scope."""
    rows = session.execute(select(Team.id, Team.name, Zone.county_code).join(Zone, Zone.id == Team.zone_id)).all()
    return {n: i for i, n, county in rows if may_grant(scope.areas, scope.unrestricted, county)}


def import_users(session: Session, path: str | Path, *, scope: Scope) -> UsersImport:
    """Create the users of a file, all or none (the caller's transaction); problems name row, column and value."""
    problems = ProblemLog()
    try:
        with open_table(path, USER_COLUMNS) as table:
            rows = parse_rows(table, USER_COLUMNS, problems)
            header = {c.key: table.header(c) for c in USER_COLUMNS}
    except UnreadableFile as exc:
        return UsersImport(rejected(KIND, exc.problems))
    teams = _teams(session, scope)
    seen: dict[str, int] = {}
    existing = set(session.scalars(select(User.username).where(User.username.in_({r.username for r in rows}))))
    for r in rows:
        if not r.username:
            problems.append(ImportProblem(r.row, header["username"], "", "empty"))
        elif r.username in seen:
            problems.append(ImportProblem(r.row, header["username"], r.username,
                                          f"appears twice in the file (also row {seen[r.username]})"))
        elif r.username in existing:
            problems.append(ImportProblem(r.row, header["username"], r.username, "a user of this name exists already"))
        seen.setdefault(r.username, r.row)
        if r.team and r.team not in teams:
            problems.append(ImportProblem(r.row, header["team"], r.team, "unknown team (or not a team of your area)"))
    created: list[tuple[str, str, str]] = []
    if not problems:
        outer = session.begin_nested()
        for r in rows:
            try:
                with session.begin_nested():
                    user, password = create(session, scope, r.username, r.display_name or "", r.role, r.code,
                                            teams.get(r.team) if r.team else None)
            except UserInvalid as exc:
                column = header["role"] if exc.field == "role" else header["code"]
                problems.append(ImportProblem(r.row, column, exc.value, exc.reason))
            except UserRefused:
                problems.append(ImportProblem(r.row, header["code"], r.code or "",
                                              "outside your area, or a role or area wider than your own"))
            else:
                created.append((user.username, user.display_name, password))
        if problems:
            outer.rollback()         # all or nothing: nobody of the file is created
        else:
            outer.commit()
    if problems:
        return UsersImport(rejected(KIND, problems))
    area = None if scope.unrestricted or not scope.areas else scope.areas[0][0]
    return UsersImport(accepted(session, KIND, path, len(created), 0, 0, area=area), created)
