"""The administration pages' own navigation (the top bar keeps one entry for them)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

# (path, label, icon, roles that may open the page)
ADMIN_PAGES = (
    ("/data-status", "Data status", "database-check", ("admin", "county_leader")),
    ("/audit", "Audit log", "journal-check", ("admin", "county_leader")),
    ("/admin/targets", "Targets", "bullseye", ("admin", "county_leader")),
    ("/admin/users", "Users", "people", ("admin", "county_leader")),
    ("/roster-export", "Roster export", "file-earmark-spreadsheet", ("admin", "township_officer", "school_staff")),
    ("/documents", "Issued documents", "file-earmark-text", ("admin", "county_leader", "township_officer")),
    ("/admin/areas", "Areas and schools", "diagram-2", ("admin",)),
)


def admin_subnav(role: str, active: str) -> object:
    """Pills linking the administration pages this role may open (nothing when there is only one)."""
    shown = [p for p in ADMIN_PAGES if role in p[3]]
    if len(shown) < 2:
        return ""
    return dbc.Nav([dbc.NavItem(dbc.NavLink([html.I(className=f"bi bi-{icon} me-1"), _(label)], href=path,
                                            active=path == active))
                    for path, label, icon, _roles in shown], pills=True, className="mb-3 small bx-admin-subnav")
