"""Login, logout, the before_request guard and the CSRF cookie Dash sends back."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect, generate_csrf, validate_csrf
from sqlalchemy import Row
from wtforms.validators import ValidationError

from data_access import audit
from data_access.models import User
from data_access.scope import Scope, scope_for_user
from data_access.admin.user_admin import UserInvalid, change_own_password, record_sign_in
from data_access.admin.users import PasswordRefused, authenticate, end_sessions, failed_logins, signed_in_user
from web.context import db, transaction
from web.security import mark_seen, session_expired, start_session
from wording.admin import password_error
from wording.i18n import LANGUAGES, current_language

PUBLIC_PREFIXES = ("/assets/", "/_favicon.ico")
PUBLIC_ENDPOINTS = {"auth_login", "auth_language", "healthz"}
# what a user who must change their password may still reach (the change form itself, signing out)
CHANGE_ENDPOINTS = {"auth_password", "auth_logout"}
CSRF_COOKIE = "_csrf_token"


@dataclass
class LoginUser(UserMixin):
    """The logged-in user for one request: identity, role, scope and language."""

    id: int
    username: str
    display_name: str
    role: str
    area_code: str | None
    school_id: int | None
    language: str | None
    scope: Scope
    must_change_password: bool = False

    def get_id(self) -> str:
        """Flask-Login's session key."""
        return str(self.id)


SCOPES_MAX = 4096


def user_scope(user: User | Row) -> Scope:
    """The user's scope. Every request re-reads the user's row (active? same session version?), so the scope of a
    role with an area or school is kept per process under exactly the fields it is made of (role, area, school): a
    change to the user's row is a new key, never a stale scope. An inspector's scope comes from their team's zone
    (team membership and zones change elsewhere), so it is resolved afresh on every request."""
    if user.role == "inspector":
        return scope_for_user(db(), user)
    cache = current_app.extensions["baoxue"].scopes     # one per database (emptied when the app's engine changes)
    key = (user.role, user.area_code, user.school_id)
    scope = cache.get(key)
    if scope is None:
        scope = scope_for_user(db(), user)
        if scope.areas or scope.school_id is not None or scope.unrestricted:   # an unknown area is not kept
            if len(cache) >= SCOPES_MAX:
                cache.clear()
            cache[key] = scope
    return scope


def load_user(user_id: str) -> LoginUser | None:
    """Load the user of a session cookie and resolve their scope on the server."""
    if not user_id.isdigit():
        return None
    user = signed_in_user(db(), int(user_id))
    if user is None or not user.is_active or session.get("sv") != user.session_version:
        return None     # a session from before a logout or password change (server-side revocation)
    if user.is_demo and not current_app.config["DEMO"]:
        return None     # BAOXUE_DEMO=0: the published demo password opens nothing
    return LoginUser(user.id, user.username, user.display_name, user.role, user.area_code, user.school_id,
                     user.language, user_scope(user), bool(user.must_change_password))


def safe_next(target: str | None) -> str:
    """A local redirect target, never another host."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _guard():  # noqa: ANN202 - a Flask response or None
    path = request.path
    if request.endpoint in PUBLIC_ENDPOINTS or path.startswith(PUBLIC_PREFIXES):
        return None
    if current_user.is_authenticated and session_expired():
        logout_user()               # idle too long, or past the absolute lifetime
        session.clear()
    if current_user.is_authenticated:
        mark_seen()
        audit.set_actor(current_user.id, current_user.username)
        if current_user.must_change_password and request.endpoint not in CHANGE_ENDPOINTS:
            if path.startswith("/_dash") or request.method != "GET":
                return ("password change required", 403)
            return redirect(url_for("auth_password"))   # a reset or new account: their own password first
        return None
    if path.startswith("/_dash") or request.method != "GET":
        return ("login required", 401)
    return redirect(url_for("auth_login", next=request.full_path.rstrip("?")))


def _locked_out(name: str) -> bool:
    """True when this user name had too many failed sign-ins lately (per account, beside the per-address limit)."""
    config = current_app.config
    since = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(seconds=config["LOGIN_LOCKOUT_SECONDS"])
    return failed_logins(db(), name, since) >= config["LOGIN_LOCKOUT_ATTEMPTS"]


def _csrf_cookie(response):  # noqa: ANN001, ANN202
    # the user is looked at last: files (CSS of an error page during a database outage) must not load them
    if request.method == "GET" and response.mimetype == "text/html" and current_user.is_authenticated:
        response.set_cookie(CSRF_COOKIE, generate_csrf(), samesite="Lax", httponly=False,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def register_auth(server: Flask) -> Limiter:
    """Install login manager, CSRF, rate limits, the guard and the login/logout routes."""
    manager = LoginManager(server)
    manager.user_loader(load_user)
    manager.session_protection = "strong"
    # Order matters: the guard refuses anonymous requests as such, the limiter counts every login
    # attempt (with or without a token), then CSRF is checked.
    server.before_request(_guard)
    # With Redis unreachable the limits fall back to memory per process, so sign-in keeps working (and a
    # Redis host that does not answer at all costs at most two seconds before that).
    redis_url = server.config.get("REDIS_URL")
    limiter = Limiter(get_remote_address, app=server, default_limits=[], storage_uri=redis_url or "memory://",
                      storage_options={"socket_connect_timeout": 2, "socket_timeout": 2} if redis_url else {},
                      in_memory_fallback_enabled=True)
    csrf = CSRFProtect(server)
    server.after_request(_csrf_cookie)

    @limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
    def auth_login():  # noqa: ANN202
        error = None
        if request.method == "POST":
            try:  # checked here, after the rate limit, so refused tokens count as attempts too
                validate_csrf(request.form.get("csrf_token"))
            except ValidationError:
                return _("The form has expired; please sign in again."), 400
            name = request.form.get("username", "").strip()[:64]
            if _locked_out(name):
                with audit.acting_as(None, name), transaction() as s:
                    audit.record(s, "login_locked", "app_user", name, after={"address": request.remote_addr})
                minutes = current_app.config["LOGIN_LOCKOUT_SECONDS"] // 60
                error = _("Too many failed sign-ins for this user name: try again in %(minutes)s minutes.",
                          minutes=minutes)
                return render_template("login.html", error=error, next=request.args.get("next", ""),
                                       lang=current_language()), 429
            user = authenticate(db(), name, request.form.get("password", ""))
            if user is not None and user.is_demo and not current_app.config["DEMO"]:
                user = None
            if user is None:
                with audit.acting_as(None, name), transaction() as s:
                    audit.record(s, "login_failed", "app_user", name, after={"address": request.remote_addr})
            if user is not None:
                session.clear()
                start_session(user.session_version)
                login_user(load_user(str(user.id)))
                with audit.acting_as(user.id, user.username), transaction() as s:
                    audit.record(s, "login", "app_user", str(user.id))
                    record_sign_in(s, user.id)
                if user.must_change_password:
                    return redirect(url_for("auth_password"))
                return redirect(safe_next(request.args.get("next")))
            error = _("Wrong user name or password.")
        return render_template("login.html", error=error, next=request.args.get("next", ""), lang=current_language()), (
            401 if error else 200)

    def auth_logout():  # noqa: ANN202
        if current_user.is_authenticated:
            with transaction() as s:     # every copy of this session's cookie stops working
                end_sessions(s, current_user.id)
        logout_user()
        session.clear()
        return redirect(url_for("auth_login"))

    def auth_password():  # noqa: ANN202
        """Change one's own password: the current one required; every other session ends, this one goes on."""
        error = done = None
        if request.method == "POST":
            try:
                validate_csrf(request.form.get("csrf_token"))
            except ValidationError:
                return _("The form has expired; please sign in again."), 400
            new = request.form.get("new", "")
            if new != request.form.get("confirm", ""):
                error = _("The two new passwords differ.")
            else:
                try:
                    with transaction() as s:
                        version = change_own_password(s, current_user.id, request.form.get("current", ""), new)
                except (UserInvalid, PasswordRefused) as exc:
                    error = password_error(exc)
                else:
                    session["sv"] = version    # this session continues; every other one has ended
                    if current_user.must_change_password:
                        return redirect("/")
                    done = _("Your password has been changed. Your other sessions have ended.")
        return render_template("password.html", error=error, done=done, lang=current_language(),
                               forced=current_user.must_change_password, username=current_user.username), (
            400 if error else 200)

    def auth_language(lang: str):  # noqa: ANN202
        if lang in LANGUAGES:
            session["lang"] = lang
        return redirect(safe_next(request.args.get("next")) if request.args.get("next") else url_for("auth_login"))

    server.add_url_rule("/login", "auth_login", csrf.exempt(auth_login), methods=["GET", "POST"])
    server.add_url_rule("/logout", "auth_logout", auth_logout, methods=["POST"])
    server.add_url_rule("/account/password", "auth_password", auth_password, methods=["GET", "POST"])
    server.add_url_rule("/language/<lang>", "auth_language", auth_language)
    return limiter
