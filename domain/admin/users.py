"""Pure rules for users (issue 15.1): password rules, one-time passwords, who may grant which role and area,
and the role names an import of users accepts."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from domain.areas import contains

MIN_LENGTH = 10
MAX_LENGTH = 128
ROLES = ("county_leader", "inspector", "township_officer", "school_staff", "admin")
# the role column of an import: Chinese names as an office writes them, and the English keys
ROLE_NAMES = {
    "县领导": "county_leader", "领导": "county_leader", "county_leader": "county_leader",
    "督导": "inspector", "督导员": "inspector", "督学": "inspector", "inspector": "inspector",
    "乡镇": "township_officer", "乡镇专干": "township_officer", "乡镇干部": "township_officer",
    "township_officer": "township_officer",
    "学校": "school_staff", "学籍管理员": "school_staff", "学校学籍员": "school_staff", "school_staff": "school_staff",
    "管理员": "admin", "admin": "admin",
}
# letters and digits without the look-alikes (0/O, 1/l/I) a user has to copy by hand
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
OTP_LENGTH = 12


@dataclass(frozen=True)
class PasswordProblem:
    """Why a password is refused: the rule (`length`, `too_long`, `username`, `common`) and its limit."""

    rule: str
    limit: int = 0


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords too common to allow (lower case)."""
    text = (Path(__file__).with_name("common_passwords.txt")).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str) -> PasswordProblem | None:
    """The first rule a new password breaks, or None: at least MIN_LENGTH characters, not containing the user name,
    not one of the common passwords."""
    if len(password) < MIN_LENGTH:
        return PasswordProblem("length", MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return PasswordProblem("too_long", MAX_LENGTH)
    name = username.strip().lower()
    if len(name) >= 3 and name in password.lower():
        return PasswordProblem("username")
    if password.lower() in common_passwords():
        return PasswordProblem("common")
    return None


def one_time_password() -> str:
    """A random password for a new or reset account, shown once; it meets the password rules."""
    while True:
        value = "".join(secrets.choice(_OTP_ALPHABET) for _ in range(OTP_LENGTH))
        if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
            return value


def parse_role(raw: str) -> str | None:
    """A role key from an import cell (Chinese name or English key), None when unknown."""
    return ROLE_NAMES.get(raw.strip().replace(" ", ""), ROLE_NAMES.get(raw.strip().lower()))


def may_grant(actor_areas: tuple[tuple[str, str], ...], unrestricted: bool, area_code: str | None) -> bool:
    """True when an admin with this scope may give a user this area (None: everything, only for unrestricted
    admins). An admin never grants an area wider than their own."""
    if unrestricted:
        return True
    if area_code is None:
        return False
    return any(contains(code, level, area_code) for code, level in actor_areas)
