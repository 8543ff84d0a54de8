"""The schedule under Celery (BAOXUE_REDIS_URL set, issue 18.6): worker.py declares the beat entry that runs
`baoxue.run_schedule` daily, and a real worker process run through Redis makes the period's monthly report once
(a second run of the task makes no duplicate). Skipped without Redis (see tests/imports/test_imports_celery.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import Engine, select

from data_access.db import make_sessionmaker
from data_access.imports.files import import_areas
from data_access.models import ScheduledDraft
from tests.imports.test_imports import DATA
from tests.imports.test_imports_celery import REDIS_URL, ROOT, shared_db, worker  # noqa: F401 - fixtures

COUNTY = "532822000000"


def test_beat_declares_the_daily_schedule(worker) -> None:  # noqa: ANN001
    env = {**os.environ, "BAOXUE_REDIS_URL": REDIS_URL, "BAOXUE_SCHEDULE_HOUR": "7",
           "BAOXUE_DATABASE_URL": "sqlite://", "BAOXUE_DEMO": "0"}
    code = ("import json, worker; e = worker.celery_app.conf.beat_schedule['baoxue-run-schedule']; "
            "print(json.dumps([e['task'], sorted(e['schedule'].hour), sorted(e['schedule'].minute), "
            "str(worker.celery_app.conf.timezone)]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["baoxue.run_schedule", [7], [0], "Asia/Shanghai"]


def test_the_worker_runs_the_schedule_once_per_period(worker, shared_db: Engine) -> None:  # noqa: ANN001, F811
    factory = make_sessionmaker(shared_db)
    with factory() as s, s.begin():
        import_areas(s, DATA / "areas.csv")
    app = worker.manager.handle
    first = app.send_task("baoxue.run_schedule").get(timeout=120)
    assert any(m.startswith(f"monthly_report:{COUNTY}:") for m in first["made"]), first
    second = app.send_task("baoxue.run_schedule").get(timeout=120)
    assert second["made"] == [] and any(k.startswith(f"monthly_report:{COUNTY}:") for k in second["kept"])
    with factory() as s:
        drafts = s.scalars(select(ScheduledDraft).where(ScheduledDraft.kind == "monthly_report")).all()
        assert len(drafts) == 1 and drafts[0].docx[:2] == b"PK"
