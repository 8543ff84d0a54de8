"""Checklist templates for the file review: list them, and save an edited one as a new version.

A visit keeps the template it was made with, so an edit never rewrites past visits: saving
creates a new template, makes it the default for new visits and leaves the old ones in place.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from data_access.inspection.visits import area_chain, default_template
from data_access.scope import Scope, area_filter
from data_access.models import ChecklistItem, ChecklistTemplate, InspectionVisit

MAX_TEXT = 300


class ChecklistError(ValueError):
    """An edited checklist that cannot be saved: a reason key, its facts, and an English message."""

    def __init__(self, key: str, message: str, **facts: object) -> None:
        super().__init__(message)
        self.key, self.facts = key, facts


@dataclass(frozen=True)
class TemplateRow:
    """A template as the admin page lists it."""

    id: int
    name: str
    is_default: bool
    items: int
    visits: int
    area_code: str | None = None
    editable: bool = True


def owner_area(scope: Scope, area_code: str | None) -> str | None:
    """The area whose checklists an admin edits: theirs, or None (everywhere) for an unrestricted admin."""
    return None if scope.unrestricted else area_code


def template_rows(session: Session, scope: Scope | None = None, area_code: str | None = None) -> list[TemplateRow]:
    """The templates an admin may see, newest first, with item and visit counts: those of their area and below
    (editable) and those in force above it (read-only); every template for an unrestricted admin."""
    default_template(session)
    stmt = select(ChecklistTemplate).order_by(ChecklistTemplate.id.desc())
    if scope is not None and not scope.unrestricted:
        above = area_chain(session, area_code)[1:]
        stmt = stmt.where(or_(area_filter(scope, ChecklistTemplate.area_code), ChecklistTemplate.area_code.is_(None),
                              ChecklistTemplate.area_code.in_(above)))
    items = dict(session.execute(select(ChecklistItem.template_id, func.count())
                                 .group_by(ChecklistItem.template_id)).all())
    visits = dict(session.execute(select(InspectionVisit.template_id, func.count())
                                  .group_by(InspectionVisit.template_id)).all())
    return [TemplateRow(t.id, t.name, t.is_default, items.get(t.id, 0), visits.get(t.id, 0), t.area_code,
                        scope is None or scope.unrestricted or (t.area_code is not None and scope.covers_area(t.area_code)))
            for t in session.scalars(stmt)]


def parse_items(text: str) -> list[tuple[str, str]]:
    """One item per line, "中文 | English" (the English part optional); ValueError naming the line."""
    items: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        zh, _sep, en = (part.strip() for part in line.partition("|"))
        if not zh:
            raise ChecklistError("empty", f"line {number}: the Chinese text is empty", line=number)
        if len(zh) > MAX_TEXT or len(en) > MAX_TEXT:
            raise ChecklistError("long", f"line {number}: longer than {MAX_TEXT} characters", line=number,
                                 limit=MAX_TEXT)
        if zh in seen:
            raise ChecklistError("twice", f"line {number}: {zh!r} is listed twice", line=number, text=zh)
        seen.add(zh)
        items.append((zh, en))
    if not items:
        raise ChecklistError("no_items", "the checklist has no items")
    return items


def save_new_version(session: Session, name: str, items: list[tuple[str, str]],
                     area_code: str | None = None) -> ChecklistTemplate:
    """Create a template of an area (None: everywhere) from these items and make it that area's default for new
    visits; other areas' checklists are untouched."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ChecklistError("name", "the name must have 1 to 100 characters")
    own = ChecklistTemplate.area_code == area_code if area_code else ChecklistTemplate.area_code.is_(None)
    session.execute(update(ChecklistTemplate).where(ChecklistTemplate.is_default, own).values(is_default=False))
    template = ChecklistTemplate(name=name, area_code=area_code, is_default=True, active=True, items=[
        ChecklistItem(position=i + 1, code=f"item{i + 1:02d}", text_zh=zh, text_en=en)
        for i, (zh, en) in enumerate(items)])
    session.add(template)
    session.flush()
    return template


def template_text(template: ChecklistTemplate) -> str:
    """The template's items as editable lines "中文 | English"."""
    return "\n".join(f"{i.text_zh} | {i.text_en}" if i.text_en else i.text_zh for i in template.items)
