"""Evidence files of an order's submission: the same checks as a visit's evidence (at most 10 MB; PDF, JPG,
PNG, DOCX, XLSX recognised by their content), stored under a random name in the orders folder. The unit
adds and removes files while it works on the order; a submission takes the files it hands in."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access import audit
from data_access.inspection.access import Actor, InvalidInput, now
from data_access.inspection.evidence import MIMETYPES, EvidenceRefused, check_file, clean_name, written
from data_access.models import OrderEvidence
from data_access.rectification.orders import ORDER_ENTITY, OrderAccess, OrderRefused, require_order
from domain.rectification.rules import may

WORKING_STATUSES = ("in_progress", "returned")  # the unit collects evidence before it submits
MAX_FILES = 20


def orders_folder(evidence_dir: str | Path) -> Path:
    """Where order evidence is kept: the evidence folder's orders/ subfolder."""
    return Path(evidence_dir) / "orders"


def _may_collect(session: Session, actor: Actor, order_id: Any) -> OrderAccess:
    access = require_order(session, actor, order_id)
    if not may("submit", access.relation):
        raise OrderRefused()
    if access.status not in WORKING_STATUSES:
        raise InvalidInput("evidence_not_now")
    return access


def refuse_upload(session: Session, actor: Actor, order_id: Any, code: str) -> None:
    """Refuse an unreadable upload after the permission check (a stranger gets OrderRefused, not a message)."""
    _may_collect(session, actor, order_id)
    raise EvidenceRefused(code, limit="10 MB")


def store_evidence(session: Session, actor: Actor, order_id: Any, folder: Path, name: str,
                   data: bytes) -> OrderEvidence:
    """Check and store a file the unit uploads for its next submission."""
    access = _may_collect(session, actor, order_id)
    kind = check_file(name, data)
    files = session.scalars(select(OrderEvidence.id).where(OrderEvidence.order_id == access.order_id)).all()
    if len(files) >= MAX_FILES:
        raise InvalidInput("too_many_files", limit=MAX_FILES)
    original = clean_name(name)
    with written(folder, kind, data) as f:
        row = OrderEvidence(order_id=access.order_id, event_id=None, stored_name=f.stored_name,
                            original_name=original, file_type=f.file_type, size=f.size, sha256=f.sha256,
                            uploaded_by=actor.user_id, uploaded_at=now())
        session.add(row)
        session.flush()
    return row


def remove_evidence(session: Session, actor: Actor, order_id: Any, evidence_id: Any) -> str:
    """Delete a file not yet handed in; returns the stored name, for the caller to unlink after commit."""
    access = _may_collect(session, actor, order_id)
    row = session.get(OrderEvidence, evidence_id) if isinstance(evidence_id, int) else None
    if row is None or row.order_id != access.order_id:
        raise InvalidInput("bad_value")
    if row.event_id is not None:
        raise InvalidInput("evidence_submitted")
    stored = row.stored_name
    audit.record(session, "remove_evidence", ORDER_ENTITY, str(access.order_id), before={"file": row.original_name})
    session.delete(row)
    session.flush()
    return stored


@dataclass(frozen=True)
class StoredOrderFile:
    """Where an order's evidence file is on disk and how to send it."""

    order_id: int
    path: Path
    download_name: str
    mimetype: str


def locate_evidence(session: Session, folder: Path, evidence_id: int) -> StoredOrderFile | None:
    """The file of an evidence row (the caller checks the order's read permission)."""
    row = session.get(OrderEvidence, evidence_id)
    if row is None:
        return None
    path = (folder / row.stored_name).resolve()
    if path.parent != folder.resolve() or not path.is_file():
        return None
    return StoredOrderFile(row.order_id, path, row.original_name, MIMETYPES[row.file_type])
