"""Issue 11: every callback validates its inputs and answers a clear 400 (or 403), never a 500 — first the Overview's
term code, then every registered callback sent values no page sends, as an admin through the real route."""
from __future__ import annotations

import json

import pytest

from tests.test_security import OVERVIEW_OUT, overview, two_townships  # noqa: F401 - fixture

GARBAGE = ("2024-9", "x" * 300, -1, 10**20, ["a", 1], {"id": "x"}, True)


@pytest.mark.parametrize("term", ["abc", "2024-9", "20x4-1", 2024, ["2024-1"], {"t": 1}])
def test_overview_refuses_a_bad_term_with_400(web_user, two_townships, term) -> None:  # noqa: ANN001
    resp = overview(web_user("leader"), two_townships["county"], term)
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]


def test_overview_refuses_a_bad_selection_or_indicator(web_user, two_townships) -> None:  # noqa: ANN001
    leader = web_user("leader")
    assert leader.callback(OVERVIEW_OUT, [("shell-selection", "value", ["x"]),
                                          ("shell-term", "value", "2024-1")]).status_code in (400, 403)
    trend = leader.callback([("overview-trend", "figure")], [("shell-selection", "value", two_townships["county"]),
                                                             ("shell-term", "value", "2024-1"),
                                                             ("overview-trend-pick", "value", ["a"])])
    assert trend.status_code in (200, 400)


def _requests(dash_app) -> list[tuple[str, dict]]:  # noqa: ANN001
    """One hand-made request per registered callback and garbage value, all inputs and states set to it."""
    import dash._callback
    bodies = []
    for key, spec in {**dash._callback.GLOBAL_CALLBACK_MAP, **dash_app.callback_map}.items():
        if spec.get("background") or "{" in key:        # pattern-matching ids: skipped (ids are dicts)
            continue
        outputs = [o.split("@")[0].rsplit(".", 1) for o in key.strip(".").split("...")]
        ins = [i for i in spec.get("inputs", []) if "{" not in i["id"]]
        sts = [i for i in spec.get("state", []) if "{" not in i["id"]]
        if not ins or len(ins) != len(spec.get("inputs", [])) or len(sts) != len(spec.get("state", [])):
            continue
        for value in GARBAGE:
            bodies.append((key, {
                "output": key, "outputs": ([{"id": i, "property": p} for i, p in outputs] if key.startswith("..")
                                           else {"id": outputs[0][0], "property": outputs[0][1]}),
                "inputs": [{"id": i["id"], "property": i["property"], "value": value} for i in ins],
                "state": [{"id": i["id"], "property": i["property"], "value": value} for i in sts],
                "changedPropIds": [f"{ins[0]['id']}.{ins[0]['property']}"]}))
    return bodies


def test_no_callback_answers_500_to_values_no_page_sends(web_user, two_townships, dash_app) -> None:  # noqa: ANN001
    user = web_user("leader")             # the fixture's data gives the callbacks something to read
    failures = []
    for key, body in _requests(dash_app):
        resp = user.client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": user.csrf()})
        if resp.status_code >= 500:
            failures.append((key, json.dumps(body["inputs"][0]["value"])[:30], resp.status_code))
    assert failures == [], failures
