"""The Flask side of issue 11's weak points: security headers with a Content-Security-Policy Dash works under, no
server banner, request body limits (uploads have their own), sessions that end (revoked on logout, idle timeout,
absolute lifetime) and client addresses behind a reverse proxy (ProxyFix, BAOXUE_PROXY_FIX)."""
from __future__ import annotations

import re
import time
import types
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, request, session
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

CALLBACK_PATH = "/_dash-update-component"
# Callbacks that carry an uploaded file in their body, by output: the import upload and evidence files.
_IMPORT_UPLOAD = re.compile(rb'"output"\s*:\s*"[^"]*imports-upload-ref\.data')
_EVIDENCE_UPLOAD = re.compile(rb'"output"\s*:\s*"[^"]*\.contents')
_HEAD = 2048


def csp(script_hashes: Iterable[str]) -> str:
    """The Content-Security-Policy: everything from this origin only; inline scripts only those Dash writes
    (by hash); inline styles allowed (Dash components and Plotly set style attributes)."""
    scripts = " ".join(["'self'", *(h if h.startswith("'") else f"'{h}'" for h in script_hashes)])
    return ("default-src 'self'; "
            f"script-src {scripts}; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
            "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'none'")


def _headers(response):  # noqa: ANN001, ANN202
    """Security headers on every response, and a server banner without versions."""
    headers = response.headers
    policy = current_app.config.get("_CSP")
    if policy is None:
        import dash
        try:
            hashes = dash.get_app().csp_hashes()
        except Exception:  # noqa: BLE001 - no Dash app (a bare server in a test): no inline scripts allowed
            hashes = []
        policy = current_app.config["_CSP"] = csp(hashes)
    headers["Content-Security-Policy"] = policy
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["Server"] = "Baoxue"        # Werkzeug's own banner names its and Python's versions
    if request.path.startswith(("/_dash", "/login", "/cases/", "/download/", "/inspection/", "/rectification/")):
        headers.setdefault("Cache-Control", "no-store")
    return response


class _Prepended:
    """A WSGI input stream with bytes already read put back in front."""

    def __init__(self, head: bytes, rest: Any) -> None:
        self.head, self.rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            data, self.head = self.head + self.rest.read(), b""
            return data
        if self.head:
            data, self.head = self.head[:size], self.head[size:]
            return data + (self.rest.read(size - len(data)) if len(data) < size else b"")
        return self.rest.read(size)

    def readline(self, size: int = -1) -> bytes:
        return self.read(size if size and size > 0 else -1)


class BodyLimit:
    """WSGI middleware: refuse request bodies over the limit (413) before they are read; the callbacks that carry
    an upload (decided from the start of the body) get the uploads' own limits."""

    def __init__(self, app: Callable[..., Any], server: Flask) -> None:
        self.app, self.server = app, server

    def limit_for(self, environ: dict[str, Any], length: int) -> int:
        """The body limit of this request (peeking at a callback's output to find upload callbacks; a body without
        a declared length gets the ordinary limit: browsers always declare it)."""
        config = self.server.config
        if (environ.get("REQUEST_METHOD") != "POST" or not environ.get("PATH_INFO", "").endswith(CALLBACK_PATH)
                or length <= 0):
            return config["MAX_REQUEST_BYTES"]
        stream = environ["wsgi.input"]
        head = stream.read(min(length, _HEAD))     # never more than declared: a socket would wait for the rest
        environ["wsgi.input"] = _Prepended(head, stream)
        if _IMPORT_UPLOAD.search(head):
            return config["MAX_IMPORT_REQUEST_BYTES"]
        if _EVIDENCE_UPLOAD.search(head):
            return config["MAX_EVIDENCE_REQUEST_BYTES"]
        return config["MAX_REQUEST_BYTES"]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = self.limit_for(environ, length)
        if length > limit:
            body = b"request body too large"
            start_response("413 Request Entity Too Large", [("Content-Type", "text/plain"),
                                                            ("Content-Length", str(len(body))), ("Connection", "close"),
                                                            ("X-Content-Type-Options", "nosniff")])
            return [body]
        environ["baoxue.body_limit"] = limit
        return self.app(environ, start_response)


def _apply_body_limit() -> None:
    """Bodies sent without a length (chunked) are held to the same limit while they are read."""
    request.max_content_length = request.environ.get("baoxue.body_limit", current_app.config["MAX_REQUEST_BYTES"])


def session_expired(now: float | None = None) -> bool:
    """True when the signed-in session is past its idle timeout or absolute lifetime (and so must end)."""
    now = time.time() if now is None else now
    config = current_app.config
    started, seen = session.get("login_at"), session.get("seen_at")
    if not isinstance(started, (int, float)) or not isinstance(seen, (int, float)):
        return True
    return now - seen > config["SESSION_IDLE_SECONDS"] or now - started > config["SESSION_MAX_SECONDS"]


def mark_seen(now: float | None = None) -> None:
    """Note activity (written at most once a minute, so the cookie does not change on every request)."""
    now = time.time() if now is None else now
    if now - session.get("seen_at", 0) >= 60:
        session["seen_at"] = int(now)


def start_session(version: int) -> None:
    """Stamp a fresh login: the user's session version, login time and last activity."""
    now = int(time.time())
    session["sv"], session["login_at"], session["seen_at"] = version, now, now
    session.permanent = True


def proxy_fix(server: Flask, setting: str | None) -> None:
    """Trust X-Forwarded-For/-Proto/-Host/-Prefix from that many proxies ("1" or "for,proto,host,prefix")."""
    if not setting:
        return
    counts = [int(p) for p in setting.split(",")]
    counts += [counts[0] if len(counts) == 1 else 0] * (4 - len(counts))
    for_, proto, host, prefix = counts[:4]
    server.wsgi_app = ProxyFix(server.wsgi_app, x_for=for_, x_proto=proto, x_host=host, x_prefix=prefix)


_INPUT_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError)


def is_input_error(exc: BaseException) -> bool:
    """True for the errors a value no page sends causes: a wrong type or format, a number out of range (also when
    the database driver is the one that refuses it); a database that is down is not one."""
    from dash.exceptions import UnsupportedRelativePath
    from sqlalchemy import exc as sa_exc
    if isinstance(exc, AttributeError) and isinstance(getattr(exc, "obj", None), types.ModuleType):
        return False                # a name missing from a module: a bug of ours, not the request's
    if isinstance(exc, (*_INPUT_ERRORS, UnsupportedRelativePath, sa_exc.DataError, sa_exc.ArgumentError)):
        return True
    if isinstance(exc, sa_exc.InvalidRequestError) and not isinstance(exc, sa_exc.DBAPIError):
        return True
    return isinstance(exc, sa_exc.StatementError) and isinstance(getattr(exc, "orig", None), _INPUT_ERRORS)


def _callback_input_error(exc: Exception):  # noqa: ANN202 - a Flask response
    """A callback that failed on a value it was sent (a malformed term, a list for a code) answers 400, not 500;
    the same error anywhere else is a server error."""
    if isinstance(exc, HTTPException):
        return exc
    if request.path.endswith(CALLBACK_PATH) and is_input_error(exc):
        current_app.logger.warning("callback refused bad input: %s: %s", type(exc).__name__, exc)
        return BadRequest("A value in the request is not valid.")
    raise exc  # not the request's fault: Flask answers 500 through the app's error page (web.errors) and logs it


def register_security(server: Flask) -> None:
    """Install the headers, the body limits, the 400 answer for bad callback input and the proxy setting."""
    server.register_error_handler(Exception, _callback_input_error)
    server.after_request(_headers)
    server.before_request(_apply_body_limit)
    server.wsgi_app = BodyLimit(server.wsgi_app, server)
    proxy_fix(server, server.config.get("PROXY_FIX"))
