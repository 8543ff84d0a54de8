"""How figures, tiers and reasons read, in the user's language (pages, CLI and exports share it)."""
from __future__ import annotations

from flask_babel import gettext as _

from domain.dashboard.indicators import INDICATOR_BY_KEY
from domain.dashboard.report import Policy, UnitReport
from domain.dashboard.targets import DEFAULT_PRECISION, TargetBound, published
from domain.dashboard.tiers import Reason
from domain.terms import term_label_en, term_label_zh
from wording.i18n import N_, current_language

TIER_LABELS = (N_("Compliant"), N_("Warning"), N_("Notified"), N_("Admonition"), N_("Accountability"))
TIER_ZH = ("达标", "预警", "通报", "约谈", "问责")
STATUS_LABELS = {"pass": N_("Met"), "warning": N_("Near the bound"), "fail": N_("Missed"),
                 "no_data": N_("No data"), "no_target": N_("No target")}


def status_names() -> dict[str, str]:
    """Every status's name in the current language, for a grid or an export to look up per cell (flask-babel's
    lookup is ~20 µs a call: hundreds of units × the indicators)."""
    return {status: _(label) for status, label in STATUS_LABELS.items()}


def indicator_name(key: str) -> str:
    """The indicator's name in the current language."""
    ind = INDICATOR_BY_KEY[key]
    return ind.name_zh if current_language() == "zh" else ind.name_en


def tier_name(tier: int) -> str:
    """达标 / 预警 / 通报 / 约谈 / 问责, or their English names."""
    return TIER_ZH[tier] if current_language() == "zh" else _(TIER_LABELS[tier])


def tier_names() -> dict[int, str]:
    """Every tier's name in the current language (looked up once for a table, not once a row)."""
    return {tier: tier_name(tier) for tier in range(len(TIER_ZH))}


NO_TIER_LABELS = {"no_data": N_("No data"), "not_reported": N_("Not reported"), "no_targets": N_("No targets set")}


def no_tier_reason(unit: UnitReport, policy: Policy | None = None) -> str:
    """Why a unit has no tier: not_reported (未报送), no_data, or no_targets (no policy in force); "" when graded."""
    if unit.graded:
        return ""
    if unit.not_reported:
        return "not_reported"
    return "no_data" if not unit.has_data else "no_targets"


def unit_tier_name(unit: UnitReport, policy: Policy | None = None) -> str:
    """The unit's tier name, or why it has none: 无数据 / 未报送 / 未设目标 (never 达标 without a policy)."""
    if unit.graded:
        return tier_name(unit.tier.tier)
    return _(NO_TIER_LABELS[no_tier_reason(unit, policy)])


def term_name(term: str) -> str:
    """2024–2025学年第一学期, or 2024–2025 autumn term."""
    return term_label_zh(term) if current_language() == "zh" else term_label_en(term)


def format_value(key: str, value: float | None, precision: int = DEFAULT_PRECISION) -> str:
    """A rate as 99.52% (at the published precision, rounded half up as it is judged), a count as 3, no data as —."""
    if value is None:
        return "—"
    if not INDICATOR_BY_KEY[key].is_rate:
        return f"{value:.0f}"
    return f"{published(value, precision):.{precision}f}%"


def _bound_text(key: str, bound: float | None) -> str:
    """A bound as written in policies: 99.5%, 1.8%, 0."""
    return "—" if bound is None else f"{bound:g}{'%' if INDICATOR_BY_KEY[key].is_rate else ''}"


BASE_SOURCES = {"roster": N_("grade-1 base from the roster"), "history": N_("grade-1 base from imported history"),
                "mixed": N_("grade-1 base from rosters and imported history")}


def base_source_text(source: str) -> str:
    """Where the consolidation rate's grade-1 base came from (domain.md §3: chosen per area)."""
    return _(BASE_SOURCES[source]) if source in BASE_SOURCES else source


def margin_text(target: TargetBound) -> str:
    """A target's warning margin: "0.2 points", or "10% of the bound"."""
    if target.relative:
        return _("%(margin)s%% of the bound", margin=f"{target.margin:g}")
    return _("%(margin)s points", margin=f"{target.margin_points:g}")


def target_text(target: TargetBound | None) -> str:
    """≥ 99.5%, ≤ 1.8%, = 0."""
    if target is None:
        return "—"
    sign = {">=": "≥", "<=": "≤", "==": "="}[target.op]
    return f"{sign} {_bound_text(target.indicator, target.bound)}"


def reason_text(reason: Reason) -> str:
    """One reason as a sentence, e.g. "初中辍学率 2.31% > 1.8%"."""
    if reason.kind in ("missed", "margin") and reason.indicator:
        value = format_value(reason.indicator, reason.value, reason.precision)
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
        "unreported_duty": _("%(count)s report(s) missing or late", count=reason.count),
        "still_failing_after_3": _("admonished last period and still missing %(count)s target(s)",
                                   count=reason.count),
    }
    return texts.get(reason.kind, reason.kind)


REASON_SENTENCES = {
    "<=": N_("%(name)s was %(value)s, above the target of %(bound)s"),
    ">=": N_("%(name)s was %(value)s, below the target of %(bound)s"),
    "==": N_("%(name)s was %(value)s, not the required %(bound)s"),
}


def reason_sentence(reason: Reason) -> str:
    """One reason as a document states it, e.g. "初中辍学率为1.92%，高于1.8%的控制目标"."""
    if reason.kind in ("missed", "margin") and reason.indicator:
        value = format_value(reason.indicator, reason.value, reason.precision).replace(" ", "")
        bound = _bound_text(reason.indicator, reason.bound)
        name = indicator_name(reason.indicator)
        if reason.kind == "margin":
            return _("%(name)s was %(value)s, close to the target of %(bound)s", name=name, value=value,
                     bound=bound)
        op = reason.op if reason.op in REASON_SENTENCES else "=="
        return _(REASON_SENTENCES[op], name=name, value=value, bound=bound)
    texts = {
        "overdue": _("%(count)s rectification order(s) were not completed by their deadline", count=reason.count),
        "special_group": _("%(count)s child(ren) of registered poor families dropped out", count=reason.count),
        "consecutive": _("it has been notified %(count)s periods in a row", count=reason.count),
        "false_data": _("the inspection found false data %(count)s time(s)", count=reason.count),
        "still_failing_after_3": _("after last period's admonition it still misses %(count)s target(s)",
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


PUBLISH_REFUSED = {
    "unknown_area": N_("This area is unknown."),
    "unknown_term": N_("This term is unknown."),
    "already_published": N_("This period is already published for this area."),
    "no_data": N_("Nothing to publish: no roster has been imported for this area and term."),
    "not_published": N_("This period is not published for this area."),
    "reason_required": N_("Give the reason for withdrawing the publication; it is kept in the audit log."),
}


def publish_refused_text(code: str) -> str:
    """Why a publish or a withdrawal was refused, in the user's language."""
    return _(PUBLISH_REFUSED.get(code, PUBLISH_REFUSED["unknown_area"]))


def publication_text(published_at: str, published_by: str, changed: int) -> str:
    """The line a published period shows above its figures."""
    text = _("Published on %(time)s by %(who)s: the figures, tiers and ranking of this period are shown as "
             "published.", time=published_at, who=published_by or "—")
    if changed:
        text += " " + _("Since then the live figures of %(n)s units have changed (later imports); they are not "
                        "applied to the published result.", n=changed)
    return text


ACCOUNTABILITY_REFUSED = {
    "not_published": N_("This period is not published: record 约谈 and 问责 once the period's results are published."),
    "not_accountable": N_("This unit was not given 约谈 or 问责 in this period."),
}
ACCOUNTABILITY_FIELDS = {"held_on": N_("Date of the meeting"), "talked_to": N_("Who was talked to"),
                         "held_by": N_("Held by"), "decision": N_("Decision and measures"),
                         "follow_up_deadline": N_("Follow-up deadline")}
ACCOUNTABILITY_PROBLEMS = {"required": N_("%(field)s: required"), "future": N_("%(field)s: cannot be in the future"),
                           "too_long": N_("%(field)s: too long"),
                           "before_meeting": N_("%(field)s: cannot be before the meeting")}


def accountability_refused_text(code: str) -> str:
    """Why an accountability record was refused."""
    return _(ACCOUNTABILITY_REFUSED.get(code, ACCOUNTABILITY_REFUSED["not_accountable"]))


def accountability_problem_text(problems: list[tuple[str, str]]) -> str:
    """The form's problems, each naming its field."""
    return "；".join(_(ACCOUNTABILITY_PROBLEMS[p], field=_(ACCOUNTABILITY_FIELDS[f])) for f, p in problems)


def accountability_note(record, this_period: bool) -> str:  # noqa: ANN001 - an AccountabilityView
    """A record as a line under the unit's tier: "上期约谈（2026-12-10）：…" or "本期已记录…"."""
    words = {"tier": tier_name(record.tier), "date": record.held_on.isoformat(), "decision": record.decision}
    if this_period:
        return _("%(tier)s recorded (%(date)s): %(decision)s", **words)
    return _("Last period's %(tier)s (%(date)s): %(decision)s", **words)


def period_name(period: object) -> str:
    """A period's name (domain.periods.Period): the term, 2024–2025学年第一学期前半学期, 2026年11月."""
    term = term_name(period.term)
    if period.kind == "half_semester":
        return _("%(term)s, first half", term=term) if period.half == "a" else _("%(term)s, second half", term=term)
    if period.kind == "month":
        return _("%(year)s-%(month)s", year=period.start.year, month=period.start.month)
    return term
