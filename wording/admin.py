"""Words of the administration pages: the audit log's objects and actions."""
from __future__ import annotations

from flask_babel import gettext as _

from wording.common import LEVEL_LABELS
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


def entity_key_text(entity: str, key: str) -> str:
    """An entry's key as shown: the demo's "<scale>:<seed>" in words (县 示范数据，种子 1), any other as stored (a file
    name, a code, a user name: data)."""
    if entity == "demo":
        scale, _sep, seed = key.partition(":")
        if scale in LEVEL_LABELS and seed.isdigit():
            return _("%(scale)s demo, seed %(seed)s", scale=_(LEVEL_LABELS[scale]), seed=seed)
    return key


def object_label(key: str | None) -> str:
    """An object kind's words (— when the entity belongs to none)."""
    return _(OBJECT_LABELS[key]) if key in OBJECT_LABELS else "—"


PASSWORD_RULES = {
    "length": N_("Password rule: at least %(limit)s characters."),
    "too_long": N_("Password rule: at most %(limit)s characters."),
    "username": N_("Password rule: the password must not contain the user name."),
    "common": N_("Password rule: this is one of the most common passwords; choose another."),
}
USER_FIELDS = {
    "username": N_("User name"), "role": N_("Role"), "area": N_("Area or school code"), "team": N_("Team"),
    "current": N_("Current password"), "new": N_("New password"), "active": N_("Active"), "name": N_("Name"),
    "email": N_("E-mail"),
}
USER_REASONS = {
    "unknown role": N_("unknown role"),
    "needs the 10-digit code of an imported school": N_("needs the 10-digit code of an imported school"),
    "this role needs an area": N_("this role needs an area"),
    "not an imported area code": N_("not an imported area code"),
    "not a team of your area": N_("not a team of your area"),
    "1 to 64 characters without spaces": N_("1 to 64 characters without spaces"),
    "exists already": N_("exists already"),
    "not an e-mail address": N_("not an e-mail address"),
    "you cannot disable your own account": N_("you cannot disable your own account"),
    "the current password is wrong": N_("the current password is wrong"),
    "the new password must differ from the current one": N_("the new password must differ from the current one"),
    "outside your area, or a role or area wider than your own": N_(
        "outside your area, or a role or area wider than your own"),
    "appears twice in the file": N_("appears twice in the file"),
    "unknown team": N_("unknown team"),
    "empty": N_("empty"),
}


def password_rule(rule: str, limit: int = 0) -> str:
    """The message naming a broken password rule."""
    return _(PASSWORD_RULES[rule], limit=limit)


def user_reason(reason: str) -> str:
    """A reason a user form or row is refused, in the user's language (the key itself when unknown)."""
    return _(USER_REASONS[reason]) if reason in USER_REASONS else reason


def password_error(exc: Exception) -> str:
    """The message of a refused password change or user form: the rule broken, or the field and why."""
    problem = getattr(exc, "problem", None)
    if problem is not None:
        return password_rule(problem.rule, problem.limit)
    field = getattr(exc, "field", "")
    label = _(USER_FIELDS[field]) if field in USER_FIELDS else field
    return _("%(field)s: %(reason)s", field=label, reason=user_reason(getattr(exc, "reason", str(exc))))
