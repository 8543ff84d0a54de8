"""The documents of escalation step 4 (domain.md §7) as .docx: 限期复学通知书 (to the guardian) and
敦促辍学学生返校通知书, each with a receipt. Pure: a NoticeData in, bytes out.

Issued jointly by the township government and the county's education bureau (two seal places, seed 001),
numbered by the township's register (data_access.documents); the absence is stated from the first school
day the child was absent, the attempts as they were recorded (none claimed that were not), 《义务教育法》
quoted verbatim (the texts are wording.statutes', put in the NoticeData by web.case_files), the province's
regulation only when the county configured one."""
from __future__ import annotations

from documents.official import OfficialLayout, Para, Receipt, Signature, cn_date, official_docx
from domain.cases.views import NoticeData

DIGITS = "〇一二三四五六七八九"


def grade_text(grade: int | None) -> str:
    """三年级, 七年级 … (empty when unknown)."""
    return f"{DIGITS[grade]}年级" if grade and 1 <= grade <= 9 else ""


def _absence(d: NoticeData, who: str) -> str:
    since = d.stopped or d.found
    days = f"，截至{cn_date(d.found)}已连续缺课{d.absence_days}个教学日" if d.absence_days else ""
    return f"{who}，自{cn_date(since)}起未到校上课{days}。"


def _law(d: NoticeData) -> str:
    law = d.law
    if d.regulation:
        law += f"同时，{d.regulation}对适龄儿童、少年的父母或者其他法定监护人的义务亦有规定。"
    return law


def _issuers(d: NoticeData) -> tuple[str, ...]:
    return tuple(i for i in d.issuers if i) or (f"{d.township}人民政府",)


def _body(d: NoticeData) -> tuple[str, list[str]]:
    who = f"{d.student}，{d.gender}，{cn_date(d.birth)}出生，系{d.school}{grade_text(d.grade)}{d.class_name}学生"
    tried = d.attempts_text
    issuers = "、".join(_issuers(d))
    if d.kind == "return-order":
        guardian = d.guardian or "学生家长"
        still = f"{tried}至今仍未返校复学。" if tried else "至今仍未返校复学。"
        return f"{guardian}（{d.student}的监护人）：", [
            f"你的子女（被监护人）{_absence(d, who)}{still}",
            _law(d),
            f"现依法责令你于{cn_date(d.deadline)}前将{d.student}送回{d.school}复学，并配合学校做好复学后的教育管理"
            f"工作。逾期仍不送子女返校复学的，{d.township}人民政府将依法作出行政处罚，并可支持有关单位依法提起诉讼，"
            "由此产生的法律责任由你承担。",
            "特此通知。",
        ]
    still = f"{tried}至今仍未返校。" if tried else "至今仍未返校。"
    return f"{d.student}同学及家长（监护人）：", [
        f"{_absence(d, who)[:-1]}，{still}",
        "依法接受并完成九年义务教育，是每一名适龄儿童、少年的权利和义务，关系到孩子一生的成长和发展。" + d.rights,
        f"为保障{d.student}同学的受教育权利，{issuers}现敦促{d.student}同学于{cn_date(d.deadline)}前返回{d.school}"
        "就读，请家长（监护人）切实履行法定监护职责，督促并护送孩子按时返校。",
        f"学校将为返校学生做好编班、学业辅导和心理疏导等衔接工作；家庭确有经济困难的，可向学校和{d.township}人民政府"
        f"申请资助。逾期仍未返校的，将依照{d.law_name}第五十八条等规定依法处理。",
        "特此通知。",
    ]


def notice_layout(d: NoticeData, page_numbers: str = "") -> OfficialLayout:
    """The notice as an official layout: title, number, salutation, body, issuer and date with the seal
    place, and the tear-off receipt kept on the same page."""
    salutation, paragraphs = _body(d)
    receipt = Receipt("回  执", (f"本人已收到{'、'.join(_issuers(d))}《{d.title}》（{d.number}），知悉{d.student}须于"
                                f"{cn_date(d.deadline)}前返回{d.school}就读。",),
                      ("监护人（签字）：____________    联系电话：____________", "签收日期：______年____月____日"))
    return OfficialLayout(title=d.title, number=d.number, addressee=salutation,
                          blocks=tuple(Para(t) for t in paragraphs),
                          signature=Signature(_issuers(d), d.issued),
                          after_signature=(d.contact,) if d.contact else (), receipt=receipt,
                          page_numbers=page_numbers or d.page_numbers)


def notice_document(d: NoticeData, page_numbers: str = "") -> bytes:
    """The notice as .docx bytes (GB/T 9704)."""
    return official_docx(notice_layout(d, page_numbers))


def notice_pdf(d: NoticeData, page_numbers: str = "") -> bytes:
    """The notice as PDF bytes, from the same layout."""
    from documents.pdf import official_pdf
    return official_pdf(notice_layout(d, page_numbers))


def _facts(d: NoticeData) -> str:
    who = f"{d.student}（{d.gender}，{cn_date(d.birth)}出生）系{d.school}{grade_text(d.grade)}{d.class_name}学生"
    since = d.stopped or d.found
    days = f"，截至{cn_date(d.found)}已连续缺课{d.absence_days}个教学日" if d.absence_days else ""
    notices = f"{d.township}人民政府已向其监护人送达《限期复学通知书》（{'、'.join(d.prior_numbers)}），" \
        if d.prior_numbers else f"{d.township}人民政府已向其监护人送达《限期复学通知书》，"
    return f"{who}，自{cn_date(since)}起未到校上课{days}。{d.attempts_text}{notices}责令限期送其返校复学，逾期仍未返校。"


def draft_layout(d: NoticeData, page_numbers: str = "") -> OfficialLayout:
    """The drafts of steps 5 and 6 (domain.md §7) from the case's data: 行政处罚决定书 (the township
    government to the guardian) and 支持起诉函 (to the county's court). Drafts: marked so, the 发文字号's
    sequence left for the clerk, the penalty itself left blank for the officer to fill in under the law
    that applies."""
    guardian = d.guardian or "学生家长"
    number = f"{d.abbreviation}〔{d.issued.year}〕　号" if d.abbreviation else ""
    issuer = _issuers(d)[0]
    if d.kind == "penalty-draft":
        blocks = (
            Para(f"当事人：{guardian}，系{d.student}的监护人。", indent=False, align="left"),
            Para(_facts(d)),
            Para("以上事实有学籍记录、劝返记录、《限期复学通知书》及送达回执等证据证实。"),
            Para(f"本机关认为，当事人无正当理由未送适龄子女入学接受义务教育，违反了{d.law_name}第五条第二款的规定。"),
            Para(f"依据{d.regulation or '____________（适用的法律法规及条款）'}，本机关决定对当事人作出如下行政处罚："),
            Para("________________________________（处罚种类和幅度）。"),
            Para("当事人应自收到本决定书之日起____日内履行本决定，并立即送子女返校复学。"),
            Para("当事人如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院"
                 "提起行政诉讼。"),
        )
        return OfficialLayout(title=d.title, number=number, blocks=blocks, signature=Signature((issuer,), d.issued),
                              after_signature=(d.contact,) if d.contact else (), mark="草稿",
                              page_numbers=page_numbers or d.page_numbers)
    court = f"{d.county}人民法院：" if d.county else "____人民法院："
    blocks = (
        Para(_facts(d)),
        Para(f"{d.student}的监护人{guardian}经批评教育、责令限期改正后，仍未履行送适龄子女接受义务教育的法定义务，"
             "侵害了未成年人依法接受义务教育的权利。"),
        Para("《中华人民共和国民事诉讼法》第十五条规定：“机关、社会团体、企业事业单位对损害国家、集体或者个人民事权益"
             "的行为，可以支持受损害的单位或者个人向人民法院起诉。”"),
        Para(f"为保障{d.student}依法接受并完成义务教育，{'、'.join(_issuers(d))}支持依法向你院提起诉讼，并将随函移送"
             "学籍记录、劝返记录、有关通知书及送达回执等材料，请依法处理。"),
        Para("特此函告。"),
    )
    return OfficialLayout(title=d.title, number=number, addressee=court, blocks=blocks,
                          signature=Signature(_issuers(d), d.issued), after_signature=(d.contact,) if d.contact else (),
                          mark="草稿", page_numbers=page_numbers or d.page_numbers)


def draft_document(d: NoticeData, page_numbers: str = "") -> bytes:
    """A step 5/6 draft as .docx bytes."""
    return official_docx(draft_layout(d, page_numbers))


def draft_pdf(d: NoticeData, page_numbers: str = "") -> bytes:
    """A step 5/6 draft as PDF bytes."""
    from documents.pdf import official_pdf
    return official_pdf(draft_layout(d, page_numbers))
