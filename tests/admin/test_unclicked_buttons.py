"""Dash fires the callbacks of a button drawn by another callback (or by a page whose outputs lie outside it) with
the button unclicked, `prevent_initial_call` or not. None of these may then save, preview, search or open a form:
each answers "nothing changed" (HTTP 204). The withdrawal preview once ran on every admin visit that way."""
from __future__ import annotations

import json

import pytest

# (an output of the callback, the button it must not act on unclicked, the user)
UNCLICKED = [
    ("targets-message.children", "targets-save", "admin"),
    ("checklists-message.children", "checklists-save", "admin"),
    ("areas-preview.children", "areas-confirm", "admin"),
    ("students-hits.options", "students-go", "admin"),
    ("ledger-new-modal.is_open", "ledger-new-open", "county_admin"),
    ("rect-modal.is_open", "rect-new-open", "county_admin"),
    ("withdraw-box.children", "withdraw-preview", "county_admin"),
]


def unclicked_request(dash_app, output: str, button: str) -> dict:  # noqa: ANN001
    """The request Dash sends when it fires the callback writing `output` for the drawn `button`: every input and
    state as a fresh page has it (None; [] for pattern-matched ones)."""
    key = next(k for k in dash_app.callback_map if output in k.strip(".").split("..."))
    spec = dash_app.callback_map[key]

    def dep(d: dict) -> object:
        ident = d["id"]
        if isinstance(ident, str) and ident.startswith("{"):
            return []
        return {"id": ident, "property": d["property"], "value": None}
    outputs = key.strip(".").split("...")
    pairs = [o.rsplit(".", 1) for o in outputs]
    return {"output": key,
            "outputs": [{"id": i, "property": p} for i, p in pairs] if len(pairs) > 1
            else {"id": pairs[0][0], "property": pairs[0][1]},
            "inputs": [dep(d) for d in spec["inputs"]], "state": [dep(d) for d in spec["state"]],
            "changedPropIds": [f"{button}.n_clicks"]}


@pytest.mark.parametrize(("output", "button", "username"), UNCLICKED)
def test_a_drawn_button_does_nothing_until_pressed(web_user, world, dash_app, output, button, username) -> None:  # noqa: ANN001
    user = web_user(username)
    body = unclicked_request(dash_app, output, button)
    assert any(d.get("id") == button for d in body["inputs"] if isinstance(d, dict)), json.dumps(body)
    resp = user.client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": user.csrf()})
    assert resp.status_code == 204, resp.data[:300]
