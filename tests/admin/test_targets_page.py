"""The Targets page (/admin/targets) through the real callback route: who reads which policy, who saves where,
refused fields named on screen, nothing written by a refused or forbidden request; the pages' policy link."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from data_access.models import TargetPolicy
from domain.dashboard.indicators import INDICATORS
from tests.admin.test_targets import NEXT, county_policy, two_terms  # noqa: F401 - fixture
from tests.dashboard.test_cli_rates import COUNTY, T1, T2, TERM, small_county  # noqa: F401 - fixture

LIST_OUT = [("targets-list", "children"), ("targets-detail", "children")]
KEYS = [i.key for i in INDICATORS]


def show(user, policy_id: int | None):  # noqa: ANN001, ANN201
    return user.callback(LIST_OUT, [("shell-url", "pathname", "/admin/targets"),
                                    ("targets-selected", "data", policy_id)], changed="targets-selected.data")


def _wild(kind: str, values: list) -> list[dict]:
    return [{"id": {"type": kind, "ind": k}, "property": "value", "value": v} for k, v in zip(KEYS, values)]


def save(user, *, edits: int | None, area: str | None, start: str | None, targets: dict[str, tuple],  # noqa: ANN001, ANN201
         name: str = "新目标", precision: object = 2):
    ops = [targets.get(k, ("", "", "", "points"))[0] for k in KEYS]
    bounds = [targets.get(k, ("", "", "", "points"))[1] for k in KEYS]
    margins = [targets.get(k, ("", "", "", "points"))[2] for k in KEYS]
    kinds = [targets.get(k, ("", "", "", "points"))[3] for k in KEYS]
    body = {
        "output": "..targets-message.children...targets-selected.data...targets-editing.data..",
        "outputs": [{"id": "targets-message", "property": "children"},
                    {"id": "targets-selected", "property": "data"}, {"id": "targets-editing", "property": "data"}],
        "inputs": [{"id": "targets-save", "property": "n_clicks", "value": 1}],
        "state": [{"id": "targets-mode", "property": "data", "value": {"edits": edits, "source": None}},
                  {"id": "targets-area", "property": "value", "value": area},
                  {"id": "targets-name", "property": "value", "value": name},
                  {"id": "targets-from", "property": "value", "value": start},
                  {"id": "targets-precision", "property": "value", "value": precision},
                  _wild("targets-op", ops), _wild("targets-bound", bounds), _wild("targets-margin", margins),
                  _wild("targets-rel", kinds)],
        "changedPropIds": ["targets-save.n_clicks"],
    }
    return user.client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": user.csrf()})


def text(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200, resp.get_data(as_text=True)[:3000]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def policies(session_factory) -> int:  # noqa: ANN001
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(TargetPolicy))


LOOSE = {"junior_dropout_rate": ("<=", "20", "", "points"), "special_group_dropouts": ("==", "0", "", "points")}


def test_every_role_reads_the_policy_in_force_for_its_area(web_user, session_factory, two_terms) -> None:  # noqa: ANN001
    with session_factory() as s:
        pid = county_policy(s).id
    for name in ("leader", "officer1", "staff1", "county_admin", "town_admin", "leader2"):
        body = text(show(web_user(name), pid))
        assert "县目标" in body and "targets-detail-card" in body, name
    assert "targets-editor" not in web_user("leader").client.get("/admin/targets").get_data(as_text=True)


def test_a_township_policy_is_refused_to_other_townships(web_user, session_factory, two_terms) -> None:  # noqa: ANN001
    resp = save(web_user("town_admin"), edits=None, area=T2, start=NEXT, targets=LOOSE, name="乡镇目标")
    assert "success" in text(resp)
    with session_factory() as s:
        own = s.scalar(select(TargetPolicy).where(TargetPolicy.area_code == T2))
        assert own is not None and own.effective_from == NEXT
    assert show(web_user("officer1"), own.id).status_code == 403  # township 1 reads not township 2's policy
    assert show(web_user("leader2"), own.id).status_code == 200
    assert show(web_user("officer1"), 99999).status_code == 403


def test_admin_saves_a_new_version_and_earlier_terms_keep_theirs(web_user, session_factory, two_terms) -> None:  # noqa: ANN001
    with session_factory() as s:
        old = county_policy(s).id
    user = web_user("county_admin")
    body = text(save(user, edits=old, area=COUNTY, start=NEXT, targets=LOOSE, name="县目标（新）"))
    assert "alert-success" in body or "success" in body
    with session_factory() as s:
        new = s.scalar(select(TargetPolicy).where(TargetPolicy.name == "县目标（新）"))
        assert new.previous_id == old and new.effective_from == NEXT
        assert {t.indicator: t.bound for t in s.get(TargetPolicy, old).targets}["junior_dropout_rate"] == 1.8
    # the compliance page of the earlier term names the old version, the later one the new, each with its link
    for term, name, pid in ((TERM, "县目标", old), (NEXT, "县目标（新）", new.id)):
        resp = user.callback([("compliance-body", "children"), ("compliance-groups", "children"),
                              ("compliance-title", "children")],
                             [("shell-selection", "value", COUNTY), ("shell-term", "value", term),
                              ("compliance-units", "value", "township")])
        title = json.dumps(resp.get_json()["response"]["compliance-title"], ensure_ascii=False)
        assert name in title and f"/admin/targets?policy={pid}" in title, title


def test_refused_fields_are_named_and_nothing_is_written(web_user, session_factory, two_terms) -> None:  # noqa: ANN001
    count = policies(session_factory)
    bad = {"junior_dropout_rate": ("<=", "120", "", "points"), "primary_dropout_rate": ("<=", "0.6", "0.8", "points"),
           "consolidation_rate": ("=>", "96", "", "points")}
    body = text(save(web_user("county_admin"), edits=None, area=COUNTY, start="2026-5", targets=bad, precision=9))
    assert "alert-danger" in body or "danger" in body
    assert "120" in body and "0.8" in body and "2026-5" in body and "=>" in body and "9" in body
    assert policies(session_factory) == count


@pytest.mark.parametrize("name, area", [("leader", COUNTY), ("officer1", T1), ("staff1", T1), ("town_admin", COUNTY),
                                        ("town_admin", T1)])
def test_wrong_role_or_area_cannot_save(web_user, session_factory, two_terms, name, area) -> None:  # noqa: ANN001
    count = policies(session_factory)
    with session_factory() as s:
        old = county_policy(s).id
    resp = save(web_user(name), edits=old if area == COUNTY else None, area=area, start="2025-1", targets=LOOSE)
    if name in ("leader", "officer1", "staff1") or area == COUNTY:
        assert resp.status_code == 403
    else:
        assert "danger" in text(resp)  # an area outside the admin's: named, not saved
    assert policies(session_factory) == count


def test_editor_callbacks_are_refused_to_non_admins(web_user, two_terms) -> None:  # noqa: ANN001
    resp = web_user("leader").callback([("targets-base", "options")],
                                       [("shell-url", "pathname", "/admin/targets"),
                                        ("targets-message", "children", None)])
    assert resp.status_code == 403
    resp = web_user("leader").callback([("targets-area", "options")],
                                       [("shell-url", "pathname", "/admin/targets"),
                                        ("targets-area", "search_value", None), ("targets-area", "value", None)])
    assert resp.status_code == 403
    assert show(web_user(None), 1).status_code in (302, 401, 403)


def test_the_area_choices_of_a_large_scope_are_found_by_typing(web_user, session_factory, two_terms) -> None:  # noqa: ANN001
    """A province admin may set policies for ~1,500 areas; offered all at once they kept Chromium busy ~0.3 s. The
    editor lists at most LONG_LIST, finds the others by what is typed, and always offers the area picked (a policy
    chosen in the list brings its own)."""
    from components.controls import LONG_LIST, MORE
    from data_access.models import Area
    with session_factory() as s, s.begin():
        s.add_all(Area(code=f"532822{300 + i:03d}000", name=f"新镇{i:03d}", level="township", parent_code=COUNTY)
                  for i in range(LONG_LIST + 20))
    last = f"532822{300 + LONG_LIST + 19:03d}000"

    def options(search: object, value: object) -> list[dict]:
        resp = web_user("admin").callback([("targets-area", "options")],
                                          [("shell-url", "pathname", "/admin/targets"),
                                           ("targets-area", "search_value", search), ("targets-area", "value", value)],
                                          changed="targets-area.search_value")
        assert resp.status_code == 200, resp.data[:300]
        return resp.get_json()["response"]["targets-area"]["options"]

    first = options(None, None)
    assert len(first) == LONG_LIST + 1 and first[-1]["value"] == MORE and first[-1]["disabled"]
    assert last not in {o["value"] for o in first}
    assert last in {o["value"] for o in options(None, last)}                      # the area picked is offered
    assert [o["value"] for o in options(f"新镇{LONG_LIST + 19:03d}", None)] == [last]   # found by its name
