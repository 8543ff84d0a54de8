"""Issued documents (issue 17.2): the register of the documents issued in the user's area — bulletins,
整改通知书, return notices — with their 发文字号, and each downloadable again exactly as issued (.docx, .pdf).
County leaders, township officers and admins, each for their area; reached from the administration pills."""
from __future__ import annotations

import datetime as dt
import re

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from components.admin.documents import (EN_KIND, EN_PREVIEW, EN_REPORT, EN_VILLAGE, EN_YEAR, SET_AREA, SET_FIELD,
                                        SET_MSG, SET_NEXT, SET_SAVE, documents_table, enrolment_card,
                                        enrolment_preview, settings_card, settings_fields)
from components.admin.subnav import admin_subnav
from components.controls import searched_options
from components.inspection.visit import saved_mark
from components.shell import SHELL_URL
from data_access.documents.enrolment import (ISSUER_ROLES, EnrolmentInvalid, EnrolmentRefused, default_blank_count,
                                             enrolment_batch, villages)
from data_access.documents.register import (SettingsInvalid, issued_documents, issuer_settings, next_number,
                                            save_settings, setting_lengths, settings_areas)
from data_access.names import scope_counties, with_county
from documents.case_notices import grade_text
from domain.documents import enrolment_deadline
from domain.localtime import local_today
from web.context import AreaRefused, current_scope, db, transaction
from web.saves import saves
from wording.i18n import N_

READERS = ("admin", "county_leader", "township_officer")
dash.register_page(__name__, path="/documents", name="Issued documents", label=N_("Issued documents"),
                   icon="file-earmark-text", roles=(), see_roles=READERS, order=14)

DOC_LIST = "documents-list"
KINDS = {"bulletin": N_("Bulletin"), "rectification": N_("Rectification notice"),
         "return-order": N_("Return order (限期复学通知书)"), "urge-return": N_("Urge to return (敦促返校通知书)"),
         "enrolment": N_("Enrolment / return notices (入学（复学）通知书)")}
ENROLMENT_KINDS = {"grade7": N_("Grade 7 entrants"), "grade1": N_("Grade 1 entrants (blank forms)"),
                   "return": N_("Children to return (复学)")}


LABELS = {"issuer": N_("Issuer (signature)"), "abbreviation": N_("Number abbreviation"),
          "recipients": N_("Recipients"), "cc": N_("Copies to"), "contact_person": N_("Contact person"),
          "contact_phone": N_("Contact phone"), "regulation": N_("Provincial regulation"),
          "education_bureau": N_("Co-issuing education bureau"), "page_numbers": N_("Page numbers"),
          "red_header": N_("Red header on issued documents")}
PROBLEMS = {"empty": N_("cannot be empty"),
            "1–20 characters without spaces, digits or brackets": N_("1–20 characters without spaces, digits or "
                                                                      "brackets"),
            "outside or centre": N_("choose a placement"), "on or off": N_("on or off")}


def layout(**_query: str) -> html.Div:
    """Page frame: the admin's document settings, an explanation and the register."""
    return html.Div([
        admin_subnav(current_user.role, "/documents"),
        html.H2(_("Issued documents"), className="h4 mb-2"),
        settings_card(_area_options()) if current_user.role == "admin" else None,
        _enrolment() if current_user.role in ISSUER_ROLES else None,
        html.P(_("Every numbered document issued in your area, newest first. A document downloads again exactly "
                 "as it was issued; numbers run per issuer and year."), className="small text-muted"),
        dcc.Loading(html.Div(id=DOC_LIST), type="dot"),
    ])


def _school_year(today: dt.date) -> int:
    """The school year whose enrolment is next: this year's until August, else next year's."""
    return today.year if today.month <= 8 else today.year + 1


def _village_choices() -> list[tuple[str, str]]:
    """(code, "village（township）") of the villages the user may issue for; the township says its county where the
    area spans counties."""
    scope = current_scope()
    counties = scope_counties(db(), scope)
    return [(code, f"{name}（{with_county(code, town, counties)}）") for code, name, town in villages(db(), scope)]


def _enrolment() -> object:
    year = _school_year(local_today())
    return enrolment_card(searched_options(_village_choices(), None),     # (a province's 11,879 villages: 1 MB)
                          [{"label": _(v), "value": k} for k, v in ENROLMENT_KINDS.items()], year,
                          enrolment_deadline(year).isoformat())


@callback(Output(EN_VILLAGE, "options"), Input(EN_VILLAGE, "search_value"), State(EN_VILLAGE, "value"),
          prevent_initial_call=True)
def find_villages(search: str | None, village: str | None) -> list[dict]:
    """Of a long list of villages, those matching what is typed (and the one picked)."""
    if current_user.role not in ISSUER_ROLES:
        raise AreaRefused()
    return searched_options(_village_choices(), search if isinstance(search, str) else None, village)


@callback(Output(EN_PREVIEW, "children"), Input(EN_VILLAGE, "value"), Input(EN_KIND, "value"),
          Input(EN_YEAR, "value"), Input(EN_REPORT, "value"))
def preview_enrolment(village: str | None, kind: str | None, year: object, report_by: str | None) -> object:
    """Who would get a notice (names, as the notices print them), and the forms that issue the batch."""
    if current_user.role not in ISSUER_ROLES:
        raise AreaRefused()
    if not village:
        return html.P(_("No village in your area: import the areas first."), className="small text-muted")
    try:
        year_n = int(year)
        due = dt.date.fromisoformat(report_by) if report_by else enrolment_deadline(year_n)
    except (TypeError, ValueError):
        return html.P(_("Enter a school year (e.g. 2027) and a reporting day."), className="small text-danger")
    session = db()
    try:
        batch = enrolment_batch(session, current_user.role, current_scope(), village, kind or "", year_n,
                                local_today(), due, blank=0 if kind == "grade1" else None)
    except EnrolmentRefused as exc:
        raise AreaRefused() from exc
    except EnrolmentInvalid as exc:
        return html.P(_enrolment_problem(str(exc)), className="small text-danger", id="enrol-summary")
    values = {"village": village, "kind": kind, "year": year_n, "report_by": due.isoformat()}
    if kind == "grade1":
        count = default_blank_count(session, village, year_n)
        summary = _("Blank forms for the grade-1 entrants, which the township fills in from the household books; "
                    "the population file counts %(n)s children of age 6 in the village.", n=count)
        return enrolment_preview([], (), summary, values, generate_csrf(), count)
    header = (_("Child"), _("Gender"), _("Born"), _("From school"), _("To report at"), _("Guardian"))
    rows = [(c.name, c.gender, c.birth.isoformat() if c.birth else "", f"{c.from_school}{grade_text(c.grade)}"
             if kind == "return" else c.from_school, c.to_school or _("(to fill in)"), c.guardian or "—")
            for c in batch.children]
    summary = (_("%(n)s notices, one a page, and the signing sheet.", n=len(rows)) if rows else
               _("No child of this village is due such a notice."))
    return enrolment_preview(rows, header, summary, values, generate_csrf(), None)


def _enrolment_problem(message: str) -> str:
    if message.startswith("report-by"):
        return _("The reporting day is before today.")
    if message.startswith("year"):
        return _("Enter a school year between 2000 and 2100.")
    return message


def _area_options() -> list[dict]:
    return [{"label": name if level == "county" else f"\u3000{name}", "value": code}
            for code, name, level in settings_areas(db(), current_scope())]


def _settable(area: str | None) -> tuple[str, str]:
    """(code, level) of the area an admin may set (a county or township of their scope); HTTP 403 otherwise."""
    if current_user.role != "admin" or not area:
        raise AreaRefused()
    levels = {code: level for code, _n, level in settings_areas(db(), current_scope())}
    if area not in levels:
        raise AreaRefused()
    return area, levels[area]


def _problem_text(message: str) -> str:
    """A refusal of save_settings ("field: problem; …") in the user's language, naming each field."""
    out = []
    for part in message.split("; "):
        field, _sep, problem = part.partition(": ")
        longest = re.fullmatch(r"at most (\d+) characters", problem)
        reason = (_("at most %(n)s characters", n=longest.group(1)) if longest else
                  _(PROBLEMS[problem]) if problem in PROBLEMS else problem)
        out.append(_("%(field)s: %(problem)s", field=_(LABELS[field]) if field in LABELS else field, problem=reason))
    return "；".join(out) if current_user.language == "zh" else "; ".join(out)


@callback(Output(SET_NEXT, "children"), Input(SET_AREA, "value"))
def show_settings(area: str | None) -> object:
    """The settings in force for the chosen area (defaults where nothing is set), and the next number."""
    area, level = _settable(area)
    session = db()
    got = issuer_settings(session, area)
    values = {f: getattr(got, f) for f in LABELS}
    return settings_fields(values, {k: _(v) for k, v in LABELS.items()}, setting_lengths(), level == "township",
                           next_number(session, got.abbreviation, local_today().year))


@callback(Output(SET_MSG, "children"), Input(SET_SAVE, "n_clicks"), State(SET_AREA, "value"),
          State({"type": SET_FIELD, "field": ALL}, "value"), State({"type": SET_FIELD, "field": ALL}, "id"),
          prevent_initial_call=True)
@saves
def save_document_settings(clicks: int | None, area: str | None, values: list | None, ids: list | None) -> object:
    """Save the area's settings; a refused value is named with its field and nothing is written."""
    if not clicks:
        return no_update
    area, _level = _settable(area)
    given = {i["field"]: v for i, v in zip(ids or [], values or []) if isinstance(i, dict) and i.get("field") in LABELS}
    given = {k: (v if isinstance(v, bool) else "" if v is None else str(v)) for k, v in given.items()}
    try:
        with transaction() as s:
            saved = save_settings(s, area, **given)
    except SettingsInvalid as exc:
        return saved_mark(_problem_text(str(exc)), error=True)
    return saved_mark(_("Saved: numbers read like %(example)s.",
                        example=next_number(db(), saved.abbreviation, local_today().year)))


@callback(Output(DOC_LIST, "children"), Input(SHELL_URL, "pathname"))
def list_documents(_path: str | None) -> object:
    """The register within the reader's area."""
    if current_user.role not in READERS:
        raise AreaRefused()
    return documents_table(issued_documents(db(), current_scope()), {k: _(v) for k, v in KINDS.items()})
