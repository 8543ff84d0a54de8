"""Published periods (issue 18.3), the pure part: the policy in force, frozen with a publication as JSON."""
from __future__ import annotations

import json

from domain.dashboard.report import Policy
from domain.dashboard.targets import TargetBound


def policy_to_json(policy: Policy | None) -> str | None:
    """The policy in force, as stored with a publication."""
    if policy is None:
        return None
    return json.dumps({"name": policy.name, "precision": policy.precision, "id": policy.id,
                       "effective_from": policy.effective_from,
                       "targets": [{"indicator": t.indicator, "op": t.op, "bound": t.bound, "margin": t.margin,
                                    "relative": t.relative} for t in policy.targets.values()]},
                      ensure_ascii=False, sort_keys=True)


def policy_from_json(text: str | None) -> Policy | None:
    """The policy a publication froze (None: there was none in force)."""
    if not text:
        return None
    data = json.loads(text)
    targets = {t["indicator"]: TargetBound(t["indicator"], t["op"], t["bound"], t.get("margin"),
                                           bool(t.get("relative"))) for t in data["targets"]}
    return Policy(data["name"], targets, data["precision"], data.get("id"), data.get("effective_from"))
