"""Translations: gettext catalogs under translations/, compiled at start, chosen per user."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel

from wording.i18n import current_language

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def compile_catalogs(root: Path = TRANSLATIONS) -> None:
    """Compile every messages.po to messages.mo when the .mo is missing or older."""
    for po in root.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        # a private temporary name: processes starting together (CI's two suites, gunicorn's workers) each write
        # their own file and move it into place; a shared ".mo.tmp" was renamed away under the second one
        fd, tmp = tempfile.mkstemp(dir=mo.parent, prefix="messages.", suffix=".mo.tmp")
        try:
            os.fchmod(fd, 0o644)  # readable as a file the usual way would be (mkstemp makes it private)
            with os.fdopen(fd, "wb") as fh:
                write_mo(fh, catalog)
            os.replace(tmp, mo)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def init_babel(server: Flask) -> None:
    """Attach flask-babel with our catalogs and locale selector."""
    compile_catalogs()
    server.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    server.config["BABEL_DEFAULT_LOCALE"] = "en"
    Babel(server, locale_selector=current_language)


def localize_index(page: str) -> str:
    """Dash's index page declaring the user's language (<html lang>) and carrying, as a JSON data block, the
    translations of words inside third-party controls that have no prop for them (assets/controls_i18n.js)."""
    import json

    from wording.controls import pager_words
    lang = "zh-CN" if current_language() == "zh" else "en"
    words = json.dumps(pager_words(), ensure_ascii=False).replace("</", "<\\/")
    page = page.replace("<html>", f'<html lang="{lang}">', 1)
    return page.replace("</head>", f'<script id="bx-words" type="application/json">{words}</script>\n</head>', 1)
