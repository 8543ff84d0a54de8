"""Issue 17: the bulletin as an official document (GB/T 9704) read back with python-docx, its PDF text
compared, 发文字号 numbering per issuer and year, the register, document settings.

BAOXUE_SAVE_DOCS=/some/dir keeps the generated files (the README's pictures are rendered from them)."""
from __future__ import annotations

import io
import json
import os
import re
import threading
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader
from sqlalchemy import select

from data_access.documents.register import issuer_settings, next_sequence
from data_access.models import Area, AuditLog, IssuedDocument
from documents.official import (LINE_PITCH_TWIPS, OfficialLayout, Para, Receipt, Signature, official_docx,
                                TITLE_CHARS, split_title, text_width)
from documents.pdf import official_pdf
from tests.dashboard.test_cli_rates import COUNTY, T1, TERM, run, small_county  # noqa: F401
from tests import factories as f

NUMBER = re.compile(r"^(\S+?)〔(\d{4})〕([1-9]\d*)号$")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _save(name: str, data: bytes) -> None:
    folder = os.environ.get("BAOXUE_SAVE_DOCS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(data)


def pdf_text(data: bytes) -> str:
    """All pages' text without whitespace (CJK extraction puts spaces between characters)."""
    return "".join("".join(p.extract_text().replace("\x00", "").split()) for p in PdfReader(io.BytesIO(data)).pages)


def check_gbt9704(doc: Document) -> None:
    """Margins, grid, Normal font and the folio of GB/T 9704."""
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == \
        [37, 35, 28, 26]
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert grid is not None and int(grid.get(qn("w:linePitch"))) == LINE_PITCH_TWIPS == 579
    assert grid.get(qn("w:charSpace")) is not None
    normal = doc.styles["Normal"]
    assert normal.font.size.pt == 16 and normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    for footer in (sec.footer, sec.even_page_footer):
        xml = footer._element.xml
        assert 'w:instr="PAGE"' in xml and "— " in xml and " —" in xml
        runs = footer._element.findall(f".//{W}r")
        assert all(r.find(f"{W}rPr/{W}sz").get(qn("w:val")) == "28" for r in runs)  # 四号
    assert sec.footer.paragraphs[0].alignment == 2 and sec.even_page_footer.paragraphs[0].alignment == 0
    assert doc.settings.odd_and_even_pages_header_footer
    fonts = doc.part.rels
    table = next(r.target_part for r in fonts.values() if r.reltype.endswith("/fontTable"))
    assert "仿宋_GB2312" in table.blob.decode() and 'w:altName w:val="仿宋"' in table.blob.decode()


def run_font(run) -> tuple[str, float, bool]:  # noqa: ANN001
    return run._element.rPr.rFonts.get(qn("w:eastAsia")), run.font.size.pt, bool(run.font.bold)


def test_split_title_never_inside_a_word() -> None:
    assert split_title("勐海县教育督导室关于2024–2025学年第一学期控辍保学工作情况的通报") == \
        ("勐海县教育督导室关于2024–2025", "学年第一学期控辍保学工作情况的通报")
    assert split_title("关于勐海县2024–2025学年第一学期控辍保学工作情况的通报") == \
        ("关于勐海县2024–2025学年第一学期", "控辍保学工作情况的通报")
    assert split_title("限期复学通知书") == ("限期复学通知书",)
    for line in split_title("勐海县人民政府办公室关于进一步加强“控辍保学”工作的通知"):
        assert not line.endswith("控辍保") and line.count("“") == line.count("”")
    # a prefecture's three-line title: every tail was split again and again before the memo (4 s a bulletin)
    long = "西双版纳傣族自治州教育体育局关于2024–2025学年第一学期各县（市）乡镇控辍保学工作情况及整改要求的通报"
    lines = split_title(long)
    assert "".join(lines) == long and len(lines) == 3
    assert all(text_width(x) <= TITLE_CHARS for x in lines) and not any(x.endswith(("控辍", "乡")) for x in lines)


def test_layout_keeps_signature_and_receipt_with_last_paragraph() -> None:
    import datetime as dt
    layout = OfficialLayout(title="限期复学通知书", number="勐混政〔2026〕3号", addressee="家长：",
                            blocks=tuple(Para("正文" * 40) for _ in range(6)),
                            signature=Signature(("勐混镇人民政府", "勐海县教育局"), dt.date(2026, 3, 5)),
                            after_signature=("（联系电话：0000-0000000）",),
                            receipt=Receipt("回  执", ("本人已收到。",), ("监护人（签字）：",)))
    doc = Document(io.BytesIO(official_docx(layout)))
    ps = doc.paragraphs
    last_body = max(i for i, p in enumerate(ps) if p.text.startswith("正文"))
    date = next(i for i, p in enumerate(ps) if p.text == "2026年3月5日")
    end = len(ps) - 1
    for p in ps[last_body:end]:  # the last paragraph, the seal places, issuers, date, contact and the receipt
        assert p.paragraph_format.keep_with_next, p.text
    assert "\t勐混镇人民政府\t勐海县教育局" == ps[date - 1].text  # jointly issued: both names over the date
    assert ps[date - 2].text.count("（印章）") == 2                 # and two seal places
    assert ps[date].paragraph_format.right_indent.pt == pytest.approx(4 * 15.79, abs=0.2)  # 4 characters in
    pdf = official_pdf(layout)
    text = pdf_text(pdf)
    assert "勐混政〔2026〕3号" in text and "2026年3月5日" in text and text.count("（印章）") == 2
    reader = PdfReader(io.BytesIO(pdf))
    last = "".join(reader.pages[-1].extract_text().replace("\x00", "").split())
    assert "正文" in last and "勐混镇人民政府" in last and "回执" in last  # kept together on one page


def test_issued_bulletin_format_number_register_and_pdf(server, small_county, tmp_path: Path,  # noqa: ANN001,F811
                                                        session_factory, web_user) -> None:  # noqa: ANN001
    got = run(server, "set-document-settings", "--area", COUNTY, "--abbreviation", "勐海教督", "--cc",
              "县委办公室，县人大常委会办公室", "--contact-person", "督导室", "--contact-phone", "0000-0000000")
    assert got.exit_code == 0, got.output
    assert json.loads(got.output)["abbreviation"] == "勐海教督"
    bad = run(server, "set-document-settings", "--area", COUNTY, "--abbreviation", "勐海 〔教督")
    assert bad.exit_code != 0 and "abbreviation" in bad.output
    out = tmp_path / "bulletin.docx"
    result = run(server, "export-bulletin", "--term", TERM, "--out", str(out), "--issue")
    assert result.exit_code == 0, result.output
    number = re.search(r"issued (\S+)", result.output).group(1)
    m = NUMBER.match(number)
    assert m and m.group(1) == "勐海教督" and m.group(3) == "1"
    data = out.read_bytes()
    _save("bulletin.docx", data)
    doc = Document(io.BytesIO(data))
    check_gbt9704(doc)
    ps = doc.paragraphs
    assert ps[0].text == number and ps[0].alignment == 1
    title = ps[1]
    assert {run_font(r) for r in title.runs} == {("方正小标宋简体", 22.0, False)} and title.alignment == 1
    assert "\n" in title.text and not any(line.endswith("控辍保") for line in title.text.split("\n"))
    heading1 = [p for p in ps if re.match(r"^[一二三四五]、", p.text)]
    heading2 = [p for p in ps if p.text.startswith("（一）")]
    assert len(heading1) >= 3 and heading2
    assert all(run_font(p.runs[0]) == ("黑体", 16.0, False) for p in heading1)
    assert all(run_font(p.runs[0]) == ("楷体_GB2312", 16.0, False) for p in heading2)
    body = [p for p in ps if p.text.startswith("为贯彻落实")][0]
    assert run_font(body.runs[0]) == ("仿宋_GB2312", 16.0, False)
    assert body.paragraph_format.first_line_indent.pt == 32  # two characters
    assert body.paragraph_format.line_spacing.twips == 579    # 22 lines
    entries = [p for p in ps if re.match(r"^\d+\.", p.text)]
    assert entries and all(run_font(p.runs[0])[0] == "仿宋_GB2312" and not run_font(p.runs[0])[2] for p in entries)
    date_i = next(i for i, p in enumerate(ps) if re.fullmatch(r"\d{4}年[1-9]\d?月[1-9]\d?日", p.text))
    assert ps[date_i - 1].text.strip() == "勐海县教育督导室"
    last_body = max(i for i, p in enumerate(ps[:date_i]) if p.text and p.paragraph_format.first_line_indent)
    assert all(p.paragraph_format.keep_with_next for p in ps[last_body:date_i])
    assert any(p.text.startswith("抄送：县委办公室") for p in ps)
    assert any(p.text.startswith("勐海县教育督导室\t") and p.text.endswith("印发") for p in ps)
    assert "（联系人：督导室，联系电话：0000-0000000）" in [p.text for p in ps]
    # the same bulletin again: the register gives back the stored document, byte for byte
    again = run(server, "export-bulletin", "--term", TERM, "--out", str(tmp_path / "again.docx"), "--issue")
    assert f"issued {number}" in again.output and (tmp_path / "again.docx").read_bytes() == data
    pdf_out = tmp_path / "bulletin.pdf"
    assert run(server, "export-bulletin", "--term", TERM, "--out", str(pdf_out), "--issue").exit_code == 0
    pdf = pdf_out.read_bytes()
    _save("bulletin.pdf", pdf)
    text = pdf_text(pdf)
    for p in ps:
        if p.text.strip() and "\t" not in p.text:
            assert "".join(p.text.split())[:40] in text, p.text
    with session_factory() as s:
        row = s.scalar(select(IssuedDocument))
        assert (row.number, row.kind, row.sequence) == (number, "bulletin", 1) and row.docx == data
        assert s.scalar(select(AuditLog.action).where(AuditLog.entity == "issued_document")) == "issue"
        doc_id = row.id
    listing = run(server, "documents", "--format", "json")
    assert json.loads(listing.output)[0]["number"] == number
    assert run(server, "documents", "--get", str(doc_id), "--out", str(tmp_path / "x.docx")).exit_code == 0
    assert (tmp_path / "x.docx").read_bytes() == data
    leader = web_user("leader")
    resp = leader.client.get(f"/documents/{doc_id}.docx")
    assert resp.status_code == 200 and resp.data == data
    assert leader.client.get(f"/documents/{doc_id}.pdf").data == pdf
    officer = web_user("officer1")  # a township's officer: the county's bulletin is outside the area
    assert officer.client.get(f"/documents/{doc_id}.docx").status_code == 403
    assert leader.client.get("/documents/999999.docx").status_code == 403


def test_numbers_sequential_per_issuer_and_year(session_factory, small_county) -> None:  # noqa: ANN001,F811
    with session_factory() as s, s.begin():
        assert [next_sequence(s, "勐海教督", 2026) for _ in range(3)] == [1, 2, 3]
        assert next_sequence(s, "勐海教督", 2027) == 1
        assert next_sequence(s, "勐混政", 2026) == 1
        assert next_sequence(s, "勐海教督", 2026) == 4
        settings = issuer_settings(s, T1)
        assert settings.issuer.endswith("人民政府") and settings.abbreviation.endswith("政")


def test_numbers_are_unique_under_concurrent_issuers(session_factory, small_county, tmp_path) -> None:  # noqa: ANN001,F811
    got: list[int] = []
    errors: list[BaseException] = []
    if session_factory.kw["bind"].url.get_backend_name() == "sqlite":
        # the tests' in-memory SQLite is one connection shared by every thread; the app's SQLite is a file, each
        # session with its own connection — test that
        from data_access.db import make_engine, make_sessionmaker
        from data_access.models import Base
        engine = make_engine(f"sqlite:///{tmp_path / 'numbers.db'}")
        Base.metadata.create_all(engine)
        session_factory = make_sessionmaker(engine)

    def take() -> None:
        try:
            for _ in range(5):
                with session_factory() as s, s.begin():
                    got.append(next_sequence(s, "并发", 2026))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(got) == list(range(1, 21))


def test_documents_page_lists_the_register_within_the_area(server, small_county, tmp_path: Path,  # noqa: ANN001,F811
                                                           web_user) -> None:  # noqa: ANN001
    out = [("documents-list", "children")]
    inputs = [("shell-url", "pathname", "/documents")]
    leader = web_user("leader")
    empty = leader.callback(out, inputs)
    assert empty.status_code == 200 and "documents-empty" in empty.get_data(as_text=True)
    assert run(server, "export-bulletin", "--term", TERM, "--out", str(tmp_path / "b.docx"), "--issue").exit_code == 0
    text = json.dumps(leader.callback(out, inputs).get_json(), ensure_ascii=False)
    assert "〔" in text and "/documents/1.docx" in text and "/documents/1.pdf" in text
    officer = json.dumps(web_user("officer1").callback(out, inputs).get_json(), ensure_ascii=False)
    assert "/documents/1.docx" not in officer  # the county's bulletin is outside a township's area
    assert web_user(None).callback(out, inputs).status_code in (302, 401, 403)


def test_bulletin_draft_pdf_from_the_rankings_route(web_user, small_county) -> None:  # noqa: ANN001,F811
    leader = web_user("leader")
    resp = leader.client.get("/download/bulletin.pdf", query_string={"term": TERM, "area": COUNTY})
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = pdf_text(resp.data)
    assert "征求意见稿" in text and "控辍保学工作情况的通报" in text
    assert web_user("officer1").client.get("/download/bulletin.pdf",
                                           query_string={"term": TERM, "area": COUNTY}).status_code == 403


def test_red_header_on_issued_documents_only(server, small_county, tmp_path: Path) -> None:  # noqa: ANN001,F811
    """红头 (issue 17): with the setting on, the issued bulletin opens with the 发文机关标志 in red 小标宋
    35 mm down, the 发文字号 under it and a red rule 4 mm under that, in the .docx and the PDF; a draft never
    carries it; a bad value names the field."""
    bad = run(server, "set-document-settings", "--area", COUNTY, "--red-header", "maybe")
    assert bad.exit_code != 0 and "red-header" in bad.output
    got = run(server, "set-document-settings", "--area", COUNTY, "--red-header", "on")
    assert got.exit_code == 0 and json.loads(got.output)["red_header"] is True
    out = tmp_path / "bulletin.docx"
    result = run(server, "export-bulletin", "--term", TERM, "--out", str(out), "--issue")
    assert result.exit_code == 0, result.output
    number = re.search(r"issued (\S+)", result.output).group(1)
    doc = Document(io.BytesIO(out.read_bytes()))
    _save("bulletin-red.docx", out.read_bytes())
    check_gbt9704(doc)
    ps = doc.paragraphs
    assert ps[0].text == "" and round(ps[0].paragraph_format.line_spacing.mm) == 35
    head = ps[1]
    assert head.text == "勐海县教育督导室文件" and head.alignment == 1
    face, size, bold = run_font(head.runs[0])
    assert face == "方正小标宋简体" and 30 <= size <= 48 and not bold
    assert str(head.runs[0].font.color.rgb) == "FF0000"
    num = next(p for p in ps if p.text == number)
    assert num.alignment == 1
    rule = num._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000" and rule.get(qn("w:space")) == "11"  # 4 mm
    order = [c.tag.split("}")[1] for c in num._p.pPr]
    assert order.index("pBdr") < order.index("spacing") < order.index("jc")  # the schema's order (Word is strict)
    pdf_out = tmp_path / "bulletin.pdf"
    assert run(server, "export-bulletin", "--term", TERM, "--out", str(pdf_out), "--issue").exit_code == 0
    text = pdf_text(pdf_out.read_bytes())
    _save("bulletin-red.pdf", pdf_out.read_bytes())
    assert text.startswith("勐海县教育督导室文件" + number)
    draft = tmp_path / "draft.pdf"
    assert run(server, "export-bulletin", "--term", TERM, "--out", str(draft)).exit_code == 0
    assert "文件" not in pdf_text(draft.read_bytes())[:30]




def _save_settings(user, area: str, values: dict[str, object]):  # noqa: ANN001, ANN202
    fields = [k for k in values]
    body = {
        "output": "docset-msg.children", "outputs": {"id": "docset-msg", "property": "children"},
        "inputs": [{"id": "docset-save", "property": "n_clicks", "value": 1}],
        "state": [{"id": "docset-area", "property": "value", "value": area},
                  [{"id": {"type": "docset-field", "field": k}, "property": "value", "value": values[k]}
                   for k in fields],
                  [{"id": {"type": "docset-field", "field": k}, "property": "id",
                    "value": {"type": "docset-field", "field": k}} for k in fields]],
        "changedPropIds": ["docset-save.n_clicks"],
    }
    return user.client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": user.csrf()})


def test_admin_sets_document_settings_on_the_page(server, small_county, session_factory,  # noqa: ANN001,F811
                                                  web_user) -> None:  # noqa: ANN001
    """Issue 17: the county's admin sets how the county and its townships sign documents on /documents; a bad
    value is named by its field (in Chinese) and nothing is written; other roles and other counties are refused."""
    with session_factory() as s, s.begin():
        f.user.create(s, username="cadmin", role="admin", area_code=COUNTY, language="zh")
        s.add(Area(code="532823000000", name="勐腊县", level="county", parent_code=None))
        s.flush()
        f.user.create(s, username="otheradmin", role="admin", area_code="532823000000", language="zh")
    admin = web_user("cadmin")
    shown = admin.callback([("docset-next", "children")], [("docset-area", "value", T1)])
    text = json.dumps(shown.get_json(), ensure_ascii=False)
    assert shown.status_code == 200 and "勐混政" not in text and "人民政府" in text and "〔" in text
    good = {"issuer": "勐海县人民政府教育督导室", "abbreviation": "勐海教督", "recipients": "各乡（镇）人民政府：",
            "cc": "县委办公室", "contact_person": "督导室", "contact_phone": "0000-0000000", "regulation": "",
            "education_bureau": "勐海县教育体育局", "page_numbers": "outside", "red_header": True}
    resp = _save_settings(admin, COUNTY, good)
    body = json.dumps(resp.get_json(), ensure_ascii=False)
    assert resp.status_code == 200 and "勐海教督〔" in body, body
    with session_factory() as s:
        got = issuer_settings(s, COUNTY)
        assert (got.issuer, got.abbreviation, got.red_header, got.contact_phone) == \
            ("勐海县人民政府教育督导室", "勐海教督", True, "0000-0000000")
    bad = _save_settings(admin, COUNTY, {**good, "abbreviation": "勐海 教督", "issuer": "x" * 61})
    body = json.dumps(bad.get_json(), ensure_ascii=False)
    assert "发文字号代字" in body and "发文机关署名" in body and "61" not in body and "60" in body, body
    with session_factory() as s:
        assert issuer_settings(s, COUNTY).abbreviation == "勐海教督"  # nothing written
    assert _save_settings(web_user("leader"), COUNTY, good).status_code == 403
    assert _save_settings(web_user("otheradmin"), COUNTY, good).status_code == 403
    assert _save_settings(admin, T1[:9] + "201", good).status_code == 403  # a village signs nothing
    assert _save_settings(admin, T1, {**good, "abbreviation": "勐混政"}).status_code == 200
    with session_factory() as s:
        assert issuer_settings(s, T1).abbreviation == "勐混政"
