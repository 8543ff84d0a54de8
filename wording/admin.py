"""Words of the administration pages: the audit log's objects and actions."""
from __future__ import annotations

from flask_babel import gettext as _

from wording.i18n import N_

OBJECT_LABELS = {
    "visit": N_("Inspection visits"), "order": N_("Rectification orders"), "case": N_("Dropout cases"),
    "student": N_("Students and rosters"), "user": N_("Users"), "policy": N_("Target policies"),
    "area": N_("Areas, schools and zones"), "population": N_("Population, history and terms"),
    "checklist": N_("Checklists"),
}
ACTION_LABELS = {
    "insert": N_("Created"), "create": N_("Created"), "update": N_("Changed"), "delete": N_("Deleted"),
    "login": N_("Signed in"), "import": N_("Imported"), "import_refused": N_("Import refused"),
    "export": N_("Exported"), "download": N_("Downloaded"), "reveal_phone": N_("Revealed a phone number"),
    "reveal_id_number": N_("Revealed an ID number"), "reveal_id": N_("Revealed an ID number"),
    "sign": N_("Signed off"), "reopen": N_("Reopened"), "issue": N_("Issued"), "start": N_("Started"),
    "submit": N_("Submitted"), "return": N_("Returned"), "verify_close": N_("Verified and closed"),
    "edit": N_("Edited"), "remove_evidence": N_("Removed evidence"), "open_from_roster": N_("Opened from roster"),
    "withdraw_term": N_("Withdrew a term"), "seed": N_("Loaded the demo"),
    "rename": N_("Renamed"), "close": N_("Closed a school"), "merge": N_("Merged a school"),
    "move": N_("Moved a school"),
    "publish": N_("Published a period"), "unpublish": N_("Withdrew a publication"), "export": N_("Exported"),
    "backup": N_("Backed up"), "restore": N_("Restored"), "demo_disabled": N_("Disabled the demo accounts"),
}
SYSTEM_ACTORS = {"first-run": N_("System (first run)"), "system": N_("System")}


def actor_name(actor: str) -> str:
    """Who acted: a user's name, or the system and the command line in words (the export keeps the raw name)."""
    if actor in SYSTEM_ACTORS:
        return _(SYSTEM_ACTORS[actor])
    if actor.startswith("cli:"):
        return _("Command line")
    return actor


def action_label(action: str) -> str:
    """An action's words (the raw key for actions without a label)."""
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def object_label(key: str | None) -> str:
    """An object kind's words (— when the entity belongs to none)."""
    return _(OBJECT_LABELS[key]) if key in OBJECT_LABELS else "—"
