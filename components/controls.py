"""Third-party controls speaking the user's language: every dcc.Dropdown and AG Grid of the app is built here,
so none shows the libraries' English ("Search", "N selected", "Contains", "Page 1 of 4", "No Rows To Show")."""
from __future__ import annotations

import secrets
from collections.abc import Sequence

import dash_ag_grid as dag
from dash import dcc, html
from flask_babel import gettext as _

from domain.grid_request import MAX_CONDITIONS
from wording.controls import dropdown_labels, grid_locale

PAGE_SIZE = 20  # rows per page of a paginated grid


# an AG Grid count with thousands separators, — when empty (valueFormatter)
COUNT_FORMAT = "params.value == null ? '—' : params.value.toLocaleString('en-US')"


LONG_LIST = 200  # a dropdown offers at most this many options at once; more are found by typing
MORE = "__more__"  # the value of the disabled line saying how many more there are


def searched_options(choices: Sequence[tuple[object, str]], search: str | None, keep: object = None,
                     limit: int = LONG_LIST) -> list[dict]:
    """The options of a dropdown over a list that may be long (a province's 12,462 schools were 775 KB in every
    answer): every choice up to `limit`; above it, those whose label holds the typed text (`search_value`), the
    first `limit` of them, the kept value's, and a disabled line saying how many more typing finds."""
    if len(choices) <= limit:
        return [{"label": n, "value": v} for v, n in choices]
    text = (search or "").strip().lower()
    found = [(v, n) for v, n in choices if text in n.lower()] if text else list(choices)
    shown = found[:limit]
    if keep is not None and all(v != keep for v, _n in shown):
        shown += [(v, n) for v, n in choices if v == keep]
    options = [{"label": n, "value": v} for v, n in shown]
    if len(found) > limit:
        options.append({"label": _("Type a name to find the other %(n)s", n=f"{len(found) - limit:,}"),
                        "value": MORE, "disabled": True})
    return options


def dropdown(**kwargs: object) -> dcc.Dropdown:
    """A dcc.Dropdown with its own words (search box, "N selected", clear) in the user's language."""
    return dcc.Dropdown(labels=dropdown_labels(), **kwargs)


def county_picker(picker_id: str, counties: dict[str, str], county: str | None) -> dcc.Dropdown:
    """The counties of a user's area to open one of (the pages that first sum an area spanning counties by county);
    `county` is picked when it is one of them."""
    return dropdown(id=picker_id, options=[{"label": n, "value": c} for c, n in counties.items()],
                    value=county if county in counties else None, clearable=True, placeholder=_("All counties"))


def markdown_link(text: str, href: str) -> str:
    """A Markdown link for a grid's markdown cell, its text escaped (an area's name is typed by an admin)."""
    escaped = "".join(f"\\{c}" if c in "\\`*_{}[]()<>#+-.!|" else c for c in text)
    return f"[{escaped}]({href})"


def grid_options(options: dict | None = None, paginate: bool = False) -> dict:
    """AG Grid's dashGridOptions with localeText in the user's language (and a 20-row pager when asked)."""
    merged = {"animateRows": False, "localeText": grid_locale()}
    if paginate:
        merged.update({"pagination": True, "paginationPageSize": PAGE_SIZE, "paginationPageSizeSelector": False})
    merged.update(options or {})
    return merged


def grid(paginate: bool = False, options: dict | None = None, **kwargs: object) -> dag.AgGrid:
    """An AG Grid with the project's look, the user's language and, for long lists, a pager."""
    kwargs.setdefault("className", "bx-grid")
    kwargs.setdefault("style", {"width": "100%"})
    kwargs.setdefault("defaultColDef", {"sortable": True, "filter": True, "resizable": True, "wrapHeaderText": True,
                                        "autoHeaderHeight": True})
    return dag.AgGrid(dashGridOptions=grid_options({"domLayout": "autoHeight", **(options or {})}, paginate),
                      **kwargs)


def rows_grid(grid_id: str, rows: list[dict], columns: list[dict], **kwargs: object) -> dag.AgGrid:
    """A grid of rows sent whole (a list of hundreds at most: a long one is a server_grid), paged past PAGE_SIZE."""
    return grid(paginate=len(rows) > PAGE_SIZE, id=grid_id, rowData=rows, columnDefs=columns, **kwargs)


def count_column(field: str, name: str, **more: object) -> dict:
    """A column of counts: right-aligned, with thousands separators, filtered by number."""
    return {"field": field, "headerName": name, "type": "numericColumn", "flex": 1, "minWidth": 90,
            "filter": "agNumberColumnFilter", "valueFormatter": {"function": COUNT_FORMAT}, **more}


def county_link_column() -> dict:
    """The county column of an area's counts by county: each county a link (markdown_link) that opens it."""
    return {"field": "county", "headerName": _("County"), "cellRenderer": "markdown", "minWidth": 140, "flex": 2,
            "filter": "agTextColumnFilter"}


def server_grid(grid_id: str, columns: list[dict], total: int, class_name: str = "", row_id: str = "code",
                options: dict | None = None) -> html.Div:
    """A paginated AG Grid on the infinite row model: the server sends each page (`getRowsResponse` answering
    `getRowsRequest`: domain.grid_request checks it, data_access.grid applies it), so a long list is never sent
    whole. `total` sizes the pager until the first page arrives. Every filter offers as many conditions as the server
    takes, and a reset button."""
    for column in columns:
        column.setdefault("filterParams", {"maxNumConditions": MAX_CONDITIONS, "buttons": ["reset"]})
    table = grid(paginate=True, id=grid_id, columnDefs=columns, rowModelType="infinite",
                 options={"cacheBlockSize": PAGE_SIZE, "maxBlocksInCache": 10, "infiniteInitialRowCount": total,
                          **(options or {})},
                 getRowId=f"params.data.{row_id}",
                 className=f"bx-grid {class_name}".strip())
    # A grid built anew (another term or township picked) must ask for its pages again: the infinite row model keeps
    # the pages it has while it stays mounted, and since Dash 4.5 (plotly/dash#3881) a component returned in the same
    # place with the same id is updated, not mounted afresh. A wrapper of a new id mounts it afresh.
    return html.Div(table, id=f"{grid_id}-{secrets.token_hex(4)}")
