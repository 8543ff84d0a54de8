"""The village's 入学（复学）通知书 (issue 17.6): who is due one (grade 7 from the spring's grade 6 by household,
grade 1 as blank forms counted from the population file, returns from the open confirmed cases), the batch
jointly issued under one number of the township's register — a page a child and a signing sheet, read back
from the .docx and the PDF — given back byte for byte, renumbered never, and refused outside the area."""
from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from data_access.models import Area, DropoutCase, IssuedDocument, Population
from tests import factories as f
from tests.dashboard.test_cli_rates import run
from tests.dashboard.test_official_documents import _save as save_doc
from wording.statutes import ARTICLES

T1, T2 = "532822101000", "532822102000"
V1, V2, V3 = T1[:9] + "201", T1[:9] + "202", T2[:9] + "201"
NEXT = dt.date.today().year + 1   # a school year still ahead, whatever day the tests run
YEAR, SPRING = str(NEXT), f"{NEXT - 1}-2"   # and the spring term before it


@pytest.fixture
def village(session_factory):  # noqa: ANN001, ANN201
    """Township 1 with two villages, a primary and a junior school; township 2 with one village; the spring's
    grade 6 with households in both villages, an open confirmed case, a suspected and a closed one in V1."""
    with session_factory() as s, s.begin():
        county, (t1, t2) = f.county_with_townships(s, 2)
        s.add_all([Area(code=V1, name="曼国村委会", level="village", parent_code=T1),
                   Area(code=V2, name="曼贺村委会", level="village", parent_code=T1),
                   Area(code=V3, name="曼三村委会", level="village", parent_code=T2)])
        s.flush()
        primary = f.school.create(s, township_code=T1, code="5328220001", name="一乡中心小学")
        junior = f.school.create(s, township_code=T1, code="5328220002", name="一乡中学", type="初中")
        through = f.school.create(s, township_code=T1, code="5328220003", name="一乡九年制学校", type="九年一贯制")
        names = []
        for i, (grade, status, household, school) in enumerate([
                (6, "在读", V1, primary), (6, "毕业", V1, primary), (6, "在读", V1, through),
                (6, "转出", V1, primary), (5, "在读", V1, primary), (6, "在读", V2, primary)]):
            rec = f.roster(s, SPRING, school, grade=grade, status=status, household_code=household,
                           guardian_name=f"家长{i}")
            names.append(s.get(type(rec).__mro__[0], rec.id).student_id)
        for _ in range(3):  # the junior school's grade 7 (it takes the township's entrants)
            f.roster(s, SPRING, junior, grade=7)
        back = f.roster(s, SPRING, junior, grade=8, household_code=V1, guardian_name="家长返")
        other = f.roster(s, SPRING, junior, grade=8, household_code=V1)
        closed = f.roster(s, SPRING, junior, grade=8, household_code=V1)
        for rec, ledger, status in ((back, "confirmed", "open"), (other, "suspected", "open"),
                                    (closed, "confirmed", "closed")):
            s.add(DropoutCase(student_id=rec.student_id, township_code=T1, village_code=V1, school_id=junior.id,
                              ledger=ledger, source="school_report", found_date=dt.date(2026, 3, 9),
                              step=4, step_started=dt.date(2026, 3, 9), status=status,
                              attendance_last=dt.date(2026, 3, 1), opened_at=dt.datetime(2026, 3, 9, 8)))
        s.add(Population(area_code=V1, year=NEXT - 1, age=6, population=4, outside_attendance=0, disabled_population=0))
        f.user.create(s, username="officer1", role="township_officer", area_code=T1, language="zh")
        f.user.create(s, username="officer2", role="township_officer", area_code=T2, language="zh")
        f.user.create(s, username="leader", role="county_leader", area_code=county.code, language="zh")
        f.user.create(s, username="staff", role="school_staff", area_code=T1, school_id=primary.id, language="zh")
    return {"primary": "一乡中心小学", "junior": "一乡中学", "through": "一乡九年制学校"}


def _form(user, kind: str, fmt: str = "docx", village: str = V1, csrf: bool = True, **extra: str):  # noqa: ANN001, ANN202
    page = user.client.get("/documents")
    data = {"village": village, "kind": kind, "year": YEAR, "report_by": f"{NEXT}-09-01", **extra}
    if csrf:
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
        data["csrf_token"] = token.group(1) if token else user.csrf()
    return user.client.post(f"/documents/enrolment.{fmt}", data=data)


def _pages(docx: Document) -> int:
    return 1 + sum(1 for p in docx.paragraphs if p.paragraph_format.page_break_before)


def test_grade7_list_by_household_and_junior_school(server, village) -> None:  # noqa: ANN001
    got = run(server, "enrolment-notices", "--village", V1, "--kind", "grade7", "--year", YEAR, "--list")
    assert got.exit_code == 0, got.output
    rows = [line.split(",") for line in got.output.strip().splitlines()[1:]]
    # in school or graduated, grade 6, household V1: three; not the transfer, not grade 5, not village V2
    assert len(rows) == 3
    to = sorted(r[5] for r in rows)
    assert to == sorted([village["junior"], village["junior"], village["through"]])  # a 九年一贯制 keeps its own
    assert {r[6] for r in rows} == {"家长0", "家长1", "家长2"}


def test_township_issues_the_batch_once_and_gets_it_back(server, village, web_user, session_factory) -> None:  # noqa: ANN001
    officer = web_user("officer1")
    resp = _form(officer, "grade7")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    save_doc("enrolment-grade7.docx", resp.data)
    doc = Document(io.BytesIO(resp.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    number = re.search(r"(\S+〔\d{4}〕(\d+)号)", text).group(1)
    assert _pages(doc) == 4                                     # three notices and the signing sheet
    assert [m for m in re.findall(r"编号：(\d{3})", text)] == ["001", "002", "003"]
    assert text.count(number) == 4 and text.count("义务教育入学通知书") >= 3
    assert ARTICLES[(5, 2)] in text and ARTICLES[(58, 0)] in text  # the law, verbatim
    assert text.count("乡镇1人民政府\t勐海县教育局") == 3 or text.count("\t乡镇1人民政府\t勐海县教育局") == 3
    assert text.count("（印章）\t（印章）") == 3                  # two seal places each
    sheet = doc.tables[-1]
    assert len(sheet.rows) == 4 and sheet.rows[0].cells[4].text == "监护人签字"
    pdf = _form(officer, "grade7", "pdf")
    save_doc("enrolment-grade7.pdf", pdf.data)
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) == 4
    pdf_text = "".join("".join(p.extract_text().replace("\x00", "").split()) for p in reader.pages)
    assert number in pdf_text and "家长0" in pdf_text
    again = _form(officer, "grade7")
    assert again.data == resp.data                               # exactly as issued
    returns = _form(officer, "return")
    save_doc("enrolment-return.docx", returns.data)
    rtext = "\n".join(p.text for p in Document(io.BytesIO(returns.data)).paragraphs)
    assert re.search(r"〔\d{4}〕(\d+)号", rtext).group(1) == str(int(re.search(r"〔\d{4}〕(\d+)号", number).group(1)) + 1)
    assert "家长返" in rtext and "自2026年3月2日起未到校上课" in rtext
    assert _pages(Document(io.BytesIO(returns.data))) == 2          # one open confirmed case, the sheet
    with session_factory() as s:
        kinds = s.scalars(select(IssuedDocument.kind)).all()
        assert kinds == ["enrolment", "enrolment"]
    listed = officer.callback([("documents-list", "children")], [("shell-url", "pathname", "/documents")])
    assert number in json.dumps(listed.get_json(), ensure_ascii=False)
    # a roster change since: the same batch's number, stored anew with the new child
    with session_factory() as s, s.begin():
        from data_access.models import School
        primary = s.scalar(select(School).where(School.name == village["primary"]))
        f.roster(s, SPRING, primary, grade=6, household_code=V1, guardian_name="家长新")
    changed = _form(officer, "grade7")
    ctext = "\n".join(p.text for p in Document(io.BytesIO(changed.data)).paragraphs)
    assert number in ctext and "编号：004" in ctext and changed.data != resp.data


def test_grade1_blank_forms_from_the_population(server, village, web_user) -> None:  # noqa: ANN001
    officer = web_user("officer1")
    resp = _form(officer, "grade1", "pdf")
    assert resp.status_code == 200
    reader = PdfReader(io.BytesIO(resp.data))
    assert len(reader.pages) == 5                                 # four forms (population of age 6) and the sheet
    text = "".join("".join(p.extract_text().replace("\x00", "").split()) for p in reader.pages)
    assert ARTICLES[(11, 1)][:20] in text and "适龄儿童监护人" in text
    fewer = _form(officer, "grade1", "pdf", blank="2")
    assert len(PdfReader(io.BytesIO(fewer.data)).pages) == 3
    assert _form(officer, "grade1", blank="9999").status_code == 400


def test_enrolment_notices_are_refused_outside_the_area(server, village, web_user) -> None:  # noqa: ANN001
    assert _form(web_user("officer2"), "grade7").status_code == 403   # another township's village
    assert _form(web_user("leader"), "grade7").status_code == 403     # county leaders do not issue them
    assert _form(web_user("staff"), "grade7").status_code == 403
    assert _form(web_user("officer1"), "grade7", village=T1).status_code == 403  # a township is not a village
    assert _form(web_user("officer1"), "grade7", csrf=False).status_code == 400
    assert _form(web_user("officer1"), "nonsense").status_code == 400
    assert _form(web_user("officer1"), "grade7", year="abc").status_code == 400
    anonymous = web_user(None).client.post("/documents/enrolment.docx", data={"village": V1, "kind": "grade7"})
    assert anonymous.status_code in (302, 400, 401)
    empty = _form(web_user("officer1"), "grade7", village=V2)   # V2 has one pupil: issued
    assert empty.status_code == 200


def test_the_page_previews_who_gets_a_notice(server, village, web_user) -> None:  # noqa: ANN001
    out = [("enrol-preview", "children")]
    inputs = [("enrol-village", "value", V1), ("enrol-kind", "value", "grade7"), ("enrol-year", "value", NEXT),
              ("enrol-report-by", "value", f"{NEXT}-09-01")]
    officer = web_user("officer1").callback(out, inputs)
    body = json.dumps(officer.get_json(), ensure_ascii=False)
    assert officer.status_code == 200 and "家长0" in body and "3" in body and "enrolment.docx" in body
    assert web_user("leader").callback(out, inputs).status_code == 403
    assert web_user("officer2").callback(out, inputs).status_code == 403
    late = web_user("officer1").callback(out, inputs[:3] + [("enrol-report-by", "value", "2020-01-01")])
    assert "报到日期" in json.dumps(late.get_json(), ensure_ascii=False)
