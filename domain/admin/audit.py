"""The audit log viewer's vocabulary: the kinds of object a user filters by (each a set of audited tables and
import kinds), the actions the app writes, and which of them disclose a minor's personal data."""
from __future__ import annotations

import datetime as dt

from domain.admin.views import AuditFilter
from domain.privacy import mask_id_number, mask_name, mask_phone, may_reveal, may_see_names

OBJECTS: dict[str, tuple[str, ...]] = {
    "visit": ("inspection_visit", "visit_school", "visit_member", "file_review_result", "head_count",
              "head_count_absence", "phone_call", "interview", "evidence_file", "finding"),
    "order": ("rectification_order", "order_event", "order_evidence"),
    "case": ("dropout_case", "case_event", "case_attempt", "school_age_ledger"),
    "student": ("student", "roster_record", "roster"),
    "user": ("app_user",),
    "policy": ("target_policy", "target"),
    "area": ("area", "school", "boundary", "zone", "zone_township", "team", "team_member", "areas", "schools",
             "boundaries"),
    "population": ("population", "enrollment_history", "term", "term_calendar", "poverty", "poverty_member",
                   "poverty_check"),
    "checklist": ("checklist_template", "checklist_item"),
}
PERSONAL_ACTIONS: tuple[str, ...] = ("reveal_phone", "reveal_id_number", "reveal_id")
# exports of these entities hand out ID numbers or guardian phones: listed with the reveals
PERSONAL_EXPORTS: tuple[str, ...] = ("roster",)
KNOWN_ACTIONS: tuple[str, ...] = (
    "insert", "update", "delete", "create", "login", "import", "import_refused", "export", "download",
    "reveal_phone", "reveal_id_number", "sign", "reopen", "issue", "start", "submit", "return", "verify_close",
    "edit", "remove_evidence", "open_from_roster", "withdraw_term", "seed")
PAGE_SIZE = 50
COUNT_CAP = 10_000     # pages count at most this many rows exactly (the log can hold millions)
EXPORT_MAX = 50_000    # rows in one .xlsx export


def object_of(entity: str) -> str | None:
    """The object kind an audited entity belongs to (None for the rest)."""
    return next((k for k, tables in OBJECTS.items() if entity in tables), None)


class FilterInvalid(ValueError):
    """A filter value that cannot be used; `field` names it."""

    def __init__(self, field: str, value: str) -> None:
        """Keep the field and the value that cannot be used."""
        super().__init__(f"{field}: {value!r}")
        self.field, self.value = field, value


def _day(field: str, value: str | None) -> dt.date | None:
    """A local day from an ISO date (FilterInvalid naming the field otherwise)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise FilterInvalid(field, str(value)) from None


def parse_filter(user: str | None, area: str | None, objects: list[str] | str | None, action: str | None,
                 date_from: str | None, date_to: str | None, reveals: bool = False) -> AuditFilter:
    """A checked filter from browser or query values (FilterInvalid names the first bad field)."""
    if isinstance(objects, str):
        objects = [o for o in objects.split(",") if o]
    objects = list(objects or [])
    if user and len(user) > 64:
        raise FilterInvalid("user", user[:64])
    if area and not (len(area) == 12 and area.isdigit()):
        raise FilterInvalid("area", area)
    for o in objects:
        if o not in OBJECTS:
            raise FilterInvalid("object", o)
    if action and action not in KNOWN_ACTIONS:
        raise FilterInvalid("action", action)
    first, last = _day("from", date_from), _day("to", date_to)
    if first and last and first > last:
        raise FilterInvalid("to", str(date_to))
    return AuditFilter((user or "").strip() or None, area or None, tuple(objects), action or None, first, last,
                       bool(reveals))


ID_KEYS = frozenset({"id_number"})
PHONE_KEYS = frozenset({"guardian_phone", "phone"})
NAME_KEYS = frozenset({"guardian_name", "student_name", "child_name"})


def mask_change(value: object, entity: str, role: str) -> object:
    """Before/after values as the role may see them: ID numbers, phones and children's names masked
    (domain.privacy) for roles that may not reveal them."""
    if may_reveal(role) or not isinstance(value, dict):
        return value
    names = NAME_KEYS | ({"name"} if entity == "student" else set())
    out: dict[str, object] = {}
    for key, item in value.items():
        if key in ID_KEYS and isinstance(item, str):
            out[key] = mask_id_number(item)
        elif key in PHONE_KEYS and isinstance(item, str):
            out[key] = mask_phone(item)
        elif key in names and isinstance(item, str) and not may_see_names(role):
            out[key] = mask_name(item)
        else:
            out[key] = mask_change(item, entity, role) if isinstance(item, dict) else item
    return out
