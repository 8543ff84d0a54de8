"""Import jobs of the web pages, kept as files per user under the instance folder:

    instance/jobs/<user id>/uploads/<upload id><suffix>    an uploaded file waiting to be imported
    instance/jobs/<user id>/<job id>.json                  what was asked, progress, and the result

A user sees only the files of their own folder; ids are random hex (checked, so a browser-sent id cannot
point outside the folder). Writes are atomic (a temporary file renamed), so a reader never sees half a file."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any

from domain.imports.results import ImportResult

_ID = re.compile(r"^[0-9a-f]{32}$")
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".geojson", ".json", ".xls")
KEEP_JOBS = 10
STALE_AFTER = dt.timedelta(minutes=30)     # a running job silent this long died with its process
UPLOAD_KEPT = dt.timedelta(days=1)         # an upload not imported within a day is deleted
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

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

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
        old = dt.datetime.now().timestamp() - UPLOAD_KEPT.total_seconds()
        for path in folder.iterdir():         # uploads never imported do not pile up
            if path.is_file() and path.stat().st_mtime < old:
                path.unlink(missing_ok=True)
        (folder / f"{upload_id}{suffix}").write_bytes(data)
        return upload_id

    def upload_path(self, user_id: int, upload_id: str) -> Path | None:
        """The file of an upload of this user, or None (unknown, malformed id, or already imported)."""
        if not isinstance(upload_id, str) or not _ID.match(upload_id):
            return None
        folder = self.folder(user_id) / "uploads"
        found = [p for p in folder.glob(f"{upload_id}.*") if p.is_file()] if folder.is_dir() else []
        return found[0] if found else None

    def discard_upload(self, user_id: int, upload_id: str) -> None:
        """Delete an upload once it has been imported (or refused)."""
        path = self.upload_path(user_id, upload_id)
        if path is not None:
            path.unlink(missing_ok=True)

    # jobs ------------------------------------------------------------------------------------------

    def create(self, user_id: int, **fields: Any) -> str:
        """Record a new job (queued) with what was asked; return its id."""
        job_id = secrets.token_hex(16)
        _write_json(self.folder(user_id) / f"{job_id}.json",
                    {"id": job_id, "user_id": int(user_id), "status": QUEUED, "created": _now(), "updated": _now(),
                     "progress": {"done": 0, "total": 0, "phase": "checking"}, "result": None, **fields})
        self._prune(user_id)
        return job_id

    def get(self, user_id: int, job_id: str) -> dict[str, Any] | None:
        """A job of this user, or None; a running job silent for too long is reported as failed."""
        if not isinstance(job_id, str) or not _ID.match(job_id):
            return None
        path = self.folder(user_id) / f"{job_id}.json"
        try:
            job = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        if job.get("status") in (QUEUED, RUNNING):
            updated = dt.datetime.fromisoformat(job["updated"])
            if dt.datetime.now(dt.timezone.utc) - updated > STALE_AFTER:
                job["status"] = FAILED
                job["error"] = "interrupted"
        return job

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


def result_of(job: dict[str, Any] | None) -> ImportResult | None:
    """The ImportResult stored in a finished job."""
    if not job or not job.get("result"):
        return None
    return ImportResult.from_dict(job["result"])
