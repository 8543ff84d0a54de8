"""Large roster imports on SQLite write school batch by school batch (issue 12, item 6).

SQLite has one writer at a time: an import that wrote 200,000 rows in one transaction held the database's write lock
for 2–7 s (a million rows: ~16 s), and every save of every user waited that long. So on SQLite an import of more
than BATCH_ROWS rows writes whole schools at a time, commits each batch and, when another transaction writes or waits
to write (data_access.writers: otherwise a fifth of the write phase was pauses for nobody), leaves the lock free for
BATCH_PAUSE seconds (SQLite's busy handler polls at most every 100 ms, so a waiting save gets in) before the next one.
The first batch takes about BATCH_ROWS rows; each next one as many as the last one wrote in BATCH_SECONDS (between
BATCH_ROWS and MAX_BATCH_ROWS), so the lock is held about that long at a time on any machine: batches of a fixed
5,000 rows held it ~0.15 s and left it free 0.1 s, a third of a 100,000-row import spent waiting for nobody.
A school is never split: between two batches every school of the file has its roster lines either as before the
import or as in the file — except that a pupil a batch moves in from another school of the file has left that
school's lines already. A school's aggregate rows are recomputed once, with the batch after which no later one
changes its lines (its own batch, or that of the last school of the file its pupils move to), so until then the
aggregates may count a moved pupil at both schools. The school-age lines (the children and agreement pages) and the
term's unit counts (what the dashboards read) are refreshed with the last batch, so until then those pages show the
figures before the import.

All or nothing still holds, by putting back: each batch keeps the rows it replaces (import_replaced_record, as for
undo) and adds its schools to the import's record, which says `writing` until the last batch commits. When the
import fails after a batch was committed, the committed batches are put back at once (`put_back`); when its process
dies, the import's lock files are released and the next import of the term, the next start of the app, or the
web process that saw its job's process die puts them back (`recover_interrupted`). Cases are opened and scores
refreshed only in the last transaction, so a put-back import leaves nothing behind but student rows no roster
lists (as undo does).

PostgreSQL needs none of this (readers and writers of other rows do not wait for an import): one transaction."""
from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Table, func, select, text, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.imports.bulk import is_postgresql
from data_access.imports.records import now, school_ids
from data_access.imports.serial import ImportBusy, hold_import_lock
from data_access.imports.undo import restore_replaced
from data_access.models import ImportRecord
from data_access.writers import signal_of

BATCH_ROWS = 5_000        # SQLite: rows of an import's first batch (whole schools), and the fewest of any batch …
BATCH_SECONDS = 0.5       # … then as many as the last batch wrote in this many seconds of holding the write lock …
MAX_BATCH_ROWS = 100_000  # … up to this many
BATCH_PAUSE = 0.1         # seconds the write lock stays free between two batches
INTERRUPTED = "interrupted"
log = logging.getLogger(__name__)


def writes_in_batches(session: Session, rows: int) -> bool:
    """Whether an import of `rows` rows writes in batches: on SQLite, from more than BATCH_ROWS rows."""
    return not is_postgresql(session) and rows > BATCH_ROWS


class SchoolBatches:
    """The file's schools in batches of whole schools, in school order (a school larger than a batch alone), sized by
    time: iterate for (schools, rows, last); call `held()` when a batch is written, before its commit. One batch of
    every school and all the file's `rows` when `batched` is false."""

    def __init__(self, session: Session, matched: Table, schools: set[int], rows: int, batched: bool) -> None:
        self.left: deque[tuple[int, int]] = deque()
        self.schools = set(schools)
        self.total = rows
        self.rows = BATCH_ROWS
        self.started = 0.0
        self.changed_until: dict[int, int] = {}   # a school → the file's last school whose batch changes its lines
        if batched:   # the matched table gets an index on the school, which every statement of a batch selects by
            session.execute(text(f"CREATE INDEX IF NOT EXISTS temp.ix_{matched.name}_school "
                                 f"ON {matched.name} (school_id)"))
            self.left.extend((school, n) for school, n in session.execute(
                select(matched.c.school_id, func.count()).group_by(matched.c.school_id).order_by(matched.c.school_id))
                if school in schools)
            c = matched.c      # pupils leaving a school are written with the batch of the school they move to
            for old, latest in session.execute(select(c.old_school, func.max(c.school_id))
                                               .where(c.record_id.is_not(None), c.old_school != c.school_id)
                                               .group_by(c.old_school)):
                self.changed_until[old] = max(old, latest) if old in schools else latest

    def __iter__(self) -> Iterator[tuple[set[int], int, bool]]:
        if not self.left:
            yield set(self.schools), self.total, True
            return
        while self.left:
            group: set[int] = set()
            size = 0
            while self.left and (not group or size + self.left[0][1] <= self.rows):
                school, n = self.left.popleft()
                group.add(school)
                size += n
            self.started = time.perf_counter()
            yield group, size, not self.left

    def settled(self, changed: set[int], group: set[int], last: bool) -> set[int]:
        """Of the schools whose lines changed so far, those whose lines no later batch changes (batches go in school
        order; a school's pupils moving to a later school change its lines in that school's batch): every one with
        the last batch."""
        if last:
            return set(changed)
        top = max(group)
        return {school for school in changed if self.changed_until.get(school, school) <= top}

    def held(self, rows: int) -> None:
        """The batch of `rows` rows is written: the next one takes as many rows as fit in BATCH_SECONDS at its rate."""
        took = time.perf_counter() - self.started
        rate = rows / took if took > 0 else float("inf")
        self.rows = int(min(MAX_BATCH_ROWS, max(BATCH_ROWS, rate * BATCH_SECONDS)))


def _raw(session: Session) -> Any:
    """The session's DB-API connection (sqlite3): its transaction is committed or rolled back under the Session,
    which keeps its connection, its temporary tables and the import's locks."""
    return session.connection().connection.dbapi_connection


def begin_writing(session: Session) -> None:
    """SQLite: end the transaction's read snapshot (committing what it holds: temporary tables, nothing of the
    import yet) and start an IMMEDIATE transaction, which waits for the write lock (the busy timeout) and reads the
    database as it is now. A deferred transaction that has read and then writes after another connection
    committed fails at once with "database is locked" (its snapshot is stale): every transaction of an import
    that reads before it writes starts here. Nothing to do on PostgreSQL."""
    if is_postgresql(session):
        return
    raw = _raw(session)
    if raw.in_transaction:
        raw.commit()
    raw.execute("BEGIN IMMEDIATE")


def commit_batch(session: Session, import_id: int, written: set[int]) -> None:
    """Commit the batch just written (the record lists every school written so far and says `writing`), then, when
    any other transaction writes or waits to (data_access.writers), leave the write lock free for BATCH_PAUSE
    seconds."""
    session.execute(update(ImportRecord).where(ImportRecord.id == import_id).values(
        writing=True, schools=json.dumps(sorted(written))))
    session.flush()
    _raw(session).commit()
    session.info["import_batches"] = import_id
    signal = signal_of(session.get_bind())
    if signal is None or signal.others_writing():   # somebody writes or waits to: let them in (data_access.writers)
        time.sleep(BATCH_PAUSE)
    begin_writing(session)                # the next batch, or the import's last steps


def put_back(session: Session, import_id: int) -> bool:
    """After a failure of a batched import: roll back the batch being written and put back the batches committed
    (in a transaction of their own, committed here). False when there was nothing committed, or it could not be
    done now (the next start or import of the term does it)."""
    if session.info.pop("import_batches", None) != import_id:
        return False
    raw = _raw(session)
    try:
        raw.rollback()
        begin_writing(session)
        record = session.get(ImportRecord, import_id, populate_existing=True)
        if record is None or not record.writing:
            return False
        _restore(session, record)
        session.flush()
        raw.commit()
    except Exception:                     # the database is gone: recover_interrupted does it later
        log.exception("could not put back the batches of import %s", import_id)
        raw.rollback()
        return False
    return True


def _restore(session: Session, record: ImportRecord) -> None:
    """Put the schools a batched import wrote back as they were, and mark it undone by the interruption."""
    term = record.term_code or ""
    restored, deleted = restore_replaced(session, record.id, term, school_ids(record))
    session.execute(update(ImportRecord).where(ImportRecord.id == record.id).values(
        writing=False, undoable=False, undone_at=now(), undone_by=INTERRUPTED))
    audit.record(session, "import_interrupted", "roster", record.file_name[:100],
                 before={"import_id": record.id, "actor": record.actor},
                 after={"term": term, "restored": restored, "deleted": deleted}, area=record.area_code)


def interrupted_in(session: Session, term: str) -> None:
    """Put back the interrupted batched imports of `term` (the caller holds the term's import lock)."""
    found = select(ImportRecord.id).where(ImportRecord.writing.is_(True), ImportRecord.term_code == term)
    if session.execute(found.limit(1)).first() is None:
        return
    begin_writing(session)
    for record in session.scalars(select(ImportRecord).where(ImportRecord.id.in_(found))):
        _restore(session, record)


def recover_interrupted(factory: Any) -> int:
    """Put back every interrupted batched import whose import lock is free (its process is gone), each in a
    transaction of its own; returns how many. Run at start-up and when a job's process died."""
    with factory() as s:
        pending = list(s.execute(select(ImportRecord.id, ImportRecord.term_code)
                                 .where(ImportRecord.writing.is_(True))).all())
    done = 0
    for import_id, term in pending:
        with audit.acting_as(None, "recovery"), factory() as s, s.begin():
            try:
                hold_import_lock(s, term, wait=0)
            except ImportBusy:
                continue                   # still being written by a live process
            begin_writing(s)
            record = s.get(ImportRecord, import_id)
            if record is not None and record.writing:
                _restore(s, record)
                done += 1
    return done
