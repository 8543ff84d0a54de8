"""Baoxue (保学): builds the one Flask server and the one Dash app; `python app.py` runs it.

gunicorn serves `app:server`; Flask's CLI (`flask --app app COMMAND`) finds the same server.
"""
from __future__ import annotations

import gc

import dash
import dash_bootstrap_components as dbc  # noqa: F401 - registers the component suite
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from components.shell import frame
from config import Config
from data_access.db import make_engine, make_sessionmaker
from pages import shell  # noqa: F401 - registers the shell callbacks
from pages.access import guard_pages
from web.admin_files import register_admin_routes
from web.auth import register_auth
from web.cli import register_cli
from web.context import close_db
from web.downloads import register_downloads
from web.case_files import register_case_routes
from web.evidence import register_inspection_routes
from web.i18n import init_babel, localize_index
from web.issued import register_issued_routes
from web.jobs import background_manager
from web.ledger_files import register_ledger_routes
from web.rectification_files import register_rectification_routes
from web.errors import register_errors
from web.saves import client_config
from web.security import register_security

VENDOR_CSS = ["/assets/vendor/bootstrap/bootstrap.min.css", "/assets/vendor/bootstrap-icons/bootstrap-icons.min.css"]
VENDOR_JS = ["/assets/vendor/plotly/plotly-locale-zh-cn.js"]


class Baoxue:
    """The app's database handles, kept in `server.extensions['baoxue']`."""

    def __init__(self, engine: Engine) -> None:
        self.use_engine(engine)

    def use_engine(self, engine: Engine) -> None:
        """Point the app at a database (tests swap in their own)."""
        self.engine: Engine = engine
        self.session_factory: sessionmaker[Session] = make_sessionmaker(engine)


def create_server(config: Config | None = None) -> Flask:
    """The Flask server with config, database, translations, authentication and CLI."""
    config = config or Config()
    server = Flask(__name__)
    server.config.update(config.flask_items())
    server.extensions["baoxue"] = Baoxue(make_engine(config.DATABASE_URL))
    server.teardown_appcontext(close_db)
    init_babel(server)
    register_errors(server)
    register_security(server)
    register_auth(server)
    register_cli(server)
    register_downloads(server)
    register_inspection_routes(server)
    register_rectification_routes(server)
    register_case_routes(server)
    register_issued_routes(server)
    register_ledger_routes(server)
    register_admin_routes(server)
    return server


class BaoxueDash(dash.Dash):
    """The Dash app; its index page declares the user's language (web.i18n.localize_index)."""

    def interpolate_index(self, **kwargs: object) -> str:
        """Dash's index page, in the user's language."""
        return localize_index(super().interpolate_index(**kwargs))


def create_app(config: Config | None = None) -> dash.Dash:
    """The Dash app on its server; pages come from pages/ (register once per process)."""
    server = create_server(config)
    app = BaoxueDash(__name__, server=server, use_pages=True, pages_folder="pages", serve_locally=True,
                    assets_path_ignore=["vendor"], external_stylesheets=VENDOR_CSS, external_scripts=VENDOR_JS,
                    suppress_callback_exceptions=True, title="保学 Baoxue", update_title=None,
                    background_callback_manager=background_manager(server.config.get("REDIS_URL"),
                                                                   memory_mb=server.config["JOB_MEMORY_LIMIT_MB"]),
                    meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}])
    guard_pages()  # a role that may not open a page sees "no access", not a blank frame
    app.layout = lambda: frame(dash.page_container, client_config())
    return app


app = create_app()
server = app.server
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
