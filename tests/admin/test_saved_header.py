"""A request's answer says it saved (X-Baoxue-Saved, read by assets/saves.js for "saved at hh:mm") only when it
committed a write: a save callback that wrote nothing — refused, or fired by Dash unclicked because its button was
drawn — must not make the page claim a save."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data_access.models import Term
from web.context import transaction
from web.saves import SAVED_HEADER


def answer(server, work) -> dict:  # noqa: ANN001
    """The headers of a callback request's answer after `work` ran inside it."""
    with server.test_request_context("/_dash-update-component", method="POST"):
        work()
        return dict(server.process_response(server.make_response("{}")).headers)


def test_only_a_committed_write_marks_the_answer(server) -> None:  # noqa: ANN001
    import datetime as dt

    def write() -> None:
        with transaction() as s:
            s.add(Term(code="2030-1", year=2030, semester=1, start_date=dt.date(2030, 9, 1),
                       end_date=dt.date(2031, 1, 20)))

    def refused() -> None:
        with pytest.raises(ValueError), transaction() as s:
            s.add(Term(code="2031-1", year=2031, semester=1, start_date=dt.date(2031, 9, 1),
                       end_date=dt.date(2032, 1, 20)))
            raise ValueError("refused before the commit")

    assert answer(server, write).get(SAVED_HEADER) == "1"
    assert SAVED_HEADER not in answer(server, refused)
    assert SAVED_HEADER not in answer(server, lambda: None)
    with server.extensions["baoxue"].session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Term).where(Term.code.in_(["2030-1", "2031-1"]))) == 1


def test_a_save_callback_fired_unclicked_does_not_claim_a_save(web_user, world, dash_app) -> None:  # noqa: ANN001
    """The data status page's undo buttons are drawn by a callback, so Dash fires `undo` with no click: it
    answers (HTTP 200, nothing changed) without the mark."""
    user = web_user("admin")
    button = {"id": 1, "type": "import-undo"}
    key = next(k for k in dash_app.callback_map if "status-undo-msg.children" in k)   # allow_duplicate's name
    imports = key.strip(".").split("...")[0]
    body = {"output": key,
            "outputs": [{"id": "status-imports", "property": imports.split(".", 1)[1]},
                        {"id": "status-undo-msg", "property": "children"}],
            "inputs": [[{"id": button, "property": "submit_n_clicks", "value": None}]],
            "state": [{"id": "shell-term", "property": "value", "value": "2024-1"}],
            "changedPropIds": ['{"id":1,"type":"import-undo"}.submit_n_clicks']}
    drawn = user.client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": user.csrf()})
    assert drawn.status_code == 200 and SAVED_HEADER not in drawn.headers
