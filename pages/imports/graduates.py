"""The import result's 小升初 button: the spring's grade-6 graduates on no roster of the imported autumn term
become suspected cases in one step (school staff, township officers, admins; within their own area). Not a page."""
from __future__ import annotations

from dash import Input, Output, State, callback, dcc, html, no_update
from flask_babel import gettext as _
from flask_login import current_user

from data_access.cases.cases import CaseRefused
from data_access.cases.transition import open_lost_graduates
from data_access.imports.jobs import result_of
from domain.terms import parse_term
from pages.cases.common import CASE_ROLES, refused_as_403
from pages.imports.imports import IMPORTS_JOB, RESULT_IDS
from pages.imports.runner import job_store
from pages.inspection.common import require_role
from web.context import AreaRefused, transaction


@callback(Output(RESULT_IDS["graduates_done"], "children"), Input(RESULT_IDS["graduates_open"], "n_clicks"),
          State(IMPORTS_JOB, "data"), prevent_initial_call=True)
def open_graduate_cases(n_clicks: int | None, job_id: str | None) -> object:
    """Open a suspected case (source transition) for each lost graduate of the user's own autumn roster import,
    as the list stands now and within the user's area (HTTP 403 for roles that may not open cases)."""
    if not n_clicks:
        return no_update
    actor = require_role(*CASE_ROLES)
    job = job_store().get(current_user.id, job_id if isinstance(job_id, str) else "")
    result = result_of(job)
    if result is None or result.kind != "roster" or not result.term or parse_term(result.term).semester != 1:
        raise AreaRefused()
    try:
        with refused_as_403(), transaction() as session:
            opened, listed = open_lost_graduates(session, actor, result.term,
                                                 note=_("Grade-6 graduate on no junior roster (小升初)"))
    except CaseRefused as exc:
        raise AreaRefused() from exc
    return html.Span([html.I(className="bi bi-check2-circle text-success me-1"),
                      _("%(n)s suspected case(s) opened (%(listed)s graduates without a case).", n=opened,
                        listed=listed),
                      dcc.Link(_("Open the case ledger"), href="/cases?ledger=suspected", className="ms-2")],
                     id="imports-graduates-opened")
