"""What the browser needs to show the state of every save (assets/saves.js): which callbacks save, the
words it shows (in the user's language), and a guard for work done after a save was committed.

Pages mark their saving callbacks with `@saves` (under `@callback`); the app shell puts `client_config()`
into the page, and assets/saves.js shows "saving… / saved at hh:mm / not saved", keeps failed requests
and sends them again when the server answers again. "Saved at" needs the answer's X-Baoxue-Saved header, set
when the request committed a write.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, g, has_request_context
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)
SAVED_HEADER = "X-Baoxue-Saved"     # on a callback's answer: a write of it was committed


def committed() -> None:
    """Note that this request committed a write (web.context.transaction): its answer says so."""
    if has_request_context():
        g.bx_saved = True


def _saved_header(response: Response) -> Response:
    if g.pop("bx_saved", False):
        response.headers[SAVED_HEADER] = "1"
    return response


def install(server: Flask) -> None:
    """Mark the answers of requests that committed a write: assets/saves.js says "saved at" for those only (a save
    callback that wrote nothing — refused, or fired by Dash because its button was drawn — answers without it)."""
    server.after_request(_saved_header)


def saves(fn: F) -> F:
    """Mark a callback as one that saves what the user typed or chose (put it under `@callback`)."""
    fn.bx_save = True  # type: ignore[attr-defined] - functools.wraps copies it to Dash's wrapper
    return fn


def _component_key(dep: dict[str, Any]) -> str:
    """A dependency's component as the browser names it: the id, or a pattern id's "type"."""
    ident = dep.get("id")
    if isinstance(ident, str) and ident.startswith("{"):
        try:
            return str(json.loads(ident).get("type", ident))
        except ValueError:
            return ident
    return str(ident)


def save_callbacks() -> tuple[list[str], list[str]]:
    """The outputs of the callbacks marked `@saves` (as the browser sends them) and the ids (or pattern
    types) of their inputs and states (what the user types before saving)."""
    import dash
    from dash._callback import GLOBAL_CALLBACK_MAP
    outputs, inputs = [], set()
    # Dash moves the callbacks registered with @callback into the app's map when it starts serving
    for key, spec in {**GLOBAL_CALLBACK_MAP, **dash.get_app().callback_map}.items():
        if getattr(spec.get("callback"), "bx_save", False):
            outputs.append(key)
            inputs.update(_component_key(dep) for dep in (*spec.get("inputs", ()), *spec.get("state", ())))
    return sorted(outputs), sorted(inputs)


def client_texts() -> dict[str, str]:
    """The words assets/saves.js shows, translated for this user."""
    return {
        "saving": _("Saving…"),
        "saved": _("Saved at %(time)s", time="{time}"),
        "retry": _("Retry now"),
        "retrying": _("Trying again…"),
        "offline": _("Not saved: the server cannot be reached. What you entered is kept on this page and is "
                     "saved automatically when the connection is back."),
        "unavailable": _("Not saved: the service is temporarily unavailable. What you entered is kept on this "
                         "page and is saved automatically when the service is back."),
        "failed": _("Not saved: the server could not save this change. What you entered is kept on this page; "
                    "try again, and tell your administrator if it keeps failing."),
        "jobs": _("The job service is unavailable: imports cannot run now. Try again later; everything else "
                  "keeps working."),
        "page_offline": _("The server cannot be reached: this page is updated when the connection is back."),
        "page_unavailable": _("The service is temporarily unavailable: this page is updated when it is back."),
        "field": _("Not saved yet"),
        "leave": _("Some changes are not saved yet. Leave the page anyway?"),
    }


def client_config() -> dict[str, Any]:
    """Everything assets/saves.js reads from the page (data-* attributes of the shell's status element)."""
    outputs, inputs = save_callbacks()
    return {"data-texts": json.dumps(client_texts(), ensure_ascii=False),
            "data-outputs": json.dumps(outputs), "data-inputs": json.dumps(inputs)}


def after_commit(work: Callable[[], Any], fallback: Any) -> Any:
    """Run what follows a committed save (re-reading the page's lists, the score…); should it fail, the save
    still stands, so answer `fallback` (the page catches up on the next load) instead of an error."""
    try:
        return work()
    except SQLAlchemyError:
        log.warning("reading after a committed save failed; the save is reported as saved", exc_info=True)
        return fallback
