"""The app shell: navigation bar, selection pickers and page frame."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_babel import gettext as _
from components.controls import dropdown

SHELL_URL = "shell-url"
SHELL_REDIRECT = "shell-redirect"
SHELL_NAV = "shell-nav"
SHELL_SELECTION = "shell-selection"
SHELL_TERM = "shell-term"
SHELL_PICKERS = "shell-pickers"
SHELL_AREA_BOX = "shell-area-box"
SHELL_TERM_BOX = "shell-term-box"
SHELL_FILTERS = "shell-filters"
SHELL_PAGE_PICKERS = "shell-page-pickers"   # page path → the pickers it reads (shown by a clientside callback)
SHELL_LANG_ZH = "shell-lang-zh"
SHELL_LANG_EN = "shell-lang-en"
SHELL_TOGGLER = "shell-toggler"
SHELL_COLLAPSE = "shell-collapse"
SHELL_SAVES = "bx-save-config"  # read by assets/saves.js: which callbacks save, and the words it shows


def nav_links(pages: Iterable[dict], pathname: str, badges: Mapping[str, int] | None = None) -> list:
    """Navigation links for the pages a user may open (label, icon and path from the registry), with a count
    badge where `badges` gives one for the page's path (the inbox)."""
    links = []
    for page in pages:
        label = page["label"]
        icon = html.I(className=f"bi bi-{page.get('icon', 'circle')} me-1")
        active = pathname == page["path"] or (page["path"] != "/" and pathname.startswith(page["path"]))
        count = (badges or {}).get(page["path"], 0)
        badge = (html.Span(f"{count:,}" if count < 1000 else "999+", className="badge rounded-pill text-bg-danger ms-1",
                           id=f"shell-badge-{page['path'].strip('/') or 'home'}") if count else None)
        links.append(dbc.NavItem(dbc.NavLink([icon, _(label), badge], href=page["path"], active=active)))
    return links


def navbar(links: list, user_label: str, role_label: str, language: str, csrf_token: str) -> dbc.Navbar:
    """The top bar: brand, page links, language switch, user and logout (a CSRF-protected POST)."""
    lang_buttons = dbc.ButtonGroup([
        dbc.Button("中文", id=SHELL_LANG_ZH, size="sm", color="light", outline=language != "zh"),
        dbc.Button("English", id=SHELL_LANG_EN, size="sm", color="light", outline=language != "en"),
    ], className="me-2")
    logout = html.Form([dcc.Input(type="hidden", name="csrf_token", value=csrf_token),
                        html.Button([html.I(className="bi bi-box-arrow-right me-1"), _("Sign out")],
                                    className="btn btn-sm btn-outline-light", type="submit", id="shell-logout")],
                       method="post", action="/logout", className="d-inline")
    return dbc.Navbar(dbc.Container([
        dbc.NavbarBrand([html.I(className="bi bi-mortarboard-fill me-2"), _("Baoxue")], href="/"),
        # a plain button: dbc.NavbarToggler's aria-label is a fixed English "Toggle navigation"
        html.Button(html.Span(className="navbar-toggler-icon"), id=SHELL_TOGGLER, n_clicks=0, type="button",
                    className="navbar-toggler", **{"aria-label": _("Menu")}),
        dbc.Collapse([
            dbc.Nav(links, navbar=True, className="me-auto"),
            html.Div([lang_buttons,
                      html.Span([html.I(className="bi bi-person-circle me-1"), user_label,
                                 html.Small(f" · {role_label}", className="opacity-75")],
                                className="text-white small me-2 d-none d-xxl-inline"),
                      html.A([html.I(className="bi bi-key me-1"), _("Password")], href="/account/password",
                             id="shell-password", title=_("Change your password"),
                             className="btn btn-sm btn-outline-light"),
                      logout], className="d-flex align-items-center flex-wrap gap-1 bx-nav-tools"),
        ], id=SHELL_COLLAPSE, is_open=False, navbar=True),
    ], fluid=True), color="primary", dark=True, expand="xl", className="mb-3 bx-navbar")


def pickers() -> dbc.Row:
    """Area (or school) and term pickers; options arrive through a callback, which also shows only the pickers
    the page reads (its `pickers` metadata), so a page never shows a choice it ignores."""
    return dbc.Row([
        dbc.Col([dbc.Label(_("Area"), html_for=SHELL_SELECTION, className="small text-muted mb-0"),
                 dropdown(id=SHELL_SELECTION, clearable=False, className="bx-picker")], md=5, lg=4,
                id=SHELL_AREA_BOX),
        dbc.Col([dbc.Label(_("Term"), html_for=SHELL_TERM, className="small text-muted mb-0"),
                 dropdown(id=SHELL_TERM, clearable=False, searchable=False, className="bx-picker")],
                md=4, lg=3, id=SHELL_TERM_BOX),
    ], className="mb-3 g-2 bx-pickers", id=SHELL_PICKERS)


def frame(page_container: object, save_config: dict[str, str] | None = None,
          page_pickers: dict[str, list[str]] | None = None) -> html.Div:
    """The whole page: locations, filters store, the pickers each page reads, navbar slot, pickers, the page
    content and the settings of the save-state script (data-* attributes)."""
    return html.Div([
        html.Div(id=SHELL_SAVES, hidden=True, **(save_config or {})),
        dcc.Location(id=SHELL_URL),
        dcc.Location(id=SHELL_REDIRECT, refresh=True),
        dcc.Store(id=SHELL_FILTERS, storage_type="session"),
        dcc.Store(id=SHELL_PAGE_PICKERS, data=page_pickers or {}),
        html.Div(id=SHELL_NAV),
        dbc.Container([pickers(), page_container], fluid=True, className="bx-main"),
    ])
