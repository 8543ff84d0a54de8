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


# --- scheduled drafts and digests (issue 18.6): Celery beat runs what `flask --app app run-schedule` runs ---
def _schedule_hour() -> int:
    import os
    try:
        return min(23, max(0, int(os.environ.get("BAOXUE_SCHEDULE_HOUR") or 6)))
    except ValueError:
        return 6


@celery_app.task(name="baoxue.run_schedule")
def run_schedule_task() -> dict:
    """The monthly report and bulletin drafts of the current period (once) and the e-mail digests."""
    from web.schedule import run_schedule
    with dash.get_app().server.app_context():
        run = run_schedule()
    return {"made": run.made, "kept": run.kept, "skipped": run.skipped, "mailed": run.mailed}


def _beat() -> None:
    from celery.schedules import crontab

    from domain.localtime import LOCAL_TZ
    celery_app.conf.timezone = str(LOCAL_TZ)
    celery_app.conf.beat_schedule = {
        "baoxue-run-schedule": {"task": "baoxue.run_schedule", "schedule": crontab(hour=_schedule_hour(), minute=0)},
    }


_beat()
