"""How figures, tiers and reasons read, in the user's language (pages, CLI and exports share it)."""
from __future__ import annotations

from flask_babel import gettext as _

from domain.dashboard.indicators import INDICATOR_BY_KEY
from domain.dashboard.targets import TargetBound
from domain.dashboard.tiers import Reason
from domain.terms import term_label_en, term_label_zh
from wording.i18n import N_, current_language

TIER_LABELS = (N_("Compliant"), N_("Warning"), N_("Notified"), N_("Admonition"), N_("Accountability"))
TIER_ZH = ("达标", "预警", "通报", "约谈", "问责")
STATUS_LABELS = {"pass": N_("Met"), "warning": N_("Near the bound"), "fail": N_("Missed"),
                 "no_data": N_("No data"), "no_target": N_("No target")}


def indicator_name(key: str) -> str:
    """The indicator's name in the current language."""
    ind = INDICATOR_BY_KEY[key]
    return ind.name_zh if current_language() == "zh" else ind.name_en


def tier_name(tier: int) -> str:
    """达标 / 预警 / 通报 / 约谈 / 问责, or their English names."""
    return TIER_ZH[tier] if current_language() == "zh" else _(TIER_LABELS[tier])


def term_name(term: str) -> str:
    """2024–2025学年第一学期, or 2024–2025 autumn term."""
    return term_label_zh(term) if current_language() == "zh" else term_label_en(term)


def format_value(key: str, value: float | None) -> str:
    """A rate as 99.52%, a count as 3, no data as —."""
    if value is None:
        return "—"
    return f"{value:.2f}%" if INDICATOR_BY_KEY[key].is_rate else f"{value:.0f}"


def _bound_text(key: str, bound: float | None) -> str:
    """A bound as written in policies: 99.5%, 1.8%, 0."""
    return "—" if bound is None else f"{bound:g}{'%' if INDICATOR_BY_KEY[key].is_rate else ''}"


def target_text(target: TargetBound | None) -> str:
    """≥ 99.5%, ≤ 1.8%, = 0."""
    if target is None:
        return "—"
    sign = {">=": "≥", "<=": "≤", "==": "="}[target.op]
    return f"{sign} {_bound_text(target.indicator, target.bound)}"


def reason_text(reason: Reason) -> str:
    """One reason as a sentence, e.g. "初中辍学率 2.31% > 1.8%"."""
    if reason.kind in ("missed", "margin") and reason.indicator:
        value = format_value(reason.indicator, reason.value)
        bound = _bound_text(reason.indicator, reason.bound)
        name = indicator_name(reason.indicator)
        if reason.kind == "missed":
            sign = {">=": "<", "<=": ">", "==": "≠"}[reason.op or "=="]
            return f"{name} {value} {sign} {bound}"
        return _("%(name)s %(value)s is within the warning margin of %(bound)s", name=name, value=value, bound=bound)
    texts = {
        "overdue": _("%(count)s rectification order(s) overdue", count=reason.count),
        "special_group": _("%(count)s dropout(s) from registered poor families", count=reason.count),
        "consecutive": _("notified in %(count)s consecutive periods", count=reason.count),
        "false_data": _("%(count)s inspection finding(s) of false data", count=reason.count),
        "still_failing_after_3": _("admonished last period and still missing %(count)s target(s)",
                                   count=reason.count),
    }
    return texts.get(reason.kind, reason.kind)


def report_caption(term: str, policy_name: str | None) -> str:
    """The line under a report's title: the period and the targets in force."""
    if policy_name is None:
        return _("%(term)s · no target policy in force", term=term_name(term))
    return _("%(term)s · targets: %(policy)s", term=term_name(term), policy=policy_name)


def target_caption(target: TargetBound | None) -> str:
    """"Target ≥ 99.5%", or "No target"."""
    return _("Target %(bound)s", bound=target_text(target)) if target else _("No target")
