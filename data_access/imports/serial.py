"""Imports that touch the same data run one after the other (issue 12, item 2).

A roster import of term T holds T and the terms whose counts use T's roster (terms_depending_on: the term itself
and, for an autumn term, the autumn and spring terms of its year and of the year CONSOLIDATION_SPAN later)
exclusively, and "all imports" shared; every other import (areas, schools, population, history, boundaries)
refreshes counts of many terms and holds "all imports" exclusively. Locks are taken in one order ("all" first,
then the terms sorted), so two imports never deadlock; a held lock lasts until the end of the transaction.

- PostgreSQL: transaction-level advisory locks (pg_try_advisory_xact_lock[_shared]), so every web process and
  Celery worker on any machine agrees.
- SQLite: flock on small files in a folder beside the database file (the embedded database lives on one machine),
  or in a folder of the process and engine for an in-memory database (private to it); released when the session's transaction ends.

A second import waits, reporting the phase "waiting" to its progress callback, at most WAIT_SECONDS; then it gives
up with ImportBusy (nothing was written)."""
from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.orm import Session, SessionTransaction

from domain.dashboard.indicators import CONSOLIDATION_SPAN
from domain.terms import parse_term

WAIT_SECONDS = 600.0                # how long a second import waits for the first one
POLL_SECONDS = 0.25
ALL = "all"
WAITING = "waiting"


class ImportBusy(Exception):
    """Another import of the same data held its lock for longer than the wait; nothing was written."""


def lock_keys(term: str | None) -> list[tuple[str, bool]]:
    """(key, exclusive) in locking order: a roster term's keys, or everything for the other imports."""
    if term is None:
        return [(ALL, True)]
    t = parse_term(term)
    terms = {t.code}
    if t.semester == 1:
        terms |= {f"{year}-{semester}" for year in (t.year, t.year + CONSOLIDATION_SPAN) for semester in (1, 2)}
    return [(ALL, False), *((f"term:{code}", True) for code in sorted(terms))]


def _pg_key(key: str) -> int:
    """A stable signed 64-bit advisory lock key for one of our keys."""
    digest = hashlib.sha256(f"baoxue-import:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _lock_folder(session: Session) -> Path:
    """Where the SQLite lock files live: beside the database file, or per process for a memory database."""
    database = session.get_bind().url.database
    if database and database != ":memory:":
        folder = Path(f"{database}-import-locks")
    else:
        folder = Path(tempfile.gettempdir()) / f"baoxue-import-locks-{os.getpid()}-{id(session.get_bind())}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _release_files(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        for fd in session.info.pop("import_lock_files", {}).values():
            os.close(fd)                          # closing the file releases its flock


def _try_file(session: Session, key: str, exclusive: bool) -> bool:
    """flock the key's file (the session's own file again when it holds the key already: flock converts)."""
    held: dict[str, int] = session.info.setdefault("import_lock_files", {})
    fd = held.get(key)
    if fd is None:
        path = _lock_folder(session) / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        if key not in held:
            os.close(fd)
        return False
    if not session.info.get("import_lock_listener"):
        event.listen(session, "after_transaction_end", _release_files)
        session.info["import_lock_listener"] = True
    held[key] = fd
    return True


def _try_pg(session: Session, key: str, exclusive: bool) -> bool:
    fn = "pg_try_advisory_xact_lock" if exclusive else "pg_try_advisory_xact_lock_shared"
    return bool(session.execute(text(f"SELECT {fn}(:k)"), {"k": _pg_key(key)}).scalar())


def hold_import_lock(session: Session, term: str | None = None, *, wait: float | None = None,
                     progress: Callable[[int, int, str], None] | None = None) -> None:
    """Take the locks of an import (a roster's term, or None for the other kinds) until the end of the session's
    transaction, waiting at most `wait` seconds (default WAIT_SECONDS) with progress(0, 0, "waiting") reports;
    ImportBusy when they stay busy."""
    session.connection()                          # inside the caller's transaction
    try_lock: Callable[[Session, str, bool], bool] = (
        _try_pg if session.get_bind().dialect.name == "postgresql" else _try_file)
    deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
    told = 0.0
    for key, exclusive in lock_keys(term):
        while not try_lock(session, key, exclusive):
            now = time.monotonic()
            if now >= deadline:
                raise ImportBusy(key)
            if progress is not None and now - told >= 1:
                progress(0, 0, WAITING)
                told = now
            time.sleep(POLL_SECONDS)

