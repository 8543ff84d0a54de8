"""Student search (issue 15.6) through the real callback route: whole numbers and names within the user's scope
only (a school cannot find another school's pupil, a township officer not another township's), masking by role,
audit-logged reveals, refusals of other students' ids and partial numbers."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from data_access.models import AuditLog, Student
from domain.admin.search import QueryInvalid, parse_query
from tests.imports.test_imports import TERM

HITS_OUT = [("students-hits", "options"), ("students-hits", "value"), ("students-msg", "children")]
DETAIL_OUT = [("students-detail", "children"), ("students-reveal", "className")]


def detail(user, student, reveal: bool = False):  # noqa: ANN001, ANN201
    return user.callback(DETAIL_OUT, [("students-hits", "value", student), ("students-reveal", "n_clicks", 1)],
                         changed="students-reveal.n_clicks" if reveal else "students-hits.value")
JIA_NO, JIA_ID = "G990101201503050010", "990101201503050010"       # 测试甲, school 1 (勐海镇)
DING_NO = "L990101201109090040"                                      # 测试丁, school 2 (打洛镇), 辍学


def search(user, text, birth=None, school=None):  # noqa: ANN001, ANN201
    return user.callback(HITS_OUT, [("students-go", "n_clicks", 1), ("students-text", "value", text)],
                         [("students-birth", "value", birth), ("students-school", "value", school)])


def body(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def hits(resp) -> list:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    return resp.get_json()["response"]["students-hits"]["options"]


def student_id(session_factory, number: str) -> int:  # noqa: ANN001
    with session_factory() as s:
        return s.scalar(select(Student.id).where(Student.student_no == number))


def test_query_kinds() -> None:
    assert parse_query(" g990101201503050010 ").kind == "student_no"
    assert parse_query("990101201503050010").kind == "id_number"
    assert parse_query("测试甲", "2015-03-05").kind == "name"
    for bad, why in (("99010120150305", "partial number"), ("990101201503050011", "bad id number"),
                     ("G99010", "partial number"), ("", "empty")):
        with pytest.raises(QueryInvalid, match=why):
            parse_query(bad)


def test_admin_finds_by_number_id_and_name(web_user, world) -> None:  # noqa: ANN001
    admin = web_user("admin")
    for text in (JIA_NO, JIA_ID, "测试甲"):
        found = hits(search(admin, text))
        assert len(found) == 1 and "测试甲" in found[0]["label"], text
    assert hits(search(admin, "测试甲", birth="2015-03-06")) == []
    assert hits(search(admin, "测试甲", school=world["schools"]["2153000002"])) == []
    assert "测试" not in body(search(admin, "测试"))                  # a part of a name finds nobody


def test_partial_numbers_do_not_enumerate(web_user, world) -> None:  # noqa: ANN001
    admin = web_user("admin")
    for part in ("G9901012015", "990101", JIA_ID[:17]):
        resp = search(admin, part)
        assert hits(resp) == [] and "测试甲" not in body(resp)


def test_school_cannot_find_another_schools_pupil(web_user, world, session_factory) -> None:  # noqa: ANN001
    registrar2 = web_user("registrar2")
    assert hits(search(registrar2, JIA_NO)) == [] and hits(search(registrar2, "测试甲")) == []
    assert len(hits(search(registrar2, DING_NO))) == 1
    jia = student_id(session_factory, JIA_NO)
    assert detail(registrar2, jia).status_code == 403
    assert detail(registrar2, jia, reveal=True).status_code == 403


def test_township_officer_sees_only_their_township(web_user, world, session_factory) -> None:  # noqa: ANN001
    officer1, officer2 = web_user("officer1"), web_user("officer2")
    assert len(hits(search(officer1, JIA_NO))) == 1
    assert hits(search(officer2, JIA_NO)) == []
    assert detail(officer2, student_id(session_factory, JIA_NO)).status_code == 403


def test_history_cases_and_masking_by_role(web_user, world, session_factory) -> None:  # noqa: ANN001
    ding = student_id(session_factory, DING_NO)
    leader = web_user("leader")
    found = hits(search(leader, DING_NO))
    assert len(found) == 1 and "测试丁" not in found[0]["label"] and "测*" in found[0]["label"]
    page = body(detail(leader, ding))
    assert "测试丁" not in page and "990101********0049" in page and "d-none" in page   # no reveal for leaders
    officer2 = web_user("officer2")
    page = body(detail(officer2, ding))
    assert "测试丁" in page and "打洛镇测试中学" in page and "/cases/case?id=" in page    # the 辍学 line's case
    assert "990101201109090049" not in page
    assert detail(leader, ding, reveal=True).status_code == 403


def test_reveal_is_audit_logged(web_user, world, session_factory) -> None:  # noqa: ANN001
    ding = student_id(session_factory, DING_NO)
    resp = detail(web_user("officer2"), ding, reveal=True)
    assert "990101201109090049" in body(resp)
    with session_factory() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "reveal_id_number",
                                                 AuditLog.entity == "student")).one()
        assert entry.entity_key == str(ding) and entry.area_code == "532822102000"


def test_searches_are_rate_limited(web_user, world, server, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setitem(server.config, "SEARCH_RATE_LIMIT", "3 per minute")
    user = web_user("officer1")
    codes = [search(user, "测试甲").status_code for _ in range(5)]
    assert codes[:3] == [200] * 3 and codes[-1] == 429


@pytest.mark.parametrize("name", [None])
def test_anonymous_is_refused(web_user, world, name) -> None:  # noqa: ANN001
    assert search(web_user(name), JIA_NO).status_code in (302, 401, 403)


def test_a_search_by_id_number_and_the_poverty_check_read_no_whole_table(web_user, world, session_factory) -> None:  # noqa: ANN001
    """Issue 19: the search by ID number and the poverty list's comparison find students through the ID number's
    index (without it each read every student: a province's 5 million, 0.4–2.9 s on SQLite)."""
    from sqlalchemy import event

    from data_access.cases.poverty import poverty_comparison
    from data_access.scope import Scope
    with session_factory() as s:
        if s.bind.dialect.name != "sqlite":
            pytest.skip("the plan checked is SQLite's")
    statements: list[tuple[str, object]] = []
    listen = lambda _c, _cur, stmt, params, _ctx, _many: statements.append((stmt, params))  # noqa: E731
    engine = session_factory.kw["bind"]
    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert hits(search(web_user("admin"), JIA_ID))
        with session_factory() as s:
            poverty_comparison(s, Scope("admin", unrestricted=True), "admin", TERM)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    by_number = [(q, p) for q, p in statements if "student.id_number" in q and "FROM student" in q]
    assert len(by_number) >= 2
    with session_factory() as s:
        for query, params in by_number:
            plan = [row[-1] for row in s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + query, params)]
            assert not [step for step in plan if step.startswith("SCAN student")], (query, plan)


@pytest.mark.parametrize("many", [False, True], ids=["namesakes checked", "found among the scope's lines (PostgreSQL)"])
def test_each_hit_shows_the_latest_line_in_the_users_scope(session_factory, monkeypatch, many) -> None:  # noqa: ANN001
    """A pupil who moved: a school of another township sees only its own (older) line, the county the newest; the hits
    come in one statement, in the order found. Both ways of finding a name in a county give the same pupils: each
    namesake checked for a line in scope, or (a name of many pupils) the namesakes met among the scope's lines; a
    namesake of another county is found by neither."""
    from data_access.admin import student_search
    from data_access.admin.student_search import search_students
    from data_access.models import Area, RosterRecord
    from data_access.scope import Scope
    from domain.admin.search import StudentQuery
    from tests import factories as f
    with session_factory() as s, s.begin():
        _county, (t1, t2) = f.county_with_townships(s, 2)
        first = f.school.create(s, township_code=t1.code, code="2153000101", name="一乡小学")
        second = f.school.create(s, township_code=t2.code, code="2153000102", name="二乡小学")
        s.add_all([Area(code="532823000000", name="勐腊县", level="county", parent_code="532800000000"),
                   Area(code="532823100000", name="勐腊镇", level="township", parent_code="532823000000")])
        elsewhere = f.school.create(s, township_code="532823100000", code="2153000201", name="邻县小学")
        moved = f.roster(s, "2024-1", first, grade=3)
        f.term(s, "2024-2")
        s.add(RosterRecord(term_code="2024-2", student_id=moved.student_id, school_id=second.id, grade=3, status="在读",
                           age=moved.age))
        stayed = f.roster(s, "2024-2", first, grade=4)
        neighbour = f.roster(s, "2024-2", elsewhere, grade=4)
        for rec in (moved, stayed, neighbour):
            s.get(Student, rec.student_id).name = "同名童"
        ids = sorted((moved.student_id, stayed.student_id))
    monkeypatch.setattr(student_search, "MANY_NAMESAKES", 1 if many else 10)
    found_in_lines = []
    real = student_search._found_in_scope_lines
    monkeypatch.setattr(student_search, "_found_in_scope_lines",
                        lambda *a: found_in_lines.append(a[1]) or real(*a))
    query = StudentQuery("name", "同名童")
    with session_factory() as s:
        county = search_students(s, Scope("county_leader", areas=(("532822000000", "county"),)), "county_leader", query)
        assert [h.student_id for h in county] == ids
        assert {h.student_id: (h.term_code, h.school) for h in county}[moved.student_id] == ("2024-2", "二乡小学")
        township = search_students(s, Scope("township_officer", areas=((t1.code, "township"),)), "township_officer",
                                   query)
        assert {h.student_id: (h.term_code, h.school) for h in township} == {moved.student_id: ("2024-1", "一乡小学"),
                                                                      stayed.student_id: ("2024-2", "一乡小学")}
        other = search_students(s, Scope("township_officer", areas=((t2.code, "township"),)), "township_officer", query)
        assert [(h.student_id, h.school) for h in other] == [(moved.student_id, "二乡小学")]
        school = search_students(s, Scope("school_staff", school_id=first.id), "school_staff", query)
        assert [h.student_id for h in school] == ids
        province = search_students(s, Scope("county_leader", areas=(("530000000000", "province"),)), "county_leader",
                                   query)
        assert [h.student_id for h in province] == sorted((*ids, neighbour.student_id))
    postgresql = session_factory.kw["bind"].dialect.name == "postgresql"   # (SQLite always checks each namesake)
    assert len(found_in_lines) == (4 if many and postgresql else 0)   # (a province's search too)
