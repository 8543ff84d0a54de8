"""Legacy Excel workbooks (.xls, BIFF 97–2003: what much government software, the student registry among it,
still writes), read with xlrd 2.x. Cells come back as the .xlsx reader gives them: text, int for a whole number
(a code typed as a number then reads as it would in an .xlsx, and an 18-digit ID number that Excel rounded is
refused as one), float, bool, datetime for date-formatted numbers, None for empty cells.

A BIFF sheet holds at most 65,536 rows × 256 columns and stores nothing compressed, so the file's own size bounds
what reading it costs; the rows still pass the .xlsx reader's row, column and cell limits (limited_rows)."""
from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import xlrd
from xlrd.xldate import XLDateError, xldate_as_datetime

_EXACT = 2 ** 53        # a float's whole numbers are exact below this


def _value(cell: Any, datemode: int) -> Any:
    kind, value = cell.ctype, cell.value
    if kind == xlrd.XL_CELL_TEXT:
        return value
    if kind == xlrd.XL_CELL_NUMBER:
        return int(value) if value.is_integer() and abs(value) < _EXACT else value
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xldate_as_datetime(value, datemode)
        except (XLDateError, ValueError, OverflowError):
            return "#VALUE!"
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#VALUE!")
    return None        # empty, blank


class XlsBook:
    """An open .xls workbook: its sheets' rows as lists of cell values."""

    def __init__(self, path: Path) -> None:
        self.book = xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO())
        self.sheet_count = self.book.nsheets

    def close(self) -> None:
        """Release the workbook."""
        self.book.release_resources()

    def row_count(self, index: int) -> int:
        """Rows of a sheet (for progress reports)."""
        return int(self.book.sheet_by_index(index).nrows)

    def rows(self, index: int) -> Iterator[list[Any]]:
        """The sheet's rows from the first, each a list of cell values without trailing empty cells."""
        sheet = self.book.sheet_by_index(index)
        datemode = self.book.datemode
        for number in range(sheet.nrows):
            values = [_value(c, datemode) for c in sheet.row(number)]
            while values and values[-1] is None:
                values.pop()
            yield values
