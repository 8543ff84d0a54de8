"""Evidence files of a visit: at most 10 MB, PDF / JPG / PNG / DOCX / XLSX recognised by their content
(magic bytes, and the parts inside an Office file), stored under a random name outside any web path."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.inspection.access import Actor, EditState, InvalidInput, require_edit, touch
from data_access.inspection.records import evidence_owner_ok
from data_access.models import EvidenceFile
from domain.evidence import EXTENSIONS

MAX_BYTES = 10 * 1024 * 1024
MIMETYPES = {
    "pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class EvidenceRefused(InvalidInput):
    """A file that may not be stored: too large, empty, of a type not allowed, or not what it says."""


def _office_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def sniff(data: bytes) -> str | None:
    """The file type its content shows (pdf, jpg, png, docx, xlsx), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


def check_file(name: str, data: bytes) -> str:
    """The file's type if it may be stored; EvidenceRefused (code: too_large, empty, bad_type, type_mismatch)."""
    if len(data) > MAX_BYTES:
        raise EvidenceRefused("too_large", limit="10 MB")
    if not data:
        raise EvidenceRefused("empty")
    ext = EXTENSIONS.get(Path(name or "").suffix.lower().lstrip("."))
    kind = sniff(data)
    if ext is None or kind is None:
        raise EvidenceRefused("bad_type")
    if ext != kind:
        raise EvidenceRefused("type_mismatch")
    return kind


def clean_name(name: str) -> str:
    """A file name safe to show and to offer as the download name."""
    base = Path((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return base[-150:] or "evidence"


@dataclass(frozen=True)
class WrittenFile:
    """A checked upload written under a random name: what its row must record."""

    stored_name: str
    file_type: str
    size: int
    sha256: str


@contextlib.contextmanager
def written(folder: Path, kind: str, data: bytes) -> Iterator[WrittenFile]:
    """Write an upload under a new random name (owner-only); remove it again if the block fails."""
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.{kind}"
    path = folder / stored
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    try:
        yield WrittenFile(stored, kind, len(data), hashlib.sha256(data).hexdigest())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def store(session: Session, actor: Actor, visit_id: Any, edit: EditState, folder: Path, name: str, data: bytes,
          item_id: int | None = None, finding_id: int | None = None) -> EvidenceFile:
    """Check and store an uploaded file for a visit (optionally for an item or a finding)."""
    require_edit(session, actor, visit_id)
    evidence_owner_ok(session, visit_id, item_id, finding_id)
    kind = check_file(name, data)
    original = clean_name(name)
    touch(session, actor, visit_id, edit, {"section": "evidence", "added": original, "item": item_id,
                                           "finding": finding_id})
    with written(folder, kind, data) as f:
        row = EvidenceFile(visit_id=visit_id, item_id=item_id, finding_id=finding_id, stored_name=f.stored_name,
                           original_name=original, file_type=f.file_type, size=f.size, sha256=f.sha256,
                           uploaded_by=actor.user_id, uploaded_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
        session.add(row)
        session.flush()
    return row


def remove(session: Session, actor: Actor, visit_id: Any, edit: EditState, evidence_id: Any) -> str:
    """Delete an evidence row; returns the stored name, for the caller to unlink after commit."""
    require_edit(session, actor, visit_id)
    row = session.get(EvidenceFile, evidence_id) if isinstance(evidence_id, int) else None
    if row is None or row.visit_id != visit_id:
        raise InvalidInput("bad_value")
    touch(session, actor, visit_id, edit, {"section": "evidence", "removed": row.original_name})
    row = session.get(EvidenceFile, evidence_id)
    stored = row.stored_name
    session.delete(row)
    return stored


@dataclass(frozen=True)
class StoredFile:
    """Where an evidence file is on disk and how to send it."""

    visit_id: int
    path: Path
    download_name: str
    mimetype: str


def locate(session: Session, folder: Path, evidence_id: int) -> StoredFile | None:
    """The file of an evidence row (the caller checks the visit's read permission)."""
    row = session.scalar(select(EvidenceFile).where(EvidenceFile.id == evidence_id))
    if row is None:
        return None
    path = (folder / row.stored_name).resolve()
    if path.parent != folder.resolve() or not path.is_file():
        return None
    return StoredFile(row.visit_id, path, row.original_name, MIMETYPES[row.file_type])
