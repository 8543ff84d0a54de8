"""Files for the notification meeting: the ranking workbook (.xlsx) and the bulletin draft (.docx).

Pure builders: they receive data already worded in the reader's language (web.downloads makes it)
and return the file's bytes. No Flask, no gettext, no database here.
"""
from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import xlsxwriter

if TYPE_CHECKING:
    from documents.official import OfficialLayout


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CJK_FONT = "宋体"  # SimSun: present on every Chinese Windows; LibreOffice substitutes a CJK serif
TIER_FILLS = ("#198754", "#F0AD00", "#FD7E14", "#DC3545", "#6F1D1B")  # components.status.TIER_COLORS
TIER_FONTS = ("#FFFFFF", "#000000", "#000000", "#FFFFFF", "#FFFFFF")  # components.status.TIER_TEXT
NO_DATA_FILL = "#ECEFF1"
STATUS_FILLS = {"fail": "#F8D7DA", "warning": "#FFF3CD"}  # components.status.STATUS_BG
RATE_FORMAT = '0.00"%"'
COUNT_FORMAT = "0"


@dataclass(frozen=True)
class Figure:
    """One indicator of one unit: numerator, denominator, value (None: no data) and its status."""

    numerator: int | None
    denominator: int | None
    value: float | None
    status: str       # pass | warning | fail | no_data | no_target (drives the cell colour)
    status_text: str  # the status, worded


@dataclass(frozen=True)
class IndicatorColumn:
    """An indicator as a column: worded name, rate or count, worded target ("" when none)."""

    name: str
    is_rate: bool
    target: str


@dataclass(frozen=True)
class ExportUnit:
    """One ranked unit (area or school) with its tier, reasons and figures (in indicator order)."""

    rank: int
    code: str
    name: str
    tier: int | None  # None: no tier (see no_tier)
    tier_name: str
    missed: int
    last_place: bool
    reasons: tuple[str, ...]
    figures: tuple[Figure, ...]
    no_tier: str = ""  # why there is no tier: no_data | not_reported | no_targets


@dataclass(frozen=True)
class RankingLabels:
    """Worded captions of the workbook."""

    sheet: str
    details_sheet: str
    info: str          # e.g. "地区：勐海县　时期：…　导出日期：…"
    policy: str        # the policy in force, or that none is
    targets_row: str   # caption of the row of targets above the header
    targets_table: str
    columns: tuple[str, ...]          # rank, unit, code, tier, missed targets, last place (before the indicators)
    reasons: str                      # the last column
    details_columns: tuple[str, ...]  # code, unit, indicator, numerator, denominator, value, target, status
    last_marker: str
    no_value: str
    footer: str        # page footer with Excel codes, e.g. "第 &P 页，共 &N 页"


@dataclass(frozen=True)
class RankingData:
    """Everything the ranking workbook shows."""

    title: str
    labels: RankingLabels
    indicators: tuple[IndicatorColumn, ...]
    units: tuple[ExportUnit, ...]


@dataclass(frozen=True)
class BulletinEntry:
    """One unit in a bulletin section: its (numbered) name and what is said about it."""

    name: str
    text: str


@dataclass(frozen=True)
class BulletinSection:
    """A titled section of the bulletin: paragraphs, entries, or a table (header row first)."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    entries: tuple[BulletinEntry, ...] = ()
    table: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class BulletinData:
    """Everything the bulletin draft shows, in reading order."""

    heading: str
    draft_mark: str
    period_line: str
    addressee: str
    intro: str
    summary: str
    sections: tuple[BulletinSection, ...]
    signature: tuple[str, ...]
    number: str = ""            # 发文字号 once registered
    issuer: str = ""            # 发文机关署名 (with `issued`: a signature block with the seal place)
    issued: dt.date | None = None
    cc: str = ""                # 抄送
    printer: str = ""           # 印发机关
    contact: str = ""           # （联系人：…，联系电话：…）
    red_head: str = ""          # 红头 (发文机关标志) when the issuer uses one; never on a draft


def _xlsx_formats(book: xlsxwriter.Workbook) -> dict[str, object]:
    base = {"font_name": CJK_FONT, "font_charset": 134, "font_size": 10, "valign": "vcenter"}
    cell = {**base, "border": 1, "border_color": "#999999"}
    specs: dict[str, dict] = {
        "title": {**base, "bold": True, "font_size": 16, "align": "center"},
        "info": {**base, "align": "left"},
        "caption": {**base, "bold": True, "align": "right"},
        "target": {**cell, "align": "center", "italic": True, "bg_color": "#F2F2F2"},
        "head": {**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"},
        "text": {**cell, "text_wrap": True}, "center": {**cell, "align": "center"},
        "section": {**base, "bold": True, "font_size": 11},
    }
    fmts = {k: book.add_format(v) for k, v in specs.items()}
    for bold in (False, True):
        suffix = "_b" if bold else ""
        for key, spec in (("text", specs["text"]), ("center", specs["center"])):
            fmts[key + suffix] = book.add_format({**spec, "bold": bold})
        for status in ("", *STATUS_FILLS):
            fill = {"bg_color": STATUS_FILLS[status]} if status else {}
            for kind, num in (("rate", RATE_FORMAT), ("count", COUNT_FORMAT)):
                fmts[f"{kind}{status}{suffix}"] = book.add_format(
                    {**cell, "num_format": num, "align": "right", "bold": bold, **fill})
        for tier in range(5):
            fmts[f"tier{tier}{suffix}"] = book.add_format({**cell, "align": "center", "bold": True,
                                                           "bg_color": TIER_FILLS[tier], "font_color": TIER_FONTS[tier]})
        fmts[f"tierNone{suffix}"] = book.add_format({**cell, "align": "center", "bg_color": NO_DATA_FILL, "bold": bold})
    return fmts


def _row_height(texts_widths: list[tuple[str, float]], line: float = 14.0) -> float:
    """Height for wrapped text (Excel and LibreOffice keep explicit heights): CJK characters are two units wide."""
    lines = max(math.ceil(sum(2 if ord(ch) > 0x2E7F else 1 for ch in text) / max(width - 1, 1))
                for text, width in texts_widths)
    return line * max(lines, 1) + 3


def _print_setup(sheet: object, repeat: tuple[int, int], footer: str) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    sheet.repeat_rows(*repeat)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer(f"&C{footer}")


def _write_figure(sheet: object, row: int, col: int, fig: Figure, is_rate: bool, bold: bool,
                  fmts: dict[str, object], no_value: str) -> None:
    suffix = "_b" if bold else ""
    if fig.value is None:
        sheet.write_string(row, col, no_value, fmts["center" + suffix])
        return
    fill = fig.status if fig.status in STATUS_FILLS else ""
    sheet.write_number(row, col, fig.value, fmts[f"{'rate' if is_rate else 'count'}{fill}{suffix}"])


def ranking_workbook(data: RankingData) -> bytes:
    """The ranking workbook: title, area, period, date, targets, the ranking; a second sheet of figures."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "default_format_properties":
                                     {"font_name": CJK_FONT, "font_charset": 134, "font_size": 10}})
    fmts = _xlsx_formats(book)
    lab, inds = data.labels, data.indicators
    sheet = book.add_worksheet(lab.sheet)
    first_ind, reasons_col = 6, 6 + len(inds)
    sheet.merge_range(0, 0, 0, reasons_col, data.title, fmts["title"])
    sheet.set_row(0, 30)
    sheet.merge_range(1, 0, 1, reasons_col, lab.info, fmts["info"])
    sheet.merge_range(2, 0, 2, reasons_col, lab.policy, fmts["info"])
    sheet.merge_range(3, 0, 3, first_ind - 1, lab.targets_row, fmts["caption"])
    for i, ind in enumerate(inds):
        sheet.write_string(3, first_ind + i, ind.target or lab.no_value, fmts["target"])
    sheet.write_row(4, 0, [*lab.columns, *[i.name for i in inds], lab.reasons], fmts["head"])
    sheet.set_row(4, 42)
    widths = [6, 18, 15, 8, 9, 6, *[11] * len(inds), 56]
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    row = 5
    for u in data.units:
        b = "_b" if u.last_place else ""
        sheet.set_row(row, _row_height([(u.name, widths[1]), ("；".join(u.reasons), widths[-1])]))
        if u.rank:
            sheet.write_number(row, 0, u.rank, fmts["center" + b])
        else:  # a unit without data is not ranked
            sheet.write_string(row, 0, "—", fmts["center" + b])
        sheet.write_string(row, 1, u.name, fmts["text" + b])
        sheet.write_string(row, 2, u.code, fmts["center" + b])
        sheet.write_string(row, 3, u.tier_name, fmts[f"tier{u.tier}{b}"])
        sheet.write_number(row, 4, u.missed, fmts["center" + b])
        sheet.write_string(row, 5, lab.last_marker if u.last_place else "", fmts["center" + b])
        for i, (fig, ind) in enumerate(zip(u.figures, inds)):
            _write_figure(sheet, row, first_ind + i, fig, ind.is_rate, u.last_place, fmts, lab.no_value)
        sheet.write_string(row, reasons_col, "；".join(u.reasons), fmts["text" + b])
        row += 1
    sheet.freeze_panes(5, 2)
    sheet.autofilter(4, 0, max(row - 1, 4), reasons_col)
    row += 1
    sheet.write_string(row, 1, lab.targets_table, fmts["section"])
    sheet.write_row(row + 1, 1, [lab.details_columns[2], lab.details_columns[6]], fmts["head"])
    for k, ind in enumerate(i for i in inds if i.target):
        sheet.write_row(row + 2 + k, 1, [ind.name], fmts["text"])
        sheet.write_row(row + 2 + k, 2, [ind.target], fmts["center"])
    _print_setup(sheet, (3, 4), lab.footer)
    _details_sheet(book, data, fmts)
    book.close()
    return out.getvalue()


def _details_sheet(book: xlsxwriter.Workbook, data: RankingData, fmts: dict[str, object]) -> None:
    lab = data.labels
    sheet = book.add_worksheet(lab.details_sheet)
    sheet.write_row(0, 0, lab.details_columns, fmts["head"])
    for c, width in enumerate([15, 18, 30, 10, 10, 11, 11, 12]):
        sheet.set_column(c, c, width)
    row = 1
    for u in sorted(data.units, key=lambda x: x.code):
        for fig, ind in zip(u.figures, data.indicators):
            sheet.write_string(row, 0, u.code, fmts["center"])
            sheet.write_string(row, 1, u.name, fmts["text"])
            sheet.write_string(row, 2, ind.name, fmts["text"])
            for col, num in ((3, fig.numerator), (4, fig.denominator)):
                sheet.write(row, col, num, fmts["count"])  # None writes a blank cell
            _write_figure(sheet, row, 5, fig, ind.is_rate, False, fmts, lab.no_value)
            sheet.write_string(row, 6, ind.target or lab.no_value, fmts["center"])
            sheet.write_string(row, 7, fig.status_text, fmts["center"])
            row += 1
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(row - 1, 0), len(lab.details_columns) - 1)
    _print_setup(sheet, (0, 0), lab.footer)


def bulletin_layout(data: BulletinData, page_numbers: str = "outside") -> OfficialLayout:
    """The bulletin as an official layout (GB/T 9704): sections as 一、 headings, units as paragraphs
    opening with their name, tables in 仿宋 12 pt, the signature kept with the last paragraph."""
    from documents.official import OfficialLayout, Para, Signature, Table   # python-docx only for documents
    blocks: list[Para | Table] = [Para(data.intro)]
    if data.summary:
        blocks.append(Para(data.summary))
    for sec in data.sections:
        blocks.append(Para(lead=sec.heading))
        blocks.extend(Para(text) for text in sec.paragraphs)
        blocks.extend(Para(entry.text, lead=entry.name) for entry in sec.entries)
        if sec.table:
            blocks.append(Table(sec.table[0], sec.table[1:]))
    signature = None
    if data.issuer and data.issued:
        signature = Signature((data.issuer,), data.issued, seal=True)
    else:
        blocks.append(Para("", indent=False, keep=True))
        blocks.extend(Para(line, indent=False, align="right", keep=i < len(data.signature) - 1)
                      for i, line in enumerate(data.signature))
    return OfficialLayout(title=data.heading, number=data.number, subtitle=data.period_line,
                          addressee=data.addressee, blocks=tuple(blocks), signature=signature,
                          after_signature=(data.contact,) if data.contact else (),
                          cc=data.cc, printer=data.printer, printed=data.issued if data.printer else None,
                          mark=data.draft_mark, page_numbers=page_numbers,
                          red_head="" if data.draft_mark else data.red_head)


def bulletin_document(data: BulletinData, page_numbers: str = "outside") -> bytes:
    """The bulletin as .docx bytes (GB/T 9704)."""
    from documents.official import official_docx
    return official_docx(bulletin_layout(data, page_numbers))
