"""The app's own error answers: pages for 403, 404, 500 and 503 in the user's language (with what to do),
short answers with a reason header for Dash callbacks (assets/saves.js shows them), HTTP 503 while the
database or the job service cannot be reached, and /healthz for monitoring.

Nothing here may need the database: the error may be that it is down.
"""
from __future__ import annotations

import datetime as dt
import logging

from flask import Flask, Response, current_app, g, jsonify, render_template, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from sqlalchemy import text
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from wording.i18n import LANGUAGES

log = logging.getLogger(__name__)
REASON_HEADER = "X-Baoxue-Reason"  # database | jobs | error: read by assets/saves.js
RETRY_SECONDS = 15
DATABASE_DOWN = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def _job_service_errors() -> tuple[type[BaseException], ...]:
    """The exceptions of an unreachable Redis or Celery broker (when those packages are installed)."""
    found: list[type[BaseException]] = []
    try:
        import redis.exceptions
        found += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:
        pass
    try:
        import kombu.exceptions
        found.append(kombu.exceptions.OperationalError)
    except ImportError:
        pass
    return tuple(found)


def error_language() -> str:
    """The user's language without asking the database: the user if already loaded, else the login page's
    choice, else BAOXUE_LANGUAGE."""
    user = g.get("_login_user")
    language = getattr(user, "language", None)
    if language in LANGUAGES:
        return language
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else current_app.config["LANGUAGE"]


def _texts(code: int) -> tuple[str, str, str]:
    """Title, what happened and what to do, for an HTTP status."""
    if code == 403:
        return (_("You may not open this page"), _("Your account gives no access to this page or to this area."),
                _("Go back to the start page, or ask your administrator for access."))
    if code == 404:
        return (_("Page not found"), _("The address may be mistyped, or what it pointed to has been removed."),
                _("Check the address, or go back to the start page."))
    if code == 503:
        return (_("Service temporarily unavailable"),
                _("The database or a service the app needs cannot be reached right now. What was saved before "
                  "is not lost."),
                _("This page tries again by itself every %(n)s seconds. If it lasts more than a few minutes, tell "
                  "your administrator.", n=RETRY_SECONDS))
    return (_("Something went wrong"), _("The server could not complete your request; the error has been recorded."),
            _("Try again in a moment. If it keeps happening, tell your administrator when it happened (%(time)s).",
              time=dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")))


def _is_callback() -> bool:
    """A request of the Dash renderer (answered briefly: the page shows the state itself)."""
    return request.path.startswith("/_dash")


def error_response(code: int, reason: str = "error") -> Response:
    """The answer for an error: a page for a browser, a short JSON for a Dash callback."""
    if code == 503 and g.get("_login_user") is None:
        g._login_user = AnonymousUserMixin()  # later hooks must not ask the database for the user again
    with force_locale(error_language()):
        title, what, todo = _texts(code)
        if _is_callback():
            response = jsonify({"error": title, "reason": reason})
        else:
            response = Response(render_template("error.html", code=code, title=title, what=what, todo=todo,
                                                retry=RETRY_SECONDS if code == 503 else None,
                                                lang=error_language(), path=request.full_path.rstrip("?")),
                                mimetype="text/html")
    response.status_code = code
    response.headers[REASON_HEADER] = reason
    if code == 503:
        response.headers["Retry-After"] = str(RETRY_SECONDS)
    return response


def _outage_in(exc: BaseException | None) -> str | None:
    """"database" or "jobs" when an exception was caused by an unreachable database or job service (Celery
    wraps Redis's ConnectionError in a RuntimeError, for one); None otherwise."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DATABASE_DOWN):
            return "database"
        if isinstance(exc, _job_service_errors()):
            return "jobs"
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def _http_error(exc: HTTPException) -> Response | HTTPException:
    """403, 404, 500 and 503 as the app's own answers (an unexpected error caused by an outage as 503);
    other codes as they are."""
    if exc.code == 500:
        outage = _outage_in(getattr(exc, "original_exception", None))
        if outage:
            log.warning("%s unavailable", outage)
            return error_response(503, outage)
    if exc.code in (403, 404, 500, 503):
        return error_response(exc.code)
    return exc


def _database_down(exc: Exception) -> Response:
    log.warning("database unavailable: %s", exc.__class__.__name__, exc_info=log.isEnabledFor(logging.DEBUG))
    return error_response(503, "database")


def _jobs_down(exc: Exception) -> Response:
    log.warning("job service unavailable: %s", exc)
    return error_response(503, "jobs")


def healthz() -> tuple[Response, int]:
    """For monitoring: 200 when the database answers (with the job service's state), 503 otherwise."""
    state = {"database": "ok"}
    try:
        with current_app.extensions["baoxue"].engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DATABASE_DOWN:
        state["database"] = "unavailable"
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        state["jobs"] = "ok" if _redis_answers(redis_url) else "unavailable"
    response = jsonify(state)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if state["database"] == "ok" else 503


def _redis_answers(url: str) -> bool:
    """Whether Redis answers a PING within a second."""
    import redis
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except (redis.exceptions.RedisError, OSError):
        return False


def _remember_language(response: Response) -> Response:
    """Keep the signed-in user's language in the session too, so that error pages need no database."""
    user = g.get("_login_user")
    language = getattr(user, "language", None)
    if language in LANGUAGES and session.get("lang") != language:
        session["lang"] = language
    return response


def _job_not_queued(response: Response) -> Response:
    """A job that could not be queued (web.jobs.SetupFailureNoted), answered as the app's 503 "jobs" (the job service
    unreachable) or 500, not as Dash 4.5's HTTP 200 {"error": …} (its body is replaced: a few bytes, never
    compressed)."""
    from web.jobs import JOB_SETUP_ERROR
    exc = g.pop(JOB_SETUP_ERROR, None)
    if exc is None:
        return response
    outage = _outage_in(exc)
    if outage:
        log.warning("%s unavailable: a job could not be queued", outage)
    else:
        log.error("a job could not be queued", exc_info=exc)
    answer = error_response(503, outage) if outage else error_response(500)
    response.set_data(answer.get_data())
    response.status_code = answer.status_code
    for header in ("Content-Type", REASON_HEADER, "Retry-After"):
        if header in answer.headers:
            response.headers[header] = answer.headers[header]
    return response


def register_errors(server: Flask) -> None:
    """Install the error answers, /healthz, and the language kept for error pages."""
    server.after_request(_remember_language)
    server.after_request(_job_not_queued)
    server.register_error_handler(HTTPException, _http_error)
    for exc in DATABASE_DOWN:
        server.register_error_handler(exc, _database_down)
    for exc in _job_service_errors():
        server.register_error_handler(exc, _jobs_down)
    server.add_url_rule("/healthz", "healthz", healthz)
