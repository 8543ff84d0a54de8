"""Translations: gettext catalogs under translations/, compiled at start, chosen per user."""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, session
from flask_babel import Babel
from flask_login import current_user

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LANGUAGES = ("zh", "en")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a string for extraction; it is translated where it is shown, with gettext."""
    return message


def compile_catalogs(root: Path = TRANSLATIONS) -> None:
    """Compile every messages.po to messages.mo when the .mo is missing or older."""
    for po in root.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        tmp.replace(mo)


def current_language() -> str:
    """The user's own choice, else the choice made on the login page, else BAOXUE_LANGUAGE."""
    from flask import current_app, has_request_context
    if not has_request_context():  # CLI and background jobs: the configured language
        return current_app.config["LANGUAGE"]
    if getattr(current_user, "is_authenticated", False) and current_user.language:
        return current_user.language
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else current_app.config["LANGUAGE"]


def init_babel(server: Flask) -> None:
    """Attach flask-babel with our catalogs and locale selector."""
    compile_catalogs()
    server.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    server.config["BABEL_DEFAULT_LOCALE"] = "en"
    Babel(server, locale_selector=current_language)
