"""A streaming reader of .xlsx worksheets for imports: the sheet's XML is parsed with expat as it is
unzipped, one row at a time, and cells come back as openpyxl's read-only mode gives them (text, int, float,
bool, datetime for date-formatted numbers) — about six times faster, which matters for a county's roster.

Dates: a number is a date when its cell style's number format is one (custom formats as openpyxl decides;
built-in formats also the Chinese locale's 27–31, 36, 50–54, 57, 58 such as yyyy"年"m"月"d"日", which openpyxl
leaves as plain numbers)."""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import IO, Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

DATE_FORMAT_IDS = frozenset({*range(14, 23), 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58})
_WORKSHEET = "/relationships/worksheet"
_CELL_REF = re.compile(r"([A-Z]+)")
_CHUNK = 1 << 16


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


def _parse_all(data: bytes, start: Any, end: Any, text: Any = None) -> None:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.Parse(data, True)


class XlsxBook:
    """An open workbook: its worksheets (name, part path), shared strings, date styles and date epoch."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.zip = zipfile.ZipFile(fh)
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
            return self.zip.read(name)
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
        data = self._part("xl/sharedStrings.xml")
        if data is None:
            return []
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
                strings.append("".join(parts))
            elif local == "rPh":
                state["skip"] -= 1
            elif local == "t":
                state["in_t"] = False

        def text(data_: str) -> None:
            if state["in_t"]:
                parts.append(data_)
        _parse_all(data, start, end, text)
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
        reader = _SheetReader(self.shared, self.date_styles, self.epoch)
        with self.zip.open(part) as fh:
            while chunk := fh.read(_CHUNK):
                reader.parser.Parse(chunk, False)
                if reader.done:
                    yield from reader.done
                    reader.done = []
            reader.parser.Parse(b"", True)
        yield from reader.done


class _SheetReader:
    """The expat handlers of one worksheet: completed rows collect in `done`."""

    def __init__(self, shared: list[str], date_styles: frozenset[int], epoch: dt.datetime) -> None:
        self.shared, self.date_styles, self.epoch = shared, date_styles, epoch
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
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = int(style) if style else 0
            self.text = []
        elif name == "v" or name == "t":
            self.collect = True
        elif name == "row":
            number = int(attrs.get("r", self.next_row))
            while self.next_row < number:       # rows the file leaves out
                self.done.append([])
                self.next_row += 1
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
