"""How inspection values, findings, refusals and history entries read, in the user's language
(the pages, the visit report and the download routes share it)."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from domain.inspection.rules import SignOffGap
from domain.inspection.views import StudentChoice
from domain.localtime import LOCAL_TZ
from wording.i18n import N_, current_language


RESULT_LABELS = {"pass": N_("Pass"), "fail": N_("Fail"), "na": N_("Not applicable")}
RESULT_BUTTONS = {"pass": N_("Pass"), "fail": N_("Fail"), "na": N_("N/A")}  # short, for the buttons
ABSENCE_LABELS = {"事假": N_("Personal leave"), "病假": N_("Sick leave"), "辍学": N_("Dropped out"),
                  "转学": N_("Transferred"), "不明": N_("Unexplained")}
OUTCOME_LABELS = {"attending": N_("Confirmed attending"), "not_attending": N_("Not attending"),
                  "unreachable": N_("Unreachable"), "wrong_number": N_("Wrong number"), "no_number": N_("No number")}
ROLE_LABELS = {"principal": N_("Principal"), "teacher": N_("Teacher"), "student": N_("Student"),
               "parent": N_("Parent"), "village_cadre": N_("Village cadre"),
               "township_official": N_("Township official")}
METHOD_LABELS = {"file_review": N_("File review"), "head_count": N_("Head count"), "phone_check": N_("Phone check"),
                 "interview": N_("Interviews"), "manual": N_("Entered by hand")}
KIND_LABELS = {"work_gap": N_("Work not in place"), "absence": N_("Unexplained absence"),
               "false_data": N_("False data"), "suspected_dropout": N_("Suspected dropout"), "other": N_("Other")}
FALSE_DATA_LABELS = {"ghost_enrolment": N_("Ghost enrolment"), "concealed_dropout": N_("Concealed dropout")}
SEVERITY_LABELS = {"low": N_("Minor"), "medium": N_("Serious"), "high": N_("Grave")}
SEVERITY_COLORS = {"low": "secondary", "medium": "warning", "high": "danger"}
STATUS_LABELS = {"draft": N_("Draft"), "signed": N_("Signed off")}
COVERAGE_LABELS = {"done": N_("Inspected"), "done_late": N_("Inspected late"), "in_progress": N_("In progress"), "overdue": N_("Overdue"),
                   "due": N_("Not yet inspected")}
COVERAGE_COLORS = {"done": "success", "done_late": "warning", "in_progress": "info", "overdue": "danger", "due": "secondary"}
TEAM_ROLE_LABELS = {"leader": N_("Team leader"), "member": N_("Member"), "former": N_("Former member")}

ERRORS = {
    "stale_page": N_("This page is out of date: reload it."),
    "no_school": N_("Pick at least one school."),
    "school_not_in_township": N_("Pick schools of the township being visited."),
    "member_not_on_team": N_("Members present must be on the zone's team."),
    "bad_date": N_("Enter a valid date."),
    "unknown_term": N_("Pick a term."),
    "date_outside_term": N_("The date must lie in the term (%(start)s to %(end)s)."),
    "school_has_records": N_("A school with head counts or calls cannot be removed; clear them first."),
    "bad_value": N_("That value cannot be saved."),
    "bad_count": N_("Enter a number between 0 and 999."),
    "student_not_in_class": N_("Pick a student of this class from the roster."),
    "already_absent": N_("This student is recorded absent already."),
    "bad_sample_size": N_("The sample size must be between 1 and %(max)s."),
    "calls_made": N_("Calls have been recorded: the sample can no longer be redrawn."),
    "false_data_type_required": N_("Say which kind of false data."),
    "description_required": N_("Describe the finding."),
    "school_not_in_visit": N_("Pick one of the visit's schools."),
    "generated_finding": N_("This finding follows its records: change the records instead."),
    "not_signed": N_("The visit is not signed off."),
    "same_day_visit": N_("This township already has a visit on %(date)s (visit %(id)s). Press Start the visit "
                         "again to make a second one."),
    "sign_gaps_reason": N_("The visit is incomplete: give the reason for signing it off now."),
    "reason_required": N_("Give the reason for reopening."),
    "zone_name_taken": N_("There is a zone called %(name)s already."),
    "name_required": N_("Enter a name (at most 50 characters)."),
    "township_in_other_zone": N_("%(township)s belongs to %(zone)s: take it out there first."),
    "user_on_other_team": N_("%(user)s is on %(team)s already."),
    "zone_has_visits": N_("This zone has visits and cannot be deleted."),
    "too_large": N_("The file is larger than %(limit)s."),
    "empty": N_("The file is empty."),
    "bad_type": N_("Only PDF, JPG, PNG, DOCX and XLSX files are accepted."),
    "type_mismatch": N_("The file's content does not match its name."),
}


def label(labels: dict[str, str], key: str | None) -> str:
    """A translated label of a value ("—" for none)."""
    return _(labels[key]) if key in labels else "—"


def error_text(code: str, params: dict | None = None) -> str:
    """The message of a refused value."""
    return _(ERRORS.get(code, ERRORS["bad_value"]), **(params or {}))


def local_time(value: dt.datetime | None) -> str:
    """A stored UTC time as local time, e.g. 2026-09-15 14:05."""
    if value is None:
        return "—"
    return value.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def conflict_text(by: str, at: dt.datetime | None) -> str:
    """Why a save was refused: somebody else saved first."""
    return _("%(name)s changed this visit at %(time)s. Your last change was not saved: reload the page to see "
             "the visit as it is now, then make your change again.", name=by or _("someone"), time=local_time(at))


def locked_text() -> str:
    """Why a save was refused: the visit is signed off."""
    return _("This visit is signed off and read-only. The team leader can reopen it.")


def class_text(grade: int, class_name: str) -> str:
    """3年级2班, or Grade 3, 2班."""
    return f"{grade}年级{class_name}" if current_language() == "zh" else _("Grade %(grade)s, %(cls)s",
                                                                        grade=grade, cls=class_name)


def finding_headline(kind: str, false_data_type: str | None) -> str:
    """False data · Ghost enrolment, or the kind alone."""
    head = label(KIND_LABELS, kind)
    return f"{head} · {label(FALSE_DATA_LABELS, false_data_type)}" if false_data_type else head


def finding_detail(method: str, kind: str, subject: str, count: int | None, description: str) -> str:
    """What a finding says, from its method and records."""
    parts: list[str] = []
    if method == "file_review":
        parts.append(_("Checklist item failed: %(item)s", item=subject))
    elif kind == "false_data" and count:
        parts.append(_("%(cls)s: %(count)s student(s) on the roster nobody can account for", cls=subject,
                       count=count))
    elif method == "head_count" and kind == "absence":
        parts.append(_("%(who)s absent without explanation", who=subject))
    elif method == "head_count":
        parts.append(_("%(who)s said to have dropped out but enrolled on the roster", who=subject))
    elif method == "phone_check":
        parts.append(_("%(who)s: the guardian says the child is not attending school", who=subject))
    elif subject:
        parts.append(subject)
    if description:
        parts.append(description)
    return " — ".join(parts)


def history_text(action: str, d: dict) -> str:
    """One audit entry of a visit, as a short sentence."""
    if action == "create":
        return _("Visit created")
    if action == "sign":
        return _("Signed off")
    if action == "reopen":
        return _("Reopened: %(reason)s", reason=d.get("reason", ""))
    if action == "download":
        return _("Report downloaded")
    if action == "reveal_phone":
        return _("Guardian phone of call %(n)s revealed", n=d.get("call", "?"))
    section = d.get("section")
    if section == "header":
        names = {"date": _("Date"), "members": _("Members present"), "schools": _("Schools visited")}
        return _("%(field)s changed", field=names.get(d.get("field"), d.get("field", "")))
    if section == "file_review":
        method = _("File review")
        text = f"{method}: {d.get('item', '')} → {label(RESULT_LABELS, d.get('result'))}"
        return f"{text} ({d['note']})" if d.get("note") else text
    if section == "head_count":
        if "present" in d:
            return _("Head count: %(n)s present in class %(cls)s", n=d["present"] if d["present"] is not None
                     else "—", cls=d.get("class", ""))
        if "absent" in d:
            return _("Head count: absence recorded (%(reason)s)", reason=label(ABSENCE_LABELS, d.get("reason")))
        return _("Head count: absence removed")
    if section == "phone_check":
        if "seed" in d:
            return _("Phone sample drawn: %(size)s calls, seed %(seed)s", size=d.get("size"), seed=d.get("seed"))
        return _("Call %(n)s: %(outcome)s", n=d.get("call"), outcome=label(OUTCOME_LABELS, d.get("outcome")))
    if section == "interview":
        if "added" in d:
            return _("Interview added")
        if "removed" in d:
            return _("Interview removed")
        return _("Interview %(n)s saved (%(role)s)", n=d.get("position"), role=label(ROLE_LABELS, d.get("role")))
    if section == "findings":
        if "added" in d:
            return _("Finding added: %(kind)s", kind=label(KIND_LABELS, d.get("added")))
        if "removed" in d:
            return _("Finding removed")
        return _("Finding severity: %(severity)s", severity=label(SEVERITY_LABELS, d.get("severity")))
    if section == "evidence":
        if "added" in d:
            return _("Evidence file added: %(name)s", name=d.get("added"))
        return _("Evidence file removed: %(name)s", name=d.get("removed"))
    if action == "update" and d:
        return _("Changed: %(fields)s", fields=", ".join(sorted(d)))
    return action


def file_size(size: int) -> str:
    """1.2 MB, 340 KB."""
    return f"{size / 1048576:.1f} MB" if size >= 1048576 else f"{max(1, round(size / 1024))} KB"


def gap_text(gap: SignOffGap) -> str:
    """One gap of a visit at sign-off, in the user's language."""
    if gap.method == "file_review":
        return _("File review: %(n)s of %(all)s checklist items not checked", n=gap.missing, all=gap.total)
    if gap.method == "head_count":
        return _("Head count: %(n)s of %(all)s classes not counted", n=gap.missing, all=gap.total)
    if gap.method == "phone_check":
        return _("Phone check: %(n)s of %(all)s calls without a result", n=gap.missing, all=gap.total)
    return _("Interviews: none recorded")


def student_choice(p: StudentChoice) -> str:
    """岩恩 · 男 · 2012-03-04: a student in the absence picker, told apart from others of the same name."""
    return " · ".join(x for x in (p.name, p.gender, p.birth_date.isoformat() if p.birth_date else "") if x)
