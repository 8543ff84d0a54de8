"""Issue 19 §4: gunicorn as configured (gunicorn.conf.py) — workers forked from a preloaded master, each with its own
database connections, serve sign-ins after gunicorn replaced them; a kept-alive connection is closed after
BAOXUE_KEEPALIVE_REQUESTS requests, so browsers that followed a replaced worker onto the other one spread out again."""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from data_access.db import make_engine
from tests.processes import database_with_admin, free_port, serving

PASSWORD = "secret-pass"   # the factories' users'


def _connection_in_child(engine) -> str:  # noqa: ANN001
    """What a forked child's connection of `engine` is: its PostgreSQL backend, or the SQLite connection object."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:   # the child: say which connection it got, then end without running the parent's cleanup
        try:
            with engine.connect() as conn:
                os.write(write, _which(conn).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as fh:
        return fh.read()


def _which(conn) -> str:  # noqa: ANN001
    if conn.dialect.name == "postgresql":
        return str(conn.execute(text("SELECT pg_backend_pid()")).scalar())
    return str(id(conn.connection.dbapi_connection))


def test_a_forked_child_opens_its_own_connections(tmp_path) -> None:  # noqa: ANN001
    """gunicorn forks its workers from a master that has used the database (start-up checks for interrupted
    imports): a child using the master's pooled connection would share its socket or file handle with every other
    worker. The child gets a connection of its own; the parent's stays usable."""
    urls = [f"sqlite:///{tmp_path / 'fork.db'}"]
    if os.environ.get("BAOXUE_TEST_DATABASE_URL", "").startswith("postgresql"):
        urls.append(os.environ["BAOXUE_TEST_DATABASE_URL"])
    for url in urls:
        engine = make_engine(url)
        with engine.connect() as conn:
            parents = _which(conn)
            kept = conn.connection.dbapi_connection   # (kept alive, so the child cannot reuse its address)
        child = _connection_in_child(engine)
        assert child and child != parents, url
        with engine.connect() as conn:
            assert _which(conn) == parents and conn.connection.dbapi_connection is kept
        engine.dispose()


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory) -> Iterator[tuple[str, Path]]:  # noqa: ANN001
    """The app under gunicorn with the project's configuration over a SQLite file; workers are replaced every few
    requests and a connection serves three."""
    folder = tmp_path_factory.mktemp("gunicorn")
    url = database_with_admin(folder)
    port = free_port()
    env = {**os.environ, "BAOXUE_INSTANCE_DIR": str(folder), "BAOXUE_DATABASE_URL": url, "BAOXUE_PORT": str(port),
           "BAOXUE_SECRET_KEY": "gunicorn-test", "BAOXUE_LOGIN_RATE_LIMIT": "1000 per minute",
           "BAOXUE_KEEPALIVE_REQUESTS": "3", "BAOXUE_WORKERS": "2", "BAOXUE_THREADS": "2"}
    env.pop("BAOXUE_REDIS_URL", None)
    env.pop("BAOXUE_PRELOAD", None)
    log = folder / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--max-requests", "6",
               "--max-requests-jitter", "0"]
    with serving(command, env, port, log) as base:
        yield base, log


def _sign_in(base: str) -> requests.Response:
    http = requests.Session()
    page = http.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return http.post(base + "/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token},
                     allow_redirects=False, timeout=30)


def test_a_connection_is_closed_after_its_share_of_requests(gunicorn_server) -> None:  # noqa: ANN001
    """Every third answer on a connection closes it (a worker's last answer before it is replaced closes it too):
    never more than two kept-alive answers in a row, where gunicorn alone keeps a connection for a worker's life."""
    base, _log = gunicorn_server
    http = requests.Session()
    said = "".join("k" if http.get(base + "/healthz", timeout=10).headers.get("Connection", "").lower()
                   == "keep-alive" else "c" for _ in range(12))
    assert "k" in said and "kkk" not in said, said


def test_replaced_workers_sign_users_in(gunicorn_server) -> None:  # noqa: ANN001
    """Workers forked from the preloaded master, replaced every six requests, read the database with connections of
    their own: every sign-in (three requests, each reading or writing the user's row) succeeds."""
    base, log = gunicorn_server
    answers = [_sign_in(base) for _ in range(8)]
    assert [r.status_code for r in answers] == [302] * 8
    assert all(not r.headers["Location"].endswith("/login") for r in answers)
    assert log.read_text().count("Autorestarting worker") >= 2
    master = log.read_text()
    assert "Traceback" not in master and "Exception" not in master
