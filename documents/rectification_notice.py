"""The rectification notice (整改通知书, .docx) in the form of an official letter: title, number, the
unit addressed, the problem found, the requirement, the deadline, the issuing team and date, and a
receipt line. A pure builder: it receives the notice already worded in the reader's language (web/
rectification_files.py words it) and returns the file's bytes. Every run carries East-Asian fonts
(w:eastAsia): 宋体 for the title, 黑体 for headings, 仿宋 for the text, as official documents use."""
from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from documents.official import add_page_number, official_a4, set_fonts

TITLE_FONT, HEADING_FONT, BODY_FONT, LATIN_FONT = "宋体", "黑体", "仿宋", "Times New Roman"


@dataclass(frozen=True)
class NoticeData:
    """Everything the notice says, worded."""

    title: str
    number: str
    addressee: str
    intro: str
    sections: tuple[tuple[str, str], ...]  # (heading, text)
    closing: str
    signer: str
    date_text: str
    receipt: str
    footer: str
    status_mark: str | None = None  # e.g. "closed on …" for a reprint of a closed order


def _run(paragraph: object, text: str, font: str, size: float, bold: bool = False) -> object:
    run = paragraph.add_run(text)
    set_fonts(run, size, bold, latin=LATIN_FONT, east_asian=font)
    return run


def _para(doc: object, text: str, font: str = BODY_FONT, size: float = 15, bold: bool = False,
          align: int | None = None, indent: bool = False, after: float = 0) -> object:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_after = Pt(after)
    fmt.line_spacing = Pt(28)
    if indent:
        fmt.first_line_indent = Pt(size * 2)  # two characters, as Chinese paragraphs start
    if align is not None:
        p.alignment = align
    if text:
        _run(p, text, font, size, bold)
    return p


def notice_document(data: NoticeData) -> bytes:
    """The notice as .docx bytes (A4, official-letter margins)."""
    doc = Document()
    set_fonts(doc.styles["Normal"], 15, latin=LATIN_FONT, east_asian=BODY_FONT)
    section = doc.sections[0]
    official_a4(section)
    if data.status_mark:
        mark = section.header.paragraphs[0]
        mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(mark, data.status_mark, HEADING_FONT, 10.5).font.color.rgb = RGBColor(0x60, 0x60, 0x60)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(foot, data.footer + "  ", BODY_FONT, 9)
    add_page_number(foot, 10, LATIN_FONT)
    _para(doc, data.title, TITLE_FONT, 22, True, WD_ALIGN_PARAGRAPH.CENTER, after=6)
    _para(doc, data.number, BODY_FONT, 15, False, WD_ALIGN_PARAGRAPH.CENTER, after=12)
    _para(doc, data.addressee, BODY_FONT, 15)
    _para(doc, data.intro, indent=True)
    for heading, text in data.sections:
        _para(doc, heading, HEADING_FONT, 15, indent=True)
        for line in text.splitlines() or [""]:
            if line.strip():
                _para(doc, line.strip(), indent=True)
    _para(doc, data.closing, indent=True, after=24)
    _para(doc, data.signer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, data.date_text, align=WD_ALIGN_PARAGRAPH.RIGHT, after=30)
    _para(doc, data.receipt, BODY_FONT, 12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
