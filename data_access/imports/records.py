"""Import records (issue 16.7): every accepted import keeps its source file's name, size and SHA-256, who and
when, and what it did; a roster import also keeps the rows it replaced (import_undo reads them)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.models import ImportRecord


def file_facts(path: str | Path) -> tuple[str, int, str]:
    """The file's name, size in bytes and SHA-256 (hex), read in blocks."""
    file = Path(path)
    digest = hashlib.sha256()
    size = 0
    with file.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return file.name, size, digest.hexdigest()


def now() -> dt.datetime:
    """UTC now, naive (as the audit log stores it)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def start_record(session: Session, kind: str, path: str | Path, term: str | None = None) -> int:
    """Insert the import's record (its file, who, when) and return its id; counts follow in finish_record."""
    name, size, sha = file_facts(path)
    user_id, actor = audit.actor()
    return int(session.execute(insert(ImportRecord).returning(ImportRecord.id), [{
        "kind": kind, "term_code": term, "file_name": name[:200], "file_size": size, "sha256": sha,
        "user_id": user_id, "actor": actor[:100], "at": now(), "new": 0, "changed": 0, "unchanged": 0,
        "removed": 0, "undoable": False}]).scalar_one())


def finish_record(session: Session, import_id: int, new: int, changed: int, unchanged: int, removed: int, *,
                  area: str | None = None, schools: list[int] | None = None, undoable: bool = False) -> None:
    """Store what the import did."""
    session.execute(update(ImportRecord).where(ImportRecord.id == import_id).values(
        new=new, changed=changed, unchanged=unchanged, removed=removed, area_code=area, undoable=undoable, writing=False,
        schools=None if schools is None else json.dumps(sorted(schools))))


def school_ids(record: ImportRecord) -> set[int]:
    """The school ids of a roster import."""
    return set(json.loads(record.schools or "[]"))


def records_of(session: Session, term: str | None = None, limit: int = 200) -> list[ImportRecord]:
    """The latest import records (of a term, with the imports of no term), newest first."""
    query = select(ImportRecord).order_by(ImportRecord.at.desc(), ImportRecord.id.desc()).limit(limit)
    if term is not None:
        query = query.where((ImportRecord.term_code == term) | ImportRecord.term_code.is_(None))
    return list(session.scalars(query))
