"""The documents of escalation step 4 (domain.md §7) as .docx: 限期复学通知书 (to the guardian) and
敦促辍学学生返校通知书 (to the village committee), each with a receipt. Pure: a NoticeData in, bytes out."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Pt

from documents.official import add_page_number, official_a4, set_fonts
from domain.cases.views import NoticeData

BODY_FONT = "仿宋"   # FangSong: the body face of Chinese official documents (三号 = 16 pt)
TITLE_FONT = "宋体"  # 小标宋 is not on every machine; SimSun bold stands in (二号 = 22 pt)
LATIN_FONT = "Times New Roman"
DIGITS = "〇一二三四五六七八九"


def cn_date(day: dt.date) -> str:
    """2026年12月7日."""
    return f"{day.year}年{day.month}月{day.day}日"


def grade_text(grade: int | None) -> str:
    """三年级, 七年级 … (empty when unknown)."""
    return f"{DIGITS[grade]}年级" if grade and 1 <= grade <= 9 else ""


def _paragraph(doc: Any, text: str, *, align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True,
               size: float = 16, bold: bool = False, font: str = BODY_FONT, before: float = 0) -> Any:
    p = doc.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.first_line_indent = Pt(size * 2) if indent else None
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28 if size <= 16 else 36)
    fmt.space_before, fmt.space_after = Pt(before), Pt(0)
    run = p.add_run(text)
    set_fonts(run, size, bold, latin=LATIN_FONT, east_asian=font)
    return p


def _body(d: NoticeData) -> tuple[str, list[str]]:
    who = f"{d.student}，{d.gender}，{cn_date(d.birth)}出生，系{d.school}{grade_text(d.grade)}{d.class_name}学生"
    absent = f"，累计缺课{d.absence_days}天" if d.absence_days else ""
    if d.kind == "return-order":
        guardian = d.guardian or "学生家长"
        return f"{guardian}（{d.student}的监护人）：", [
            f"你的子女（被监护人）{who}。自{cn_date(d.found)}起未到校上课{absent}，经学校、村（居）民委员会多次"
            "劝返，至今仍未返校复学。",
            "接受义务教育是适龄儿童、少年的权利，也是其父母或者其他法定监护人的法定义务。《中华人民共和国义务教育法》"
            "第五条规定，适龄儿童、少年的父母或者其他法定监护人应当依法保证其按时入学接受并完成义务教育；第五十八条规定，"
            "适龄儿童、少年的父母或者其他法定监护人无正当理由未依照本法规定送适龄子女或者被监护人入学接受义务教育的，"
            "由当地乡镇人民政府或者县级人民政府教育行政部门给予批评教育，责令限期改正。",
            f"现依法责令你于{cn_date(d.deadline)}前将{d.student}送回{d.school}复学，并配合学校做好复学后的教育管理"
            f"工作。逾期仍不送子女返校复学的，{d.township}人民政府将依法作出行政处罚，并可支持有关单位依法提起诉讼，"
            "由此产生的法律责任由你承担。",
            "特此通知。",
        ]
    return f"{d.student}同学及家长（监护人）：", [
        f"{who}，自{cn_date(d.found)}起未到校上课{absent}。学校、村（居）民委员会和{d.township}人民政府多次劝返，"
        "至今仍未返校。",
        f"依法接受并完成九年义务教育，是每一名适龄儿童、少年的权利和义务，关系到孩子一生的成长和发展。为保障"
        f"{d.student}同学的受教育权利，现敦促{d.student}同学于{cn_date(d.deadline)}前返回{d.school}就读，请家长"
        "（监护人）切实履行法定监护职责，督促并护送孩子按时返校。",
        f"学校将为返校学生做好编班、学业辅导和心理疏导等衔接工作；家庭确有经济困难的，可向学校和{d.township}人民政府"
        "申请资助。逾期仍未返校的，将依照《中华人民共和国义务教育法》《中华人民共和国未成年人保护法》等法律法规依法处理。",
        "特此通知。",
    ]


def notice_document(d: NoticeData) -> bytes:
    """The notice as .docx bytes: title, number, salutation, body, issuer and date, and a receipt."""
    doc = Document()
    normal = doc.styles["Normal"]
    set_fonts(normal, 16, latin=LATIN_FONT, east_asian=BODY_FONT)
    section = doc.sections[0]
    official_a4(section)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_fonts(footer.add_run("— "), 14, latin=LATIN_FONT, east_asian=BODY_FONT)
    add_page_number(footer, 14, latin=LATIN_FONT)
    set_fonts(footer.add_run(" —"), 14, latin=LATIN_FONT, east_asian=BODY_FONT)
    _paragraph(doc, d.title, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, size=22, bold=True, font=TITLE_FONT)
    _paragraph(doc, d.number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, before=8)
    salutation, paragraphs = _body(d)
    _paragraph(doc, salutation, indent=False, before=16)
    for text in paragraphs:
        _paragraph(doc, text)
    _paragraph(doc, f"{d.township}人民政府", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, before=40)
    _paragraph(doc, f"{cn_date(d.issued)}（盖章）", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _paragraph(doc, "- - - - - - - - - - - - - - 沿此线剪开 - - - - - - - - - - - - - -", align=WD_ALIGN_PARAGRAPH.CENTER,
               indent=False, size=12, before=24)
    _paragraph(doc, "回  执", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, size=16, bold=True, font=TITLE_FONT,
               before=6)
    _paragraph(doc, f"本人已收到{d.township}人民政府《{d.title}》（{d.number}），知悉{d.student}须于{cn_date(d.deadline)}"
                    f"前返回{d.school}就读。")
    _paragraph(doc, "监护人（签字）：____________    联系电话：____________", indent=False, before=8)
    _paragraph(doc, "签收日期：______年____月____日", indent=False)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
