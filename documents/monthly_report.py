"""The county's 控辍保学 monthly report (月报, issue 18.2) as an official document (GB/T 9704, documents.official):
.docx and PDF from the same layout. It receives the report already worded (web.monthly_report words it) and
returns bytes; numbered only when issued through the 发文字号 register."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from documents.official import OfficialLayout, Para, Signature, Table


@dataclass(frozen=True)
class MonthlyText:
    """The worded report: title, period line, addressee, sections (heading, paragraphs), the units' table."""

    title: str
    subtitle: str
    addressee: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    table_header: tuple[str, ...]
    table_rows: tuple[tuple[str, ...], ...]
    issuer: str
    day: dt.date
    number: str = ""
    mark: str = ""            # 草稿 for a draft
    page_numbers: str = "outside"
    red_head: str = ""        # 红头 of the issued report (never on a draft)


def monthly_layout(text: MonthlyText) -> OfficialLayout:
    """The layout: sections as 一、 headings with their paragraphs, the units' reports as a table, the signature."""
    blocks: list[Para | Table] = []
    for heading, paragraphs in text.sections:
        blocks.append(Para(lead=heading))
        blocks.extend(Para(p) for p in paragraphs)
        if heading == text.sections[-1][0] and text.table_rows:
            blocks.append(Table(text.table_header, text.table_rows))
    return OfficialLayout(title=text.title, subtitle=text.subtitle, addressee=text.addressee, blocks=tuple(blocks),
                          number=text.number, signature=Signature((text.issuer,), text.day, seal=not text.mark),
                          mark=text.mark, page_numbers=text.page_numbers,
                          red_head="" if text.mark else text.red_head)


def monthly_docx(text: MonthlyText) -> bytes:
    """The monthly report as .docx bytes."""
    from documents.official import official_docx
    return official_docx(monthly_layout(text))


def monthly_pdf(text: MonthlyText) -> bytes:
    """The monthly report as PDF bytes (documents.pdf.PdfFontMissing without a CJK font)."""
    from documents.pdf import official_pdf
    return official_pdf(monthly_layout(text))
