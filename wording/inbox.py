"""How the inbox's items read, in the user's language: what each kind asks of the user."""
from __future__ import annotations

from flask_babel import gettext as _

from domain.inbox.views import InboxItem
from wording.i18n import N_

KIND_TITLES = {
    "order_overdue": N_("Rectification order past its deadline"),
    "order_new": N_("New rectification order to answer"),
    "order_returned": N_("Rectification order returned: more work needed"),
    "order_verify": N_("Rectification order submitted: verify it"),
    "case_overdue": N_("Case step overdue"),
    "case_due": N_("Case step due"),
    "visit_sign": N_("Visit waiting for your sign-off"),
    "import_refused": N_("Import refused: correct the file and import it again"),
    "roster_missing": N_("Roster missing for this term"),
    "accountability_due": N_("Record what was done about a unit summoned or held accountable"),
    "report_missing": N_("Report not sent: its deadline has passed"),
    "report_due": N_("Report due"),
    "draft_ready": N_("Draft ready to check and issue"),
}
KIND_ICONS = {"order_overdue": "alarm", "order_new": "envelope-exclamation", "order_returned": "arrow-return-left",
              "order_verify": "patch-question", "case_overdue": "alarm", "case_due": "hourglass-split",
              "visit_sign": "pen", "import_refused": "file-earmark-x", "roster_missing": "file-earmark-plus",
              "accountability_due": "people", "report_missing": "alarm", "report_due": "send",
              "draft_ready": "file-earmark-text"}
DATE_WORDS = {"order_overdue": N_("deadline %(date)s"), "case_overdue": N_("due %(date)s"),
              "case_due": N_("due %(date)s"), "visit_sign": N_("visited %(date)s"),
              "roster_missing": N_("term began %(date)s"), "accountability_due": N_("published %(date)s"),
              "report_missing": N_("deadline %(date)s"), "report_due": N_("deadline %(date)s"),
              "draft_ready": N_("drafted %(date)s")}
RECEIVED = N_("received %(date)s")


def item_title(item: InboxItem) -> str:
    """What the item asks of the user."""
    return _(KIND_TITLES.get(item.kind, item.kind))


def item_detail(item: InboxItem, kind_name: str = "") -> str:
    """What it is about, where, and its date ("deadline 2026-12-01", "received 2026-11-28")."""
    date = item.when.isoformat() if item.when else ""
    template = DATE_WORDS.get(item.kind, RECEIVED)
    when = _(template, date=date) if date else ""
    if item.kind == "roster_missing" and item.count > 1:
        about = _("%(count)s schools, e.g. %(school)s", count=item.count, school=item.subject)
    elif item.kind == "import_refused":
        about = f"{item.subject} · {kind_name or item.place}"
    elif item.kind == "visit_sign":
        about = item.place
    else:
        about = f"{item.subject} · {item.place}"
    return " · ".join(x for x in (about, when) if x)


REPORT_STATES = ("missing", "late", "due", "open", "on_time")
_STATE_NAMES = {"on_time": N_("sent on time"), "late": N_("sent late"), "missing": N_("not sent"),
                "due": N_("due soon"), "open": N_("open")}


def report_state_name(state: str) -> str:
    """A report's state in the user's language."""
    return _(_STATE_NAMES.get(state, _STATE_NAMES["open"]))


_DUTY_REFUSED = {"unknown_duty": N_("This reporting duty no longer exists."),
                 "unknown_period": N_("This period has not begun yet, or is unknown."),
                 "already_sent": N_("This report has been sent already."),
                 "invalid": N_("The notes are too long (2,000 characters at most)."),
                 "unknown_county": N_("This county is unknown.")}


def duty_refused_text(code: str) -> str:
    """Why a report (or a duty) was refused, in the user's language."""
    return _(_DUTY_REFUSED.get(code, _DUTY_REFUSED["unknown_duty"]))
