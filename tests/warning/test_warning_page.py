"""The /warning page through the real callback route as every role and area: who sees which pupils, names masked
for county leaders, the county view never names anyone, writes refused outside the scope, the absence that offers
a case."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from data_access.models import AbsenceReport, DropoutCase, RiskScore, RosterRecord, School, Student, SupportAction
from data_access.warning.scoring import refresh_scores, set_factor
from tests.admin.conftest import COUNTY, S1, S2
from tests.imports.test_imports import TERM

SHOW_OUT = [("warn-grid", "rowData"), ("warn-empty", "children"), ("warn-county", "children"),
            ("warn-grid", "columnDefs")]
SAVE_OUT = [("warn-msg", "children"), ("warn-refresh", "data"), ("warn-case", "style"), ("warn-case-for", "data")]


@pytest.fixture
def listed(world, session_factory):  # noqa: ANN001, ANN201
    """Every pupil listed (threshold 1, boarding-free roster: each gets 1 point for 'transition'-free
    absence), names and ids of the pupils per school."""
    with session_factory() as s, s.begin():
        set_factor(s, COUNTY, "list", 0, 0)
        refresh_scores(s, TERM)
        rows = s.execute(select(RosterRecord.student_id, Student.name, School.code)
                         .join(Student, Student.id == RosterRecord.student_id)
                         .join(School, School.id == RosterRecord.school_id)
                         .where(RosterRecord.term_code == TERM, RosterRecord.status == "在读")).all()
    by_school: dict[str, list[tuple[int, str]]] = {}
    for sid, name, code in rows:
        by_school.setdefault(code, []).append((sid, name))
    return by_school


def show(user, county: str | None = None):  # noqa: ANN001, ANN201
    return user.callback(SHOW_OUT, [("shell-term", "value", TERM), ("warn-refresh", "data", 0),
                                    ("warn-pick-county", "value", county)])


def save(user, student_id, action="absence", days=12, date="2024-10-08"):  # noqa: ANN001, ANN201
    row = [{"id": student_id}] if student_id is not None else []
    return user.callback(SAVE_OUT, [("warn-save", "n_clicks", 1)],
                         [("warn-grid", "selectedRows", row), ("warn-action", "value", action),
                          ("warn-date", "value", date), ("warn-days", "value", days), ("warn-note", "value", "不明"),
                          ("warn-refresh", "data", 0)])


def names_in(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


@pytest.mark.parametrize(("name", "sees", "hidden", "named"), [
    ("admin", [S1, S2], [], True),
    ("registrar1", [S1], [S2], True),
    ("registrar2", [S2], [S1], True),
    ("officer1", [S1], [S2], True),
    ("officer2", [S2], [S1], True),
    ("leader", [S1, S2], [], False),
])
def test_list_scoped_and_masked(web_user, listed, name, sees, hidden, named) -> None:  # noqa: ANN001
    text = names_in(show(web_user(name)))
    for code in sees:
        for _sid, pupil in listed.get(code, []):
            assert (pupil in text) is named
    for code in hidden:
        for _sid, pupil in listed.get(code, []):
            assert pupil not in text


def test_a_cut_list_says_how_many_are_listed(web_user, listed, monkeypatch, session_factory) -> None:  # noqa: ANN001
    """The list shows its MAX_ROWS highest pupils; when there are more it says how many (the counts cover all)."""
    import importlib
    import data_access.warning.lists as lists
    from data_access.scope import Scope
    page = importlib.import_module("pages.warning.warning")
    answer = show(web_user("admin")).get_json()["response"]
    pupils = len(answer["warn-grid"]["rowData"])
    with session_factory() as s:
        assert lists.count_listed(s, Scope("admin", unrestricted=True), TERM) == pupils
    assert "warn-capped" not in names_in(show(web_user("admin")))
    monkeypatch.setattr(lists, "MAX_ROWS", 1)
    monkeypatch.setattr(page, "MAX_ROWS", 1)
    answer = show(web_user("admin")).get_json()["response"]
    assert len(answer["warn-grid"]["rowData"]) == 1 < pupils
    note = json.dumps(answer["warn-empty"]["children"], ensure_ascii=False)
    assert "warn-capped" in note and f"{pupils:,}" in note


def test_inspector_and_anonymous_are_refused(web_user, listed) -> None:  # noqa: ANN001
    assert show(web_user("inspector")).status_code == 403
    assert show(web_user(None)).status_code in (302, 401, 403)


@pytest.mark.parametrize("name", ["admin", "leader", "officer1", "leader2"])
def test_county_view_never_names(web_user, listed, name) -> None:  # noqa: ANN001
    resp = show(web_user(name))
    county = json.dumps(resp.get_json()["response"]["warn-county"], ensure_ascii=False)
    assert "warn-county-grid" in county
    for pupils in listed.values():
        for sid, pupil in pupils:
            assert pupil not in county


def test_absence_from_the_list_then_a_suspected_case(web_user, listed, session_factory) -> None:  # noqa: ANN001
    sid = listed[S1][0][0]
    resp = save(web_user("registrar1"), sid)
    body = resp.get_json()["response"]
    assert body["warn-case"]["style"] == {"display": "inline-block"}
    assert body["warn-case-for"]["data"] == {"student": sid, "days": 12, "date": "2024-10-08"}
    case = web_user("registrar1").callback(
        [("warn-case-msg", "children")], [("warn-case", "n_clicks", 1)],
        [("warn-case-for", "data", body["warn-case-for"]["data"])])
    assert case.status_code == 200, case.data[:300]
    with session_factory() as s:
        assert s.scalar(select(AbsenceReport.days).where(AbsenceReport.student_id == sid)) == 12
        assert s.scalar(select(DropoutCase.source).where(DropoutCase.student_id == sid)) == "school_report"
        assert "absence:12" in s.get(RiskScore, (TERM, sid)).factors
    assert save(web_user("registrar1"), sid, action="plan", days=None).status_code == 200
    assert "一生一策" in names_in(show(web_user("registrar1")))
    with session_factory() as s:
        assert s.scalar(select(SupportAction.kind).where(SupportAction.student_id == sid)) == "plan"


@pytest.mark.parametrize("name", ["registrar2", "officer2", "leader", "inspector", "leader2"])
def test_writes_refused_outside_scope_or_role(web_user, listed, session_factory, name) -> None:  # noqa: ANN001
    sid = listed[S1][0][0]
    assert save(web_user(name), sid).status_code == 403
    assert save(web_user(name), sid, action="talk").status_code == 403
    with session_factory() as s:
        assert s.scalar(select(AbsenceReport.id)) is None and s.scalar(select(SupportAction.id)) is None


def test_bad_input_is_named(web_user, listed) -> None:  # noqa: ANN001
    sid = listed[S1][0][0]
    assert "text-danger" in names_in(save(web_user("registrar1"), sid, days=0))
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    assert "text-danger" in names_in(save(web_user("registrar1"), sid, date=future))
    assert "text-danger" in names_in(save(web_user("registrar1"), None))


def test_backtest_shows_the_model_comparison(web_user, listed) -> None:  # noqa: ANN001
    resp = web_user("leader").callback([("warn-backtest", "children")], [("warn-run", "n_clicks", 1)],
                                       [("warn-pick-county", "value", None)])
    out = names_in(resp)
    assert "warn-model" in out and "名单使用规则评分" in out          # one term only: no model, the rule is used


def test_list_says_when_scores_are_being_refreshed(web_user, listed, session_factory) -> None:  # noqa: ANN001
    from data_access.models import RiskRefresh
    with session_factory() as s, s.begin():
        school = s.scalar(select(School.id).where(School.code == S1))
        s.add(RiskRefresh(term_code=TERM, school_id=school, requested_at=dt.datetime(2024, 10, 8, 9)))
    assert "warn-refreshing" in names_in(show(web_user("registrar1")))
    assert "正在更新风险评分" in names_in(show(web_user("registrar1")))
    assert "warn-refreshing" not in names_in(show(web_user("registrar2")))   # the other school: nothing pending
