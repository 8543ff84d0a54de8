"""Personal data of minors (design.md: masked by default, revealing is a permission and audit-logged):
which roles see names, ID numbers and guardian phones, and how masked values look."""
from __future__ import annotations

import re

from stdnum.cn import ric

from domain.imports.parsing import id_birth_date

_EMBEDDED_ID = re.compile(r"[GL](\d{17}[\dX])")

# Roles that work cases with families and so see children's names; the others see them masked.
NAME_ROLES = frozenset({"school_staff", "township_officer", "inspector", "admin"})
# Roles that may reveal an ID number or a guardian phone (each reveal written to the audit log).
REVEAL_ROLES = frozenset({"school_staff", "township_officer", "admin"})


def may_see_names(role: str) -> bool:
    """True when the role sees children's names unmasked."""
    return role in NAME_ROLES


def may_reveal(role: str) -> bool:
    """True when the role may reveal ID numbers and guardian phones (audit-logged)."""
    return role in REVEAL_ROLES


def mask_name(name: str | None) -> str:
    """A name as 张* or 欧阳** (the family name kept; — when there is none)."""
    if not name:
        return "—"
    name = name.strip()
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * max(1, len(name) - keep)


def mask_id_number(value: str | None) -> str:
    """An ID number as 532822********123X (region and last four kept; — when there is none)."""
    if not value:
        return "—"
    value = value.strip()
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}" if len(value) > 10 else "****"


def mask_phone(phone: str | None) -> str:
    """A phone number as 138****5893 (— when there is none)."""
    if not phone:
        return "—"
    phone = phone.strip()
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "****"


def embedded_id_number(student_no: str | None) -> str | None:
    """The resident ID number inside a national student number (G or L + the 18-character ID), or None.

    Such a student number is that ID number: masked wherever it is shown, revealed like an ID number. An ID number
    is what an import accepts as one (parse_id_number): its checksum and birth date, not its birth place, so a number
    born in a division python-stdnum's list lacks (new or renamed since) is masked all the same — and no page loads
    that list (0.2 s the first time a process looked)."""
    if not student_no:
        return None
    found = _EMBEDDED_ID.fullmatch(student_no.strip().upper())
    if found is None:
        return None
    number = found.group(1)
    return number if ric.calc_check_digit(number) == number[17] and id_birth_date(number) is not None else None


def mask_student_no(student_no: str | None, see_names: bool = True) -> str:
    """A national student number as a role may see it: one that embeds an ID number is always masked like the
    ID number (G532822********123X); others are masked only for roles that do not see names (G53282**…34)."""
    if not student_no:
        return "—"
    if embedded_id_number(student_no):
        return student_no[0] + mask_id_number(student_no[1:])
    if see_names:
        return student_no
    return student_no[:6] + "*" * max(1, len(student_no) - 8) + student_no[-2:] if len(student_no) > 8 else "****"

