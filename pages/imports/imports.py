"""Imports: an administrator imports every kind of file, school staff their own school's roster, township
officers their township's population. The file is kept under the instance folder, imported by a background
job with a progress bar, and the result (counts, students missing since the previous term, or the problems
of a refused file with a downloadable report) stays available to its user when they come back."""
from __future__ import annotations


import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from flask import current_app
from flask_babel import gettext as _
from components.controls import dropdown
from flask_login import current_user

from components.imports.preview import large_removal, preview_view
from components.imports.report import kind_label, progress_text, reason_text, report_labels, result_view
from config import import_removal_share
from data_access import audit
from data_access.imports.jobs import FAILED, FINISHED, result_of
from data_access.imports.report import XLSX_MIMETYPE, ReportLabels, report_workbook
from data_access.imports.files import (
    AREA_COLUMNS, HISTORY_COLUMNS, POPULATION_COLUMNS, POVERTY_COLUMNS, ROSTER_COLUMNS, SCHOOL_COLUMNS,
)
from data_access.queries import term_codes
from domain.localtime import local_clock, local_today
from domain.terms import term_for_date, term_label_en, term_label_zh
from pages.imports.runner import (
    MAX_UPLOAD_BYTES, TERM_KINDS, UploadRefused, allowed_kinds, check_request, decode_upload, job_store,
    pending_preview, run_import_job, sign, unsign,
)
from web.context import AreaRefused, current_scope, db, transaction
from wording.i18n import N_, current_language
from web.jobs import job_gettext, job_secret_key, job_session_factory

IMPORT_ROLES = ("admin", "school_staff", "township_officer")
dash.register_page(__name__, path="/imports", name="Imports", label=N_("Imports"), icon="upload", roles=IMPORT_ROLES,
                   order=10)

IMPORTS_KIND = "imports-kind"
IMPORTS_TERM = "imports-term"
IMPORTS_TERM_BOX = "imports-term-box"
IMPORTS_PROPERTY = "imports-code-property"
IMPORTS_DATUM = "imports-datum"
IMPORTS_PROPERTY_BOX = "imports-code-property-box"
IMPORTS_COLUMNS = "imports-columns"
IMPORTS_UPLOAD = "imports-upload"
IMPORTS_FILE = "imports-file"
IMPORTS_UPLOAD_REF = "imports-upload-ref"
IMPORTS_START = "imports-start"
IMPORTS_MESSAGE = "imports-message"
IMPORTS_TICKET = "imports-ticket"
IMPORTS_DONE = "imports-done"
IMPORTS_PROGRESS_BOX = "imports-progress-box"
IMPORTS_PROGRESS = "imports-progress"
IMPORTS_PROGRESS_TEXT = "imports-progress-text"
IMPORTS_POLL = "imports-poll"
IMPORTS_RESULT = "imports-result"
IMPORTS_JOB = "imports-job"
IMPORTS_DOWNLOAD = "imports-download"
RESULT_IDS = {"status": "imports-status", "problems": "imports-problems", "missing": "imports-missing",
              "new": "imports-new", "changed": "imports-changed", "unchanged": "imports-unchanged",
              "removed": "imports-removed", "download_button": "imports-download-button",
              "graduates": "imports-graduates", "graduates_open": "imports-graduates-open",
              "graduates_done": "imports-graduates-done", "stale": "imports-stale", "preview": "imports-preview",
              "removed_grid": "imports-removed-grid", "rows_grid": "imports-rows-grid", "large": "imports-confirm-large",
              "confirm": "imports-confirm", "confirm_message": "imports-confirm-message"}
COLUMNS = {"roster": ROSTER_COLUMNS, "population": POPULATION_COLUMNS, "enrollment_history": HISTORY_COLUMNS,
           "schools": SCHOOL_COLUMNS, "areas": AREA_COLUMNS, "poverty": POVERTY_COLUMNS}
UPLOAD_MESSAGES = {"too big": N_("The file is larger than %(limit)s MB. Split it (by school or township) or save "
                                 "it as .csv, and upload it again."),
                   "unreadable": N_("The upload could not be read; please choose the file again.")}
REQUEST_MESSAGES = {"kind not allowed": N_("You may not import this kind of file."),
                    "term missing": N_("Choose the term of the roster."),
                    "no file": N_("Choose a file first."),
                    "running": N_("An import of yours is still running; wait for its result.")}
JOB_ERRORS = {"not allowed": N_("You may not import this kind of file."),
              "upload missing": N_("The uploaded file is no longer there; please upload it again."),
              "interrupted": N_("The import stopped responding (its server or worker ended) and was given up; "
                                "nothing was written. Please import the file again."),
              "not started": N_("The import never started (the job service did not pick it up); nothing was "
                                "written. Please import the file again."),
              "busy": N_("Another import of the same term was still running after 10 minutes; nothing was written. "
                         "Please import the file again once it has finished."),
              "database busy": N_("The database was busy with other writes; nothing was written. Please import the "
                                  "file again in a minute.")}
IMPORT_FAILED = N_("The import failed; nothing was written.")
EXPIRED, LARGE, BUSY = "expired", "large", "running"
CONFIRM_MESSAGES = {
    EXPIRED: N_("The previewed file is no longer waiting (it expired or was imported); upload it again."),
    LARGE: N_("Tick the box to confirm removing %(count)s pupils."),
    BUSY: N_("An import of yours is still running; wait for its result."),
}


def layout(**_query: str) -> html.Div:
    """The page frame; what the user may import, their last result and progress arrive through callbacks."""
    upload = dcc.Upload(
        id=IMPORTS_UPLOAD, multiple=False, className="bx-upload",
        accept=".xlsx,.xlsm,.xls,.csv,.txt,.geojson,.json",
        children=html.Div([html.I(className="bi bi-cloud-arrow-up fs-3 d-block mb-1"),
                           html.Span(_("Drop the file here, or click to choose it")),
                           html.Div(_(".xlsx, .xls or .csv (UTF-8 or GBK), up to %(limit)s MB",
                                      limit=MAX_UPLOAD_BYTES // (1024 * 1024)), className="small text-muted")]),
        style={"border": "2px dashed #adb5bd", "borderRadius": ".5rem", "padding": "1.25rem 1rem", "textAlign": "center",
               "cursor": "pointer", "background": "#fff", "width": "100%", "boxSizing": "border-box",
               "overflowWrap": "anywhere"},
        style_active={"borderColor": "#0d6efd", "background": "#e7f1ff"})
    form = dbc.Card(dbc.CardBody([
        html.H3(_("New import"), className="h6"),
        dbc.Label(_("Kind of file"), html_for=IMPORTS_KIND, className="small text-muted mb-0"),
        dbc.Select(id=IMPORTS_KIND, options=[], className="mb-2"),
        html.Div([dbc.Label(_("Term"), html_for=IMPORTS_TERM, className="small text-muted mb-0"),
                  dropdown(id=IMPORTS_TERM, options=[], clearable=False, className="mb-2")],
                 id=IMPORTS_TERM_BOX, className="d-none"),
        html.Div([dbc.Label(_("Property holding the area code"), html_for=IMPORTS_PROPERTY,
                            className="small text-muted mb-0"),
                  dbc.Input(id=IMPORTS_PROPERTY, value="code", size="sm", className="mb-2", maxLength=40),
                  dbc.Label(_("Coordinates of the file"), html_for=IMPORTS_DATUM, className="small text-muted mb-0"),
                  dbc.Select(id=IMPORTS_DATUM, value="wgs84", size="sm", className="mb-2", options=[
                      {"label": _("WGS-84 (GPS, most GIS files)"), "value": "wgs84"},
                      {"label": _("GCJ-02 (Chinese map services: converted)"), "value": "gcj02"}])],
                 id=IMPORTS_PROPERTY_BOX, className="d-none"),
        html.Div(id=IMPORTS_COLUMNS, className="small text-muted mb-2"),
        upload,
        dcc.Loading(html.Div(id=IMPORTS_FILE, className="small my-2"), type="dot"),
        dbc.Button([html.I(className="bi bi-play-fill me-1"), _("Import")], id=IMPORTS_START, color="primary",
                   disabled=True, className="w-100"),
        html.Div(id=IMPORTS_MESSAGE, className="mt-2"),
    ]), className="shadow-sm")
    return html.Div([
        html.H2(_("Imports"), className="h4 mb-3"),
        dbc.Row([
            dbc.Col(form, md=5, xl=4, className="mb-3"),
            dbc.Col([
                html.Div([html.Div(id=IMPORTS_PROGRESS_TEXT, className="small mb-1"),
                          dbc.Progress(id=IMPORTS_PROGRESS, value=0, max=1, striped=True, animated=True,
                                       style={"height": "1.25rem"})],
                         id=IMPORTS_PROGRESS_BOX, className="d-none mb-3"),
                html.Div(id=IMPORTS_RESULT),
            ], md=7, xl=8),
        ], className="g-3"),
        dcc.Store(id=IMPORTS_UPLOAD_REF), dcc.Store(id=IMPORTS_TICKET), dcc.Store(id=IMPORTS_DONE),
        dcc.Store(id=IMPORTS_JOB), dcc.Download(id=IMPORTS_DOWNLOAD),
        dcc.Interval(id=IMPORTS_POLL, interval=1500, disabled=True),
    ])


def _kinds() -> tuple[str, ...]:
    """What the logged-in user may import (checked on the server on every call); refuse everyone else."""
    if not current_user.is_authenticated:
        raise AreaRefused()
    kinds = allowed_kinds(current_user.role, current_scope())
    if not kinds:
        raise AreaRefused()
    return kinds


def _term_options() -> list[dict[str, str]]:
    today = term_for_date(local_today())
    codes = sorted({*term_codes(db()), today.code, today.previous().code}, reverse=True)
    label = term_label_zh if current_language() == "zh" else term_label_en
    return [{"label": f"{label(c)} ({c})", "value": c} for c in codes]


@callback(Output(IMPORTS_KIND, "options"), Output(IMPORTS_KIND, "value"), Output(IMPORTS_TERM, "options"),
          Output(IMPORTS_TERM, "value"), Input(IMPORTS_KIND, "id"))
def fill_form(_id: str) -> tuple:
    """Offer the kinds of file this user may import, and the terms a roster can be for."""
    kinds = _kinds()
    terms = _term_options()
    current = term_for_date(local_today()).code
    return ([{"label": kind_label(k), "value": k} for k in kinds], kinds[0], terms, current)


@callback(Output(IMPORTS_TERM_BOX, "className"), Output(IMPORTS_PROPERTY_BOX, "className"),
          Output(IMPORTS_COLUMNS, "children"), Input(IMPORTS_KIND, "value"))
def show_kind(kind: str | None) -> tuple:
    """The term picker for rosters, the code property for boundaries, and the columns a file needs."""
    if kind not in _kinds():
        return "d-none", "d-none", None
    columns = COLUMNS.get(kind)
    help_text = (_("Columns: %(required)s; optional: %(optional)s.",
                   required="、".join(c.zh for c in columns if c.required),
                   optional="、".join(c.zh for c in columns if not c.required) or "—")
                 if columns else _("A GeoJSON FeatureCollection of township or village polygons."))
    return ("" if kind in TERM_KINDS else "d-none", "" if kind == "boundaries" else "d-none", help_text)


@callback(Output(IMPORTS_UPLOAD_REF, "data"), Output(IMPORTS_FILE, "children"), Output(IMPORTS_START, "disabled"),
          Input(IMPORTS_UPLOAD, "contents"), State(IMPORTS_UPLOAD, "filename"), prevent_initial_call=True)
def keep_upload(contents: str | None, filename: str | None) -> tuple:
    """Keep the uploaded file in the user's folder; the browser gets a signed reference, never the path."""
    _kinds()
    if not contents:
        return None, None, True
    try:
        data = decode_upload(contents)
    except UploadRefused as exc:
        return None, dbc.Alert(_(UPLOAD_MESSAGES[str(exc)], limit=MAX_UPLOAD_BYTES // (1024 * 1024)),
                               color="warning", className="py-2 mb-0"), True
    name = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1][:120]
    upload_id = job_store().save_upload(current_user.id, name, data)
    ref = sign(current_app.config["SECRET_KEY"], u=current_user.id, f=upload_id, n=name)
    size = f"{len(data) / 1024:,.0f} KB" if len(data) < 1024 * 1024 else f"{len(data) / 1024 / 1024:,.1f} MB"
    return ref, html.Span([html.I(className="bi bi-file-earmark-check me-1 text-success"), f"{name} · {size}"]), False


@callback(Output(IMPORTS_TICKET, "data"), Output(IMPORTS_MESSAGE, "children"), Input(IMPORTS_START, "n_clicks"), State(IMPORTS_KIND, "value"), State(IMPORTS_TERM, "value"),
          State(IMPORTS_PROPERTY, "value"), State(IMPORTS_UPLOAD_REF, "data"), State(IMPORTS_DATUM, "value"),
          prevent_initial_call=True)
def start_import(n_clicks: int | None, kind: str | None, term: str | None, code_property: str | None,
                 upload_ref: str | None, datum: str | None = None) -> tuple:
    """Check the request on the server, record the job, and hand the background job a signed ticket."""
    kinds = _kinds()
    if not n_clicks:
        return no_update, no_update
    upload = unsign(current_app.config["SECRET_KEY"], upload_ref)
    store = job_store()
    problem = check_request(kind or "", term, kinds)
    if problem is None and (not upload or upload.get("u") != current_user.id
                            or store.upload_path(current_user.id, upload.get("f", "")) is None):
        problem = "no file"
    if problem is None and store.running(current_user.id):
        problem = "running"
    if problem:
        return no_update, dbc.Alert(_(REQUEST_MESSAGES[problem]), color="warning", className="py-2 mb-0")
    job_id = store.create(current_user.id, kind=kind, term=term if kind in TERM_KINDS else None,
                          code_property=(code_property or "code").strip()[:40], file_name=upload["n"],
                          datum=datum if datum in ("wgs84", "gcj02") else "wgs84",
                          upload_id=upload["f"], language=current_language(), username=current_user.username)
    return sign(current_app.config["SECRET_KEY"], u=current_user.id, j=job_id), None


@callback(Output(IMPORTS_DONE, "data"), Input(IMPORTS_TICKET, "data"), background=True,
          progress=[Output(IMPORTS_PROGRESS, "value"), Output(IMPORTS_PROGRESS, "max"),
                    Output(IMPORTS_PROGRESS_TEXT, "children")],
          running=[(Output(IMPORTS_START, "disabled"), True, True),
                   (Output(IMPORTS_UPLOAD, "disabled"), True, False),
                   (Output(IMPORTS_PROGRESS_BOX, "className"), "mb-3", "d-none")],
          prevent_initial_call=True)
def run_import(set_progress, ticket: str | None) -> dict | None:  # noqa: ANN001 - Dash's progress setter
    """The import itself, in the background (no request: the signed ticket says who asked; the job loads the
    user again and re-checks what they may import)."""
    if not ticket:
        return None
    store = job_store()
    values = unsign(job_secret_key(), ticket) or {}
    job = store.get(values.get("u", 0), values.get("j", "")) if values else None
    gettext = job_gettext((job or {}).get("language") or "zh")

    def progress(done: int, total: int, phase: str) -> None:
        set_progress((done, max(total, done, 1), progress_text(done, total, phase, gettext)))
    job_id = run_import_job(job_session_factory(), store, job_secret_key(), ticket, progress)
    return {"job": job_id} if job_id else None


@callback(Output(IMPORTS_RESULT, "children"), Output(IMPORTS_JOB, "data"), Output(IMPORTS_POLL, "disabled"),
          Output(IMPORTS_PROGRESS_BOX, "className", allow_duplicate=True),
          Output(IMPORTS_PROGRESS, "value", allow_duplicate=True), Output(IMPORTS_PROGRESS, "max", allow_duplicate=True),
          Output(IMPORTS_PROGRESS_TEXT, "children", allow_duplicate=True),
          Output(IMPORTS_UPLOAD, "disabled", allow_duplicate=True),
          Input(IMPORTS_DONE, "data"), Input(IMPORTS_POLL, "n_intervals"), Input(IMPORTS_RESULT, "id"),
          prevent_initial_call="initial_duplicate")
def show_job(_done: dict | None, _ticks: int | None, _mount: str) -> tuple:
    """The user's latest import: its progress while it runs (also after leaving the page and coming back),
    then its result. Only the logged-in user's own jobs are read. A job that ended (also one found dead while
    the browser still waits for it) frees the upload for the next file."""
    _kinds()
    job = job_store().latest(current_user.id)
    if job is None:
        return (html.P(_("No import yet. Choose the kind of file and drop it on the left."),
                       className="text-muted"), None, True, "d-none", 0, 1, None, no_update)
    progress = job.get("progress") or {}
    if job["status"] not in (FINISHED, FAILED):
        done, total = int(progress.get("done", 0)), int(progress.get("total", 0))
        phase = progress.get("phase", "queued") if job["status"] == "running" else "queued"
        return (html.P(_("Importing %(file)s …", file=job.get("file_name", "")), className="text-muted"), job["id"],
                False, "mb-3", done, max(total, done, 1), progress_text(done, total, phase), no_update)
    result = result_of(job)
    if job["status"] == FAILED or result is None:
        reason = _(JOB_ERRORS.get(job.get("error", ""), IMPORT_FAILED))
        return (dbc.Alert([html.Strong(job.get("file_name", "")), html.Div(reason)], color="danger",
                          id=RESULT_IDS["status"]), job["id"], True, "d-none", 0, 1, None, False)
    when = local_clock(job.get("updated", ""))  # the job file keeps UTC; users read their county's time
    if result.preview:
        if pending_preview(job_store(), current_user.id, job["id"]) is None:
            return (dbc.Alert(_(CONFIRM_MESSAGES[EXPIRED]), color="secondary", id=RESULT_IDS["status"]), job["id"],
                    True, "d-none", 0, 1, None, False)
        return preview_view(result, RESULT_IDS, import_removal_share(), when), job["id"], True, "d-none", 0, 1, None, False
    may_open = current_user.role in ("school_staff", "township_officer", "admin")  # who opens cases
    return result_view(result, RESULT_IDS, when, may_open), job["id"], True, "d-none", 0, 1, None, False


@callback(Output(IMPORTS_TICKET, "data", allow_duplicate=True), Output(RESULT_IDS["confirm_message"], "children"),
          Input(RESULT_IDS["confirm"], "n_clicks"), State(IMPORTS_JOB, "data"), State(RESULT_IDS["large"], "value"),
          prevent_initial_call=True)
def confirm_import(n_clicks: int | None, job_id: str | None, large_confirmed: bool | None) -> tuple:
    """Write a previewed roster: a new job on the same kept file, which compares again under the import lock and
    writes only what was shown (else it shows the new preview). Removing more than the configured share of a
    school's pupils needs the second confirmation (the box naming the number), checked here on the server."""
    kinds = _kinds()
    if not n_clicks:
        return no_update, no_update
    if "roster" not in kinds:
        raise AreaRefused()
    store = job_store()
    pending = pending_preview(store, current_user.id, job_id)
    if pending is None:
        return no_update, html.Span(_(CONFIRM_MESSAGES[EXPIRED]), className="text-danger")
    job, result = pending
    if large_removal(result, import_removal_share()) and large_confirmed is not True:
        return no_update, html.Span(_(CONFIRM_MESSAGES[LARGE], count=f"{result.removed:,}"), className="text-danger")
    if store.running(current_user.id):
        return no_update, html.Span(_(CONFIRM_MESSAGES[BUSY]), className="text-danger")
    new_job = store.create(current_user.id, kind="roster", term=job.get("term"), file_name=job.get("file_name", ""),
                           upload_id=job.get("upload_id", ""), language=current_language(),
                           username=current_user.username, mode="confirm", expect=result.digest,
                           allow_removals=result.removed, previewed=job["id"])
    return sign(current_app.config["SECRET_KEY"], u=current_user.id, j=new_job), None


@callback(Output(IMPORTS_DOWNLOAD, "data"), Input(RESULT_IDS["download_button"], "n_clicks"),
          State(IMPORTS_JOB, "data"), prevent_initial_call=True)
def download_report(n_clicks: int | None, job_id: str | None) -> dict | None:
    """The report workbook of one of the user's own imports (another user's job id finds nothing)."""
    _kinds()
    if not n_clicks:
        return no_update
    job = job_store().get(current_user.id, job_id or "")
    result = result_of(job)
    if result is None:
        raise AreaRefused()
    data = report_workbook(result, ReportLabels(**report_labels(result)), reason_text)
    with transaction() as s:
        audit.record(s, "export", "import_report", f"{result.kind}:{result.file_name}"[:100])
    stem = result.file_name.rsplit(".", 1)[0] or "import"
    suffix = _("report")
    return dcc.send_bytes(data, f"{stem}-{suffix}.xlsx", type=XLSX_MIMETYPE)



from pages.imports import graduates  # noqa: E402,F401 - registers the 小升初 button's callback (uses the ids above)
