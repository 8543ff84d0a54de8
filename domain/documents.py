"""Pure rules of official documents: 发文字号 text, default issuer names and abbreviations."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

NUMBER_PATTERN = re.compile(r"^(?P<abbr>\S+?)〔(?P<year>\d{4})〕(?P<seq>[1-9]\d*)号$")
PAGE_NUMBERS = ("outside", "centre")


def document_number(abbreviation: str, year: int, sequence: int) -> str:
    """发文字号: abbreviation + 〔year〕 + sequence + 号 (six-sided brackets, no 第, no leading zeros)."""
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{abbreviation}〔{year}〕{sequence}号"


def default_county_issuer(county: str) -> tuple[str, str]:
    """(issuer, abbreviation) before the admin sets them: 勐海县 → 勐海县教育督导室, 勐海教督."""
    return f"{county}教育督导室", f"{_stem(county)}教督"


def default_township_issuer(township: str) -> tuple[str, str]:
    """(issuer, abbreviation) of a township government: 勐混镇 → 勐混镇人民政府, 勐混政."""
    return f"{township}人民政府", f"{_stem(township)}政"


def default_bureau(county: str) -> str:
    """The county's education bureau, co-issuer of the township's notices (the admin may rename it)."""
    return f"{county}教育局"


def _stem(name: str) -> str:
    """An area name without its level suffix (县, 市, 区, 镇, 乡, 街道; 自治县 kept whole)."""
    for suffix in ("街道办事处", "街道", "自治县", "县", "市", "区", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class IssuerSettings:
    """How an area signs: issuer, abbreviation, 主送, 抄送, contact, regulation, co-issuer, page numbers."""

    area_code: str
    issuer: str
    abbreviation: str
    recipients: str = ""
    cc: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    regulation: str = ""
    education_bureau: str = ""
    page_numbers: str = "outside"
    red_header: bool = False  # 红头: the issuer's name in red over a red rule, on formally issued documents
    configured: bool = False

    def contact_line(self) -> str:
        """（联系人：…，联系电话：…）, or empty when neither is set."""
        parts = [f"联系人：{self.contact_person}" if self.contact_person else "",
                 f"联系电话：{self.contact_phone}" if self.contact_phone else ""]
        parts = [p for p in parts if p]
        return f"（{'，'.join(parts)}）" if parts else ""


def check_settings(issuer: str, abbreviation: str, page_numbers: str) -> list[str]:
    """Problems with settings an admin enters (empty when fine), each naming its field."""
    problems = []
    if not issuer.strip():
        problems.append("issuer: empty")
    if not abbreviation.strip() or len(abbreviation) > 20 or re.search(r"[\s〔〕\[\]0-9]", abbreviation):
        problems.append("abbreviation: 1–20 characters without spaces, digits or brackets")
    if page_numbers not in PAGE_NUMBERS:
        problems.append("page_numbers: outside or centre")
    return problems


@dataclass(frozen=True)
class Issued:
    """An issued document as the register lists it."""

    id: int
    number: str
    title: str
    kind: str
    issuer: str
    area_code: str
    issued_on: dt.date
    issued_by: str
    has_pdf: bool


ENROLMENT_KINDS = ("grade1", "grade7", "return")  # 入学通知书 (一年级 / 七年级), 复学通知书


@dataclass(frozen=True)
class EnrolmentChild:
    """One child of a village's batch of 入学（复学）通知书; an empty name is a form for a child the township
    writes in by hand (the grade-1 entrants, whom only the village's household books name)."""

    name: str = ""
    gender: str = ""
    birth: dt.date | None = None
    from_school: str = ""     # the primary school a grade-7 entrant leaves; the school a returning child left
    to_school: str = ""       # where the child is to report ("" → a blank line)
    grade: int | None = None  # the grade the child enters or returns to
    guardian: str = ""
    since: dt.date | None = None  # a returning child: out of school since


@dataclass(frozen=True)
class EnrolmentBatch:
    """A village's 入学（复学）通知书 for a new school year, one page a child, jointly issued by the township
    government and the county's education bureau under one 发文字号 of the township's register."""

    kind: str                 # grade1 | grade7 | return
    year: int                 # the school year that starts in September
    village_code: str
    village: str
    township: str
    issuers: tuple[str, ...]
    report_by: dt.date        # the day by which children are brought to school
    issued: dt.date
    children: tuple[EnrolmentChild, ...]
    number: str = ""
    contact: str = ""
    abbreviation: str = ""    # the township's 发文字号 abbreviation: its register numbers the batch
    law: str = ""             # the articles quoted, verbatim (wording.statutes.enrolment_law)


def enrolment_deadline(year: int) -> dt.date:
    """The default reporting day: 1 September of the new school year."""
    return dt.date(year, 9, 1)
