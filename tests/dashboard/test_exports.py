"""Ranking workbook and bulletin draft: the CLI commands, the files read back, and the download routes."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from sqlalchemy import select

from documents.exports import DOCX_MIMETYPE, XLSX_MIMETYPE
from data_access.models import AuditLog
from domain.dashboard.indicators import INDICATORS
from tests.dashboard.test_cli_rates import COUNTY, SCHOOL_A, T1, T2, T3, TERM, run, small_county  # noqa: F401

PERIOD = "2024–2025学年第一学期"


def rates_by_unit(server) -> dict[str, dict[str, str]]:  # noqa: ANN001
    """`rates` values keyed by unit code, then indicator."""
    out: dict[str, dict[str, str]] = {}
    for r in csv.DictReader(io.StringIO(run(server, "rates", "--term", TERM).output)):
        out.setdefault(r["area_code"], {})[r["indicator"]] = r["value"]
    return out


def ranking_rows(ws) -> list[tuple]:  # noqa: ANN001
    """The ranking table's data rows (below the header on row 5) up to the first empty row."""
    rows = []
    for row in ws.iter_rows(min_row=6, values_only=True):
        if row[0] is None:
            break
        rows.append(row)
    return rows


def test_export_ranking_workbook(server, small_county, tmp_path: Path) -> None:  # noqa: ANN001, F811
    out = tmp_path / "ranking.xlsx"
    result = run(server, "export-ranking", "--term", TERM, "--out", str(out))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    ws = book.worksheets[0]
    title = ws["A1"].value
    assert "勐海县" in title and PERIOD in title
    assert "勐海县" in ws["A2"].value and PERIOD in ws["A2"].value
    assert "县目标" in ws["A3"].value  # the policy in force
    header = [c.value for c in ws[5]]
    names = [header[6 + i] for i in range(len(INDICATORS))]
    assert names[0] == "小学适龄儿童入学率" and names[-1] == "辍学总人数"
    targets_row = [c.value for c in ws[4]][6:6 + len(INDICATORS)]
    assert targets_row[0] == "≥ 99.5%" and targets_row[3] == "≤ 1.8%" and targets_row[6] == "= 0"
    rows = ranking_rows(ws)
    # rank order of the report: township 2 (1 missed), township 1 (2 missed), then the no-data township unranked
    assert [(r[0], r[2]) for r in rows] == [(1, T2), (2, T1), ("—", T3)]
    assert rows[1][5] and not rows[0][5] and not rows[2][5]  # last place marked on the last ranked unit
    assert ws.cell(row=7, column=2).font.b  # and bold
    assert rows[1][3] == "通报" and rows[1][4] == 2
    assert ws.cell(row=7, column=4).fill.fgColor.rgb.endswith("FD7E14")  # tier colour of 通报
    assert "小学适龄儿童入学率 85.71% < 99.5%" in rows[1][-1]
    rates = rates_by_unit(server)
    for row in rows:
        for i, ind in enumerate(INDICATORS):
            expected, cell = rates[row[2]][ind.key], row[6 + i]
            if expected == "":
                assert cell == "—"
            else:
                assert cell == pytest.approx(float(expected), abs=1e-9)  # as published, as rates prints it
    assert ws.cell(row=7, column=7).number_format == '0.00"%"'
    # the small table of targets in force below the ranking
    col_b = [c.value for c in ws["B"]]
    assert "≥ 99.5%" in [c.value for c in ws["C"]][col_b.index("小学适龄儿童入学率"):]
    assert ws.freeze_panes == "C6"
    assert ws.auto_filter.ref.startswith("A5:")
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage  # one page wide (fitToWidth defaults to 1), any height
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$4:$5"
    assert ws["A1"].font.name == "宋体"
    details = book.worksheets[1]
    assert details.freeze_panes == "A2"
    t1_rows = [r for r in details.iter_rows(min_row=2, values_only=True) if r[0] == T1]
    assert [r[3:6] for r in t1_rows][0] == (6, 7, pytest.approx(85.71, abs=1e-9))


def test_export_ranking_of_schools_and_area_required(server, small_county, session_factory,  # noqa: ANN001, F811
                                                     tmp_path: Path) -> None:
    out = tmp_path / "schools.xlsx"
    assert run(server, "export-ranking", "--term", TERM, "--level", "school", "--out", str(out)).exit_code == 0
    assert {r[2] for r in ranking_rows(openpyxl.load_workbook(out).worksheets[0])} == {SCHOOL_A, "5328220002"}
    assert run(server, "export-ranking", "--term", TERM, "--area", T1, "--out", str(out)).exit_code == 0
    assert [r[2] for r in ranking_rows(openpyxl.load_workbook(out).worksheets[0])] == [SCHOOL_A]
    bad = run(server, "export-ranking", "--term", "2031-1", "--out", str(out))
    assert bad.exit_code != 0 and "2031-1" in bad.output
    with session_factory() as s:
        assert s.scalars(select(AuditLog.entity_key).where(AuditLog.action == "export").order_by(AuditLog.id)).all() == [
            f"{COUNTY}:{TERM}", f"{T1}:{TERM}"]


def _runs(doc) -> list:  # noqa: ANN001
    paragraphs = list(doc.paragraphs) + [p for t in doc.tables for row in t.rows for c in row.cells
                                         for p in c.paragraphs]
    paragraphs += list(doc.sections[0].header.paragraphs)
    return [r for p in paragraphs for r in p.runs]


def test_export_bulletin(server, small_county, tmp_path: Path) -> None:  # noqa: ANN001, F811
    out = tmp_path / "bulletin.docx"
    result = run(server, "export-bulletin", "--term", TERM, "--out", str(out))
    assert result.exit_code == 0, result.output
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    heading = doc.paragraphs[0].text.replace("\n", "")
    assert heading == f"勐海县教育督导室关于勐海县{PERIOD}控辍保学工作情况的通报", text
    for reason in ("小学适龄儿童入学率为85.71%，低于99.5%的目标要求", "初中辍学率为20.00%，高于1.8%的控制目标"):
        assert reason in text, text
    assert "乡镇1" in text and "乡镇2" in text and "乡镇3" in text
    assert text.index("乡镇2：") < text.index("乡镇3")  # notified units come before those without data
    assert "（0个）" not in text and "无。" not in text and "Baoxue" not in text and "保学系统" not in text
    assert re.search(r"于\d{4}年\d{1,2}月\d{1,2}日前书面报告整改结果", text)  # a calendar deadline
    assert "综合排名在各乡（镇）中列末位" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "排名" in cells and "初中辍学率" in cells and "20.00%" in cells
    runs = _runs(doc)
    assert runs and all(r._element.rPr.rFonts.get(qn("w:eastAsia")) in ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312") for r in runs)
    assert all(r.font.name == r._element.rPr.rFonts.get(qn("w:eastAsia")) for r in runs)
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"


def _download(user, kind: str, **params: str):  # noqa: ANN001, ANN202
    path = "ranking.xlsx" if kind == "ranking" else "bulletin.docx"
    return user.client.get(f"/download/{path}", query_string=params)


def test_leader_downloads_both_files(web_user, small_county, session_factory) -> None:  # noqa: ANN001, F811
    leader = web_user("leader")
    resp = _download(leader, "ranking", term=TERM, area=COUNTY)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == XLSX_MIMETYPE
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert f'filename="baoxue-ranking-{COUNTY}-{TERM}.xlsx"' in disposition
    assert "%E5%8B%90%E6%B5%B7%E5%8E%BF" in disposition  # 勐海县, percent-encoded
    ws = openpyxl.load_workbook(io.BytesIO(resp.data)).worksheets[0]
    assert [r[2] for r in ranking_rows(ws)] == [T2, T1, T3]
    resp = _download(leader, "bulletin", term=TERM, area=COUNTY)
    assert resp.status_code == 200 and resp.mimetype == DOCX_MIMETYPE
    assert "勐海县" in Document(io.BytesIO(resp.data)).paragraphs[0].text.replace("\n", "")
    with session_factory() as s:
        entries = s.execute(select(AuditLog.actor, AuditLog.entity, AuditLog.entity_key)
                            .where(AuditLog.action == "export").order_by(AuditLog.id)).all()
    assert [tuple(e) for e in entries] == [("leader", "ranking", f"{COUNTY}:{TERM}"),
                                           ("leader", "bulletin", f"{COUNTY}:{TERM}")]


def test_officer_downloads_own_township_only(web_user, small_county) -> None:  # noqa: ANN001, F811
    officer = web_user("officer1")
    own = _download(officer, "ranking", term=TERM, area=T1)
    assert own.status_code == 200
    assert [r[2] for r in ranking_rows(openpyxl.load_workbook(io.BytesIO(own.data)).worksheets[0])] == [SCHOOL_A]
    for area in (T2, COUNTY, ""):
        assert _download(officer, "ranking", term=TERM, area=area).status_code == 403
        assert _download(officer, "bulletin", term=TERM, area=area).status_code == 403
    assert _download(web_user("staff1"), "ranking", term=TERM, area=T1).status_code == 403


def test_anonymous_and_bad_requests(web_user, small_county, session_factory) -> None:  # noqa: ANN001, F811
    anon = _download(web_user(None), "ranking", term=TERM, area=COUNTY)
    assert anon.status_code in (302, 401) and b"PK" not in anon.data[:2]
    leader = web_user("leader")
    for term in ("2024-3", "2030-1", ""):
        resp = _download(leader, "bulletin", term=term, area=COUNTY)
        assert resp.status_code == 400 and resp.mimetype == "text/plain"
        assert resp.get_data(as_text=True)
    assert _download(leader, "ranking", term=TERM, area=SCHOOL_A).status_code == 400  # a school is not ranked under
    with session_factory() as s:
        assert s.scalar(select(AuditLog.id).where(AuditLog.action == "export")) is None


def test_exports_follow_the_configured_language(server, small_county, tmp_path: Path) -> None:  # noqa: ANN001, F811
    server.config["LANGUAGE"] = "en"
    try:
        assert run(server, "export-bulletin", "--term", TERM, "--out", str(tmp_path / "b.docx")).exit_code == 0
        assert run(server, "export-ranking", "--term", TERM, "--out", str(tmp_path / "r.xlsx")).exit_code == 0
    finally:
        server.config["LANGUAGE"] = "zh"
    doc = Document(str(tmp_path / "b.docx"))
    assert "2024–2025 autumn term" in doc.paragraphs[0].text
    assert "Primary enrollment rate was 85.71%, below the target of 99.5%" in "\n".join(p.text for p in doc.paragraphs)
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx").worksheets[0]
    assert [r[3] for r in ranking_rows(ws)] == ["Notified", "Notified", "No data"]
