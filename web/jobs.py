"""Background jobs of the Dash app (long imports): the callback manager, and what a job needs without a
request (the app's database, the user's language).

- BAOXUE_REDIS_URL unset: a DiskcacheManager with its diskcache.Cache under instance/jobs-cache; each job runs
  in a child process forked from the web process with an address-space limit (BAOXUE_JOB_MEMORY_MB), so a
  runaway import ends in a MemoryError there and cannot take the web process down. With an in-memory SQLite
  database (tests) a child would not see the data: jobs then run in a thread of the web process.
- BAOXUE_REDIS_URL set: a CeleryManager on that Redis (broker and result backend). Start a worker beside the
  web processes with the same settings — database, instance folder (uploads and job files are files there) and
  secret key (BAOXUE_SECRET_KEY, or instance/secret_key):
      BAOXUE_REDIS_URL=redis://… celery -A worker:celery_app worker --loglevel=INFO
  tests/imports/test_imports_celery.py starts such a worker and runs imports through it.
"""
from __future__ import annotations

import functools
import logging
import os
import resource
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from dash.background_callback.managers import BaseBackgroundCallbackManager
from dash.background_callback.managers.diskcache_manager import DiskcacheManager

from config import INSTANCE_DIR
from data_access.warning.refresh import run_pending, set_scheduler
from web.i18n import TRANSLATIONS

_RUNNING = "baoxue-job-running-"


JOB_SETUP_ERROR = "baoxue_job_setup_error"   # flask.g: why a job could not be queued (web.errors answers it)


class SetupFailureNoted:
    """Keeps why a job could not be queued (the job service unreachable, say) on flask.g for web.errors: Dash 4.5
    catches the error itself and answers HTTP 200 {"error": "Error setting up background callback"}, which the page
    would take for a job running; the app answers 503 "jobs" (or 500) as before."""

    def call_job_fn(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().call_job_fn(*args, **kwargs)   # type: ignore[misc]
        except Exception as exc:
            from flask import g, has_request_context
            if has_request_context():
                setattr(g, JOB_SETUP_ERROR, exc)
            raise


class ThreadDiskcacheManager(DiskcacheManager):
    """Dash's DiskcacheManager, running each job in a thread of this process instead of a subprocess.

    Results and progress go through the disk cache as with Dash's manager, so any worker process of the
    server can answer the browser's polls; whether a job still runs is a cache entry too. A thread cannot be
    killed: a job asked to stop runs to its end (an import is one transaction and records its own result)."""

    def __init__(self, cache: Any, cache_by: list[Callable[[], Any]] | None = None,
                 expire: int | None = None, memory_mb: int | None = None,
                 on_crash: Callable[[], Any] | None = None) -> None:
        # DiskcacheManager.__init__ insists on psutil and multiprocess, which threads do not need.
        self.handle = cache
        self.expire = expire
        self.memory_mb = memory_mb          # None: jobs in threads; else forked children with this limit
        self.children: dict[str, int] = {}  # job id -> process id, for the jobs this process started and waits for
        self.on_crash = on_crash            # called when a job's process died (an import's batches are put back)
        BaseBackgroundCallbackManager.__init__(self, cache_by)

    def call_job_fn(self, key: str, job_fn: Callable[..., None], args: Any, context: Any) -> str:
        """Start the job (in a child process with a memory limit, or a daemon thread); its id is random."""
        job = secrets.token_hex(16)
        self.handle.set(_RUNNING + job, 1, expire=24 * 3600)
        progress = self._make_progress_key(key)
        if self.memory_mb:
            pid = os.fork()
            if pid == 0:                  # the child: never returns
                _run_limited(self.memory_mb, job_fn, key, progress, args, context)
            self.children[job] = pid

            def wait() -> None:           # the child may die before it can say so: say it here
                _pid, status = os.waitpid(pid, 0)
                code = os.waitstatus_to_exitcode(status)
                if code != 0 and self.handle.get(key) is None:
                    self.handle.set(key, {"background_callback_error": {
                        "msg": f"the job's process ended (exit code {code}): out of memory?", "tb": ""}},
                        expire=self.expire)
                if code != 0 and self.on_crash is not None:
                    try:
                        self.on_crash()
                    except Exception:     # noqa: BLE001 - the next start or import of the term does it
                        logging.getLogger(__name__).exception("recovery after a job's process died failed")
                self.children.pop(job, None)
                self.handle.delete(_RUNNING + job)
            threading.Thread(target=wait, name=f"baoxue-wait-{job[:8]}", daemon=True).start()
            return job

        def run() -> None:
            try:
                job_fn(key, progress, args, context)
            finally:
                self.handle.delete(_RUNNING + job)
        threading.Thread(target=run, name=f"baoxue-job-{job[:8]}", daemon=True).start()
        return job

    def job_running(self, job: Any) -> bool:
        """True while the job has not finished (its process, when this process started it; else the cache entry
        any process of the server can read)."""
        if job is not None and str(job) in self.children:
            return True
        return job is not None and self.handle.get(_RUNNING + str(job)) is not None

    def terminate_job(self, job: Any) -> None:
        """Threads cannot be stopped: nothing to do."""

    def terminate_unhealthy_job(self, job: Any) -> bool:
        """Nothing to clean up."""
        return False


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space at what it maps now plus `memory_mb` (a job's process, forked from a web
    process that already maps its libraries): beyond it allocations fail with MemoryError."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        mapped = int(fh.read().split()[0]) * resource.getpagesize()
    limit = mapped + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _run_limited(memory_mb: int, job_fn: Callable[..., None], key: str, progress: str, args: Any,
                 context: Any) -> None:
    """A job in a forked child (its database connections are its own: data_access.db forgets the parent's at fork):
    the memory cap, then the job; the child always ends here (os._exit), whatever happens, and never returns into
    the code of the process it was forked from."""
    code = 1
    try:
        limit_memory(memory_mb)
        wanted: list[Any] = []
        set_scheduler(wanted.append)   # risk scores: after the job, still in this child (issue 20.6)
        job_fn(key, progress, args, context)
        if wanted:
            try:
                run_pending(wanted[-1])
            except Exception:  # noqa: BLE001 - the rows stay pending; the next import's refresh takes them
                logging.getLogger(__name__).exception("risk score refresh failed")
        code = 0
    finally:
        os._exit(code)                 # skip the parent's atexit handlers and finalizers


def background_manager(redis_url: str | None, instance_dir: Path = INSTANCE_DIR, memory_mb: int | None = None,
                       on_crash: Callable[[], Any] | None = None) -> BaseBackgroundCallbackManager:
    """The app's background callback manager: Celery on Redis when configured, else the disk cache (jobs in
    forked children limited to `memory_mb`, or in threads when it is None)."""
    if redis_url:
        from celery import Celery
        from dash import CeleryManager
        celery = Celery("baoxue", broker=redis_url, backend=redis_url)
        celery.conf.update(task_track_started=True, result_expires=24 * 3600, broker_connection_retry_on_startup=True,
                           worker_hijack_root_logger=False)
        if memory_mb:
            _cap_pool_memory(memory_mb)
        return noted(CeleryManager)(celery, expire=24 * 3600)
    import diskcache
    folder = Path(instance_dir) / "jobs-cache"
    folder.mkdir(parents=True, exist_ok=True)
    return noted(ThreadDiskcacheManager)(diskcache.Cache(str(folder)), expire=24 * 3600, memory_mb=memory_mb,
                                         on_crash=on_crash)


def noted(manager: type[BaseBackgroundCallbackManager]) -> type[BaseBackgroundCallbackManager]:
    """The manager class, keeping why a job could not be queued (SetupFailureNoted before its own call_job_fn)."""
    return type(f"Noted{manager.__name__}", (SetupFailureNoted, manager), {})


def _cap_pool_memory(memory_mb: int) -> None:
    """A Celery pool process (forked from the worker, which imported the app) has its memory capped like a local
    job's (its database connections are its own: data_access.db forgets the inherited ones at fork)."""
    from celery.signals import worker_process_init

    @worker_process_init.connect(weak=False)
    def _cap(**_: Any) -> None:
        limit_memory(memory_mb)


@functools.lru_cache(maxsize=8)
def _catalog(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [language], domain="messages")


def job_gettext(language: str) -> Callable[..., str]:
    """gettext for a job, which has no request (and so no user's locale): `_ = job_gettext("zh")`."""
    catalog = _catalog(language)

    def gettext(message: str, **variables: Any) -> str:
        text = catalog.gettext(message)
        return text % variables if variables else text
    return gettext


def job_session_factory() -> Any:
    """The session factory of the running app (jobs run outside any request)."""
    import dash
    return dash.get_app().server.extensions["baoxue"].session_factory


def job_secret_key() -> str:
    """The app's secret key (for the signed tickets jobs are started with)."""
    import dash
    return dash.get_app().server.config["SECRET_KEY"]


_refresh_lock = threading.Lock()


def _refresh_in_thread(session_factory: Any) -> None:
    """Recompute the pending risk scores in a daemon thread of this process, one run at a time."""
    def run() -> None:
        with _refresh_lock:
            try:
                run_pending(session_factory)
            except Exception:  # noqa: BLE001 - the rows stay pending; the next import's refresh takes them
                logging.getLogger(__name__).exception("risk score refresh failed")
    threading.Thread(target=run, daemon=True, name="risk-refresh").start()


def schedule_risk_refresh(manager: BaseBackgroundCallbackManager, server: Any) -> None:
    """What starts the risk-score refresh after an import commits (issue 20.6): a Celery task when Redis is
    configured, a thread of this process otherwise. With an in-memory SQLite database, or when the server's
    config says RISK_REFRESH_INLINE (tests), the pending schools are scored right after the commit, in this
    thread. Decided at each start, on the importing session's database."""
    task = None
    if hasattr(manager.handle, "conf"):
        @manager.handle.task(name="baoxue.risk_refresh", ignore_result=True)
        def risk_refresh() -> None:
            run_pending(job_session_factory())
        task = risk_refresh

    def start(factory: Any) -> None:
        url = factory.kw["bind"].url
        if server.config.get("RISK_REFRESH_INLINE") or (
                url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")):
            run_pending(factory)
        elif task is not None:
            task.delay()
        else:
            _refresh_in_thread(factory)

    set_scheduler(start)
