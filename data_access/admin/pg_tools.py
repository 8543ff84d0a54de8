"""PostgreSQL's own tools for backups: pg_dump (custom format) and pg_restore, found on PATH and given the app's
database URL as libpq settings (PGHOST, PGUSER, PGPASSWORD … in their environment, never on the command line)."""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL, make_url

# query parameters of a database URL that libpq also reads from the environment
_LIBPQ_QUERY = {
    "host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD",
    "dbname": "PGDATABASE", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY", "sslcrl": "PGSSLCRL", "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME", "options": "PGOPTIONS", "service": "PGSERVICE", "passfile": "PGPASSFILE",
    "target_session_attrs": "PGTARGETSESSIONATTRS", "gssencmode": "PGGSSENCMODE", "channel_binding":
    "PGCHANNELBINDING",
}


class ToolFailed(Exception):
    """pg_dump or pg_restore is missing or failed; the message says which and why."""


def libpq_env(url: str | URL) -> dict[str, str]:
    """The libpq environment variables that connect to the database of a SQLAlchemy URL (any driver prefix:
    postgresql://, postgresql+psycopg://, postgresql+psycopg2://)."""
    u = make_url(url) if isinstance(url, str) else url
    env: dict[str, str] = {}
    for key, value in u.query.items():
        name = _LIBPQ_QUERY.get(key)
        if name:
            env[name] = value if isinstance(value, str) else ",".join(value)
    for name, value in (("PGHOST", u.host), ("PGPORT", u.port), ("PGUSER", u.username),
                        ("PGPASSWORD", u.password), ("PGDATABASE", u.database)):
        if value is not None and value != "":
            env[name] = str(value)
    return env


def find_tool(name: str) -> str:
    """The path of pg_dump or pg_restore on PATH; ToolFailed with what to install when it is not there."""
    found = shutil.which(name)
    if not found:
        raise ToolFailed(f"{name} was not found on PATH. Backups of a PostgreSQL database need PostgreSQL's client "
                         f"tools of the server's major version or newer (Debian/Ubuntu: apt-get install "
                         f"postgresql-client-15; RHEL: dnf install postgresql15), or add their folder to PATH.")
    return found


def _run(args: list[str], url: URL) -> None:
    """Run a tool with the URL's libpq settings; ToolFailed with its own message when it fails."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")} | libpq_env(url)
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip() or f"exit status {done.returncode}"
        raise ToolFailed(f"{Path(args[0]).name} failed: {detail}")


def dump(engine: Engine, target: Path, facts: Callable[[Connection], dict]) -> dict:
    """pg_dump the database (custom format) into `target`. The dump is taken in an exported snapshot, and
    `facts(connection)` (revision, row counts) is read in the same snapshot, so both describe one moment."""
    tool = find_tool("pg_dump")
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
            found = facts(conn)
            _run([tool, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}"],
                 engine.url)
    target.chmod(0o600)                                      # personal data: owner only
    return found


def clear_schema(engine: Engine) -> None:
    """Drop every table, view, sequence and type of the app's schema (before a restore with --force), waiting
    at most 10 s for locks: a running app or worker holding them is asked to stop first."""
    relations = text("SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                     "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                     "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')")
    types = text("SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                 "WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd')")
    kinds = {"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW",
             "S": "SEQUENCE"}
    quote = engine.dialect.identifier_preparer.quote
    engine.dispose()
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            for kind in ("v", "m", "r", "p", "f", "S"):          # views first, sequences after their tables
                for name, relkind in conn.execute(relations).all():
                    if relkind == kind:
                        conn.execute(text(f"DROP {kinds[kind]} IF EXISTS {quote(name)} CASCADE"))
            for (name,) in conn.execute(types).all():
                conn.execute(text(f"DROP TYPE IF EXISTS {quote(name)} CASCADE"))
    except Exception as exc:
        if "lock timeout" in str(exc):
            raise ToolFailed("the database is in use (a table stayed locked for 10 s): stop the app's web "
                             "processes and workers, then restore again") from exc
        raise


def restore(engine: Engine, archive: Path) -> None:
    """pg_restore a custom-format dump into the (cleared) database of the engine, in one transaction."""
    tool = find_tool("pg_restore")
    engine.dispose()
    settings = libpq_env(engine.url)
    database = settings.get("PGDATABASE") or settings.get("PGUSER") or "postgres"
    _run([tool, "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error", "--no-password",
          f"--dbname={database}", str(archive)], engine.url)
    engine.dispose()
