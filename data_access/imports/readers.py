"""Reading import files (.xlsx, .csv in UTF-8/GBK): find the header row, map the columns, and
stream the data rows with their spreadsheet row numbers. Nothing here touches the database."""
from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import itertools
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.imports.parsing import Parser, is_total_row, normalize_header
from domain.imports.results import ImportProblem

HEADER_SCAN_ROWS = 10
_TOTAL_STARTS = frozenset("合总小共")
_SLOW_START = _TOTAL_STARTS | frozenset(chr(c) for c in range(0x3001) if chr(c).isspace())  # 合计 rows, blanks
MAX_PROBLEMS = 1000          # problems listed in a report; the rest are only counted
_ANNOTATION = re.compile(r"[(（][^()（）]*[)）]$")     # 出生日期(yyyy-mm-dd), 姓名（必填）
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_TEXT_SUFFIXES = {".csv", ".txt"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}


class ProblemLog:
    """The problems of one file: the first `limit` by row are kept, the others only counted, so a
    broken file of a million rows does not fill the memory. Used like a list (append, +=, bool, len)."""

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        self.limit = limit
        self.total = 0
        self._kept: list[ImportProblem] = []

    def append(self, problem: ImportProblem) -> None:
        """Record one problem (kept if among the first `limit` by row)."""
        self.total += 1
        self._kept.append(problem)
        if len(self._kept) >= 2 * self.limit:
            self._prune()

    def extend(self, problems: Iterable[ImportProblem]) -> None:
        """Record several problems."""
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems: Iterable[ImportProblem]) -> ProblemLog:
        self.extend(problems)
        return self

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    def _prune(self) -> None:
        self._kept.sort(key=_by_row)
        del self._kept[self.limit:]

    def listed(self) -> list[ImportProblem]:
        """The kept problems in row order (stable: within a row, in the order found)."""
        self._prune()
        return list(self._kept)


def _by_row(problem: ImportProblem) -> int:
    return problem.row


@dataclass(frozen=True)
class Column:
    """A column of an import file: English key, Chinese header, parser, and what may be missing."""

    key: str
    zh: str
    parse: Parser
    required: bool = True        # the column must be in the file
    allow_empty: bool = False    # an empty cell takes `default` instead of being a problem
    default: Any = None
    field: str = ""              # attribute name of the parsed row (defaults to key)
    repeats: bool = False        # few distinct values (grades, schools): parse each once and share it
    sensitive: bool = False      # a minor's personal data (ID number, phone): reports show only its start
    aliases: tuple[str, ...] = ()  # other headers real exports use (学籍号 for 全国学籍号)

    @property
    def name(self) -> str:
        """Attribute name of the parsed value."""
        return self.field or self.key


class UnreadableFile(Exception):
    """The file cannot be read as a table of the expected columns; carries the problems."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("; ".join(p.line() for p in problems))
        self.problems = problems


@dataclass
class Table:
    """An opened file: header row number, where each known column is, and the data rows."""

    header_row: int
    found: dict[str, tuple[int, str]]       # key -> (cell index, header text as in the file)
    rows: Iterator[tuple[int, Sequence[Any]]]
    total_rows: int = 0                     # an estimate of the data rows, for progress reports

    def header(self, column: Column) -> str:
        """The column's header as the file spells it (its Chinese name when it is absent)."""
        return self.found[column.key][1] if column.key in self.found else column.zh


def _header_lookup(columns: Sequence[Column]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for col in columns:
        for name in (*col.aliases, col.key, col.zh):   # the contract's names win over an alias
            lookup[normalize_header(name)] = col.key
    return lookup


def _key_of(cell: Any, lookup: dict[str, str]) -> str | None:
    """The column key a header cell names: by name, key or alias, also with a note in brackets after it."""
    if cell is None:
        return None
    header = normalize_header(cell)
    key = lookup.get(header)
    if key is None and header.endswith((")", "）")):
        key = lookup.get(_ANNOTATION.sub("", header))
    return key


def _score(cells: Sequence[Any], lookup: dict[str, str]) -> int:
    return len({k for k in (_key_of(c, lookup) for c in cells) if k is not None})


def _decodes(path: Path, encoding: str) -> bool:
    """True when the whole file decodes in this encoding (read in 1 MB chunks)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _detect_encoding(path: Path) -> str:
    """UTF-8 with BOM, UTF-16 with BOM (Excel's "Unicode text"), UTF-8, or else GB18030 (a superset of GBK)."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        if _decodes(path, encoding):
            return encoding
    raise UnreadableFile([ImportProblem(0, "", path.name, "cannot read the file as text in UTF-8 or GBK")])


def _count_lines(path: Path) -> int:
    """Line breaks in a text file (an estimate of its rows; read in 1 MB chunks)."""
    count = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            count += chunk.count(b"\n")
    return count


@contextlib.contextmanager
def _csv_rows(path: Path) -> Iterator[tuple[Callable[[], Iterator[Sequence[Any]]], int]]:
    """A factory of row iterators over a CSV (comma- or tab-separated) file, each from the top,
    and the number of lines."""
    encoding = _detect_encoding(path)
    lines = _count_lines(path)
    with path.open(encoding=encoding, newline="") as fh:
        first = fh.readline()
        delimiter = "\t" if first.count("\t") > first.count(",") else ","

        def rows() -> Iterator[list[str]]:
            fh.seek(0)
            return csv.reader(fh, delimiter=delimiter)
        yield rows, lines


@contextlib.contextmanager
def _xlsx_rows(path: Path, lookup: dict[str, str]) -> Iterator[tuple[Callable[[], Iterator[Sequence[Any]]], int]]:
    """A factory of row iterators over the best-matching sheet of a workbook, each from the top, and the
    sheet's row count as its dimensions say. The streaming reader of import_xlsx reads it; a workbook it
    cannot open goes to openpyxl, which knows more odd corners."""
    from data_access.imports.xlsx import XlsxBook, XlsxTooLarge
    with path.open("rb") as fh:
        try:
            book = XlsxBook(fh)
        except XlsxTooLarge as exc:
            raise _too_large(exc, path) from exc
        except Exception:  # noqa: BLE001 - not a workbook we can stream: openpyxl decides
            book = None
        if book is None:
            with _openpyxl_rows(path, lookup) as source:
                yield source
            return
        try:
            part = _best_part(book, lookup, path)
            yield functools.partial(book.rows, part), book.dimension_rows(part)
        finally:
            book.close()


def _too_large(exc: Any, path: Path) -> UnreadableFile:
    """A workbook beyond the reader's hard limits, as the problem users read."""
    return UnreadableFile([ImportProblem(exc.row, "", "" if exc.row else path.name, exc.reason)])


def _best_part(book: Any, lookup: dict[str, str], path: Path) -> str:
    """The worksheet whose first rows match the most known headers (the first one on a tie)."""
    from data_access.imports.xlsx import XlsxTooLarge
    best, best_score = None, -1
    for _name, part in book.sheets:
        try:
            head = list(itertools.islice(book.rows(part), HEADER_SCAN_ROWS))
        except XlsxTooLarge as exc:
            raise _too_large(exc, path) from exc
        except Exception as exc:  # a damaged sheet
            raise UnreadableFile([ImportProblem(0, "", path.name, "not a readable .xlsx workbook")]) from exc
        score = max((_score(r, lookup) for r in head), default=0)
        if score > best_score:
            best, best_score = part, score
    if best is None:
        raise UnreadableFile([ImportProblem(0, "", path.name, "the workbook has no worksheet")])
    return best


@contextlib.contextmanager
def _openpyxl_rows(path: Path, lookup: dict[str, str]) -> Iterator[tuple[Callable[[], Iterator[Sequence[Any]]], int]]:
    """As _xlsx_rows, with openpyxl's read-only mode."""
    import zipfile

    from openpyxl import load_workbook

    from data_access.imports.xlsx import XlsxTooLarge, check_parts, limited_rows
    with path.open("rb") as fh:   # a file object: openpyxl then reads by content, not by the name's suffix
        try:
            with zipfile.ZipFile(fh) as zf:
                check_parts(zf)
        except XlsxTooLarge as exc:
            raise _too_large(exc, path) from exc
        except Exception as exc:  # noqa: BLE001 - not a zip at all
            raise UnreadableFile([ImportProblem(0, "", path.name, "not a readable .xlsx workbook")]) from exc
        fh.seek(0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                workbook = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
            raise UnreadableFile([ImportProblem(0, "", path.name, "not a readable .xlsx workbook")]) from exc
        try:
            sheet = _best_sheet(workbook, lookup, path)
            try:
                sheet.calculate_dimension(force=False)
                lines = int(sheet.max_row or 0)
            except Exception:  # noqa: BLE001 - a sheet without dimensions: no estimate
                lines = 0
            yield (lambda: limited_rows(sheet.iter_rows(values_only=True))), lines
        finally:
            workbook.close()


def _best_sheet(workbook: Any, lookup: dict[str, str], path: Path) -> Any:
    """The worksheet whose first rows match the most known headers (the first one on a tie)."""
    best, best_score = None, -1
    for sheet in workbook.worksheets:
        if not hasattr(sheet, "iter_rows"):
            continue
        sheet.reset_dimensions()
        head = itertools.islice(sheet.iter_rows(values_only=True), HEADER_SCAN_ROWS)
        score = max((_score(r, lookup) for r in head), default=0)
        if score > best_score:
            best, best_score = sheet, score
    if best is None:
        raise UnreadableFile([ImportProblem(0, "", path.name, "the workbook has no worksheet")])
    return best


def _row_source(path: Path, lookup: dict[str, str]) -> contextlib.AbstractContextManager[Any]:
    """The reader for this file, chosen by its content (zip = workbook) and then by its suffix."""
    if not path.is_file():
        raise UnreadableFile([ImportProblem(0, "", str(path), "file not found")])
    with path.open("rb") as fh:
        magic = fh.read(4)
    suffix = path.suffix.lower()
    if magic == _OLE_MAGIC or suffix == ".xls":
        raise UnreadableFile([ImportProblem(0, "", path.name, "old Excel .xls format; save it as .xlsx")])
    if magic == _ZIP_MAGIC or suffix in _EXCEL_SUFFIXES:
        return _xlsx_rows(path, lookup)
    if suffix in _TEXT_SUFFIXES:
        return _csv_rows(path)
    raise UnreadableFile([ImportProblem(0, "", path.name, "unsupported file type; use .xlsx or .csv")])


def _data_rows(rows: Iterator[Sequence[Any]], header_row: int) -> Iterator[tuple[int, Sequence[Any]]]:
    """The non-empty rows below the header, with their spreadsheet row numbers; 合计/总计 rows are skipped."""
    number = header_row
    try:
        for number, cells in enumerate(itertools.islice(rows, header_row, None), header_row + 1):
            first = cells[0] if cells else None
            if first.__class__ is str and first and first[0] not in _SLOW_START:   # the common case: text first
                yield number, cells
                continue
            for cell in cells:          # the first non-empty cell decides: a data row, or a 合计 row
                if cell is None or (cell.__class__ is str and (not cell or cell.isspace())):
                    continue
                if cell.__class__ is not str or cell.lstrip()[:1] not in _TOTAL_STARTS or not is_total_row(cells):
                    yield number, cells
                break
    except (UnreadableFile, GeneratorExit):
        raise
    except Exception as exc:  # a damaged file can fail part-way through
        if hasattr(exc, "reason") and hasattr(exc, "row"):      # beyond the .xlsx reader's hard limits
            raise UnreadableFile([ImportProblem(exc.row, "", "", exc.reason)]) from exc
        raise UnreadableFile([ImportProblem(number + 1, "", "", "the file is damaged from this row on")]) from exc


@contextlib.contextmanager
def open_table(path: str | Path, columns: Sequence[Column]) -> Iterator[Table]:
    """Open a file, find its header row among the first rows, and stream its data rows."""
    path = Path(path)
    lookup = _header_lookup(columns)
    with _row_source(path, lookup) as (make_rows, lines):
        head = list(itertools.islice(make_rows(), HEADER_SCAN_ROWS))
        scores = [_score(r, lookup) for r in head]
        if not scores or max(scores) == 0:
            expected = ", ".join(c.zh for c in columns if c.required)
            raise UnreadableFile([ImportProblem(1, "", "", f"no header row found; expected columns {expected}")])
        header_row = scores.index(max(scores)) + 1
        found: dict[str, tuple[int, str]] = {}
        problems: list[ImportProblem] = []
        for index, cell in enumerate(head[header_row - 1]):
            key = _key_of(cell, lookup)
            if key is None:
                continue
            if key in found:
                problems.append(ImportProblem(header_row, str(cell).strip(), "", "this column appears twice"))
            else:
                found[key] = (index, str(cell).strip())
        problems += [ImportProblem(header_row, c.zh, "", "required column is missing")
                     for c in columns if c.required and c.key not in found]
        if problems:
            raise UnreadableFile(problems)
        yield Table(header_row, found, _data_rows(iter(make_rows()), header_row), max(lines - header_row, 0))
