"""Cadence (issue 18.4, seed 001): half-semester periods for a township's bulletin and monthly periods for a central
school's notice — named, chosen in the pickers, and the documents made for them (real routes, real .docx)."""
from __future__ import annotations

import datetime as dt
import io
import json

import docx
import pytest

from domain.periods import current_period, parse_period, periods_of, split_teaching, term_of_period
from tests import factories as f
from tests.admin.conftest import COUNTY, S1, T1, T2, world  # noqa: F401 - the fixture

SPAN = (dt.date(2024, 9, 1), dt.date(2025, 1, 15))


def _text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_half_semesters_split_the_teaching_period_and_months_cover_it() -> None:
    first, second = split_teaching(SPAN)
    assert first == (dt.date(2024, 9, 1), dt.date(2024, 11, 8)) and second == (dt.date(2024, 11, 9), dt.date(2025, 1, 15))
    assert (first[1] - first[0]).days == 68 and (second[1] - second[0]).days == 67       # 69 and 68 days
    halves = periods_of("half_semester", "2024-1", SPAN)
    assert [(p.key, p.kind, p.term) for p in halves] == [("2024-1a", "half_semester", "2024-1"),
                                                         ("2024-1b", "half_semester", "2024-1")]
    assert [p.key for p in periods_of("monthly", "2024-1", SPAN)] == ["2024-09", "2024-10", "2024-11", "2024-12",
                                                                      "2025-01"]
    assert parse_period("2025-01", SPAN).term == "2024-1" and term_of_period("2024-2b") == "2024-2"
    assert current_period("half_semester", "2024-1", SPAN, dt.date(2024, 11, 9)).key == "2024-1b"
    assert current_period("half_semester", "2024-1", SPAN, dt.date(2024, 8, 20)).key == "2024-1a"   # not begun
    assert parse_period("2024-1", SPAN).kind == "semester"
    for bad in ("2024-1c", "2024-13", "x"):
        with pytest.raises(ValueError):
            parse_period(bad, SPAN)


def test_a_townships_bulletin_for_a_half_semester(server, world, web_user) -> None:  # noqa: ANN001
    leader = web_user("leader")
    got = leader.callback([("rankings-period", "options"), ("rankings-period", "value"),
                           ("rankings-period-box", "hidden")],
                          [("shell-selection", "value", T1), ("shell-term", "value", "2024-1")]).get_json()
    options = got["response"]["rankings-period"]["options"]
    assert [o["value"] for o in options] == ["2024-1a", "2024-1b", "2024-1"]
    assert options[0]["label"].startswith("2024–2025学年第一学期前半学期") and got["response"]["rankings-period-box"]["hidden"] is False
    county = leader.callback([("rankings-period", "options"), ("rankings-period", "value"),
                              ("rankings-period-box", "hidden")],
                             [("shell-selection", "value", COUNTY), ("shell-term", "value", "2024-1")]).get_json()
    assert county["response"]["rankings-period-box"]["hidden"] is True        # the county's bulletin is per semester
    half = leader.client.get(f"/download/bulletin.docx?term=2024-1&area={T1}&period=2024-1b")
    assert half.status_code == 200, half.data[:200]
    text = _text(half.data)
    assert "2024–2025学年第一学期后半学期" in text
    whole = _text(leader.client.get(f"/download/bulletin.docx?term=2024-1&area={T1}").data)
    assert "后半学期" not in whole and "2024–2025学年第一学期" in whole
    assert leader.client.get(f"/download/bulletin.docx?term=2024-1&area={T1}&period=2023-1a").status_code == 400
    assert leader.client.get(f"/download/bulletin.docx?term=2024-1&area={T1}&period=zz").status_code == 400


def test_a_central_schools_monthly_notice_over_its_teaching_points_and_classes(server, world, session_factory,
                                                                              web_user, monkeypatch) -> None:  # noqa: ANN001
    import sys
    with session_factory() as s, s.begin():
        f.school.create(s, code="2153000009", name="勐海镇测试教学点", type="教学点", township_code=T1)
    school = world["schools"][S1]
    registrar = web_user("registrar1")
    monkeypatch.setattr(sys.modules["pages.inbox.reports"], "local_today", lambda: dt.date(2024, 11, 20))
    picker = registrar.callback([("reports-central-pick", "options"), ("reports-central-pick", "value"),
                                 ("reports-central-box", "hidden")],
                                [("reports-refresh", "data", 0), ("reports-central-pick", "search_value", None)],
                                [("reports-central-pick", "value", None)]).get_json()
    options = picker["response"]["reports-central-pick"]["options"]
    assert [o["value"] for o in options] == [f"{school}|2024-11", f"{school}|2024-10", f"{school}|2024-09"]
    assert options[1]["label"] == "勐海镇中心小学 · 2024年10月"
    assert picker["response"]["reports-central-pick"]["value"] == f"{school}|2024-10"      # last month
    links = registrar.callback([("reports-central-docx", "href"), ("reports-central-pdf", "href")],
                               [("reports-central-pick", "value", f"{school}|2024-10")]).get_json()
    href = links["response"]["reports-central-docx"]["href"]
    assert href == f"/reports/central.docx?school={school}&month=2024-10"
    got = registrar.client.get(href)
    assert got.status_code == 200
    text = _text(got.data)
    assert "勐海镇中心小学关于各教学点和班级控辍保学情况的通报（2024年10月）" in text.replace("\n", "")   # title on 2 lines
    assert "本校及所辖1个教学点本学期在册学生3人" in text
    assert "教学点\n勐海镇测试教学点" in text and "班级\n3班\n1\n0" in text
    assert web_user("leader").client.get(href).status_code == 200
    assert web_user("registrar2").client.get(href).status_code == 403        # another school
    assert web_user("officer2").client.get(href).status_code == 403          # another township
    assert registrar.client.get(f"/reports/central.docx?school={school}&month=2024-13").status_code == 400
    none = web_user("registrar2").callback([("reports-central-pick", "options"), ("reports-central-pick", "value"),
                                            ("reports-central-box", "hidden")],
                                           [("reports-refresh", "data", 0), ("reports-central-pick", "search_value", None)],
                                           [("reports-central-pick", "value", None)])
    assert json.loads(none.data)["response"]["reports-central-box"]["hidden"] is True   # not a central school
