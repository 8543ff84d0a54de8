"""Official documents (公文) in the format of GB/T 9704-2012, from one plain layout.

Every document Baoxue issues (bulletin, 整改通知书, return notices, visit report …) is first described as
an `OfficialLayout`: title, 发文字号, 主送, body blocks, signature(s) with date and seal places, 版记 and an
optional tear-off receipt. `official_docx()` renders it as .docx (python-docx), `documents.pdf` renders the
very same layout as PDF. The values (margins, grid, fonts, sizes) are those of
shared/reference/gbt9704.md:

* A4, margins 37/35/28/26 mm, a document grid of 22 lines × 28 characters (w:docGrid);
* body 仿宋_GB2312 三号 (16 pt), first line indented two characters; title 小标宋 二号 (22 pt), centred,
  split into lines at word boundaries (never "…控辍保 / 学工作…");
* headings 一、 黑体, （一） 楷体, 1. and （1） 仿宋, none bold;
* page numbers "— 1 —" 四号 宋体 through a PAGE field, odd pages right and even pages left (or centred);
* 成文日期 in Arabic digits without zero padding, four characters in from the right, the issuer centred
  above it, the seal place marked; 抄送 / 印发 lines between rules;
* the signature block, date and seal are kept with the last body paragraph (keep-with-next), and a
  tear-off receipt stays on the page of its body.

Fonts: Word and LibreOffice read w:eastAsia for Chinese text, so every run names its face in w:eastAsia,
w:ascii and w:hAnsi; the font table names a fallback (w:altName, e.g. 仿宋_GB2312 → 仿宋) and the family
and GB2312 charset, so a machine without 仿宋_GB2312 takes FangSong/仿宋 and else a CJK serif.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import re
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

# --- faces (w:eastAsia names) and their fallbacks -------------------------------------------------
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
CJK_FONT = SONGTI  # kept for the workbooks and older callers
FALLBACKS = {  # font table: name → (w:altName, w:family, w:pitch)
    FANGSONG: ("仿宋", "modern", "fixed"),
    KAITI: ("楷体", "modern", "fixed"),
    XIAOBIAOSONG: ("宋体", "roman", "variable"),
    HEITI: ("SimHei", "modern", "fixed"),
    SONGTI: ("SimSun", "roman", "variable"),
}

# --- sizes (pt) and the page --------------------------------------------------------------------
BODY_PT, TITLE_PT, FOLIO_PT, TABLE_PT = 16.0, 22.0, 14.0, 12.0
LINES, CHARS = 22, 28
TYPE_WIDTH_MM, TYPE_HEIGHT_MM = 156, 225
LINE_PITCH_TWIPS = int(Mm(TYPE_HEIGHT_MM).twips / LINES)          # 579 twips ≈ 28.95 pt
CHAR_PITCH_PT = Mm(TYPE_WIDTH_MM).pt / CHARS                      # ≈ 15.7 pt
TITLE_CHARS = int(Mm(TYPE_WIDTH_MM).pt // TITLE_PT)               # 20 characters of 22 pt on a line
CONDENSE_TWENTIETHS = -5  # −0.25 pt a character: 28 characters of 16 pt fit the 156 mm line
PAGE_NUMBERS = ("outside", "centre")  # odd right / even left, or centred (drafts)
RED = RGBColor(0xFF, 0x00, 0x00)
HEAD_TOP_MM = 35          # 版头: the 发文机关标志's top edge 35 mm under the type area's top edge
HEAD_MAX_PT = 48.0        # its size: as large as fits the 156 mm line, at most 48 pt
RULE_GAP_MM = 4           # the red rule 4 mm under the 发文字号

HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
HEADING2 = re.compile(r"^（[一二三四五六七八九十]+）")


# --- the layout ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Para:
    """A body paragraph. `lead` is a run-in heading (一、… in 黑体, （一）… in 楷体) before `text`;
    a heading on its own line is a Para with only `lead`."""

    text: str = ""
    lead: str = ""
    indent: bool = True
    align: str = "justify"  # justify | left | centre | right
    size: float = BODY_PT
    keep: bool = False  # keep with the next paragraph (signature lines, a closing formula …)


@dataclass(frozen=True)
class Table:
    """A table in 仿宋 12 pt with a 黑体 heading row (none when the header is empty); widths in millimetres
    (the type area is 156 mm)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()
    row_mm: float = 0.0  # rows at least this high (a signing sheet leaves room to sign)


@dataclass(frozen=True)
class Signature:
    """发文机关署名 (one, or two for a joint document) above the 成文日期, with seal places."""

    issuers: tuple[str, ...]
    date: dt.date
    seal: bool = True


@dataclass(frozen=True)
class Receipt:
    """A tear-off receipt (回执) under a cut line; kept on the page of the body it belongs to."""

    title: str
    paragraphs: tuple[str, ...]
    lines: tuple[str, ...] = ()  # signature lines, flush left


@dataclass(frozen=True)
class OfficialLayout:
    """A whole document in reading order."""

    title: str
    blocks: tuple[Para | Table, ...]
    number: str = ""          # 发文字号, e.g. 勐海教督〔2026〕7号
    addressee: str = ""       # 主送机关, ends with a full-width colon
    signature: Signature | None = None
    attachments: tuple[str, ...] = ()
    after_signature: tuple[str, ...] = ()  # e.g. （联系人：…，联系电话：…）
    cc: str = ""              # 抄送
    printer: str = ""         # 印发机关
    printed: dt.date | None = None
    receipt: Receipt | None = None
    mark: str = ""            # a header mark such as 征求意见稿 / 已整改
    page_numbers: str = "outside"
    subtitle: str = ""        # a line under the title (period, case …)
    red_head: str = ""        # 发文机关标志 of a red-headed (红头) document, e.g. 勐海县人民政府教育督导室文件
    serial: str = ""          # a copy's serial (编号：001), flush right on the 发文字号's line


# --- text helpers ---------------------------------------------------------------------------------
def cn_date(day: dt.date) -> str:
    """成文日期: Arabic digits, full year, no zero padding (2026年9月5日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def text_width(text: str) -> float:
    """Width in characters: CJK and full-width signs 1, ASCII (digits, Latin) ½."""
    return sum(0.5 if ord(c) < 0x2000 else 1.0 for c in text)


_BREAK_AFTER = ("关于", "的", "、", "，", "和", "及")
_PHRASES = ("第一学期", "第二学期", "春季学期", "秋季学期", "学年", "控辍保学", "义务教育", "教育督导", "人民政府", "通知书", "整改", "情况", "工作", "通报", "通知",
            "报告", "学生", "辍学", "返校", "复学", "入学", "督导", "学期", "乡镇")


def _break_quality(text: str, i: int) -> float | None:
    """How good a line break before text[i] is (lower is better); None where it would split a word."""
    left, right = text[:i], text[i:]
    if left.count("《") > left.count("》") or left.count("“") > left.count("”"):
        return None
    if right[:1] in "，。、）》”：；" or left[-1:] in "（《“":
        return None
    for phrase in _PHRASES:  # never inside a known phrase
        for j in range(1, len(phrase)):
            if left.endswith(phrase[:j]) and right.startswith(phrase[j:]):
                return None
    if (left[-1:].isdigit() or left[-1:] in "–-—/.·") and (right[:1].isdigit() or right[:1] in "–-—/.·"):
        return None
    if left[-1:] in "–-—/" or right[:1] in "–-—/":
        return None
    if left.endswith("关于"):
        return 0.0
    if right.startswith("关于"):
        return 0.5
    if any(left.endswith(w) for w in _BREAK_AFTER):
        return 1.0
    if left[-1:] in "县乡镇室局校期" or right.startswith(("的", "20")):
        return 1.5
    if any(right.startswith(p) for p in _PHRASES):
        return 2.0
    return 3.0


@functools.lru_cache(maxsize=4096)
def split_title(title: str, width: int = TITLE_CHARS) -> tuple[str, ...]:
    """The title as lines of at most `width` characters, broken only between words, the lines as even
    as the breaks allow (a trapezoid rather than a full line and a stub). Memoized: each line's rest is split by
    the same call, and without the memo a long title (a prefecture's bulletin: 1.5 M break tests, 4 s) tried the
    same tails again and again."""
    if text_width(title) <= width or sum(c.isascii() and c.isalpha() for c in title) > len(title) / 3:
        return (title,)  # short, or a Latin-script title the word processor wraps at spaces
    best: tuple[float, tuple[str, ...]] | None = None
    for i in range(2, len(title) - 1):
        q = _break_quality(title, i)
        if q is None or text_width(title[:i]) > width:
            continue
        rest = split_title(title[i:], width)
        lines = (title[:i], *rest)
        widths = [text_width(x) for x in lines]
        if max(widths) > width:
            continue
        score = q * 2 + (max(widths) - min(widths)) / 4 + len(lines) * 10
        if best is None or score < best[0]:
            best = (score, lines)
    if best is None:  # no good break: cut at the width
        cut = width
        return (title[:cut], *split_title(title[cut:], width))
    return best[1]


def red_head_size(text: str) -> float:
    """The 发文机关标志's size in points: the largest that keeps it on one line of the type area (≤ 48 pt)."""
    return round(min(HEAD_MAX_PT, Mm(TYPE_WIDTH_MM).pt * 0.96 / max(text_width(text), 1.0)), 1)


def heading_face(text: str) -> str:
    """The face of a run-in heading by its numbering: 一、 黑体, （一） 楷体, 1. and （1） 仿宋."""
    if HEADING1.match(text):
        return HEITI
    if HEADING2.match(text):
        return KAITI
    return FANGSONG


# --- .docx ------------------------------------------------------------------------------------------
def set_fonts(target: Any, size: float | None = None, bold: bool | None = None,
              latin: str = CJK_FONT, east_asian: str = CJK_FONT) -> None:
    """Latin and East-Asian fonts (and optionally size and weight) on a run or a style."""
    font = target.font
    font.name = latin
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rfonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)


def _face(run: Any, face: str, size: float, bold: bool = False) -> Any:
    set_fonts(run, size, bold, latin=face, east_asian=face)
    if size == BODY_PT:
        rpr = run.element.get_or_add_rPr()
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CONDENSE_TWENTIETHS))
        rpr.append(spacing)
    return run


def add_page_number(paragraph: Any, size: float, latin: str = CJK_FONT) -> None:
    """Append a PAGE field (the current page number) to a paragraph, in our fonts."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = paragraph.add_run("1")
    set_fonts(run, size, latin=latin, east_asian=latin)
    fld.append(run._r)
    paragraph._p.append(fld)


def folio(paragraph: Any) -> None:
    """"— 1 —": 四号 half-width 宋体 digits between em dashes, the number a PAGE field."""
    _face(paragraph.add_run("— "), SONGTI, FOLIO_PT)
    add_page_number(paragraph, FOLIO_PT, SONGTI)
    _face(paragraph.add_run(" —"), SONGTI, FOLIO_PT)


def official_a4(section: Any) -> None:
    """A4 with the margins of official documents (GB/T 9704 公文: 37/35 mm top/bottom, 28/26 mm left/right)."""
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)


def _doc_grid(section: Any) -> None:
    """22 lines × 28 characters: w:docGrid with the line pitch (579 twips) and the character pitch
    (charSpace, as Word's own 公文 templates write it). The grid type is "lines": LibreOffice's
    character grid gives a 16 pt character two cells of 15.8 pt (14 a line), so the 28 characters come
    from the runs' condensed spacing (CONDENSE) instead, which Word, WPS and LibreOffice all honour."""
    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    # charSpace: extra space per character over the Normal font size, in 1/4096 pt
    grid.set(qn("w:charSpace"), str(round((CHAR_PITCH_PT - BODY_PT) * 4096)))
    sect.append(grid)


def _font_table(doc: Any) -> None:
    """Declare our faces with their fallbacks (w:altName), family and the GB2312 charset."""
    part = None
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
    if part is None:
        return
    from lxml import etree
    root = etree.fromstring(part.blob)
    names = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, (alt, family, pitch) in FALLBACKS.items():
        if name in names:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, val in (("w:altName", alt), ("w:charset", "86"), ("w:family", family), ("w:pitch", pitch)):
            el = etree.SubElement(font, qn(tag))
            el.set(qn("w:val"), val)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_ALIGN = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "left": WD_ALIGN_PARAGRAPH.LEFT,
          "centre": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def _p(doc: Any, align: str = "justify", indent: bool = False, keep: bool = False,
       before_lines: float = 0, exact: float | None = None) -> Any:
    p = doc.add_paragraph()
    p.alignment = _ALIGN[align]
    fmt = p.paragraph_format
    fmt.first_line_indent = Pt(BODY_PT * 2) if indent else None
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Twips(exact if exact is not None else LINE_PITCH_TWIPS)
    fmt.space_before = Twips(int(before_lines * LINE_PITCH_TWIPS))
    fmt.space_after = Pt(0)
    fmt.widow_control = True
    if keep:
        fmt.keep_with_next = True
    return p


# the children of w:pPr that come after w:pBdr / w:snapToGrid (the schema's order: Word refuses others)
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
               "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
               "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_AFTER_SNAP = _AFTER_PBDR[_AFTER_PBDR.index("w:snapToGrid") + 1:]


def _borders(paragraph: Any) -> Any:
    """The paragraph's w:pBdr, placed where the schema wants it."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    ppr.insert_element_before(borders, *_AFTER_PBDR)
    return borders


def _rule(paragraph: Any, top: bool = False, bottom: bool = False, size: int = 4) -> None:
    borders = _borders(paragraph)
    for side, on in (("top", top), ("bottom", bottom)):
        if on:
            el = OxmlElement(f"w:{side}")
            for k, v in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", "000000")):
                el.set(qn(f"w:{k}"), v)
            borders.append(el)


def _para(doc: Any, block: Para, keep: bool = False) -> Any:
    p = _p(doc, block.align, block.indent, keep)
    if block.lead:
        _face(p.add_run(block.lead), heading_face(block.lead), block.size)
    if block.text:
        _face(p.add_run(block.text), FANGSONG, block.size)
    return p


def _table(doc: Any, table: Table) -> None:
    t = doc.add_table(rows=0, cols=len(table.header))
    t.style = "Table Grid"
    t.alignment = 1  # centred
    t.autofit = not table.widths
    for i, width in enumerate(table.widths[:len(t.columns)]):
        t.columns[i].width = Mm(width)
    has_header = any(table.header)
    for r, row in enumerate((table.header, *table.rows) if has_header else table.rows):
        added = t.add_row()
        if table.row_mm and (r or not has_header):
            added.height = Mm(table.row_mm)  # at least (w:hRule="atLeast")
        cells = added.cells
        if r == 0 and has_header:  # the heading row repeats on every page
            trpr = t.rows[0]._tr.get_or_add_trPr()
            el = OxmlElement("w:tblHeader")
            el.set(qn("w:val"), "true")
            trpr.append(el)
        for i, (cell, text) in enumerate(zip(cells, row)):
            if i < len(table.widths):
                cell.width = Mm(table.widths[i])
            p = cell.paragraphs[0]
            head = r == 0 and has_header
            short = has_header and i > 0 and text_width(text) <= 7  # figures, marks, statuses
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if head or short else WD_ALIGN_PARAGRAPH.LEFT
            p.paragraph_format.space_after = Pt(0)
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            p.paragraph_format.line_spacing = Pt(TABLE_PT * 1.5)
            snap = OxmlElement("w:snapToGrid")
            snap.set(qn("w:val"), "0")
            p._p.get_or_add_pPr().insert_element_before(snap, *_AFTER_SNAP)
            _face(p.add_run(text), HEITI if head else FANGSONG, TABLE_PT)


def signature_positions(sig: Signature) -> tuple[float, list[float]]:
    """Where the date ends (characters in from the right: 4 when sealed, else 2) and where each issuer's
    centre stands, in characters from the left of the type area (28 characters wide)."""
    date_in = 4.0 if sig.seal else 2.0
    date_w = text_width(cn_date(sig.date))
    date_centre = CHARS - date_in - date_w / 2
    if len(sig.issuers) == 1:
        return date_in, [date_centre]
    return date_in, [CHARS * 0.27, date_centre]  # joint: side by side, the second above the date


def _signature(doc: Any, sig: Signature) -> Any:
    date_in, centres = signature_positions(sig)
    char = CHAR_PITCH_PT

    def tabbed(texts: list[str], face: str, size: float, colour: RGBColor | None = None) -> Any:
        p = _p(doc, "left", keep=True)
        for c in centres:
            p.paragraph_format.tab_stops.add_tab_stop(Pt(c * char), WD_TAB_ALIGNMENT.CENTER)
        for text in texts:
            run = _face(p.add_run("\t" + text), face, size)
            if colour is not None:
                run.font.color.rgb = colour
        return p

    _p(doc, keep=True)  # one blank line: the seal's top stays within a line of the body (GB/T 9704 7.3.5)
    if sig.seal:
        tabbed(["（印章）"] * len(sig.issuers), FANGSONG, TABLE_PT, RGBColor(0x99, 0x99, 0x99))
    tabbed(list(sig.issuers), FANGSONG, BODY_PT)
    date = _p(doc, "right")
    date.paragraph_format.right_indent = Pt(date_in * char)
    _face(date.add_run(cn_date(sig.date)), FANGSONG, BODY_PT)
    return date


def official_docx(layout: OfficialLayout) -> bytes:
    """The layout as .docx bytes in the format of GB/T 9704-2012."""
    return official_docx_many((layout,))


def official_docx_many(layouts: tuple[OfficialLayout, ...] | list[OfficialLayout]) -> bytes:
    """Several documents in one .docx, each from a new page (a batch of notices, one a child); the page
    frame (folio, header mark) is the first one's. page_numbers "none" prints no folio."""
    layout = layouts[0]
    doc = Document()
    normal = doc.styles["Normal"]
    _face(normal, FANGSONG, BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    section = doc.sections[0]
    official_a4(section)
    _doc_grid(section)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(35 - 7 - 6)  # the folio's line top 7 mm under the type area
    _font_table(doc)
    if layout.mark:
        mark = section.header.paragraphs[0]
        mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = _face(mark.add_run(layout.mark), HEITI, FOLIO_PT)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    odd = section.footer.paragraphs[0]
    if layout.page_numbers == "none":
        pass
    elif layout.page_numbers == "centre":
        odd.alignment = WD_ALIGN_PARAGRAPH.CENTER
        folio(odd)
    else:
        doc.settings.odd_and_even_pages_header_footer = True
        odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        odd.paragraph_format.right_indent = Pt(FOLIO_PT)
        folio(odd)
        even = section.even_page_footer.paragraphs[0]
        even.alignment = WD_ALIGN_PARAGRAPH.LEFT
        even.paragraph_format.left_indent = Pt(FOLIO_PT)
        folio(even)
        if layout.mark:
            em = section.even_page_header.paragraphs[0]
            em.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _face(em.add_run(layout.mark), HEITI, FOLIO_PT).font.color.rgb = RGBColor(0xC0, 0x00, 0x00)

    for k, one in enumerate(layouts):
        start = len(doc.paragraphs)
        _body(doc, one)
        if k:
            doc.paragraphs[start].paragraph_format.page_break_before = True
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _body(doc: Any, layout: OfficialLayout) -> None:
    """One document's text, from its head to its 版记."""
    if layout.red_head:
        _red_head(doc, layout)
    elif layout.serial:  # the number centred and the serial flush right, on one line
        line = _p(doc, "left")
        line.paragraph_format.tab_stops.add_tab_stop(Mm(TYPE_WIDTH_MM / 2), WD_TAB_ALIGNMENT.CENTER)
        line.paragraph_format.tab_stops.add_tab_stop(Mm(TYPE_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
        _face(line.add_run(f"\t{layout.number}\t"), FANGSONG, BODY_PT)
        _face(line.add_run(layout.serial), FANGSONG, TABLE_PT).font.color.rgb = RED
    elif layout.number:
        _face(_p(doc, "centre").add_run(layout.number), FANGSONG, BODY_PT)
    title = _p(doc, "centre", before_lines=1 if layout.number or layout.serial else 0, exact=int(Pt(TITLE_PT * 1.4).twips))
    lines = split_title(layout.title)
    for i, line in enumerate(lines):
        run = _face(title.add_run(line), XIAOBIAOSONG, TITLE_PT)
        if i < len(lines) - 1:
            run.add_break()
    title.paragraph_format.keep_with_next = True
    if layout.subtitle:
        _face(_p(doc, "centre", keep=True).add_run(layout.subtitle), KAITI, BODY_PT)
    if layout.addressee:
        _face(_p(doc, "left", before_lines=1).add_run(layout.addressee), FANGSONG, BODY_PT)
    elif not layout.subtitle:
        _p(doc)
    tail = bool(layout.signature or layout.receipt or layout.attachments)
    blocks = layout.blocks
    for i, block in enumerate(blocks):
        if isinstance(block, Table):
            _table(doc, block)
            continue
        last = i == len(blocks) - 1
        is_heading = bool(block.lead) and not block.text
        _para(doc, block, keep=block.keep or is_heading or (last and tail))
    if layout.attachments:
        _p(doc, keep=True)
        for j, name in enumerate(layout.attachments):
            p = _p(doc, "left", keep=True)
            p.paragraph_format.left_indent = Pt(BODY_PT * (5 if j else 2))
            if not j:
                p.paragraph_format.left_indent = Pt(BODY_PT * 2)
            prefix = "附件：" if j == 0 else ""
            number = f"{j + 1}." if len(layout.attachments) > 1 else ""
            _face(p.add_run(f"{prefix}{number}{name}"), FANGSONG, BODY_PT)
    last_p = None
    if layout.signature:
        last_p = _signature(doc, layout.signature)
    for line in layout.after_signature:
        if last_p is not None:
            last_p.paragraph_format.keep_with_next = True
        last_p = _p(doc, "left", indent=True)
        _face(last_p.add_run(line), FANGSONG, BODY_PT)
    if layout.receipt:
        if last_p is not None:
            last_p.paragraph_format.keep_with_next = True
        _receipt(doc, layout.receipt)
    if layout.cc or layout.printer:
        _banji(doc, layout)


def _red_head(doc: Any, layout: OfficialLayout) -> None:
    """版头 of GB/T 9704: the 发文机关标志 in red 小标宋 35 mm under the type area's top, centred; two lines
    under it the 发文字号, centred; 4 mm under that a red rule as wide as the type area."""
    size = red_head_size(layout.red_head)
    top = _p(doc, "centre", exact=int(Mm(HEAD_TOP_MM).twips))  # an empty line 35 mm high
    top.paragraph_format.keep_with_next = True
    mark = _p(doc, "centre", keep=True, exact=int(Pt(size * 1.15).twips))
    _face(mark.add_run(layout.red_head), XIAOBIAOSONG, size).font.color.rgb = RED
    _p(doc, keep=True)
    number = _p(doc, "centre", keep=True)
    _face(number.add_run(layout.number or "　"), FANGSONG, BODY_PT)
    rule = OxmlElement("w:bottom")
    for k, v in (("val", "single"), ("sz", "12"), ("space", str(round(Mm(RULE_GAP_MM).pt))), ("color", "FF0000")):
        rule.set(qn(f"w:{k}"), v)
    _borders(number).append(rule)


def _receipt(doc: Any, receipt: Receipt) -> None:
    cut = _p(doc, "centre", keep=True, before_lines=0.5)
    _face(cut.add_run("- - - - - - - - - - - - - - 沿此线剪开 - - - - - - - - - - - - - -"), FANGSONG, TABLE_PT)
    _face(_p(doc, "centre", keep=True).add_run(receipt.title), XIAOBIAOSONG, BODY_PT)
    items = [(t, True) for t in receipt.paragraphs] + [(t, False) for t in receipt.lines]
    for k, (text, indent) in enumerate(items):
        p = _p(doc, "left" if not indent else "justify", indent=indent, keep=k < len(items) - 1)
        _face(p.add_run(text), FANGSONG, BODY_PT)


def _banji(doc: Any, layout: OfficialLayout) -> None:
    """版记: 抄送 and 印发机关 + 印发日期, 四号 仿宋, between rules."""
    _p(doc, keep=True)
    if layout.cc:
        p = _p(doc, "left", keep=True)
        _rule(p, top=True, bottom=not layout.printer, size=8)
        p.paragraph_format.left_indent = Pt(FOLIO_PT)
        p.paragraph_format.right_indent = Pt(FOLIO_PT)
        text = layout.cc if layout.cc.endswith("。") else layout.cc + "。"
        _face(p.add_run("抄送：" + text), FANGSONG, FOLIO_PT)
    if layout.printer:
        p = _p(doc, "left")
        _rule(p, top=True, bottom=True, size=4 if layout.cc else 8)
        p.paragraph_format.left_indent = Pt(FOLIO_PT)
        p.paragraph_format.right_indent = Pt(FOLIO_PT)
        width = Mm(TYPE_WIDTH_MM).pt - 2 * FOLIO_PT
        p.paragraph_format.tab_stops.add_tab_stop(Pt(width), WD_TAB_ALIGNMENT.RIGHT)
        printed = f"\t{cn_date(layout.printed)}印发" if layout.printed else ""
        _face(p.add_run(layout.printer + printed), FANGSONG, FOLIO_PT)
