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


def _header_ranks(columns: Sequence[Column]) -> dict[str, int]:
    """How well a header names its column: 0 for the contract's name or key, then each alias in its order."""
    ranks: dict[str, int] = {}
    for col in columns:
        for rank, name in enumerate(col.aliases, 1):
            ranks.setdefault(normalize_header(name), rank)
        for name in (col.key, col.zh):
            ranks[normalize_header(name)] = 0
    return ranks


def _rank_of(cell: Any, ranks: dict[str, int]) -> int:
    header = normalize_header(cell)
    if header not in ranks and header.endswith((")", "）")):
        header = _ANNOTATION.sub("", header)
    return ranks.get(header, len(ranks))


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
    """A factory of row iterators over a CSV (comma- or tab-separated: the registry's "Excel" files are often
    GBK tab-separated text with an .xls name) file, each from the top, and the number of lines. The delimiter is
    the one the first lines (title rows, header) use most."""
    encoding = _detect_encoding(path)
    lines = _count_lines(path)
    with path.open(encoding=encoding, newline="") as fh:
        first = "".join(itertools.islice(fh, HEADER_SCAN_ROWS))
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


_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf", b"7z\xbc\xaf", b"Rar!", b"\x1f\x8b",
                 b"MZ", b"\x7fELF", b"BZh")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0b\x0c\x1a")
UNSUPPORTED = "unsupported file type; use .xlsx, .xls or .csv (or tab-separated text)"


def file_kind(path: Path) -> str:
    """What a file is, by its content, whatever its name says: 'xls' (OLE2 compound document: a legacy Excel
    workbook), 'xlsx' (zip), 'text' (a CSV or tab-separated table in some encoding; also what the registry and
    other software save with an .xls name), or 'other'."""
    with path.open("rb") as fh:
        head = fh.read(8192)
    if head.startswith(_OLE_MAGIC):
        return "xls"
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    if head.startswith(_BINARY_MAGIC):
        return "other"
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return "other" if controls > len(head) // 50 else "text"     # a stray NUL in a cell is the cell's problem


def _row_source(path: Path, lookup: dict[str, str]) -> contextlib.AbstractContextManager[Any]:
    """The reader for this file, chosen by its content (magic bytes), never by its name."""
    if not path.is_file():
        raise UnreadableFile([ImportProblem(0, "", str(path), "file not found")])
    kind = file_kind(path)
    if kind == "xls":
        return _xls_rows(path, lookup)
    if kind == "xlsx":
        return _xlsx_rows(path, lookup)
    if kind == "text":
        return _csv_rows(path)
    raise UnreadableFile([ImportProblem(0, "", path.name, UNSUPPORTED)])


@contextlib.contextmanager
def _xls_rows(path: Path, lookup: dict[str, str]) -> Iterator[tuple[Callable[[], Iterator[Sequence[Any]]], int]]:
    """A factory of row iterators over the best-matching sheet of a legacy .xls (BIFF) workbook, read with xlrd,
    and the sheet's row count. Cells come as the .xlsx reader gives them: text, int (a whole number), float, bool,
    datetime (date-formatted numbers)."""
    from data_access.imports.xls import XlsBook
    from data_access.imports.xlsx import XlsxTooLarge, limited_rows
    try:
        book = XlsBook(path)
    except XlsxTooLarge as exc:
        raise _too_large(exc, path) from exc
    except Exception as exc:  # noqa: BLE001 - xlrd raises many kinds for a damaged, encrypted or foreign file
        raise UnreadableFile([ImportProblem(0, "", path.name, "not a readable .xls workbook")]) from exc
    try:
        best, best_score = None, -1
        for index in range(book.sheet_count):
            head = itertools.islice(book.rows(index), HEADER_SCAN_ROWS)
            score = max((_score(r, lookup) for r in head), default=0)
            if score > best_score:
                best, best_score = index, score
        if best is None:
            raise UnreadableFile([ImportProblem(0, "", path.name, "the workbook has no worksheet")])
        chosen = best
        yield (lambda: limited_rows(book.rows(chosen))), book.row_count(chosen)
    finally:
        book.close()


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
        found_rank: dict[str, int] = {}
        problems: list[ImportProblem] = []
        ranks = _header_ranks(columns)
        for index, cell in enumerate(head[header_row - 1]):
            key = _key_of(cell, lookup)
            if key is None:
                continue
            rank = _rank_of(cell, ranks)
            if key in found and rank == found_rank[key]:     # the same name twice: which one is meant?
                problems.append(ImportProblem(header_row, str(cell).strip(), "", "this column appears twice"))
            elif key not in found or rank < found_rank[key]:  # 班级 and 班级号: the better-known name is read
                found[key], found_rank[key] = (index, str(cell).strip()), rank
        problems += [ImportProblem(header_row, c.zh, "", "required column is missing")
                     for c in columns if c.required and c.key not in found]
        if problems:
            raise UnreadableFile(problems)
        yield Table(header_row, found, _data_rows(iter(make_rows()), header_row), max(lines - header_row, 0))
