"""Words of target policies (issue 15.2): problems with a policy, naming the field; the policy line of the pages."""
from __future__ import annotations

from flask_babel import gettext as _

from domain.admin.targets import PolicyProblem
from domain.dashboard.indicators import INDICATOR_BY_KEY
from domain.terms import parse_term
from wording.dashboard import indicator_name
from wording.i18n import N_

FIELDS = {"name": N_("Policy name"), "precision": N_("Published precision"),
          "effective_from": N_("Takes effect from"), "targets": N_("Targets"), "area": N_("Area"),
          "policy": N_("Policy")}
PARTS = {"bound": N_("bound"), "op": N_("operator"), "margin": N_("warning margin")}
REASONS = {
    "name_length": N_("must have 1 to %(limit)s characters"),
    "precision_range": N_("“%(value)s” is not a whole number of decimals from %(low)s to %(high)s"),
    "term_unknown": N_("“%(value)s” is not a term (YYYY-1 for the autumn term, YYYY-2 for the spring term)"),
    "indicator_unknown": N_("“%(value)s” is not an indicator"),
    "indicator_twice": N_("is listed twice"),
    "no_targets": N_("the policy sets no target"),
    "op_unknown": N_("“%(value)s” is not an operator (>=, <= or ==)"),
    "op_rate": N_("a rate is bounded with >= or <=, not %(value)s"),
    "op_count": N_("a count is bounded with <= or ==, not %(value)s"),
    "bound_missing": N_("is empty"),
    "not_number": N_("“%(value)s” is not a number"),
    "bound_negative": N_("%(value)s is negative"),
    "rate_over_100": N_("%(value)s is over 100: a rate is a percentage"),
    "count_whole": N_("%(value)s is not a whole number of pupils"),
    "margin_negative": N_("%(value)s is negative"),
    "margin_count": N_("a count has no warning margin (%(value)s given)"),
    "margin_relative_over": N_("%(value)s%% of the bound is more than the whole bound"),
    "margin_over_bound": N_("%(value)s points is larger than the bound %(bound)s"),
    "area_unknown": N_("“%(value)s” is not an area in Baoxue"),
    "area_refused": N_("“%(value)s” is outside your area"),
    "term_taken": N_("a version of this area's policy already takes effect from %(value)s (%(name)s): edit that one"),
    "term_before": N_("a new version must take effect after %(value)s, when the version it edits took effect"),
    "judged": N_("this version has judged %(terms)s: keep those terms as they were judged and choose a later term "
                 "for the new version"),
    "preset": N_("a preset cannot be changed: start a policy from it"),
    "not_found": N_("no such policy in your area"),
}


def field_text(problem: PolicyProblem) -> str:
    """The field a problem names: 初中辍学率 · 上限, 发布精度, 起始学期 …"""
    if problem.field in INDICATOR_BY_KEY:
        name = indicator_name(problem.field)
        return f"{name} · {_(PARTS[problem.part])}" if problem.part in PARTS else name
    return _(FIELDS[problem.field]) if problem.field in FIELDS else problem.field


def policy_problem_text(problem: PolicyProblem) -> str:
    """“Field: reason”, in the user's language."""
    reason = _(REASONS[problem.reason], **dict(problem.facts)) if problem.reason in REASONS else problem.reason
    return _("%(field)s: %(reason)s", field=field_text(problem), reason=reason)


def effective_text(term: str | None) -> str:
    """自 2026-1 起 / from 2026-1; from the first term when the version has no start."""
    if not term:
        return _("from the first term")
    parse_term(term)
    return _("from %(term)s", term=term)


def policy_line(name: str | None, effective_from: str | None) -> str:
    """目标：勐海县 2019（自 2026-1 起）, or that no target policy is in force."""
    if name is None:
        return _("Targets: none in force for this area and term (no tier is given)")
    return _("Targets: %(name)s (%(since)s)", name=name, since=effective_text(effective_from))
