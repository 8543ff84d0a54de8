"""The translation layer every user-facing word goes through: marking (N_) and the user's language.
Flask-Babel does the translating (gettext); web.i18n attaches it to the server."""
from __future__ import annotations

from flask import session
from flask_login import current_user

LANGUAGES = ("zh", "en")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a string for extraction; it is translated where it is shown, with gettext."""
    return message


def current_language() -> str:
    """The user's own choice, else the choice made on the login page, else BAOXUE_LANGUAGE."""
    from flask import current_app, has_request_context
    if not has_request_context():  # CLI and background jobs: the configured language
        return current_app.config["LANGUAGE"]
    if getattr(current_user, "is_authenticated", False) and current_user.language:
        return current_user.language
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else current_app.config["LANGUAGE"]
