"""The visit report (.docx): what was checked, by whom, the results per method and the findings.

A pure builder: it receives the report already worded in the reader's language (web.evidence makes
it) and returns the file's bytes. Chinese text is set in an East-Asian font on every run and on the
Normal style (w:eastAsia), so Word and LibreOffice render it with a CJK face.
"""
from __future__ import annotations

from documents.official import add_page_number, set_fonts

import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

CJK_FONT = "宋体"  # SimSun: on every Chinese Windows; LibreOffice substitutes a CJK serif
LATIN_FONT = "Times New Roman"


@dataclass(frozen=True)
class ReportTable:
    """A table: a heading row, text rows and column widths in millimetres (the text width is 168 mm)."""

    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class ReportSection:
    """A numbered part of the report: heading, paragraphs, an optional table and a closing note."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    table: ReportTable | None = None
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class VisitReportData:
    """Everything the report says, worded."""

    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[ReportSection, ...]
    signature: tuple[str, ...]
    footer: str
    draft_mark: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def _fonts(target: object, size: float | None = None, bold: bool | None = None) -> None:
    """Latin and East-Asian fonts on a run or a style."""
    set_fonts(target, size, bold, latin=LATIN_FONT, east_asian=CJK_FONT)


def _para(container: object, text: str, size: float = 12, bold: bool = False, align: int | None = None,
          space_after: float = 4) -> object:
    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    if text:
        _fonts(p.add_run(text), size, bold)
    return p


def _shade(cell: object, fill: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    props.append(shd)


def _table(doc: object, table: ReportTable, size: float = 10.5, label_column: bool = False) -> None:
    """A grid; a heading row when there are headings, else (label_column) a bold shaded first column."""
    heading = any(table.headings)
    t = doc.add_table(rows=1 if heading else 0, cols=len(table.headings))
    t.style = "Table Grid"
    t.autofit = not table.widths
    for i, width in enumerate(table.widths[:len(t.columns)]):
        t.columns[i].width = Mm(width)  # the grid LibreOffice reads; cells get it too (Word reads those)
    if heading:
        for i, cell in enumerate(t.rows[0].cells):
            if i < len(table.widths):
                cell.width = Mm(table.widths[i])
        for cell, text in zip(t.rows[0].cells, table.headings):
            cell.paragraphs[0].paragraph_format.space_after = Pt(0)
            _fonts(cell.paragraphs[0].add_run(text), size, True)
            _shade(cell, "E9ECEF")
    for row in table.rows:
        cells = t.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row)):
            if i < len(table.widths):
                cell.width = Mm(table.widths[i])
            cell.paragraphs[0].paragraph_format.space_after = Pt(0)
            _fonts(cell.paragraphs[0].add_run(text), size, label_column and i == 0)
            if label_column and i == 0:
                _shade(cell, "F1F3F5")


def visit_report_document(data: VisitReportData) -> bytes:
    """The report as .docx bytes (A4)."""
    doc = Document()
    _fonts(doc.styles["Normal"], 12)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin, section.right_margin = Mm(22), Mm(20)
    if data.draft_mark:
        mark = section.header.paragraphs[0]
        mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = mark.add_run(data.draft_mark)
        _fonts(run, 11, True)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(foot.add_run(data.footer + "  "), 9)
    add_page_number(foot, 10, LATIN_FONT)
    _para(doc, data.title, 18, True, WD_ALIGN_PARAGRAPH.CENTER, 4)
    _para(doc, data.subtitle, 12, False, WD_ALIGN_PARAGRAPH.CENTER, 12)
    _table(doc, ReportTable(("", ""), data.facts, (38, 130)), 11, label_column=True)
    for note in data.notes:
        _para(doc, note, 10.5)
    for sec in data.sections:
        _para(doc, "", space_after=2)
        _para(doc, sec.heading, 14, True, space_after=4)
        for text in sec.paragraphs:
            _para(doc, text)
        if sec.table and sec.table.rows:
            _table(doc, sec.table)
        for text in sec.after:
            _para(doc, text, 10.5)
    _para(doc, "", space_after=12)
    for line in data.signature:
        _para(doc, line, 12, False, WD_ALIGN_PARAGRAPH.RIGHT, 2)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
