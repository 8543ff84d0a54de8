"""The Celery worker's entry point when BAOXUE_REDIS_URL is set: `celery -A worker:celery_app worker`.

Importing the app builds the Dash app, its pages and their background callbacks (the worker's tasks)."""
from __future__ import annotations

import sys
from pathlib import Path

import dash

ROOT = str(Path(__file__).resolve().parent)
if ROOT not in sys.path:  # the worker may start elsewhere than the project folder
    sys.path.insert(0, ROOT)

import app  # noqa: E402,F401 - builds the Dash app, its pages and their background callbacks

_manager = dash.get_app()._background_manager  # noqa: SLF001 - Dash keeps it there
if not hasattr(_manager.handle, "conf"):
    raise RuntimeError("BAOXUE_REDIS_URL is not set: jobs run in the web process, no worker is needed")
celery_app = _manager.handle
