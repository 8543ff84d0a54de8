"""SQLite: whether any other transaction is writing or waiting to write, so a batched import pauses only for them.

A large roster import on SQLite writes in batches and, between two of them, leaves the write lock free long enough
for a waiting save to take it (data_access.imports.batches). SQLite does not say whether anybody is waiting, so the
import paused after every batch: about a fifth of its write phase, nearly always for nobody. Now every transaction
that writes holds a shared lock on a file beside the database (`<database>-writers`, flock) from its first writing
statement until it commits or rolls back: in every process and thread of the app (web workers, job processes, the
CLI), since each opens the same file. Between two batches the import asks for the file's exclusive lock without
waiting: when it gets it nobody writes or waits, and it goes straight on; when it does not, it pauses as before. A
save that starts just after the question waits for one batch (~BATCH_SECONDS) and is let in after it. A process
that dies releases its locks with it. An in-memory database has no file and no other connection: nothing to do."""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import weakref
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, event

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
_local = threading.local()      # this thread's import: its own statements are not another writer's
_SIGNALS: weakref.WeakKeyDictionary[Engine, WriterSignal] = weakref.WeakKeyDictionary()


class WriterSignal:
    """The shared lock of one SQLite database file's writers, counted per process (one flock per process)."""

    def __init__(self, database: str) -> None:
        self.path = f"{database}-writers"
        self._fd: int | None = None
        self._count = 0
        self._lock = threading.Lock()

    def _open(self) -> int:
        return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)

    def enter(self) -> None:
        """A transaction of this process starts writing."""
        with self._lock:
            if self._count == 0:
                self._fd = self._open()
                fcntl.flock(self._fd, fcntl.LOCK_SH)   # waits only while an import asks (microseconds)
            self._count += 1

    def leave(self) -> None:
        """A writing transaction of this process ended."""
        with self._lock:
            self._count -= 1
            if self._count == 0 and self._fd is not None:
                os.close(self._fd)                      # (closing releases the lock)
                self._fd = None

    def others_writing(self) -> bool:
        """Whether any transaction (of any process, this one's included) holds or waits for the right to write."""
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False


def install(engine: Engine, database: str) -> WriterSignal:
    """Make every writing transaction on `engine` (a SQLite file) hold the database's writer signal."""
    signal = WriterSignal(database)

    @event.listens_for(engine, "before_cursor_execute")
    def _writing(conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        if conn.info.get("writer") or getattr(_local, "importing", False):
            return
        if statement[:32].lstrip()[:7].upper().startswith(_WRITES):   # (every statement passes here: no copy of it)
            signal.enter()
            conn.info["writer"] = True

    def _ended(conn: Any) -> None:
        if conn.info.pop("writer", False):
            signal.leave()

    event.listen(engine, "commit", _ended)
    event.listen(engine, "rollback", _ended)

    @event.listens_for(engine, "reset")
    def _reset(_dbapi_conn: Any, record: Any, _state: Any = None) -> None:   # returned to the pool mid-transaction
        if record.info.pop("writer", False):
            signal.leave()
    _SIGNALS[engine] = signal
    return signal


def signal_of(engine: Engine) -> WriterSignal | None:
    """The engine's writer signal (a SQLite file), else None."""
    return _SIGNALS.get(engine)


@contextlib.contextmanager
def importing() -> Iterator[None]:
    """Around an import's own writes in this thread: they are the import's, not another writer's."""
    before = getattr(_local, "importing", False)
    _local.importing = True
    try:
        yield
    finally:
        _local.importing = before
