"""The report of an import as a workbook: the problems of a refused file (row, column, value, reason) and
the students missing since the previous term, each on its own sheet. The caller words the headings and
reasons in the user's language (data_access builds no texts of its own)."""
from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import xlsxwriter

from domain.imports.results import ImportResult

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CJK_FONT = "宋体"


@dataclass(frozen=True)
class ReportLabels:
    """Worded texts of the report workbook."""

    title: str                          # e.g. "Import report: roster.xlsx"
    summary: str                        # the result in one line
    problems_sheet: str
    problem_headings: Sequence[str]     # row, column, value, reason
    not_listed: str                     # "… and N more problems not listed", or ""
    missing_sheet: str
    missing_headings: Sequence[str]     # student number, name, school code, school, grade, class, last status
    missing_note: str                   # what the missing list is, or ""


def report_workbook(result: ImportResult, labels: ReportLabels, reason: Callable[[str], str] = str) -> bytes:
    """The .xlsx bytes of an import's report; `reason` words each problem's reason."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "default_format_properties":
                                     {"font_name": CJK_FONT, "font_charset": 134, "font_size": 10}})
    bold = book.add_format({"bold": True, "font_name": CJK_FONT, "font_charset": 134, "font_size": 10})
    title = book.add_format({"bold": True, "font_name": CJK_FONT, "font_charset": 134, "font_size": 13})
    head = book.add_format({"bold": True, "bg_color": "#E9EEF5", "border": 1, "font_name": CJK_FONT,
                            "font_charset": 134, "font_size": 10})
    text = book.add_format({"num_format": "@", "font_name": CJK_FONT, "font_charset": 134, "font_size": 10})
    if result.problems or not result.missing_students:
        sheet = book.add_worksheet(labels.problems_sheet[:31])
        sheet.write(0, 0, labels.title, title)
        sheet.write(1, 0, labels.summary, bold)
        for col, heading in enumerate(labels.problem_headings):
            sheet.write(3, col, heading, head)
        for i, p in enumerate(result.problems, start=4):
            sheet.write_number(i, 0, p.row)
            sheet.write_string(i, 1, p.column, text)
            sheet.write_string(i, 2, p.value, text)     # as text: a code stays a code in Excel too
            sheet.write_string(i, 3, reason(p.reason), text)
        if labels.not_listed:
            sheet.write(4 + len(result.problems) + 1, 0, labels.not_listed, bold)
        sheet.set_column(0, 0, 8)
        sheet.set_column(1, 1, 16)
        sheet.set_column(2, 2, 24)
        sheet.set_column(3, 3, 70)
        sheet.freeze_panes(4, 0)
        sheet.autofilter(3, 0, 3 + max(len(result.problems), 1), 3)
    if result.missing_students:
        sheet = book.add_worksheet(labels.missing_sheet[:31])
        sheet.write(0, 0, labels.title, title)
        sheet.write(1, 0, labels.missing_note, bold)
        for col, heading in enumerate(labels.missing_headings):
            sheet.write(3, col, heading, head)
        for i, m in enumerate(result.missing_students, start=4):
            for col, value in enumerate((m.student_no, m.name, m.school_code, m.school_name)):
                sheet.write_string(i, col, value, text)
            sheet.write_number(i, 4, m.grade)
            sheet.write_string(i, 5, m.class_name or "", text)
            sheet.write_string(i, 6, m.status, text)
        for col, width in enumerate((22, 10, 12, 24, 6, 8, 10)):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(4, 0)
    book.close()
    return out.getvalue()
