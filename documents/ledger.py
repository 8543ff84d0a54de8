"""The ledger workbook (.xlsx): one sheet with a title, the filter in force, a header row and the rows.

A pure builder: it receives text already worded (and names already masked) by web.ledger_files and
returns the file's bytes. No Flask, no gettext, no database here.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import xlsxwriter

from documents.exports import CJK_FONT

Cell = str | int | float | None


@dataclass(frozen=True)
class LedgerSheet:
    """What the workbook shows."""

    sheet: str                       # sheet name (≤ 31 characters)
    title: str
    info: tuple[str, ...]            # lines under the title: area, filter, date, row count
    headers: tuple[str, ...]
    widths: tuple[float, ...]
    rows: Sequence[tuple[Cell, ...]]
    highlight: Sequence[bool] = ()   # rows to mark (overdue steps, gaps)


def ledger_workbook(data: LedgerSheet) -> bytes:
    """The workbook's bytes."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    base = {"font_name": CJK_FONT, "font_size": 10.5, "valign": "vcenter"}
    title = book.add_format({**base, "bold": True, "font_size": 15})
    info = book.add_format({**base, "font_color": "#555555"})
    head = book.add_format({**base, "bold": True, "bg_color": "#DDE6F3", "border": 1, "text_wrap": True})
    cell = book.add_format({**base, "border": 1, "text_wrap": True})
    mark = book.add_format({**base, "border": 1, "text_wrap": True, "bg_color": "#F8D7DA"})
    sheet = book.add_worksheet(data.sheet[:31])
    sheet.write(0, 0, data.title, title)
    for i, line in enumerate(data.info, start=1):
        sheet.write(i, 0, line, info)
    top = len(data.info) + 2
    for col, (text, width) in enumerate(zip(data.headers, data.widths)):
        sheet.write(top, col, text, head)
        sheet.set_column(col, col, width)
    for r, row in enumerate(data.rows, start=top + 1):
        fmt = mark if r - top - 1 < len(data.highlight) and data.highlight[r - top - 1] else cell
        for col, value in enumerate(row):
            if value is None:
                sheet.write_blank(r, col, None, fmt)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, col, value, fmt)
            else:
                sheet.write_string(r, col, str(value), fmt)
    sheet.freeze_panes(top + 1, 0)
    if data.headers:
        sheet.autofilter(top, 0, top + max(len(data.rows), 1), len(data.headers) - 1)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(top)
    book.close()
    return out.getvalue()
