"""The PDF of an official document, from the same OfficialLayout as its .docx (documents.official), with
fpdf2 and an embedded CJK font — no office suite on the server.

Same rules as the .docx: A4, margins 37/35/28/26 mm, 22 lines of 28 characters (16 pt characters
condensed by ¼ pt), 仿宋 body indented two characters, title 22 pt centred in the same lines, headings
一、 in a 黑体 face, "— 1 —" folios 7 mm under the type area (odd right, even left, or centred), issuer
centred above the date four characters in, seal places, 版记 between rules, and the last paragraph,
signature and receipt kept on one page.

Fonts are found at run time with fontconfig (fc-match): a 仿宋/FangSong face if installed, else a CJK
serif (Noto Serif CJK from Debian's fonts-noto-cjk); a 黑体/SimHei face, else a CJK sans. Without any CJK
font `PdfFontMissing` says what to install."""
from __future__ import annotations

import functools
import io
import shutil
import subprocess
from dataclasses import dataclass

from documents.official import (BODY_PT, CHARS, FOLIO_PT, HEAD_TOP_MM, LINES, RULE_GAP_MM, TABLE_PT, TITLE_PT,
                                TYPE_HEIGHT_MM, TYPE_WIDTH_MM, FANGSONG, HEITI, KAITI, OfficialLayout, Para, Receipt,
                                Signature, Table, cn_date, heading_face, red_head_size, signature_positions,
                                split_title)

PT_MM = 25.4 / 72
LEFT, RIGHT, TOP, BOTTOM = 28.0, 26.0, 37.0, 35.0
PITCH = TYPE_HEIGHT_MM / LINES            # 10.23 mm a line
CHAR = TYPE_WIDTH_MM / CHARS              # 5.57 mm a character
CONDENSE_PT = -0.25
NO_LINE_START = set("，。、；：！？）》」』”’％,.;:!?)")
NO_LINE_END = set("（《「『“‘(")
FACES = {  # face of the layout → (fontconfig patterns tried in order, our font key)
    "serif": (("FangSong:lang=zh-cn", "仿宋:lang=zh-cn", "Noto Serif CJK SC", "serif:lang=zh-cn"), "cjk-serif"),
    "title": (("方正小标宋简体:lang=zh-cn", "Noto Serif CJK SC:style=Bold", "serif:lang=zh-cn:weight=bold"),
              "cjk-title"),
    "sans": (("SimHei:lang=zh-cn", "黑体:lang=zh-cn", "Noto Sans CJK SC", "sans-serif:lang=zh-cn"), "cjk-sans"),
}


class PdfFontMissing(RuntimeError):
    """No font with Chinese glyphs on the server."""


@functools.lru_cache(maxsize=4)
def find_font(kind: str) -> tuple[str, int]:
    """(file, index in a collection) of a CJK face of the kind ("serif" or "sans"), found by fc-match."""
    if shutil.which("fc-match") is None:
        raise PdfFontMissing("fc-match (fontconfig) is not installed: apt-get install fontconfig fonts-noto-cjk")
    for pattern in FACES[kind][0]:
        out = subprocess.run(["fc-match", "-f", "%{file}\t%{index}\t%{lang}\t%{family}", pattern],
                             capture_output=True, text=True, timeout=10, check=False).stdout
        parts = out.split("\t")
        if len(parts) != 4 or "zh-cn" not in parts[2].split("|") or not parts[0].endswith((".ttf", ".otf", ".ttc")):
            continue
        family = pattern.split(":")[0]
        if family in ("serif", "sans-serif") or family in parts[3].split(","):  # not fontconfig's stand-in
            return parts[0], int(parts[1] or 0)
    raise PdfFontMissing("no font with Chinese characters found (fc-match): install fonts-noto-cjk "
                         "(Debian/Ubuntu) so PDFs can embed Noto Serif CJK")


def _face_key(face: str) -> str:
    return "cjk-sans" if face == HEITI else "cjk-title" if face == "title" else "cjk-serif"


@dataclass
class _Run:
    text: str
    face: str
    size: float


def _natural(pdf, char: str, face: str, size: float) -> float:  # noqa: ANN001
    pdf.set_font(_face_key(face), size=size)
    return pdf.get_string_width(char)


def _widths(pdf, text: str, face: str, size: float) -> list[float]:  # noqa: ANN001
    pdf.set_font(_face_key(face), size=size)
    pdf.set_char_spacing(0)
    cond = CONDENSE_PT * PT_MM if size == BODY_PT else 0.0
    return [pdf.get_string_width(c) + cond for c in text]


def _word(char: str) -> bool:
    """Part of a number or a Latin word, which a line never splits."""
    return (char.isascii() and (char.isalnum() or char in ".%-/:")) or char in "–—％"


def _lines(pdf, runs: list[_Run], width: float, first_indent: float) -> list[list[tuple[str, str, float, float]]]:  # noqa: ANN001,E501
    """Greedy line breaking of CJK text by character, with the simple kinsoku rules (no 。 at a line start,
    no （ at a line end). A line: [(char, face, size, advance)]."""
    chars: list[tuple[str, str, float, float]] = []
    for run in runs:
        for c, w in zip(run.text, _widths(pdf, run.text, run.face, run.size)):
            chars.append((c, run.face, run.size, w))
    lines: list[list[tuple[str, str, float, float]]] = []
    line: list[tuple[str, str, float, float]] = []
    used, limit = 0.0, width - first_indent
    for ch in chars:
        if line and used + ch[3] > limit + 0.01:
            keep = 0  # characters carried to the next line
            if _word(ch[0]) and _word(line[-1][0]):  # never split a number or a Latin word (2024–2025, 16.67%)
                while keep < len(line) and _word(line[-1 - keep][0]):
                    keep += 1
                keep = keep if keep < min(len(line), 16) else 0
            if not keep and (ch[0] in NO_LINE_START or line[-1][0] in NO_LINE_END) and len(line) > 1:
                keep = 1  # pull the previous character down with it
            lines.append(line[:len(line) - keep])
            line = line[len(line) - keep:]
            used = sum(c[3] for c in line)
            limit = width
        line.append(ch)
        used += ch[3]
    if line or not lines:
        lines.append(line)
    return lines


def _pdf_class():  # noqa: ANN202 - fpdf2 is imported when a PDF is made
    from fpdf import FPDF

    class OfficialPDF(FPDF):
        page_numbers = "outside"
        mark = ""

        def header(self) -> None:
            if self.mark:
                self.set_font("cjk-sans", size=FOLIO_PT)
                self.set_text_color(0xC0, 0, 0)
                self.set_xy(LEFT, 20)
                self.cell(TYPE_WIDTH_MM, 8, self.mark, align="R")
                self.set_text_color(0, 0, 0)

        def footer(self) -> None:
            if self.page_numbers == "none":
                return
            self.set_font("cjk-serif", size=FOLIO_PT)
            text = f"— {self.page_no()} —"
            w = self.get_string_width(text)
            y = 297 - BOTTOM + 7 + FOLIO_PT * PT_MM
            if self.page_numbers == "centre":
                x = (210 - w) / 2
            elif self.page_no() % 2:
                x = 210 - RIGHT - FOLIO_PT * PT_MM - w
            else:
                x = LEFT + FOLIO_PT * PT_MM
            self.text(x, y, text)

    return OfficialPDF


class _Writer:
    def __init__(self, layout: OfficialLayout) -> None:
        cls = _pdf_class()
        self.pdf = pdf = cls(orientation="P", unit="mm", format="A4")
        pdf.page_numbers, pdf.mark = layout.page_numbers, layout.mark
        for kind in FACES:
            file, index = find_font(kind)
            pdf.add_font(FACES[kind][1], fname=file, collection_font_number=index)
        pdf.set_margins(LEFT, TOP, RIGHT)
        pdf.set_auto_page_break(False)
        pdf.set_creator("")
        pdf.set_title(layout.title)
        pdf.add_page()
        self.y = TOP

    # --- measuring and placing ---
    def room(self) -> float:
        return 297 - BOTTOM - self.y

    def ensure(self, height: float) -> None:
        if height > self.room() + 0.01:
            self.pdf.add_page()
            self.y = TOP

    def para_lines(self, block: Para) -> list[list[tuple[str, str, float, float]]]:
        runs = []
        if block.lead:
            runs.append(_Run(block.lead, heading_face(block.lead), block.size))
        if block.text:
            runs.append(_Run(block.text, FANGSONG, block.size))
        if not runs:
            return [[]]
        indent = 2 * CHAR if block.indent else 0.0
        return _lines(self.pdf, runs, TYPE_WIDTH_MM, indent)

    def para_height(self, block: Para) -> float:
        return len(self.para_lines(block)) * PITCH

    def draw_line(self, line: list[tuple[str, str, float, float]], x0: float, width: float, align: str,
                  last: bool, pitch: float = PITCH) -> None:
        used = sum(c[3] for c in line)
        gap = 0.0
        if align == "justify" and not last and len(line) > 1:
            gap = max(0.0, (width - used) / (len(line) - 1))
        x = x0 + ((width - used) / 2 if align == "centre" else (width - used) if align == "right" else 0.0)
        baseline = self.y + pitch * 0.5 + (line[0][2] if line else BODY_PT) * PT_MM * 0.35
        k = 0
        while k < len(line):  # one text object per run of a face, spaced with Tc (keeps the text extractable)
            face, size = line[k][1], line[k][2]
            j = k
            while j < len(line) and line[j][1:3] == (face, size):
                j += 1
            seg = line[k:j]
            spacing = (seg[0][3] - _natural(self.pdf, seg[0][0], face, size) + gap) / PT_MM
            self.pdf.set_font(_face_key(face), size=size)
            self.pdf.set_char_spacing(spacing)
            self.pdf.text(x, baseline, "".join(c[0] for c in seg))
            self.pdf.set_char_spacing(0)
            x += sum(c[3] for c in seg) + gap * len(seg)
            k = j
        self.y += pitch

    def para(self, block: Para) -> None:
        lines = self.para_lines(block)
        indent = 2 * CHAR if block.indent else 0.0
        for i, line in enumerate(lines):
            if self.room() < PITCH - 0.01:
                self.pdf.add_page()
                self.y = TOP
            x0 = LEFT + (indent if i == 0 else 0.0)
            self.draw_line(line, x0, TYPE_WIDTH_MM - (indent if i == 0 else 0.0), block.align, i == len(lines) - 1)

    def text_line(self, text: str, face: str, size: float, align: str = "left", x0: float = LEFT,
                  width: float = TYPE_WIDTH_MM, pitch: float = PITCH) -> None:
        line = [(c, face, size, w) for c, w in zip(text, _widths(self.pdf, text, face, size))]
        self.draw_line(line, x0, width, align, True, pitch)

    def table(self, table: Table) -> None:
        pdf = self.pdf
        pdf.set_font("cjk-serif", size=TABLE_PT)
        widths = table.widths or tuple(TYPE_WIDTH_MM / len(table.header) for _ in table.header)
        total = sum(widths)
        widths = tuple(w * min(1.0, TYPE_WIDTH_MM / total) for w in widths)
        pdf.set_xy(LEFT, self.y)
        pdf.set_auto_page_break(True, margin=BOTTOM)
        with pdf.table(col_widths=widths, width=sum(widths), line_height=max(TABLE_PT * 1.5 * PT_MM, table.row_mm),
                       first_row_as_headings=any(table.header),
                       headings_style=_headings_style(), text_align="CENTER", align="CENTER") as t:
            for row in ((table.header, *table.rows) if any(table.header) else table.rows):
                r = t.row()
                for cell in row:
                    r.cell(cell)
        pdf.set_auto_page_break(False)
        self.y = pdf.get_y() + 2

    # --- the parts ---
    def red_head(self, layout: OfficialLayout) -> None:
        """版头: the 发文机关标志 in red 35 mm under the type area's top, the 发文字号 two lines under it, and a
        red rule 4 mm under the 发文字号 across the type area (as the .docx)."""
        size = red_head_size(layout.red_head)
        self.y = TOP + HEAD_TOP_MM
        self.pdf.set_text_color(0xFF, 0, 0)
        self.text_line(layout.red_head, "title", size, "centre", pitch=size * 1.15 * PT_MM)
        self.pdf.set_text_color(0, 0, 0)
        self.y += PITCH
        self.text_line(layout.number or "\u3000", FANGSONG, BODY_PT, "centre")
        rule_y = self.y - PITCH * 0.5 + BODY_PT * PT_MM * 0.35 + RULE_GAP_MM
        self.pdf.set_draw_color(0xFF, 0, 0)
        self.pdf.set_line_width(0.53)
        self.pdf.line(LEFT, rule_y, LEFT + TYPE_WIDTH_MM, rule_y)
        self.pdf.set_draw_color(0, 0, 0)
        self.pdf.set_line_width(0.2)
        self.y = rule_y + 1

    def title(self, layout: OfficialLayout) -> None:
        if layout.red_head:
            self.red_head(layout)
            self.y += PITCH
        elif layout.number or layout.serial:
            y = self.y
            self.text_line(layout.number, FANGSONG, BODY_PT, "centre")
            if layout.serial:
                self.y = y
                self.pdf.set_text_color(0xFF, 0, 0)
                self.text_line(layout.serial, FANGSONG, TABLE_PT, "right")
                self.pdf.set_text_color(0, 0, 0)
            self.y += PITCH
        pitch = TITLE_PT * 1.4 * PT_MM * 1.2
        for line in split_title(layout.title):
            self.text_line(line, "title", TITLE_PT, "centre", pitch=pitch)
        if layout.subtitle:
            self.text_line(layout.subtitle, KAITI, BODY_PT, "centre")
        if layout.addressee:
            self.y += PITCH
            self.para(Para(layout.addressee, indent=False, align="left"))
        elif not layout.subtitle:
            self.y += PITCH

    def signature_height(self, sig: Signature) -> float:
        return PITCH * (2 + (2 if sig.seal else 0))

    def signature(self, sig: Signature) -> None:
        date_in, centres = signature_positions(sig)
        self.y += PITCH * (2 if sig.seal else 1)
        if sig.seal:
            self.y -= PITCH
            for c in centres:
                self.pdf.set_text_color(0x99, 0x99, 0x99)
                self.place_centred("（印章）", FANGSONG, TABLE_PT, LEFT + c * CHAR)
                self.pdf.set_text_color(0, 0, 0)
            self.y += PITCH
        for issuer, c in zip(sig.issuers, centres):
            self.place_centred(issuer, FANGSONG, BODY_PT, LEFT + c * CHAR)
        self.y += PITCH
        self.text_line(cn_date(sig.date), FANGSONG, BODY_PT, "right", LEFT, TYPE_WIDTH_MM - date_in * CHAR)

    def place_centred(self, text: str, face: str, size: float, centre: float) -> None:
        widths = _widths(self.pdf, text, face, size)
        x = centre - sum(widths) / 2
        line = [(c, face, size, w) for c, w in zip(text, widths)]
        y = self.y
        self.draw_line(line, x, sum(widths), "left", True)
        self.y = y

    def receipt_height(self, receipt: Receipt) -> float:
        h = 2.5 * PITCH
        for t in receipt.paragraphs:
            h += self.para_height(Para(t))
        return h + len(receipt.lines) * PITCH

    def receipt(self, receipt: Receipt) -> None:
        self.y += PITCH * 0.5
        self.text_line("- - - - - - - - - - - - - - 沿此线剪开 - - - - - - - - - - - - - -", FANGSONG, TABLE_PT,
                       "centre")
        self.text_line(receipt.title, "title", BODY_PT, "centre")
        for t in receipt.paragraphs:
            self.para(Para(t))
        for t in receipt.lines:
            self.text_line(t, FANGSONG, BODY_PT)

    def banji(self, layout: OfficialLayout) -> None:
        rows = []
        if layout.cc:
            rows.append(("抄送：" + (layout.cc if layout.cc.endswith("。") else layout.cc + "。"), ""))
        if layout.printer:
            rows.append((layout.printer, f"{cn_date(layout.printed)}印发" if layout.printed else ""))
        pitch = FOLIO_PT * PT_MM * 2
        indent = FOLIO_PT * PT_MM
        lines = []
        for left, right in rows:
            lines.append(len(_lines(self.pdf, [_Run(left, FANGSONG, FOLIO_PT)], TYPE_WIDTH_MM - 2 * indent, 0)))
        need = PITCH + sum(lines) * pitch
        self.ensure(need)
        # 版记 sits at the foot of the last page
        self.y = max(self.y + PITCH, 297 - BOTTOM - sum(lines) * pitch)
        pdf = self.pdf
        for (left, right), n in zip(rows, lines):
            pdf.set_line_width(0.35 if left.startswith("抄送") or len(rows) == 1 else 0.25)
            pdf.line(LEFT, self.y, LEFT + TYPE_WIDTH_MM, self.y)
            for k, line in enumerate(_lines(pdf, [_Run(left, FANGSONG, FOLIO_PT)], TYPE_WIDTH_MM - 2 * indent, 0)):
                self.draw_line(line, LEFT + indent, TYPE_WIDTH_MM - 2 * indent, "left", True, pitch)
                if k == 0 and right:
                    self.y -= pitch
                    self.text_line(right, FANGSONG, FOLIO_PT, "right", LEFT, TYPE_WIDTH_MM - indent, pitch)
        pdf.set_line_width(0.35)
        pdf.line(LEFT, self.y, LEFT + TYPE_WIDTH_MM, self.y)


def _headings_style():  # noqa: ANN202
    from fpdf.fonts import FontFace
    return FontFace(family="cjk-sans", emphasis="", size_pt=TABLE_PT)


def official_pdf(layout: OfficialLayout) -> bytes:
    """The layout as PDF bytes (fonts embedded, subset)."""
    return official_pdf_many((layout,))


def official_pdf_many(layouts: tuple[OfficialLayout, ...] | list[OfficialLayout]) -> bytes:
    """Several documents in one PDF, each from a new page (as documents.official.official_docx_many)."""
    w = _Writer(layouts[0])
    for k, layout in enumerate(layouts):
        if k:
            w.pdf.add_page()
            w.y = TOP
        _write(w, layout)
    out = io.BytesIO()
    w.pdf.output(out)
    return out.getvalue()


def _write(w: _Writer, layout: OfficialLayout) -> None:
    """One document, from its head to its 版记."""
    w.title(layout)
    blocks = layout.blocks
    tail = layout.signature is not None or layout.receipt is not None
    for i, block in enumerate(blocks):
        if isinstance(block, Table):
            w.table(block)
            continue
        last = i == len(blocks) - 1
        if block.lead and not block.text and i + 1 < len(blocks) and isinstance(blocks[i + 1], Para):
            w.ensure(w.para_height(block) + min(w.para_height(blocks[i + 1]), 2 * PITCH))  # heading kept with next
        if last and tail or block.keep:
            need = w.para_height(block)
            if block.keep:
                k = i + 1
                while k < len(blocks) and isinstance(blocks[k], Para) and (blocks[k - 1].keep):
                    need += w.para_height(blocks[k])
                    k += 1
            if last:
                if layout.signature:
                    need += w.signature_height(layout.signature)
                need += len(layout.after_signature) * PITCH
                if layout.receipt:
                    need += w.receipt_height(layout.receipt)
            w.ensure(need)
        w.para(block)
    for j, name in enumerate(layout.attachments):
        prefix = "附件：" if j == 0 else "　　　"
        number = f"{j + 1}." if len(layout.attachments) > 1 else ""
        w.para(Para(f"{prefix}{number}{name}", indent=True, align="left"))
    if layout.signature:
        if not blocks:
            w.ensure(w.signature_height(layout.signature))
        w.signature(layout.signature)
    for line in layout.after_signature:
        w.para(Para(line))
    if layout.receipt:
        if not tail:
            w.ensure(w.receipt_height(layout.receipt))
        w.receipt(layout.receipt)
    if layout.cc or layout.printer:
        w.banji(layout)
