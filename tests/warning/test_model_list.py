"""The list drawn by the statistical model (issue 20 item 5), on hand-made histories in the page tests' world
(schools S1 in township 1 and S2 in township 2 of the county): four term pairs of fresh cohorts per school —
ten overage poor pupils (the rule's list at threshold 5), ten boarders, twenty others — and in 2024-1 fifteen more
boarders per school. Where boarders drop out (`better`), the model beats the rule on the held-out pair and, once
switched on, the list is the pupils with the highest chance, as many as the rule lists, each explained by the
model's largest contributions; where the rule's pupils drop out in the held-out pair (`worse`), the list stays the
rule's. Scoped like the rule's list through the real callback route (raw requests)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from data_access.models import RiskModel, RiskRefresh, RiskScore, RosterRecord, School, Student
from data_access.scope import Scope
from data_access.warning.lists import county_rows, list_basis, risk_rows
from data_access.warning.model import model_in_use
from data_access.warning.refresh import request_refresh, run_pending, set_scheduler
from data_access.warning.scoring import refresh_scores, set_factor
from domain.warning.factors import SCORED_STATUSES
from domain.warning.model import parse_contributions
from tests import factories as f
from tests.admin.conftest import COUNTY, S1, S2
from tests.imports.test_imports import TERM

PAIRS = ("2022-1", "2022-2", "2023-1", "2023-2", TERM)
SHOW_OUT = [("warn-grid", "rowData"), ("warn-empty", "children"), ("warn-county", "children"),
            ("warn-grid", "columnDefs")]
ADMIN = Scope("admin", unrestricted=True)


def _name(school: str, k: int, i: int) -> str:
    return f"模{school[-1]}{k}{i:02d}号"   # fixed width: no name is part of another


def _history(session_factory, held_out_follows_rule: bool) -> dict[str, dict[str, set[str]]]:  # noqa: ANN001
    """The cohorts; returns per school the names of the 2024-1 boarders and rule pupils still at school."""
    out: dict[str, dict[str, set[str]]] = {}
    with session_factory() as s, s.begin():
        for code in (S1, S2):
            school = s.scalar(select(School).where(School.code == code))
            boarders, rule = set(), set()
            for c in PAIRS:
                f.term(s, c)
            for k, (term, nxt) in enumerate(zip(PAIRS, PAIRS[1:])):
                last = nxt == TERM
                for i in range(40):
                    stu = f.student.create(s, name=_name(code, k, i), birth_date=dt.date(2012, 3, 1))
                    risky, boarder = i < 10, 10 <= i < 20
                    if last and held_out_follows_rule:
                        gone = risky and i < 8          # the held-out pair: the rule's pupils leave
                    else:
                        gone = boarder and i < 18        # boarders leave
                    common = dict(student_id=stu.id, school_id=school.id, grade=4, age=12 if risky else 9,
                                  poverty_registered=risky, boarding=boarder)
                    s.add(RosterRecord(term_code=term, status="在读", **common))
                    s.add(RosterRecord(term_code=nxt, status="辍学" if gone else "在读", **common))
                    if last and not gone:
                        (boarders if boarder else rule if risky else set()).add(stu.name)
            for i in range(15):
                stu = f.student.create(s, name=_name(code, 9, i), birth_date=dt.date(2015, 3, 1))
                s.add(RosterRecord(term_code=TERM, status="在读", student_id=stu.id, school_id=school.id, grade=4,
                                   age=9, poverty_registered=False, boarding=True))
                boarders.add(stu.name)
            s.flush()
            out[code] = {"boarders": boarders, "rule": rule}
    return out


@pytest.fixture(params=["better", "worse"])
def case(request, world, session_factory):  # noqa: ANN001, ANN201
    """The history, the model switched on, the term scored (as an import's refresh does)."""
    pupils = _history(session_factory, held_out_follows_rule=request.param == "worse")
    with session_factory() as s, s.begin():
        set_factor(s, COUNTY, "model", 0, 1)
        refresh_scores(s, TERM)
    return request.param, pupils


def _stored(s):  # noqa: ANN001, ANN202
    return s.scalars(select(RiskScore).where(RiskScore.term_code == TERM)).all()


def test_list_follows_the_model_only_when_it_is_better(session_factory, case) -> None:  # noqa: ANN001
    kind, pupils = case
    with session_factory() as s:
        assert model_in_use(s, ADMIN, COUNTY) is (kind == "better")
        basis = list_basis(s, ADMIN, TERM)
        rows = risk_rows(s, ADMIN, TERM, True)
        stored = _stored(s)
        names = {r.name for r in rows}
        rule_size = sum(1 for r in stored if r.score >= 5)
        assert rule_size >= (20 if kind == "better" else 4)              # the rule pupils still at school
        if kind == "worse":
            assert basis.method == "rule" and basis.switched_on
            assert all(r.chance is None and r.model_factors == "" for r in stored)
            assert {r.student_id for r in rows} == {r.student_id for r in stored if r.score >= 5}
            assert all(r.chance is None and not r.contributions for r in rows)
            return
        assert basis.method == "model" and basis.size == rule_size
        assert all(r.chance is not None for r in stored)                 # every pupil stored, score 0 too
        explained = sorted((r for r in stored if r.model_factors), key=lambda r: (-r.chance, r.student_id))
        assert len(explained) > rule_size                                # the list size binds
        assert [r.student_id for r in rows] == [r.student_id for r in explained[:rule_size]]
        every_boarder = pupils[S1]["boarders"] | pupils[S2]["boarders"]
        assert names <= every_boarder and not names & (pupils[S1]["rule"] | pupils[S2]["rule"])
        for r in rows:                                                   # the largest contribution named first
            assert r.contributions and r.contributions[0].code == "boarding" and r.contributions[0].value == 1
            assert [c.weight for c in r.contributions] == sorted((c.weight for c in r.contributions), reverse=True)
            assert r.chance == max(x.chance for x in stored)
        model = s.get(RiskModel, COUNTY)
        assert model.better and model.held_out == "2023-2" and model.trained_on == "2022-1,2022-2,2023-1"
        counts = county_rows(s, ADMIN, TERM)
        assert sum(c.listed for c in counts) == rule_size


def test_switched_off_the_list_is_the_rule_again(session_factory, case) -> None:  # noqa: ANN001
    with session_factory() as s, s.begin():
        set_factor(s, COUNTY, "model", 0, 0)
    with session_factory() as s:
        basis = list_basis(s, ADMIN, TERM)
        assert basis.method == "rule" and not basis.switched_on          # read at once, before any rescoring
        assert {r.student_id for r in risk_rows(s, ADMIN, TERM, True)} == {
            r.student_id for r in _stored(s) if r.score >= 5}
    with session_factory() as s, s.begin():
        school = s.scalar(select(School.id).where(School.code == S1))
        refresh_scores(s, TERM, [school])                                # one school: the whole county rescored
    with session_factory() as s:
        assert all(r.chance is None for r in _stored(s)) and all(r.score > 0 for r in _stored(s))


def test_background_refresh_of_one_school_rescores_the_county_with_the_model(world, session_factory) -> None:  # noqa: ANN001
    _history(session_factory, held_out_follows_rule=False)
    with session_factory() as s, s.begin():
        refresh_scores(s, TERM)                                          # the rule's scores, model off
        set_factor(s, COUNTY, "model", 0, 1)
    set_scheduler(lambda _factory: None)
    try:
        with session_factory() as s, s.begin():
            ids = [s.scalar(select(School.id).where(School.code == c)) for c in (S1, S2)]
            pupils = s.scalar(select(func.count()).select_from(RosterRecord).where(
                RosterRecord.term_code == TERM, RosterRecord.status.in_(SCORED_STATUSES)))
            request_refresh(s, TERM, ids)
        # one school per run: the first trains the model and scores the whole county, S2's request is done then
        assert run_pending(session_factory, 1) == pupils
    finally:
        set_scheduler(None)
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(RiskRefresh)) == 0
        stored = _stored(s)
        schools = {r.school_id for r in stored if r.chance is not None}
        assert len(schools) == 2 and all(r.chance is not None for r in stored)   # S2 too: the model was trained
        assert list_basis(s, ADMIN, TERM).method == "model"
        trained = s.get(RiskModel, COUNTY).computed_at
    with session_factory() as s, s.begin():                              # nothing changed: not trained again
        refresh_scores(s, TERM, [s.scalar(select(School.id).where(School.code == S2))])
    with session_factory() as s:
        assert s.get(RiskModel, COUNTY).computed_at == trained


def _show(user):  # noqa: ANN001, ANN202
    resp = user.callback(SHOW_OUT, [("shell-term", "value", TERM), ("warn-refresh", "data", 0),
                                    ("warn-pick-county", "value", None)])
    assert resp.status_code == 200, resp.data[:300]
    return resp.get_json()["response"], json.dumps(resp.get_json(), ensure_ascii=False)


@pytest.mark.parametrize(("name", "sees", "hidden", "named"), [
    ("admin", [S1, S2], [], True),
    ("registrar1", [S1], [S2], True),
    ("registrar2", [S2], [S1], True),
    ("officer1", [S1], [S2], True),
    ("officer2", [S2], [S1], True),
    ("leader", [S1, S2], [], False),
])
def test_model_list_scoped_and_masked(web_user, session_factory, case, name, sees, hidden, named) -> None:  # noqa: ANN001
    kind, pupils = case
    with session_factory() as s:
        listed = {r.name for r in risk_rows(s, ADMIN, TERM, True)}
        by_school = {code: {n for n, sc in s.execute(
            select(Student.name, School.code).join(RiskScore, RiskScore.student_id == Student.id)
            .join(School, School.id == RiskScore.school_id).where(RiskScore.term_code == TERM)) if sc == code}
            for code in (S1, S2)}
    body, text = _show(web_user(name))
    if kind == "better":
        assert "名单依据：统计模型（回测优于规则）" in text and "模型估计概率（%）" in text
        assert "住校（+" in text                                          # the contribution in the factors' words
    else:
        assert "名单依据：规则评分" in text and "模型估计概率" not in text
    for code in sees:
        shown = listed & by_school[code]
        assert shown                                                     # someone of the school is listed
        for pupil in shown:
            assert (pupil in text) is named
    for code in hidden:
        for pupil in by_school[code]:
            assert pupil not in text
    if name != "registrar1" and name != "registrar2":
        county = json.dumps(body["warn-county"], ensure_ascii=False)
        assert "warn-county-grid" in county
        for names in by_school.values():
            assert not any(n in county for n in names)


def test_no_basis_line_while_the_model_is_off(web_user, world) -> None:  # noqa: ANN001
    _body, text = _show(web_user("registrar1"))
    assert "名单依据" not in text and "warn-basis" not in text


def test_switching_the_model_from_the_command_line_rescores_the_latest_term(server, world, session_factory) -> None:  # noqa: ANN001
    _history(session_factory, held_out_follows_rule=False)
    runner = server.test_cli_runner()
    out = runner.invoke(args=["risk-setting", "--county", COUNTY, "--factor", "model", "--threshold", "1"]).output
    assert f"{TERM}: scores refreshed; the list is drawn by the model" in out
    out = runner.invoke(args=["risk-setting", "--county", COUNTY, "--factor", "model", "--threshold", "0"]).output
    assert f"{TERM}: scores refreshed; the list is drawn by the rule" in out
    with session_factory() as s:
        assert all(r.chance is None for r in _stored(s))


SAVE_OUT = [("warn-msg", "children"), ("warn-refresh", "data"), ("warn-case", "style"), ("warn-case-for", "data")]


def test_an_absence_saved_on_the_page_uses_the_stored_model_without_training(web_user, session_factory, case) -> None:  # noqa: ANN001
    kind, _pupils = case
    if kind != "better":
        return
    with session_factory() as s:
        sid = s.scalar(select(RiskScore.student_id).join(School, School.id == RiskScore.school_id)
                       .where(RiskScore.term_code == TERM, School.code == S1, RiskScore.model_factors == ""))
        trained = s.get(RiskModel, COUNTY).computed_at
    resp = web_user("registrar1").callback(
        SAVE_OUT, [("warn-save", "n_clicks", 1)],
        [("warn-grid", "selectedRows", [{"id": sid}]), ("warn-action", "value", "absence"),
         ("warn-date", "value", "2024-03-04"), ("warn-days", "value", 6), ("warn-note", "value", ""),
         ("warn-refresh", "data", 0)])                  # dated in the term before: the model's history changed
    assert resp.status_code == 200, resp.data[:300]
    with session_factory() as s:
        row = s.get(RiskScore, (TERM, sid))
        assert s.get(RiskModel, COUNTY).computed_at == trained             # no training in the request
        assert row.chance is not None and "absence:6" in row.factors        # rescored with the stored model
    with session_factory() as s, s.begin():
        refresh_scores(s, TERM, [s.scalar(select(School.id).where(School.code == S2))])   # the next refresh trains
    with session_factory() as s:
        assert s.get(RiskModel, COUNTY).computed_at > trained
