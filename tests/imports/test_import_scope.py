"""Issue 11, hole 1: a school's roster import may create and change only records inside the importer's scope.
Raw requests to the Imports page's callback route, then the background job run with the page's ticket."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from data_access import models as m
from data_access.imports.files import import_roster
from tests.imports.test_import_pages import (  # noqa: F401 - fixtures
    TERM, _own_job_folder, response, staff_id, start, upload, users, run_ticket,
)
from tests.imports.test_imports import DATA
from pages.imports.runner import job_store

HEAD = "全国学籍号,姓名,性别,出生日期,学校标识码,年级,班级,就读状态,监护人电话,脱贫户,残疾类型,留守儿童,随迁子女"
OTHER_PUPIL = "L990101201109090040"     # 测试丁, on the roster of 2153000002 (another township)


def _state(factory) -> list[tuple]:  # noqa: ANN001
    with factory() as s:
        return sorted(s.execute(select(m.Student.student_no, m.Student.name, m.RosterRecord.term_code,
                                       m.RosterRecord.school_id, m.RosterRecord.status, m.RosterRecord.guardian_phone)
                                .join(m.RosterRecord, m.RosterRecord.student_id == m.Student.id)).all())


def _import_as_staff(web_user, users, dash_app, server, path: Path, term: str = TERM) -> dict:  # noqa: ANN001
    staff = web_user("staff")
    ticket = response(start(staff, dash_app, upload(staff, dash_app, path), "roster", term))["imports-ticket"]["data"]
    return job_store().get(staff_id(users, "staff"), run_ticket(server, ticket))["result"]


def _county_roster(users) -> None:  # noqa: ANN001
    with users() as s, s.begin():
        assert import_roster(s, DATA / "roster.csv", TERM).ok


def test_school_cannot_take_over_a_pupil_of_another_school(web_user, users, dash_app, server,  # noqa: ANN001
                                                           tmp_path: Path) -> None:
    _county_roster(users)
    before = _state(users)
    with users() as s:
        cases = s.scalars(select(m.DropoutCase.id)).all()
    bomb = tmp_path / "one.csv"
    bomb.write_text(f"{HEAD}\n{OTHER_PUPIL},改名,女,2011-09-09,2153000001,8,1班,辍学,13800000009,否,无,否,否\n", encoding="utf-8")
    result = _import_as_staff(web_user, users, dash_app, server, bomb)
    assert result["ok"] is False
    problems = [(p["row"], p["column"], p["reason"]) for p in result["problems"]]
    assert (2, "全国学籍号", "on the roster of another school: ask the county to transfer") in problems
    assert "2153000002" not in str(result) and "打洛镇测试中学" not in str(result)   # the other school is not named
    assert _state(users) == before
    with users() as s:
        assert s.scalar(select(m.Student.name).where(m.Student.student_no == OTHER_PUPIL)) == "测试丁"
        assert s.scalars(select(m.DropoutCase.id)).all() == cases


def test_school_cannot_rename_a_pupil_another_school_recorded(web_user, users, dash_app, server,  # noqa: ANN001
                                                              tmp_path: Path) -> None:
    _county_roster(users)
    before = _state(users)
    spring = tmp_path / "spring.csv"      # next term: not on anybody's roster yet, but known to another school
    spring.write_text(f"{HEAD}\n{OTHER_PUPIL},改名,女,2011-09-09,2153000001,8,1班,在读,,否,无,否,否\n", encoding="utf-8")
    result = _import_as_staff(web_user, users, dash_app, server, spring, "2024-2")
    assert result["ok"] is False
    assert [(p["row"], p["column"]) for p in result["problems"]] == [(2, "姓名")]
    assert _state(users) == before


def test_school_may_still_enrol_a_pupil_coming_from_another_school(web_user, users, dash_app, server,  # noqa: ANN001
                                                                   tmp_path: Path) -> None:
    _county_roster(users)
    spring = tmp_path / "spring.csv"      # same identity, a new term: an ordinary move at the term change
    spring.write_text(f"{HEAD}\n{OTHER_PUPIL},测试丁,女,2011-09-09,2153000001,8,1班,在读,,否,无,否,否\n", encoding="utf-8")
    result = _import_as_staff(web_user, users, dash_app, server, spring, "2024-2")
    assert result["ok"] is True and result["new"] == 1
