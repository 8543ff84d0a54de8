"""The poverty list (issue 16.4): import (whole-file checks, nothing written on a problem), matching pupils by ID
number only (never by name), the 脱贫户 flag of the term's roster lines, the 四查三比对 comparison (children of school age
on no roster, dropouts from listed families) on its page with the .xlsx export, scoped by area; the CLI. Every person
here is generated; ID numbers get valid check digits from python-stdnum."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from stdnum.cn import ric

from data_access.models import AuditLog, PovertyMember, RosterAggregate, RosterRecord, Student
from data_access.cases.poverty import poverty_comparison
from data_access.imports.files import import_poverty, import_roster
from data_access.scope import Scope
from tests.admin.conftest import world  # noqa: F401 - the administration tests' world: areas, schools, roster
from tests.imports.test_imports import DATA, TERM, run

HEADER = ["户编号", "户主姓名", "成员姓名", "身份证号", "与户主关系", "乡镇", "行政村", "户类型"]
JIA_ID = "990101201503050010"      # 测试甲, enrolled at school 1 (勐海镇), 2024-1
DING_ID = "990101201109090049"     # 测试丁, 辍学 at school 2 (打洛镇): the roster import opened her case


def gen_id(birth: str, serial: str) -> str:
    """A generated resident ID number (region 532822, 勐海县) with a valid check digit."""
    body = f"532822{birth}{serial}"
    return body + ric.calc_check_digit(body + "0")


CHILD = gen_id("20160101", "021")          # aged 8, on no roster
BING_TWIN = gen_id("20120101", "033")      # named 测试丙 like a rostered pupil, but another ID number
ADULT = gen_id("19850505", "011")
ROWS = [
    ["H001", "户主一", "户主一", ADULT, "户主", "勐海镇", "测试村一", "脱贫户"],
    ["H001", "户主一", "贫困甲", JIA_ID, "之子", "勐海镇", "测试村一", "脱贫户"],
    ["H001", "户主一", "生成童", CHILD, "之女", "532822101", "", "脱贫户"],
    ["H002", "户主二", "测试丙", BING_TWIN, "之子", "532822102000", "测试村二", "边缘易致贫户"],
    ["H003", "户主三", "生成丁", DING_ID, "之女", "打洛镇", "", "监测户"],
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某县脱贫人口和监测对象名单"])          # a title row above the header
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


def flags(session_factory) -> dict[str, bool]:  # noqa: ANN001
    with session_factory() as s:
        return {name: flag for name, flag in s.execute(
            select(Student.name, RosterRecord.poverty_registered).join(RosterRecord)
            .where(RosterRecord.term_code == TERM))}


def test_import_flags_by_id_number_only(world, session_factory, tmp_path) -> None:  # noqa: ANN001, F811
    before = flags(session_factory)
    assert before["测试甲"] is False and before["测试丙"] is False
    result = run(session_factory, import_poverty, write_xlsx(tmp_path / "名单.xlsx", ROWS), TERM)
    assert result.ok, result.report()
    assert (result.new, result.changed, result.unchanged, result.removed) == (5, 0, 0, 0)
    assert result.poverty_flagged == 1 and "flagged" in result.summary()
    after = flags(session_factory)
    assert after["测试甲"] is True                  # matched by ID number although the list spells the name otherwise
    assert after["测试丙"] is False                 # the same name with another ID number never matches
    with session_factory() as s:
        twin = s.scalars(select(PovertyMember).where(PovertyMember.id_number == BING_TWIN)).one()
        assert (twin.household_status, twin.status_detail, twin.village_code) == ("监测户", "边缘易致贫户",
                                                                                 "532822102201")
        child = s.scalars(select(PovertyMember).where(PovertyMember.id_number == CHILD)).one()
        assert child.township_code == "532822101000" and child.gender == "男"
        assert s.scalar(select(RosterAggregate.id).limit(1)) is not None
    again = run(session_factory, import_poverty, write_xlsx(tmp_path / "名单.xlsx", ROWS), TERM)
    assert (again.new, again.changed, again.unchanged, again.poverty_flagged) == (0, 0, 5, 0)
    shorter = run(session_factory, import_poverty, write_csv(tmp_path / "l.csv", ROWS[:3]), TERM)
    assert (shorter.unchanged, shorter.removed) == (3, 2)


def test_roster_reimport_keeps_the_list_flag(world, session_factory, tmp_path) -> None:  # noqa: ANN001, F811
    assert run(session_factory, import_poverty, write_csv(tmp_path / "l.csv", ROWS), TERM).ok
    again = run(session_factory, lambda s, *a: import_roster(s, *a, scope=Scope("admin", unrestricted=True)),
                DATA / "roster.csv", TERM)
    assert again.ok and (again.new, again.changed) == (0, 0)       # the file says 否: the list's flag stays
    assert flags(session_factory)["测试甲"] is True


@pytest.mark.parametrize("row, column, reason", [
    (["H9", "户主", "某", JIA_ID[:-1] + "1", "", "勐海镇", "", "脱贫户"], "身份证号", "checksum does not match"),
    (["H9", "户主", "某", gen_id("20150101", "045"), "", "不存在镇", "", "脱贫户"], "乡镇",
     "no township of this name is imported"),
    (["H9", "户主", "某", gen_id("20150101", "045"), "", "勐海镇", "测试村二", "脱贫户"], "行政村",
     "no village of this name is imported in this township"),
    (["H9", "户主", "某", gen_id("20150101", "045"), "", "勐海镇", "", "贫困户"], "户类型", "must be 脱贫户 or 监测户"),
    (ROWS[1], "身份证号", "appears more than once"),
])
def test_bad_rows_are_named_and_nothing_is_written(world, session_factory, tmp_path, row, column, reason
                                                   ) -> None:  # noqa: ANN001, F811
    result = run(session_factory, import_poverty, write_csv(tmp_path / "bad.csv", [*ROWS, row]), TERM)
    assert not result.ok
    assert any(p.row == 7 and p.column == column and reason in p.reason for p in result.problems), result.report()
    with session_factory() as s:
        assert s.scalar(select(PovertyMember.id).limit(1)) is None
    assert flags(session_factory)["测试甲"] is False


def test_township_admin_imports_only_their_township(world, session_factory, tmp_path) -> None:  # noqa: ANN001, F811
    scope = Scope("admin", areas=(("532822102000", "township"),))
    result = run(session_factory, lambda s, *a: import_poverty(s, *a, scope=scope),
                 write_csv(tmp_path / "l.csv", ROWS), TERM)
    assert not result.ok and {p.row for p in result.problems} == {2, 3, 4}
    assert run(session_factory, lambda s, *a: import_poverty(s, *a, scope=scope),
               write_csv(tmp_path / "l.csv", ROWS[3:]), TERM).ok
    assert run(session_factory, import_poverty, write_csv(tmp_path / "all.csv", ROWS), TERM).ok
    moved = [*ROWS[3:], ["H4", "户主", "贫困甲", JIA_ID, "", "打洛镇", "", "脱贫户"]]     # listed in 勐海镇 already
    refused = run(session_factory, lambda s, *a: import_poverty(s, *a, scope=scope),
                  write_csv(tmp_path / "l.csv", moved), TERM)
    assert not refused.ok and refused.problems[0].row == 4 and "outside your area" in refused.problems[0].reason


BODY_OUT = [("poverty-body", "children")]


def page(user, term: str = TERM):  # noqa: ANN001, ANN201
    return user.callback(BODY_OUT, [("shell-term", "value", term)])


def text(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_comparison_page_by_area_and_role(web_user, world, session_factory, tmp_path) -> None:  # noqa: ANN001, F811
    assert run(session_factory, import_poverty, write_csv(tmp_path / "l.csv", ROWS), TERM).ok
    admin = text(page(web_user("admin")))
    assert "生成童" in admin and "测试丙" in admin             # on no roster: the child, and the namesake of 测试丙
    assert "贫困甲" not in admin                               # on the roster (matched by ID number)
    assert "532822********" in admin and CHILD not in admin   # ID numbers masked
    with session_factory() as s:
        c = poverty_comparison(s, Scope("admin", unrestricted=True), "admin", TERM)
    assert (c.listed, c.school_age, c.roster_loaded) == (5, 4, True)    # the adult head is not of school age
    assert {u.name for u in c.unrostered} == {"生成童", "测试丙"} and [d.name for d in c.dropouts] == ["测试丁"]
    assert c.dropouts[0].household_status == "监测户"
    assert "/cases/case?id=" in admin and "测试丁" in admin     # her dropout case, from a listed family
    officer1 = text(page(web_user("officer1")))
    assert "生成童" in officer1 and "测试丙" not in officer1 and "测试丁" not in officer1
    leader = text(page(web_user("leader")))
    assert "生成童" not in leader and "生*" in leader          # names masked for leaders
    assert page(web_user("registrar1")).status_code == 403
    assert page(web_user("officer1"), "2024-x").status_code == 403


def test_long_lists_are_cut_but_counted_whole(web_user, world, session_factory, tmp_path,  # noqa: ANN001, F811
                                              monkeypatch) -> None:  # noqa: ANN001
    """A list longer than the page shows is cut, and the page says so; its counts are of every row."""
    import data_access.cases.poverty as poverty
    import pages.cases.poverty as poverty_page
    assert run(session_factory, import_poverty, write_csv(tmp_path / "l.csv", ROWS), TERM).ok
    with session_factory() as s:
        whole = poverty_comparison(s, Scope("admin", unrestricted=True), "admin", TERM)
    assert "poverty-capped" not in text(page(web_user("admin")))
    monkeypatch.setattr(poverty, "MAX_LISTED", 1)
    monkeypatch.setattr(poverty_page, "MAX_LISTED", 1)
    with session_factory() as s:
        cut = poverty_comparison(s, Scope("admin", unrestricted=True), "admin", TERM)
    assert (len(cut.unrostered), cut.unrostered_total, cut.dropouts_total) == (1, 2, 1) == \
        (1, len(whole.unrostered), len(whole.dropouts))
    shown = text(page(web_user("admin")))
    assert "poverty-capped" in shown


def test_export_is_an_xlsx_and_audit_logged(web_user, world, session_factory, tmp_path) -> None:  # noqa: ANN001, F811
    assert run(session_factory, import_poverty, write_csv(tmp_path / "l.csv", ROWS), TERM).ok
    resp = web_user("officer2").callback([("poverty-download", "data")], [("poverty-export", "n_clicks", 1)],
                                         [("shell-term", "value", TERM)])
    assert resp.status_code == 200, resp.data[:300]
    import base64
    data = resp.get_json()["response"]["poverty-download"]["data"]
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data["content"])))
    first, second = book.worksheets
    cells = [c.value for row in first.iter_rows() for c in row]
    assert "测试丙" in cells and "生成童" not in cells           # officer2: 打洛镇 only
    assert any("测试丁" == c.value for row in second.iter_rows() for c in row)
    with session_factory() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.entity == "poverty_check")).one()
        assert entry.action == "export" and entry.area_code == "532822102000"


def test_cli(server, world, tmp_path) -> None:  # noqa: ANN001, F811
    runner = server.test_cli_runner()
    ok = runner.invoke(args=["import-poverty", str(write_csv(tmp_path / "l.csv", ROWS)), "--term", TERM])
    assert ok.exit_code == 0 and "5 new" in ok.output and "1 roster line(s)" in ok.output, ok.output
    bad = runner.invoke(args=["import-poverty", str(write_csv(tmp_path / "b.csv", [ROWS[0][:3] + ["1"] + ROWS[0][4:]])),
                              "--term", TERM])
    assert bad.exit_code == 1 and "身份证号" in bad.output
    assert runner.invoke(args=["import-poverty", "x.csv", "--term", "2024"]).exit_code != 0


def test_imports_page_offers_the_list_with_a_term(web_user, world) -> None:  # noqa: ANN001, F811
    out = [("imports-term-box", "className"), ("imports-code-property-box", "className"), ("imports-columns", "children")]
    resp = web_user("county_admin").callback(out, [("imports-kind", "value", "poverty")])
    shown = text(resp)
    assert resp.get_json()["response"]["imports-term-box"]["className"] == "" and "户主姓名" in shown
    resp = web_user("officer1").callback(out, [("imports-kind", "value", "poverty")])
    assert resp.status_code == 200 and resp.get_json()["response"]["imports-term-box"]["className"] == "d-none"
