"""The register of issued documents as a table: number, title, issuer, date, who, and the two downloads."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from flask_babel import gettext as _

from domain.documents import Issued


def documents_table(rows: list[Issued], kinds: dict[str, str]) -> object:
    """One row per issued document, newest first; each downloads again exactly as issued."""
    if not rows:
        return html.P(_("No document has been issued in your area yet."), className="text-muted",
                      id="documents-empty")
    head = html.Thead(html.Tr([html.Th(_("Number")), html.Th(_("Title")), html.Th(_("Kind")), html.Th(_("Issuer")),
                               html.Th(_("Date")), html.Th(_("Issued by")), html.Th(_("Files"))]))
    body = html.Tbody([html.Tr([
        html.Td(d.number, className="text-nowrap"), html.Td(d.title), html.Td(kinds.get(d.kind, d.kind)),
        html.Td(d.issuer), html.Td(d.issued_on.isoformat(), className="font-monospace text-nowrap"),
        html.Td(d.issued_by or "—"),
        html.Td([html.A([html.I(className="bi bi-file-earmark-word me-1"), ".docx"], href=f"/documents/{d.id}.docx",
                        className="me-2"),
                 html.A([html.I(className="bi bi-file-earmark-pdf me-1"), ".pdf"], href=f"/documents/{d.id}.pdf")
                 if d.has_pdf else html.Span("—", className="text-muted")], className="text-nowrap"),
    ]) for d in rows])
    return dbc.Table([head, body], size="sm", hover=True, responsive=True, className="small", id="documents-table")
