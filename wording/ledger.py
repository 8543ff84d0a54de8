"""How ledger and agreement values read, in the user's language (the pages and the .xlsx export share it)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import gettext as _

from wording.i18n import N_
from wording.cases import (ATTEMPT_LABELS, CASE_STATUS_LABELS, CLOCK_COLORS, CLOCK_LABELS,  # noqa: F401
                                  GROUP_LABELS, LEDGER_LABELS, OUTCOME_LABELS, REASON_LABELS, SOURCE_LABELS,
                                  STEP_LABELS)

LEDGER_TAB_LABELS = {"children": N_("School-age children"), "suspected": N_("Suspected dropouts"),
                     "confirmed": N_("Confirmed dropouts")}
UNSPECIFIED_REASON = N_("Reason not yet determined")
ROSTER_STATUS_LABELS = {"在读": N_("Attending (在读)"), "休学": N_("Suspended (休学)"),
                        "送教上门": N_("Home teaching (送教上门)"), "辍学": N_("Dropped out (辍学)"),
                        "转出": N_("Transferred out (转出)"), "毕业": N_("Graduated (毕业)"),
                        "死亡": N_("Deceased (死亡)")}
KIND_LABELS = {
    "confirmed_enrolled": N_("Confirmed dropout, roster says 在读"),
    "dropout_no_case": N_("辍学 on the roster, no case"),
    "returned_still_dropout": N_("Case closed as back in school, roster still 辍学"),
    "gone_still_enrolled": N_("Case closed as deceased or transferred, roster still 在读"),
    "graduate_lost": N_("Grade-6 graduate on no junior roster (小升初)"),
    "population_gap": N_("Survey children not found on any roster"),
    "poverty_unflagged": N_("Poor family on the roster, not marked on the case"),
}
KIND_ADVICE = {
    "confirmed_enrolled": N_("Check whether the child is in class: if back, record the outcome \"returned\"; if "
                             "not, correct the roster to 辍学 (otherwise it is a ghost enrolment)."),
    "dropout_no_case": N_("Open a case in the confirmed ledger and start persuasion to return."),
    "returned_still_dropout": N_("If the child attends, correct the roster to 在读; if not, open a new case."),
    "gone_still_enrolled": N_("Update the roster (转出 or 死亡), or reopen the case if its outcome was wrong."),
    "graduate_lost": N_("Graduated from grade 6 in spring and on no roster this autumn: find out where the child "
                        "studies, and open a suspected case if nowhere."),
    "population_gap": N_("Visit the households: find each child, enrol them, or record where they study."),
    "poverty_unflagged": N_("Add the registered poor family group to the case (it counts toward the "
                            "special-group target)."),
}
KIND_COLORS = {"confirmed_enrolled": "danger", "dropout_no_case": "danger", "returned_still_dropout": "warning",
               "gone_still_enrolled": "warning", "graduate_lost": "danger", "population_gap": "info",
               "poverty_unflagged": "secondary"}


def label(labels: Mapping, key: object) -> str:
    """The translated label of a key (— for none; the key itself when unknown)."""
    if key is None or key == "":
        return "—"
    text = labels.get(key)
    return _(text) if text else str(key)


def labels_of(labels: Mapping, keys: Iterable[str], sep: str = "、") -> str:
    """Several labels joined (— for none)."""
    items = [label(labels, k) for k in keys]
    return sep.join(items) if items else "—"


def step_text(step: int) -> str:
    """The step number and its name ("4 Return ordered by a deadline")."""
    return f"{step} {label(STEP_LABELS, step)}" if step in STEP_LABELS else label(STEP_LABELS, step)


def reason_text(reason: str | None) -> str:
    """A case's reason, or that it is not yet determined."""
    return label(REASON_LABELS, reason) if reason and reason != "unspecified" else _(UNSPECIFIED_REASON)


def roster_status(value: str | None) -> str:
    """A roster status (在读 …) for reading."""
    return label(ROSTER_STATUS_LABELS, value)
