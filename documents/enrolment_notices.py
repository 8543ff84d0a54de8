"""A village's 义务教育入学通知书 / 复学通知书 (issue 17.6; seeds 001 and 003) as one .docx or PDF: a notice
a page, each child's (or, for grade 1, a form the township fills in from the household books), jointly
issued by the township government and the county's education bureau with two seal places, every notice
under the batch's 发文字号 with its own serial; the batch ends with the 送达签收表 the guardians sign.

Chinese whatever the reader's language: these are official documents to guardians. The law is quoted
verbatim (the batch carries it, from wording.statutes.enrolment_law); each notice tells the guardian's legal duty and what follows if it is not met,
as seed 001 requires."""
from __future__ import annotations

from documents.case_notices import grade_text
from documents.official import (OfficialLayout, Para, Signature, Table, cn_date, official_docx_many)
from domain.documents import EnrolmentBatch, EnrolmentChild

BLANK_NAME, BLANK_SCHOOL, BLANK_DAY = "________", "____________学校", "____年___月___日"  # room to write by hand
TITLES = {"grade1": "义务教育入学通知书", "grade7": "义务教育入学通知书", "return": "义务教育复学通知书"}
RECEIPT_TITLES = {"grade1": "义务教育入学通知书送达签收表", "grade7": "义务教育入学通知书送达签收表",
                  "return": "义务教育复学通知书送达签收表"}


def title_of(kind: str) -> str:
    return TITLES[kind]


def _who(c: EnrolmentChild) -> str:
    if not c.name:
        return f"{BLANK_NAME}（性别____，{BLANK_DAY}出生）"
    born = f"，{cn_date(c.birth)}出生" if c.birth else ""
    return f"{c.name}（{c.gender or '____'}{born}）"


def _first(b: EnrolmentBatch, c: EnrolmentChild) -> str:
    school = c.to_school or BLANK_SCHOOL
    if b.kind == "grade1":
        return (f"你的子女{_who(c)}，户籍在{b.township}{b.village}，请于{cn_date(b.report_by)}"
                f"前持本通知书和户口簿送其到{school}报到注册。")
    if b.kind == "grade7":
        return (f"你的子女{_who(c)}将于{b.year}年秋季学期从{c.from_school}升入七年级，请于{cn_date(b.report_by)}"
                f"前持本通知书送其到{school}报到注册。")
    since = f"，自{cn_date(c.since)}起未到校上课" if c.since else ""
    return (f"你的子女{_who(c)}原系{c.from_school or BLANK_SCHOOL}{grade_text(c.grade)}学生{since}。请于"
            f"{cn_date(b.report_by)}前送其返回{school}复学。学校将做好编班和学业衔接；家庭确有困难的，可向学校和"
            f"{b.township}人民政府申请资助。")


def notice_layouts(b: EnrolmentBatch) -> list[OfficialLayout]:
    """One layout a child: number, title, serial, the guardian, the notice, the law, the joint signature."""
    out = []
    verb = "复学" if b.kind == "return" else "入学"
    for i, c in enumerate(b.children, start=1):
        guardian = c.guardian or BLANK_NAME
        addressee = f"{guardian}（{c.name}的监护人）：" if c.name else f"{guardian}（适龄儿童监护人）："
        blocks = (Para(_first(b, c)), Para(b.law),
                  Para(f"请你依法履行监护人职责，按时送子女{verb}。特此通知。"))
        out.append(OfficialLayout(title=TITLES[b.kind], number=b.number, serial=f"编号：{i:03d}",
                                  addressee=addressee, blocks=blocks,
                                  signature=Signature(tuple(x for x in b.issuers if x), b.issued),
                                  after_signature=(b.contact,) if b.contact else (), page_numbers="none"))
    return out


def receipt_layout(b: EnrolmentBatch) -> OfficialLayout:
    """The 送达签收表 the guardians sign, one row a notice."""
    verb = "复学" if b.kind == "return" else "报到"
    rows = tuple((f"{i:03d}", c.name, c.guardian, c.to_school, "", "") for i, c in enumerate(b.children, start=1))
    return OfficialLayout(title=RECEIPT_TITLES[b.kind], number=b.number,
                          subtitle=f"{b.township}{b.village}　共{len(b.children)}份",
                          blocks=(Table(("编号", "儿童姓名", "监护人", f"{verb}学校", "监护人签字", "签收日期"), rows,
                                        (14, 24, 24, 42, 28, 24), row_mm=10),
                                  Para(f"送达人（签字）：________　送达日期：{BLANK_DAY}", indent=False,
                                       align="left")),
                          page_numbers="none")


def batch_layouts(b: EnrolmentBatch) -> list[OfficialLayout]:
    return [*notice_layouts(b), receipt_layout(b)]


def batch_docx(b: EnrolmentBatch) -> bytes:
    """The batch as one .docx: a page a notice, then the signing sheet."""
    return official_docx_many(batch_layouts(b))


def batch_pdf(b: EnrolmentBatch) -> bytes:
    """The batch as one PDF, from the same layouts."""
    from documents.pdf import official_pdf_many
    return official_pdf_many(batch_layouts(b))
