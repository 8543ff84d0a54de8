"""Baoxue (保学): builds the one Flask server and the one Dash app; `python app.py` runs it.

gunicorn serves `app:server`; Flask's CLI (`flask --app app COMMAND`) finds the same server.
"""
from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

SERVING_COMMANDS = {"run", "shell", "routes"}   # Flask CLI commands that need the Dash app and every route
CLI_GC_THRESHOLD = 100_000   # a command's allocations between the garbage collector's young passes (default 700)


def cli_command(argv: list[str]) -> bool:
    """True when this process is Flask's CLI running a command that neither serves nor explores the app."""
    program = Path(argv[0]).name if argv else ""
    if program != "flask" and not argv[0].endswith(os.path.join("flask", "__main__.py")):
        return False
    words, skip = [], False
    for word in argv[1:]:
        if skip:
            skip = False
        elif word in ("--app", "-A", "--env-file", "-e"):
            skip = True
        elif not word.startswith("-"):
            words.append(word)
    return bool(words) and words[0] not in SERVING_COMMANDS


CLI_ONLY = cli_command(sys.argv) and os.environ.get("BAOXUE_CLI_FULL_APP") != "1"
if CLI_ONLY:
    # A command is a short-lived batch: importing the app's modules and writing a workbook allocate hundreds of
    # thousands of objects that live to the end, which the collector's default passes walk again and again
    # (export-ranking of 1,395 townships: ~0.2 s of its ~2 s). Set before the imports below.
    gc.set_threshold(CLI_GC_THRESHOLD, *gc.get_threshold()[1:])

from flask import Flask  # noqa: E402 - after the collector's setting for a command
from sqlalchemy import Engine  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from config import Config  # noqa: E402
from data_access.db import make_engine, make_sessionmaker  # noqa: E402
from web.cli import register_cli  # noqa: E402
from web.context import close_db  # noqa: E402
from web.i18n import init_babel  # noqa: E402

ASSETS = Path(__file__).resolve().parent / "assets"


class Baoxue:
    """The app's database handles, kept in `server.extensions['baoxue']`."""

    def __init__(self, engine: Engine) -> None:
        self.use_engine(engine)

    def use_engine(self, engine: Engine) -> None:
        """Point the app at a database (tests swap in their own)."""
        self.engine: Engine = engine
        self.session_factory: sessionmaker[Session] = make_sessionmaker(engine)
        self.scopes: dict[tuple, object] = {}   # users' scopes by (role, area, school): web.auth.user_scope


def create_server(config: Config | None = None, *, web: bool = True) -> Flask:
    """The Flask server with config, database, translations and CLI; with `web`, also authentication, security and
    the file routes (a CLI command needs none of them, nor their imports: issue 19 §5)."""
    config = config or Config()
    server = Flask(__name__)
    server.config.update(config.flask_items())
    server.extensions["baoxue"] = Baoxue(make_engine(config.DATABASE_URL))
    server.teardown_appcontext(close_db)
    init_babel(server)
    register_cli(server)
    if web:
        _register_web(server)
    return server


def _register_web(server: Flask) -> None:
    from web.admin_files import register_admin_routes
    from web.auth import register_auth
    from web.case_files import register_case_routes
    from web.downloads import register_downloads
    from web.errors import register_errors
    from web.evidence import register_inspection_routes
    from web.issued import register_issued_routes
    from web.enrolment_files import register_enrolment_routes
    from web.ledger_files import register_ledger_routes
    from web.monthly_report import register_draft_routes
    from web.rectification_files import register_rectification_routes
    from web.security import register_security
    from web.static import fingerprinted

    server.jinja_env.globals["asset"] = lambda url: fingerprinted(url, ASSETS)   # templates' links, fingerprinted
    register_errors(server)
    register_security(server)
    register_auth(server)
    register_downloads(server)
    register_inspection_routes(server)
    register_rectification_routes(server)
    register_case_routes(server)
    register_issued_routes(server)
    register_enrolment_routes(server)
    register_ledger_routes(server)
    register_draft_routes(server)
    register_admin_routes(server)


def _recover_imports(server: Flask) -> Callable[[], int]:
    """Put back the batches of large SQLite imports interrupted by a dead process (issue 12.6): now, at start-up,
    and whenever a job's process dies (the returned function)."""
    from data_access.imports.batches import recover_interrupted
    from data_access.schema import has_schema
    ext = server.extensions["baoxue"]

    def recover() -> int:
        return recover_interrupted(ext.session_factory)
    try:
        if has_schema(ext.engine):
            recover()
    except Exception:   # noqa: BLE001 - the database may be down at start-up: the next import of the term does it
        logging.getLogger(__name__).warning("could not check for interrupted imports", exc_info=True)
    return recover


def create_app(config: Config | None = None) -> "dash.Dash":
    """The Dash app on its server; pages come from pages/ (register once per process)."""
    import dash
    import dash_bootstrap_components as dbc  # noqa: F401 - registers the component suite

    from components.shell import frame
    from pages import shell  # noqa: F401 - registers the shell callbacks
    from pages.access import guard_pages
    from web.i18n import localize_index
    from web.jobs import background_manager, schedule_risk_refresh
    from web.saves import client_config, install as install_saves
    from web.static import fingerprinted, register_static

    class BaoxueDash(dash.Dash):
        """The Dash app; its index page declares the user's language (web.i18n.localize_index)."""

        def interpolate_index(self, **kwargs: object) -> str:
            """Dash's index page, in the user's language."""
            return localize_index(super().interpolate_index(**kwargs))

    # fingerprinted (?m=mtime, as Dash does for assets/) so browsers may keep them a year (web/static.py)
    vendor_css = [fingerprinted(u, ASSETS) for u in ("/assets/vendor/bootstrap/bootstrap.min.css",
                                                     "/assets/vendor/bootstrap-icons/bootstrap-icons.min.css")]
    vendor_js = [fingerprinted("/assets/vendor/plotly/plotly-locale-zh-cn.js", ASSETS)]
    server = create_server(config)
    recover = _recover_imports(server)
    app = BaoxueDash(__name__, server=server, use_pages=True, pages_folder="pages", serve_locally=True,
                    assets_path_ignore=["vendor"], external_stylesheets=vendor_css, external_scripts=vendor_js,
                    suppress_callback_exceptions=True, title="保学 Baoxue", update_title=None,
                    background_callback_manager=background_manager(server.config.get("REDIS_URL"),
                                                                   memory_mb=server.config["JOB_MEMORY_LIMIT_MB"],
                                                                   on_crash=recover),
                    meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}])
    schedule_risk_refresh(app._background_manager, server)  # noqa: SLF001 - Dash keeps the manager there
    install_saves(server)
    register_static(server)  # last: its after_request hook runs first (compression, Cache-Control of files)
    guard_pages()  # a role that may not open a page sees "no access", not a blank frame
    app.layout = lambda: frame(dash.page_container, client_config(), shell.page_pickers())
    return app


if CLI_ONLY:
    # `flask --app app export-ranking …`: only the server with its commands; no Dash, pages or routes (issue 19 §5)
    app = None
    server = create_server(web=False)
else:
    app = create_app()
    server = app.server
if app is not None:
    # gunicorn forks its workers from this process (preload_app): they inherit no open database connection (the
    # interrupted-imports check's) nor the job cache's (each opens its own when it needs one; data_access.db too)
    server.extensions["baoxue"].engine.dispose()
    if hasattr(app._background_manager.handle, "close"):  # noqa: SLF001 - a diskcache.Cache, or Celery's app
        app._background_manager.handle.close()  # noqa: SLF001
    # Start-up builds ~180k long-lived objects (pages, component registries): move them out of the
    # garbage collector's view so full collections during requests stay short (bench/results.md).
    gc.collect()
    gc.freeze()


def main() -> None:
    """Serve the app; on an empty database create the schema, the county demo and demo accounts."""
    from web.cli import prepare_first_run
    with server.app_context():
        prepare_first_run(server)
    host, port = server.config["HOST"], server.config["PORT"]
    print(f"Baoxue is running: http://{host}:{port}/  (demo accounts: see README.md)", flush=True)
    app.run(host=host, port=port, debug=False)


if __name__ == "__main__":
    main()
