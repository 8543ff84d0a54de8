"""How rectification orders read in the user's language: statuses, actions, history entries, refusals
(the pages and the notice download share it)."""
from __future__ import annotations

import datetime as dt
import json

from flask_babel import gettext as _

from wording.inspection import error_text as inspection_error_text
from wording.inspection import label, local_time
from wording.i18n import N_, current_language

STATUS_LABELS = {"issued": N_("Issued"), "in_progress": N_("Being rectified"),
                 "submitted": N_("Awaiting verification"), "returned": N_("Returned"), "closed": N_("Closed")}
STATUS_COLORS = {"issued": "secondary", "in_progress": "info", "submitted": "primary", "returned": "warning",
                 "closed": "success"}
STATUS_ICONS = {"issued": "send", "in_progress": "tools", "submitted": "inbox", "returned": "arrow-return-left",
                "closed": "check2-circle"}
# the words of "An order that is … cannot be …"
STATUS_WORDS = {"issued": N_("newly issued"), "in_progress": N_("being rectified"),
                "submitted": N_("awaiting verification"), "returned": N_("returned for more work"),
                "closed": N_("closed")}
ACTION_WORDS = {"issue": N_("issued again"), "start": N_("started"), "submit": N_("submitted for verification"),
                "return": N_("sent back"), "verify_close": N_("verified and closed"), "edit": N_("changed")}
ACTION_BUTTONS = {"start": N_("Start rectification"), "submit": N_("Submit for verification"),
                  "return": N_("Return for more work"), "verify_close": N_("Verify and close")}
EVENT_TEXTS = {"issue": N_("Order issued"), "start": N_("Rectification started"),
               "submit": N_("Submitted for verification"), "return": N_("Returned for more work"),
               "verify_close": N_("Verified and closed"), "edit": N_("Order changed")}
EVENT_ICONS = {"issue": "send", "start": "tools", "submit": "inbox", "return": "arrow-return-left",
               "verify_close": "check2-circle", "edit": "pencil"}
EVENT_COLORS = {"issue": "secondary", "start": "info", "submit": "primary", "return": "warning",
                "verify_close": "success", "edit": "dark"}

ERRORS = {
    "illegal_transition": N_("An order that is %(status)s cannot be %(action)s."),
    "explanation_required": N_("Explain what was done."),
    "return_reason_required": N_("Give the reason for returning it."),
    "evidence_required": N_("Add at least one evidence file before submitting."),
    "title_required": N_("Enter a title."),
    "requirement_required": N_("Enter the requirement."),
    "deadline_past": N_("The deadline cannot be in the past."),
    "deadline_too_far": N_("The deadline must be within a year."),
    "too_long": N_("At most %(limit)s characters."),
    "order_school_not_in_township": N_("Pick a school of this township."),
    "visit_not_signed": N_("Orders are issued from signed-off visits: the team leader signs the visit off first."),
    "finding_has_open_order": N_("This finding already has an open order (No. %(order)s)."),
    "evidence_not_now": N_("Evidence can be added while the order is being rectified."),
    "evidence_submitted": N_("This file was handed in with a submission and stays."),
    "too_many_files": N_("At most %(limit)s files per order."),
}


def status_label(status: str | None) -> str:
    """Issued, Being rectified, … (translated)."""
    return label(STATUS_LABELS, status)


def error_text(code: str, params: dict | None = None) -> str:
    """The message of a refused value or step."""
    params = dict(params or {})
    if code == "illegal_transition":
        return _(ERRORS[code], status=label(STATUS_WORDS, params.get("status")),
                 action=label(ACTION_WORDS, params.get("action")))
    if code in ERRORS:
        return _(ERRORS[code], **params)
    return inspection_error_text(code, params)


def conflict_text(by: str, at: dt.datetime | None) -> str:
    """Why a step was refused: somebody else changed the order first."""
    return _("%(name)s changed this order at %(time)s. Your change was not saved: reload the page to see the "
             "order as it is now.", name=by or _("someone"), time=local_time(at))


def long_date(day: dt.date) -> str:
    """2026年11月22日, or 22 November 2026."""
    if current_language() == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day.strftime('%B %Y')}"


def event_text(action: str, note: str) -> tuple[str, str]:
    """(headline, detail) of a history entry; an edit's note holds what changed (JSON)."""
    head = label(EVENT_TEXTS, action) if action in EVENT_TEXTS else action
    if action != "edit":
        return head, note
    try:
        d = json.loads(note or "{}")
    except ValueError:
        return head, note
    parts = []
    if isinstance(d, dict) and isinstance(d.get("deadline"), list) and len(d["deadline"]) == 2:
        parts.append(_("Deadline %(old)s → %(new)s", old=d["deadline"][0], new=d["deadline"][1]))
    if isinstance(d, dict) and d.get("requirement"):
        parts.append(_("Requirement changed"))
    if isinstance(d, dict) and d.get("reason"):
        parts.append(str(d["reason"]))
    return head, "; ".join(parts)


def overdue_text(days: int) -> str:
    """Overdue by N days."""
    return _("%(n)s days overdue", n=days)


def rate_text(rate: float | None) -> str:
    """85.0%, or — when no order is due yet."""
    return "—" if rate is None else f"{rate:.1f}%"
