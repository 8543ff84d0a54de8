"""Document settings per area and the register of issued documents (发文字号 per issuer and year).

Numbers come from document_sequence, one row per (abbreviation, year): the row is incremented with a
single UPDATE … SET last = last + 1, which on PostgreSQL holds the row lock until the transaction ends
(a second issuer waits, then gets the next number) and on SQLite takes the database write lock; the first
number of a year inserts the row, and a concurrent insert of the same row is retried as an update. A
document rolled back gives its number back with it, so numbers have no gaps from failed issues."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_access import audit
from data_access.models import Area, DocumentSequence, DocumentSettings, IssuedDocument
from data_access.scope import Scope, area_filter
from domain.documents import (Issued, IssuerSettings, check_settings, default_bureau, default_county_issuer,
                              default_township_issuer, document_number)

SETTING_FIELDS = ("issuer", "abbreviation", "recipients", "cc", "contact_person", "contact_phone", "regulation",
                  "education_bureau", "page_numbers", "red_header")
FLAG_WORDS = {"on": True, "yes": True, "1": True, "true": True, "off": False, "no": False, "0": False, "false": False}
ENTITY = "issued_document"


class SettingsInvalid(ValueError):
    """Settings an admin entered that cannot be saved; the message names the field."""


def _county_of(session: Session, code: str) -> Area | None:
    area = session.get(Area, code)
    while area is not None and area.level not in ("county",) and area.parent_code:
        area = session.get(Area, area.parent_code)
    return area if area is not None and area.level == "county" else None


def county_code_of(session: Session, area_code: str) -> str:
    """The county an area lies in (the area itself when it is one, or has none above)."""
    county = _county_of(session, area_code)
    return county.code if county is not None else area_code


def issuer_settings(session: Session, area_code: str) -> IssuerSettings:
    """The settings of an area (the county, or a township for its own notices), with defaults made from
    the area's name where the admin has set nothing; a township inherits contact, regulation, co-issuer
    and page numbers from its county."""
    area = session.get(Area, area_code)
    if area is None:
        raise SettingsInvalid(f"area {area_code}: not imported")
    county = area if area.level == "county" else _county_of(session, area_code)
    county_row = session.get(DocumentSettings, county.code) if county else None
    row = session.get(DocumentSettings, area_code)
    if area.level == "county":
        issuer, abbr = default_county_issuer(area.name)
    else:
        issuer, abbr = default_township_issuer(area.name)
    base = county_row if county_row is not None and row is None else None
    bureau = (row.education_bureau if row and row.education_bureau else
              county_row.education_bureau if county_row and county_row.education_bureau else
              default_bureau(county.name if county else area.name))
    if row is not None:
        return IssuerSettings(area_code, row.issuer, row.abbreviation, row.recipients, row.cc, row.contact_person,
                              row.contact_phone, row.regulation or (county_row.regulation if county_row else ""),
                              bureau, row.page_numbers, bool(row.red_header), configured=True)
    return IssuerSettings(area_code, issuer, abbr,
                          "各乡（镇）人民政府，县直有关部门：" if area.level == "county" else "",
                          "", base.contact_person if base else "", base.contact_phone if base else "",
                          base.regulation if base else "", bureau, base.page_numbers if base else "outside")


def save_settings(session: Session, area_code: str, **values: str | bool) -> IssuerSettings:
    """Create or change an area's settings (only the fields given); refused with a message naming the field."""
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise SettingsInvalid(f"unknown field(s): {', '.join(sorted(unknown))}")
    current = issuer_settings(session, area_code)
    merged = {f: (values[f] if f in values else getattr(current, f)) for f in SETTING_FIELDS}
    red = merged.pop("red_header")
    merged = {k: v.strip() for k, v in merged.items()}
    problems = check_settings(merged["issuer"], merged["abbreviation"], merged["page_numbers"])
    if not isinstance(red, bool):
        red = FLAG_WORDS.get(str(red).strip().lower())
        if red is None:
            problems.append("red_header: on or off")
    for field, value in merged.items():  # the columns' lengths: PostgreSQL would refuse the whole save
        length = getattr(DocumentSettings.__table__.c[field].type, "length", None)
        if length and len(value) > length:
            problems.append(f"{field}: at most {length} characters")
    merged["red_header"] = red
    if problems:
        raise SettingsInvalid("; ".join(problems))
    row = session.get(DocumentSettings, area_code)
    if row is None:
        row = DocumentSettings(area_code=area_code, **merged)
        session.add(row)
    else:
        for k, v in merged.items():
            setattr(row, k, v)
    session.flush()
    return issuer_settings(session, area_code)


def next_sequence(session: Session, abbreviation: str, year: int) -> int:
    """The next 发文字号 sequence of an issuer in a year, safe against concurrent issuers (see above)."""
    for _attempt in range(3):
        got = session.execute(update(DocumentSequence)
                              .where(DocumentSequence.abbreviation == abbreviation, DocumentSequence.year == year)
                              .values(last=DocumentSequence.last + 1)
                              .returning(DocumentSequence.last)).scalar()
        if got is not None:
            return int(got)
        try:
            with session.begin_nested():
                session.add(DocumentSequence(abbreviation=abbreviation, year=year, last=1))
            return 1
        except IntegrityError:
            continue  # another transaction inserted the year's row first: take the next number from it
    raise RuntimeError(f"no 发文字号 sequence for {abbreviation} {year}")


def _plain(d: IssuedDocument) -> Issued:
    return Issued(d.id, d.number, d.title, d.kind, d.issuer, d.area_code, d.issued_on, d.issued_by_name,
                  d.pdf is not None)


def issue(session: Session, *, area_code: str, issuer: str, abbreviation: str, kind: str, subject: str,
          version: str, title: str, issued_on: dt.date, user_id: int | None, user_name: str,
          build: Callable[[str], tuple[bytes, bytes | None]]) -> IssuedDocument:
    """Issue a document, or give back the one already issued as this version (its bytes exactly as they
    were). A new version of a subject already numbered (a closed order's reprint) keeps its number; a new
    subject takes the issuer's next number of the year. `build(number)` makes the .docx and .pdf bytes."""
    same = session.scalar(select(IssuedDocument).where(IssuedDocument.version == version))
    if same is not None:
        return same
    earlier = session.scalar(select(IssuedDocument).where(IssuedDocument.subject == subject)
                             .order_by(IssuedDocument.id).limit(1))
    if earlier is not None:
        abbreviation, year, seq, number = earlier.abbreviation, earlier.year, earlier.sequence, earlier.number
    else:
        year = issued_on.year
        seq = next_sequence(session, abbreviation, year)
        number = document_number(abbreviation, year, seq)
    docx, pdf = build(number)
    doc = IssuedDocument(area_code=area_code, issuer=issuer, abbreviation=abbreviation, year=year, sequence=seq,
                         number=number, title=title, kind=kind, subject=subject, version=version,
                         issued_on=issued_on, issued_by=user_id, issued_by_name=user_name,
                         created_at=dt.datetime.now(dt.timezone.utc), docx=docx, pdf=pdf)
    session.add(doc)
    session.flush()
    audit.record(session, "issue", ENTITY, str(doc.id),
                 after={"number": number, "title": title, "kind": kind, "subject": subject}, area=area_code)
    return doc


def issued_number(session: Session, subject: str) -> str:
    """The 发文字号 a subject was issued under ("" before its first issue)."""
    return session.scalar(select(IssuedDocument.number).where(IssuedDocument.subject == subject)
                          .order_by(IssuedDocument.id).limit(1)) or ""


def issued_documents(session: Session, scope: Scope, limit: int = 500) -> list[Issued]:
    """The register within the reader's scope, newest first."""
    if scope.school_id is not None:
        return []
    rows = session.scalars(select(IssuedDocument).where(area_filter(scope, IssuedDocument.area_code))
                           .order_by(IssuedDocument.issued_on.desc(), IssuedDocument.id.desc()).limit(limit))
    return [_plain(d) for d in rows]


def issued_file(session: Session, scope: Scope, doc_id: int, fmt: str) -> tuple[Issued, bytes] | None:
    """An issued document's stored bytes (.docx or .pdf) for a reader whose scope covers it; None else."""
    d = session.get(IssuedDocument, doc_id)
    if d is None or scope.school_id is not None or not scope.covers_area(d.area_code):
        return None
    body = d.docx if fmt == "docx" else d.pdf
    return (_plain(d), body) if body is not None else None


def settings_areas(session: Session, scope: Scope) -> list[tuple[str, str, str]]:
    """(code, name, level) of the areas whose settings an admin of this scope may set: each county in the
    scope, followed by its townships."""
    rows = session.execute(select(Area.code, Area.name, Area.level).where(
        Area.level.in_(("county", "township")), area_filter(scope, Area.code)).order_by(Area.code)).all()
    return [(c, n, lvl) for c, n, lvl in rows]


def next_number(session: Session, abbreviation: str, year: int) -> str:
    """The 发文字号 the issuer's next document of the year will take (nothing is reserved)."""
    last = session.scalar(select(DocumentSequence.last).where(DocumentSequence.abbreviation == abbreviation,
                                                               DocumentSequence.year == year)) or 0
    return document_number(abbreviation, year, last + 1)


def setting_lengths() -> dict[str, int]:
    """The longest value each text setting takes (the columns' lengths)."""
    return {c.name: c.type.length for c in DocumentSettings.__table__.columns
            if getattr(c.type, "length", None) and c.name in SETTING_FIELDS}
