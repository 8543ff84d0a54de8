"""Fonts for .docx files: Word and LibreOffice read w:eastAsia for Chinese text (python-docx sets
only the Latin name), so every run and style of our documents goes through here."""
from __future__ import annotations

from docx.oxml.ns import qn
from docx.shared import Mm, Pt

CJK_FONT = "宋体"


def set_fonts(target: object, size: float | None = None, bold: bool | None = None,
              latin: str = CJK_FONT, east_asian: str = CJK_FONT) -> None:
    """Latin and East-Asian fonts (and optionally size and weight) on a run or a style."""
    font = target.font
    font.name = latin
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rfonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)


def add_page_number(paragraph: object, size: float, latin: str = CJK_FONT) -> None:
    """Append a PAGE field (the current page number) to a paragraph, in our fonts."""
    from docx.oxml import OxmlElement
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = paragraph.add_run("1")
    set_fonts(run, size, latin=latin)
    field.append(run._r)
    paragraph._p.append(field)


def official_a4(section: object) -> None:
    """A4 with the margins of official documents (GB/T 9704 公文: 37/35 mm top/bottom, 28/26 mm left/right)."""
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
