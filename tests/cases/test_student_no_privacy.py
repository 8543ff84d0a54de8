"""Issue 11, holes 3 and 4: a national student number that embeds a resident ID number (G + the 18 characters) is
that ID number — masked on every page, export and search result, revealed only by the roles allowed (audit-logged)
— and searching by student number matches whole numbers only, rate-limited, so a masked number cannot be rebuilt
one character at a time. Raw requests to the real callback and download routes."""
from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from data_access.models import AuditLog, Student
from tests.cases.test_case_pages import uncover
from tests.cases.test_ledger_fixtures import T1, TERM, V1, case
from tests.cases.test_ledger_pages import cases_view, world  # noqa: F401 - fixture

ID_NUMBER = "532822201703050011"            # generated: a valid checksum, nobody's
NUMBER = "G" + ID_NUMBER
KIDS_OUT = [("ledger-kids", "children"), ("ledger-drill-title", "children"), ("ledger-drill-box", "style"),
            ("ledger-kid-pager", "max_value"), ("ledger-kid-pager", "active_page")]


@pytest.fixture
def pupil(world, session_factory):  # noqa: ANN001, ANN201
    """Child A (张测试, school S1, village V1, age 7) has the student number G + her ID number, and a case."""
    with session_factory() as s, s.begin():
        s.get(Student, world.students["A"]).student_no = NUMBER
        world.students["case_id"] = case(s, world.students["A"], T1, world.s1)
    return world


def kids(user, search: str | None = None):  # noqa: ANN001, ANN201
    return user.callback(KIDS_OUT, [("ledger-drill", "data", {"code": V1, "age": 7, "name": "x"}),
                                    ("ledger-kid-status", "value", None), ("ledger-kid-search", "value", search),
                                    ("ledger-kid-pager", "active_page", 1)], state=[("shell-term", "value", TERM)])


def body(resp) -> str:  # noqa: ANN001
    assert resp.status_code == 200, resp.data[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def test_number_with_an_id_inside_is_masked_everywhere(web_user, pupil) -> None:  # noqa: ANN001
    masked = "G532822********0011"
    for name in ("officer1", "staff1", "admin", "leader"):
        user = web_user(name)
        for shown in (body(kids(user)), body(cases_view(user))):
            assert ID_NUMBER not in shown and masked in shown, name
    staff = web_user("staff1")
    search = body(staff.callback([("ledger-new-student", "options")], [("ledger-new-student", "search_value", "张测试")],
                                 state=[("ledger-new-student", "value", None), ("shell-term", "value", TERM)]))
    assert "张测试" in search and ID_NUMBER not in search and masked in search
    export = web_user("officer1").client.get("/cases/ledger.xlsx?ledger=confirmed")
    assert export.status_code == 200
    cells = [str(c) for row in load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True) for c in row]
    assert not any(ID_NUMBER in c for c in cells) and masked in cells
    agreement = web_user("officer1").callback([("agreement-counts", "children"), ("agreement-list", "children"),
                                               ("agreement-term", "children")], [("shell-term", "value", TERM)])
    assert ID_NUMBER not in agreement.get_data(as_text=True)


def test_reveal_is_for_allowed_roles_and_audit_logged(web_user, pupil, session_factory) -> None:  # noqa: ANN001
    cid = pupil.students["case_id"]
    assert uncover(web_user("leader"), cid, "id_number").status_code == 403
    shown = uncover(web_user("officer1"), cid, "id_number")
    assert shown.status_code == 200 and ID_NUMBER in shown.get_data(as_text=True)
    with session_factory() as s:
        logged = s.scalars(select(AuditLog).where(AuditLog.entity_key == str(cid),
                                                  AuditLog.action.like("reveal%"))).all()
    assert [e.actor for e in logged] == ["officer1"]


def test_number_search_is_exact_for_the_leader(web_user, pupil) -> None:  # noqa: ANN001
    leader = web_user("leader")
    for prefix in (NUMBER[:7], NUMBER[:12], NUMBER[:-1]):
        assert "张*" not in body(kids(leader, prefix)) and "0011" not in body(kids(leader, prefix))
    assert "0011" in body(kids(leader, NUMBER))      # the whole number finds the child (shown masked)


def test_number_searches_are_rate_limited(web_user, pupil, server, monkeypatch) -> None:  # noqa: ANN001
    from web import search_limit
    search_limit._limiter.cache_clear()
    monkeypatch.setitem(server.config, "SEARCH_RATE_LIMIT", "5 per minute")
    leader = web_user("leader")
    answers = [kids(leader, f"G53282220170305{i:04d}").status_code for i in range(8)]
    assert answers[:5] == [200] * 5 and answers[5:] == [429] * 3
    assert kids(leader).status_code == 200          # browsing without a search is not counted
    search_limit._limiter.cache_clear()


def test_an_id_inside_is_known_by_checksum_and_birth_date_not_by_birth_place() -> None:
    """The import accepts an ID number on its checksum and birth date; masking knows one the same way, so an ID
    number born in a division python-stdnum's list lacks is masked too (it was shown whole)."""
    from stdnum.cn import ric

    from domain.privacy import embedded_id_number, mask_student_no
    unknown_place = "99999920150101001"
    unknown_place += ric.calc_check_digit(unknown_place + "0")
    assert not ric.is_valid(unknown_place)                       # stdnum refuses it for its birth place
    assert embedded_id_number("G" + unknown_place) == unknown_place
    assert mask_student_no("G" + unknown_place) == "G999999********" + unknown_place[-4:]
    assert mask_student_no(NUMBER) == "G532822********0011"
    wrong_check = NUMBER[:-1] + "2"
    no_date = "53282220151301001"
    no_date += ric.calc_check_digit(no_date + "0")
    for plain in (wrong_check, "G" + no_date):                   # not an ID number: shown to roles seeing names
        assert embedded_id_number(plain) is None and mask_student_no(plain) == plain
