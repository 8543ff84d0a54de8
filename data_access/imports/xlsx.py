"""A streaming reader of .xlsx worksheets for imports: the sheet's XML is parsed with expat as it is
unzipped, one row at a time, and cells come back as openpyxl's read-only mode gives them (text, int, float,
bool, datetime for date-formatted numbers) — about six times faster, which matters for a county's roster.

Dates: a number is a date when its cell style's number format is one (custom formats as openpyxl decides;
built-in formats also the Chinese locale's 27–31, 36, 50–54, 57, 58 such as yyyy"年"m"月"d"日", which openpyxl
leaves as plain numbers).

Limits (issue 11: a 1 KB file must not cost hundreds of MB): every zip part's uncompressed size, the rows and
columns a cell reference may declare, the number of cells, the shared strings (count, length of one, size of the
part). Beyond any of them the file is refused with XlsxTooLarge, which names the limit; nothing grows with a
declared row or column number (rows the file leaves out are yielded one at a time, not built up front)."""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

DATE_FORMAT_IDS = frozenset({*range(14, 23), 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58})
_WORKSHEET = "/relationships/worksheet"
_CELL_REF = re.compile(r"([A-Z]+)")
_CHUNK = 1 << 16
MiB = 1 << 20


@dataclass(frozen=True)
class XlsxLimits:
    """Hard limits of one imported workbook (Excel's own sheet is 1,048,576 rows × 16,384 columns; a roster has
    16 columns; a cell holds at most 32,767 characters)."""

    rows: int = 1_048_576                 # the highest row number a cell or row may declare
    columns: int = 702                    # the highest column (ZZ)
    cells: int = 20_000_000               # non-empty cells of the sheet read
    shared_strings: int = 4_000_000       # entries of xl/sharedStrings.xml
    string_chars: int = 32_767            # characters of one shared string
    sheet_bytes: int = 2048 * MiB         # uncompressed size of a worksheet part (read as a stream)
    shared_bytes: int = 256 * MiB         # uncompressed size of xl/sharedStrings.xml
    part_bytes: int = 16 * MiB            # uncompressed size of any other part (workbook, styles, rels)


LIMITS = XlsxLimits()


class XlsxTooLarge(ValueError):
    """A workbook beyond a hard limit: `row` (0 for the file) and the reason users read."""

    def __init__(self, row: int, reason: str) -> None:
        super().__init__(reason)
        self.row, self.reason = row, reason


TOO_MANY = {      # the reasons users read (translated in components/imports/report.py)
    "rows": "the sheet declares more than %(count)s rows",
    "columns": "the sheet declares more than %(count)s columns",
    "cells": "the workbook is too large: more than %(count)s cells",
    "strings": "the workbook is too large: more than %(count)s shared strings",
    "chars": "a cell holds more than %(count)s characters",
    "bytes": "the workbook is too large: a part of it unpacks to more than %(count)s MB",
}


def too_large(limit: str, value: int, row: int = 0) -> XlsxTooLarge:
    """The refusal for one limit, at a row (0: the file)."""
    shown = value // MiB if limit == "bytes" else value
    return XlsxTooLarge(row, TOO_MANY[limit] % {"count": shown})


def check_parts(zf: zipfile.ZipFile, limits: XlsxLimits = LIMITS) -> None:
    """Refuse a zip whose parts declare more uncompressed bytes than allowed (before anything is unpacked)."""
    for info in zf.infolist():
        name = info.filename
        cap = (limits.shared_bytes if name.endswith("sharedStrings.xml")
               else limits.sheet_bytes if name.startswith("xl/worksheets/") else limits.part_bytes)
        if info.file_size > cap:
            raise too_large("bytes", cap)


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def _column(ref: str) -> int:
    """0-based column of a cell reference (B3 → 1)."""
    index = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            index = index * 26 + ord(ch) - 64
        else:
            break
    return index - 1


def _parser(start: Any, end: Any, text: Any = None) -> Any:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    return parser


def _parse_all(data: bytes, start: Any, end: Any, text: Any = None) -> None:
    _parser(start, end, text).Parse(data, True)


def _read_limited(fh: IO[bytes], cap: int) -> Iterator[bytes]:
    """The chunks of a zip part, refusing more than `cap` bytes whatever the part's header said."""
    read = 0
    while chunk := fh.read(_CHUNK):
        read += len(chunk)
        if read > cap:
            raise too_large("bytes", cap)
        yield chunk


class XlsxBook:
    """An open workbook: its worksheets (name, part path), shared strings, date styles and date epoch."""

    def __init__(self, fh: IO[bytes], limits: XlsxLimits = LIMITS) -> None:
        self.zip = zipfile.ZipFile(fh)
        self.limits = limits
        try:
            check_parts(self.zip, limits)
        except XlsxTooLarge:
            self.zip.close()
            raise
        self.sheets: list[tuple[str, str]] = []
        self.epoch = CALENDAR_WINDOWS_1900
        self._read_workbook()
        self.shared = self._read_shared_strings()
        self.date_styles = self._read_date_styles()

    def close(self) -> None:
        """Close the zip file."""
        self.zip.close()

    def _part(self, name: str) -> bytes | None:
        try:
            with self.zip.open(name) as fh:
                return b"".join(_read_limited(fh, self.limits.part_bytes))
        except KeyError:
            return None

    def _read_workbook(self) -> None:
        rels: dict[str, str] = {}

        def rel(name: str, attrs: dict[str, str]) -> None:
            if _local(name) == "Relationship" and attrs.get("Type", "").endswith(_WORKSHEET):
                target = attrs["Target"]
                rels[attrs["Id"]] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join("xl", target))
        _parse_all(self._part("xl/_rels/workbook.xml.rels") or b"", rel, lambda _n: None)
        sheets: list[tuple[str, str]] = []

        def book(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "sheet":
                rid = next((v for k, v in attrs.items() if _local(k) == "id"), None)
                if rid in rels:
                    sheets.append((attrs.get("name", ""), rels[rid]))
            elif local == "workbookPr" and attrs.get("date1904") in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904
        data = self._part("xl/workbook.xml")
        if data is None:
            raise ValueError("no xl/workbook.xml: not a workbook")
        _parse_all(data, book, lambda _n: None)
        self.sheets = sheets

    def _read_shared_strings(self) -> list[str]:
        try:
            fh = self.zip.open("xl/sharedStrings.xml")
        except KeyError:
            return []
        limits = self.limits
        strings: list[str] = []
        parts: list[str] = []
        state = {"in_t": False, "skip": 0}

        def start(name: str, _attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "si":
                parts.clear()
            elif local == "rPh":                  # phonetic guide text is not part of the value
                state["skip"] += 1
            elif local == "t" and not state["skip"]:
                state["in_t"] = True

        def end(name: str) -> None:
            local = _local(name)
            if local == "si":
                if len(strings) >= limits.shared_strings:
                    raise too_large("strings", limits.shared_strings)
                strings.append("".join(parts))
            elif local == "rPh":
                state["skip"] -= 1
            elif local == "t":
                state["in_t"] = False

        def text(data_: str) -> None:
            if state["in_t"]:
                parts.append(data_)
                if len(data_) > limits.string_chars or sum(map(len, parts)) > limits.string_chars:
                    raise too_large("chars", limits.string_chars)
        parser = _parser(start, end, text)
        with fh:
            for chunk in _read_limited(fh, limits.shared_bytes):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        return strings

    def _read_date_styles(self) -> frozenset[int]:
        data = self._part("xl/styles.xml")
        if data is None:
            return frozenset()
        custom: dict[int, str] = {}
        xfs: list[int] = []
        state = {"in_xfs": False}

        def start(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "numFmt":
                custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                state["in_xfs"] = True
            elif local == "xf" and state["in_xfs"]:
                xfs.append(int(attrs.get("numFmtId", "0") or 0))

        def end(name: str) -> None:
            if _local(name) == "cellXfs":
                state["in_xfs"] = False
        _parse_all(data, start, end)
        dates = set()
        for index, fmt_id in enumerate(xfs):
            fmt = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id))
            if fmt_id in DATE_FORMAT_IDS and fmt_id not in custom or (fmt and is_date_format(fmt)):
                dates.add(index)
        return frozenset(dates)

    def dimension_rows(self, part: str) -> int:
        """The row count the sheet's <dimension ref="A1:P9"> states, else an estimate from the size of the
        sheet and of its first rows (for progress reports)."""
        with self.zip.open(part) as fh:
            head = fh.read(_CHUNK)
        found = re.search(rb"<(?:\w+:)?dimension[^>]*ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"", head[:4096])
        if found and int(found.group(1)) > 1:
            return int(found.group(1))
        rows = len(re.findall(rb"<(?:\w+:)?row[ >]", head))
        size = self.zip.getinfo(part).file_size
        return size * rows // len(head) if rows and head else 0

    def rows(self, part: str) -> Iterator[list[Any]]:
        """The sheet's rows from the first, each a list of cell values (None for empty cells); rows the file
        leaves out come as empty lists, so positions stay the spreadsheet's row numbers."""
        reader = _SheetReader(self.shared, self.date_styles, self.epoch, self.limits)
        with self.zip.open(part) as fh:
            for chunk in _read_limited(fh, self.limits.sheet_bytes):
                reader.parser.Parse(chunk, False)
                if reader.done:
                    yield from _expand(reader.done)
                    reader.done = []
            reader.parser.Parse(b"", True)
        yield from _expand(reader.done)


def _expand(done: list[Any]) -> Iterator[list[Any]]:
    """Completed rows; an int stands for that many rows the file left out (yielded one by one)."""
    for item in done:
        if item.__class__ is int:
            for _ in range(item):
                yield []
        else:
            yield item


class _SheetReader:
    """The expat handlers of one worksheet: completed rows collect in `done`."""

    def __init__(self, shared: list[str], date_styles: frozenset[int], epoch: dt.datetime,
                 limits: XlsxLimits = LIMITS) -> None:
        self.shared, self.date_styles, self.epoch = shared, date_styles, epoch
        self.limits = limits
        self.max_row, self.max_col, self.cells_left = limits.rows, limits.columns - 1, limits.cells
        self.done: list[list[Any]] = []
        self.row: list[Any] = []
        self.next_row = 1
        self.col = -1
        self.kind = ""
        self.style = 0
        self.text: list[str] = []
        self.collect = False
        self.columns: dict[str, int] = {}
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        self.parser = parser

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "c":
            ref = attrs.get("r")
            if ref:
                col = self.columns.get(ref.rstrip("0123456789"))
                self.col = col if col is not None else self._new_column(ref)
            else:
                self.col += 1
            if self.col > self.max_col:
                raise too_large("columns", self.limits.columns, self.next_row)
            self.cells_left -= 1
            if self.cells_left < 0:
                raise too_large("cells", self.limits.cells, self.next_row)
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = int(style) if style else 0
            self.text = []
        elif name == "v" or name == "t":
            self.collect = True
        elif name == "row":
            number = int(attrs.get("r", self.next_row))
            if number > self.max_row:
                raise too_large("rows", self.max_row, self.next_row)
            if self.next_row < number:          # rows the file leaves out: a count, expanded lazily
                self.done.append(number - self.next_row)
                self.next_row = number
            self.row = []
            self.col = -1
        elif ":" in name:                       # a prefixed namespace (x:c …): as the plain names
            self.start(_local(name), attrs)

    def _new_column(self, ref: str) -> int:
        letters = ref.rstrip("0123456789")
        self.columns[letters] = _column(letters)
        return self.columns[letters]

    def chars(self, data: str) -> None:
        if self.collect:
            self.text.append(data)

    def end(self, name: str) -> None:
        if name == "c":
            text = self.text
            value = self.value(text[0] if len(text) == 1 else "".join(text))
            row = self.row
            col = self.col
            if col == len(row):
                row.append(value)
            else:
                if col > len(row):
                    row.extend([None] * (col - len(row)))
                    row.append(value)
                else:
                    row[col] = value
        elif name == "v" or name == "t":
            self.collect = False
        elif name == "row":
            self.done.append(self.row)
            self.next_row += 1
        elif ":" in name:
            self.end(_local(name))

    def value(self, text: str) -> Any:
        kind = self.kind
        if kind == "s":
            return self.shared[int(text)] if text else None
        if kind in ("inlineStr", "str", "e"):
            return text or None
        if kind == "b":
            return text == "1" if text else None
        if kind == "d":
            return dt.datetime.fromisoformat(text) if text else None
        if not text:
            return None
        number: int | float = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
        if self.style in self.date_styles:
            try:
                return from_excel(number, self.epoch)
            except (OverflowError, ValueError):     # as openpyxl: a date out of range is an error value
                return "#VALUE!"
        return number


def limited_rows(rows: Iterator[Any], limits: XlsxLimits = LIMITS) -> Iterator[Any]:
    """Another reader's rows (openpyxl's), held to the same row, column and cell limits."""
    cells = 0
    for number, row in enumerate(rows, 1):
        if number > limits.rows:
            raise too_large("rows", limits.rows, number)
        if len(row) > limits.columns:
            raise too_large("columns", limits.columns, number)
        cells += len(row)
        if cells > limits.cells:
            raise too_large("cells", limits.cells, number)
        yield row
