"""The autumn roster import lists the spring's grade-6 graduates on no roster of the new term (小升初), and its
button makes them suspected cases in one step — through the real Imports page callbacks (issue 13.4)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from data_access import models as m
from domain.localtime import local_today
from tests.imports.test_import_pages import (  # noqa: F401 - fixture reuse
    _own_job_folder, call, import_confirmed, response, run_ticket, show, start, text, upload, users)
from tests.imports.test_imports import DATA

GRADUATE = "G990101201503050010"  # 测试甲, made a grade-6 graduate of 2153000001 in spring


def _files(tmp_path: Path) -> tuple[Path, Path]:
    head, first, _second, third, *_rest = (DATA / "roster.csv").read_text(encoding="utf-8").splitlines()
    graduate = first.replace(",2153000001,3,3班,在读,", ",2153000001,6,3班,毕业,")
    assert graduate != first
    spring, autumn = tmp_path / "spring.csv", tmp_path / "autumn.csv"
    spring.write_text("\n".join([head, graduate, third]) + "\n", encoding="utf-8")
    autumn.write_text("\n".join([head, third]) + "\n", encoding="utf-8")
    return spring, autumn


def test_autumn_import_lists_lost_graduates_and_opens_their_cases(web_user, users, dash_app, server,  # noqa: ANN001, F811
                                                                  tmp_path: Path) -> None:
    spring, autumn = _files(tmp_path)
    admin = web_user("admin")
    for path, term in ((spring, "2024-2"), (autumn, "2025-1")):
        job_id = import_confirmed(admin, dash_app, server, path, term)
    body = text(show(admin, dash_app))
    assert "imports-graduates" in body and GRADUATE in body and "勐海镇中心小学" in body
    assert "imports-graduates-open" in body
    staff = web_user("staff")                      # another user's job: refused
    press = [("imports-graduates-open", "n_clicks", 1)]
    assert call(staff, dash_app, "imports-graduates-done.children", press,
                [("imports-job", "data", job_id)]).status_code == 403
    assert call(web_user("leader"), dash_app, "imports-graduates-done.children", press,
                [("imports-job", "data", job_id)]).status_code == 403
    done = response(call(admin, dash_app, "imports-graduates-done.children", press, [("imports-job", "data", job_id)]))
    assert "imports-graduates-opened" in text(done)
    with users() as s:
        case = s.scalar(select(m.DropoutCase).join(m.Student, m.Student.id == m.DropoutCase.student_id)
                        .where(m.Student.student_no == GRADUATE))
    assert (case.ledger, case.source, case.township_code) == ("suspected", "transition", "532822101000")
    assert case.found_date == min(dt.date(2025, 9, 1), local_today())
