"""The visit report (.docx): what was checked, by whom, the results per method and the findings.

A pure builder: it receives the report already worded in the reader's language (web.evidence makes
it) and returns the file's bytes, laid out by documents.official (GB/T 9704: margins, grid, 仿宋 body,
黑体 headings, "— 1 —" page numbers).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from documents.official import TABLE_PT, TYPE_WIDTH_MM, OfficialLayout, Para, Table, official_docx


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


def report_layout(data: VisitReportData, page_numbers: str = "outside") -> OfficialLayout:
    """The report as an official layout (GB/T 9704): facts as a two-column table, each section a 黑体
    heading with its paragraphs and table, the signature lines kept with the last section."""
    blocks: list[Para | Table] = [Table(("", ""), data.facts, (38, 118))]
    blocks.extend(Para(note, indent=False, size=TABLE_PT) for note in data.notes)
    for sec in data.sections:
        blocks.append(Para(lead=sec.heading))
        blocks.extend(Para(text) for text in sec.paragraphs)
        if sec.table and sec.table.rows:
            widths = _fit(sec.table.widths)
            blocks.append(Table(sec.table.headings, sec.table.rows, widths))
        blocks.extend(Para(text, indent=False, size=TABLE_PT) for text in sec.after)
    if data.signature:
        blocks.append(Para("", indent=False, keep=True))
        blocks.extend(Para(line, indent=False, align="right", keep=i < len(data.signature) - 1)
                      for i, line in enumerate(data.signature))
    return OfficialLayout(title=data.title, subtitle=data.subtitle, blocks=tuple(blocks),
                          mark=data.draft_mark or "", page_numbers=page_numbers)


def _fit(widths: tuple[float, ...]) -> tuple[float, ...]:
    """Column widths scaled to the 156 mm type area (the report's tables were drawn for 168 mm)."""
    total = sum(widths)
    return tuple(w * TYPE_WIDTH_MM / total for w in widths) if total > TYPE_WIDTH_MM else widths


def visit_report_document(data: VisitReportData, page_numbers: str = "outside") -> bytes:
    """The report as .docx bytes (A4, GB/T 9704)."""
    return official_docx(report_layout(data, page_numbers))


def visit_report_pdf(data: VisitReportData, page_numbers: str = "outside") -> bytes:
    """The report as PDF bytes, from the same layout."""
    from documents.pdf import official_pdf
    return official_pdf(report_layout(data, page_numbers))
