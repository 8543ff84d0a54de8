"""The data status page lists every accepted import with its file's name, size and SHA-256, who and when (issue
16.7), and offers an admin whose area holds the import's schools the undo (16.1), through the real callback route;
other roles and areas are refused."""
from __future__ import annotations

import hashlib
import json

import dash._callback
from sqlalchemy import func, select

from data_access import audit
from data_access.imports.files import import_roster
from data_access.models import ImportRecord, RosterRecord
from data_access.scope import Scope
from tests.admin.test_import_undo import _partial
from tests.imports.test_imports import DATA, TERM, run

ALL_SCOPE = Scope("admin", unrestricted=True)


def _imports(user):  # noqa: ANN001, ANN201
    return user.callback([("status-imports", "children")], [("shell-term", "value", TERM)])


def _undo(user, dash_app, import_id: int):  # noqa: ANN001, ANN201
    key = next(k for k in (*dash_app.callback_map, *dash._callback.GLOBAL_CALLBACK_MAP) if "status-undo-msg" in k)
    outputs = [o.split("@")[0].split(".", 1) for o in key.strip(".").split("...")]
    ident = {"type": "import-undo", "id": import_id}
    body = {"output": key, "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [[{"id": ident, "property": "submit_n_clicks", "value": 1}]],
            "state": [{"id": "shell-term", "property": "value", "value": TERM}],
            "changedPropIds": [json.dumps(ident, separators=(",", ":"), sort_keys=True) + ".submit_n_clicks"]}
    return user.client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": user.csrf()})


def _rows(session_factory) -> int:  # noqa: ANN001
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(RosterRecord))


def test_the_page_lists_each_import_with_its_file_facts(web_user, world) -> None:  # noqa: ANN001
    text = json.dumps(_imports(web_user("admin")).get_json(), ensure_ascii=False)
    digest = hashlib.sha256((DATA / "roster.csv").read_bytes()).hexdigest()
    assert "roster.csv" in text and digest in text and digest[:16] in text and "admin" in text
    assert "areas.csv" in text and "schools.csv" in text                # imports of no term are listed too
    leader2 = json.dumps(_imports(web_user("leader2")).get_json(), ensure_ascii=False)
    assert "roster.csv" not in leader2                                   # the import's schools span T1 and T2
    assert _imports(web_user("registrar1")).status_code == 403


def test_an_admin_undoes_from_the_page_and_others_are_refused(web_user, world, dash_app, session_factory,
                                                              tmp_path) -> None:  # noqa: ANN001
    with audit.acting_as(world["users"]["admin"], "admin"):
        partial = run(session_factory, lambda s, *a: import_roster(s, *a, scope=ALL_SCOPE, allow_removals=2),
                      _partial(tmp_path), TERM)
    assert _rows(session_factory) == 4
    text = json.dumps(_imports(web_user("county_admin")).get_json(), ensure_ascii=False)
    assert '"import-undo"' in text and "partial.csv" in text
    for name in ("leader", "town_admin", "registrar1"):
        assert _undo(web_user(name), dash_app, partial.import_id).status_code == 403
    assert _rows(session_factory) == 4
    resp = _undo(web_user("county_admin"), dash_app, partial.import_id)
    assert resp.status_code == 200, resp.data[:300]
    assert "import-undone" in json.dumps(resp.get_json(), ensure_ascii=False)
    assert _rows(session_factory) == 5
    again = json.dumps(_undo(web_user("county_admin"), dash_app, partial.import_id).get_json(), ensure_ascii=False)
    assert "import-undone" not in again and "text-danger" in again
    with session_factory() as s:
        assert s.get(ImportRecord, partial.import_id).undone_by == "county_admin"
