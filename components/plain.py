"""Elements of long generated tables and lists as the plain JSON Dash sends for them.

A `dash.html`, `dcc` or `dbc` component costs ~30 µs to build (each keyword checked against its signature) and about
as much again to serialise (the encoder calls back into Python for every component); a compliance matrix of 13 areas
× 12 indicators has ~500 of them: ~9.5 ms on a quiet machine, more on a busy one. `el("Td", …)` builds the same JSON
as `html.Td(…)` as a dict (~1 µs), which the encoder writes in C; `el("dcc.Link", …)` and `el("dbc.Badge", …)` do
the same for the other two libraries. The browser cannot tell them apart (tests/test_plain_html.py compares the two).
Tag and prop names are checked against the real component once per tag and set of names, so a typo fails as it
would with the component (ValueError, not a silently ignored attribute).

Use it for rows and cells built in loops; a page's frame and single controls stay components."""
from __future__ import annotations

import inspect
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

# "Td" is dash.html's, "dcc.Link" dash.dcc's (a link inside a row), "dbc.Badge" dash-bootstrap-components'
_LIBRARIES = {"": (html, "dash.html", "dash_html_components"), "dcc": (dcc, "dash.dcc", "dash_core_components"),
              "dbc": (dbc, "dbc", "dash_bootstrap_components")}
_WILDCARDS = ("data-", "aria-")
_checked: set[tuple[str, frozenset[str]]] = set()
_takes_children: dict[str, bool] = {}   # tag → whether the component has a children prop (dbc.Textarea has none)


def _check(tag: str, names: frozenset[str]) -> None:
    """Refuse a tag or prop name the library does not have (once per tag and set of names)."""
    lib, _dot, name = tag.rpartition(".")
    module, title, _namespace = _LIBRARIES.get(lib, (None, lib, None))
    component = getattr(module, name, None) if module is not None else None
    if not isinstance(component, type):
        raise ValueError(f"no {title} element {name!r}")
    allowed = set(inspect.signature(component.__init__).parameters) - {"self", "kwargs"}
    _takes_children[tag] = "children" in allowed
    unknown = sorted(n for n in names if n not in allowed and not n.startswith(_WILDCARDS))
    if unknown:
        raise ValueError(f"{title}.{name} has no prop {', '.join(unknown)}")
    _checked.add((tag, names))


def el(tag: str, children: Any = None, **props: Any) -> dict[str, Any]:
    """The JSON of `html.<tag>(children, **props)` ("dcc.Link", "dbc.Badge": of `dcc.Link(…)`, `dbc.Badge(…)`), key
    for key: a dict the browser renders as that component. data-* and aria-* attributes go in as `**{"data-code": …}`."""
    names = frozenset(props)
    if (tag, names) not in _checked:
        _check(tag, names)
    lib, _dot, name = tag.rpartition(".")
    if not _takes_children[tag]:
        if children is not None:
            raise ValueError(f"{tag} takes no children")
        return {"props": props, "type": name, "namespace": _LIBRARIES[lib][2]}
    return {"props": {"children": children, **props}, "type": name, "namespace": _LIBRARIES[lib][2]}
