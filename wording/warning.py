"""How the early-warning list reads: each factor as words with its value ("超龄2岁；上学期缺课7天；双亲留守"), the
support kinds, the refusals."""
from __future__ import annotations

from flask_babel import gettext as _

from domain.warning.factors import Hit
from domain.warning.model import Contribution
from wording.i18n import N_

FACTOR_WORDS = {
    "overage": N_("%(n)s years over age"),
    "repeated": N_("repeated a grade (%(n)s)"),
    "returned": N_("returned after dropping out"),
    "suspended": N_("suspended before (休学)"),
    "absence": N_("absent %(n)s days this or last term"),
    "inspection_absence": N_("absent at inspection %(n)s times"),
    "transition": N_("school transition"),
    "poverty": N_("poverty-registered family"),
    "left_behind_two": N_("both parents away"),
    "left_behind_one": N_("one parent away"),
    "migrant": N_("migrant child"),
    "orphan": N_("orphan or without carer"),
    "disability": N_("disability"),
    "boarding": N_("boarding"),
    "churn": N_("changed school %(n)s times"),
}
FACTOR_NAMES = {
    "overage": N_("Over age for grade (years)"), "repeated": N_("Repeated grade (times)"),
    "returned": N_("Returned after dropping out"), "suspended": N_("Past suspension (休学)"),
    "absence": N_("Unexcused absence (days, this and last term)"),
    "inspection_absence": N_("Absent at inspection or phone check (times)"),
    "transition": N_("Transition (grade 6 spring, grade 7 autumn, grade 8 spring)"),
    "poverty": N_("Poverty-registered family"), "left_behind_two": N_("Left behind, both parents"),
    "left_behind_one": N_("Left behind, one parent"), "migrant": N_("Migrant child"),
    "orphan": N_("Orphan or without carer"), "disability": N_("Disability"), "boarding": N_("Boarding"),
    "churn": N_("School changes (times)"),
}
SUPPORT_WORDS = {"pairing": N_("Pairing helper (结对帮扶)"), "home_visit": N_("Home visit"),
                 "talk": N_("Talk with the family"), "plan": N_("Plan (一生一策)")}
ACTION_WORDS = {"absence": N_("Unexcused absence"), **SUPPORT_WORDS}
INPUT_WORDS = {"bad_date": N_("Enter the date (not in the future)."),
               "bad_days": N_("Enter the days absent, 1 to 200."),
               "bad_kind": N_("Choose what the school does.")}


class ListWords:
    """The list's words in the request's language, each phrase translated once per list (a translation costs
    ~20 µs: ten of them per pupil were 60% of a 700-pupil list's time): a pupil's factors as words with their values
    ("超龄2岁；上学期缺课7天；双亲留守"), the model's contributions, the support recorded."""

    def __init__(self) -> None:
        self._factors = {k: _(v) for k, v in FACTOR_WORDS.items()}
        self._support = {k: _(v) for k, v in SUPPORT_WORDS.items()}
        self._separator, self._comma = _("; "), _(", ")
        self._contribution = _("%(factor)s (+%(weight)s)")
        self.yes, self.no = _("Yes"), _("No")

    def factor(self, hit: Hit) -> str:
        """One factor as words with its value."""
        words = self._factors.get(hit.code)
        return words % {"n": hit.value} if words else hit.code

    def factors(self, hits: tuple[Hit, ...]) -> str:
        """The factors that raised a score, joined with the list separator."""
        return self._separator.join(self.factor(h) for h in hits)

    def contributions(self, parts: tuple[Contribution, ...]) -> str:
        """The model's largest contributions as a sentence in the factors' words, each with coefficient × value
        ("近两学期缺课7天（+0.8）；住校（+0.4）")."""
        def weight(w: float) -> str:
            return f"{w:.1f}" if w >= 0.1 else f"{w:.2f}"
        return self._separator.join(
            self._contribution % {"factor": self.factor(Hit(c.code, c.value, 0)), "weight": weight(c.weight)}
            for c in parts)

    def support(self, kinds: tuple[str, ...]) -> str:
        """The support recorded, or a dash."""
        return self._comma.join(self._support[k] for k in kinds if k in self._support) or "—"


def basis_text(method: str) -> str:
    """Which method drew the list (shown above it)."""
    return (_("List drawn by: statistical model (better than the rule in the back-test)") if method == "model"
            else _("List drawn by: rule-based score"))


def input_text(code: str) -> str:
    """A refused input's message."""
    words = INPUT_WORDS.get(code)
    return _(words) if words else _("The input was refused.")
