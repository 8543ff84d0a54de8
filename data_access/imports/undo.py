"""Undoing a roster import (issue 16.1): within a window (BAOXUE_IMPORT_UNDO_HOURS) an admin whose area holds all
the import's schools restores the term's roster of those schools as it was before the import (the rows it
replaced were kept, with their ids: import_replaced_record, import_replaced_student), the figures are refreshed
and the undo is audit-logged. Refused after a later import of one of the same schools in the same term, after
the window, after the term was withdrawn, for an import already undone, and for any other role or area."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, exists, insert, or_, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.analytics.aggregates import refresh_roster_aggregates
from data_access.analytics.unit_counts import refresh_terms, terms_depending_on
from data_access.imports.records import now, school_ids
from data_access.imports.serial import hold_import_lock
from data_access.models import (AuditLog, ImportRecord, Term, ImportReplacedRecord, ImportReplacedStudent, RosterRecord, School,
                                Student)
from data_access.scope import Scope

DEFAULT_UNDO_HOURS = 72.0


class UndoRefused(Exception):
    """The user may not undo this import (wrong role or area; unknown import)."""


class UndoInvalid(Exception):
    """The import cannot be undone any more; the message key says why ("window", "later import", "undone",
    "not undoable")."""


@dataclass(frozen=True)
class Undone:
    """What an undo did."""

    import_id: int
    term: str
    restored: int      # records put back
    deleted: int       # records of the import taken out


def _check(session: Session, role: str, scope: Scope, record: ImportRecord | None, hours: float,
           at: dt.datetime) -> ImportRecord:
    if record is None or role != "admin":
        raise UndoRefused("not allowed")
    schools = session.scalars(select(School).where(School.id.in_(sorted(school_ids(record))))).all()
    if not scope.unrestricted and not all(scope.covers_school(s) for s in schools):
        raise UndoRefused("not allowed")
    if record.kind != "roster" or not record.undoable:
        raise UndoInvalid("not undoable")
    if record.undone_at is not None:
        raise UndoInvalid("undone")
    if at - record.at > dt.timedelta(hours=hours):
        raise UndoInvalid("window")
    if later_import(session, record) is not None:
        raise UndoInvalid("later import")
    if session.get(Term, record.term_code) is None or session.scalar(select(AuditLog.id).where(
            AuditLog.action == "withdraw_term", AuditLog.entity_key == record.term_code,
            AuditLog.at >= record.at).limit(1)) is not None:
        raise UndoInvalid("withdrawn")
    return record


def later_import(session: Session, record: ImportRecord) -> ImportRecord | None:
    """A later roster import (not undone) of the same term touching one of the same schools, if any."""
    mine = school_ids(record)
    for other in session.scalars(select(ImportRecord).where(
            ImportRecord.kind == "roster", ImportRecord.term_code == record.term_code, ImportRecord.id != record.id,
            ImportRecord.at >= record.at, ImportRecord.undone_at.is_(None))):
        if (other.at > record.at or other.id > record.id) and mine & school_ids(other):
            return other
    return None


def may_undo(session: Session, role: str, scope: Scope, record: ImportRecord, hours: float,
             at: dt.datetime | None = None) -> bool:
    """Whether this user could undo this import now (to offer the button)."""
    try:
        _check(session, role, scope, record, hours, at or now())
    except (UndoRefused, UndoInvalid):
        return False
    return True


def undo_import(session: Session, role: str, scope: Scope, import_id: int, hours: float = DEFAULT_UNDO_HOURS,
                at: dt.datetime | None = None) -> Undone:
    """Restore the term's roster of the import's schools as it was before it (in the caller's transaction)."""
    record = session.get(ImportRecord, import_id)
    record = _check(session, role, scope, record, hours, at or now())
    term = record.term_code or ""
    hold_import_lock(session, term)
    record = _check(session, role, scope, session.get(ImportRecord, import_id, populate_existing=True), hours,
                    at or now())
    restored, deleted = restore_replaced(session, import_id, term, school_ids(record))
    _user_id, actor = audit.actor()
    session.execute(update(ImportRecord).where(ImportRecord.id == import_id).values(undone_at=at or now(),
                                                                                    undone_by=actor[:100]))
    audit.record(session, "import_undone", "roster", record.file_name[:100],
                 before={"import_id": import_id, "new": record.new, "changed": record.changed,
                         "removed": record.removed},
                 after={"term": term, "restored": restored, "deleted": deleted}, area=record.area_code)
    return Undone(import_id, term, restored, deleted)


def prune_journal(session: Session, term: str, hours: float, at: dt.datetime | None = None) -> int:
    """Drop the undo journal (the kept lines and identities) of the term's roster imports that can no longer be
    undone: older than the window, undone, or put back after an interruption; they are marked not undoable. The
    caller holds the term's import lock (as undo does), so no undo of them can be under way. Returns the journal
    rows deleted. Without it every import kept a copy of every line it replaced for ever: at province scale the
    journal grew like the roster itself."""
    cutoff = (at or now()) - dt.timedelta(hours=hours)
    journal = (ImportReplacedRecord, ImportReplacedStudent)
    # the term's imports probed one by one on the journal's import_id index (not the whole journal read per import)
    ids = sorted(session.scalars(select(ImportRecord.id).where(
        ImportRecord.kind == "roster", ImportRecord.term_code == term, ImportRecord.writing.is_(False),
        or_(ImportRecord.at < cutoff, ImportRecord.undone_at.is_not(None), ImportRecord.undoable.is_(False)),
        or_(*(exists().where(table.import_id == ImportRecord.id) for table in journal)))))
    if not ids:
        return 0
    deleted = sum(session.execute(delete(table).where(table.import_id.in_(ids))).rowcount for table in journal)
    session.execute(update(ImportRecord).where(ImportRecord.id.in_(ids)).values(undoable=False))
    return deleted


def restore_replaced(session: Session, import_id: int, term: str, schools: set[int]) -> tuple[int, int]:
    """Put the term's roster of `schools` back as it was before the import (the rows it kept): take out the
    term's records of those schools and of the kept students, insert the kept rows with their ids, restore the
    identities it changed, refresh the figures. Returns (records restored, records deleted)."""
    kept = session.execute(select(ImportReplacedRecord).where(ImportReplacedRecord.import_id == import_id)).scalars().all()
    students = {r.student_id for r in kept}
    R = RosterRecord
    deleted = session.execute(delete(R).where(R.term_code == term, R.school_id.in_(sorted(schools)))).rowcount
    for i in range(0, len(students), 500):
        chunk = sorted(students)[i:i + 500]
        deleted += session.execute(delete(R).where(R.term_code == term, R.student_id.in_(chunk))).rowcount
    columns = [c.name for c in R.__table__.columns if c.name != "id"]
    rows = [{"id": k.record_id, **{c: getattr(k, c) for c in columns}} for k in kept]
    for i in range(0, len(rows), 1000):
        session.execute(insert(R), rows[i:i + 1000])
    for old in session.scalars(select(ImportReplacedStudent).where(ImportReplacedStudent.import_id == import_id)):
        session.execute(update(Student).where(Student.id == old.student_id).values(
            name=old.name, gender=old.gender, birth_date=old.birth_date, id_number=old.id_number))
    touched = schools | {k.school_id for k in kept}
    leaves = refresh_roster_aggregates(session, term, touched)
    refresh_terms(session, terms_depending_on(session, roster_term=term), schools=touched, area_codes=leaves,
                  roster_term=term)
    return len(rows), deleted
