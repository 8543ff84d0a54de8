"""Callbacks of the app shell: navigation by role, pickers within scope, language switch."""
from __future__ import annotations

import dash
from dash import Input, Output, State, callback, clientside_callback, ctx, no_update
from flask import current_app
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from flask_login import current_user

from components.shell import (SHELL_AREA_BOX, SHELL_PICKERS, SHELL_TERM_BOX, SHELL_COLLAPSE, SHELL_FILTERS, SHELL_LANG_EN, SHELL_LANG_ZH, SHELL_NAV, SHELL_PAGE_PICKERS,
                              SHELL_REDIRECT, SHELL_SELECTION, SHELL_TERM, SHELL_TOGGLER, SHELL_URL, nav_links,
                              navbar)
from data_access.inbox.items import inbox_count
from data_access.queries import selection_choices, term_codes
from data_access.admin.users import set_language
from domain.localtime import local_today
from domain.terms import term_label_en, term_label_zh
from pages.inspection.common import current_actor
from web.context import current_scope, db, transaction
from wording.common import LEVEL_LABELS, role_label
from wording.i18n import current_language

INDENT = "\u3000"  # an ideographic space per level below the user's own area


def pages_for_role(role: str) -> list[dict]:
    """Registered pages whose `roles` metadata admits this role, in order."""
    return [p for p in dash.page_registry.values() if role in p.get("roles", ())]


@callback(Output(SHELL_NAV, "children"), Input(SHELL_URL, "pathname"))
def render_nav(pathname: str | None) -> object:
    """Build the navbar for the logged-in user's role and language."""
    badges = {"/inbox": inbox_count(db(), current_actor(), local_today(), current_app.config.get("CASE_STEP_DAYS"))}
    links = nav_links(pages_for_role(current_user.role), pathname or "/", badges)
    name = current_user.display_name or current_user.username
    areas = current_user.scope.areas
    return navbar(links, name, role_label(current_user.role, areas[0][1] if len(areas) == 1 else None),
                  current_language(), generate_csrf())


def page_pickers() -> dict[str, list[str]]:
    """Page path → the shell pickers the page reads (none for detail and admin pages), for the browser."""
    return {p["path"]: list(p.get("pickers", ())) for p in dash.page_registry.values() if p.get("path")}


# Show only the pickers the page reads (the visit, order and case pages show their own area and term): in the
# browser, from the page's entry in the frame's map, so that moving between pages asks the server nothing for it
clientside_callback(
    """function(pathname, pickers) {
        const wanted = (pickers || {})[pathname || "/"] || [];
        return [wanted.length ? "mb-3 g-2 bx-pickers" : "d-none", wanted.includes("area") ? "" : "d-none",
                wanted.includes("term") ? "" : "d-none"];
    }""",
    Output(SHELL_PICKERS, "className"), Output(SHELL_AREA_BOX, "className"), Output(SHELL_TERM_BOX, "className"),
    Input(SHELL_URL, "pathname"), State(SHELL_PAGE_PICKERS, "data"))


@callback(Output(SHELL_SELECTION, "options"), Output(SHELL_SELECTION, "value"),
          Output(SHELL_TERM, "options"), Output(SHELL_TERM, "value"),
          Input(SHELL_PAGE_PICKERS, "data"), State(SHELL_FILTERS, "data"), State(SHELL_SELECTION, "options"))
def fill_pickers(_pickers: dict | None, filters: dict | None, filled: list | None = None) -> tuple:
    """Offer only the areas in the user's scope and the terms with data; keep the last choice. Filled once per page
    load (its input, the frame's map of pickers, never changes): moving between pages posts nothing for it (it was
    posted at every move, a third of the shell's requests, to answer "no change")."""
    if filled:
        return no_update, no_update, no_update, no_update
    choices = selection_choices(db(), current_scope())
    levels = {level: _(label) for level, label in LEVEL_LABELS.items()}  # once, not per area (a province: 100s)
    options = [{"label": f"{INDENT * c.depth}{c.name} · {levels[c.level]}", "value": c.code} for c in choices]
    terms = term_codes(db())
    label = term_label_zh if current_language() == "zh" else term_label_en
    term_options = [{"label": label(t), "value": t} for t in terms]
    filters = filters or {}
    codes = {c.code for c in choices}
    selection = filters.get("selection") if filters.get("selection") in codes else (
        choices[0].code if choices else None)
    term = filters.get("term") if filters.get("term") in terms else (terms[0] if terms else None)
    return options, selection, term_options, term


@callback(Output(SHELL_FILTERS, "data"), Input(SHELL_SELECTION, "value"), Input(SHELL_TERM, "value"),
          prevent_initial_call=True)
def remember_filters(selection: str | None, term: str | None) -> dict:
    """Keep the picked area and term for the other pages of this browser session."""
    return {"selection": selection, "term": term}


@callback(Output(SHELL_REDIRECT, "href"), Input(SHELL_LANG_ZH, "n_clicks"), Input(SHELL_LANG_EN, "n_clicks"),
          State(SHELL_URL, "pathname"), prevent_initial_call=True)
def switch_language(zh_clicks: int | None, en_clicks: int | None, pathname: str | None) -> object:
    """Remember the chosen language for this user and reload the page in it."""
    if not (zh_clicks or en_clicks):
        return no_update
    language = "zh" if ctx.triggered_id == SHELL_LANG_ZH else "en"
    with transaction() as s:
        set_language(s, current_user.id, language)
    return pathname or "/"


@callback(Output(SHELL_COLLAPSE, "is_open"), Input(SHELL_TOGGLER, "n_clicks"), State(SHELL_COLLAPSE, "is_open"),
          prevent_initial_call=True)
def toggle_menu(n_clicks: int | None, is_open: bool | None) -> bool:
    """Open or close the navigation on narrow screens (tablets)."""
    return not is_open if n_clicks else bool(is_open)
