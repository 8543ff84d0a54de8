"""The app served by a process of its own (as in production), for the tests that need a real server."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import requests
from sqlalchemy.orm import sessionmaker

from data_access.db import make_engine
from data_access.models import Base
from data_access.schema import stamp_head
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_with_admin(folder: Path) -> str:
    """A SQLite file in `folder` with the schema, a county of one township and the user `admin` (the factories'
    password); its URL."""
    url = f"sqlite:///{folder / 'baoxue.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    stamp_head(engine)
    with sessionmaker(bind=engine)() as s, s.begin():
        f.county_with_townships(s, 1)
        f.user.create(s, username="admin", role="admin", area_code=None)
    engine.dispose()
    return url


@contextlib.contextmanager
def serving(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """Run `command` (from the project's folder, its stderr into `log`) until /healthz answers on `port`; yield the
    server's address; terminate it after."""
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                requests.get(base + "/healthz", timeout=2)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, log.read_text()[-2000:]
                time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
