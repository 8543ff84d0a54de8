"""The rectification notice (整改通知书, .docx) in the form of an official letter: title, number, the
unit addressed, the problem found, the requirement, the deadline, the issuing team and date, and a
receipt line. A pure builder: it receives the notice already worded in the reader's language (web/
rectification_files.py words it) and returns the file's bytes, laid out by documents.official (GB/T 9704)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from documents.official import OfficialLayout, Para, Receipt, Signature, official_docx


@dataclass(frozen=True)
class NoticeData:
    """Everything the notice says, worded."""

    title: str
    number: str
    addressee: str
    intro: str
    sections: tuple[tuple[str, str], ...]  # (heading, text)
    closing: str
    signer: str
    date_text: str
    receipt: str
    footer: str
    status_mark: str | None = None  # e.g. "closed on …" for a reprint of a closed order
    issued: dt.date | None = None   # 成文日期 (else date_text is printed as given)
    contact: tuple[str, ...] = ()   # （联系人：…，联系电话：…）
    red_head: str = ""              # 红头 (发文机关标志) when the county's issuer uses one


def notice_layout(data: NoticeData, page_numbers: str = "outside") -> OfficialLayout:
    """The notice as an official layout (GB/T 9704)."""
    blocks: list[Para] = [Para(data.intro)]
    for heading, text in data.sections:
        blocks.append(Para(lead=heading))
        blocks.extend(Para(line.strip()) for line in text.splitlines() if line.strip())
    if data.closing:
        blocks.append(Para(data.closing))
    signature = Signature((data.signer,), data.issued) if data.issued else None
    closing = () if signature else (data.signer, data.date_text)
    blocks.extend(Para(line, indent=False, align="right", keep=True) for line in closing)
    receipt = Receipt("回  执", (), (data.receipt,)) if data.receipt else None
    return OfficialLayout(title=data.title, number=data.number, addressee=data.addressee, blocks=tuple(blocks),
                          signature=signature, after_signature=data.contact, receipt=receipt,
                          mark=data.status_mark or "", page_numbers=page_numbers, red_head=data.red_head)


def notice_document(data: NoticeData, page_numbers: str = "outside") -> bytes:
    """The notice as .docx bytes (A4, GB/T 9704)."""
    return official_docx(notice_layout(data, page_numbers))


def notice_pdf(data: NoticeData, page_numbers: str = "outside") -> bytes:
    """The notice as PDF bytes, from the same layout."""
    from documents.pdf import official_pdf
    return official_pdf(notice_layout(data, page_numbers))
