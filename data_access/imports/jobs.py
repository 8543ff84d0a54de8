"""Import jobs of the web pages, kept as files per user under the instance folder:

    instance/jobs/<user id>/uploads/<upload id><suffix>    an uploaded file waiting to be imported
    instance/jobs/<user id>/<job id>.json                  what was asked, progress, and the result
    instance/jobs/<user id>/<job id>.alive                 touched by a running job every HEARTBEAT seconds

A job shows a sign of life (its file stamped, or its heartbeat) at least every HEARTBEAT seconds while it runs; a
running job silent for `timeout` seconds (a queued one for `queued_timeout`: never picked up) died with its
process, and the first reader marks it failed for good, deletes its upload and reports it to `on_fail`. Uploads
hold names and ID numbers: they are deleted when their job ends in any way, and `purge` deletes old job files,
uploads never imported and the work folders of dead jobs.

A user sees only the files of their own folder; ids are random hex (checked, so a browser-sent id cannot
point outside the folder). Writes are atomic (a temporary file renamed), so a reader never sees half a file."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from domain.imports.results import ImportResult

_ID = re.compile(r"^[0-9a-f]{32}$")
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".geojson", ".json", ".xls")
KEEP_JOBS = 10
HEARTBEAT = 5.0                            # seconds between two signs of life of a running job
TIMEOUT = 45.0                             # seconds without a sign of life after which a running job is dead
QUEUED_TIMEOUT = 120.0                     # seconds after which a job never started is given up
UPLOAD_KEPT = dt.timedelta(days=1)         # an upload not imported within a day is deleted
JOB_KEPT = dt.timedelta(days=7)            # job files (results list missing students by name) are purged after
QUEUED, RUNNING, FINISHED, FAILED = "queued", "running", "finished", "failed"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


def _write_json(path: Path, data: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
    os.replace(tmp, path)


class JobStore:
    """The job and upload files of every user under one root folder."""

    def __init__(self, root: str | Path, timeout: float = TIMEOUT, queued_timeout: float = QUEUED_TIMEOUT,
                 on_fail: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.root = Path(root)
        self.timeout = timeout
        self.queued_timeout = max(queued_timeout, timeout)
        self.on_fail = on_fail

    def folder(self, user_id: int) -> Path:
        """The user's own folder (created on demand)."""
        path = self.root / str(int(user_id))
        path.mkdir(parents=True, exist_ok=True)
        return path

    # uploads ---------------------------------------------------------------------------------------

    def save_upload(self, user_id: int, file_name: str, data: bytes) -> str:
        """Keep an uploaded file; return its upload id."""
        suffix = Path(file_name).suffix.lower()
        suffix = suffix if suffix in SUFFIXES else ".bin"
        upload_id = secrets.token_hex(16)
        folder = self.folder(user_id) / "uploads"
        folder.mkdir(exist_ok=True)
        self.purge()                          # uploads never imported and old results do not pile up
        (folder / f"{upload_id}{suffix}").write_bytes(data)
        return upload_id

    def upload_path(self, user_id: int, upload_id: str) -> Path | None:
        """The file of an upload of this user, or None (unknown, malformed id, or already imported)."""
        if not isinstance(upload_id, str) or not _ID.match(upload_id):
            return None
        folder = self.folder(user_id) / "uploads"
        found = [p for p in folder.glob(f"{upload_id}.*") if p.is_file()] if folder.is_dir() else []
        return found[0] if found else None

    def discard_upload(self, user_id: int, upload_id: str, job_id: str = "") -> None:
        """Delete an upload once it has been imported (or refused), and the job's work folder if any."""
        path = self.upload_path(user_id, upload_id)
        if path is not None:
            path.unlink(missing_ok=True)
        if isinstance(job_id, str) and _ID.match(job_id):
            shutil.rmtree(self.folder(user_id) / "uploads" / job_id, ignore_errors=True)
            (self.folder(user_id) / f"{job_id}.alive").unlink(missing_ok=True)

    def beat(self, user_id: int, job_id: str) -> None:
        """A sign of life of a running job."""
        (self.folder(user_id) / f"{job_id}.alive").touch()

    @contextmanager
    def heartbeat(self, user_id: int, job_id: str) -> Iterator[None]:
        """Beat every HEARTBEAT seconds (a third of the timeout if less) from a thread of this process while the
        block runs (a job's process that dies stops beating, which is how its death is noticed)."""
        every = min(HEARTBEAT, self.timeout / 3)
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(every):
                self.beat(user_id, job_id)
        self.beat(user_id, job_id)
        thread = threading.Thread(target=beat, name=f"baoxue-heartbeat-{job_id[:8]}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=every + 1)

    # jobs ------------------------------------------------------------------------------------------

    def create(self, user_id: int, **fields: Any) -> str:
        """Record a new job (queued) with what was asked; return its id."""
        job_id = secrets.token_hex(16)
        _write_json(self.folder(user_id) / f"{job_id}.json",
                    {"id": job_id, "user_id": int(user_id), "status": QUEUED, "created": _now(), "updated": _now(),
                     "progress": {"done": 0, "total": 0, "phase": "checking"}, "result": None, **fields})
        self._prune(user_id)
        self.purge()
        return job_id

    def get(self, user_id: int, job_id: str) -> dict[str, Any] | None:
        """A job of this user, or None; a job silent for too long is marked failed (see the module's doc)."""
        if not isinstance(job_id, str) or not _ID.match(job_id):
            return None
        job = self._read(user_id, job_id)
        if job is not None and job.get("status") in (QUEUED, RUNNING) and self._silent(user_id, job):
            job.update(status=FAILED, error="interrupted" if job["status"] == RUNNING else "not started",
                       updated=_now())
            _write_json(self.folder(user_id) / f"{job_id}.json", job)
            self.discard_upload(user_id, job.get("upload_id", ""), job_id)
            if self.on_fail is not None:
                self.on_fail(job)
        return job

    def _read(self, user_id: int, job_id: str) -> dict[str, Any] | None:
        try:
            return json.loads((self.folder(user_id) / f"{job_id}.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def _silent(self, user_id: int, job: dict[str, Any]) -> bool:
        """Whether the job showed no sign of life (file stamped or heartbeat) within its timeout."""
        last = dt.datetime.fromisoformat(job["updated"]).timestamp()
        try:
            last = max(last, (self.folder(user_id) / f"{job['id']}.alive").stat().st_mtime)
        except FileNotFoundError:
            pass
        limit = self.timeout if job["status"] == RUNNING else self.queued_timeout
        return dt.datetime.now(dt.timezone.utc).timestamp() - last > limit

    def update(self, user_id: int, job_id: str, **fields: Any) -> dict[str, Any] | None:
        """Change fields of a job (status, progress, result …) and stamp it."""
        job = self.get(user_id, job_id)
        if job is None:
            return None
        job.update(fields, updated=_now())
        _write_json(self.folder(user_id) / f"{job_id}.json", job)
        return job

    def finish(self, user_id: int, job_id: str, result: ImportResult) -> dict[str, Any] | None:
        """Store a job's result."""
        return self.update(user_id, job_id, status=FINISHED, result=result.to_dict(),
                           progress={"done": result.rows, "total": result.rows, "phase": "done"})

    def jobs(self, user_id: int) -> list[dict[str, Any]]:
        """The user's jobs, newest first."""
        found = []
        for path in self.folder(user_id).glob("*.json"):
            job = self.get(user_id, path.stem)
            if job is not None:
                found.append(job)
        return sorted(found, key=lambda j: (j.get("created", ""), j["id"]), reverse=True)

    def latest(self, user_id: int) -> dict[str, Any] | None:
        """The user's newest job, or None."""
        jobs = self.jobs(user_id)
        return jobs[0] if jobs else None

    def running(self, user_id: int) -> dict[str, Any] | None:
        """The user's job still queued or running, if any."""
        return next((j for j in self.jobs(user_id) if j["status"] in (QUEUED, RUNNING)), None)

    def _prune(self, user_id: int) -> None:
        for job in self.jobs(user_id)[KEEP_JOBS:]:
            (self.folder(user_id) / f"{job['id']}.json").unlink(missing_ok=True)

    def purge(self) -> int:
        """Delete, for every user, job files older than JOB_KEPT, uploads older than UPLOAD_KEPT, and work
        folders and heartbeats of jobs no longer running; returns how many files and folders went."""
        if not self.root.is_dir():
            return 0
        now = dt.datetime.now().timestamp()
        gone = 0
        for folder in (p for p in self.root.iterdir() if p.is_dir() and p.name.isdigit()):
            user_id = int(folder.name)
            live = {j["id"] for j in self.jobs(user_id) if j["status"] in (QUEUED, RUNNING)}
            for path in folder.glob("*.json"):
                if path.stem not in live and now - path.stat().st_mtime > JOB_KEPT.total_seconds():
                    path.unlink(missing_ok=True)
                    gone += 1
            for path in folder.glob("*.alive"):
                if path.stem not in live:
                    path.unlink(missing_ok=True)
                    gone += 1
            uploads = folder / "uploads"
            for path in uploads.iterdir() if uploads.is_dir() else ():
                if path.is_dir() and path.name not in live:
                    shutil.rmtree(path, ignore_errors=True)
                    gone += 1
                elif path.is_file() and now - path.stat().st_mtime > UPLOAD_KEPT.total_seconds():
                    path.unlink(missing_ok=True)
                    gone += 1
        return gone


def result_of(job: dict[str, Any] | None) -> ImportResult | None:
    """The ImportResult stored in a finished job."""
    if not job or not job.get("result"):
        return None
    return ImportResult.from_dict(job["result"])
