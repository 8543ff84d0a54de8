"""Plain .xlsx sheets from a view model (domain.admin.views.Sheet): optional info lines, a bold header row, rows;
columns listed in `text_columns` are written as text so Excel keeps codes and ID numbers as they are."""
from __future__ import annotations

import datetime as dt
import io

import xlsxwriter

from domain.admin.views import Sheet


def sheet_workbook(sheets: list[Sheet]) -> bytes:
    """A workbook with one worksheet per sheet (header on the first row when there are no info lines)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1, "text_wrap": True,
                            "font_name": "宋体"})
    text = book.add_format({"num_format": "@", "font_name": "宋体"})
    plain = book.add_format({"font_name": "宋体"})
    info = book.add_format({"italic": True, "font_color": "#555555", "font_name": "宋体"})
    for sheet in sheets:
        ws = book.add_worksheet(sheet.title[:31])
        for i, line in enumerate(sheet.info):
            ws.write_string(i, 0, line, info)
        top = len(sheet.info)
        for c, header in enumerate(sheet.headers):
            ws.write_string(top, c, header, head)
            width = sheet.widths[c] if c < len(sheet.widths) else 14
            ws.set_column(c, c, width, text if c in sheet.text_columns else plain)
        for r, row in enumerate(sheet.rows, start=top + 1):
            for c, value in enumerate(row):
                _write(ws, r, c, value, text if c in sheet.text_columns else plain)
        ws.freeze_panes(top + 1, 0)
        if sheet.rows:
            ws.autofilter(top, 0, top + len(sheet.rows), max(0, len(sheet.headers) - 1))
    book.close()
    return buffer.getvalue()


def _write(ws: object, row: int, col: int, value: object, fmt: object) -> None:
    """One cell by its Python type (text for bools and dates)."""
    if value is None:
        ws.write_blank(row, col, None, fmt)  # type: ignore[attr-defined]
    elif isinstance(value, bool):
        ws.write_string(row, col, str(value), fmt)  # type: ignore[attr-defined]
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)  # type: ignore[attr-defined]
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_string(row, col, value.isoformat(sep=" ") if isinstance(value, dt.datetime)  # type: ignore[attr-defined]
                        else value.isoformat(), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)  # type: ignore[attr-defined]
