"""How dropout case values, refusals and history entries read, in the user's language (the case page
and the ledger pages share it)."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from wording.inspection import label, local_time
from wording.i18n import N_, current_language

LEDGER_LABELS = {"suspected": N_("Suspected dropout"), "confirmed": N_("Confirmed dropout")}
LEDGER_COLORS = {"suspected": "warning", "confirmed": "danger"}
CASE_STATUS_LABELS = {"open": N_("Case open"), "outcome": N_("Outcome recorded, awaiting verification"),
                      "closed": N_("Closed (verified)")}
CASE_STATUS_COLORS = {"open": "primary", "outcome": "info", "closed": "success"}
STEP_LABELS = {1: N_("School contacts the family"), 2: N_("Village committee helps"),
               3: N_("Reported to the township"), 4: N_("Return ordered by a deadline"),
               5: N_("Administrative penalty"), 6: N_("Judicial proceedings")}
STEP_HINTS = {1: N_("The teacher reports the absence the same day; the school phones or visits the home."),
              2: N_("Not back within 3 working days: the school asks the village committee to help."),
              3: N_("Still not back: reported to the township government and education office."),
              4: N_("The township criticises and orders a return by a deadline (return notices)."),
              5: N_("Still not back: administrative penalty decision."),
              6: N_("Still not back: judicial documents (support for a lawsuit).")}
REASON_LABELS = {"study_difficulty": N_("Dislikes school / learning difficulties"), "migrant_work": N_("Left to work"),
                 "poverty": N_("Family financial hardship"), "parents_attitude": N_("Parents' attitude"),
                 "no_guardian": N_("No guardian / left behind"), "disability_illness": N_("Disability or illness"),
                 "early_marriage": N_("Early marriage or childbirth"),
                 "language": N_("Language or weak foundation"), "other": N_("Other")}
GROUP_LABELS = {"poverty_registered": N_("Lifted-out-of-poverty family"), "dibao": N_("Subsistence allowance (dibao)"),
                "disabled": N_("Disabled"), "left_behind": N_("Left-behind child"), "migrant": N_("Migrant child"),
                "orphan": N_("Orphan or de facto unsupported"), "prisoner_child": N_("Child of a prisoner")}
OUTCOME_LABELS = {"returned": N_("Returned to school"), "home_teaching": N_("Home-delivered teaching"),
                  "transferred": N_("Verified transfer / studying elsewhere"), "over_age": N_("Over age"),
                  "deceased": N_("Deceased"), "not_dropout": N_("Not a dropout (verified attending)")}
SOURCE_LABELS = {"school_report": N_("School report"), "head_count": N_("Inspection head count"),
                 "phone_check": N_("Inspection phone check"), "roster_import": N_("Roster import (辍学)"),
                 "comparison": N_("Registry comparison"), "manual": N_("Entered by hand"),
                 "transition": N_("Primary to junior (小升初)")}
ATTEMPT_LABELS = {"phone": N_("Phone call"), "home_visit": N_("Home visit"), "school_talk": N_("Talk at school"),
                  "village_committee": N_("Village committee"), "township": N_("Township officials"),
                  "other": N_("Other")}
CLOCK_LABELS = {"running": N_("Running"), "due": N_("Due"), "overdue": N_("Overdue"), "done": N_("Done"),
                "waiting": N_("Not yet"), "stopped": N_("Clock stopped"), "last": N_("No time limit"), "none": N_("No deadline")}
CLOCK_ICONS = {"running": "hourglass-split", "due": "alarm", "overdue": "exclamation-triangle-fill",
               "done": "check-circle-fill", "waiting": "circle", "stopped": "pause-circle", "last": "dash-circle"}
CLOCK_COLORS = {"running": "primary", "due": "warning", "overdue": "danger", "done": "success",
                "waiting": "secondary", "stopped": "info", "last": "secondary", "none": "secondary"}
EVENT_LABELS = {"open": N_("Case opened"), "confirm": N_("Confirmed as dropout"), "escalate": N_("Escalated"),
                "record_outcome": N_("Outcome recorded"), "reject_outcome": N_("Sent back: still not back"),
                "close": N_("Verified and closed"), "reopen": N_("Reopened"), "notice": N_("Notice generated"),
                "edit": N_("Details changed"), "attempt": N_("Persuasion attempt recorded")}
FIELD_LABELS = {"reason": N_("Reason"), "reason_note": N_("About the reason"), "special_groups": N_("Special groups"),
                "gov_responsible": N_("Responsible person (government line)"),
                "edu_responsible": N_("Responsible person (education line)"), "helper": N_("Pairing helper"),
                "plan": N_("One-student plan"), "absence_days": N_("Absence days")}
NOTICE_LABELS = {"return-order": N_("Return order (限期复学通知书)"),
                 "urge-return": N_("Urging notice (敦促辍学学生返校通知书)"),
                 "penalty-draft": N_("Penalty decision, draft (行政处罚决定书)"),
                 "prosecution-support": N_("Letter supporting a lawsuit, draft (支持起诉函)")}

CASE_ERRORS = {
    "role_may_not": N_("Your role may not do this."),
    "school_step_limit": N_("Schools escalate up to step %(step)s; the township takes the case on from step 3."),
    "closed_read_only": N_("This case is closed: reopen it before changing it."),
    "closed_no_attempt": N_("A closed case takes no more attempts."),
    "outcome_no_attempt": N_("An outcome is recorded: send the case back before recording attempts."),
    "closed_no_confirm": N_("A closed case cannot be confirmed."),
    "outcome_no_confirm": N_("An outcome is recorded: the ledger can no longer change."),
    "already_confirmed": N_("The case is in the confirmed ledger already."),
    "closed_no_escalate": N_("A closed case cannot be escalated."),
    "outcome_no_escalate": N_("An outcome is recorded: verify and close the case, or send it back, before "
                              "escalating."),
    "last_step": N_("Step %(step)s is the last step."),
    "confirm_before_notice": N_("Confirm the dropout before the return order of step %(step)s."),
    "deadline_past": N_("The return deadline must be after today."),
    "bad_outcome": N_("Pick an outcome."),
    "not_dropout_confirmed": N_("\"Not a dropout\" is only for the suspected ledger: a confirmed dropout needs "
                                "another outcome."),
    "outcome_date_required": N_("Enter the date of the outcome."),
    "outcome_date_future": N_("The outcome date cannot be in the future."),
    "outcome_before_found": N_("The outcome date cannot be before the child was found (%(found)s)."),
    "closed_no_outcome": N_("A closed case cannot take another outcome."),
    "outcome_already": N_("An outcome is recorded already."),
    "no_outcome_to_reject": N_("There is no outcome to send back."),
    "reason_required": N_("Give the reason."),
    "already_closed": N_("The case is closed already."),
    "close_needs_outcome": N_("Record an outcome before closing the case."),
    "verify_days_short": N_("Only %(days)s school days since the return: the case can be closed on %(ready)s "
                            "(%(need)s school days), or now with an attendance record."),
    "attendance_checker_required": N_("Name who checked the attendance."),
    "attendance_dates_required": N_("Give the first and the last day of attendance checked."),
    "attendance_dates": N_("The attendance checked must lie between the return (%(returned)s) and today "
                           "(%(today)s)."),
    "attendance_short": N_("The attendance record covers %(days)s school days: at least %(need)s are needed."),
    "verification_note_required": N_("Say how the outcome was verified."),
    "reopen_only_closed": N_("Only a closed case can be reopened."),
    "unknown_action": N_("That action does not exist."),
    "student_has_open_case": N_("The child has another case that is not closed (no. %(id)s)."),
    "stale_page": N_("This page is out of date: reload it."),
    "bad_reason": N_("Pick a reason from the list."),
    "bad_groups": N_("Pick special groups from the list."),
    "name_too_long": N_("Names have at most %(max)s characters."),
    "text_too_long": N_("Texts have at most %(max)s characters."),
    "bad_absence_days": N_("Absence days must be a whole number from 0 to 999."),
    "attempt_date_required": N_("Enter the date of the attempt."),
    "attempt_date_future": N_("The attempt cannot be in the future."),
    "attempt_before_found": N_("The attempt cannot be before the child was found (%(found)s)."),
    "attempt_who_required": N_("Say who made the attempt."),
    "attempt_method_required": N_("Pick how the attempt was made."),
    "bad_date": N_("Enter a valid date."),
    "student_out_of_scope": N_("This child is not in your area."),
    "bad_source": N_("Unknown source of the case."),
    "bad_ledger": N_("Unknown ledger."),
    "bad_found_date": N_("Enter the date the child was found (not in the future)."),
    "bad_finding": N_("The finding does not concern this child."),
    "notice_before_step": N_("The notices come with step %(step)s."),
    "bad_value": N_("That value cannot be saved."),
}

DONE_TEXT = {"confirm": N_("Confirmed: the case is in the confirmed ledger."),
             "escalate": N_("Escalated to step %(step)s."), "record_outcome": N_("Outcome recorded."),
             "reject_outcome": N_("Sent back: the case is open again."), "close": N_("Verified and closed."),
             "reopen": N_("Reopened."), "save_fields": N_("Details saved."), "add_attempt": N_("Attempt recorded."),
             "unchanged": N_("Nothing changed.")}


def case_error(code: str, params: dict | None = None) -> str:
    """The message of a refused action or value."""
    return _(CASE_ERRORS.get(code, CASE_ERRORS["bad_value"]), **(params or {}))


def case_conflict(by: str, at: dt.datetime | None) -> str:
    """Why a change was refused: somebody else changed the case first."""
    if not by:
        return _("Somebody changed this case at the same moment. Your change was not saved: reload the page.")
    return _("%(name)s changed this case at %(time)s. Your change was not saved: reload the page to see the case "
             "as it is now, then make your change again.", name=by, time=local_time(at))


def step_name(step: int) -> str:
    """Step 4 · Return ordered by a deadline."""
    return _("Step %(n)s · %(name)s", n=step, name=_(STEP_LABELS[step]))


def joined(parts: list[str]) -> str:
    """A list in the user's language: 甲、乙 or A, B."""
    return ("、" if current_language() == "zh" else ", ").join(parts)


def groups_text(keys: tuple[str, ...] | list[str]) -> str:
    """Special groups as a list of labels (— when none)."""
    order = list(GROUP_LABELS)
    keys = sorted(keys, key=lambda k: order.index(k) if k in order else len(order))
    return joined([label(GROUP_LABELS, k) for k in keys]) if keys else "—"


def event_detail(action: str, from_step: int | None, to_step: int | None, detail: str) -> str:
    """What a history entry changed, in words."""
    if action == "escalate" and to_step:
        text = _("Step %(a)s → step %(b)s", a=from_step, b=to_step)
        return text + (" · " + _("return by %(date)s", date=detail) if detail else "")
    if action == "record_outcome" and detail:
        key, _sep, day = detail.partition(" ")
        return f"{label(OUTCOME_LABELS, key)} · {day}"
    if action == "close" and detail:
        key, _sep, days = detail.partition(" ")
        out = label(OUTCOME_LABELS, key)
        return out + (" · " + _("%(n)s school days attended", n=days) if days else "")
    if action == "open":
        return label(SOURCE_LABELS, detail) if detail else ""
    if action == "edit":
        return joined([label(FIELD_LABELS, k) for k in detail.split(",") if k])
    if action == "attempt":
        day, _sep, method = detail.partition(" ")
        return f"{day} · {label(ATTEMPT_LABELS, method)}"
    if action == "notice":
        kind, _sep, day = detail.partition(" ")
        return f"{label(NOTICE_LABELS, kind)} · " + _("return by %(date)s", date=day)
    return ""
