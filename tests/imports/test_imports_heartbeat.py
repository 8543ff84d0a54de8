"""A job whose worker dies is reported failed within a minute, its upload is deleted, the failure is audited with
who tried, and the user can start again (issue 12, item 3). The worker is a real process, killed with SIGKILL."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from data_access.imports.jobs import FAILED, RUNNING, JobStore
from data_access.models import AuditLog, User
from pages.imports.runner import audit_failure, sign
from tests.imports.test_imports import DATA, TERM, file_database

ROOT = Path(__file__).resolve().parents[2]
WORKER = """
import sys, time
from data_access.db import make_engine, make_sessionmaker
from data_access.imports.jobs import JobStore
from pages.imports.runner import run_import_job
url, root, ticket = sys.argv[1:4]
def hang(done, total, phase):            # the import is under way when the process is killed
    print("running", flush=True)
    time.sleep(3600)
run_import_job(make_sessionmaker(make_engine(url)), JobStore(root, timeout=3), "test-secret", ticket, hang)
"""


def test_a_job_whose_worker_is_killed_is_reported_failed_within_a_minute(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    engine, factory = file_database(url)
    with factory() as s, s.begin():
        s.add(User(username="admin1", password_hash="x", role="admin"))
    with factory() as s:
        user_id = s.scalar(select(User.id))
    failures: list[dict] = []
    store = JobStore(tmp_path / "jobs", timeout=3, on_fail=failures.append)
    upload_id = store.save_upload(user_id, "roster.csv", (DATA / "roster.csv").read_bytes())
    job_id = store.create(user_id, kind="roster", term=TERM, file_name="roster.csv", upload_id=upload_id,
                          username="admin1")
    ticket = sign("test-secret", u=user_id, j=job_id)
    worker = subprocess.Popen([sys.executable, "-c", WORKER, url, str(tmp_path / "jobs"), ticket], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert worker.stdout.readline().strip() == "running"
        time.sleep(4)                                   # longer than the timeout: the heartbeat keeps it alive
        assert store.get(user_id, job_id)["status"] == RUNNING
        assert store.running(user_id) is not None
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    killed = time.monotonic()
    while store.get(user_id, job_id)["status"] == RUNNING:
        assert time.monotonic() - killed < 60, "a dead job must be reported failed within a minute"
        time.sleep(0.5)
    job = store.get(user_id, job_id)
    assert (job["status"], job["error"]) == (FAILED, "interrupted")
    assert time.monotonic() - killed < 10                    # timeout 3 s + one heartbeat
    assert store.running(user_id) is None                    # the user may start again
    uploads = store.folder(user_id) / "uploads"
    assert list(uploads.rglob("*")) == []                    # the file with names and ID numbers is gone
    assert [f["id"] for f in failures] == [job_id]           # reported once …
    store.get(user_id, job_id)
    assert len(failures) == 1
    audit_failure(factory, failures[0], failures[0]["error"])      # … and audited as the page's job store does
    with factory() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "import_failed")).one()
    assert (entry.user_id, entry.actor, entry.entity_key) == (user_id, "admin1", "roster.csv")
    assert json.loads(entry.after)["error"] == "interrupted"
    engine.dispose()


def test_a_job_never_started_is_given_up_and_old_files_are_purged(tmp_path: Path) -> None:
    store = JobStore(tmp_path, timeout=1, queued_timeout=1)
    upload_id = store.save_upload(1, "r.csv", b"x")
    job_id = store.create(1, kind="roster", term=TERM, file_name="r.csv", upload_id=upload_id)
    time.sleep(1.5)
    job = store.get(1, job_id)
    assert (job["status"], job["error"]) == (FAILED, "not started")
    assert store.upload_path(1, upload_id) is None
    old = time.time() - 8 * 24 * 3600
    os.utime(store.folder(1) / f"{job_id}.json", (old, old))
    stray = store.folder(1) / "uploads" / ("f" * 32)         # the work folder of a job that died
    stray.mkdir(parents=True)
    (stray / "r.csv").write_bytes(b"names")
    assert store.purge() == 2
    assert store.get(1, job_id) is None and not stray.exists()
