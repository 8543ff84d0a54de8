"""Roster import: one term's census of the schools in the file (contract.md, "roster").

The file is read once, as a stream: each chunk of rows is parsed column by column, checked
(import_roster_check) and staged in a temporary table (import_stage: one COPY on PostgreSQL); duplicates
inside the file are found by unique indexes on that table. Only when the whole file is clean are students and
records compared with what is stored (one pass of joins into a second temporary table) and written by a few
set-based statements (import_bulk: on PostgreSQL a large load checks roster_record's foreign keys once, not per
row); Python holds one chunk of rows at a time. The import also lists the students of the previous term's roster
of the same schools who are missing now (import_missing). bench/results-import.md has the figures."""
from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger, Boolean, Date, Index, Integer, String, Table, and_, case, delete, exists, func, insert, literal,
    literal_column, or_, select, text, update,
)
from sqlalchemy.orm import Session

from config import import_undo_hours
from data_access.analytics.age_lines import refresh_age_lines
from data_access.analytics.aggregates import refresh_roster_aggregates
from data_access.cases.cases import open_cases_from_roster
from data_access.imports.batches import (
    SchoolBatches, begin_writing, commit_batch, interrupted_in, put_back, writes_in_batches,
)
from data_access.imports.bulk import (bulk_done, bulk_settings, foreign_keys_checked_once, is_postgresql,
                                     local_setting, next_ids_sql, stored_rows, temp_storage_for)
from data_access.imports.core import CHECKING, DONE, WRITING, Progress, Ticker, accepted, rejected
from domain.imports.results import ImportResult, PreviewRow
from data_access.imports.records import start_record
from data_access.partitions import ensure_term_partitions, term_partition
from data_access.imports.parse import fewer_gc_passes, iter_parsed_columns
from data_access.imports.readers import ProblemLog, UnreadableFile, open_table
from data_access.imports.roster_columns import OPTIONAL_FIELDS, ROSTER_COLUMNS, columns_for, fields_present
from domain.imports.results import ImportProblem
from data_access.imports.missing import lost_graduates, missing_students
from data_access.imports.poverty import apply_poverty_flags, flag_staged
from data_access.imports.roster_check import RosterChecker, load_refs
from data_access.imports.roster_scope import scope_problems
from data_access.imports.serial import hold_import_lock
from data_access.imports.stage import Stage
from data_access.imports.undo import prune_journal
from data_access.models import ImportReplacedRecord, ImportReplacedStudent, RosterRecord, School, Student, Term
from data_access.scope import Scope
from data_access.analytics.unit_counts import refresh_terms, terms_depending_on
from data_access.warning.refresh import request_refresh
from data_access.writers import importing
from domain.areas import county_of, township_of
from domain.terms import TermCode, parse_term

_IDENTITY = ("name", "gender", "birth_date", "id_number")
_RECORD = ("school_id", "grade", "class_name", "status", "household_code", "guardian_name", "guardian_phone",
           "poverty_registered", "disability", "left_behind", "migrant", "age",
           "left_behind_kind", "boarding", "mainstreamed", "orphan", "guardian_relation")
_OPTIONAL = OPTIONAL_FIELDS
_STAGED = (("student_no", String(19)), ("name", String(50)), ("gender", String(1)), ("birth_date", Date()),
           ("id_number", String(18)), ("school_id", Integer()), ("grade", Integer()), ("class_name", String(20)),
           ("status", String(4)), ("household_code", String(12)), ("guardian_name", String(50)),
           ("guardian_phone", String(20)), ("poverty_registered", Boolean()), ("disability", String(2)),
           ("left_behind", Boolean()), ("migrant", Boolean()), ("age", Integer()), ("id_key", BigInteger()),
           ("left_behind_kind", String(2)), ("boarding", Boolean()), ("mainstreamed", Boolean()), ("orphan", Boolean()),
           ("guardian_relation", String(20)))
ANALYZE_AFTER = 10_000    # PostgreSQL: rows written from which an import considers analyzing …
ANALYZE_SHARE = 10        # … the tables it changed by at least a tenth
PROBE_SHARE = 10          # PostgreSQL: a file of fewer rows than a tenth of the students is matched by index probes
_S = Student.__table__
_R = RosterRecord.__table__


def _id_start(value: str) -> str:
    return value[:4] + "…"


def _ensure_term(session: Session, term: TermCode) -> None:
    if session.get(Term, term.code) is None:
        session.execute(insert(Term), [{"code": term.code, "year": term.year, "semester": term.semester,
                                        "start_date": term.start, "end_date": term.end}])


def _match(session: Session, stage: Stage, term: str, identity: list[str], record: list[str]) -> Table:
    """A temporary table of the staged rows with what is stored for them: the student's id, the term's record
    id and school, and whether identity or record differ (one pass of joins, on any database). On PostgreSQL a
    new student's id is drawn from the sequence here, so the records of new students need no join back."""
    st = stage.c
    ident_differs = (or_(*(_S.c[f].is_distinct_from(st[f]) for f in identity)) if identity else literal(False))
    rec_differs = or_(*(_R.c[f].is_distinct_from(st[f]) for f in record))
    student_id: Any = _S.c.id
    order: Any = None                   # SQLite: as the join comes
    if is_postgresql(session):
        student_id = case((_S.c.id.is_(None), literal_column(next_ids_sql(session, "student"))), else_=_S.c.id)
        # ids are drawn after the sort: new students come in student-number order with rising ids, so their
        # inserts (and their records') walk the student_no, id and (term, student) indexes in order
        order = st.student_no.collate("C")
    query = (select(*st, student_id.label("student_id"), _S.c.id.is_(None).label("student_new"),
                    _R.c.id.label("record_id"), _R.c.school_id.label("old_school"),
                    and_(_S.c.id.is_not(None), ident_differs).label("ident_changed"),
                    and_(_R.c.id.is_not(None), rec_differs).label("rec_changed"))
             .select_from(stage.table.outerjoin(_S, _S.c.student_no == st.student_no)
                          .outerjoin(_R, (_R.c.term_code == term) & (_R.c.student_id == _S.c.id))))
    if order is not None:
        query = query.order_by(order)
    with _by_probes(session, stage.count, ("hash",)):   # (matching was slower without merge joins: 0.4 → 0.7 s)
        matched = stage.derive("import_roster_matched", query,
                               (("student_id", Integer()), ("student_new", Boolean()), ("record_id", Integer()),
                                ("old_school", Integer()), ("ident_changed", Boolean()), ("rec_changed", Boolean())))
    # for _absent's anti-join, and for the preview lists (ORDER BY school code … LIMIT: with statistics PostgreSQL
    # walks the schools in code order and, without an index, read the whole table for each of them: 131 s)
    Index(f"ix_{matched.name}_record", matched.c.record_id).create(stage.conn)
    Index(f"ix_{matched.name}_school", matched.c.school_id).create(stage.conn)   # (batches.school_batches' name)
    return matched


@contextlib.contextmanager
def _by_probes(session: Session, rows: int, joins: tuple[str, ...] = ("hash", "merge")) -> Iterator[None]:
    """Around the statements joining a file's rows to the stored students and lines: on PostgreSQL, a file small beside
    the student table (a county into a province database) is joined by index probes, not by hashing the table:
    matching, 100,000 probes took 0.2 s where hashing all 5 M students took 2.6 s; updating 100,000 changed lines,
    their students and the undo copies of these hashed every student and every term's lines (1.4–3.8 s each)."""
    probes = is_postgresql(session) and rows * PROBE_SHARE < stored_rows(session, "student")
    with contextlib.ExitStack() as stack:
        for join in joins:    # (the updates, without hash joins, sorted all 5 M students for a merge join instead)
            stack.enter_context(local_setting(session, f"enable_{join}join", "off", when=probes))
        yield


def _write_matched(session: Session, m: Table, term: str, identity: list[str], record: list[str],
                   step: Callable[[], None], rows: Any = None) -> tuple[int, int, set[int]]:
    """Write students and records from the matched table (its `rows` only, when given: a batch of schools);
    returns new and changed records and the schools records moved away from. `step` is called after each
    statement (progress)."""
    run = session.execute
    c = m.c
    only = (lambda q: q) if rows is None else (lambda q: q.where(rows))
    changed_row = or_(c.rec_changed.is_(True), c.ident_changed.is_(True))
    new, changed, idents, records_changed, moving = run(only(select(
        func.count().filter(c.record_id.is_(None)), func.count().filter(c.record_id.is_not(None), changed_row),
        func.count().filter(c.ident_changed.is_(True)), func.count().filter(c.rec_changed.is_(True)),
        func.count().filter(c.record_id.is_not(None), c.old_school != c.school_id)))).one()
    moved = set(run(only(select(c.old_school).distinct().where(
        c.record_id.is_not(None), c.old_school != c.school_id))).scalars()) if moving else set()
    if identity and idents:
        changes = only(select(c.student_id, *(c[f] for f in identity)).where(c.ident_changed.is_(True))).subquery()
        run(update(_S).where(_S.c.id == changes.c.student_id).values({f: changes.c[f] for f in identity}))
    step()
    ids_drawn = is_postgresql(session)       # new students' ids were drawn in _match
    run(insert(_S).from_select([*(["id"] if ids_drawn else []), "student_no", *identity],
                               only(select(*([c.student_id] if ids_drawn else []), c.student_no,
                                           *(c[f] for f in identity)).where(c.student_new.is_(True)))))
    step()
    if records_changed:
        changes = only(select(c.record_id, *(c[f] for f in record)).where(c.rec_changed.is_(True))).subquery()
        # PostgreSQL: named by term, so only the term's partition is joined (else every term's lines were hashed);
        # not on SQLite, which then walked the term's index instead of the ids (0.7 s a batch of 5,000)
        in_term = [_R.c.term_code == term] if is_postgresql(session) else []
        run(update(_R).where(*in_term, _R.c.id == changes.c.record_id).values({f: changes.c[f] for f in record}))
    step()
    if ids_drawn:
        records = select(literal(term, String(7)), c.student_id, *(c[f] for f in record))
    else:
        records = (select(literal(term, String(7)), _S.c.id, *(c[f] for f in record))
                   .select_from(m.join(_S, _S.c.student_no == c.student_no)))
    with foreign_keys_checked_once(session, "roster_record", int(new)):
        run(insert(_R).from_select(["term_code", "student_id", *record],
                                   only(records.where(c.record_id.is_(None)))))
    step()
    return int(new), int(changed), moved


def _remove_absent(session: Session, m: Table, term: str, school_ids: set[int]) -> int:
    """Delete the term's records of these schools whose students are not in the file (run before the new records
    are written, so a new term has nothing to look at). The caller gives only the schools the compare found such
    lines in: the anti-join reads every line of the schools it is given (0.25–0.3 s for a county's 100,000 changed
    lines with none to remove)."""
    removed = 0
    ids = sorted(school_ids)
    for i in range(0, len(ids), 500):
        removed += session.execute(delete(_R).where(_absent(m, term, set(ids[i:i + 500])))).rowcount
    return removed


def _analyze_after_bulk_load(session: Session, new: int, removed: int, term: str) -> None:
    """Refresh PostgreSQL's statistics after a large load so the next import's lookups use the indexes: of the
    tables the load changed by at least a tenth (ANALYZE_SHARE: autovacuum's own threshold, which takes over from
    there for the changes of several smaller imports) or that were never analyzed; of the term's partitions where
    the roster is partitioned (analyzing the partitioned tables samples every term's partition and then the whole
    hierarchy again: 2.4 s at province scale, against 0.8 s). A county into a province database changes 2% of
    its term: nothing to analyze (0.55 s saved)."""
    if new + removed < ANALYZE_AFTER or not is_postgresql(session):
        return
    conn = session.connection()
    records, aggregates = (term_partition(conn, table, term) or table for table in ("roster_record", "roster_agg"))
    tables = [table for table, changed, size_of in (("student", new, "student"), (records, new + removed, records),
                                                   (aggregates, new + removed, records))   # (its lines: the share)
              if _reltuples(session, table) < 0 or changed * ANALYZE_SHARE >= stored_rows(session, size_of)]
    if tables:
        session.execute(text(f"ANALYZE {', '.join(tables)}"))   # names of this module and term_partition (a term code)


def _reltuples(session: Session, table: str) -> float:
    """PostgreSQL's row estimate of one table: -1 when it was never analyzed (or vacuumed)."""
    return session.execute(text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                           {"t": table}).scalar()


def _schools_and_area(session: Session, school_ids: set[int]) -> tuple[list[str], str | None]:
    """The school codes of a file (for the data status page) and the smallest area holding them all (audit)."""
    rows = session.execute(select(School.code, School.township_code).where(School.id.in_(sorted(school_ids)))).all()
    towns = {t for _c, t in rows}
    area = next(iter(towns)) if len(towns) == 1 else (
        county_of(next(iter(towns))) if towns and len({county_of(t) for t in towns}) == 1 else None)
    return sorted(c for c, _t in rows), area


PREVIEW_LISTED = 1000          # rows of each change listed in a preview; the rest are only counted
_LABELS = {c.name: c.zh for c in ROSTER_COLUMNS} | {"age": "年龄", "school_id": "学校标识码"}
_SC = School.__table__


@dataclass
class Diff:
    """What a clean staged file would do to the stored roster of its schools."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    rows: list[PreviewRow] = field(default_factory=list)
    digest: str = ""
    share: float = 0.0
    share_school: str = ""
    removed_lines: list[Any] = field(default_factory=list, repr=False)   # (id, school) of the lines that would go


def _absent(m: Table, term: str, school_ids: set[int]) -> Any:
    """The term's records of the file's schools whose students are not in the file (they would be removed): the
    matched table holds the term's record of every student of the file, so those are the records it does not
    name (an anti-join on its indexed record ids; joining each record to student and the stage by number took
    4–5 s for a county of the province database)."""
    return and_(_R.c.term_code == term, _R.c.school_id.in_(sorted(school_ids)),
                ~exists().where(m.c.record_id == _R.c.id))


def _changed_row(m: Table) -> Any:
    """A matched row whose stored line or identity the file changes."""
    return and_(m.c.record_id.is_not(None), or_(m.c.rec_changed.is_(True), m.c.ident_changed.is_(True)))


def _diff(session: Session, stage: Stage, m: Table, term: str, school_ids: set[int]) -> Diff:
    """Count the new, changed and removed rows and make a digest of what would be written (checked at
    confirmation); `removed_lines` holds the (id, school) of the lines that would go, for _describe."""
    run = session.execute
    c = m.c
    changed_row = _changed_row(m)
    d = Diff()
    new_nos = sorted(run(select(c.student_no).where(c.record_id.is_(None))).scalars())
    changed_ids = sorted(run(select(c.record_id).where(changed_row)).scalars())
    removed = run(select(_R.c.id, _R.c.school_id).where(_absent(m, term, school_ids))).all()
    d.new, d.changed, d.removed = len(new_nos), len(changed_ids), len(removed)
    d.unchanged = stage.count - d.new - d.changed
    h = hashlib.sha256(term.encode())
    for tag, values in (("n", new_nos), ("c", changed_ids), ("r", sorted(r[0] for r in removed))):
        h.update(f"|{tag}:".encode() + ",".join(map(str, values)).encode())
    d.digest = h.hexdigest()
    d.removed_lines = removed
    return d


def _describe(session: Session, d: Diff, m: Table, term: str, school_ids: set[int], identity: list[str],
              record: list[str]) -> Diff:
    """What a preview shows beside the counts: the first PREVIEW_LISTED new, changed and removed rows and the
    largest share of one school's stored pupils that would go. Only for a preview (an import that writes returns
    none of it: it was 0.2–0.3 s of a county's import into the province database)."""
    run = session.execute
    c = m.c
    changed_row = _changed_row(m)
    removed = d.removed_lines
    if removed:
        stored = dict(run(select(_R.c.school_id, func.count()).where(
            _R.c.term_code == term, _R.c.school_id.in_(sorted(school_ids))).group_by(_R.c.school_id)).all())
        gone: dict[int, int] = {}
        for _id, school in removed:
            gone[school] = gone.get(school, 0) + 1
        school, share = max(((s_, n / max(stored.get(s_, 1), 1)) for s_, n in gone.items()), key=lambda x: x[1])
        d.share = share
        d.share_school = run(select(_SC.c.code).where(_SC.c.id == school)).scalar() or ""
    new_rows = run(select(c.student_no, c.name, _SC.c.code, _SC.c.name, c.grade, c.class_name, c.status)
                   .join(_SC, _SC.c.id == c.school_id).where(c.record_id.is_(None))
                   .order_by(_SC.c.code, c.grade, c.student_no).limit(PREVIEW_LISTED)).all()
    d.rows += [PreviewRow("new", *r) for r in new_rows]
    old_r = _R.alias("old_r")
    old_s = _S.alias("old_s")
    fields = [*(("r", f) for f in record), *(("s", f) for f in identity)]
    changed_rows = run(select(c.student_no, c.name, _SC.c.code, _SC.c.name, c.grade, c.class_name, c.status,
                              *(c[f] for _t, f in fields),
                              *((old_r.c[f] if t == "r" else old_s.c[f]) for t, f in fields))
                       .join(_SC, _SC.c.id == c.school_id).join(old_r, old_r.c.id == c.record_id)
                       .join(old_s, old_s.c.id == c.student_id).where(changed_row)
                       .order_by(_SC.c.code, c.grade, c.student_no).limit(PREVIEW_LISTED)).all()
    n = len(fields)
    for r in changed_rows:
        now_, before = r[7:7 + n], r[7 + n:]
        which = [_LABELS.get(f, f) for (_t, f), a, b in zip(fields, now_, before) if a != b]
        d.rows.append(PreviewRow("changed", *r[:7], fields="、".join(dict.fromkeys(which))))
    removed_rows = run(select(_S.c.student_no, _S.c.name, _SC.c.code, _SC.c.name, _R.c.grade, _R.c.class_name,
                              _R.c.status)
                       .select_from(_R.join(_S, _S.c.id == _R.c.student_id).join(_SC, _SC.c.id == _R.c.school_id))
                       # the file's schools named on school too: else PostgreSQL walked every school of the database
                       # in code order, probing each one's records (1.2 s for a county of the province database)
                       .where(_absent(m, term, school_ids), _SC.c.id.in_(sorted(school_ids)))
                       .order_by(_SC.c.code, _R.c.grade, _S.c.student_no).limit(PREVIEW_LISTED)).all()
    d.rows += [PreviewRow("removed", *r) for r in removed_rows]
    return d


def _keep_replaced(session: Session, import_id: int, m: Table, term: str, school_ids: set[int],
                   identity: list[str], rows: Any = None) -> None:
    """Keep what the import replaces, for undo: the term's records of the file's schools and the records that
    move to them (with their ids), and the identities it changes (of the matched `rows` only, when given)."""
    cols = [c.name for c in _R.columns if c.name != "id"]
    only = (lambda q: q) if rows is None else (lambda q: q.where(rows))
    ids = sorted(school_ids)
    moving = only(select(m.c.record_id).where(m.c.record_id.is_not(None), m.c.old_school.not_in(ids)))
    kept = select(literal(import_id, Integer()), _R.c.id, *(_R.c[c_] for c_ in cols))
    # two statements, each through an index ((term, school), then the ids): one with OR read the whole roster table
    for where in ((_R.c.term_code == term) & _R.c.school_id.in_(ids), _R.c.id.in_(moving)):
        session.execute(insert(ImportReplacedRecord).from_select(["import_id", "record_id", *cols], kept.where(where)))
    if identity:
        session.execute(insert(ImportReplacedStudent).from_select(
            ["import_id", "student_id", "name", "gender", "birth_date", "id_number"],
            select(literal(import_id, Integer()), _S.c.id, _S.c.name, _S.c.gender, _S.c.birth_date, _S.c.id_number)
            .where(_S.c.id.in_(only(select(m.c.student_id).where(m.c.ident_changed.is_(True)))))))


def _preview_result(diff: Diff, term: str, stale: bool = False) -> ImportResult:
    return ImportResult("roster", True, diff.new, diff.changed, diff.unchanged, removed=diff.removed, term=term,
                        preview=True, preview_rows=diff.rows, digest=diff.digest, removal_share=diff.share,
                        removal_school=diff.share_school, stale=stale)


@importing()   # its own statements are not another writer's: its batches pause only for others (data_access.writers)
def import_roster(session: Session, path: str | Path, term: str, *, scope: Scope | None = None,
                  progress: Progress | None = None, preview: bool = False, expect: str | None = None,
                  allow_removals: int | None = None) -> ImportResult:
    """Import one term's roster; it replaces that term's records of the schools in the file.

    `scope` (a user's) refuses rows of schools outside it; `progress(done, total, phase)` hears how far
    checking and writing have got. Nothing is written, and a preview of what the file would do is returned
    instead (result.preview), when `preview` is set, when `expect` (the digest of the preview the user
    confirmed) no longer matches what the file would do now (result.stale), or when the file would remove more
    pupils than `allow_removals` (None: no limit). The import lock is held while comparing and writing, so what
    was compared is what is written."""
    try:
        term_code = parse_term(term)
    except ValueError as exc:
        return rejected("roster", [ImportProblem(0, "term", term, str(exc))])
    hold_import_lock(session, term_code.code, progress=progress)   # one import of a term at a time
    if not preview:
        ensure_term_partitions(session, term_code.code)   # PostgreSQL: the term's partitions, before any roster read
    interrupted_in(session, term_code.code)   # an earlier import of the term whose process died: put it back
    problems = ProblemLog()
    refs = load_refs(session)
    stage: Stage | None = None
    try:
        with open_table(path, ROSTER_COLUMNS) as table:
            tick = Ticker(progress, table.total_rows)
            tick(0, CHECKING, force=True)
            headers = {c.key: table.header(c) for c in ROSTER_COLUMNS}
            present = fields_present(table.found)
            check = RosterChecker(headers, refs, term_code, scope, problems, found=table.found.keys())
            temp_storage_for(session, table.total_rows)        # SQLite: in memory for a file of moderate size
            stage = Stage(session, "import_roster_stage", _STAGED)
            checked = 0
            with fewer_gc_passes():
                for numbers, values in iter_parsed_columns(table, columns_for(table.found), problems):
                    stage.add_many(check(numbers, values))
                    checked += len(numbers)
                    tick(checked, CHECKING)
            stage.close()
            tick(checked, CHECKING, force=True)
    except UnreadableFile as exc:
        problems += exc.problems
    except BaseException:
        if stage is not None:
            stage.abandon()             # end an open COPY, so the caller can roll back
        raise
    if stage is not None and stage.count:
        for key, column, value, shown in (("student_id", "student_no", "student_no", str),
                                          ("id_number", "id_key", "id_number", _id_start)):
            if not stage.unique(column, bytewise=column == "student_no"):
                for row, found, first in stage.duplicates(column, value):
                    problems.append(ImportProblem(row, headers[key], shown(found),
                                                  f"appears more than once (first on row {first})"))
        identity = [f for f in _IDENTITY if f not in _OPTIONAL or f in present]
        problems += scope_problems(session, stage, term_code.code, scope, refs, headers, identity)
    if problems:
        if stage is not None:
            stage.drop()
        return rejected("roster", problems)
    assert stage is not None
    identity, record = _fields(present)
    if "poverty_registered" in record:       # a pupil on the term's poverty list stays flagged (issue 16.4)
        flag_staged(session, stage.table, term_code.code)
    batched = writes_in_batches(session, stage.count)
    if not preview and not batched:
        begin_writing(session)           # SQLite: compare and write what is stored now, holding the write lock
    matched = _match(session, stage, term_code.code, identity, record)
    diff = _diff(session, stage, matched, term_code.code, check.school_ids)
    stale = expect is not None and expect != diff.digest
    if preview or stale or (allow_removals is not None and diff.removed > allow_removals):
        _describe(session, diff, matched, term_code.code, check.school_ids, identity, record)
        stage.drop()
        if progress:
            progress(stage.count, stage.count, DONE)
        return _preview_result(diff, term_code.code, stale)
    if batched:
        # compared without the write lock (imports and withdrawals of the term wait for the import lock); the
        # batches hold it one at a time
        begin_writing(session)
    import_id = start_record(session, "roster", path, term_code.code)
    try:
        written = _write(session, stage, matched, term_code, identity, record, check.school_ids,
                         {school for _line, school in diff.removed_lines}, Ticker(progress, stage.count), import_id)
        codes, area = _schools_and_area(session, check.school_ids)
        result = accepted(session, "roster", path, written.new, written.changed, written.unchanged, written.removed,
                          term=term_code.code, missing=written.missing_count, previous_term=written.previous_term,
                          schools=codes, area=area, import_id=import_id, school_ids=sorted(check.school_ids),
                          undoable=True)
        result.term, result.previous_term = term_code.code, written.previous_term
        result.missing_students, result.missing_count = written.missing_students, written.missing_count
        result.cases_opened = written.cases_opened
        # 小升初: the spring's grade-6 graduates (of the importer's area) on no roster of this autumn term
        result.graduates_term, result.lost_graduates, result.lost_graduate_count = lost_graduates(
            session, term_code.code, scope)
    except BaseException:
        put_back(session, import_id)      # a batched import's committed batches (SQLite); else nothing to do
        raise
    finally:
        bulk_done(session)
    if progress:
        progress(stage.count, stage.count, DONE)
    return result


def _fields(present: set[str]) -> tuple[list[str], list[str]]:
    """The identity and record fields the file sets (optional columns it lacks keep their stored values)."""
    keep = {f for f in _IDENTITY + _RECORD if f not in _OPTIONAL or f in present}
    return [f for f in _IDENTITY if f in keep], [f for f in _RECORD if f in keep]


def _write(session: Session, stage: Stage, matched: Table, term: TermCode, identity: list[str], record: list[str],
           school_ids: set[int], removing: set[int], tick: Ticker, import_id: int) -> ImportResult:
    """Write a clean staged, matched file: students, records, removals (of the `removing` schools: those the compare
    found lines to remove in; a term's lines change only under its import lock, held since), aggregates (keeping
    what it replaces, for undo); find the missing students. A large file on SQLite is written and committed in
    batches of whole schools (data_access.imports.batches), the rest in the caller's transaction."""
    bulk_settings(session)
    _ensure_term(session, term)
    prune_journal(session, term.code, import_undo_hours())   # the term's journals no undo can use any more
    total = stage.count
    batches = SchoolBatches(session, matched, school_ids, total, writes_in_batches(session, total))
    done = 0                               # rows of the batches written

    def stepper(size: int) -> Callable[[], None]:
        steps = iter(range(1, 6))
        return lambda: tick(done + size * next(steps) // 5, WRITING, force=True)
    tick(0, WRITING, force=True)
    new = changed = removed = 0
    moved: set[int] = set()
    written: set[int] = set()
    refreshed: set[int] = set()            # schools whose aggregate rows were recomputed, and their leaf codes
    leaves: set[str] = set()
    stale: set[int] = set()                # schools whose lines changed and whose aggregates are not yet recomputed
    for group, size, last in batches:
        batched = not (last and not written)           # (one batch of everything: no commit between)
        rows = matched.c.school_id.in_(sorted(group)) if batched else None
        step = stepper(size)
        with _by_probes(session, size):
            _keep_replaced(session, import_id, matched, term.code, group, identity, rows)
            gone = _remove_absent(session, matched, term.code, group & removing)
            step()
            n, c, away = _write_matched(session, matched, term.code, identity, record, step, rows)
        if "poverty_registered" not in record:   # new lines of a file without the column: flagged from the list
            apply_poverty_flags(session, term.code, group)
        if n or c or gone:                   # a re-import of the same file changes nothing, not even aggregates
            stale |= group | away
        # each school's aggregate rows are recomputed once, with the batch after which no later one changes its lines
        # (a file moving a county's pupils among its schools recomputed the whole county in every batch: ~20 of 26 s
        # CPU for 100,000 lines on SQLite; then every school pupils left for a later batch twice: 0.6 s)
        due = batches.settled(stale, group, last)
        if due:
            leaves |= refresh_roster_aggregates(session, term.code, due, age_lines=False) or set()
            refreshed |= due
            stale -= due
        new, changed, removed, moved, written = new + n, changed + c, removed + gone, moved | away, written | group
        done += size
        if batched:
            batches.held(size)
            commit_batch(session, import_id, written)
    stage.drop()
    opened = 0
    if leaves:       # the school-age lines of every township the recomputed rows count toward, once (not per batch)
        refresh_age_lines(session, term.code, {township_of(code) for code in leaves})
    if new or changed or removed:
        # only those schools' rows and their areas' chain (issue 19 item 2), in every term reading this roster
        refresh_terms(session, terms_depending_on(session, roster_term=term.code), schools=refreshed,
                      area_codes=leaves, roster_term=term.code)
        _analyze_after_bulk_load(session, new, removed, term.code)
        # 辍学 lines without a case open one in the confirmed ledger (the file's schools passed the scope check)
        opened = open_cases_from_roster(session, None, term.code, sorted(school_ids))
        request_refresh(session, term.code, school_ids | moved)   # early warning: scored after commit (20.6)
    previous, listed, count = missing_students(session, term.code, school_ids)
    return ImportResult("roster", True, new, changed, total - new - changed, removed=removed, term=term.code,
                        missing_students=listed, missing_count=count, previous_term=previous, cases_opened=opened)
