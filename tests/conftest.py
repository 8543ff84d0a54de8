"""Fixtures: a fresh database per test (SQLite in memory, or PostgreSQL when
BAOXUE_TEST_DATABASE_URL is set), session factories, and data factories."""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from data_access.db import make_engine, make_sessionmaker
from data_access.models import Base
from data_access.schema import stamp_head
from tests.database import empty_postgresql

PG_URL = os.environ.get("BAOXUE_TEST_DATABASE_URL")
# The app module builds its server at import: keep it away from the real instance/ and database.
os.environ["BAOXUE_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="baoxue-test-")
os.environ["BAOXUE_DATABASE_URL"] = "sqlite://"
os.environ["BAOXUE_LOGIN_RATE_LIMIT"] = "1000 per minute"
os.environ.pop("BAOXUE_REDIS_URL", None)
os.environ.pop("BAOXUE_LANGUAGE", None)


@pytest.fixture(scope="session")
def _pg_engine() -> Iterator[Engine | None]:
    if not PG_URL:
        yield None
        return
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    stamp_head(engine)
    empty_postgresql(engine)          # (and autovacuum off on its tables: tests/database.py)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _empty_sqlite() -> Iterator[Engine]:
    """The full schema and no rows, made once (create_all took ~60–100 ms a test); tests take copies."""
    eng = make_engine("sqlite://")
    Base.metadata.create_all(eng)
    stamp_head(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def engine(_pg_engine: Engine | None, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A database with the full schema and no rows, private to this test."""
    if _pg_engine is None:
        eng = copy_sqlite(request.getfixturevalue("_empty_sqlite"))
        yield eng
        eng.dispose()
        return
    yield _pg_engine
    empty_postgresql(_pg_engine)


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory on the test database (audit listeners installed)."""
    return make_sessionmaker(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session; tests own their transactions like any caller."""
    with session_factory() as s:
        yield s


@pytest.fixture(scope="session")
def demo_county_template() -> Iterator[tuple[Engine, dict]]:
    """The county demo (seed 1) and seed_demo's counts, seeded once per test session into memory; modules
    take copies of it (`copy_sqlite`) instead of seeding their own (a minute each)."""
    from data_access.demo.build import seed_demo
    eng = make_engine("sqlite://")
    Base.metadata.create_all(eng)
    stamp_head(eng)
    summary = seed_demo(make_sessionmaker(eng), scale="county", seed=1, progress=lambda _m: None)
    yield eng, summary
    eng.dispose()


def copy_sqlite(template: Engine, url: str = "sqlite://") -> Engine:
    """A private copy of a SQLite database, by SQLite's backup API (milliseconds)."""
    eng = make_engine(url)
    src, dst = template.raw_connection(), eng.raw_connection()
    try:
        src.driver_connection.backup(dst.driver_connection)
    finally:
        src.close()
        dst.close()
    return eng


@pytest.fixture(scope="session")
def dash_app():  # noqa: ANN201 - the one Dash app of the test session (pages register globally)
    """Import app.py once; tests point its server at their own database."""
    import app as app_module
    return app_module.app


@pytest.fixture
def server(dash_app, engine: Engine):  # noqa: ANN001, ANN201
    """The Flask server bound to this test's fresh database."""
    srv = dash_app.server
    srv.extensions["baoxue"].use_engine(engine)
    srv.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    srv.config["RISK_REFRESH_INLINE"] = True   # risk scores right after an import's commit, not in a thread
    return srv


class WebUser:
    """A Flask test client logged in through the real form, with CSRF handling for Dash calls."""

    def __init__(self, server, username: str | None, password: str = "secret-pass") -> None:  # noqa: ANN001
        self.client = server.test_client()
        if username is not None:
            page = self.client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
            resp = self.client.post("/login", data={"username": username, "password": password,
                                                    "csrf_token": token})
            assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
            self.client.get("/")  # sets the _csrf_token cookie Dash sends back

    def csrf(self) -> str:
        """The CSRF cookie's value (what Dash's renderer sends as X-CSRFToken)."""
        cookie = self.client.get_cookie("_csrf_token")
        return cookie.value if cookie else ""

    def callback(self, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
                 state: list[tuple[str, str, object]] = (), csrf: bool = True,
                 changed: str | None = None):  # noqa: ANN201
        """POST a hand-made request to Dash's callback route, as a browser would."""
        out = "...".join(f"{i}.{p}" for i, p in outputs)
        body = {
            "output": f"..{out}.." if len(outputs) > 1 else out,
            "outputs": [{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1
            else {"id": outputs[0][0], "property": outputs[0][1]},
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": [changed] if changed else ([f"{inputs[0][0]}.{inputs[0][1]}"] if inputs else []),
        }
        headers = {"X-CSRFToken": self.csrf()} if csrf else {}
        return self.client.post("/_dash-update-component", json=body, headers=headers)


@pytest.fixture
def web_user(server):  # noqa: ANN001, ANN201
    """Make a logged-in (or anonymous, with None) test client for a user name."""
    return lambda username, password="secret-pass": WebUser(server, username, password)
