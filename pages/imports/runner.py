"""What the Imports page does apart from drawing: who may import what, the signed tickets that carry a
user's identity into a background job (which has no request), and the job itself.

No callbacks and no page here (pages/imports.py has them); this module is imported by it."""
from __future__ import annotations

import base64
import datetime as dt
import binascii
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from config import INSTANCE_DIR, job_timeout_seconds
from data_access import audit
from data_access.imports.core import Progress, record_refusal
from domain.imports.results import ImportResult
from data_access.imports.jobs import FAILED, QUEUED, RUNNING, JobStore, result_of
from data_access.imports.serial import ImportBusy
from data_access.imports.batches import recover_interrupted
from data_access.imports.files import IMPORTERS
from data_access.models import User
from data_access.scope import Scope, scope_for_user
from domain.terms import parse_term
from web.jobs import job_session_factory

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
TICKET_MAX_AGE = 24 * 3600          # seconds a ticket stays valid (an upload is imported right after it)
ALL_KINDS = ("roster", "population", "enrollment_history", "poverty", "schools", "areas", "boundaries")
AREA_KINDS = ("roster", "population", "enrollment_history", "poverty")
TERM_KINDS = ("roster", "poverty")      # kinds imported for one term (the page's term picker)
_SALT = "baoxue-import"
PENDING_KEPT = dt.timedelta(hours=2)   # a previewed roster file waits this long for its confirmation


def job_store() -> JobStore:
    """The per-user job and upload files under the instance folder (a dead job is audited as failed)."""
    return JobStore(INSTANCE_DIR / "jobs", timeout=job_timeout_seconds(), on_fail=_audit_dead_job)


def _audit_dead_job(job: dict[str, Any]) -> None:
    """The audit entry of a job found dead (its process ended, or it never started), naming who tried."""
    try:
        audit_failure(job_session_factory(), job, job.get("error", "interrupted"))
    except Exception:  # noqa: BLE001 - the user is told anyway; a missing audit line must not hide the failure
        log.exception("could not audit the failure of import job %s", job.get("id"))


def audit_failure(session_factory: Callable[[], Session], job: dict[str, Any], error: str) -> None:
    """Record that an import of this job's user failed (crashed, died, never started, or refused to start)."""
    action = "import_refused" if error == "not allowed" else "import_failed"
    with audit.acting_as(job.get("user_id"), job.get("username") or f"user {job.get('user_id')}"), \
            session_factory() as s, s.begin():
        audit.record(s, action, job.get("kind") or "import", (job.get("file_name") or "")[:100],
                     after={"error": error, "job": job.get("id"), **({"term": job["term"]} if job.get("term") else {})})


def error_key(exc: BaseException) -> str:
    """The job error key of an exception: busy (another import held the term), database busy, or its type."""
    if isinstance(exc, ImportBusy):
        return "busy"
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        return "database busy"
    return type(exc).__name__


def allowed_kinds(role: str, scope: Scope) -> tuple[str, ...]:
    """The import kinds a user may run: admin all (an area admin the per-area ones), school staff their
    school's roster, township officers their township's population; nobody else any."""
    if role == "admin":
        return ALL_KINDS if scope.unrestricted else AREA_KINDS
    if role == "school_staff":
        return ("roster",) if scope.school_id is not None else ()
    if role == "township_officer":
        return ("population",) if scope.areas else ()
    return ()


def import_scope(role: str, scope: Scope) -> Scope | None:
    """The scope rows of an import are checked against (None: no limit, an unrestricted admin)."""
    return None if role == "admin" and scope.unrestricted else scope


class UploadRefused(ValueError):
    """An upload that is not kept (too big, not decodable), with the reason as its message (English key)."""


def decode_upload(contents: str) -> bytes:
    """The bytes of a dcc.Upload `contents` data URL, refusing files over MAX_UPLOAD_BYTES."""
    _, _, data = (contents or "").partition(",")
    if len(data) * 3 // 4 > MAX_UPLOAD_BYTES + 3:
        raise UploadRefused("too big")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UploadRefused("unreadable") from exc
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UploadRefused("too big")
    return raw


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def sign(secret_key: str, **values: Any) -> str:
    """A ticket the browser carries but cannot forge (user id, upload or job id)."""
    return _serializer(secret_key).dumps(values)


def unsign(secret_key: str, ticket: Any) -> dict[str, Any] | None:
    """The values of a valid, recent ticket, or None."""
    if not isinstance(ticket, str):
        return None
    try:
        values = _serializer(secret_key).loads(ticket, max_age=TICKET_MAX_AGE)
    except BadSignature:
        return None
    return values if isinstance(values, dict) else None


def check_request(kind: str, term: str | None, kinds: tuple[str, ...]) -> str | None:
    """Why this import cannot start (an English message key), or None."""
    if kind not in kinds:
        return "kind not allowed"
    if kind in TERM_KINDS:
        try:
            parse_term(term or "")
        except ValueError:
            return "term missing"
    return None


def run_import_job(session_factory: Callable[[], Session], store: JobStore, secret_key: str, ticket: Any,
                   progress: Progress | None = None) -> str | None:
    """Run the import a ticket names, as its user, outside any request: check the ticket, load the user again
    and re-check what they may import, import in one transaction (rolled back on refusal), audit it, keep the
    result in the user's job file, delete the upload. Returns the job id (None for a bad ticket)."""
    values = unsign(secret_key, ticket)
    if not values or not isinstance(values.get("u"), int) or not isinstance(values.get("j"), str):
        return None
    user_id, job_id = values["u"], values["j"]
    job = store.get(user_id, job_id)
    if job is None or job["status"] != QUEUED:
        return job_id if job else None
    store.update(user_id, job_id, status=RUNNING)
    pending = False
    try:
        with store.heartbeat(user_id, job_id):
            _run(session_factory, store, user_id, job, progress)
        pending = _awaits_confirmation(store, user_id, job_id)
    except Exception as exc:  # noqa: BLE001 - the job must end with a result the user sees, never silently
        pending = False
        log.exception("import job %s of user %s failed", job_id, user_id)
        store.update(user_id, job_id, status=FAILED, error=error_key(exc))
        try:
            audit_failure(session_factory, job, error_key(exc))
        except Exception:  # noqa: BLE001 - e.g. the database is down: the job file still says what happened
            log.exception("could not audit the failure of import job %s", job_id)
    finally:
        if not pending:         # a previewed roster keeps its file until it is confirmed (or expires)
            store.discard_upload(user_id, job.get("upload_id", ""), job_id)
    return job_id


def _awaits_confirmation(store: JobStore, user_id: int, job_id: str) -> bool:
    """Whether the job ended with a preview whose file waits for the user's confirmation."""
    job = store.get(user_id, job_id) or {}
    return bool(job.get("status") == "finished" and (job.get("result") or {}).get("preview"))


def _run(session_factory: Callable[[], Session], store: JobStore, user_id: int, job: dict[str, Any],
         progress: Progress | None) -> None:
    job_id, kind = job["id"], job["kind"]
    with session_factory() as s:
        user = s.get(User, user_id)
        scope = scope_for_user(s, user) if user is not None and user.is_active else None
        role, username = (user.role, user.username) if scope is not None else ("", "")
    if scope is None or kind not in allowed_kinds(role, scope):
        store.update(user_id, job_id, status=FAILED, error="not allowed")
        audit_failure(session_factory, job, "not allowed")
        return
    path = store.upload_path(user_id, job.get("upload_id", ""))
    if path is None:
        store.update(user_id, job_id, status=FAILED, error="upload missing")
        return
    name = Path(job.get("file_name") or "").name.strip() or f"upload{path.suffix}"
    named = path.parent / job_id / name           # the user's file name in reports and the audit log
    named.parent.mkdir(exist_ok=True)
    path.rename(named)
    store_progress = _progress_to_file(store, user_id, job_id, progress)
    kwargs: dict[str, Any] = {"progress": store_progress}
    if kind in ("roster", "population", "enrollment_history", "poverty"):
        kwargs["scope"] = import_scope(role, scope)
    args: tuple[Any, ...] = (job["term"],) if kind in TERM_KINDS else ()
    if kind == "roster":                  # a roster is previewed first; written only as confirmed (issue 16.1)
        if job.get("mode") == "confirm":
            kwargs.update(expect=str(job.get("expect") or ""), allow_removals=int(job.get("allow_removals") or 0))
        else:
            kwargs["preview"] = True
    if kind == "boundaries":
        args = (job.get("code_property") or "code",)
        kwargs["datum"] = job.get("datum") or "wgs84"
    result: ImportResult | None = None
    try:
        with audit.acting_as(user_id, username), session_factory() as s:
            s.begin()
            try:
                result = IMPORTERS[kind](s, named, *args, **kwargs)
                if result_is_preview(result):
                    s.rollback()              # nothing was written
                elif result.ok:
                    s.commit()
                else:
                    s.rollback()
                    with s.begin():
                        record_refusal(s, result, named.name,
                                       **({"term": job["term"]} if kind in TERM_KINDS else {}))
            finally:
                if result_is_preview(result):
                    named.rename(path)        # kept under its upload id for the confirmation
                named.unlink(missing_ok=True)
                named.parent.rmdir()
    except BaseException:
        if kind == "roster":                  # a batched SQLite import that failed at its last commit
            recover_interrupted(session_factory)
        raise
    assert result is not None
    result.file_name = name
    store.finish(user_id, job_id, result)


def result_is_preview(result: Any) -> bool:
    """Whether an import's result is a preview (nothing was written; the file waits for a confirmation)."""
    return isinstance(result, ImportResult) and result.ok and result.preview


def pending_preview(store: JobStore, user_id: int, job_id: Any) -> tuple[dict[str, Any], ImportResult] | None:
    """The user's own finished roster preview whose file still waits (and has not expired), or None."""
    if not isinstance(job_id, str):
        return None
    job = store.get(user_id, job_id)
    result = result_of(job)
    if job is None or result is None or not result_is_preview(result) or job.get("kind") != "roster":
        return None
    if store.upload_path(user_id, job.get("upload_id", "")) is None:
        return None
    updated = dt.datetime.fromisoformat(job["updated"])
    if dt.datetime.now(dt.timezone.utc) - updated > PENDING_KEPT:
        store.discard_upload(user_id, job.get("upload_id", ""))
        return None
    return job, result


def _progress_to_file(store: JobStore, user_id: int, job_id: str, progress: Progress | None) -> Progress:
    """A progress callback that keeps the job file current (for a user who comes back) and passes on."""
    def report(done: int, total: int, phase: str) -> None:
        store.update(user_id, job_id, progress={"done": done, "total": total, "phase": phase})
        if progress is not None:
            progress(done, total, phase)
    return report
