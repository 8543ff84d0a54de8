"""Issued documents (issue 17.2): the register of the documents issued in the user's area — bulletins,
整改通知书, return notices — with their 发文字号, and each downloadable again exactly as issued (.docx, .pdf).
County leaders, township officers and admins, each for their area; reached from the administration pills."""
from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html
from flask_babel import gettext as _
from flask_login import current_user

from components.admin.documents import documents_table
from components.admin.subnav import admin_subnav
from components.shell import SHELL_URL
from data_access.documents.register import issued_documents
from web.context import AreaRefused, current_scope, db
from wording.i18n import N_

READERS = ("admin", "county_leader", "township_officer")
dash.register_page(__name__, path="/documents", name="Issued documents", label=N_("Issued documents"),
                   icon="file-earmark-text", roles=(), see_roles=READERS, order=14)

DOC_LIST = "documents-list"
KINDS = {"bulletin": N_("Bulletin"), "rectification": N_("Rectification notice"),
         "return-order": N_("Return order (限期复学通知书)"), "urge-return": N_("Urge to return (敦促返校通知书)")}


def layout(**_query: str) -> html.Div:
    """Page frame: an explanation and the register."""
    return html.Div([
        admin_subnav(current_user.role, "/documents"),
        html.H2(_("Issued documents"), className="h4 mb-2"),
        html.P(_("Every numbered document issued in your area, newest first. A document downloads again exactly "
                 "as it was issued; numbers run per issuer and year. The issuer, its abbreviation, the recipients "
                 "and the contact line are the county's document settings (flask --app app "
                 "set-document-settings)."), className="small text-muted"),
        dcc.Loading(html.Div(id=DOC_LIST), type="dot"),
    ])


@callback(Output(DOC_LIST, "children"), Input(SHELL_URL, "pathname"))
def list_documents(_path: str | None) -> object:
    """The register within the reader's area."""
    if current_user.role not in READERS:
        raise AreaRefused()
    return documents_table(issued_documents(db(), current_scope()), {k: _(v) for k, v in KINDS.items()})
