"""The documents of escalation step 4 (domain.md §7) as .docx: 限期复学通知书 (to the guardian) and
敦促辍学学生返校通知书 (to the village committee), each with a receipt. Pure: a NoticeData in, bytes out."""
from __future__ import annotations

import datetime as dt

from documents.official import OfficialLayout, Para, Receipt, Signature, cn_date, official_docx
from domain.cases.views import NoticeData

DIGITS = "〇一二三四五六七八九"


def grade_text(grade: int | None) -> str:
    """三年级, 七年级 … (empty when unknown)."""
    return f"{DIGITS[grade]}年级" if grade and 1 <= grade <= 9 else ""


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


def notice_layout(d: NoticeData, page_numbers: str = "outside") -> OfficialLayout:
    """The notice as an official layout: title, number, salutation, body, issuer and date with the seal
    place, and the tear-off receipt kept on the same page."""
    salutation, paragraphs = _body(d)
    receipt = Receipt("回  执", (f"本人已收到{d.township}人民政府《{d.title}》（{d.number}），知悉{d.student}须于"
                                f"{cn_date(d.deadline)}前返回{d.school}就读。",),
                      ("监护人（签字）：____________    联系电话：____________", "签收日期：______年____月____日"))
    return OfficialLayout(title=d.title, number=d.number, addressee=salutation,
                          blocks=tuple(Para(t) for t in paragraphs),
                          signature=Signature((f"{d.township}人民政府",), d.issued), receipt=receipt,
                          page_numbers=page_numbers)


def notice_document(d: NoticeData, page_numbers: str = "outside") -> bytes:
    """The notice as .docx bytes (GB/T 9704)."""
    return official_docx(notice_layout(d, page_numbers))
