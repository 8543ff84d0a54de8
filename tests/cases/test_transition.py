"""Pupils lost between primary and junior school (小升初, issue 13.4): the spring's grade-6 graduates found on no
roster of the autumn term, per township and primary school, scoped like the ledger; made suspected cases in one
step (source transition, dated at the autumn term's start); listed on the agreement page as their own kind; and
the migration that lets a case carry the new source."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import insert, select, text

from data_access.cases.cases import CaseRefused
from data_access.cases.ledger import LedgerRefused
from data_access.cases.transition import open_lost_graduates, transition_date
from data_access.imports.missing import graduates_term, lost_graduates
from data_access.inspection.access import Actor
from data_access.models import DropoutCase, RosterRecord
from data_access.scope import Scope
from data_access.schema import upgrade_schema
from domain.localtime import local_today
from tests import factories as f
from tests.test_schema import empty_engine  # noqa: F401 - fixture reuse

SPRING, AUTUMN = "2024-2", "2025-1"
T1, T2 = "532822101000", "532822102000"
AGREEMENT_OUT = [("agreement-counts", "children"), ("agreement-list", "children"), ("agreement-term", "children")]


@pytest.fixture
def county(session_factory, server) -> dict:  # noqa: ANN001
    """Primary schools P1 (T1) and P2 (T2), junior school J1 (T1); spring grade-6 graduates g1, g2 (P1), g3 (P2),
    g4 (P1, found on J1's autumn roster), a grade-6 pupil still 在读 (n1), a grade-5 毕业 (n2); users of each role."""
    ids: dict = {}
    with session_factory() as s, s.begin():
        county_area, (t1, t2) = f.county_with_townships(s, 2)
        p1 = f.school.create(s, township_code=T1, code="2100000001", name="一乡小学")
        p2 = f.school.create(s, township_code=T2, code="2100000002", name="二乡小学")
        j1 = f.school.create(s, township_code=T1, code="2100000003", name="一乡中学", type="初中")
        ids.update(p1=p1.id, p2=p2.id, j1=j1.id)
        for key, school, grade, status in (("g1", p1, 6, "毕业"), ("g2", p1, 6, "毕业"), ("g3", p2, 6, "毕业"),
                                           ("g4", p1, 6, "毕业"), ("n1", p1, 6, "在读"), ("n2", p1, 5, "毕业")):
            ids[key] = f.roster(s, SPRING, school, grade=grade, status=status, class_name="1班").student_id
        f.term(s, AUTUMN)
        s.execute(insert(RosterRecord), [{"term_code": AUTUMN, "student_id": ids["g4"], "school_id": j1.id,
                                          "grade": 7, "status": "在读", "age": 12}])
        f.roster(s, AUTUMN, j1, grade=7)
        f.user.create(s, username="admin", role="admin")
        f.user.create(s, username="leader", role="county_leader", area_code=county_area.code)
        f.user.create(s, username="officer1", role="township_officer", area_code=T1)
        f.user.create(s, username="officer2", role="township_officer", area_code=T2)
        f.user.create(s, username="staffp1", role="school_staff", area_code=T1, school_id=p1.id)
        f.user.create(s, username="staffj1", role="school_staff", area_code=T1, school_id=j1.id)
    return ids


def _scope(county: dict, who: str) -> Scope | None:
    return {"none": None, "admin": Scope("admin", unrestricted=True),
            "officer1": Scope("township_officer", areas=((T1, "township"),)),
            "officer2": Scope("township_officer", areas=((T2, "township"),)),
            "staffp1": Scope("school_staff", school_id=county["p1"]),
            "staffj1": Scope("school_staff", school_id=county["j1"])}[who]


def test_graduates_term() -> None:
    assert graduates_term(AUTUMN) == SPRING and graduates_term("2024-1") == "2023-2" and graduates_term(SPRING) is None


@pytest.mark.parametrize(("who", "expected"), [
    ("none", ["g1", "g2", "g3"]), ("admin", ["g1", "g2", "g3"]), ("officer1", ["g1", "g2"]),
    ("officer2", ["g3"]), ("staffp1", ["g1", "g2"]), ("staffj1", []),
])
def test_lost_graduates_scoped_per_township_and_school(session_factory, county, who, expected) -> None:  # noqa: ANN001
    with session_factory() as s:
        spring, found, count = lost_graduates(s, AUTUMN, _scope(county, who))
    assert spring == SPRING and count == len(expected)
    assert sorted(g.student_id for g in found) == sorted(county[k] for k in expected)
    assert [(g.township_code, g.school_name) for g in found] == sorted((g.township_code, g.school_name) for g in found)
    assert all(g.term == SPRING and g.class_name == "1班" for g in found)


def test_lost_graduates_are_read_through_the_graduates_index(session_factory, county) -> None:  # noqa: ANN001
    """Issue 19: SQLite without statistics took the grade-6 lines' household index (migration 0040) for the lost
    graduates too and read the spring's every grade-6 line (0.6 s a query at province scale): the graduates' own
    partial index serves both the count and the list."""
    from sqlalchemy import event
    with session_factory() as s, s.begin():
        if s.bind.dialect.name != "sqlite":
            pytest.skip("the plan checked is SQLite's")
        # without statistics SQLite takes the first usable index of those it rates alike, the newest first: the
        # household index made after the graduates' one, as on a database migrated to 0040
        made = s.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_roster_grade6_household'")).scalar_one()
        s.execute(text("DROP INDEX ix_roster_grade6_household"))
        s.execute(text(made))
    statements: list[tuple[str, object]] = []
    listen = lambda _c, _cur, stmt, params, _ctx, _many: statements.append((stmt, params))  # noqa: E731
    engine = session_factory.kw["bind"]
    event.listen(engine, "before_cursor_execute", listen)
    try:
        with session_factory() as s:
            assert lost_graduates(s, AUTUMN, Scope("county_leader", areas=(("532822000000", "county"),)),
                                  without_case=True)[2] == 3
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    lines = [(q, p) for q, p in statements if "FROM roster_record" in q and "毕业" in q]
    assert len(lines) == 2                                                   # the count and the list
    with session_factory() as s:
        for query, params in lines:
            plan = [row[-1] for row in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + query, params)]
            assert any("ix_roster_graduates" in step for step in plan), plan


def test_spring_term_lists_nothing(session_factory, county) -> None:  # noqa: ANN001
    with session_factory() as s:
        assert lost_graduates(s, SPRING) == (None, [], 0)


@pytest.mark.parametrize(("role", "area", "refused"), [("county_leader", None, CaseRefused),
                                                       ("inspector", T1, CaseRefused)])
def test_roles_that_may_not_open_are_refused(session_factory, county, role, area, refused) -> None:  # noqa: ANN001
    scope = Scope(role, areas=((area or "532822000000", "township" if area else "county"),))
    with session_factory() as s, pytest.raises(refused):
        open_lost_graduates(s, Actor(1, role, scope), AUTUMN)


def test_one_step_opens_suspected_cases_once(session_factory, county) -> None:  # noqa: ANN001
    officer = Actor(3, "township_officer", _scope(county, "officer1"))
    with session_factory() as s, s.begin():
        assert open_lost_graduates(s, officer, AUTUMN) == (2, 2)
    with session_factory() as s, s.begin():
        assert open_lost_graduates(s, officer, AUTUMN) == (0, 0)           # once: they have cases now
        with pytest.raises(LedgerRefused):                                  # T2's graduate: not on their list
            open_lost_graduates(s, officer, AUTUMN, county["g3"])
    with session_factory() as s:
        rows = s.scalars(select(DropoutCase).order_by(DropoutCase.student_id)).all()
        day = transition_date(s, AUTUMN)
    assert day == min(dt.date(2025, 9, 1), local_today())
    assert [(c.student_id, c.ledger, c.source, c.township_code, c.school_id, c.found_date, c.step_started)
            for c in rows] == [(county[k], "suspected", "transition", T1, county["p1"], day, day) for k in ("g1", "g2")]


def _body(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_agreement_page_lists_and_opens_lost_graduates(web_user, session_factory, county) -> None:  # noqa: ANN001
    from tests.inspection.test_inspection_pages import call
    officer = web_user("officer1")
    body = _body(officer.callback(AGREEMENT_OUT, [("shell-term", "value", AUTUMN)]))
    assert '"kind": "graduate_lost"' in body and "一乡小学" in body and "二乡小学" not in body  # its own grid
    leader = _body(web_user("leader").callback(AGREEMENT_OUT, [("shell-term", "value", AUTUMN)]))
    assert "二乡小学" in leader and "BxActionButton" not in leader    # masked, no buttons for the leader

    def open_row(user, key: str):  # noqa: ANN001, ANN202
        # the grid's "Open case" button sets cellRendererData; the row data is the grid's (as the browser sends it)
        grid = {"type": "agreement-grid", "kind": "graduate_lost"}
        done = {"type": "agreement-done", "kind": "graduate_lost"}
        clicked = {"colId": "action", "rowId": str(county[key]), "rowIndex": 0, "value": "x", "timestamp": 1}
        return call(user, [(None, done, "children"), (None, grid, "rowTransaction")],
                    [(grid, "cellRendererData", clicked)],
                    [(grid, "rowData", [{"id": str(county[key]), "action": "x"}]), ("shell-term", "value", AUTUMN)],
                    key='..{"kind":["MATCH"],"type":"agreement-done"}.children...'
                        '{"kind":["MATCH"],"type":"agreement-grid"}.rowTransaction..')
    assert open_row(officer, "g3").status_code == 403                 # another township's graduate
    assert open_row(officer, "g4").status_code == 403                 # found on a junior roster: not lost
    assert open_row(web_user("staffj1"), "g1").status_code == 403     # another school
    assert open_row(web_user("leader"), "g1").status_code == 403      # the role may not open cases
    opened = open_row(officer, "g1")
    with session_factory() as s:
        case = s.scalar(select(DropoutCase).where(DropoutCase.student_id == county["g1"]))
    assert f"/cases/case?id={case.id}" in _body(opened)
    assert (case.source, case.ledger) == ("transition", "suspected")
    after = _body(officer.callback(AGREEMENT_OUT, [("shell-term", "value", AUTUMN)]))
    assert f'"id": "{county["g1"]}"' not in after and f'"id": "{county["g2"]}"' in after  # g1 has its case now


def _migrate(engine, target: str) -> None:  # noqa: ANN001
    from alembic import command
    from data_access.schema import alembic_config
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.upgrade if target == "head" else command.downgrade)(cfg, target)


CASE_SQL = ("INSERT INTO dropout_case (student_id, township_code, ledger, source, found_date, absence_days, reason_note, "
            "special_groups, gov_responsible, edu_responsible, helper, plan, step, step_started, status, outcome_note, "
            "verification_note, opened_at, version) VALUES (1, '532822101000', 'suspected', :source, '2025-09-01', 0, "
            "'', '', '', '', '', '', 1, '2025-09-01', 'open', '', '', '2025-09-01 08:00:00', 1)")


def test_migration_0008_allows_the_transition_source(empty_engine) -> None:  # noqa: ANN001, F811
    from alembic.script import ScriptDirectory
    from data_access.schema import alembic_config

    def head_revision() -> str:
        return ScriptDirectory.from_config(alembic_config(empty_engine)).get_current_head()
    upgrade_schema(empty_engine)
    with empty_engine.begin() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        conn.execute(text("INSERT INTO area (code, name, level) VALUES ('532822101000', 'x', 'township')"))
        conn.execute(text("INSERT INTO student (id, student_no, name, gender, birth_date) "
                          "VALUES (1, 'G1', 'x', '男', '2013-01-01')"))
        conn.execute(text(CASE_SQL), {"source": "transition"})
    with pytest.raises(Exception, match="ck_case_source"), empty_engine.begin() as conn:
        conn.execute(text(CASE_SQL.replace("'open'", "'closed'")), {"source": "rumour"})
    _migrate(empty_engine, "0007_security")           # down: the case stays, as a comparison
    with empty_engine.begin() as conn:
        assert conn.execute(text("SELECT source FROM dropout_case")).scalar() == "comparison"
    _migrate(empty_engine, "head")
