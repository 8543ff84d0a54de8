"""The policy in force, on every page that shows a status (issue 15.2): "目标：勐海县 2019（自 2026-1 起）", linking
to the policy on the Targets page (read-only for those who may not edit it)."""
from __future__ import annotations

from dash import html

from domain.dashboard.report import Policy
from wording.dashboard import term_name
from wording.targets import policy_line

TARGETS_PATH = "/admin/targets"


def policy_href(policy_id: int) -> str:
    """The Targets page showing this policy."""
    return f"{TARGETS_PATH}?policy={policy_id}"


def policy_in_force(policy: Policy | None, element_id: str | None = None) -> html.Span:
    """The policy in force, as a link to it; a plain note that none is in force (no tier is given)."""
    kwargs = {"id": element_id} if element_id else {}
    if policy is None:
        return html.Span(policy_line(None, None), className="bx-policy bx-policy-none", **kwargs)
    text = policy_line(policy.name, policy.effective_from)
    if policy.id is None:
        return html.Span(text, className="bx-policy", **kwargs)
    return html.Span([html.I(className="bi bi-bullseye me-1"), html.A(text, href=policy_href(policy.id))],
                     className="bx-policy", **kwargs)


def report_title(term: str, policy: Policy | None, suffix: str | None = None) -> list:
    """The line under a report's title: the period, then the policy in force with its link."""
    parts: list = [term_name(term), " · ", policy_in_force(policy)]
    if suffix:
        parts += [" · ", suffix]
    return parts
