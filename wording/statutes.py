"""Statutory texts and fixed official wording quoted in Baoxue's Chinese documents, verbatim.

These are legal texts: they are quoted in Chinese whatever the reader's language (a notice to a guardian
is a Chinese official document), so they are constants here rather than gettext messages. Source:
《中华人民共和国义务教育法》 (2006, amended 2015 and 2018)."""
from __future__ import annotations

COMPULSORY_EDUCATION_LAW = "《中华人民共和国义务教育法》"

# (article, paragraph) → its text, verbatim; paragraph 0 is an article of one paragraph, quoted whole
ARTICLES: dict[tuple[int, int], str] = {
    (4, 0): "凡具有中华人民共和国国籍的适龄儿童、少年，不分性别、民族、种族、家庭财产状况、宗教信仰等，依法享有平等"
            "接受义务教育的权利，并履行接受义务教育的义务。",
    (5, 2): "适龄儿童、少年的父母或者其他法定监护人应当依法保证其按时入学接受并完成义务教育。",
    (11, 1): "凡年满六周岁的儿童，其父母或者其他法定监护人应当送其入学接受并完成义务教育；条件不具备的地区的儿童，"
             "可以推迟到七周岁。",
    (13, 1): "县级人民政府教育行政部门和乡镇人民政府组织和督促适龄儿童、少年入学，帮助解决适龄儿童、少年接受义务"
             "教育的困难，采取措施防止适龄儿童、少年辍学。",
    (14, 1): "禁止用人单位招用应当接受义务教育的适龄儿童、少年。",
    (58, 0): "适龄儿童、少年的父母或者其他法定监护人无正当理由未依照本法规定送适龄儿童、少年入学接受义务教育的，"
             "由当地乡镇人民政府或者县级人民政府教育行政部门给予批评教育，责令限期改正。",
}
CN_NUMERALS = {1: "一", 2: "二", 4: "四", 5: "五", 11: "十一", 13: "十三", 14: "十四", 58: "五十八"}


def article(no: int, paragraph: int = 0) -> str:
    """第五十八条规定：“…” (or 第五条第二款规定：“…”), the text quoted verbatim."""
    where = f"第{CN_NUMERALS[no]}条" + (f"第{CN_NUMERALS[paragraph]}款" if paragraph else "")
    return f"{where}规定：“{ARTICLES[(no, paragraph)]}”"


# the national policy a 督导 document rests on
STATE_COUNCIL_NOTICE = "《国务院办公厅关于进一步加强控辍保学提高义务教育巩固水平的通知》（国办发〔2017〕72号）"
INSPECTION_REGULATION = "《教育督导条例》"

# how a recorded attempt to bring a child back was made (case_attempt.method), in a notice's words
ATTEMPT_WORDS = {"phone": "电话劝返", "home_visit": "入户劝返", "school_talk": "学校约谈", "village_committee":
                 "村（居）民委员会上门劝返", "township": "乡镇人民政府劝返", "other": "其他方式劝返"}
CN_COUNT = "零一二三四五六七八九十"


def count_words(n: int) -> str:
    """一次, 两次 … 十次, 11次."""
    if n == 2:
        return "两次"
    return f"{CN_COUNT[n]}次" if 0 <= n <= 10 else f"{n}次"


def attempts_text(attempts: tuple[tuple[object, str], ...]) -> str:
    """What was actually recorded: "经2026年3月2日电话劝返、3月9日入户劝返（共两次），" — or nothing."""
    if not attempts:
        return ""
    parts, year = [], None
    for day, method in attempts:
        when = f"{day.year}年{day.month}月{day.day}日" if day.year != year else f"{day.month}月{day.day}日"
        year = day.year
        parts.append(f"{when}{ATTEMPT_WORDS[method] if method in ATTEMPT_WORDS else ATTEMPT_WORDS['other']}")
    return f"经{'、'.join(parts)}（共{count_words(len(attempts))}），"


def notice_statutes(data: object) -> dict[str, str]:
    """The worded statutes and attempts of a return notice (fields of domain.cases.views.NoticeData)."""
    return {"law": f"根据{COMPULSORY_EDUCATION_LAW}{article(5, 2)}{article(58)}",
            "rights": f"{COMPULSORY_EDUCATION_LAW}{article(4)}",
            "attempts_text": attempts_text(getattr(data, "attempts", ())),
            "law_name": COMPULSORY_EDUCATION_LAW}


def enrolment_law(kind: str) -> str:
    """What a 入学（复学）通知书 quotes: the guardian's duty (Article 11 for a six-year-old, else Article 5) and
    what follows if it is not met (Article 58), verbatim."""
    duty = article(11, 1) if kind == "grade1" else article(5, 2)
    return f"{COMPULSORY_EDUCATION_LAW}{duty}{article(58)}"
