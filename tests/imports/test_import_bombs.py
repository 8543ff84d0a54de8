"""Issue 11, hole 2: .xlsx import bombs. Tiny files that declare a row 3,000,000, a cell in column AZZZZZ or
150 MB of shared strings are refused by the streaming reader's hard limits with a clear message, nothing is
written, and the import's memory stays small. The bombs are generated here, never committed."""
from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from data_access.imports.readers import UnreadableFile, open_table
from data_access.imports.roster import ROSTER_COLUMNS
from data_access.imports.xlsx import MiB, XlsxBook, XlsxLimits
from pages.imports.runner import job_store
from tests.imports.test_import_pages import (  # noqa: F401 - fixtures
    _own_job_folder, response, roster_rows, run_ticket, staff_id, start, upload, users,
)

HEADERS = [c.zh for c in ROSTER_COLUMNS]
_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.spreadsheetml.sheet.main+xml"/></Types>')
_BOOK = ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
         'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
         '</sheets></workbook>')
_RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
         'Target="worksheets/sheet1.xml"/></Relationships>')


def _header_row() -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in HEADERS)
    return f'<row r="1">{cells}</row>'


def workbook(path: Path, rows_xml: str, shared: bytes | None = None, shared_repeat: int = 0) -> Path:
    """A minimal workbook whose sheet holds the header row and `rows_xml`; shared strings written as a stream."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _TYPES)
        zf.writestr("xl/workbook.xml", _BOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _RELS)
        zf.writestr("xl/worksheets/sheet1.xml", '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                    f'2006/main"><sheetData>{_header_row()}{rows_xml}</sheetData></worksheet>')
        if shared is not None:
            with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
                fh.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
                for _ in range(shared_repeat):
                    fh.write(shared)
                fh.write(b"</t></si></sst>")
    return path


BOMBS = {
    "row_3000000": ('<row r="3000000"><c r="A3000000" t="inlineStr"><is><t>x</t></is></c></row>', None, 0,
                    "the sheet declares more than 1048576 rows"),
    "column_AZZZZZ": ('<row r="2"><c r="AZZZZZ2" t="inlineStr"><is><t>x</t></is></c></row>', None, 0,
                      "the sheet declares more than 702 columns"),
    "shared_150MB": ('<row r="2"><c r="A2" t="s"><v>0</v></c></row>', b"a" * MiB, 150,
                     "a cell holds more than 32767 characters"),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bomb_is_refused_through_the_imports_page_in_little_memory(name: str, web_user, users, dash_app,  # noqa: ANN001
                                                                   server, tmp_path: Path) -> None:
    rows_xml, shared, repeat, reason = BOMBS[name]
    bomb = workbook(tmp_path / f"{name}.xlsx", rows_xml, shared, repeat)
    assert bomb.stat().st_size < 200_000
    admin = web_user("admin")
    ticket = response(start(admin, dash_app, upload(admin, dash_app, bomb), "roster"))["imports-ticket"]["data"]
    tracemalloc.start()
    try:
        job_id = run_ticket(server, ticket)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    result = job_store().get(staff_id(users, "admin"), job_id)["result"]
    assert result["ok"] is False
    assert [p["reason"] for p in result["problems"]] == [reason]
    assert roster_rows(users) == 0
    assert peak < 40 * MiB, f"{name}: the import allocated {peak / MiB:.0f} MB"


def _refusal(path: Path) -> str:
    with pytest.raises(UnreadableFile) as caught:
        with open_table(path, ROSTER_COLUMNS) as table:
            for _ in table.rows:
                pass
    return caught.value.problems[0].reason


def test_each_limit_refuses_with_its_own_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from data_access.imports import xlsx
    many = workbook(tmp_path / "many.xlsx", "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="B{r}"><v>2</v></c>'
                                                     f'</row>' for r in range(2, 40)))
    monkeypatch.setattr(xlsx, "LIMITS", XlsxLimits(cells=50))
    monkeypatch.setattr(xlsx.XlsxBook.__init__, "__defaults__", (xlsx.LIMITS,))
    assert _refusal(many) == "the workbook is too large: more than 50 cells"
    strings = workbook(tmp_path / "strings.xlsx", "", b"</t></si><si><t>x", 20)
    with strings.open("rb") as fh, pytest.raises(xlsx.XlsxTooLarge) as caught:
        XlsxBook(fh, XlsxLimits(shared_strings=10))
    assert caught.value.reason == "the workbook is too large: more than 10 shared strings"
    with many.open("rb") as fh, pytest.raises(xlsx.XlsxTooLarge) as caught:
        XlsxBook(fh, XlsxLimits(sheet_bytes=1000))
    assert caught.value.reason == "the workbook is too large: a part of it unpacks to more than 0 MB"


def test_rows_the_file_leaves_out_cost_nothing(tmp_path: Path) -> None:
    """A last row at 1,000,000 (within Excel's limit) is read without building a million rows up front."""
    far = workbook(tmp_path / "far.xlsx", '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row>')
    with far.open("rb") as fh:
        book = XlsxBook(fh)
        tracemalloc.start()
        try:
            count = sum(1 for _ in book.rows(book.sheets[0][1]))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        book.close()
    assert count == 1_000_000 and peak < 5 * MiB
