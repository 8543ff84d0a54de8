"""Personal data of minors (design.md: masked by default, revealing is a permission and audit-logged):
which roles see names, ID numbers and guardian phones, and how masked values look."""
from __future__ import annotations

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
