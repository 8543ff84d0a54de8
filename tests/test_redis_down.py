"""Issue 12, item 4: with BAOXUE_REDIS_URL pointing at a closed port, the real app (started in its own
process, as gunicorn would import it) signs users in, serves pages, saves, still limits sign-in attempts (in
memory, per process), reports the job service as unavailable on /healthz, and answers an import's background
job with HTTP 503 "jobs" (which assets/saves.js shows as "the job service is unavailable")."""
from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator

import pytest
import requests

from tests.processes import database_with_admin, free_port, serving



@pytest.fixture(scope="module")
def app_without_redis(tmp_path_factory) -> Iterator[str]:  # noqa: ANN001
    """The app in a process of its own over a SQLite file, with Redis configured on a closed port."""
    folder = tmp_path_factory.mktemp("redis-down")
    url = database_with_admin(folder)
    port = free_port()
    env = {**os.environ, "BAOXUE_INSTANCE_DIR": str(folder), "BAOXUE_DATABASE_URL": url,
           "BAOXUE_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "BAOXUE_SECRET_KEY": "redis-down-test",
           "BAOXUE_LOGIN_RATE_LIMIT": "3 per minute"}
    code = ("import app; from werkzeug.serving import run_simple; "
            f"run_simple('127.0.0.1', {port}, app.server, threaded=True)")
    with serving([sys.executable, "-c", code], env, port, folder / "server.log") as base:
        yield base


def _login(http: requests.Session, base: str, password: str) -> requests.Response:
    page = http.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return http.post(base + "/login", data={"username": "admin", "password": password, "csrf_token": token},
                     allow_redirects=False, timeout=30)


def _callback(http: requests.Session, base: str, body: dict) -> requests.Response:
    return http.post(base + "/_dash-update-component", json=body, timeout=60,
                     headers={"X-CSRFToken": http.cookies.get("_csrf_token", "")})


def test_sign_in_pages_and_saves_work_with_redis_unreachable(app_without_redis) -> None:  # noqa: ANN001
    base = app_without_redis
    http = requests.Session()
    resp = _login(http, base, "secret-pass")
    assert resp.status_code == 302, resp.text[:300]
    assert http.get(base + "/", timeout=30).status_code == 200
    assert http.get(base + "/checklists", timeout=30).status_code == 200
    health = requests.get(base + "/healthz", timeout=10)
    assert health.status_code == 200 and health.json() == {"database": "ok", "jobs": "unavailable"}
    saved = _callback(http, base, {
        "output": "checklists-message.children", "outputs": {"id": "checklists-message", "property": "children"},
        "inputs": [{"id": "checklists-save", "property": "n_clicks", "value": 1}],
        "state": [{"id": "checklists-name", "property": "value", "value": "入校检查清单"},
                  {"id": "checklists-items", "property": "value", "value": "控辍保学工作方案 | Plan\n双线责任书"}],
        "changedPropIds": ["checklists-save.n_clicks"]})
    assert saved.status_code == 200 and "2" in saved.text and "已保存" in saved.json()["response"][
        "checklists-message"]["children"]["props"]["children"]

    # an import's background job cannot be queued: HTTP 503 with the reason "jobs", in a few seconds
    started = time.monotonic()
    job = _callback(http, base, {
        "output": "imports-done.data", "outputs": {"id": "imports-done", "property": "data"},
        "inputs": [{"id": "imports-ticket", "property": "data", "value": "a-ticket"}],
        "changedPropIds": ["imports-ticket.data"]})
    assert job.status_code == 503 and job.headers["X-Baoxue-Reason"] == "jobs", job.text[:300]
    assert time.monotonic() - started < 30

    # sign-in attempts are still limited (3 per minute here), in the process's memory
    codes = [_login(requests.Session(), base, "wrong").status_code for _ in range(3)]
    assert codes[-1] == 429 and codes[0] == 401
