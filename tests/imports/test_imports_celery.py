"""Imports as Celery jobs (BAOXUE_REDIS_URL set): the Imports page hands the job to a real Celery worker process
(`celery -A worker:celery_app worker`, as the README starts it) through Redis, and the result and the progress
reach the user who started it, through Dash's background-callback protocol, and nobody else.

Redis: BAOXUE_TEST_REDIS_URL, default redis://127.0.0.1:6379/11 (a database of its own, emptied before and after).
Without Redis the module is skipped, except under CI (env CI set), which must run it."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from data_access import models as m
from data_access.db import make_engine, make_sessionmaker
from data_access.imports.files import import_areas, import_schools
from data_access.models import Base
from data_access.schema import stamp_head
from pages.imports import runner as import_runner
from tests import factories as f
from tests.conftest import PG_URL
from tests.imports.test_imports import DATA

REDIS_URL = os.environ.get("BAOXUE_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
ROOT = Path(__file__).resolve().parents[2]
TERM = "2024-1"
WAIT = 15.0                 # seconds any one step may take before the test gives up


def _require_redis() -> None:
    """Skip the module without a reachable Redis (fail instead in CI, which must run it)."""
    try:
        import redis
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001 - not installed, refused, timed out: all mean "no Redis here"
        if os.environ.get("CI"):
            raise RuntimeError(f"CI must run the Celery job tests: no Redis at {REDIS_URL} ({exc})") from exc
        pytest.skip(f"the Celery job tests need Redis at {REDIS_URL} ({type(exc).__name__}: {exc}); "
                    f"set BAOXUE_TEST_REDIS_URL or start redis-server", allow_module_level=True)


_require_redis()


def _flush_redis() -> None:
    import redis
    redis.Redis.from_url(REDIS_URL).flushdb()      # only this test database of Redis


@pytest.fixture(scope="module")
def worker(dash_app, _pg_engine: Engine | None,  # noqa: ANN001 - the PostgreSQL schema exists first
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """A Celery worker process (`celery -A worker:celery_app worker`, prefork) on the test Redis, with its own
    database URL (the test PostgreSQL database, or a SQLite file), instance folder and the app's secret key;
    started once for the module. Yields what the web side needs to reach it."""
    from web.jobs import background_manager
    folder = tmp_path_factory.mktemp("celery")
    instance = folder / "instance"
    instance.mkdir()
    engine = None
    if PG_URL:
        url = PG_URL
    else:
        url = f"sqlite:///{folder / 'celery.db'}"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        stamp_head(engine)
    _flush_redis()
    manager = background_manager(REDIS_URL, instance)
    env = {**os.environ, "BAOXUE_REDIS_URL": REDIS_URL, "BAOXUE_DATABASE_URL": url,
           "BAOXUE_INSTANCE_DIR": str(instance), "BAOXUE_SECRET_KEY": dash_app.server.config["SECRET_KEY"]}
    log_path = folder / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker:celery_app", "worker", "--pool=prefork",
             "--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"baoxue-test-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + WAIT
            while not manager.handle.control.ping(timeout=0.5):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the Celery worker did not start:\n" + log_path.read_text()[-3000:])
            yield SimpleNamespace(manager=manager, instance=instance, engine=engine, log=log_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if engine is not None:
                engine.dispose()
            _flush_redis()


@pytest.fixture
def shared_db(worker: SimpleNamespace, engine: Engine) -> Engine:
    """The database the worker uses, empty: the test PostgreSQL database (emptied after each test by the
    `engine` fixture), or the worker's SQLite file (emptied here)."""
    if worker.engine is None:
        return engine
    with worker.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(table.delete())
    return worker.engine


@pytest.fixture
def celery_app_web(dash_app, server, worker: SimpleNamespace, shared_db: Engine,  # noqa: ANN001
                   monkeypatch: pytest.MonkeyPatch) -> Any:  # noqa: ANN401
    """The one Dash app with the Celery manager, on the worker's database and instance folder (its job files
    emptied); returns the web side's Celery app."""
    server.extensions["baoxue"].use_engine(shared_db)      # after the `server` fixture bound it to its own
    monkeypatch.setattr(import_runner, "INSTANCE_DIR", worker.instance)
    monkeypatch.setattr(dash_app, "_background_manager", worker.manager)
    shutil.rmtree(worker.instance / "jobs", ignore_errors=True)
    return worker.manager.handle


@pytest.fixture
def users(shared_db: Engine) -> Any:  # noqa: ANN401
    """The fixture areas and schools; an admin who imports and a second admin who watches."""
    factory = make_sessionmaker(shared_db)
    with factory() as s, s.begin():
        import_areas(s, DATA / "areas.csv")
        import_schools(s, DATA / "schools.csv")
    with factory() as s, s.begin():
        f.user.create(s, username="admin", role="admin", area_code=None)
        f.user.create(s, username="other", role="admin", area_code=None)
    return factory


class Page:
    """One page load of one logged-in user: the Dash callback route with the page's signed endId, as the
    renderer sends it (background-callback handles are bound to it)."""

    def __init__(self, user, dash_app) -> None:  # noqa: ANN001
        self.user, self.app = user, dash_app
        html = user.client.get("/imports").get_data(as_text=True)
        config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>',
                                      html, re.S).group(1))
        self.end_id = config["end_id"]

    def call(self, output: str, inputs: list[tuple[str, str, Any]], state: list[tuple[str, str, Any]] = (),
             **handles: str) -> Any:  # noqa: ANN401
        """POST the callback whose outputs include `output`; `handles` are cacheKey/job of a background call."""
        import dash._callback
        key = next(k for k in (*self.app.callback_map, *dash._callback.GLOBAL_CALLBACK_MAP) if output in k)
        outputs = ([o.split("@")[0].split(".", 1) for o in key.strip(".").split("...")] if key.startswith("..")
                   else [key.split(".", 1)])
        body = {"output": key,
                "outputs": [{"id": i, "property": p} for i, p in outputs] if key.startswith("..")
                else {"id": outputs[0][0], "property": outputs[0][1]},
                "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
                "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
                "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]}
        resp = self.user.client.post("/_dash-update-component", json=body, query_string={"endId": self.end_id,
                                                                                          **handles},
                                     headers={"X-CSRFToken": self.user.csrf()})
        assert resp.status_code in (200, 204), resp.get_data(as_text=True)[:500]
        return resp.get_json(silent=True) or {}

    def run_import(self, ticket: str, **handles: str) -> Any:  # noqa: ANN401
        """The background callback that runs the import (first call: start it; with handles: poll it)."""
        return self.call("imports-done.data", [("imports-ticket", "data", ticket)], **handles)

    def show(self) -> str:
        """What the result panel shows this user (their latest import), as JSON text."""
        out = self.call("imports-result.children", [("imports-done", "data", None), ("imports-poll", "n_intervals", 0),
                                                    ("imports-result", "id", "imports-result")])
        return json.dumps(out["response"], ensure_ascii=False)


def _start(page: Page, path: Path) -> str:
    """Upload a roster and press Start; return the signed ticket the page hands the background callback."""
    import base64
    contents = "data:text/csv;base64," + base64.b64encode(path.read_bytes()).decode()
    ref = page.call("imports-upload-ref.data", [("imports-upload", "contents", contents)],
                    [("imports-upload", "filename", path.name)])["response"]["imports-upload-ref"]["data"]
    out = page.call("imports-ticket.data", [("imports-start", "n_clicks", 1)],
                    [("imports-kind", "value", "roster"), ("imports-term", "value", TERM),
                     ("imports-code-property", "value", "code"), ("imports-upload-ref", "data", ref),
                     ("imports-datum", "value", "wgs84")])
    return out["response"]["imports-ticket"]["data"]


def _until(what: str, check: Any, seconds: float = WAIT) -> Any:  # noqa: ANN401
    deadline = time.monotonic() + seconds
    while not (value := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)
    return value


def test_import_runs_in_a_celery_worker_and_only_its_user_sees_it(celery_app_web, users, web_user, dash_app,
                                                                  worker) -> None:  # noqa: ANN001
    import redis
    admin, other = Page(web_user("admin"), dash_app), Page(web_user("other"), dash_app)
    ticket = _start(admin, DATA / "roster.csv")
    handles = admin.run_import(ticket)                   # Dash hands the call to Celery and answers with handles
    assert set(handles) >= {"cacheKey", "job"} and "response" not in handles
    task_id, cache_key = handles["job"].rsplit("~", 1)[0], handles["cacheKey"].rsplit("~", 1)[0]
    store = redis.Redis.from_url(REDIS_URL)
    _until("the worker to finish the job", lambda: store.exists(cache_key))
    assert store.exists(f"{cache_key}-progress")          # its last progress report, not yet read by anyone
    # another user, even holding the handles, is told nothing and takes nothing away
    peek = other.run_import(ticket, **handles)
    assert "progress" not in peek and "response" not in peek
    assert store.exists(cache_key) and store.exists(f"{cache_key}-progress")
    # the user who started it hears the progress (the latest step, of the file's 5 rows) and the result
    polled = admin.run_import(ticket, **handles)
    progress = polled["progress"]
    assert progress["imports-progress.max"] == 5 and 0 <= progress["imports-progress.value"] <= 5
    assert "5" in progress["imports-progress-text.children"]
    done = polled["response"]
    job_id = done["imports-done"]["data"]["job"]
    assert celery_app_web.AsyncResult(task_id).state == "SUCCESS"        # this process runs no worker
    with users() as s:
        assert s.scalar(select(func.count()).select_from(m.RosterRecord)) == 0   # a roster is previewed first
    confirmed = admin.call("imports-confirm-message.children", [("imports-confirm", "n_clicks", 1)],
                           [("imports-job", "data", job_id), ("imports-confirm-large", "value", False)])
    ticket = confirmed["response"]["imports-ticket"]["data"]
    handles = admin.run_import(ticket)
    written = _until("the confirmed import", lambda: admin.run_import(ticket, **handles).get("response"))
    job_id = written["imports-done"]["data"]["job"]
    with users() as s:
        assert s.scalar(select(func.count()).select_from(m.RosterRecord)) == 5
        admin_id = s.scalar(select(m.User.id).where(m.User.username == "admin"))
        entry = s.scalars(select(m.AuditLog).where(m.AuditLog.action == "import", m.AuditLog.entity == "roster")).one()
        assert entry.user_id == admin_id and entry.entity_key == "roster.csv"
    # the risk scores of the imported schools (issue 20.6): the worker's import hands them to a Celery task of
    # their own, which the worker runs after the import's commit and which clears the schools' pending refresh
    _until("the worker's risk-score task", lambda: re.search(r"Task baoxue\.risk_refresh\[[^\]]+\] succeeded",
                                                           worker.log.read_text()), seconds=60)
    with users() as s:
        assert s.scalar(select(func.count()).select_from(m.RiskRefresh)) == 0
    shown = admin.show()
    assert job_id in shown and "roster.csv" in shown and "imports-status" in shown
    seen = other.show()
    assert job_id not in seen and "roster.csv" not in seen
    assert "response" not in other.run_import(ticket, **handles)      # the handles are the admin's page's only


def test_a_refused_file_is_reported_by_the_worker_and_nothing_written(celery_app_web, users, web_user,
                                                                       dash_app) -> None:  # noqa: ANN001
    admin = Page(web_user("admin"), dash_app)
    ticket = _start(admin, DATA / "roster_bad_checksum.csv")
    handles = admin.run_import(ticket)
    _until("the job's result", lambda: admin.run_import(ticket, **handles).get("response"))
    shown = admin.show()
    assert "roster_bad_checksum.csv" in shown and "9901…" in shown
    with users() as s:
        assert s.scalar(select(func.count()).select_from(m.RosterRecord)) == 0
        assert s.scalars(select(m.AuditLog).where(m.AuditLog.action == "import_refused")).one()
